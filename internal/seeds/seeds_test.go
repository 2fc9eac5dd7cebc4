package seeds_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

func TestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		eng := seeds.Engine{Rand: rand.Reader}
		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		ctx := context.Background()
		var owner string
		var draws []seeds.Draw
		err := db.Write(ctx, func(ctx context.Context, q store.Q) error {
			a, err := account.Create(ctx, q, now, account.New{})
			if err != nil {
				return err
			}
			owner = a.ID
			draws = draws[:0] // a write function may run more than once
			for range 3 {
				d, err := eng.Next(ctx, q, now, owner, "credits")
				if err != nil {
					return err
				}
				draws = append(draws, d)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range draws {
			if d.Nonce != uint64(i) || d.SeedID != draws[0].SeedID || d.Seed.Commitment() != d.Commitment {
				t.Fatalf("draw %d = %+v", i, d)
			}
		}
		// The active seed cannot be revealed.
		err = db.Write(ctx, func(ctx context.Context, q store.Q) error {
			_, err := seeds.Reveal(ctx, q, draws[0].SeedID)
			return err
		})
		if errs.KindOf(err) != errs.Locked {
			t.Fatalf("reveal active seed: %v, want Locked", err)
		}
		var rev seeds.Revealed
		var next seeds.Public
		err = db.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
			rev, next, err = eng.Rotate(ctx, q, now, owner, "credits")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		s, err := fairness.ParseSeed(rev.Seed)
		if err != nil || !fairness.VerifyCommitment(s, draws[0].Commitment) || rev.Nonces != 3 {
			t.Fatalf("revealed %+v does not match commitment %s", rev, draws[0].Commitment)
		}
		if next.ID == rev.ID || next.NextNonce != 0 || next.ClientSeed != rev.ClientSeed || next.Commitment == rev.Commitment {
			t.Fatalf("next seed %+v after %+v", next, rev)
		}
		// The retired seed is never drawn from again.
		err = db.Write(ctx, func(ctx context.Context, q store.Q) error {
			d, err := eng.Next(ctx, q, now, owner, "credits")
			if err == nil && (d.SeedID != next.ID || d.Nonce != 0) {
				t.Errorf("draw after rotation = %+v", d)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Client-chosen nonces must increase.
		use := func(n uint64) error {
			return db.Write(ctx, func(ctx context.Context, q store.Q) error {
				return seeds.UseClientNonce(ctx, q, next.ID, owner, "abc", n)
			})
		}
		if err := use(5); err != nil {
			t.Fatal(err)
		}
		for _, n := range []uint64{5, 4, 0} {
			if err := use(n); !errors.Is(err, errs.ErrConflict) {
				t.Fatalf("nonce %d reuse: %v", n, err)
			}
		}
		if err := use(6); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"", "a:b", string(make([]byte, 129))} {
			if err := seeds.ValidateClientSeed("client_seed", bad); errs.KindOf(err) != errs.Validation {
				t.Errorf("client seed %q accepted", bad)
			}
		}
	})
}
