package ops

import (
	"context"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/x402"
)

// Payment is a Payer call's verified x402 payment. The operation that accepts it records it in
// its own transaction (the authorization's nonce is a unique key, so it is accepted once on any
// number of instances) and, once it settles, sets Receipt, which every binding returns to the
// payer (PAYMENT-RESPONSE over HTTP).
type Payment struct {
	*x402.Payment
	Receipt *x402.SettleResponse
}

// AmountMicro is what was paid, in micro-USDC (0 for no payment).
func (p *Payment) AmountMicro() int64 {
	if p == nil || p.Payment == nil {
		return 0
	}
	return p.Payment.AmountMicro
}

// PayerAddress is the recovered payer as lowercase 0x hex.
func (p *Payment) PayerAddress() string { return strings.ToLower(p.Payer.Hex()) }

// Paywall turns an x402 payment into a Caller for every binding alike, as Gate does for API
// keys: it makes the offers for a price (one per configured network, from one price table),
// verifies a payment against them locally and completely, and resolves the payer's account by
// its proved wallet address (DESIGN §3).
type Paywall struct {
	Verifier *x402.Verifier
	Networks []x402.Network // offered in this order; the first is the default
	PayTo    common.Address
	Accounts *account.Service
	// MaxTimeoutSeconds is the offers' maxTimeoutSeconds (0: x402's default, 120 s).
	MaxTimeoutSeconds int
}

// Offers returns the ways to pay priceMicro: one exact-scheme offer per network.
func (p *Paywall) Offers(priceMicro int64) []x402.Requirements {
	out := make([]x402.Requirements, len(p.Networks))
	for i, n := range p.Networks {
		out[i] = n.Requirement(priceMicro, p.PayTo, p.MaxTimeoutSeconds)
	}
	return out
}

// Resolve verifies the payment header against offers and returns c as the payer: its Payment
// set and its Account the payer's (created on first payment). A refused payment is an
// *x402.Error carrying the x402 reason.
func (p *Paywall) Resolve(ctx context.Context, c Caller, header string, offers []x402.Requirements) (Caller, error) {
	pay, err := p.Verifier.VerifyHeader(ctx, offers, header)
	if err != nil {
		return c, err
	}
	a, err := p.Accounts.ByWallet(ctx, pay.Payer.Hex())
	if err != nil {
		return c, fmt.Errorf("ops: payer account: %w", err)
	}
	c.Account, c.Payment = a, &Payment{Payment: pay}
	return c, nil
}
