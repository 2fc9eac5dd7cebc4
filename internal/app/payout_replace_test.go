package app_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/chain/evm"
	"github.com/arcadehq/arcade/internal/chain/evm/evmtest"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// staleBook answers a Pending listing read earlier (a reconciler that read the withdrawals
// before another instance replaced a payout).
type staleBook struct {
	chain.Book
	pending []chain.Pending
}

func (b staleBook) Pending(context.Context, time.Time, int) ([]chain.Pending, error) {
	return b.pending, nil
}

// hookBook runs before ahead of recording a replacement.
type hookBook struct {
	chain.Book
	before func()
}

func (b hookBook) Replace(ctx context.Context, id string, n int, s chain.Signed) (bool, error) {
	b.before()
	return b.Book.Replace(ctx, id, n, s)
}

// clock is the server's time: the real one moved on by what the test skipped.
type clock struct{ skipped atomic.Int64 }

func (c *clock) Now() time.Time { return time.Now().Add(time.Duration(c.skipped.Load())) }

// skip moves the clock on past ARCADE_PAYOUT_BUMP_SECONDS (5 minutes here).
func (c *clock) skip() { c.skipped.Add(int64(6 * time.Minute)) }

// logTo is r logging to buf.
func logTo(r *chain.Reconciler, buf *bytes.Buffer) *chain.Reconciler {
	l := *r
	l.Log = slog.New(slog.NewTextHandler(buf, nil))
	return &l
}

func baseFee(t *testing.T, c *evmtest.Chain) *big.Int {
	t.Helper()
	h, err := c.Client.HeaderByNumber(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return h.BaseFee
}

// payoutOf reads a withdrawal's recorded payout: the original transaction, the replacements'.
func payoutOf(t *testing.T, s *server, table, book, id string) (first string, nonce int64, replacements []string, replNonces []int64) {
	t.Helper()
	if err := s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		var n int
		if err := q.QueryRow(ctx, `SELECT payout_tx, payout_nonce, payout_replacements FROM `+table+` WHERE id = ?`, id).Scan(&first, &nonce, &n); err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT tx, nonce FROM chain_payout_attempts WHERE book = ? AND withdrawal_id = ? ORDER BY seq`, book, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var tx string
			var nc int64
			if err := rows.Scan(&tx, &nc); err != nil {
				return err
			}
			replacements, replNonces = append(replacements, tx), append(replNonces, nc)
		}
		if len(replacements) != n {
			t.Errorf("%s: payout_replacements %d, %d recorded", id, n, len(replacements))
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	return first, nonce, replacements, replNonces
}

// bumpingAfter5m has payouts replaced after 5 minutes unmined, at the default fee bound, on now's
// clock.
func bumpingAfter5m(now *clock) func(*app.Config, *app.Deps) {
	return func(cfg *app.Config, d *app.Deps) {
		cfg.PayoutBumpAfter, cfg.PayoutMaxFee, d.Now = 5*time.Minute, app.DefaultPayoutMaxFee, now.Now
	}
}

// TestWithdrawalFeeReplaced: on the simulated chain, poker withdrawals whose payout is stuck
// unmined because its fee cap is below the base fee (ARCADE_PAYOUT_MAX_FEE_GWEI set below it):
// (a) young, or past ARCADE_PAYOUT_BUMP_SECONDS but with the bound leaving no room, it is
// rebroadcast as is, left pending, and the bound is logged; (b) with the bound raised, two
// reconcilers at once record one replacement (the same nonce, higher fees), it is mined and the
// withdrawal is confirmed once with the replacement's hash, the tokens moved once; (c) a
// reconciler that read the withdrawal before its replacement was recorded sees the original's
// nonce used and no receipt for it, yet does not refund (the replacement is mined: it is
// confirmed with that); (d) the original mined while its replacement is being recorded: the
// withdrawal is confirmed once with the original's hash. ledgertest.Check after each.
func TestWithdrawalFeeReplaced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		var now clock
		s, c, f, houseKey, _ := houseServer(t, e, bumpingAfter5m(&now))
		house, player := addrOf(houseKey), addrOf(evmtest.Key(t))
		payout := s.app.Withdrawals.Tracker.(*evm.Payout)
		p := newPokerAPI(t, s)
		c.Mint(t, house, 20_000_000)
		id, key := p.register(t, "payee", player.Hex())
		fund(t, s, id, 10_000_000)

		// withdraw asks for 1 USDC; its payout reaches the pool, the receipt wait times out.
		withdraw := func() string {
			t.Helper()
			f.hang.Store(true)
			defer f.hang.Store(false)
			w := p.call(t, "POST", "/withdraw", key, `{"amount":1}`)
			want(t, w, 200, "")
			if w.Body["withdrawal_status"] != "pending" {
				t.Fatalf("withdraw with the payout unknown: %s", w.Raw)
			}
			return str(w.Body["withdrawal_id"])
		}
		status := func(wid string) (string, string) {
			t.Helper()
			w := p.call(t, "GET", "/withdrawal/"+wid, key, "")
			return str(w.Body["status"]), str(w.Body["tx_hash"])
		}
		sent := func(wid string) int { return transfersOf(t, s, wid)["poker_withdrawal_sent"] }
		refunded := func(wid string) int { return transfersOf(t, s, wid)["poker_withdrawal_refund"] }
		book := s.app.Withdrawals.Books[1]
		if book.Name() != "poker" {
			t.Fatalf("book %s", book.Name())
		}
		var log bytes.Buffer
		r := logTo(s.app.Withdrawals, &log)

		// (a) Stuck below the base fee; the bound leaves no room for a replacement.
		payout.MaxFeeCap = new(big.Int).Div(baseFee(t, c), big.NewInt(50))
		wid := withdraw()
		resolve(t, s, 0) // young: rebroadcast
		c.Backend.Commit()
		resolve(t, s, 0)
		now.skip()
		if n, err := r.Resolve(ctx, 0, 100); err != nil || n != 0 {
			t.Fatalf("(a) resolve at the bound: %d %v", n, err)
		}
		first, nonce, repl, _ := payoutOf(t, s, "poker_withdrawals", "poker", wid)
		if st, _ := status(wid); st != "pending" || len(repl) != 0 || c.Balance(t, player) != 0 || !strings.Contains(log.String(), "fee at the bound") {
			t.Fatalf("(a) at the bound: %s, %d replacements, player holds %d; log %s", st, len(repl), c.Balance(t, player), log.String())
		}

		// (b) The bound raised: two reconcilers at once, one replacement, mined, confirmed with it.
		payout.MaxFeeCap = app.DefaultPayoutMaxFee
		if n := raceFrom(t, r); n != 1 {
			t.Fatalf("(b) racing bumpers: %d bookings", n)
		}
		_, _, repl, replNonces := payoutOf(t, s, "poker_withdrawals", "poker", wid)
		if st, tx := status(wid); st != "confirmed" || len(repl) != 1 || replNonces[0] != nonce || !strings.EqualFold(tx, repl[0]) || tx == first ||
			c.Balance(t, player) != 1_000_000 || sent(wid) != 1 || refunded(wid) != 0 {
			t.Fatalf("(b) replaced: %s %s (original %s, replacements %v at %v, nonce %d), player holds %d, sent %d",
				st, tx, first, repl, replNonces, nonce, c.Balance(t, player), sent(wid))
		}
		if n, err := r.Resolve(ctx, 0, 100); err != nil || n != 0 {
			t.Fatalf("(b) resolve again: %d %v", n, err)
		}
		ledgertest.Check(t, s.app.DB)

		// (c) A reconciler that read the withdrawal before the replacement was recorded.
		payout.MaxFeeCap = new(big.Int).Div(baseFee(t, c), big.NewInt(50))
		wid = withdraw()
		stale, err := book.Pending(ctx, time.Now().Add(time.Hour), 100)
		if err != nil || len(stale) != 1 || stale[0].ID != wid {
			t.Fatalf("(c) pending: %+v %v", stale, err)
		}
		payout.MaxFeeCap = app.DefaultPayoutMaxFee
		now.skip()
		f.mu.Lock()
		f.hung = map[common.Hash]bool{} // the original's receipt can be read
		f.mu.Unlock()
		f.hang.Store(true) // the replacement reaches the pool; its receipt cannot be read
		if n, err := r.Resolve(ctx, 0, 100); n != 0 || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("(c) replaced while its receipt cannot be read: %d bookings, %v", n, err)
		}
		f.hang.Store(false)
		c.Backend.Commit() // the replacement is mined
		sr := *r
		sr.Books = []chain.Book{staleBook{Book: book, pending: stale}}
		if n, err := sr.Resolve(ctx, 0, 100); err != nil || n != 0 {
			t.Fatalf("(c) the stale reconciler: %d bookings, %v\n%s", n, err, log.String())
		}
		if st, _ := status(wid); st != "pending" || refunded(wid) != 0 {
			t.Fatalf("(c) the stale reconciler refunded a replaced payout: %s, refunded %d", st, refunded(wid))
		}
		if n, err := r.Resolve(ctx, 0, 100); err != nil || n != 1 {
			t.Fatalf("(c) resolve: %d %v", n, err)
		}
		first, _, repl, _ = payoutOf(t, s, "poker_withdrawals", "poker", wid)
		if st, tx := status(wid); st != "confirmed" || len(repl) != 1 || !strings.EqualFold(tx, repl[0]) || c.Balance(t, player) != 2_000_000 ||
			sent(wid) != 1 || refunded(wid) != 0 {
			t.Fatalf("(c) replaced: %s %s (original %s, replacements %v), player holds %d", st, tx, first, repl, c.Balance(t, player))
		}
		ledgertest.Check(t, s.app.DB)

		// (d) The original is mined while its replacement is being recorded.
		wid = withdraw() // a fee the chain takes; in the pool, unmined
		now.skip()
		hr := *r
		hr.Books = []chain.Book{hookBook{Book: book, before: func() { c.Backend.Commit() }}}
		if n, err := hr.Resolve(ctx, 0, 100); err != nil || n != 1 {
			t.Fatalf("(d) resolve: %d %v", n, err)
		}
		if n := raceFrom(t, r); n != 0 {
			t.Fatalf("(d) resolve again: %d bookings", n)
		}
		first, _, repl, _ = payoutOf(t, s, "poker_withdrawals", "poker", wid)
		if st, tx := status(wid); st != "confirmed" || len(repl) != 1 || !strings.EqualFold(tx, first) || c.Balance(t, player) != 3_000_000 ||
			sent(wid) != 1 || refunded(wid) != 0 {
			t.Fatalf("(d) mined while replaced: %s %s (original %s, replacements %v), player holds %d", st, tx, first, repl, c.Balance(t, player))
		}
		acc := p.call(t, "GET", "/accounting", s.platformKey(), "")
		if acc.Body["invariant_holds"] != true {
			t.Fatalf("accounting: %s", acc.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestV1WithdrawalFeeReplaced: a casino withdrawal (POST /api/v1/withdraw, fee paid on chain)
// whose payout is stuck below the base fee is left pending while the bound leaves no room, then
// replaced once the bound is raised: completed once with the replacement's hash, the payer's
// tokens moved once, nothing refunded.
func TestV1WithdrawalFeeReplaced(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		var now clock
		s, c, f, houseKey, _ := houseServer(t, e, bumpingAfter5m(&now))
		house := addrOf(houseKey)
		payout := s.app.Withdrawals.Tracker.(*evm.Payout)
		p := newPayer(t, s)
		payer := common.HexToAddress(p.Address())
		c.Mint(t, payer, 1_000_000)
		c.Mint(t, house, 10_000_000)
		inHouse := func() int64 {
			t.Helper()
			b := p.pay(t, "GET", "/api/v1/balance", "")
			if b.Status != 200 {
				t.Fatalf("balance: %d %s", b.Status, b.Raw)
			}
			return num(b.Body["usdc_micro"])
		}
		inHouse() // the payer's account exists
		credit(t, s, payer, 10_000_000)
		onChain := c.Balance(t, payer)

		payout.MaxFeeCap = new(big.Int).Div(baseFee(t, c), big.NewInt(50))
		f.hang.Store(true)
		w := p.pay(t, "POST", "/api/v1/withdraw", `{"amount_micro":2000000}`)
		f.hang.Store(false)
		if st := settlementOf(t, w); w.Status != 200 || w.Body["status"] != "pending" || !st.Success {
			t.Fatalf("withdraw with the payout unknown: %d %s", w.Status, w.Raw)
		}
		id := str(w.Body["withdrawal_id"])
		// (No paid call until the payout is mined: its fee would be settled by the house at the
		// next nonce, held behind the stuck payout.)
		onChain -= 50_000 // the withdrawal's fee
		row := func() (status, tx string) {
			t.Helper()
			var txn *string
			if err := s.app.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
				return q.QueryRow(ctx, `SELECT status, tx_hash FROM v1_withdrawals WHERE id = ?`, id).Scan(&status, &txn)
			}); err != nil {
				t.Fatal(err)
			}
			if txn != nil {
				tx = *txn
			}
			return status, tx
		}

		now.skip()
		c.Backend.Commit()
		resolve(t, s, 0) // past the bump age, at the bound: left pending
		if st, _ := row(); st != "pending" || c.Balance(t, payer) != onChain {
			t.Fatalf("at the bound: %s, payer holds %d (want %d)", st, c.Balance(t, payer), onChain)
		}
		payout.MaxFeeCap = app.DefaultPayoutMaxFee
		if n := race(t, s); n != 1 {
			t.Fatalf("replaced: %d bookings", n)
		}
		resolve(t, s, 0)
		first, nonce, repl, replNonces := payoutOf(t, s, "v1_withdrawals", "v1", id)
		k := transfersOf(t, s, id)
		if st, tx := row(); st != "completed" || len(repl) != 1 || replNonces[0] != nonce || !strings.EqualFold(tx, repl[0]) || tx == first ||
			c.Balance(t, payer) != onChain+2_000_000 || k["withdrawal_refund"] != 0 || k["fee_refund"] != 0 {
			t.Fatalf("replaced: %s %s (original %s, replacements %v), payer holds %d (want %d), transfers %v",
				st, tx, first, repl, c.Balance(t, payer), onChain+2_000_000, k)
		}
		now.skipped.Store(0) // the payer's x402 authorizations are dated by the real clock
		if b := inHouse(); b != 8_000_000 {
			t.Fatalf("in-house balance %d, want 8000000", b)
		}
		ledgertest.Check(t, s.app.DB)
	})
}
