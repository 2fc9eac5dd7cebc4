package app

import (
	"context"
	"errors"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/chain/evm"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/poker/agents"
)

// pokerChain gives the poker surface the configured network: the sandbox's (the default), or on
// an EVM network deposits read from the chain (the token's transfers to the casino's receiving
// address) and withdrawals paid by the house wallet, as the casino's are. On a chain no sandbox
// money exists: new agents start at 0. Without an RPC endpoint to read, deposits and
// withdrawals answer 503.
func (a *App) pokerChain(s *agents.Service) {
	n := a.Cfg.X402Network
	if n.ID == "" || n.Sandbox {
		return
	}
	a.PokerService.Cfg.SandboxGrant = 0
	s.Chain = nil
	if a.evm == nil {
		return
	}
	required := a.Cfg.PokerConfirmations
	if required <= 0 {
		required = 12
	}
	c := &evmPokerChain{network: n.ID, required: required, Payout: a.payout,
		deposits: &evm.Deposits{Client: a.evm, Token: n.Asset, To: a.payTo()}}
	s.Chain = c
	if t, ok := a.payout.(chain.Tracker); ok {
		s.Chain = trackedPokerChain{c, t} // payouts recorded before they are sent, reconciled
	}
}

// trackedPokerChain is an evmPokerChain whose payouts are a chain.Tracker's.
type trackedPokerChain struct {
	*evmPokerChain
	chain.Tracker
}

// evmPokerChain is agents.Chain on an EVM network.
type evmPokerChain struct {
	network  string
	required int
	deposits *evm.Deposits
	chain.Payout
}

func (c *evmPokerChain) Network() string { return c.network }
func (c *evmPokerChain) Sandbox() bool   { return false }

// Incoming implements agents.Chain from the transaction's receipt.
func (c *evmPokerChain) Incoming(ctx context.Context, txHash string) (agents.Incoming, error) {
	d, err := c.deposits.Incoming(ctx, common.HexToHash(txHash))
	switch {
	case errors.Is(err, evm.ErrTxNotFound):
		return agents.Incoming{}, errs.Invalid("tx_hash", "no mined transaction with this hash on %s (yet)", c.network)
	case errors.Is(err, evm.ErrNoTransfer):
		return agents.Incoming{}, errs.Invalid("tx_hash", "the transaction moves no USDC to the platform address %s", c.deposits.To.Hex())
	case err != nil:
		return agents.Incoming{}, &errs.Error{Kind: errs.Unavailable, Message: "the chain cannot be read now; retry", Err: err}
	}
	if !d.Amount.IsInt64() {
		return agents.Incoming{}, errs.Invalid("tx_hash", "the transferred amount is out of range")
	}
	return agents.Incoming{Amount: money.Amount(d.Amount.Int64()), From: strings.ToLower(d.From.Hex()),
		Confirmations: int(d.Confirmations), Required: c.required}, nil
}
