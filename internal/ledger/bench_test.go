package ledger_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// BenchmarkTransfers measures durable transfers per second: each operation is one store.Write
// posting one transfer from a player to the house (the hot row every bet touches), acknowledged
// only after its commit is durable. It runs on both engines, with one transaction per write
// (direct) and with group commit, at 1, 8 and 64 concurrent writers, and checks the ledger
// invariant at the end of every run.
//
//	go test ./internal/ledger -run '^$' -bench Transfers -benchtime 3000x
func BenchmarkTransfers(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		for _, mode := range []string{"direct", "group"} {
			for _, writers := range []int{1, 8, 64} {
				b.Run(fmt.Sprintf("%s/%s/writers=%d", e, mode, writers), func(b *testing.B) {
					cfg := storetest.Config(b, e)
					cfg.Direct = mode == "direct"
					db := storetest.OpenWith(b, cfg)
					ids := newAccounts(b, db, writers, 1_000_000*money.Micro)
					house := ledger.SystemAccount(ledger.House, money.Credit)
					var wg sync.WaitGroup
					per := (b.N + writers - 1) / writers
					b.ResetTimer()
					start := time.Now()
					for w := 0; w < writers; w++ {
						wg.Add(1)
						go func(w int) {
							defer wg.Done()
							from := ledger.UserAccount(ids[w], money.Credit)
							for i := 0; i < per; i++ {
								err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
									return ledger.Post(ctx, q, t0, ledger.Transfer{Asset: money.Credit, From: from, To: house,
										Amount: money.Micro, Kind: "bench", Ref: "b"})
								})
								if err != nil {
									b.Error(err)
									return
								}
							}
						}(w)
					}
					wg.Wait()
					el := time.Since(start)
					b.StopTimer()
					b.ReportMetric(float64(per*writers)/el.Seconds(), "transfers/s")
					r := storetest.CheckLedger(b, db)
					if r.Transfers != int64(per*writers+writers) {
						b.Fatalf("%d transfers stored, want %d", r.Transfers, per*writers+writers)
					}
				})
			}
		}
	}
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)

// BenchmarkPgbenchTPCB runs pgbench's built-in TPC-B script on the same PostgreSQL server, in the
// same run, as the baseline the ledger's PostgreSQL figures are compared with. Each iteration is
// one pgbench second; the metric is pgbench's own tps.
func BenchmarkPgbenchTPCB(b *testing.B) {
	if os.Getenv(storetest.EnvPostgres) == "" {
		b.Skip("no PostgreSQL")
	}
	if _, err := exec.LookPath("pgbench"); err != nil {
		b.Skip("pgbench not installed")
	}
	for _, clients := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			cfg := storetest.Config(b, store.Postgres)
			u, _ := url.Parse(cfg.DatabaseURL)
			if out, err := exec.Command("pgbench", "-i", "-q", "-s", "1", u.String()).CombinedOutput(); err != nil {
				b.Fatalf("pgbench -i: %v\n%s", err, out)
			}
			secs := max(3, min(b.N, 10))
			b.ResetTimer()
			out, err := exec.Command("pgbench", "-c", strconv.Itoa(clients), "-j", "2", "-T", strconv.Itoa(secs), u.String()).CombinedOutput()
			b.StopTimer()
			if err != nil {
				b.Fatalf("pgbench: %v\n%s", err, out)
			}
			m := tpsLine.FindSubmatch(out)
			if m == nil {
				b.Fatalf("no tps in pgbench output:\n%s", out)
			}
			tps, _ := strconv.ParseFloat(string(m[1]), 64)
			b.ReportMetric(tps, "tps")
		})
	}
}
