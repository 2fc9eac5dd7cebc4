// Package internal_test fences the layers of the program (DESIGN §1): domain packages hold the
// rules and know nothing of HTTP, the surfaces or database drivers; surfaces translate wires and
// run no SQL. Every package under internal/ must be classified here, so a new one is placed on
// purpose.
package internal_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const mod = "github.com/arcadehq/arcade/"

// layer of each package directory (relative to internal/), by longest matching prefix.
var layers = map[string]string{
	"account": "domain", "credits": "domain", "seeds": "domain", "idem": "domain", "ledger": "domain",
	"money": "domain", "errs": "domain", "ops": "domain", "persona": "domain", "casino": "domain",
	"poker": "domain", "siwe": "domain", "x402": "domain", "ratelimit": "domain", "simreport": "domain",
	"guide": "domain", "feed": "domain", "deptest": "domain", "nodetest": "domain", "faultfs": "domain", "payments": "domain",
	// Clients of outside services: they speak HTTP to their peer, hold no rules of ours.
	"cardpay": "client", "x402/facilitator": "client", "x402/x402pay": "client", "client": "client", "loadgen": "client",
	"chain": "client", "poker/bot": "client", "mail": "client",
	// The persona LLM evaluator: chat completions to a language model (the game's rules stay in
	// persona/turn, which it only feeds answers).
	"persona/llm": "client",
	// Surfaces.
	"httpapi": "surface", "tools": "surface", "mcpapi": "surface", "httpapi/playpage": "surface",
	// The store, and the wiring that knows everything.
	"store": "store", "app": "app",
}

var drivers = []string{"github.com/jackc/pgx", "modernc.org/sqlite", "github.com/lib/pq"}

func layerOf(rel string) (string, bool) {
	best, layer := "", ""
	for p, l := range layers {
		if (rel == p || strings.HasPrefix(rel, p+"/")) && len(p) > len(best) {
			best, layer = p, l
		}
	}
	return layer, best != ""
}

func TestLayers(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			strings.Contains(path, "testdata") {
			return err
		}
		rel := filepath.ToSlash(filepath.Dir(path))
		layer, ok := layerOf(rel)
		if !ok {
			t.Errorf("%s: package internal/%s is in no layer; classify it in layers_test.go", path, rel)
			return nil
		}
		// Test helpers (…test packages) may start servers and open databases.
		if strings.HasSuffix(filepath.Base(rel), "test") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if why := forbidden(layer, p); why != "" {
				t.Errorf("%s (%s) imports %s: %s", path, layer, p, why)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func forbidden(layer, p string) string {
	surface := strings.HasPrefix(p, mod+"internal/httpapi") || strings.HasPrefix(p, mod+"internal/tools") ||
		strings.HasPrefix(p, mod+"internal/mcpapi")
	driver := false
	for _, d := range drivers {
		driver = driver || strings.HasPrefix(p, d)
	}
	switch layer {
	case "domain":
		switch {
		case p == "net/http" || strings.HasPrefix(p, "net/http/"):
			return "domain packages know nothing of HTTP"
		case surface:
			return "domain packages never import a surface"
		case driver:
			return "domain packages reach the database only through internal/store"
		}
	case "surface":
		switch {
		case p == "database/sql" || p == mod+"internal/store" || driver:
			return "surfaces run no SQL: they call operations"
		}
	case "client":
		if surface {
			return "clients never import a surface"
		}
	}
	return ""
}
