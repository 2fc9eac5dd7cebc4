package storetest

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyTheStore: the store's test helpers know the store and nothing built on it (the
// ledger keeps its own audit helper, ledgertest), so no import runs the wrong way round.
func TestImportsOnlyTheStore(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "github.com/arcadehq/arcade/") && imp != "github.com/arcadehq/arcade/internal/store" {
			t.Errorf("storetest imports %s", imp)
		}
	}
}
