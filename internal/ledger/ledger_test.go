package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newAccounts(t testing.TB, db *store.DB, n int, fund money.Amount) []string {
	t.Helper()
	ids := make([]string, n)
	err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
		for i := range ids {
			a, err := account.Create(ctx, q, t0, account.New{Kind: account.Guest})
			if err != nil {
				return err
			}
			ids[i] = a.ID
			if fund > 0 {
				if err := ledger.Post(ctx, q, t0, ledger.Transfer{Asset: money.Credit, From: ledger.SystemAccount(ledger.Faucet, money.Credit),
					To: ledger.UserAccount(a.ID, money.Credit), Amount: fund, Kind: "faucet", Ref: "fund-" + a.ID}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestPostRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		ids := newAccounts(t, db, 2, 10*money.Micro)
		a, b := ledger.UserAccount(ids[0], money.Credit), ledger.UserAccount(ids[1], money.Credit)
		post := func(ts ...ledger.Transfer) error {
			return db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
				return ledger.Post(ctx, q, t0, ts...)
			})
		}
		bad := []ledger.Transfer{
			{Asset: money.Credit, From: a, To: b, Amount: 0, Kind: "x", Ref: "r"},
			{Asset: money.Credit, From: a, To: b, Amount: -1, Kind: "x", Ref: "r"},
			{Asset: money.Credit, From: a, To: a, Amount: 1, Kind: "x", Ref: "r"},
			{Asset: money.USDC, From: a, To: b, Amount: 1, Kind: "x", Ref: "r"},
			{Asset: money.Credit, From: a, To: ledger.UserAccount(ids[1], money.USDC), Amount: 1, Kind: "x", Ref: "r"},
			{Asset: money.Credit, From: a, To: "user:CREDIT:nobody", Amount: 1, Kind: "x", Ref: "r"},
			{Asset: "EUR", From: a, To: b, Amount: 1, Kind: "x", Ref: "r"},
		}
		for i, tr := range bad {
			if err := post(tr); err == nil {
				t.Errorf("bad transfer %d accepted: %+v", i, tr)
			}
		}
		// Overdraw: the database refuses, and the first leg of a two-leg post is undone too.
		err := post(ledger.Transfer{Asset: money.Credit, From: a, To: b, Amount: 4 * money.Micro, Kind: "x", Ref: "ok-leg"},
			ledger.Transfer{Asset: money.Credit, From: a, To: b, Amount: 7 * money.Micro, Kind: "x", Ref: "overdraw"})
		if !errors.Is(err, errs.ErrInsufficientBalance) {
			t.Fatalf("overdraw: got %v, want insufficient balance", err)
		}
		if err := post(ledger.Transfer{Asset: money.Credit, From: a, To: b, Amount: 10 * money.Micro, Kind: "x", Ref: "all"}); err != nil {
			t.Fatalf("spend exactly the balance: %v", err)
		}
		var ha, hb ledger.Holdings
		_ = db.Read(context.Background(), func(ctx context.Context, q store.Q) (err error) {
			if ha, err = ledger.HoldingsOf(ctx, q, ids[0], money.Credit); err != nil {
				return err
			}
			hb, err = ledger.HoldingsOf(ctx, q, ids[1], money.Credit)
			return err
		})
		if ha.Available != 0 || hb.Available != 20*money.Micro || hb.Total() != 20*money.Micro {
			t.Fatalf("balances a=%+v b=%+v", ha, hb)
		}
		r := ledgertest.Check(t, db)
		if r.Transfers != 3 || r.ByKind[money.Credit][ledger.Faucet] != -20*money.Micro {
			t.Fatalf("report %+v", r)
		}
	})
}

// TestConcurrentTransfers fires many concurrent transfers, a good share of which must fail for
// insufficient balance, on both engines and in both commit modes; then every acknowledged
// transfer must be present exactly once, every refused one absent, balances must equal a model
// rebuilt from the acknowledged ones, and the invariant must hold.
func TestConcurrentTransfers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		for _, direct := range []bool{false, true} {
			t.Run(fmt.Sprintf("direct=%v", direct), func(t *testing.T) {
				cfg := storetest.Config(t, e)
				cfg.Direct = direct
				db := storetest.OpenWith(t, cfg)
				concurrentTransfers(t, db, 16, 40)
			})
		}
	})
}

func concurrentTransfers(t *testing.T, db *store.DB, workers, perWorker int) {
	const nAcc = 8
	fund := 50 * money.Micro
	ids := newAccounts(t, db, nAcc, fund)
	type result struct {
		from, to int
		amount   money.Amount
		ref      string
		err      error
	}
	results := make(chan result, workers*perWorker)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for i := 0; i < perWorker; i++ {
				from, to := rng.IntN(nAcc), rng.IntN(nAcc-1)
				if to >= from {
					to++
				}
				amt := money.Amount(1+rng.IntN(30)) * money.Micro
				ref := fmt.Sprintf("w%d-%d", w, i)
				err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
					return ledger.Post(ctx, q, t0, ledger.Transfer{Asset: money.Credit, From: ledger.UserAccount(ids[from], money.Credit),
						To: ledger.UserAccount(ids[to], money.Credit), Amount: amt, Kind: "test", Ref: ref})
				})
				results <- result{from, to, amt, ref, err}
			}
		}(w)
	}
	wg.Wait()
	close(results)
	model := make([]money.Amount, nAcc)
	for i := range model {
		model[i] = fund
	}
	acked, refused := map[string]bool{}, 0
	for r := range results {
		switch {
		case r.err == nil:
			acked[r.ref] = true
			model[r.from] -= r.amount
			model[r.to] += r.amount
		case errors.Is(r.err, errs.ErrInsufficientBalance):
			acked[r.ref] = false
			refused++
		default:
			t.Fatalf("transfer %s: unexpected error %v", r.ref, r.err)
		}
	}
	if refused == 0 || refused == len(acked) {
		t.Fatalf("want a mix of refused and accepted transfers, got %d refused of %d", refused, len(acked))
	}
	err := db.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, `SELECT ref, COUNT(*) FROM ledger_transfers WHERE kind = 'test' GROUP BY ref`)
		if err != nil {
			return err
		}
		defer rows.Close()
		seen := 0
		for rows.Next() {
			var ref string
			var n int
			if err := rows.Scan(&ref, &n); err != nil {
				return err
			}
			ok, known := acked[ref]
			if !known || !ok || n != 1 {
				return fmt.Errorf("transfer %s stored %d times (acknowledged=%v known=%v)", ref, n, ok, known)
			}
			seen++
		}
		if want := len(acked) - refused; seen != want {
			return fmt.Errorf("%d transfers stored, %d acknowledged", seen, want)
		}
		for i, id := range ids {
			b, err := ledger.Balance(ctx, q, ledger.UserAccount(id, money.Credit))
			if err != nil {
				return err
			}
			if b != model[i] || b < 0 {
				return fmt.Errorf("account %d balance %d, model %d", i, b, model[i])
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	ledgertest.Check(t, db)
}

// TestCheckFindsDrift proves the invariant check can fail: a balance changed behind the
// ledger's back is reported as drift and as a non-zero sum.
func TestCheckFindsDrift(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		ids := newAccounts(t, db, 1, 5*money.Micro)
		if err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
			_, err := q.Exec(ctx, `UPDATE ledger_accounts SET balance = balance + 1 WHERE id = ?`, ledger.UserAccount(ids[0], money.Credit))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var r ledger.Report
		_ = db.Read(context.Background(), func(ctx context.Context, q store.Q) (err error) { r, err = ledger.Check(ctx, q); return })
		if r.OK || r.Err() == nil || len(r.Drift) != 1 || r.DriftTotal() != 1 || r.Sums[money.Credit] != 1 {
			t.Fatalf("drift not detected: %+v", r)
		}
	})
}

// TestCheckUnderConcurrentWrites: the invariant check runs in one snapshot while transfers keep
// committing, so each report is of one moment: every transfer moves 1 micro from the faucet to a
// user, so the users' total equals the number of transfers the same report counted (two
// separate queries of the check), and the report is clean.
func TestCheckUnderConcurrentWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		db := storetest.Open(t, e)
		ids := newAccounts(t, db, 8, 0)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w, id := range ids {
			wg.Go(func() {
				for i := 0; ctx.Err() == nil; i++ {
					_ = db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
						return ledger.Post(ctx, q, t0, ledger.Transfer{Asset: money.Credit, From: ledger.SystemAccount(ledger.Faucet, money.Credit),
							To: ledger.UserAccount(id, money.Credit), Amount: 1, Kind: "test", Ref: fmt.Sprint(w, "-", i)})
					})
				}
			})
		}
		for range 40 {
			r := ledgertest.Check(t, db)
			if users := r.ByKind[money.Credit][ledger.User]; int64(users) != r.Transfers {
				cancel()
				wg.Wait()
				t.Fatalf("one report: users hold %d micro but %d transfers of 1 micro were counted", users, r.Transfers)
			}
		}
		cancel()
		wg.Wait()
		ledgertest.Check(t, db)
	})
}

// TestMultiAccountTransfersAcrossInstances: two store instances on one PostgreSQL (as two
// servers behind a load balancer) run many transfers at once that each touch several accounts
// (a pot paid out to several players, a settlement through payer, house and fee accounts), in
// group-committed batches. Locks are taken in one global order and a deadlock the engine still
// reports is retried inside the store: no caller sees one, and the invariant holds.
func TestMultiAccountTransfersAcrossInstances(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		if e != store.Postgres {
			continue
		}
		cfg := storetest.Config(t, e)
		dbs := []*store.DB{storetest.OpenWith(t, cfg), storetest.OpenWith(t, cfg)}
		ids := newAccounts(t, dbs[0], 6, 1_000_000*money.Micro)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var failures []error
		for w := range 16 {
			db := dbs[w%2]
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), 7))
				for i := range 15 {
					// A random cycle through 3–5 distinct accounts, plus a fee to the house.
					perm := rng.Perm(len(ids))[:3+rng.IntN(3)]
					var ts []ledger.Transfer
					for k := range perm {
						from, to := ids[perm[k]], ids[perm[(k+1)%len(perm)]]
						ts = append(ts, ledger.Transfer{Asset: money.Credit, From: ledger.UserAccount(from, money.Credit),
							To: ledger.UserAccount(to, money.Credit), Amount: money.Amount(1 + rng.IntN(1000)), Kind: "pot", Ref: fmt.Sprint(w, "-", i)})
					}
					ts = append(ts, ledger.Transfer{Asset: money.Credit, From: ledger.UserAccount(ids[perm[0]], money.Credit),
						To: ledger.SystemAccount(ledger.House, money.Credit), Amount: 1, Kind: "fee", Ref: fmt.Sprint(w, "-", i)})
					if err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
						return ledger.Post(ctx, q, t0, ts...)
					}); err != nil {
						mu.Lock()
						failures = append(failures, err)
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		if len(failures) > 0 {
			t.Fatalf("%d multi-account transfers failed, first: %v", len(failures), failures[0])
		}
		t.Logf("conflicts retried inside the stores: %d and %d", dbs[0].Stats().Conflicts, dbs[1].Stats().Conflicts)
		ledgertest.Check(t, dbs[0])
	}
}

// TestLockOrderPreventsDeadlocks: Post takes the balance rows it updates in one global order
// (sorted ids; counterparties at commit, sorted), so transactions that each post one
// multi-account transfer cannot deadlock, whatever order their legs come in. Two store
// instances on one PostgreSQL, one transaction per write (direct: no batch holds several
// writes' locks), 16 writers moving money around random cycles of the same 6 accounts in both
// directions: the engine must not report a single deadlock (the stores count every deadlock
// they retry; with deadlock_timeout at 20 ms one shows fast). Removing the sort in PostRead
// makes this fail.
func TestLockOrderPreventsDeadlocks(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		if e != store.Postgres {
			continue
		}
		cfg := storetest.Config(t, e)
		cfg.Direct = true
		cfg.DatabaseURL += "&deadlock_timeout=20ms"
		dbs := []*store.DB{storetest.OpenWith(t, cfg), storetest.OpenWith(t, cfg)}
		ids := newAccounts(t, dbs[0], 6, 1_000_000*money.Micro)
		var wg sync.WaitGroup
		for w := range 16 {
			db := dbs[w%2]
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(w), 11))
				for i := range 40 {
					perm := rng.Perm(len(ids))[:3+rng.IntN(3)]
					if w%2 == 1 {
						slices.Reverse(perm)
					}
					var ts []ledger.Transfer
					for k := range perm {
						from, to := ids[perm[k]], ids[perm[(k+1)%len(perm)]]
						ts = append(ts, ledger.Transfer{Asset: money.Credit, From: ledger.UserAccount(from, money.Credit),
							To: ledger.UserAccount(to, money.Credit), Amount: money.Amount(1 + rng.IntN(1000)), Kind: "pot", Ref: fmt.Sprint(w, "-", i)})
					}
					ts = append(ts, ledger.Transfer{Asset: money.Credit, From: ledger.UserAccount(ids[perm[0]], money.Credit),
						To: ledger.SystemAccount(ledger.House, money.Credit), Amount: 1, Kind: "fee", Ref: fmt.Sprint(w, "-", i)})
					if err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
						return ledger.Post(ctx, q, t0, ts...)
					}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if c0, c1 := dbs[0].Stats().Conflicts, dbs[1].Stats().Conflicts; c0+c1 != 0 {
			t.Fatalf("the engine reported %d and %d deadlocks or serialization failures: locks were taken out of order", c0, c1)
		}
		ledgertest.Check(t, dbs[0])
	}
}

// TestBatchCheck: every write transaction checks its own ledger changes as it commits. Many
// concurrent group-committed Posts (several per batch, on every committer) pass; then each kind
// of corruption a statement can make inside a write is caught by the transaction that made it:
// a transfer row with no balance moving, a balance moving with no transfer, a transfer between
// accounts of another asset. The notes table is empty between transactions.
func TestBatchCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		check := &ledger.BatchCheck{}
		cfg := storetest.Config(t, e)
		cfg.BeforeCommit = check.Check
		db := storetest.OpenWith(t, cfg)
		ids := newAccounts(t, db, 8, 1000*money.Micro)
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				for i := range 20 {
					from, to := ledger.UserAccount(ids[w], money.Credit), ledger.UserAccount(ids[(w+1+i%7)%8], money.Credit)
					if err := db.WriteFor(context.Background(), ids[w], func(ctx context.Context, q store.Q) error {
						return ledger.Post(ctx, q, t0, ledger.Transfer{Asset: money.Credit, From: from, To: to, Amount: 3, Kind: "t", Ref: "r"},
							ledger.Transfer{Asset: money.Credit, From: from, To: ledger.SystemAccount(ledger.House, money.Credit), Amount: 1, Kind: "fee", Ref: "r"})
					}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		st := check.Status()
		if st.Violations != 0 || st.Batches < 1 || st.Changes < 160 {
			t.Fatalf("honest posts: %+v", st)
		}
		user := ledger.UserAccount(ids[0], money.Credit)
		for i, bad := range []struct{ sql, want string }{
			{`INSERT INTO ledger_transfers (asset, from_account, to_account, amount, kind, ref, created_at)
				VALUES ('CREDIT', 'house:CREDIT', '` + user + `', 5, 'forged', 'x', 0)`, "its transfers"},
			{`UPDATE ledger_accounts SET balance = balance + 5 WHERE id = '` + user + `'`, "moved 4, its transfers -1"},
			{`INSERT INTO ledger_transfers (asset, from_account, to_account, amount, kind, ref, created_at)
				VALUES ('USDC', 'house:CREDIT', '` + user + `', 5, 'mixed', 'x', 0)`, "its transfers"},
		} {
			if err := db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
				if err := ledger.Post(ctx, q, t0, ledger.Transfer{Asset: money.Credit, From: user,
					To: ledger.SystemAccount(ledger.House, money.Credit), Amount: 1, Kind: "fee", Ref: "ok"}); err != nil {
					return err
				}
				_, err := q.Exec(ctx, bad.sql)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			st := check.Status()
			if st.Violations != int64(i+1) || !strings.Contains(st.LastViolation, bad.want) || !strings.Contains(st.LastViolation, user) {
				t.Fatalf("corruption %d (%s): %+v", i+1, bad.want, st)
			}
		}
		var n int
		_ = db.Read(context.Background(), func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_batch_changes`).Scan(&n)
		})
		if n != 0 {
			t.Fatalf("%d notes left between transactions", n)
		}
	})
}
