package ledger_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// BenchmarkTransfers measures durable transfers per second: each operation is one store.Write
// posting one transfer from a player to the house (the hot row every bet touches), acknowledged
// only after its commit is durable. It runs on both engines, with one transaction per write
// (direct) and with group commit, at 1, 8 and 64 concurrent writers, and checks the ledger
// invariant at the end of every run. Both modes check every transaction incrementally, as the
// server does (BatchCheck); group-nocheck is group commit without it (its triggers dropped), to
// show its cost.
//
//	go test ./internal/ledger -run '^$' -bench Transfers -benchtime 3000x
func BenchmarkTransfers(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		for _, mode := range []string{"direct", "group", "group-nocheck"} {
			for _, writers := range []int{1, 8, 64} {
				b.Run(fmt.Sprintf("%s/%s/writers=%d", e, mode, writers), func(b *testing.B) {
					cfg := storetest.Config(b, e)
					cfg.Direct = mode == "direct"
					check := &ledger.BatchCheck{}
					if mode != "group-nocheck" {
						cfg.BeforeCommit = check.Check
					}
					db := storetest.OpenWith(b, cfg)
					if mode == "group-nocheck" {
						dropBatchCheck(b, db)
					}
					ids := newAccounts(b, db, writers, 1_000_000*money.Micro)
					house := ledger.SystemAccount(ledger.House, money.Credit)
					var wg sync.WaitGroup
					per := (b.N + writers - 1) / writers
					b.ResetTimer()
					cpu0 := cpuTime()
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
					b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(per*writers), "cpu-us/transfer")
					if st := check.Status(); st.Violations != 0 {
						b.Fatalf("incremental check: %+v", st)
					}
					r := ledgertest.Check(b, db)
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

// BenchmarkAudit measures the full invariant check (what `arcade audit` and the scheduled audit
// behind /health run) against the size of the ledger: 10^4 to 10^6 transfers among 1,000
// accounts (10^7 with ARCADE_BENCH_AUDIT_MAX=7; building it takes minutes).
//
//	go test ./internal/ledger -run '^$' -bench Audit -benchtime 3x
func BenchmarkAudit(b *testing.B) {
	top := 6
	if v, _ := strconv.Atoi(os.Getenv("ARCADE_BENCH_AUDIT_MAX")); v > 0 {
		top = v
	}
	for _, e := range storetest.Engines(b) {
		for exp := 4; exp <= top; exp++ {
			n := 1
			for range exp {
				n *= 10
			}
			b.Run(fmt.Sprintf("%s/transfers=1e%d", e, exp), func(b *testing.B) {
				db := storetest.Open(b, e)
				newAccounts(b, db, 1000, 0)
				fill(b, db, n)
				b.ResetTimer()
				for range b.N {
					r, err := ledger.Audit(context.Background(), db)
					if err != nil || !r.OK || r.Transfers != int64(n) {
						b.Fatalf("audit: %v, %d transfers, %v", err, r.Transfers, r.Err())
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n)*1000, "ns/transfer")
			})
		}
	}
}

// fill inserts n transfers of 1 micro from the faucet to the users, round robin, and sets the
// balances they imply, in bulk SQL (the ledger's invariant holds after it).
func fill(b *testing.B, db *store.DB, n int) {
	series := `WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?) SELECT i FROM c`
	if db.Engine() == store.Postgres {
		series = `SELECT generate_series(0, ?::int) AS i`
	}
	for _, q := range []string{
		`INSERT INTO ledger_transfers (asset, from_account, to_account, amount, kind, ref, created_at)
			SELECT 'CREDIT', 'faucet:CREDIT', a.id, 1, 'bench', 'r' || s.i, 0
			FROM (` + series + `) s
			JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS k FROM ledger_accounts WHERE kind = 'user' AND asset = 'CREDIT') a
			ON a.k = s.i % 1000`,
	} {
		if _, err := db.SQL().Exec(rebindQ(db, q), n-1); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.SQL().Exec(`UPDATE ledger_accounts SET balance = t.s
		FROM (SELECT to_account, SUM(amount) AS s FROM ledger_transfers GROUP BY to_account) t WHERE ledger_accounts.id = t.to_account`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.SQL().Exec(rebindQ(db, `UPDATE ledger_accounts SET balance = balance - ? WHERE id = 'faucet:CREDIT'`), n); err != nil {
		b.Fatal(err)
	}
	// The bulk statements ran outside any write: drop the notes their triggers took for the
	// incremental check (they balance, but would make the next write check n rows).
	if _, err := db.SQL().Exec(`DELETE FROM ledger_batch_changes`); err != nil {
		b.Fatal(err)
	}
}

func rebindQ(db *store.DB, q string) string {
	if db.Engine() == store.Postgres {
		return regexp.MustCompile(`\?`).ReplaceAllString(q, "$$1")
	}
	return q
}

// dropBatchCheck removes the incremental check's triggers (migration 0021).
func dropBatchCheck(b *testing.B, db *store.DB) {
	for _, t := range []string{"ledger_balance_changed ON ledger_accounts", "ledger_account_opened ON ledger_accounts",
		"ledger_transfer_added ON ledger_transfers"} {
		stmt := "DROP TRIGGER " + t
		if db.Engine() == store.SQLite {
			stmt = "DROP TRIGGER " + t[:strings.Index(t, " ")]
		}
		if _, err := db.SQL().Exec(stmt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBatchCheck measures the incremental check against the ledger's size: one write of 64
// transfers (64 players to the house, as a batch of bets is), with the check and without it (its
// triggers dropped), on ledgers of 10^4 to 10^6 transfers (ARCADE_BENCH_AUDIT_MAX as
// BenchmarkAudit). Timed inside the transaction, from the write function's start to just before
// COMMIT, so the commit's fsync does not drown it: with-us/batch is the Post (its statements
// fire the triggers), the flush and the check, without-us/batch the same without triggers or
// check, check-us/batch the difference. The full audit
// of the same ledgers is BenchmarkAudit.
//
//	go test ./internal/ledger -run '^$' -bench BatchCheck -benchtime 300x
func BenchmarkBatchCheck(b *testing.B) {
	top := 6
	if v, _ := strconv.Atoi(os.Getenv("ARCADE_BENCH_AUDIT_MAX")); v > 0 {
		top = v
	}
	for _, e := range storetest.Engines(b) {
		for exp := 4; exp <= top; exp++ {
			n := 1
			for range exp {
				n *= 10
			}
			b.Run(fmt.Sprintf("%s/transfers=1e%d", e, exp), func(b *testing.B) {
				var spent [2]time.Duration
				for k, mode := range []string{"check", "nocheck"} {
					// From the write function's start to the end of the check (or of the flush
					// without it): the transfers' statements, their triggers and the check.
					var fnStart time.Time
					var inTx time.Duration
					cfg := storetest.Config(b, e)
					cfg.Direct = true
					check := &ledger.BatchCheck{}
					cfg.BeforeCommit = func(ctx context.Context, q store.Q) error {
						var err error
						if mode == "check" {
							err = check.Check(ctx, q)
						}
						if !fnStart.IsZero() {
							inTx += time.Since(fnStart)
						}
						return err
					}
					db := storetest.OpenWith(b, cfg)
					ids := newAccounts(b, db, 1000, 1_000_000*money.Micro)
					fill(b, db, n)
					if mode == "nocheck" {
						dropBatchCheck(b, db)
					}
					house := ledger.SystemAccount(ledger.House, money.Credit)
					ts := make([]ledger.Transfer, 64)
					for i := range ts {
						ts[i] = ledger.Transfer{Asset: money.Credit, From: ledger.UserAccount(ids[i], money.Credit), To: house, Amount: 1, Kind: "bench", Ref: "b"}
					}
					inTx = 0
					b.ResetTimer()
					for range b.N {
						if err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
							fnStart = time.Now()
							return ledger.Post(ctx, q, t0, ts...)
						}); err != nil {
							b.Fatal(err)
						}
					}
					b.StopTimer()
					fnStart = time.Time{}
					spent[k] = inTx
					if st := check.Status(); st.Violations != 0 || (mode == "check" && st.Batches < int64(b.N)) {
						b.Fatalf("incremental check: %+v", st)
					}
				}
				per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(b.N) }
				b.ReportMetric(per(spent[0]), "with-us/batch")
				b.ReportMetric(per(spent[1]), "without-us/batch")
				b.ReportMetric(per(spent[0]-spent[1]), "check-us/batch")
			})
		}
	}
}

// cpuTime is the process's CPU time so far (user and system): on a shared machine, CPU spent
// per transfer varies less between runs than wall-clock throughput does.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCheckCost measures what the incremental check adds to the single writer's work, in
// pairs: each iteration runs one write of 64 separate Posts (64 players to the house, as a
// group-commit batch of bets does) on a store with the check and on one without it (its triggers
// dropped), alternately, timed from the write function's start to just before COMMIT (so the
// fsync does not drown it). check-% is the with-check time over the without-check time, minus
// one; check-cpu-% the same for the process's CPU time in that window (only the writer runs
// then), which other work on a shared machine disturbs far less than elapsed time.
//
//	go test ./internal/ledger -run '^$' -bench CheckCost -benchtime 300x
func BenchmarkCheckCost(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			type side struct {
				db         *store.DB
				ts         []ledger.Transfer
				check      *ledger.BatchCheck
				fnStart    time.Time
				fnCPU      time.Duration
				spent, cpu time.Duration
			}
			var sides [2]*side
			for k := range sides {
				s := &side{check: &ledger.BatchCheck{}}
				cfg := storetest.Config(b, e)
				cfg.Direct = true
				cfg.BeforeCommit = func(ctx context.Context, q store.Q) error {
					var err error
					if k == 0 {
						err = s.check.Check(ctx, q)
					}
					if !s.fnStart.IsZero() {
						s.spent += time.Since(s.fnStart)
						s.cpu += cpuTime() - s.fnCPU
					}
					return err
				}
				s.db = storetest.OpenWith(b, cfg)
				if k == 1 {
					dropBatchCheck(b, s.db)
				}
				ids := newAccounts(b, s.db, 64, 1_000_000*money.Micro)
				for i := range ids {
					s.ts = append(s.ts, ledger.Transfer{Asset: money.Credit, From: ledger.UserAccount(ids[i], money.Credit),
						To: ledger.SystemAccount(ledger.House, money.Credit), Amount: 1, Kind: "bench", Ref: "b"})
				}
				sides[k] = s
			}
			b.ResetTimer()
			for i := range b.N {
				for j := range 2 {
					s := sides[(i+j)%2]
					if err := s.db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
						s.fnStart, s.fnCPU = time.Now(), cpuTime()
						for _, t := range s.ts {
							if err := ledger.Post(ctx, q, t0, t); err != nil {
								return err
							}
						}
						return nil
					}); err != nil {
						b.Fatal(err)
					}
					s.fnStart = time.Time{}
				}
			}
			b.StopTimer()
			if st := sides[0].check.Status(); st.Violations != 0 || st.Batches < int64(b.N) {
				b.Fatalf("incremental check: %+v", st)
			}
			per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 / float64(b.N*64) }
			b.ReportMetric(per(sides[0].spent), "with-us/transfer")
			b.ReportMetric(per(sides[1].spent), "without-us/transfer")
			b.ReportMetric(100*(float64(sides[0].spent)/float64(sides[1].spent)-1), "check-%")
			b.ReportMetric(per(sides[0].cpu), "with-cpu-us/transfer")
			b.ReportMetric(per(sides[1].cpu), "without-cpu-us/transfer")
			b.ReportMetric(100*(float64(sides[0].cpu)/float64(sides[1].cpu)-1), "check-cpu-%")
		})
	}
}
