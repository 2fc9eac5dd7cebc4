package credits

import (
	"context"
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
	plan := func(q string, args ...any) string {
		var b strings.Builder
		err := db.Read(context.Background(), func(ctx context.Context, tq store.Q) error {
			rows, err := tq.Query(ctx, "EXPLAIN QUERY PLAN "+q, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					return err
				}
				b.WriteString(detail + "\n")
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	list := plan(listRoundsSQL, "a", "", "", 10)
	if !strings.Contains(list, "USING PRIMARY KEY (account_id=?)") || strings.Contains(list, "TEMP B-TREE") {
		t.Errorf("listing plan:\n%s", list)
	}
	one := plan(roundByIDSQL, "x", "a")
	if !strings.Contains(one, "credit_rounds_id") {
		t.Errorf("lookup plan:\n%s", one)
	}
}
