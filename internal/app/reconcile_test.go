package app_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/chain/evm"
	"github.com/arcadehq/arcade/internal/chain/evm/evmtest"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// faultyChain is the simulated chain's client with faults on the house's ERC-20 transfers (the
// payouts; settlements of x402 payments pass untouched):
//   - crash: the transfer is never sent (the process died between recording and broadcasting);
//   - hang: the transfer reaches the node's pool but is not mined, and its receipt cannot be
//     read (the receipt wait times out).
type faultyChain struct {
	*evmtest.Client
	crash, hang atomic.Bool
	estimate    atomic.Bool // the node cannot estimate a transfer's gas (nothing is signed)
	mu          sync.Mutex
	hung        map[common.Hash]bool
}

var transferSelector = evm.Token.Methods["transfer"].ID

func (f *faultyChain) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	if !bytes.HasPrefix(tx.Data(), transferSelector) {
		return f.Client.SendTransaction(ctx, tx)
	}
	switch {
	case f.crash.Load():
		return errors.New("test: the process stopped before broadcasting")
	case f.hang.Load():
		f.mu.Lock()
		f.hung[tx.Hash()] = true
		f.mu.Unlock()
		return f.Client.Client.SendTransaction(ctx, tx) // into the pool, not mined
	}
	return f.Client.SendTransaction(ctx, tx)
}

func (f *faultyChain) EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error) {
	if f.estimate.Load() && bytes.HasPrefix(msg.Data, transferSelector) {
		return 0, errors.New("test: connection refused")
	}
	return f.Client.EstimateGas(ctx, msg)
}

func (f *faultyChain) TransactionReceipt(ctx context.Context, h common.Hash) (*types.Receipt, error) {
	f.mu.Lock()
	hung := f.hung[h] && f.hang.Load()
	f.mu.Unlock()
	if hung {
		return nil, context.DeadlineExceeded
	}
	return f.Client.TransactionReceipt(ctx, h)
}

// houseServer starts a simulated chain (the house's and a gas payer's keys, the token), a
// faultyChain over its client, and a server on it settling and paying out over RPC from the
// house key. opts adjust the configuration and dependencies.
func houseServer(t *testing.T, e store.Engine, opts ...func(*app.Config, *app.Deps)) (s *server, c *evmtest.Chain, f *faultyChain, houseKey, gasKey *ecdsa.PrivateKey) {
	t.Helper()
	houseKey, gasKey = evmtest.Key(t), evmtest.Key(t)
	c = evmtest.New(t, "USD Coin", "2", houseKey, gasKey)
	f = &faultyChain{Client: c.Client, hung: map[common.Hash]bool{}}
	sc := storetest.Config(t, e)
	cfg := app.Config{DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, Version: "test", DoubleRun: sc.DoubleRun,
		X402Network: c.Network, Chain: app.ChainConfig{Settlement: app.SettleRPC, RPCURL: "simulated", SettlerKey: houseKey}}
	deps := app.Deps{EVM: f}
	for _, o := range opts {
		o(&cfg, &deps)
	}
	var logTo io.Writer = io.Discard
	if os.Getenv("ARCADE_TEST_LOG") == "1" {
		logTo = os.Stderr
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logTo, nil)), deps)
	if err != nil {
		t.Fatal(err)
	}
	if a.Withdrawals == nil {
		t.Fatal("no withdrawal reconciler on an EVM network")
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() { ts.Close(); a.DB.Close() })
	return &server{Server: ts, app: a, t: t}, c, f, houseKey, gasKey
}

// fund gives a poker agent in-house USDC from outside (as a deposit would).
func fund(t *testing.T, s *server, account string, micro int64) {
	t.Helper()
	if err := s.app.DB.Write(context.Background(), func(ctx context.Context, q store.Q) error {
		return ledger.Post(ctx, q, store.Now(ctx), ledger.Transfer{Asset: money.USDC, From: ledger.SystemAccount(ledger.External, money.USDC),
			To: ledger.UserAccount(account, money.USDC), Amount: money.Amount(micro), Kind: "poker_deposit", Ref: "test"})
	}); err != nil {
		t.Fatal(err)
	}
}

// resolve runs the reconciler once and wants n bookings.
func resolve(t *testing.T, s *server, n int) {
	t.Helper()
	if got, err := s.app.Withdrawals.Resolve(context.Background(), 0, 100); err != nil || got != n {
		t.Fatalf("resolve: %d bookings, %v; want %d", got, err, n)
	}
}

// race runs two reconcilers at once (as two instances would) and answers their bookings.
func race(t *testing.T, s *server) int64 {
	t.Helper()
	return raceFrom(t, s.app.Withdrawals)
}

// raceFrom runs r and a copy of it (another instance's reconciler) at once.
func raceFrom(t *testing.T, r *chain.Reconciler) int64 {
	t.Helper()
	other := *r
	var wg sync.WaitGroup
	var booked atomic.Int64
	start := make(chan struct{})
	for _, r := range []*chain.Reconciler{r, &other} {
		wg.Go(func() {
			<-start
			n, err := r.Resolve(context.Background(), 0, 100)
			if err != nil {
				t.Errorf("resolve: %v", err)
			}
			booked.Add(int64(n))
		})
	}
	close(start)
	wg.Wait()
	return booked.Load()
}

// TestWithdrawalReconciled: on the simulated chain, poker withdrawals whose payout's outcome was
// unknown are settled by the reconciler from what the chain says, exactly once:
// (a) the process stopped after recording the signed transfer, before broadcasting it: the
// reconciler broadcasts the same transaction and completes the withdrawal;
// (b) broadcast, but the receipt wait timed out: left pending while unmined, completed once mined;
// (c) recorded, then the house's tokens left before it was sent: mined, reverted → failed and
// refunded; (d) two reconcilers at once book one completion; (e) another transaction took the
// recorded nonce: dropped → failed and refunded; (f) never signed: refunded once old enough.
// Each time the tokens moved on chain match the ledger, and ledgertest.Check holds.
func TestWithdrawalReconciled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		s, c, f, houseKey, gasKey := houseServer(t, e)
		house, player := addrOf(houseKey), addrOf(evmtest.Key(t))
		p := newPokerAPI(t, s)
		c.Mint(t, house, 20_000_000)
		id, key := p.register(t, "payee", player.Hex())
		fund(t, s, id, 10_000_000)

		withdraw := func() string {
			t.Helper()
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
		balance := func() float64 {
			t.Helper()
			return p.call(t, "GET", "/balance", key, "").Body["balance"].(float64)
		}
		sent := func(wid string) int { return transfersOf(t, s, wid)["poker_withdrawal_sent"] }
		refunded := func(wid string) int { return transfersOf(t, s, wid)["poker_withdrawal_refund"] }

		// (a) Recorded, never broadcast.
		f.crash.Store(true)
		wid := withdraw()
		f.crash.Store(false)
		if st, _ := status(wid); st != "pending" || c.Balance(t, player) != 0 {
			t.Fatalf("(a) before reconciling: %s, player holds %d", st, c.Balance(t, player))
		}
		resolve(t, s, 1)
		resolve(t, s, 0)
		if st, tx := status(wid); st != "confirmed" || tx == "" || c.Balance(t, player) != 1_000_000 || sent(wid) != 1 || refunded(wid) != 0 {
			t.Fatalf("(a) reconciled: %s %s, player holds %d, sent %d", st, tx, c.Balance(t, player), sent(wid))
		}
		ledgertest.Check(t, s.app.DB)

		// (b) Broadcast, the receipt wait timed out; mined later.
		f.hang.Store(true)
		wid = withdraw()
		f.hang.Store(false)
		resolve(t, s, 0) // in the pool, unmined: neither completed nor refunded
		if st, _ := status(wid); st != "pending" || c.Balance(t, player) != 1_000_000 {
			t.Fatalf("(b) unmined: %s, player holds %d", st, c.Balance(t, player))
		}
		c.Backend.Commit()
		resolve(t, s, 1)
		resolve(t, s, 0)
		if st, _ := status(wid); st != "confirmed" || c.Balance(t, player) != 2_000_000 || sent(wid) != 1 {
			t.Fatalf("(b) reconciled: %s, player holds %d, sent %d", st, c.Balance(t, player), sent(wid))
		}
		ledgertest.Check(t, s.app.DB)

		// (d) Two reconcilers at once on a recorded, unsent payout: one booking, one payment.
		f.crash.Store(true)
		wid = withdraw()
		f.crash.Store(false)
		booked := race(t, s)
		if st, _ := status(wid); booked != 1 || st != "confirmed" || c.Balance(t, player) != 3_000_000 || sent(wid) != 1 {
			t.Fatalf("(d) racing reconcilers: %d bookings, %s, player holds %d, sent %d", booked, st, c.Balance(t, player), sent(wid))
		}
		ledgertest.Check(t, s.app.DB)

		// (e) Another transaction from the house took the recorded nonce: never mined → refunded.
		f.crash.Store(true)
		wid = withdraw()
		f.crash.Store(false)
		before := balance()
		hw := c.Wallet(t, houseKey)
		if _, err := (&evm.Payout{Wallet: hw, Token: c.Token}).Pay(ctx, addrOf(gasKey), 1, "other"); err != nil {
			t.Fatal(err)
		}
		resolve(t, s, 1)
		resolve(t, s, 0)
		if st, _ := status(wid); st != "failed" || balance() != before+1 || c.Balance(t, player) != 3_000_000 || refunded(wid) != 1 || sent(wid) != 0 {
			t.Fatalf("(e) dropped: %s, balance %v (was %v), player holds %d", st, balance(), before, c.Balance(t, player))
		}
		ledgertest.Check(t, s.app.DB)

		// (c) Recorded while the house held the tokens; they left (by an EIP-3009 transfer the
		// house signed, sent by someone else: the house's nonce is untouched) before it was sent.
		f.crash.Store(true)
		wid = withdraw()
		f.crash.Store(false)
		before = balance()
		sink := addrOf(evmtest.Key(t))
		drain := evmtest.Accept(t, houseKey, c.Network, sink, c.Balance(t, house))
		if _, err := (&evm.Settler{Wallet: c.Wallet(t, gasKey), Network: c.Network}).Settle(ctx, drain); err != nil {
			t.Fatal(err)
		}
		if n := race(t, s); n != 1 {
			t.Fatalf("(c) reverted: %d bookings by two reconcilers", n)
		}
		resolve(t, s, 0)
		if st, _ := status(wid); st != "failed" || balance() != before+1 || c.Balance(t, player) != 3_000_000 || refunded(wid) != 1 || sent(wid) != 0 {
			t.Fatalf("(c) reverted: %s, balance %v (was %v), player holds %d", st, balance(), before, c.Balance(t, player))
		}
		// (f) Never signed (the node could not estimate gas): nothing was sent, so once older than
		// UnsignedAfter it is failed and refunded; a young one is left alone.
		c.Mint(t, house, 5_000_000)
		f.estimate.Store(true)
		wid = withdraw()
		f.estimate.Store(false)
		before = balance()
		resolve(t, s, 0)
		r := *s.app.Withdrawals
		r.Now = func() time.Time { return time.Now().Add(time.Hour) }
		if n, err := r.Resolve(ctx, 0, 100); err != nil || n != 1 {
			t.Fatalf("(f) resolve an hour later: %d %v", n, err)
		}
		if st, _ := status(wid); st != "failed" || balance() != before+1 || refunded(wid) != 1 || c.Balance(t, player) != 3_000_000 {
			t.Fatalf("(f) never signed: %s, balance %v (was %v)", st, balance(), before)
		}
		acc := p.call(t, "GET", "/accounting", s.platformKey(), "")
		if acc.Body["invariant_holds"] != true {
			t.Fatalf("accounting: %s", acc.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestV1WithdrawalReconciled: the casino's withdrawals (POST /api/v1/withdraw, fee paid on chain)
// through the same reconciler: a payout whose receipt wait timed out completes once it is mined;
// two reconcilers racing on a payout recorded but never broadcast send it once and book it once;
// a recorded payout that reverts on chain fails and refunds the amount and the settled fee
// in-house, once. ledgertest.Check after each.
func TestV1WithdrawalReconciled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		s, c, f, houseKey, gasKey := houseServer(t, e)
		house := addrOf(houseKey)
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
		withdraw := func() string {
			t.Helper()
			w := p.pay(t, "POST", "/api/v1/withdraw", `{"amount_micro":2000000}`)
			if st := settlementOf(t, w); w.Status != 200 || w.Body["status"] != "pending" || !st.Success {
				t.Fatalf("withdraw with the payout unknown: %d %s", w.Status, w.Raw)
			}
			return str(w.Body["withdrawal_id"])
		}
		row := func(id string) (status, tx string) {
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
		onChain := c.Balance(t, payer) // after the fees paid so far

		// Broadcast, the receipt wait timed out; completed once mined.
		f.hang.Store(true)
		id := withdraw()
		f.hang.Store(false)
		resolve(t, s, 0)
		c.Backend.Commit()
		resolve(t, s, 1)
		resolve(t, s, 0)
		if st, tx := row(id); st != "completed" || tx == "" || c.Balance(t, payer) != onChain-50_000+2_000_000 {
			t.Fatalf("timed-out payout reconciled: %s %q, payer holds %d", st, tx, c.Balance(t, payer))
		}
		if b := inHouse(); b != 8_000_000 {
			t.Fatalf("in-house balance %d, want 8000000", b)
		}
		ledgertest.Check(t, s.app.DB)

		// Recorded, never broadcast; two reconcilers at once.
		onChain = c.Balance(t, payer)
		f.crash.Store(true)
		id = withdraw()
		f.crash.Store(false)
		booked := race(t, s)
		if st, _ := row(id); booked != 1 || st != "completed" || c.Balance(t, payer) != onChain-50_000+2_000_000 {
			t.Fatalf("racing reconcilers: %d bookings, %s, payer holds %d", booked, st, c.Balance(t, payer))
		}
		ledgertest.Check(t, s.app.DB)

		// Recorded, then the house's tokens left: mined, reverted → failed, amount and fee refunded once.
		f.crash.Store(true)
		id = withdraw()
		f.crash.Store(false)
		before := inHouse() // 6000000 - 2000000
		drain := evmtest.Accept(t, houseKey, c.Network, addrOf(evmtest.Key(t)), c.Balance(t, house))
		if _, err := (&evm.Settler{Wallet: c.Wallet(t, gasKey), Network: c.Network}).Settle(ctx, drain); err != nil {
			t.Fatal(err)
		}
		if n := race(t, s); n != 1 {
			t.Fatalf("reverted payout: %d bookings by two reconcilers", n)
		}
		resolve(t, s, 0)
		k := transfersOf(t, s, id)
		if st, _ := row(id); st != "failed" || inHouse() != before+2_050_000 || k["withdrawal_refund"] != 1 || k["fee_refund"] != 1 {
			t.Fatalf("reverted payout: %s, in-house %d (was %d), transfers %v", st, inHouse(), before, k)
		}
		ledgertest.Check(t, s.app.DB)
	})
}
