package agents

import (
	"context"
	"regexp"

	"github.com/ethereum/go-ethereum/common"

	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
)

// Chain is what deposits and withdrawals need from a USDC network (consumer-owned, the smallest
// surface the poker routes need): verify an incoming transfer to the platform's address by its
// transaction hash, and pay out through the payout interface the casino's withdrawals share
// (chain.Payout: internal/chain/evm's Payout is the EVM one). The sandbox implementation below
// settles at once.
type Chain interface {
	// Network names the network ("sandbox", "base", ...). Sandbox reports whether its money is
	// sandbox money (labelled so in /me and /balance).
	Network() string
	Sandbox() bool
	// Incoming verifies the USDC transfer to the platform's address made by the transaction
	// txHash: errs.Validation (field tx_hash) when there is none, errs.Unavailable when the
	// network cannot be read.
	Incoming(ctx context.Context, txHash string) (Incoming, error)
	// Pay sends the payout (chain.Payout's contract: a *chain.Refused error means nothing left
	// the house, any other error leaves the outcome unknown).
	chain.Payout
}

// Incoming is a verified deposit.
type Incoming struct {
	Amount        money.Amount
	From          string
	Confirmations int
	Required      int // confirmations the network requires before crediting
}

// TxHash is a 0x-prefixed 32-byte hex transaction hash.
var TxHash = regexp.MustCompile(`^0x[0-9a-fA-F]{64}$`)

// Sandbox is the embedded sandbox network: every well-formed transaction hash is a deposit of
// DepositAmount sandbox USDC (each hash credited once, by the deposits table), and payouts
// confirm at once (chain.Sandbox: a transaction id derived from the withdrawal's id). No money
// exists outside it: this is how a bot tops up in minutes on a development server.
type Sandbox struct {
	DepositAmount money.Amount
}

// SandboxDeposit is what one sandbox deposit credits by default: 10.00 USDC.
const SandboxDeposit money.Amount = 10_000_000

// Network implements Chain.
func (Sandbox) Network() string { return "sandbox" }

// Sandbox implements Chain.
func (Sandbox) Sandbox() bool { return true }

// Pay implements Chain (chain.Payout) as chain.Sandbox does.
func (Sandbox) Pay(ctx context.Context, to common.Address, amountMicro int64, ref string) (string, error) {
	return chain.Sandbox{}.Pay(ctx, to, amountMicro, ref)
}

// Incoming implements Chain.
func (s Sandbox) Incoming(_ context.Context, txHash string) (Incoming, error) {
	if !TxHash.MatchString(txHash) {
		return Incoming{}, errs.Invalid("tx_hash", "must be 0x and 64 hex digits")
	}
	amt := s.DepositAmount
	if amt <= 0 {
		amt = SandboxDeposit
	}
	return Incoming{Amount: amt, From: "sandbox", Confirmations: 1, Required: 1}, nil
}
