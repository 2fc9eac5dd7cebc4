// Package ledgertest is the ledger's audit helper for tests: every test that moves money ends
// with Check. It lives beside the ledger (not in storetest, which knows only the store), so the
// store's test helpers never import the packages built on the store.
package ledgertest

import (
	"context"
	"testing"

	"github.com/arcadehq/arcade/internal/ledger"
)

// Check fails t unless the ledger invariant holds, checked in one snapshot of db.
func Check(t testing.TB, db ledger.Reader) ledger.Report {
	t.Helper()
	r, err := ledger.Audit(context.Background(), db)
	if err != nil {
		t.Fatalf("ledger check: %v", err)
	}
	if err := r.Err(); err != nil {
		t.Fatalf("%v", err)
	}
	return r
}
