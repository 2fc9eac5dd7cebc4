package persona_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPure fences the persona packages: no HTTP, no database, no files, no clock, no goroutines,
// and only the few outside modules each one needs, so the surfaces built on them stay the only
// place where I/O happens and every turn can be replayed.
func TestPure(t *testing.T) {
	const mod = "github.com/arcadehq/arcade/internal/"
	for dir, allowed := range map[string][]string{
		".":        {mod + "errs", "github.com/invopop/jsonschema"},
		"turn":     {mod + "errs", mod + "persona"},
		"rules":    {mod + "persona", mod + "persona/turn", "github.com/expr-lang/expr"},
		"examples": {mod + "persona", mod + "persona/rules"},
	} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no files (%v)", dir, err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				first, _, _ := strings.Cut(path, "/")
				ok := !strings.Contains(first, ".") && !strings.HasPrefix(path, "net") &&
					path != "database/sql" && path != "os" && path != "os/exec" && path != "io/ioutil"
				for _, a := range allowed {
					ok = ok || path == a || strings.HasPrefix(path, a+"/")
				}
				if !ok {
					t.Errorf("%s imports %s", file, path)
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.GoStmt:
					t.Errorf("%s starts a goroutine", file)
				case *ast.SelectorExpr:
					if id, ok := x.X.(*ast.Ident); ok && id.Name == "time" && (x.Sel.Name == "Now" || x.Sel.Name == "Since") {
						t.Errorf("%s reads the clock (time.%s): inject it", file, x.Sel.Name)
					}
				}
				return true
			})
		}
	}
}
