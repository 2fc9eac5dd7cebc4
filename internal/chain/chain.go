// Package chain is what Arcade asks of a payment network beyond accepting x402 payments: paying
// out. Payout is shared by the casino's withdrawals and, later, the poker surface's. Sandbox is
// the built-in network's (no chain: the withdrawal is recorded and done); package chain/evm is
// an ERC-20 transfer from the house wallet on any EVM chain.
package chain

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
)

// Payout sends tokens from the house to an address and answers the transaction hash. ref names
// the withdrawal (for logs and the sandbox's transaction id). A *Refused error means the network
// refused the transfer (nothing left the house; refund the withdrawal); any other error leaves its
// outcome unknown (the transfer may yet land: do not refund, reconcile).
type Payout interface {
	Pay(ctx context.Context, to common.Address, amountMicro int64, ref string) (tx string, err error)
}

// Refused is a payout the network refused: a reverted transfer (e.g. the house wallet lacks the
// balance).
type Refused struct{ Reason string }

func (e *Refused) Error() string { return "chain: payout refused: " + e.Reason }

// IsRefused reports whether err is a *Refused.
func IsRefused(err error) bool {
	var r *Refused
	return errors.As(err, &r)
}

// Sandbox pays out on the built-in sandbox network: nothing moves on any chain; the transaction
// id is derived from ref (a withdrawal's UUID), so the same withdrawal always answers the same id.
type Sandbox struct{}

// Pay implements Payout.
func (Sandbox) Pay(_ context.Context, to common.Address, amountMicro int64, ref string) (string, error) {
	tx, err := SandboxTx(ref)
	if err != nil || amountMicro < 1 {
		return "", fmt.Errorf("chain: sandbox payout of %d to %s: needs an amount and a UUID ref: %v", amountMicro, to.Hex(), err)
	}
	return tx, nil
}

// SandboxTx is the sandbox's stand-in transaction hash for a withdrawal: its UUID's 16 bytes,
// zero-padded to 32, recognisable and unique.
func SandboxTx(ref string) (string, error) {
	u, err := uuid.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("chain: sandbox ref %q: %w", ref, err)
	}
	return fmt.Sprintf("0x%064x", u[:]), nil
}
