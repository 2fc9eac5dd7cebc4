package app_test

import (
	"context"
	"crypto/ecdsa"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/casino/bets"
	"github.com/arcadehq/arcade/internal/chain/evm"
	"github.com/arcadehq/arcade/internal/chain/evm/evmtest"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
	"github.com/arcadehq/arcade/internal/x402"
	"github.com/arcadehq/arcade/internal/x402/facilitator"
)

// chainServer starts Arcade paid on the simulated chain c, settling as cc says.
func chainServer(t *testing.T, e store.Engine, c *evmtest.Chain, cc app.ChainConfig, payTo common.Address, withClient bool) *server {
	t.Helper()
	sc := storetest.Config(t, e)
	cfg := app.Config{DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, Version: "test", DoubleRun: sc.DoubleRun,
		X402Network: c.Network, X402PayTo: payTo, Chain: cc}
	var logTo io.Writer = io.Discard
	if os.Getenv("ARCADE_TEST_LOG") == "1" {
		logTo = os.Stderr
	}
	deps := app.Deps{}
	if withClient {
		deps.EVM = c.Client
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logTo, nil)), deps)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() { ts.Close(); a.DB.Close() })
	return &server{Server: ts, app: a, t: t}
}

// betRow reads a bet's status and transaction hash.
func betRow(t *testing.T, s *server, id string) (status, tx string) {
	t.Helper()
	var txn *string
	if err := s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		return q.QueryRow(ctx, `SELECT status, tx_hash FROM v1_bets WHERE id = ?`, id).Scan(&status, &txn)
	}); err != nil {
		t.Fatal(err)
	}
	if txn != nil {
		tx = *txn
	}
	return status, tx
}

// transfersOf counts a bet's ledger transfers by kind.
func transfersOf(t *testing.T, s *server, ref string) map[string]int {
	t.Helper()
	out := map[string]int{}
	if err := s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, `SELECT kind FROM ledger_transfers WHERE ref = ?`, ref)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			out[k]++
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func addrOf(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// tamper forges each payment before the real settler sends it (the value raised by one micro):
// the signature no longer covers it, so the chain must refuse it.
type tamper struct{ inner bets.Settler }

func (f tamper) Settle(ctx context.Context, p *x402.Payment) (string, error) {
	q := *p
	v, _ := q.Authorization.Value.Uint64()
	q.Authorization.Value = x402.WordFromUint64(v + 1)
	return f.inner.Settle(ctx, &q)
}

// TestV1ChainSettlement: on a real EVM (the simulated backend, TestUSDC deployed as "USD Coin"
// version 2), a paid bet settles by Arcade's own transferWithAuthorization through the RPC
// client: the tokens move payer → payTo on chain and the payout is credited once. A payer
// without the tokens, and a forged authorization (mined and reverted on chain), void the bet
// with nothing credited and nothing moved.
func TestV1ChainSettlement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		house := evmtest.Key(t)
		c := evmtest.New(t, "USD Coin", "2", house)
		s := chainServer(t, e, c, app.ChainConfig{Settlement: app.SettleRPC, RPCURL: "simulated", SettlerKey: house},
			common.Address{}, true)
		p := newPayer(t, s)
		payer := common.HexToAddress(p.Address())
		c.Mint(t, payer, 5_000_000)

		r := p.pay(t, "POST", "/api/v1/games/coinflip?stake=standard", `{"client_seed":"chain","nonce":1,"choice":"heads"}`)
		st := settlementOf(t, r)
		if r.Status != 200 || r.Body["status"] != "settled" || !st.Success || st.Network != c.Network.ID {
			t.Fatalf("paid bet: %d %s %+v", r.Status, r.Raw, st)
		}
		receipt, err := c.Client.TransactionReceipt(context.Background(), common.HexToHash(st.Transaction))
		if err != nil || receipt.Status != 1 || *receiptTo(t, c, st.Transaction) != c.Token {
			t.Fatalf("settlement transaction %s: %v %+v", st.Transaction, err, receipt)
		}
		if got, want := c.Balance(t, payer), int64(4_000_000); got != want {
			t.Fatalf("payer's tokens on chain %d, want %d", got, want)
		}
		if got := c.Balance(t, addrOf(house)); got != 1_000_000 {
			t.Fatalf("house's tokens on chain %d, want 1000000", got)
		}
		id := r.Body["bet_id"].(string)
		if status, tx := betRow(t, s, id); status != bets.Settled || tx != st.Transaction {
			t.Fatalf("bet row: %s %s", status, tx)
		}
		if k := transfersOf(t, s, id); k["x402_payment"] != 1 || k["bet"] != 1 || k["payout"] > 1 {
			t.Fatalf("bet's transfers: %v", k)
		}

		// A payer holding no tokens: verified locally, refused by the chain.
		poor := newPayer(t, s)
		before := countTransfers(t, s)
		r = poor.pay(t, "POST", "/api/v1/games/coinflip?stake=micro", `{"client_seed":"chain","nonce":1,"choice":"heads"}`)
		if st := settlementOf(t, r); r.Status != 200 || r.Body["status"] != "voided" || st.Success || st.ErrorReason != "insufficient_funds" {
			t.Fatalf("bet without tokens: %d %s %+v", r.Status, r.Raw, st)
		}
		// A forged authorization, mined (no gas estimate) and reverted.
		w := c.Wallet(t, house)
		w.GasLimit = 300_000
		s.app.Bets.Settler = tamper{&evm.Settler{Wallet: w, Network: c.Network}}
		r = p.pay(t, "POST", "/api/v1/games/coinflip?stake=micro", `{"client_seed":"chain","nonce":2,"choice":"heads"}`)
		if st := settlementOf(t, r); r.Status != 200 || r.Body["status"] != "voided" || st.Success {
			t.Fatalf("forged authorization: %d %s %+v", r.Status, r.Raw, st)
		}
		if n := countTransfers(t, s); n != before {
			t.Fatalf("refused payments moved money: %d transfers, want %d", n, before)
		}
		if c.Balance(t, payer) != 4_000_000 || c.Balance(t, addrOf(house)) != 1_000_000 {
			t.Fatalf("refused payments moved tokens on chain")
		}
		ledgertest.Check(t, s.app.DB)
	})
}

func receiptTo(t *testing.T, c *evmtest.Chain, tx string) *common.Address {
	t.Helper()
	got, _, err := c.Client.TransactionByHash(context.Background(), common.HexToHash(tx))
	if err != nil {
		t.Fatal(err)
	}
	return got.To()
}

// barrier holds each settlement until n have started (or a minute passed), so that concurrent
// resolvers have all read the bet as settling before any of them books it.
type barrier struct {
	inner   bets.Settler
	n       int32
	arrived atomic.Int32
	once    sync.Once
	all     chan struct{}
}

func (b *barrier) Settle(ctx context.Context, p *x402.Payment) (string, error) {
	if b.arrived.Add(1) >= b.n {
		b.once.Do(func() { close(b.all) })
	}
	select {
	case <-b.all:
	case <-time.After(time.Minute):
	}
	return b.inner.Settle(ctx, p)
}

// TestV1FacilitatorKilled: payments settle through an x402 facilitator (the loopback one,
// settling on the simulated chain, in the real wire format). The facilitator dies between
// Arcade's verification and the settlement (down before /settle; down after executing on chain,
// before answering; hanging until the call times out): each time the bet stays settling with
// nothing credited. When the facilitator is back, two resolvers racing settle each bet exactly
// once: one transferWithAuthorization on chain, one credit in the ledger.
func TestV1FacilitatorKilled(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		gas := evmtest.Key(t)
		c := evmtest.New(t, "USD Coin", "2", gas)
		f := evmtest.NewFacilitator(t, &evm.Settler{Wallet: c.Wallet(t, gas), Network: c.Network})
		house := common.HexToAddress("0x000000000000000000000000000000000000CA5E")
		s := chainServer(t, e, c, app.ChainConfig{Settlement: app.SettleFacilitator, FacilitatorURL: f.URL()}, house, false)
		fs, ok := s.app.Bets.Settler.(*facilitator.Settler)
		if !ok {
			t.Fatalf("settler %T, want the facilitator's", s.app.Bets.Settler)
		}
		// The settle calls that must succeed keep the default clock (60 s): a 2 s one for every
		// call failed the test whenever the simulated chain was slow (a loaded machine, the race
		// run). Only the hanging facilitator's call gets a short clock, which it always misses.
		p := newPayer(t, s)
		payer := common.HexToAddress(p.Address())
		c.Mint(t, payer, 10_000_000)

		// Settled through the facilitator while it is up.
		r := p.pay(t, "POST", "/api/v1/games/dice?stake=micro", `{"client_seed":"fac","nonce":1,"threshold":50,"direction":"over"}`)
		if st := settlementOf(t, r); r.Body["status"] != "settled" || !st.Success {
			t.Fatalf("bet through the facilitator: %d %s %+v", r.Status, r.Raw, st)
		}
		onChain := int64(100_000)

		for i, kill := range []struct {
			name    string
			kill    func()
			revive  func()
			settled bool // the chain moved before the facilitator died
		}{
			{"down before settling", f.Kill, f.Revive, false},
			{"down after settling on chain, before answering", func() { f.DieAfterSettle.Store(true) }, f.Revive, true},
			{"hanging until the call times out", func() { f.Hang.Store(true); fs.Timeout = 2 * time.Second },
				func() { f.Hang.Store(false); fs.Timeout = 0 }, false},
		} {
			before := countTransfers(t, s)
			kill.kill()
			r := p.pay(t, "POST", "/api/v1/games/dice?stake=micro",
				`{"client_seed":"fac","nonce":`+strconv.Itoa(i+2)+`,"threshold":50,"direction":"over"}`)
			if r.Status != 200 || r.Body["status"] != "settling" || r.Header.Get("PAYMENT-RESPONSE") != "" {
				t.Fatalf("%s: %d %s", kill.name, r.Status, r.Raw)
			}
			id := r.Body["bet_id"].(string)
			if kill.settled {
				onChain += 100_000
			}
			if got := c.Balance(t, house); got != onChain {
				t.Fatalf("%s: house's tokens %d, want %d", kill.name, got, onChain)
			}
			if n := countTransfers(t, s); n != before {
				t.Fatalf("%s: a settling bet moved money (%d transfers, want %d)", kill.name, n, before)
			}
			// While it is still dead, the resolver changes nothing.
			if kill.name != "hanging until the call times out" {
				if n, err := s.app.Bets.Resolve(context.Background(), 0, 10); err != nil || n != 0 {
					t.Fatalf("%s: resolve while down: %d %v", kill.name, n, err)
				}
				if status, _ := betRow(t, s, id); status != bets.Settling {
					t.Fatalf("%s: bet %s while the facilitator is down", kill.name, status)
				}
			}
			kill.revive()
			// Two resolvers at once, both past the status check before either books.
			s.app.Bets.Settler = &barrier{inner: fs, n: 2, all: make(chan struct{})}
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() {
					if _, err := s.app.Bets.Resolve(context.Background(), 0, 10); err != nil {
						t.Errorf("%s: resolve: %v", kill.name, err)
					}
				})
			}
			wg.Wait()
			s.app.Bets.Settler = fs
			status, tx := betRow(t, s, id)
			if status != bets.Settled || tx == "" {
				t.Fatalf("%s: resolved bet %s %q", kill.name, status, tx)
			}
			if !kill.settled {
				onChain += 100_000
			}
			if got := c.Balance(t, house); got != onChain {
				t.Fatalf("%s: house's tokens %d after resolving, want %d (one transfer)", kill.name, got, onChain)
			}
			k := transfersOf(t, s, id)
			if k["x402_payment"] != 1 || k["bet"] != 1 || k["payout"] > 1 {
				t.Fatalf("%s: the bet's transfers %v, want each once", kill.name, k)
			}
		}
		if got := c.Balance(t, payer); got != 10_000_000-onChain {
			t.Fatalf("payer's tokens %d, want %d", got, 10_000_000-onChain)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// credit gives the payer's account in-house USDC from the house (as a win would).
func credit(t *testing.T, s *server, payer common.Address, micro int64) {
	t.Helper()
	if err := s.app.DB.Write(context.Background(), func(ctx context.Context, q store.Q) error {
		var acct string
		if err := q.QueryRow(ctx, `SELECT account_id FROM x402_payments WHERE payer = ? LIMIT 1`,
			strings.ToLower(payer.Hex())).Scan(&acct); err != nil {
			return err
		}
		return ledger.Post(ctx, q, store.Now(ctx), ledger.Transfer{Asset: money.USDC, From: ledger.SystemAccount(ledger.House, money.USDC),
			To: ledger.UserAccount(acct, money.USDC), Amount: money.Amount(micro), Kind: "payout", Ref: "test"})
	}); err != nil {
		t.Fatal(err)
	}
}

// TestV1ChainFixedPrice: fixed-price calls and withdrawals paid on a chain. A balance read
// settles by its own transferWithAuthorization; one whose settlement is unknown is served and
// settled once by the resolver; an unfunded payer's is refused (402, nothing booked, not
// retried). A withdrawal debits, settles its fee, pays out by an ERC-20 transfer from the house
// wallet; one the chain refuses (the house wallet short) fails and is refunded, fee included.
func TestV1ChainFixedPrice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		houseKey := evmtest.Key(t)
		house := addrOf(houseKey)
		c := evmtest.New(t, "USD Coin", "2", houseKey)
		s := chainServer(t, e, c, app.ChainConfig{Settlement: app.SettleRPC, RPCURL: "simulated", SettlerKey: houseKey},
			common.Address{}, true)
		real := s.app.Bets.Settler
		p := newPayer(t, s)
		payer := common.HexToAddress(p.Address())
		c.Mint(t, payer, 1_000_000)

		b := p.pay(t, "GET", "/api/v1/balance", "")
		if st := settlementOf(t, b); b.Status != 200 || !st.Success || num(b.Body["usdc_micro"]) != 0 {
			t.Fatalf("balance on a chain: %d %s %+v", b.Status, b.Raw, st)
		}
		if c.Balance(t, payer) != 990_000 || c.Balance(t, house) != 10_000 {
			t.Fatalf("tokens after a balance read: payer %d, house %d", c.Balance(t, payer), c.Balance(t, house))
		}

		// Unknown outcome: served, then settled once by the resolver.
		s.app.Bets.Settler = settlerFunc(func(*x402.Payment) (string, error) { return "", context.DeadlineExceeded })
		before := countTransfers(t, s)
		b = p.pay(t, "GET", "/api/v1/balance", "")
		if b.Status != 200 || b.Header.Get("PAYMENT-RESPONSE") != "" || countTransfers(t, s) != before {
			t.Fatalf("balance with its settlement unknown: %d %s", b.Status, b.Raw)
		}
		if n, err := s.app.Bets.Resolve(ctx, 0, 10); err != nil || n != 0 {
			t.Fatalf("resolve while unknown: %d %v", n, err)
		}
		// Two resolvers at once, both past listing the payment before either books it.
		s.app.Bets.Settler = &barrier{inner: real, n: 2, all: make(chan struct{})}
		var wg sync.WaitGroup
		for range 2 {
			wg.Go(func() {
				if n, err := s.app.Bets.Resolve(ctx, 0, 10); err != nil || n != 1 {
					t.Errorf("resolve: %d %v", n, err)
				}
			})
		}
		wg.Wait()
		s.app.Bets.Settler = real
		if n, err := s.app.Bets.Resolve(ctx, 0, 10); err != nil || n != 0 {
			t.Fatalf("resolve again: %d %v", n, err)
		}
		if c.Balance(t, house) != 20_000 || countTransfers(t, s) != before+2 {
			t.Fatalf("resolved read: house %d, transfers %d (want %d)", c.Balance(t, house), countTransfers(t, s), before+2)
		}

		// An unfunded payer: refused, nothing booked, not retried.
		poor := newPayer(t, s)
		before = countTransfers(t, s)
		b = poor.pay(t, "GET", "/api/v1/balance", "")
		if st := settlementOf(t, b); b.Status != 402 || st.Success || st.ErrorReason != "insufficient_funds" {
			t.Fatalf("unfunded balance read: %d %s %+v", b.Status, b.Raw, st)
		}
		if n, err := s.app.Bets.Resolve(ctx, 0, 10); err != nil || n != 0 || countTransfers(t, s) != before {
			t.Fatalf("refused read resolved: %d %v", n, err)
		}

		// Withdrawals: paid out by the house wallet.
		credit(t, s, payer, 3_000_000)
		c.Mint(t, house, 3_000_000)
		w := p.pay(t, "POST", "/api/v1/withdraw", `{"amount_micro":2000000}`)
		if st := settlementOf(t, w); w.Status != 200 || w.Body["status"] != "completed" || !st.Success {
			t.Fatalf("withdraw on a chain: %d %s", w.Status, w.Raw)
		}
		got, _, err := c.Client.TransactionByHash(ctx, common.HexToHash(w.Body["tx_hash"].(string)))
		if err != nil || *got.To() != c.Token {
			t.Fatalf("payout transaction: %v", err)
		}
		// payer: 1.00 - 2 reads at 0.01 - the 0.05 fee + 2.00 paid out.
		if c.Balance(t, payer) != 2_930_000 {
			t.Fatalf("payer's tokens after the payout %d, want 2930000", c.Balance(t, payer))
		}
		if b := p.pay(t, "GET", "/api/v1/balance", ""); num(b.Body["usdc_micro"]) != 1_000_000 {
			t.Fatalf("in-house balance after withdrawing: %s", b.Raw)
		}
		// The dashboard's withdrawal (SIWE session, no fee) pays out on the chain the same way.
		tokens := c.Balance(t, payer)
		d := s.dash("POST", "/api/v1/dashboard/withdraw", signIn(t, s, p.Key), `{"amount_micro":500000}`)
		if d.Status != 200 || d.Body["status"] != "completed" {
			t.Fatalf("dashboard withdraw on a chain: %d %s", d.Status, d.Raw)
		}
		if got := c.Balance(t, payer); got != tokens+500_000 {
			t.Fatalf("payer's tokens after the dashboard payout %d, want %d", got, tokens+500_000)
		}
		if b := p.pay(t, "GET", "/api/v1/balance", ""); num(b.Body["usdc_micro"]) != 500_000 {
			t.Fatalf("in-house balance after the fee-free withdrawal: %s", b.Raw)
		}
		// The house wallet holds less than asked: the transfer is refused, all refunded.
		credit(t, s, payer, 5_500_000)
		w = p.pay(t, "POST", "/api/v1/withdraw", `{"amount_micro":6000000}`)
		if w.Status != 200 || w.Body["status"] != "failed" {
			t.Fatalf("refused payout: %d %s", w.Status, w.Raw)
		}
		// The amount comes back, and the fee, paid on chain, is refunded in-house.
		if b := p.pay(t, "GET", "/api/v1/balance", ""); num(b.Body["usdc_micro"]) != 6_050_000 {
			t.Fatalf("in-house balance after a refused payout: %s", b.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}
