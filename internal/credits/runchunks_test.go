package credits_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// detRand is a deterministic entropy stream (SHA-256 in counter mode): two stores fed the same
// stream create the same seeds.
type detRand struct {
	mu  sync.Mutex
	n   uint64
	buf []byte
}

func (r *detRand) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for len(r.buf) < len(p) {
		var c [8]byte
		binary.BigEndian.PutUint64(c[:], r.n)
		r.n++
		h := sha256.Sum256(append([]byte("arcade-test-seeds"), c[:]...))
		r.buf = append(r.buf, h[:]...)
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func chunkService(db *store.DB, chunk int) *credits.Service {
	return &credits.Service{DB: db, Seeds: seeds.Engine{Rand: &detRand{}}, Now: func() time.Time { return now }, RunChunk: chunk}
}

var errDied = errors.New("the process died")

// sameRun compares two runs' results apart from their ids.
func sameRun(t *testing.T, what string, got, want credits.RunResult) {
	t.Helper()
	if len(got.Rounds) != len(want.Rounds) {
		t.Fatalf("%s: %d rounds, want %d", what, len(got.Rounds), len(want.Rounds))
	}
	for i := range got.Rounds {
		g, w := got.Rounds[i], want.Rounds[i]
		g.RoundID, w.RoundID = "", ""
		if len(g.Executed) == 0 {
			g.Executed = nil
		}
		if len(w.Executed) == 0 {
			w.Executed = nil
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("%s: round %d: %+v, want %+v", what, i+1, g, w)
		}
	}
	if got.Stats != want.Stats || got.StopReason != want.StopReason || got.FinalBalance != want.FinalBalance ||
		got.Commitment != want.Commitment || got.ClientSeed != want.ClientSeed {
		t.Fatalf("%s: %+v %q %d, want %+v %q %d", what, got.Stats, got.StopReason, got.FinalBalance, want.Stats, want.StopReason, want.FinalBalance)
	}
}

// TestChunkedRunResumes: a run cut into chunks whose process "dies" after chunk 3 is finished
// by a resumer (a new process's ResumeRuns) and, in another store, by the client's retry with
// the same Idempotency-Key; both end exactly where an uninterrupted run with the same seeds ends:
// the same rounds, nonces, stats and balance, the ledger moving the rounds' sums once. Every
// round then reads back and recomputes from the revealed seed across the chunk boundaries, the
// seed's unused reserved nonces are given back, and the invariant holds.
func TestChunkedRunResumes(t *testing.T) {
	adv, err := strategy.DecodeAdvanced([]byte(`{"name":"r","baseConfig":{"amount":1,"target":40,"condition":"under"},
		"rules":[{"id":"a","trigger":{"type":"loss"},"action":{"type":"double_bet"}},
		{"id":"b","trigger":{"type":"win"},"action":{"type":"reset_bet"}},
		{"id":"c","trigger":{"type":"streak_loss","value":6},"action":{"type":"pause_n_rounds","value":3},"cooldownRounds":5}],
		"executionMode":"all_matching"}`), "")
	if err != nil {
		t.Fatal(err)
	}
	kinds := []struct {
		name string
		in   credits.RunInput
	}{
		{"martingale", credits.RunInput{Inline: strategy.Config{Amount: 2 * money.Micro, Target: 4500, Condition: strategy.Under,
			ProgressionType: strategy.Martingale}, InlineJSON: []byte(`m`), MaxRounds: 3000}},
		{"advanced", credits.RunInput{Advanced: true, Inline: adv, InlineJSON: []byte(`a`), MaxRounds: 3000}},
	}
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		for _, k := range kinds {
			t.Run(k.name, func(t *testing.T) {
				ctx := context.Background()
				// The uninterrupted run.
				dbA := storetest.Open(t, e)
				idA := player(t, dbA, 50_000)
				want, err := chunkService(dbA, 700).Run(ctx, idA, "", k.in)
				if err != nil {
					t.Fatal(err)
				}
				if len(want.Rounds) < 1500 {
					t.Fatalf("only %d rounds: the run must span several chunks", len(want.Rounds))
				}
				ledgertest.Check(t, dbA)

				for _, resume := range []string{"resumer", "retry"} {
					db := storetest.Open(t, e)
					id := player(t, db, 50_000)
					svc := chunkService(db, 700)
					credits.SetAfterChunk(svc, func(chunks int) error {
						if chunks == 3 {
							return errDied
						}
						return nil
					})
					if _, err := svc.Run(ctx, id, "key-1", k.in); !errors.Is(err, errDied) {
						t.Fatalf("%s: the run did not die: %v", resume, err)
					}
					// Dead after 3 chunks: the run's rows say so, the money of 3 chunks moved.
					var rounds, chunks int
					var status string
					_ = db.Read(ctx, func(ctx context.Context, q store.Q) error {
						return q.QueryRow(ctx, `SELECT rounds, chunks, status FROM strategy_runs WHERE account_id = ?`, id).Scan(&rounds, &chunks, &status)
					})
					if status != "running" || chunks != 3 || rounds < 3*500 || rounds > 3*700 {
						t.Fatalf("%s: after the death: %s, %d chunks, %d rounds", resume, status, chunks, rounds)
					}
					ledgertest.Check(t, db)
					// No seed rotation while it runs (the seed would be revealed mid-run).
					if _, err := svc.SetClientSeed(ctx, id, "mine"); errs.KindOf(err) != errs.Conflict {
						t.Fatalf("%s: rotation during a run: %v", resume, err)
					}
					var got credits.RunResult
					if resume == "resumer" {
						next := chunkService(db, 700) // the next process
						if n, err := next.ResumeRuns(ctx, 0); err != nil || n != 1 {
							t.Fatalf("resumed %d runs: %v", n, err)
						}
						// The client's retry now reads the finished run.
						if got, err = next.Run(ctx, id, "key-1", k.in); err != nil {
							t.Fatal(err)
						}
					} else {
						if got, err = chunkService(db, 700).Run(ctx, id, "key-1", k.in); err != nil {
							t.Fatal(err)
						}
					}
					sameRun(t, resume, got, want)
					checkRunStored(t, db, id, got)
					var bal, balA money.Amount
					_ = db.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
						bal, err = ledger.Balance(ctx, q, ledger.UserAccount(id, money.Credit))
						return err
					})
					_ = dbA.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
						balA, err = ledger.Balance(ctx, q, ledger.UserAccount(idA, money.Credit))
						return err
					})
					if bal != balA || bal != got.FinalBalance {
						t.Fatalf("%s: balance %d, uninterrupted %d, run says %d", resume, bal, balA, got.FinalBalance)
					}
					ledgertest.Check(t, db)
				}
			})
		}
	})
}

// checkRunStored reads every round of a finished run back through the listing and by id, and
// recomputes each from the revealed seed with consecutive nonces; the seed served exactly the
// run's rounds (the reserved nonces it did not use were given back).
func checkRunStored(t *testing.T, db *store.DB, id string, res credits.RunResult) {
	t.Helper()
	ctx := context.Background()
	var stored []credits.Round
	for offset := 0; ; offset += 200 {
		var page []credits.Round
		if err := db.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
			page, _, err = credits.Rounds(ctx, q, id, "", 200, offset)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, page...)
		if len(page) < 200 {
			break
		}
	}
	slices.Reverse(stored)
	if len(stored) != len(res.Rounds) {
		t.Fatalf("listed %d rounds of %d", len(stored), len(res.Rounds))
	}
	var rev seeds.Revealed
	if err := db.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
		if _, _, err = (seeds.Engine{Rand: &detRand{n: 1 << 40}}).Rotate(ctx, q, now, id, credits.SeedScope); err != nil {
			return err
		}
		rev, err = seeds.Reveal(ctx, q, res.SeedID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	seed, _ := fairness.ParseSeed(rev.Seed)
	g := fairness.NewGenerator(seed)
	first := stored[0].Nonce
	for i, r := range stored {
		p := res.Rounds[i]
		if r.ID != p.RoundID || r.Nonce != first+uint64(i) || r.Nonce != p.Nonce || r.Bet != p.Bet || r.Roll != p.Roll || r.Payout != p.Payout {
			t.Fatalf("round %d: stored %+v, played %+v", i+1, r, p)
		}
		roll, win, payout, err := credits.Resolve(r.Bet, g.First(rev.ClientSeed, r.Nonce))
		if err != nil || roll != r.Roll || win != r.Win || payout != r.Payout {
			t.Fatalf("round %d does not recompute", i+1)
		}
	}
	if rev.Nonces != first+uint64(len(stored)) {
		t.Fatalf("the seed served %d nonces for %d rounds from %d", rev.Nonces, len(stored), first)
	}
	_ = db.Read(ctx, func(ctx context.Context, q store.Q) error {
		for _, i := range []int{1, 700, 701, 1401, len(stored)} {
			if i > len(stored) {
				continue
			}
			r, err := credits.GetRound(ctx, q, id, credits.RunRoundID(res.RunID, i))
			if err != nil || r.ID != stored[i-1].ID || r.Roll != stored[i-1].Roll {
				t.Errorf("GetRound %d: %v %+v", i, err, r)
			}
		}
		return nil
	})
}

// TestChunkedRunTwoResumers: two processes resuming the same dead run at once finish it once:
// each chunk commits for one of them, the other reloads (the progress check in the UPDATE), and
// the result and ledger equal the uninterrupted run's.
func TestChunkedRunTwoResumers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		in := credits.RunInput{Inline: strategy.Config{Amount: money.Micro, Target: 5000, Condition: strategy.Over,
			ProgressionType: strategy.DAlembert}, MaxRounds: 4000}
		dbA := storetest.Open(t, e)
		idA := player(t, dbA, 20_000)
		want, err := chunkService(dbA, 300).Run(ctx, idA, "", in)
		if err != nil {
			t.Fatal(err)
		}
		db := storetest.Open(t, e)
		id := player(t, db, 20_000)
		svc := chunkService(db, 300)
		credits.SetAfterChunk(svc, func(chunks int) error {
			if chunks == 2 {
				return errDied
			}
			return nil
		})
		if _, err := svc.Run(ctx, id, "k", in); !errors.Is(err, errDied) {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := chunkService(db, 300).ResumeRuns(ctx, 0); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, err := chunkService(db, 300).Run(ctx, id, "k", in)
		if err != nil {
			t.Fatal(err)
		}
		sameRun(t, "two resumers", got, want)
		var n int
		_ = db.Read(ctx, func(ctx context.Context, q store.Q) error {
			var w, r int64
			_ = q.QueryRow(ctx, `SELECT COUNT(*) FROM strategy_runs WHERE status = 'running'`).Scan(&n)
			_ = q.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN kind = 'strategy_stakes' THEN amount END),0),
				COALESCE(SUM(CASE WHEN kind = 'strategy_payouts' THEN amount END),0) FROM ledger_transfers WHERE ref = ?`, got.RunID).Scan(&w, &r)
			var sw, sr money.Amount
			for _, x := range got.Rounds {
				sw += x.Bet.Amount
				sr += x.Payout
			}
			if money.Amount(w) != sw || money.Amount(r) != sr {
				t.Errorf("ledger moved %d/%d for rounds of %d/%d", w, r, sw, sr)
			}
			return nil
		})
		if n != 0 {
			t.Errorf("%d runs still running", n)
		}
		ledgertest.Check(t, db)
	})
}

// TestChunkedRunBoundAndBetsBetween: no write of a run plays more than a chunk's rounds, and
// single bets placed between its chunks neither break the run's one nonce sequence nor reuse a
// nonce: they draw after the nonces the run reserved.
func TestChunkedRunBoundAndBetsBetween(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e)
		id := player(t, db, 100_000)
		svc := chunkService(db, 250)
		var bets []credits.Round
		credits.SetAfterChunk(svc, func(chunks int) error {
			r, err := svc.Play(ctx, id, "", credits.DicePlay{Bet: credits.DiceBet{Amount: money.Micro, Target: 5000, Over: true}})
			bets = append(bets, r)
			return err
		})
		res, err := svc.Run(ctx, id, "", credits.RunInput{Inline: flat, InlineJSON: []byte(`f`), MaxRounds: 2000})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rounds) != 2000 || len(bets) < 7 {
			t.Fatalf("%d rounds, %d bets between chunks", len(res.Rounds), len(bets))
		}
		var chunks, most int
		_ = db.Read(ctx, func(ctx context.Context, q store.Q) error {
			_ = q.QueryRow(ctx, `SELECT chunks FROM strategy_runs WHERE id = ?`, res.RunID).Scan(&chunks)
			_ = q.QueryRow(ctx, `SELECT COALESCE(MAX(rounds), 0) FROM strategy_run_chunks WHERE run_id = ?`, res.RunID).Scan(&most)
			return nil
		})
		if chunks != 8 || most > 250 || len(res.Rounds)-most*(chunks-1) > 250 {
			t.Fatalf("%d chunks, the largest after the first %d rounds (chunk 250, 2000 rounds)", chunks, most)
		}
		start := res.Rounds[0].Nonce
		for i, r := range res.Rounds {
			if r.Nonce != start+uint64(i) {
				t.Fatalf("round %d has nonce %d", i+1, r.Nonce)
			}
		}
		for _, b := range bets {
			if b.SeedID == res.SeedID && b.Nonce < start+2000 {
				t.Fatalf("a bet between chunks drew nonce %d inside the run's %d..%d", b.Nonce, start, start+1999)
			}
		}
		ledgertest.Check(t, db)
	})
}
