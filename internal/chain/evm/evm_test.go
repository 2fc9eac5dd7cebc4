package evm_test

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/chain/evm"
	"github.com/arcadehq/arcade/internal/chain/evm/evmtest"
	"github.com/arcadehq/arcade/internal/x402"
)

// TestSettleOnChain: an accepted payment settles by a real transferWithAuthorization (the
// tokens move payer → payTo on chain), settling it again answers the same transaction, and
// forged authorizations revert on chain and are refused with nothing moved.
func TestSettleOnChain(t *testing.T) {
	ctx := context.Background()
	gas := evmtest.Key(t)
	c := evmtest.New(t, "USD Coin", "2", gas)
	payerKey := evmtest.Key(t)
	payer := crypto.PubkeyToAddress(payerKey.PublicKey)
	payTo := common.HexToAddress("0x00000000000000000000000000000000000CA51E")
	c.Mint(t, payer, 5_000_000)
	s := &evm.Settler{Wallet: c.Wallet(t, gas), Network: c.Network}

	p := evmtest.Accept(t, payerKey, c.Network, payTo, 1_000_000)
	tx, err := s.Settle(ctx, p)
	if err != nil {
		t.Fatalf("settle: %v", err)
	}
	if got := c.Balance(t, payer); got != 4_000_000 {
		t.Fatalf("payer balance %d, want 4000000", got)
	}
	if got := c.Balance(t, payTo); got != 1_000_000 {
		t.Fatalf("payTo balance %d, want 1000000", got)
	}
	// Idempotent: the authorization is used; settling again finds its transaction.
	again, err := s.Settle(ctx, p)
	if err != nil || again != tx {
		t.Fatalf("settle again: %q %v, want %q", again, err, tx)
	}
	if tx2, used, err := s.Settled(ctx, p); err != nil || !used || tx2 != tx {
		t.Fatalf("settled: %q %v %v", tx2, used, err)
	}
	if got := c.Balance(t, payTo); got != 1_000_000 {
		t.Fatalf("payTo balance after the second settle %d", got)
	}

	// Concurrent settlements of one new authorization: one transaction, the same answer to all.
	p2 := evmtest.Accept(t, payerKey, c.Network, payTo, 100_000)
	var wg sync.WaitGroup
	txs := make([]string, 4)
	errs := make([]error, 4)
	for i := range txs {
		wg.Go(func() { txs[i], errs[i] = s.Settle(ctx, p2) })
	}
	wg.Wait()
	for i := range txs {
		if errs[i] != nil || txs[i] != txs[0] {
			t.Fatalf("concurrent settle %d: %q %v (first %q)", i, txs[i], errs[i], txs[0])
		}
	}
	if got := c.Balance(t, payTo); got != 1_100_000 {
		t.Fatalf("payTo balance after concurrent settles %d, want 1100000", got)
	}

	forge := func(f func(p *x402.Payment)) *x402.Payment {
		q := evmtest.Accept(t, payerKey, c.Network, payTo, 100_000)
		f(q)
		return q
	}
	for _, tc := range []struct {
		name   string
		p      *x402.Payment
		reason x402.Reason
	}{
		{"wrong value", forge(func(q *x402.Payment) { q.Authorization.Value = x402.WordFromUint64(200_000) }), x402.ReasonInvalidSignature},
		{"bad signature", forge(func(q *x402.Payment) { q.Signature[5] ^= 1 }), x402.ReasonInvalidSignature},
		{"other recipient", forge(func(q *x402.Payment) { q.Authorization.To = payer }), x402.ReasonInvalidSignature},
		{"over the balance", evmtest.Accept(t, payerKey, c.Network, payTo, 50_000_000), x402.ReasonInsufficientFunds},
	} {
		for _, mined := range []bool{false, true} {
			// mined: a fixed gas limit skips the estimate, so the transaction is mined and reverts.
			w := c.Wallet(t, gas)
			if mined {
				w.GasLimit = 200_000
			}
			before := c.Balance(t, payTo)
			_, err := (&evm.Settler{Wallet: w, Network: c.Network}).Settle(ctx, tc.p)
			var xe *x402.Error
			if !errors.As(err, &xe) || (!mined && xe.Reason != tc.reason) {
				t.Fatalf("%s (mined %v): %v, want a refusal %s", tc.name, mined, err, tc.reason)
			}
			if got := c.Balance(t, payTo); got != before {
				t.Fatalf("%s: payTo balance moved %d → %d", tc.name, before, got)
			}
		}
	}
	if got := c.Balance(t, payer); got != 3_900_000 {
		t.Fatalf("payer balance at the end %d, want 3900000", got)
	}
}

// TestPayout: an ERC-20 transfer from the house wallet; more than it holds is refused.
func TestPayout(t *testing.T) {
	ctx := context.Background()
	house := evmtest.Key(t)
	c := evmtest.New(t, "USD Coin", "2", house)
	c.Mint(t, crypto.PubkeyToAddress(house.PublicKey), 2_000_000)
	to := crypto.PubkeyToAddress(evmtest.Key(t).PublicKey)
	var p chain.Payout = &evm.Payout{Wallet: c.Wallet(t, house), Token: c.Token}
	tx, err := p.Pay(ctx, to, 1_500_000, "w1")
	if err != nil || len(tx) != 66 {
		t.Fatalf("pay: %q %v", tx, err)
	}
	if got := c.Balance(t, to); got != 1_500_000 {
		t.Fatalf("balance %d", got)
	}
	if _, err := p.Pay(ctx, to, 600_000, "w2"); !chain.IsRefused(err) {
		t.Fatalf("pay over the house balance: %v, want refused", err)
	}
	w := c.Wallet(t, house)
	w.GasLimit = 100_000
	if _, err := (&evm.Payout{Wallet: w, Token: c.Token}).Pay(ctx, to, 600_000, "w3"); !chain.IsRefused(err) {
		t.Fatalf("pay over the house balance, mined: %v, want refused", err)
	}
	if got := c.Balance(t, to); got != 1_500_000 {
		t.Fatalf("balance after refusals %d", got)
	}
	if b, _ := evm.BalanceOf(ctx, c.Client, c.Token, crypto.PubkeyToAddress(house.PublicKey)); b.Cmp(big.NewInt(500_000)) != 0 {
		t.Fatalf("house balance %s", b)
	}
}

// TestPayoutReplaced: a payout signed with its fee cap bounded below the chain's base fee sits
// unmined in the pool; Replace within the same bound is chain.ErrFeeBound (nothing signed); with
// a higher bound the replacement (the same nonce and transfer, fees raised by a quarter at least
// and to the suggested ones) is taken by the node and mined, the original can then never be,
// and the tokens moved once. A payout queued behind the stuck one is not replaced (ErrBehind).
func TestPayoutReplaced(t *testing.T) {
	ctx := context.Background()
	house := evmtest.Key(t)
	c := evmtest.New(t, "USD Coin", "2", house)
	c.Mint(t, crypto.PubkeyToAddress(house.PublicKey), 2_000_000)
	to := crypto.PubkeyToAddress(evmtest.Key(t).PublicKey)
	head, err := c.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	tip, _ := c.Client.SuggestGasTipCap(ctx)
	t.Logf("base fee %s, suggested tip %s", head.BaseFee, tip)
	low := new(big.Int).Div(head.BaseFee, big.NewInt(50))
	p := &evm.Payout{Wallet: c.Wallet(t, house), Token: c.Token, MaxFeeCap: low}

	var first chain.Signed
	stop := errors.New("test: the process stopped before broadcasting")
	if _, err := p.PayRecorded(ctx, to, 1_500_000, "w1", func(_ context.Context, s chain.Signed) error { first = s; return stop }); !errors.Is(err, stop) {
		t.Fatalf("pay: %v", err)
	}
	if err := p.Broadcast(ctx, first); err != nil {
		t.Fatalf("broadcast: %v", err)
	}
	c.Backend.Commit()
	if o, err := p.Lookup(ctx, first); err != nil || o != chain.Unsent || c.Balance(t, to) != 0 {
		t.Fatalf("a payout below the base fee: %v %v, recipient holds %d", o, err, c.Balance(t, to))
	}
	ftx := txOf(t, first)
	if ftx.GasFeeCap().Cmp(low) != 0 {
		t.Fatalf("fee cap %s, want the bound %s", ftx.GasFeeCap(), low)
	}
	if _, err := p.Replace(ctx, []chain.Signed{first}); !errors.Is(err, chain.ErrFeeBound) {
		t.Fatalf("replace at the bound: %v, want ErrFeeBound", err)
	}
	// A payout queued behind the stuck one is not replaced: a higher fee would not move it.
	var queued chain.Signed
	if _, err := p.PayRecorded(ctx, to, 100_000, "w-queued", func(_ context.Context, s chain.Signed) error { queued = s; return stop }); !errors.Is(err, stop) {
		t.Fatalf("pay: %v", err)
	}
	if err := p.Broadcast(ctx, queued); err != nil || queued.Nonce != first.Nonce+1 {
		t.Fatalf("broadcast the queued payout at nonce %d: %v", queued.Nonce, err)
	}
	p.MaxFeeCap = nil
	if _, err := p.Replace(ctx, []chain.Signed{queued}); !errors.Is(err, chain.ErrBehind) {
		t.Fatalf("replace a payout behind another: %v, want ErrBehind", err)
	}

	p.MaxFeeCap = new(big.Int).Mul(head.BaseFee, big.NewInt(10))
	second, err := p.Replace(ctx, []chain.Signed{first})
	if err != nil {
		t.Fatalf("replace: %v", err)
	}
	stx := txOf(t, second)
	if second.Nonce != first.Nonce || second.Tx == first.Tx || *stx.To() != *ftx.To() || !bytes.Equal(stx.Data(), ftx.Data()) || stx.Gas() != ftx.Gas() {
		t.Fatalf("the replacement is not the same payout: %+v %+v", stx, ftx)
	}
	if stx.GasTipCap().Cmp(new(big.Int).Div(new(big.Int).Mul(ftx.GasTipCap(), big.NewInt(5)), big.NewInt(4))) < 0 ||
		stx.GasFeeCap().Cmp(new(big.Int).Div(new(big.Int).Mul(ftx.GasFeeCap(), big.NewInt(5)), big.NewInt(4))) < 0 ||
		stx.GasTipCap().Cmp(tip) < 0 || stx.GasFeeCap().Cmp(head.BaseFee) < 0 {
		t.Fatalf("replacement fees tip %s cap %s (first: %s %s; suggested tip %s, base fee %s)",
			stx.GasTipCap(), stx.GasFeeCap(), ftx.GasTipCap(), ftx.GasFeeCap(), tip, head.BaseFee)
	}
	if err := p.Broadcast(ctx, second); err != nil {
		t.Fatalf("broadcast the replacement: %v", err)
	}
	if o, err := p.Lookup(ctx, second); err != nil || o != chain.Paid {
		t.Fatalf("replacement: %v %v", o, err)
	}
	if o, err := p.Lookup(ctx, first); err != nil || o != chain.Dropped {
		t.Fatalf("replaced: %v %v", o, err)
	}
	if err := p.Broadcast(ctx, first); err == nil {
		t.Fatal("the replaced payout was taken again")
	}
	c.Backend.Commit()
	if got := c.Balance(t, to); got != 1_500_000 {
		t.Fatalf("recipient holds %d, want 1500000 (paid once)", got)
	}
	// Attempts of two payouts (two nonces) are no replacement.
	var next chain.Signed
	if _, err := p.PayRecorded(ctx, to, 100_000, "w2", func(_ context.Context, s chain.Signed) error { next = s; return stop }); !errors.Is(err, stop) {
		t.Fatalf("pay: %v", err)
	}
	if _, err := p.Replace(ctx, []chain.Signed{first, next}); err == nil || next.Nonce != first.Nonce+2 {
		t.Fatalf("replaced attempts at nonces %d and %d: %v", first.Nonce, next.Nonce, err)
	}
}

func txOf(t *testing.T, s chain.Signed) *types.Transaction {
	t.Helper()
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(common.FromHex(s.Raw)); err != nil {
		t.Fatal(err)
	}
	return tx
}
