package credits

import (
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestRoundQueriesUseIndexes guards migration 0012's layout on SQLite: an account's rounds are
// listed newest first straight from the primary key (no sort of its whole history), and one round
// is found through the id index, so neither slows down as an account's history grows.
func TestRoundQueriesUseIndexes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	plan := func(q string, args ...any) string { return storetest.Plan(t, db, q, args...) }
	list := plan(listRoundsSQL, "a", "", "", 10)
	if !strings.Contains(list, "USING PRIMARY KEY (account_id=?)") || strings.Contains(list, "TEMP B-TREE") {
		t.Errorf("listing plan:\n%s", list)
	}
	one := plan(roundByIDSQL, "x", "a")
	if !strings.Contains(one, "credit_rounds_id") {
		t.Errorf("lookup plan:\n%s", one)
	}
}
