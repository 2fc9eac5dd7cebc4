package credits_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/account"
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

var now = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func player(t testing.TB, db *store.DB, credits int64) string {
	t.Helper()
	var id string
	err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
		a, err := account.Create(ctx, q, now, account.New{})
		if err != nil {
			return err
		}
		id = a.ID
		return ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.Credit, From: ledger.SystemAccount(ledger.External, money.Credit),
			To: ledger.UserAccount(id, money.Credit), Amount: money.Amount(credits) * money.Micro, Kind: "test_deposit", Ref: "d-" + id})
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var flat = strategy.Config{Amount: money.Micro, Target: 5000, Condition: strategy.Over, ProgressionType: strategy.Flat}

// TestRunIsVerifiableRoundByRound: a real run stores every round; each, read back through the
// public reads (the listing and GetRound by id), recomputes from the revealed seed with
// consecutive nonces; the ledger's run transfers equal the stored rounds' sums, and the
// invariant holds.
func TestRunIsVerifiableRoundByRound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		id := player(t, db, 100_000) // enough that the run rarely stops early: several pages of rounds
		sd := seeds.Engine{Rand: rand.Reader}
		var res credits.RunResult
		err := db.Write(context.Background(), func(ctx context.Context, q store.Q) (err error) {
			res, err = credits.RunStrategy(ctx, q, now, sd, id, "", strategy.Config{Amount: 3 * money.Micro, Target: 4000,
				Condition: strategy.Under, ProgressionType: strategy.Martingale}, 2000)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rounds) < 2 {
			t.Fatalf("only %d rounds", len(res.Rounds))
		}
		var rev seeds.Revealed
		err = db.Write(context.Background(), func(ctx context.Context, q store.Q) (err error) {
			if _, _, err = sd.Rotate(ctx, q, now, id, credits.SeedScope); err != nil {
				return err
			}
			rev, err = seeds.Reveal(ctx, q, res.SeedID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		seed, _ := fairness.ParseSeed(rev.Seed)
		g := fairness.NewGenerator(seed)
		// Read every round back, newest first, a page at a time.
		var stored []credits.Round
		var total int
		for offset := 0; ; offset += 200 {
			var page []credits.Round
			err := db.Read(context.Background(), func(ctx context.Context, q store.Q) (err error) {
				page, total, err = credits.Rounds(ctx, q, id, "", 200, offset)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			stored = append(stored, page...)
			if len(page) < 200 {
				break
			}
		}
		if len(stored) != len(res.Rounds) || total != len(res.Rounds) {
			t.Fatalf("listed %d rounds (total %d) for %d played", len(stored), total, len(res.Rounds))
		}
		slices.Reverse(stored) // play order
		var wagered, returned money.Amount
		wins := 0
		first := stored[0].Nonce
		for i, r := range stored {
			played := res.Rounds[i]
			if r.ID != credits.RunRoundID(res.RunID, i+1) || r.ID != played.RoundID || r.RunID != res.RunID || r.SeedID != res.SeedID ||
				r.ClientSeed != rev.ClientSeed || r.Commitment != rev.Commitment || r.Nonce != first+uint64(i) || r.Nonce != played.Nonce ||
				!r.CreatedAt.Equal(now) || r.Game != credits.GameDice || r.AccountID != id {
				t.Fatalf("round %d: %+v (played %+v)", i+1, r, played)
			}
			roll, win, payout, err := credits.Resolve(r.Bet, g.First(rev.ClientSeed, r.Nonce))
			if err != nil || roll != r.Roll || win != r.Win || payout != r.Payout || r.Bet != played.Bet {
				t.Fatalf("round %d does not recompute: %+v vs roll %d win %v payout %d", i+1, r, roll, win, payout)
			}
			wagered += r.Bet.Amount
			returned += r.Payout
			if win {
				wins++
			}
		}
		// A few rounds by id, as GET /api/me/rounds/{id} reads them; another account sees none.
		other := player(t, db, 1)
		_ = db.Read(context.Background(), func(ctx context.Context, q store.Q) error {
			for _, i := range []int{1, 2, len(stored) / 2, len(stored)} {
				r, err := credits.GetRound(ctx, q, id, credits.RunRoundID(res.RunID, i))
				if err != nil || r != stored[i-1] {
					t.Errorf("GetRound %d: %v %+v vs %+v", i, err, r, stored[i-1])
				}
				if _, err := credits.GetRound(ctx, q, other, r.ID); errs.KindOf(err) != errs.NotFound {
					t.Errorf("another account reads round %d: %v", i, err)
				}
			}
			for _, bad := range []string{credits.RunRoundID(res.RunID, len(stored)+1), res.RunID + ".0", res.RunID, "nope.1"} {
				if _, err := credits.GetRound(ctx, q, id, bad); errs.KindOf(err) != errs.NotFound {
					t.Errorf("GetRound %q: %v", bad, err)
				}
			}
			tot, err := credits.RoundTotals(ctx, q, id, "")
			if err != nil || tot.Rounds != len(stored) || tot.Wins != wins || tot.Wagered != wagered || tot.Returned != returned {
				t.Errorf("totals %+v (%v) vs %d/%d/%d/%d", tot, err, len(stored), wins, wagered, returned)
			}
			var tw, tp int64
			_ = q.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN kind = 'strategy_stakes' THEN amount END),0),
				COALESCE(SUM(CASE WHEN kind = 'strategy_payouts' THEN amount END),0) FROM ledger_transfers WHERE ref = ?`, res.RunID).Scan(&tw, &tp)
			if money.Amount(tw) != wagered || money.Amount(tp) != returned {
				t.Errorf("ledger %d/%d vs rounds %d/%d", tw, tp, wagered, returned)
			}
			// No row per round: the run is one row.
			var n int
			_ = q.QueryRow(ctx, `SELECT COUNT(*) FROM credit_rounds WHERE account_id = ?`, id).Scan(&n)
			if n != 0 {
				t.Errorf("%d credit_rounds rows for a run", n)
			}
			return nil
		})
		ledgertest.Check(t, db)
	})
}

// TestListingsMergeSingleRoundsAndRuns: single rounds and runs' rounds list as one sequence,
// newest first (a run's rounds at its time, last played first), and every window of it — across
// the boundaries between singles and runs — is the same slice of the whole, in Rounds and in
// Transactions; totals count both.
func TestListingsMergeSingleRoundsAndRuns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		id := player(t, db, 1000)
		sd := seeds.Engine{Rand: rand.Reader}
		at := func(minutes int) time.Time { return now.Add(time.Duration(minutes) * time.Minute) }
		type played struct {
			id      string
			created time.Time
		}
		var all []played // in the order the listing must show them
		single := func(tm time.Time) {
			t.Helper()
			// A write function may run more than once: it only sets r, and the listing grows after.
			var r credits.Round
			err := db.Write(context.Background(), func(ctx context.Context, q store.Q) (err error) {
				r, err = credits.PlayDice(ctx, q, tm, sd, id, credits.DiceBet{Amount: money.Micro, Target: 5000, Over: true})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			all = append([]played{{r.ID, tm}}, all...)
		}
		run := func(tm time.Time, rounds int64) {
			t.Helper()
			var res credits.RunResult
			err := db.Write(context.Background(), func(ctx context.Context, q store.Q) (err error) {
				res, err = credits.RunStrategy(ctx, q, tm, sd, id, "", flat, rounds)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Rounds {
				all = append([]played{{r.RoundID, tm}}, all...)
			}
		}
		single(at(0))
		single(at(1))
		run(at(2), 3)
		run(at(3), 1)
		single(at(4))
		run(at(5), 4)
		run(at(6), 2)
		single(at(7))
		single(at(8))
		if err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
			_, err := credits.ClaimFaucet(ctx, q, at(5).Add(time.Second), id) // between two runs
			return err
		}); err != nil {
			t.Fatal(err)
		}
		n := len(all)
		var singles, wins int
		var wagered, returned money.Amount
		_ = db.Read(context.Background(), func(ctx context.Context, q store.Q) error {
			full, total, err := credits.Rounds(ctx, q, id, "", 200, 0)
			if err != nil || total != n || len(full) != n {
				t.Fatalf("full listing: %d of %d (%v)", len(full), total, err)
			}
			for i, r := range full {
				if r.ID != all[i].id || !r.CreatedAt.Equal(all[i].created) {
					t.Fatalf("position %d: %s at %v, want %s at %v", i, r.ID, r.CreatedAt, all[i].id, all[i].created)
				}
				if r.RunID == "" {
					singles++
				}
				if r.Win {
					wins++
				}
				wagered += r.Bet.Amount
				returned += r.Payout
			}
			tot, err := credits.RoundTotals(ctx, q, id, "dice")
			if err != nil || tot.Rounds != n || tot.Wins != wins || tot.Wagered != wagered || tot.Returned != returned {
				t.Errorf("totals %+v (%v)", tot, err)
			}
			if rs, total, err := credits.Rounds(ctx, q, id, "poker", 10, 0); err != nil || len(rs) != 0 || total != 0 {
				t.Errorf("another game: %d rounds, total %d (%v)", len(rs), total, err)
			}
			for offset := 0; offset <= n+1; offset++ {
				for limit := 1; limit <= n+1; limit++ {
					want := all[min(offset, n):min(offset+limit, n)]
					rs, total, err := credits.Rounds(ctx, q, id, "", limit, offset)
					if err != nil || total != n {
						t.Fatalf("offset %d limit %d: %v (total %d)", offset, limit, err, total)
					}
					es, err := credits.Transactions(ctx, q, id, "bet", limit, offset)
					if err != nil {
						t.Fatal(err)
					}
					if len(rs) != len(want) || len(es) != len(want) {
						t.Fatalf("offset %d limit %d: %d rounds, %d entries, want %d", offset, limit, len(rs), len(es), len(want))
					}
					for i := range want {
						if rs[i].ID != want[i].id || es[i].ID != want[i].id || es[i].Type != "bet" || es[i].Amount != rs[i].Bet.Amount ||
							es[i].Payout != rs[i].Payout || es[i].Win != rs[i].Win || !es[i].CreatedAt.Equal(want[i].created) {
							t.Fatalf("offset %d limit %d, item %d: round %s, entry %+v, want %s", offset, limit, i, rs[i].ID, es[i], want[i].id)
						}
					}
				}
			}
			// type=all puts the faucet claim between the two runs it was claimed between.
			es, err := credits.Transactions(ctx, q, id, "all", 200, 0)
			if err != nil || len(es) != n+1 {
				t.Fatalf("all: %d entries (%v)", len(es), err)
			}
			k := slices.IndexFunc(es, func(e credits.Entry) bool { return e.Type == "faucet" })
			if k < 1 || !es[k-1].CreatedAt.Equal(at(6)) || !es[k+1].CreatedAt.Equal(at(5)) {
				t.Errorf("faucet claim at %d: %+v", k, es)
			}
			for _, off := range []int{k - 1, k, k + 1} {
				if page, err := credits.Transactions(ctx, q, id, "all", 2, off); err != nil || len(page) != 2 || page[0].ID != es[off].ID || page[1].ID != es[off+1].ID {
					t.Errorf("all, offset %d: %+v (%v)", off, page, err)
				}
			}
			if fs, err := credits.Transactions(ctx, q, id, "faucet", 10, 0); err != nil || len(fs) != 1 || fs[0].Type != "faucet" {
				t.Errorf("faucet: %+v (%v)", fs, err)
			}
			return nil
		})
		if singles != 5 {
			t.Errorf("%d single rounds", singles)
		}
	})
}

// BenchmarkRun10kVsSimulator: a 10,000-round real run (durable, one transaction, every round
// stored) against the simulator playing the same 10,000 rounds, in the same benchmark run.
// ns/op is the whole durable write (commit and fsync included); call-ns/op is the RunStrategy
// call alone.
//
//	go test ./internal/credits -run '^$' -bench Run10k -benchtime 20x
func BenchmarkRun10kVsSimulator(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e)+"/run", func(b *testing.B) {
			db := openChecked(b, e)
			id := player(b, db, 1_000_000)
			sd := seeds.Engine{Rand: rand.Reader}
			var call time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
					start := time.Now()
					res, err := credits.RunStrategy(ctx, q, now, sd, id, "", flat, 10_000)
					call += time.Since(start)
					if err == nil && len(res.Rounds) != 10_000 {
						b.Fatalf("%d rounds", len(res.Rounds))
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(call.Nanoseconds())/float64(b.N), "call-ns/op")
			ledgertest.Check(b, db)
		})
	}
	b.Run("simulator", func(b *testing.B) {
		master := sha256.Sum256([]byte("bench"))
		for i := 0; i < b.N; i++ {
			if _, err := strategy.Simulate(context.Background(), strategy.SimSpec{Strategy: flat, Rounds: 10_000, Sessions: 1,
				StartingBalance: 1_000_000 * money.Micro, Seed: master[:], Workers: 1}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
