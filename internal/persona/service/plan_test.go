package service

import (
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestListingsUseIndexes guards migration 0029 on SQLite: every persona listing reads one
// index in order, so none reads or sorts every public persona (their number grows with every
// author), and an account's listings read only that account's personas.
func TestListingsUseIndexes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	for _, c := range []struct {
		name, query string
		args        []any
		want        []string
	}{
		{"public", listPublicSQL, []any{10}, []string{"USING INDEX personas_public"}},
		{"mine", listMineSQL, []any{"a", 10}, []string{"USING INDEX personas_account (account_id=?)"}},
		{"visible", listVisibleSQL, []any{"a", 10}, []string{"MERGE", "USING INDEX personas_public", "USING INDEX personas_account (account_id=?)"}},
		{"sdk", sdkListSQL, []any{"a", 10}, []string{"USING INDEX personas_account (account_id=?)"}},
	} {
		plan := storetest.Plan(t, db, c.query, c.args...)
		for _, w := range c.want {
			if !strings.Contains(plan, w) {
				t.Errorf("%s: no %q in the plan:\n%s", c.name, w, plan)
			}
		}
		// A sort of the rows sharing one created_at (the id tiebreak) is fine; a sort of them all is not.
		if strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
			t.Errorf("%s: sorts every row it reads:\n%s", c.name, plan)
		}
	}
}

// TestMigrateUsesTheSessionIndex guards migration 0029: moving a player's progress reads that
// player's rows, not every player's progress with every persona.
func TestMigrateUsesTheSessionIndex(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	plan := storetest.Plan(t, db, migrateSQL, "new", "a", "old")
	if !strings.Contains(plan, "persona_progress_session (account_id=? AND user_session_id=?)") ||
		strings.Contains(plan, "SCAN") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("migrate plan:\n%s", plan)
	}
}
