package agents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
)

// Chain is what deposits and withdrawals need from a USDC network (consumer-owned, the smallest
// surface the poker routes need): verify an incoming transfer to the platform's address by its
// transaction hash, and send a payout. The sandbox implementation below settles at once; an EVM
// implementation (go-ethereum's ethclient reading the USDC Transfer log) plugs in here.
type Chain interface {
	// Network names the network ("sandbox", "base", ...). Sandbox reports whether its money is
	// sandbox money (labelled so in /me and /balance).
	Network() string
	Sandbox() bool
	// Incoming verifies the USDC transfer to the platform's address made by the transaction
	// txHash: errs.Validation (field tx_hash) when there is none, errs.Unavailable when the
	// network cannot be read.
	Incoming(ctx context.Context, txHash string) (Incoming, error)
	// Send pays amount USDC to the address for the withdrawal id (the id makes a retry
	// idempotent on the chain's side); errs.Unavailable when the network cannot take it.
	Send(ctx context.Context, withdrawalID, to string, amount money.Amount) (Outgoing, error)
}

// Incoming is a verified deposit.
type Incoming struct {
	Amount        money.Amount
	From          string
	Confirmations int
	Required      int // confirmations the network requires before crediting
}

// Outgoing is a sent payout.
type Outgoing struct {
	TxHash        string
	Confirmations int
	Confirmed     bool
}

// TxHash is a 0x-prefixed 32-byte hex transaction hash.
var TxHash = regexp.MustCompile(`^0x[0-9a-fA-F]{64}$`)

// Sandbox is the embedded sandbox network: every well-formed transaction hash is a deposit of
// DepositAmount sandbox USDC (each hash credited once, by the deposits table), and payouts
// confirm at once with a transaction hash derived from the withdrawal id. No money exists outside
// it: this is how a bot tops up in minutes on a development server.
type Sandbox struct {
	DepositAmount money.Amount
}

// SandboxDeposit is what one sandbox deposit credits by default: 10.00 USDC.
const SandboxDeposit money.Amount = 10_000_000

// Network implements Chain.
func (Sandbox) Network() string { return "sandbox" }

// Sandbox implements Chain.
func (Sandbox) Sandbox() bool { return true }

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

// Send implements Chain.
func (Sandbox) Send(_ context.Context, withdrawalID, _ string, _ money.Amount) (Outgoing, error) {
	h := sha256.Sum256([]byte("arcade sandbox payout " + withdrawalID))
	return Outgoing{TxHash: "0x" + hex.EncodeToString(h[:]), Confirmations: 1, Confirmed: true}, nil
}
