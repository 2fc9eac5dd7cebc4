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

// TestHistoryUsesIndexes: each history listing reads its parts in order from their account
// indexes and merges them, so a page never sorts an account's whole history (its rounds grow
// with every bet).
func TestHistoryUsesIndexes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	all := storetest.Plan(t, db, historyAllSQL, "a", "a", "a", 10, 0)
	for _, w := range []string{"MERGE", "USING PRIMARY KEY (account_id=?)", "faucet_claims_account (account_id=?)", "credit_withdrawals_account (account_id=?)"} {
		if !strings.Contains(all, w) {
			t.Errorf("all: no %q in the plan:\n%s", w, all)
		}
	}
	for name, q := range map[string]string{"all": historyAllSQL, "bets": historyBetsSQL, "faucet": historyFaucetSQL, "withdrawals": historyWithdrawalsSQL} {
		args := []any{"a", 10, 0}
		if q == historyAllSQL {
			args = []any{"a", "a", "a", 10, 0}
		}
		// A sort of the rows sharing one created_at (the id tiebreak) is fine; of them all, not.
		if plan := storetest.Plan(t, db, q, args...); strings.Contains(plan, "SCAN") || strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
			t.Errorf("%s plan:\n%s", name, plan)
		}
	}
}

// TestWithdrawalListingsUseIndexes: a user's withdrawals are read through the account index and
// the operator's listings through the status index, never by reading and sorting every one.
func TestWithdrawalListingsUseIndexes(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	for _, c := range []struct {
		name, query, want string
		args              []any
	}{
		{"account", accountWithdrawalsSQL, "credit_withdrawals_account (account_id=?)", []any{"a", 10, 0}},
		{"account+status", accountStatusWithdrawalSQL, "credit_withdrawals_", []any{"a", WithdrawalPending, 10, 0}},
		{"status", statusWithdrawalsSQL, "credit_withdrawals_status (status=?)", []any{WithdrawalPending, 10, 0}},
		{"all", allWithdrawalsSQL, "MERGE", []any{10, 0}},
	} {
		plan := storetest.Plan(t, db, c.query, c.args...)
		if !strings.Contains(plan, c.want) || strings.Contains(plan, "SCAN") || strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") {
			t.Errorf("%s plan:\n%s", c.name, plan)
		}
	}
}
