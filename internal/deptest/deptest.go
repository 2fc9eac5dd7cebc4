// Package deptest fences packages by what they import, for the tests that keep the pure packages
// pure (fairness, the poker evaluator and engine, the persona engine, the x402 verifier, the
// casino rules) and the layers apart (internal/layers_test.go). It reads import lists with
// go/parser; nothing is built.
package deptest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// File is one non-test Go file of a package directory, parsed.
type File struct {
	Name    string
	AST     *ast.File
	Imports []string
}

// Files parses the non-test Go files of dir (with their bodies when full, for checks beyond the
// imports). A directory without Go files fails the test: a fence on nothing protects nothing.
func Files(t testing.TB, dir string, full bool) []File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	mode := parser.ImportsOnly
	if full {
		mode = 0
	}
	var out []File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, mode)
		if err != nil {
			t.Fatal(err)
		}
		ff := File{Name: name, AST: f}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			ff.Imports = append(ff.Imports, p)
		}
		out = append(out, ff)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no Go files", dir)
	}
	return out
}

// Check fails t for every import of dir's non-test files that why refuses (why returns the
// reason, or "" to allow).
func Check(t testing.TB, dir string, why func(path string) string) {
	t.Helper()
	for _, f := range Files(t, dir, false) {
		for _, p := range f.Imports {
			if r := why(p); r != "" {
				t.Errorf("%s imports %s: %s", f.Name, p, r)
			}
		}
	}
}

// Std reports whether path is in the standard library.
func Std(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// IO reports whether path is a standard package that reaches outside the process: the network,
// files, processes or databases.
func IO(path string) bool {
	for _, p := range []string{"net", "os", "database", "io/fs", "io/ioutil", "syscall"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// PureStd allows the standard library without I/O, plus the listed packages (and their
// subpackages): the rule of the pure packages.
func PureStd(allowed ...string) func(string) string {
	return func(p string) string {
		for _, a := range allowed {
			if p == a || strings.HasPrefix(p, a+"/") {
				return ""
			}
		}
		switch {
		case !Std(p):
			return "not in the standard library and not allowed here"
		case IO(p):
			return "I/O belongs to the surfaces, not to pure rules"
		}
		return ""
	}
}

// NoNetNoDB allows the standard library except the network, databases and processes, plus the
// listed packages: the rule of packages outsiders import (fairness, its verify command).
func NoNetNoDB(allowed ...string) func(string) string {
	return func(p string) string {
		for _, a := range allowed {
			if p == a {
				return ""
			}
		}
		switch {
		case !Std(p):
			return "not in the standard library and not allowed here"
		case strings.HasPrefix(p, "net"), p == "database/sql", p == "os/exec":
			return "no network, database or processes here"
		}
		return ""
	}
}
