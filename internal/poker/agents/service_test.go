package agents_test

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/poker/agents"
	"github.com/arcadehq/arcade/internal/poker/table"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// chain is a Chain whose answers a test sets.
type testChain struct {
	incoming agents.Incoming
	inErr    error
	payErr   error
}

func (c *testChain) Sandbox() bool   { return false }
func (c *testChain) Network() string { return "test" }
func (c *testChain) Incoming(ctx context.Context, h string) (agents.Incoming, error) {
	if c.inErr != nil {
		return agents.Incoming{}, c.inErr
	}
	return c.incoming, nil
}
func (c *testChain) Pay(ctx context.Context, to common.Address, amt int64, ref string) (string, error) {
	if c.payErr != nil {
		return "", c.payErr
	}
	return "0xsent", nil
}

func newService(t *testing.T, e store.Engine, ch agents.Chain) *agents.Service {
	db := storetest.Open(t, e)
	cfg := table.DefaultConfig()
	cfg.SandboxGrant = 0 // a real chain: no sandbox money
	tables := &table.Service{DB: db, Seeds: seeds.Engine{Rand: rand.Reader}, Now: time.Now, Rand: rand.Reader, Cfg: cfg}
	accts := &account.Service{DB: db, Now: time.Now, Rand: rand.Reader}
	return &agents.Service{DB: db, Accounts: accts, Tables: tables, Chain: ch, Now: time.Now, Rand: rand.Reader}
}

// TestChainPaths: with a chain that is not the sandbox, a deposit sent from another wallet than
// the agent's, or short of its confirmations, is refused and credits nothing; a confirmed one is credited once; a payout the network refuses
// comes back to the balance (status failed, 503); one whose outcome is unknown stays pending in
// the pending account (no refund: it may yet land); a paid one leaves; no chain at all is 503.
// The invariant holds throughout.
func TestChainPaths(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		ch := &testChain{}
		s := newService(t, e, ch)
		su, err := s.Register(ctx, "127.0.0.1", agents.Registration{Email: "c@example.com", Name: "chainy", WalletAddress: "0x" + strings.Repeat("1", 40)})
		if err != nil {
			t.Fatal(err)
		}
		id := su.Account.ID
		hash := "0x" + strings.Repeat("c", 64)

		ch.incoming = agents.Incoming{Amount: 3_000_000, Confirmations: 12, Required: 12, From: "0x" + strings.Repeat("2", 40)}
		if _, err := s.Deposit(ctx, id, hash); errs.KindOf(err) != errs.Validation || errs.As(err).Field != "tx_hash" {
			t.Fatalf("a deposit from another wallet: %v", err)
		}
		ch.incoming = agents.Incoming{Amount: 3_000_000, Confirmations: 2, Required: 12, From: "0x" + strings.Repeat("1", 40)}
		if _, err := s.Deposit(ctx, id, hash); errs.KindOf(err) != errs.Validation {
			t.Fatalf("unconfirmed deposit: %v", err)
		}
		ch.incoming.Confirmations = 12
		d, err := s.Deposit(ctx, id, hash)
		if err != nil || d.Amount != 3_000_000 {
			t.Fatalf("deposit: %+v %v", d, err)
		}
		if _, err := s.Deposit(ctx, id, hash); errs.KindOf(err) != errs.Validation {
			t.Fatalf("second credit of one hash: %v", err)
		}
		ch.inErr = errs.Unavailablef("node down")
		if _, err := s.Deposit(ctx, id, "0x"+strings.Repeat("d", 64)); errs.KindOf(err) != errs.Unavailable {
			t.Fatalf("chain down: %v", err)
		}

		// The balance is the deposit's 3.00.
		ch.payErr = &chain.Refused{Reason: "transfer amount exceeds balance"}
		w, err := s.Withdraw(ctx, id, "", 2_000_000)
		if errs.KindOf(err) != errs.Unavailable {
			t.Fatalf("refused payout: %v", err)
		}
		if got, _ := s.Withdrawal(ctx, id, w.ID); got.Status != "failed" || got.Error == "" {
			t.Fatalf("refused withdrawal: %+v", got)
		}
		b, _ := s.Balance(ctx, id)
		if b.Available != 3_000_000 || b.Pending != 0 {
			t.Fatalf("after a refused payout: %+v", b)
		}
		ch.payErr = errors.New("rpc: timeout waiting for the receipt")
		w, err = s.Withdraw(ctx, id, "", 2_000_000)
		if err != nil || w.Status != "pending" {
			t.Fatalf("payout with an unknown outcome: %+v %v", w, err)
		}
		b, _ = s.Balance(ctx, id)
		if b.Available != 1_000_000 || b.Pending != 2_000_000 || b.Total() != 3_000_000 {
			t.Fatalf("after an unknown payout: %+v", b)
		}
		ch.payErr = nil
		w, err = s.Withdraw(ctx, id, "", 1_000_000)
		if err != nil || w.Status != "confirmed" || w.TxHash != "0xsent" {
			t.Fatalf("paid: %+v %v", w, err)
		}
		txs, _, err := s.Transactions(ctx, id, agents.Page{})
		if err != nil || len(txs) != 5 { // deposit, withdraw, refund, withdraw, withdraw
			t.Fatalf("transactions %+v %v", txs, err)
		}
		acc, err := s.Accounting(ctx)
		if err != nil || !acc.Holds || acc.Pending != 2_000_000 || acc.Deposited != 3_000_000 || acc.Withdrawn != 1_000_000 {
			t.Fatalf("accounting %+v %v", acc, err)
		}
		s.Chain = nil
		if _, err := s.Withdraw(ctx, id, "", 2_000_000); errs.KindOf(err) != errs.Unavailable {
			t.Fatalf("no chain: %v", err)
		}
		ledgertest.Check(t, s.DB)
	})
}
