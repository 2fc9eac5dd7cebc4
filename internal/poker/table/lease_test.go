package table

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestLeaseRecovery: an instance's tables, mid-hand, survive recoverers while its lease is live;
// once it has expired, two recoverers racing recover it exactly once (each stack back in its
// balance, the table closed); the owner's next renewal finds the lease lost, stops its table
// without paying anyone again, tells its players, and takes a new lease.
func TestLeaseRecovery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		a := newService(t, e, func(c *Config) { c.ActionTimeout, c.Lease = time.Hour, time.Hour })
		if err := a.Start(ctx); err != nil {
			t.Fatal(err)
		}
		// Two other instances on the same database (their leases taken without Start: on SQLite
		// Start recovers every stack, the single-instance rule).
		b := &Service{DB: a.DB, Seeds: a.Seeds, Now: a.Now, Rand: a.Rand, Log: a.Log, Cfg: a.Cfg}
		c := &Service{DB: a.DB, Seeds: a.Seeds, Now: a.Now, Rand: a.Rand, Log: a.Log, Cfg: a.Cfg}
		for _, s := range []*Service{b, c} {
			if err := s.takeLease(ctx); err != nil {
				t.Fatal(err)
			}
		}
		p1 := join(t, a, "p1", 1_000_000)
		p2 := join(t, a, "p2", 2_000_000)
		await(t, p1.conn, "your_turn", nil) // or p2's turn: either way a hand is in play
		inPlay := func() money.Amount {
			t.Helper()
			var sum money.Amount
			if err := a.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
				for _, id := range []string{p1.id, p2.id} {
					h, err := ledger.HoldingsOf(ctx, q, id, money.USDC)
					if err != nil {
						return err
					}
					sum += h.InPlay
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return sum
		}
		if n, err := b.RecoverExpired(ctx); err != nil || n != 0 {
			t.Fatalf("recovered %d live leases (%v)", n, err)
		}
		if ok, err := c.RecoverOwner(ctx, a.Instance()); err != nil || ok {
			t.Fatalf("recovered a live lease: %v %v", ok, err)
		}
		if got := inPlay(); got != 3_000_000 {
			t.Fatalf("in play %s with a live lease, want 3.00", got)
		}

		old := a.Instance()
		if err := a.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
			_, err := q.Exec(ctx, `UPDATE poker_leases SET lease_until = 1 WHERE instance_id = ?`, old)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for _, s := range []*Service{b, c} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.RecoverOwner(ctx, old)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d recoverers recovered the expired lease, want 1", wins)
		}
		if got := inPlay(); got != 0 {
			t.Errorf("in play %s after recovery", got)
		}
		var open int
		if err := a.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT COUNT(*) FROM poker_tables WHERE owner = ? AND closed_at IS NULL`, old).Scan(&open)
		}); err != nil || open != 0 {
			t.Errorf("%d tables of the recovered owner still open (%v)", open, err)
		}

		// Until then, every money write of the owner fails: a hand it settles now would pay from
		// stacks already returned.
		if err := a.CashOut(ctx, "t", p1.id, 1); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("cash-out under a recovered lease: %v, want ErrLeaseLost", err)
		}
		if err := a.DB.Write(ctx, func(ctx context.Context, q store.Q) error { return a.hold(ctx, q, old) }); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("a write holding a recovered lease: %v, want ErrLeaseLost", err)
		}
		// The owner stops its tables (the refused cash-out, or at the latest its next renewal).
		if err := a.Renew(ctx); err != nil {
			t.Fatal(err)
		}
		await(t, p1.conn, "table_closed", func(u Update) bool { return u.Body.(map[string]string)["reason"] == "lease_lost" })
		if a.Instance() == old || a.Instance() == "" {
			t.Errorf("no new lease after losing %s", old)
		}
		if n := len(a.Tables()); n != 0 || p1.p.current() != nil || p2.p.current() != nil {
			t.Errorf("%d tables still running after the lease was lost", n)
		}
		// Each player holds its whole grant again (no hand was settled), once.
		checkMoney(t, a, p1.id, p2.id)
		if err := a.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
			for _, id := range []string{p1.id, p2.id} {
				h, err := ledger.HoldingsOf(ctx, q, id, money.USDC)
				if err != nil {
					return err
				}
				if h.Total() != a.Cfg.SandboxGrant {
					t.Errorf("%s holds %s, want %s", id, h.Total(), a.Cfg.SandboxGrant)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// A player of the lost tables can sit down again under the new lease.
		if _, err := a.JoinLobby(ctx, p1.p, 1_000_000); err != nil {
			t.Fatalf("join after the lease was lost: %v", err)
		}
	})
}
