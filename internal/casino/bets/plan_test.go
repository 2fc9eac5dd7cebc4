package bets

import (
	"context"
	"fmt"
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

// TestDashboardUsesTheAccountStatusIndex guards migration 0031: with one index by account left
// on v1_bets, the dashboard's count and listing read it per status, in created_at order, with
// or without a status and other filters: never the whole table, never a sort of all of an
// account's bets (at most the tie-break on equal timestamps).
func TestDashboardUsesTheAccountStatusIndex(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	for _, c := range []struct{ status, filters string }{
		{"", ""}, {Settled, ""}, {"", " AND b.game = ? AND b.created_at >= ?"}, {Voided, " AND b.payout > 0"},
	} {
		var fargs []any
		for range strings.Count(c.filters, "?") {
			fargs = append(fargs, "x")
		}
		count, list, args := dashboardBetsSQL("acc", c.status, c.filters, fargs)
		for _, q := range []struct {
			sql  string
			args []any
		}{{count, args}, {list, append(args, 10, 0)}} {
			parts := 3 // one per status
			if c.status != "" {
				parts = 1
			}
			plan := storetest.Plan(t, db, q.sql, q.args...)
			if strings.Contains(plan, "SCAN b") || strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") ||
				strings.Count(plan, "v1_bets_account_status") != parts {
				t.Errorf("status %q filters %q:\n%s\n%s", c.status, c.filters, q.sql, plan)
			}
		}
	}
}

// TestDashboardListingMergesStatuses checks the per-status parts of dashboardBetsSQL come back as
// one listing, newest first across statuses (ties by id), paged and counted, on both engines.
func TestDashboardListingMergesStatuses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		ctx := context.Background()
		statuses := []string{Settled, Voided, Settling, Settled, Settled, Voided, Settling}
		err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			for _, acc := range []string{"a1", "a2"} {
				if _, err := q.Exec(ctx, `INSERT INTO accounts (id, kind, created_at) VALUES (?, 'agent', 1)`, acc); err != nil {
					return err
				}
			}
			if _, err := q.Exec(ctx, `INSERT INTO server_seeds (id, owner_id, scope, seed, commitment, client_seed, created_at)
				VALUES ('s1', 'a1', 'v1', 'aa', 'cc', 'x', 1)`); err != nil {
				return err
			}
			for i, st := range statuses {
				for _, acc := range []string{"a1", "a2"} {
					// b3 and b4 share a timestamp: the tie is broken by id, descending.
					at := []int64{10, 20, 30, 40, 40, 50, 60}[i]
					if _, err := q.Exec(ctx, `INSERT INTO v1_bets (id, account_id, game, stake_tier, stake, params, outcome, payout,
						status, seed_id, client_seed, nonce, network, created_at) VALUES (?, ?, 'dice', 'micro', 1, '{}', '{}', 0, ?, 's1', 'x', ?, 'n', ?)`,
						fmt.Sprintf("%s-b%d", acc, i), acc, st, i, at); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		list := func(status string, limit, offset int) (ids []string, total int) {
			count, sql, args := dashboardBetsSQL("a1", status, "", nil)
			err := db.Read(ctx, func(ctx context.Context, q store.Q) error {
				if err := q.QueryRow(ctx, count, args...).Scan(&total); err != nil {
					return err
				}
				rows, err := q.Query(ctx, sql, append(args, limit, offset)...)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					b, err := scanBet(rows)
					if err != nil {
						return err
					}
					ids = append(ids, b.ID)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
			return ids, total
		}
		ids, total := list("", 10, 0)
		if want := "a1-b6 a1-b5 a1-b4 a1-b3 a1-b2 a1-b1 a1-b0"; strings.Join(ids, " ") != want || total != 7 {
			t.Errorf("all: %v (%d), want %s (7)", ids, total, want)
		}
		if ids, total := list("", 3, 2); strings.Join(ids, " ") != "a1-b4 a1-b3 a1-b2" || total != 7 {
			t.Errorf("page: %v (%d)", ids, total)
		}
		if ids, total := list(Settled, 10, 0); strings.Join(ids, " ") != "a1-b4 a1-b3 a1-b0" || total != 3 {
			t.Errorf("settled: %v (%d)", ids, total)
		}
	})
}
