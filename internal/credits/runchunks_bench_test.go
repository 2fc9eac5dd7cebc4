package credits_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// BenchmarkBetLatencyBesideRuns measures single dice bets (4 players in a closed loop, through
// Service.Play: the idempotency-free money path of POST /api/games/dice/round without HTTP)
// in three phases of one benchmark run on one store: alone; beside two players running
// 100,000-round strategy runs back to back, cut into chunks (ARCADE_RUN_CHUNK_ROUNDS, 1000 by
// default); and beside the same runs played in one write each (chunk = the whole run, as before
// chunking). It reports each phase's p50 and p99 and their ratios to the quiet phase.
//
//	go test ./internal/credits -run '^$' -bench BetLatencyBesideRuns -benchtime 1x
//
// BET_LATENCY_BETS (default 3000) sets the bets per phase; a phase stops after 20 s anyway.
func BenchmarkBetLatencyBesideRuns(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			db := openChecked(b, e)
			ctx := context.Background()
			bets := 3000
			if _, err := fmt.Sscan(getenvDefault("BET_LATENCY_BETS", "3000"), &bets); err != nil {
				b.Fatal(err)
			}
			const bettors, runners = 4, 2
			bettorIDs := make([]string, bettors)
			for i := range bettorIDs {
				bettorIDs[i] = player(b, db, 1_000_000)
			}
			runnerIDs := make([]string, runners)
			for i := range runnerIDs {
				runnerIDs[i] = player(b, db, 10_000_000)
			}
			svc := &credits.Service{DB: db, Seeds: seeds.Engine{Rand: rand.Reader}, Now: time.Now}
			bet := credits.DicePlay{Bet: credits.DiceBet{Amount: money.Micro, Target: 5000, Over: true}}
			run := credits.RunInput{Inline: strategy.Config{Amount: money.Micro, Target: 5000, Condition: strategy.Over,
				ProgressionType: strategy.Flat}, InlineJSON: []byte(`flat`), MaxRounds: credits.MaxRunRounds}

			// phase plays bets and returns their latencies, sorted, with how many run rounds
			// committed meanwhile.
			phase := func(chunk int) ([]time.Duration, int64) {
				svc.RunChunk = chunk
				stop := make(chan struct{})
				var rounds atomic.Int64
				var rwg sync.WaitGroup
				if chunk > 0 {
					for _, id := range runnerIDs {
						rwg.Add(1)
						go func() {
							defer rwg.Done()
							for {
								select {
								case <-stop:
									return
								default:
								}
								res, err := svc.Run(ctx, id, "", run)
								if err != nil {
									b.Error(err)
									return
								}
								rounds.Add(int64(len(res.Rounds)))
							}
						}()
					}
					time.Sleep(50 * time.Millisecond) // the runs under way
				}
				lat := make([]time.Duration, 0, bets)
				var mu sync.Mutex
				var next atomic.Int64
				var wg sync.WaitGroup
				deadline := time.Now().Add(20 * time.Second) // the whole-run phase is slow
				for _, id := range bettorIDs {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for next.Add(1) <= int64(bets) && time.Now().Before(deadline) {
							t0 := time.Now()
							if _, err := svc.Play(ctx, id, "", bet); err != nil {
								b.Error(err)
								return
							}
							d := time.Since(t0)
							mu.Lock()
							lat = append(lat, d)
							mu.Unlock()
						}
					}()
				}
				wg.Wait()
				close(stop)
				rwg.Wait()
				slices.Sort(lat)
				return lat, rounds.Load()
			}
			pct := func(l []time.Duration, p float64) float64 {
				return float64(l[min(len(l)-1, int(p*float64(len(l))))].Microseconds()) / 1000
			}
			b.ResetTimer()
			for range b.N {
				quiet, _ := phase(0)
				chunked, rc := phase(credits.DefaultRunChunk)
				whole, rw := phase(credits.MaxRunRounds)
				b.ReportMetric(pct(quiet, 0.5), "quiet-p50-ms")
				b.ReportMetric(pct(quiet, 0.99), "quiet-p99-ms")
				b.ReportMetric(pct(chunked, 0.5), "chunked-p50-ms")
				b.ReportMetric(pct(chunked, 0.99), "chunked-p99-ms")
				b.ReportMetric(pct(whole, 0.5), "whole-p50-ms")
				b.ReportMetric(pct(whole, 0.99), "whole-p99-ms")
				b.ReportMetric(pct(chunked, 0.99)/pct(quiet, 0.99), "chunked/quiet-p99")
				b.ReportMetric(pct(whole, 0.99)/pct(quiet, 0.99), "whole/quiet-p99")
				b.ReportMetric(float64(len(quiet)), "quiet-bets")
				b.ReportMetric(float64(len(chunked)), "chunked-bets")
				b.ReportMetric(float64(len(whole)), "whole-bets")
				b.ReportMetric(float64(rc), "chunked-run-rounds")
				b.ReportMetric(float64(rw), "whole-run-rounds")
			}
			b.StopTimer()
			ledgertest.Check(b, db)
		})
	}
}

func getenvDefault(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// openChecked opens a store as the server does: every write transaction runs the ledger's
// incremental check before it commits (without it the check's triggers leave their notes behind).
func openChecked(b *testing.B, e store.Engine) *store.DB {
	cfg := storetest.Config(b, e)
	cfg.BeforeCommit = (&ledger.BatchCheck{}).Check
	return storetest.OpenWith(b, cfg)
}
