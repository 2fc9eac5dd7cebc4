package eval

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDependencies keeps the evaluator and the card package pure: the standard library minus
// I/O-bound packages, plus card (for eval) and fairness (for card).
func TestDependencies(t *testing.T) {
	forbidden := []string{"net", "os", "database", "io/fs", "log", "time"}
	for dir, allowed := range map[string][]string{
		".":       {"github.com/arcadehq/arcade/internal/poker/card"},
		"../card": {"github.com/arcadehq/arcade/fairness"},
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
				ok := !strings.Contains(first, ".")
				for _, bad := range forbidden {
					if path == bad || strings.HasPrefix(path, bad+"/") {
						ok = false
					}
				}
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
