package bets

import (
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestResolverUsesTheSettlingIndex guards migration 0028: the resolver, which every instance
// runs every few seconds, reads only the bets left settling through their partial index, never
// the whole history of bets. The query names the status the index is built on.
func TestResolverUsesTheSettlingIndex(t *testing.T) {
	if !strings.Contains(settlingBetsSQL, "'"+Settling+"'") {
		t.Fatalf("the resolver's query does not name the status %q: %s", Settling, settlingBetsSQL)
	}
	db := storetest.Open(t, store.SQLite)
	plan := storetest.Plan(t, db, settlingBetsSQL, 0, 10)
	if !strings.Contains(plan, "USING INDEX v1_bets_settling") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("resolver plan:\n%s", plan)
	}
}
