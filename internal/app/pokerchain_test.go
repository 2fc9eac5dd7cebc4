package app_test

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/chain/evm/evmtest"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestPokerChainDeposit: on a real EVM (the simulated backend with TestUSDC), a poker agent
// starts with no sandbox money; its USDC transfer to the platform address is credited once it
// is 12 blocks deep, once, and only to the agent whose registered wallet sent it; a withdrawal
// moves the tokens from the house wallet to that wallet on chain. The invariant holds.
func TestPokerChainDeposit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		house, player := evmtest.Key(t), evmtest.Key(t)
		c := evmtest.New(t, "USD Coin", "2", house, player)
		s := chainServer(t, e, c, app.ChainConfig{Settlement: app.SettleRPC, RPCURL: "simulated", SettlerKey: house},
			common.Address{}, true)
		p := newPokerAPI(t, s)
		c.Mint(t, addrOf(player), 5_000_000)
		c.Mint(t, addrOf(house), 10_000_000)

		r := p.call(t, "POST", "/register", "", `{"email":"onchain@example.com","name":"onchain","wallet_address":"`+addrOf(player).Hex()+`"}`)
		want(t, r, 201, "")
		key := str(r.Body["api_key"])
		if r.Body["sandbox_balance"] != nil {
			t.Fatalf("sandbox money on a chain: %s", r.Raw)
		}
		_, other := p.register(t, "bystander", wallet(77))
		if b := p.call(t, "GET", "/balance", key, ""); b.Body["balance"] != 0.0 || b.Body["sandbox"] != false {
			t.Fatalf("balance: %s", b.Raw)
		}

		// The player sends 3.00 USDC to the platform (the house wallet's address).
		opts, err := bind.NewKeyedTransactorWithChainID(player, big.NewInt(evmtest.ChainID))
		if err != nil {
			t.Fatal(err)
		}
		tx, err := bind.NewBoundContract(c.Token, c.ABI, c.Client, c.Client, c.Client).Transact(opts, "transfer", addrOf(house), big.NewInt(3_000_000))
		if err != nil {
			t.Fatal(err)
		}
		if rc, err := bind.WaitMined(context.Background(), c.Client, tx); err != nil || rc.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("transfer: %v", err)
		}
		hash := tx.Hash().Hex()
		body := `{"tx_hash":"` + hash + `"}`
		want(t, p.call(t, "POST", "/deposit/onchain", key, body), 400, "tx_hash") // 1 of 12 confirmations
		for range 11 {
			c.Backend.Commit()
		}
		want(t, p.call(t, "POST", "/deposit/onchain", other, body), 400, "tx_hash") // not the sender's agent
		d := p.call(t, "POST", "/deposit/onchain", key, body)
		want(t, d, 200, "")
		if d.Body["amount_cents"] != 300.0 || d.Body["confirmations_seen"] != 12.0 || d.Body["confirmations_required"] != 12.0 {
			t.Fatalf("deposit: %s", d.Raw)
		}
		want(t, p.call(t, "POST", "/deposit/onchain", key, body), 400, "tx_hash") // once
		want(t, p.call(t, "POST", "/deposit/onchain", key, `{"tx_hash":"0x`+strings.Repeat("e", 64)+`"}`), 400, "tx_hash")

		w := p.call(t, "POST", "/withdraw", key, `{"amount":1}`)
		want(t, w, 200, "")
		if w.Body["withdrawal_status"] != "confirmed" || w.Body["balance_after"] != 2.0 {
			t.Fatalf("withdraw: %s", w.Raw)
		}
		ws := p.call(t, "GET", "/withdrawal/"+str(w.Body["withdrawal_id"]), key, "")
		rc, err := c.Client.TransactionReceipt(context.Background(), common.HexToHash(str(ws.Body["tx_hash"])))
		if err != nil || rc.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("payout transaction %s: %v", ws.Body["tx_hash"], err)
		}
		if got := c.Balance(t, addrOf(player)); got != 3_000_000 {
			t.Fatalf("player's tokens on chain %d, want 3000000", got)
		}
		if got := c.Balance(t, addrOf(house)); got != 12_000_000 {
			t.Fatalf("house's tokens on chain %d, want 12000000", got)
		}
		acc := p.call(t, "GET", "/accounting", s.platformKey(), "")
		if acc.Body["invariant_holds"] != true || acc.Body["total_deposited_ucents"] != 30000.0 || acc.Body["total_withdrawn_ucents"] != 10000.0 {
			t.Fatalf("accounting: %s", acc.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}
