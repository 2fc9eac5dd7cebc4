package fairness_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDependencies keeps package fairness and its verify command importable by outsiders: only
// the standard library (plus fairness and the casino's pay tables for verify; internal/casino
// fences itself the same way), and never net/http or a database.
func TestDependencies(t *testing.T) {
	for dir, allowed := range map[string][]string{
		".":      nil,
		"verify": {"github.com/arcadehq/arcade/fairness", "github.com/arcadehq/arcade/internal/casino"},
	} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no files (%v)", dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				first, _, _ := strings.Cut(path, "/")
				std := !strings.Contains(first, ".")
				ok := std && !strings.HasPrefix(path, "net") && path != "database/sql" && path != "os/exec"
				for _, a := range allowed {
					ok = ok || path == a
				}
				if !ok {
					t.Errorf("%s imports %s", file, path)
				}
			}
		}
	}
}
