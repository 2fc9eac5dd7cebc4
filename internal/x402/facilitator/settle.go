package facilitator

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/arcadehq/arcade/internal/x402"
)

// Settler settles accepted payments through a facilitator's /settle (Arcade verifies locally
// first, so /verify is not asked). It implements bets.Settler: the facilitator's refusal is a
// refusal (the bet is voided); no answer (the facilitator is down, the connection dropped, the
// call timed out, a non-200) is an unknown outcome (the bet stays settling and the resolver asks
// again). Facilitators answer a second /settle of an authorization they already executed in their
// own ways, some with a refusal (the nonce is used), which must not void a paid bet: such a refusal
// is checked on chain with Confirm when it is set, and is otherwise left unknown.
type Settler struct {
	Client *Client
	// Timeout bounds one /settle (default 60 s: the facilitator waits for the transaction).
	Timeout time.Duration
	// MaxTimeoutSeconds is the offers' maxTimeoutSeconds (0: x402's default), to rebuild the
	// requirements of a payment read back from the database.
	MaxTimeoutSeconds int
	// Confirm reports whether p's authorization is used on chain and by which transaction of
	// the payee's transfer (evm.Settler.Settled over a read-only RPC endpoint). Optional.
	Confirm func(ctx context.Context, p *x402.Payment) (tx string, used bool, err error)
}

// Settle implements bets.Settler.
func (s *Settler) Settle(ctx context.Context, p *x402.Payment) (string, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pp, req := PayloadOf(p, s.MaxTimeoutSeconds)
	out, err := s.Client.Settle(cctx, pp, req)
	var refused *x402.Error
	if errors.As(err, &refused) {
		if !nonceUsed(refused.Reason) {
			return "", refused
		}
		if s.Confirm == nil {
			return "", fmt.Errorf("facilitator: settle refused as already used (%v); unknown without a chain to confirm it", err)
		}
		tx, used, cerr := s.Confirm(ctx, p)
		switch {
		case errors.As(cerr, &refused): // the nonce went to another transfer
			return "", refused
		case cerr != nil:
			return "", fmt.Errorf("facilitator: confirm on chain: %v", cerr)
		case !used:
			return "", fmt.Errorf("facilitator: settle refused as already used, but the chain has the authorization unused")
		}
		return tx, nil
	}
	if err != nil {
		return "", fmt.Errorf("facilitator: settlement unknown: %v", err)
	}
	if out.Network != p.Network.ID {
		return "", fmt.Errorf("facilitator: settled on %q, the payment is on %s", out.Network, p.Network.ID)
	}
	return out.Transaction, nil
}

// nonceUsed reports a refusal that may mean "already settled": the specification's reason, or
// a reference facilitator's own spelling of a used nonce.
func nonceUsed(r x402.Reason) bool {
	return r == x402.ReasonInvalidTxState || strings.Contains(string(r), "nonce")
}

// PayloadOf rebuilds the payment payload and requirements that p was accepted with: the
// signature and authorization, and the requirements of p's offer (or, for a payment read back
// from the database, its network's exact offer of the amount to the authorization's payee).
func PayloadOf(p *x402.Payment, maxTimeoutSeconds int) (*x402.PaymentPayload, x402.Requirements) {
	req := p.Requirements
	if req.Network == "" {
		req = p.Network.Requirement(p.AmountMicro, p.Authorization.To, maxTimeoutSeconds)
	}
	a := &p.Authorization
	dec := func(w x402.Word) string { return new(big.Int).SetBytes(w[:]).String() }
	return &x402.PaymentPayload{X402Version: x402.Version, Accepted: req, Payload: x402.ExactPayload{
		Signature: hexutil.Encode(p.Signature[:]),
		Authorization: x402.AuthorizationJSON{From: a.From.Hex(), To: a.To.Hex(), Value: dec(a.Value),
			ValidAfter: dec(a.ValidAfter), ValidBefore: dec(a.ValidBefore), Nonce: hexutil.Encode(a.Nonce[:])},
	}}, req
}
