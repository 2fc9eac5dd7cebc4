package seeds_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestActive: a game with the player's own nonces gets the active seed, created on first use,
// without drawing a server nonce; after a rotation it gets the new one.
func TestActive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		eng := seeds.Engine{Rand: rand.Reader}
		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		ctx := context.Background()
		var owner string
		var first, again seeds.Draw
		err := db.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
			a, err := account.Create(ctx, q, now, account.New{})
			if err != nil {
				return err
			}
			owner = a.ID
			if first, err = eng.Active(ctx, q, now, owner, "v1"); err != nil {
				return err
			}
			again, err = eng.Active(ctx, q, now, owner, "v1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if first.SeedID == "" || again.SeedID != first.SeedID || first.Seed.Commitment() != first.Commitment {
			t.Fatalf("active %+v then %+v", first, again)
		}
		var after seeds.Draw
		err = db.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
			p, ok, err := seeds.Peek(ctx, q, owner, "v1")
			if err != nil || !ok || p.NextNonce != 0 {
				t.Errorf("peek %+v %v %v: want no server nonce drawn", p, ok, err)
			}
			if _, _, err := eng.Rotate(ctx, q, now, owner, "v1"); err != nil {
				return err
			}
			after, err = eng.Active(ctx, q, now, owner, "v1")
			return err
		})
		if err != nil || after.SeedID == first.SeedID {
			t.Fatalf("after a rotation: %+v %v", after, err)
		}
	})
}

// TestActiveHoldsRotationBack: on PostgreSQL a bet's read of the active seed holds a shared lock
// until it commits, so the rotation that retires (and reveals) the seed waits for it. SQLite has
// one writer, which orders them anyway.
func TestActiveHoldsRotationBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		if e != store.Postgres {
			t.Skip("SQLite's single writer orders a bet and a rotation")
		}
		cfg := storetest.Config(t, e)
		cfg.DoubleRun = false // the write below blocks inside its function
		db := storetest.OpenWith(t, cfg)
		eng := seeds.Engine{Rand: rand.Reader}
		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		ctx := context.Background()
		var owner string
		var d seeds.Draw
		err := db.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
			a, err := account.Create(ctx, q, now, account.New{})
			if err != nil {
				return err
			}
			owner = a.ID
			d, err = eng.Active(ctx, q, now, owner, "v1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		var once sync.Once
		go func() {
			done <- db.Write(ctx, func(ctx context.Context, q store.Q) error {
				if _, err := eng.Active(ctx, q, now, owner, "v1"); err != nil {
					return err
				}
				once.Do(func() { close(held) })
				<-release
				return nil
			})
		}()
		<-held

		raw, err := sql.Open("pgx", cfg.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		retire := func() error {
			tx, err := raw.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer tx.Rollback() // the rotation is only tried
			if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '300ms'`); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE server_seeds SET active = NULL WHERE id = $1`, d.SeedID)
			return err
		}
		if err := retire(); err == nil || !strings.Contains(err.Error(), "lock timeout") {
			t.Errorf("retiring the seed while a bet holds it: %v, want a lock timeout", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := retire(); err != nil {
			t.Errorf("retiring the seed once the bet committed: %v", err)
		}
	})
}
