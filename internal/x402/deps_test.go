package x402_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDependencies keeps package x402 a domain package: no net/http, no database, no surface;
// x402pay must not import the verifier it is meant to check.
func TestDependencies(t *testing.T) {
	for dir, forbidden := range map[string][]string{
		".":       {"net/http", "database/sql", "github.com/arcadehq/arcade/internal/httpapi", "github.com/arcadehq/arcade/internal/store"},
		"x402pay": {"github.com/arcadehq/arcade/internal/x402"},
	} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		if len(files) == 0 {
			t.Fatalf("%s: no files", dir)
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
				for _, bad := range forbidden {
					if path == bad || strings.HasPrefix(path, bad+"/") {
						t.Errorf("%s imports %s", file, path)
					}
				}
			}
		}
	}
}
