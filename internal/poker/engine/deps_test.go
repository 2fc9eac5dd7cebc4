package engine

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPureImports fences the rules packages: the engine and the PHH package import nothing that
// does I/O on its own, reads the clock or starts goroutines (no os, net, time, sync, math/rand),
// beside the card and eval packages and, for phh, the TOML library.
func TestPureImports(t *testing.T) {
	allowed := map[string]bool{
		"errors": true, "fmt": true, "io": true, "math": true, "slices": true, "strconv": true,
		"strings": true, "bytes": true,
		"github.com/arcadehq/arcade/internal/poker/card":   true,
		"github.com/arcadehq/arcade/internal/poker/eval":   true,
		"github.com/arcadehq/arcade/internal/poker/engine": true,
		"github.com/BurntSushi/toml":                       true,
	}
	for _, dir := range []string{".", filepath.Join("..", "phh")} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			file, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range file.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if !allowed[path] {
					t.Errorf("%s imports %s", f, path)
				}
			}
		}
	}
}
