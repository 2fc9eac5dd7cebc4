package evm

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/arcadehq/arcade/internal/x402"
)

// Settler settles accepted x402 payments on its network's chain by submitting the payer's
// transferWithAuthorization (the payee receives the tokens; the settlement wallet pays the gas).
// It implements bets.Settler and is idempotent: an authorization already used on chain answers
// the transaction that used it (found by its AuthorizationUsed event) when that transaction paid
// the payee the authorized value; a refusal (*x402.Error) only ever means no money moved to the
// payee for this authorization.
type Settler struct {
	Wallet  *Wallet
	Network x402.Network
	// Lookback bounds the search for the transaction of an authorization already used, in
	// blocks back from the head (default 50 000: more than a day on Base), in windows of
	// LogWindow blocks (default 2 000: within public RPC endpoints' eth_getLogs limits).
	Lookback, LogWindow uint64
}

// Settle implements bets.Settler.
func (s *Settler) Settle(ctx context.Context, p *x402.Payment) (string, error) {
	if p.Network == nil || p.Network.ID != s.Network.ID || p.Network.Asset != s.Network.Asset {
		return "", fmt.Errorf("evm: settler for %s cannot settle a payment on %v", s.Network.ID, p.Network)
	}
	a := &p.Authorization
	token := s.Network.Asset
	used, err := AuthorizationUsed(ctx, s.Wallet.Client, token, a.From, a.Nonce)
	if err != nil {
		return "", err
	}
	if used { // settled before (an earlier attempt whose answer was lost), or spent elsewhere
		return s.find(ctx, p)
	}
	data, err := packAuthorization(p)
	if err != nil {
		return "", err
	}
	hash, err := s.Wallet.send(ctx, token, data)
	var rv *errRevert
	if errors.As(err, &rv) {
		return s.refused(ctx, p, rv.reason)
	}
	if err != nil {
		return "", err
	}
	r, err := s.Wallet.wait(ctx, hash)
	if err != nil {
		return "", err
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return s.refused(ctx, p, "transaction "+hash.Hex()+" reverted")
	}
	return hash.Hex(), nil
}

// Settled reports whether p's authorization is already used on chain and, if so, the
// transaction that used it (see Settle for what a used nonce means). A facilitator's settlement
// that answered "nonce already used" is confirmed here.
func (s *Settler) Settled(ctx context.Context, p *x402.Payment) (tx string, used bool, err error) {
	used, err = AuthorizationUsed(ctx, s.Wallet.Client, s.Network.Asset, p.Authorization.From, p.Authorization.Nonce)
	if err != nil || !used {
		return "", false, err
	}
	tx, err = s.find(ctx, p)
	return tx, true, err
}

// refused turns a revert into a refusal, unless the authorization turns out to be used: then a
// concurrent settlement (another resolver) won, and its transaction is the answer.
func (s *Settler) refused(ctx context.Context, p *x402.Payment, reason string) (string, error) {
	used, err := AuthorizationUsed(ctx, s.Wallet.Client, s.Network.Asset, p.Authorization.From, p.Authorization.Nonce)
	if err != nil {
		return "", err
	}
	if used {
		return s.find(ctx, p)
	}
	return "", &x402.Error{Reason: reasonOf(reason), Message: "transferWithAuthorization reverted: " + reason}
}

// reasonOf maps a token's revert message (USDC's and TestUSDC's wording) to the x402 reason.
func reasonOf(msg string) x402.Reason {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "exceeds balance"):
		return x402.ReasonInsufficientFunds
	case strings.Contains(m, "invalid signature"):
		return x402.ReasonInvalidSignature
	case strings.Contains(m, "not yet valid"):
		return x402.ReasonValidAfter
	case strings.Contains(m, "expired"):
		return x402.ReasonValidBefore
	case strings.Contains(m, "used or canceled"):
		return x402.ReasonInvalidTxState
	}
	return x402.ReasonUnexpectedSettle
}

func packAuthorization(p *x402.Payment) ([]byte, error) {
	a := &p.Authorization
	var r, sv [32]byte
	copy(r[:], p.Signature[:32])
	copy(sv[:], p.Signature[32:64])
	data, err := Token.Pack("transferWithAuthorization", a.From, a.To, new(big.Int).SetBytes(a.Value[:]),
		new(big.Int).SetBytes(a.ValidAfter[:]), new(big.Int).SetBytes(a.ValidBefore[:]), a.Nonce, p.Signature[64], r, sv)
	if err != nil {
		return nil, fmt.Errorf("evm: pack transferWithAuthorization: %w", err)
	}
	return data, nil
}

// find returns the transaction that used p's authorization, if it paid p.Authorization.To the
// authorized value from the payer. Not found within the lookback window: unknown (an error that
// is not a refusal). Found but not this transfer: the payer spent the nonce on another
// authorization, and this one can never settle: a refusal.
func (s *Settler) find(ctx context.Context, p *x402.Payment) (string, error) {
	a := &p.Authorization
	c := s.Wallet.Client
	head, err := c.BlockNumber(ctx)
	if err != nil {
		return "", fmt.Errorf("evm: head: %w", err)
	}
	lookback, window := s.Lookback, s.LogWindow
	if lookback == 0 {
		lookback = 50_000
	}
	if window == 0 {
		window = 2_000
	}
	value := new(big.Int).SetBytes(a.Value[:])
	stop := uint64(0)
	if head > lookback {
		stop = head - lookback
	}
	for hi := head; ; {
		lo := stop
		if hi-stop >= window {
			lo = hi - window + 1
		}
		logs, err := c.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: new(big.Int).SetUint64(lo), ToBlock: new(big.Int).SetUint64(hi),
			Addresses: []common.Address{s.Network.Asset},
			Topics:    [][]common.Hash{{topicAuthorizationUsed}, {common.BytesToHash(a.From[:])}, {common.Hash(a.Nonce)}}})
		if err != nil {
			return "", fmt.Errorf("evm: logs: %w", err)
		}
		for _, l := range logs {
			if l.Removed {
				continue
			}
			r, err := c.TransactionReceipt(ctx, l.TxHash)
			if err != nil {
				return "", fmt.Errorf("evm: receipt of %s: %w", l.TxHash.Hex(), err)
			}
			if r.Status == types.ReceiptStatusSuccessful && transferIn(r, s.Network.Asset, a.From, a.To, value) {
				return l.TxHash.Hex(), nil
			}
			return "", &x402.Error{Reason: x402.ReasonInvalidTxState,
				Message: "the authorization's nonce was used by another transfer (" + l.TxHash.Hex() + ")"}
		}
		if lo == stop {
			break
		}
		hi = lo - 1
	}
	return "", fmt.Errorf("evm: authorization %x of %s is used but its transaction is not within %d blocks", a.Nonce, a.From.Hex(), lookback)
}
