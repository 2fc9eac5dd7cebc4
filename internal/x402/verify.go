package x402

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// ValidBeforeMargin is how long an authorization must still be valid when it is verified: the
// reference facilitators' 6 s, about three Base blocks, so that a settlement sent now lands
// before the authorization expires.
const ValidBeforeMargin = 6 * time.Second

// NonceKey names one EIP-3009 authorization: the token contract keeps one used flag per
// (authorizer, nonce), and Arcade keeps it per network too.
type NonceKey struct {
	Network string
	Asset   common.Address
	From    common.Address
	Nonce   [32]byte
}

// NonceStore answers whether an authorization nonce has already been used. The payment service
// implements it on the database so that a replay is refused on every instance; recording the
// nonce belongs to the service's settlement transaction (a unique key), not to the verifier, so
// two concurrent copies of one payment still settle at most once.
type NonceStore interface {
	NonceUsed(ctx context.Context, k NonceKey) (bool, error)
}

// Payment is a verified payment.
type Payment struct {
	Payer         common.Address // recovered from the signature: the only source of the payer
	Offer         int            // index of the matched offer
	Requirements  Requirements   // the matched offer, as the server made it
	Network       *Network
	AmountMicro   int64
	Authorization Authorization
	Signature     [65]byte // r ‖ s ‖ v with v normalised to 27 or 28, as the token contract wants it
	Digest        [32]byte
	Nonce         NonceKey
}

type verifierNetwork struct {
	Network
	separator [32]byte
}

// Verifier checks payments locally and completely; see Verify. It is safe for concurrent use.
type Verifier struct {
	networks map[string]*verifierNetwork
	nonces   NonceStore
	now      func() time.Time
}

// NewVerifier returns a Verifier for the given networks. now is the clock (time.Now in
// production); nonces answers replay questions.
func NewVerifier(networks []Network, nonces NonceStore, now func() time.Time) (*Verifier, error) {
	if nonces == nil || now == nil {
		return nil, fmt.Errorf("x402: NewVerifier needs a NonceStore and a clock")
	}
	v := &Verifier{networks: make(map[string]*verifierNetwork, len(networks)), nonces: nonces, now: now}
	for _, n := range networks {
		if err := n.Validate(); err != nil {
			return nil, err
		}
		v.networks[n.ID] = &verifierNetwork{Network: n, separator: n.DomainSeparator()}
	}
	return v, nil
}

// VerifyHeader decodes a PAYMENT-SIGNATURE / X-PAYMENT header and verifies it against offers.
func (v *Verifier) VerifyHeader(ctx context.Context, offers []Requirements, header string) (*Payment, error) {
	p, err := DecodePaymentPayload(header)
	if err != nil {
		return nil, err
	}
	return v.Verify(ctx, offers, p)
}

// Verify checks p against the server's offers, cheapest checks first, and returns the payment
// or an *Error carrying the x402 reason:
//
//	x402Version 2, scheme exact                        invalid_x402_version, unsupported_scheme
//	accepted.network offered and configured             invalid_network
//	accepted equals an offer (amount, asset, payTo, extra name/version)  invalid_payment_requirements
//	authorization well formed                           invalid_payload
//	to = payTo                                          invalid_exact_evm_payload_recipient_mismatch
//	value = amount, exactly                             invalid_exact_evm_payload_authorization_value_mismatch
//	validAfter ≤ now                                    invalid_exact_evm_payload_authorization_valid_after
//	validBefore ≥ now + 6 s                             invalid_exact_evm_payload_authorization_valid_before
//	65-byte low-s signature recovering to from          invalid_exact_evm_payload_signature
//	nonce unused                                        invalid_transaction_state
//
// Smart-contract wallets (ERC-1271, ERC-6492) are not supported: their signatures are refused
// as invalid. The balance is not checked here: settlement is where insufficient funds show.
func (v *Verifier) Verify(ctx context.Context, offers []Requirements, p *PaymentPayload) (*Payment, error) {
	if err := p.checkShape(); err != nil {
		return nil, err
	}
	acc := &p.Accepted
	if acc.Scheme != SchemeExact {
		return nil, refuse(ReasonUnsupportedScheme, "scheme %q, want exact", truncate(acc.Scheme))
	}
	net := v.networks[acc.Network]
	offered := false
	for i := range offers {
		offered = offered || offers[i].Network == acc.Network
	}
	if net == nil || !offered {
		return nil, refuse(ReasonInvalidNetwork, "network %q is not offered", truncate(acc.Network))
	}
	idx := -1
	for i := range offers {
		if sameRequirement(&offers[i], acc) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, refuse(ReasonInvalidRequirements, "accepted requirements match no offer (amount, asset, payTo, extra)")
	}
	offer := &offers[idx]
	price, ok := parseMicro(offer.Amount)
	asset, aok := parseAddress(offer.Asset)
	payTo, pok := parseAddress(offer.PayTo)
	if !ok || !aok || !pok || asset != net.Asset || offer.Extra == nil ||
		offer.Extra.Name != net.TokenName || offer.Extra.Version != net.TokenVersion {
		return nil, refuse(ReasonUnexpectedVerify, "offer %d does not fit network %s", idx, net.ID)
	}

	auth, err := ParseAuthorization(&p.Payload.Authorization)
	if err != nil {
		return nil, err
	}
	sig, ok := parseSignature(p.Payload.Signature)
	if !ok {
		return nil, refuse(ReasonInvalidSignature, "signature is not 0x and 65 bytes (smart-wallet signatures are not supported)")
	}
	if auth.To != payTo {
		return nil, refuse(ReasonRecipientMismatch, "authorization pays %s, not %s", auth.To.Hex(), payTo.Hex())
	}
	if auth.Value != WordFromUint64(uint64(price)) {
		return nil, refuse(ReasonValueMismatch, "authorization value %s, price %d", truncate(p.Payload.Authorization.Value), price)
	}
	now := v.now().Unix()
	if after, ok := auth.ValidAfter.Uint64(); !ok || now < 0 || after > uint64(now) {
		return nil, refuse(ReasonValidAfter, "authorization is valid only after %s", truncate(p.Payload.Authorization.ValidAfter))
	}
	if before, ok := auth.ValidBefore.Uint64(); ok && before < uint64(now)+uint64(ValidBeforeMargin/time.Second) {
		return nil, refuse(ReasonValidBefore, "authorization expired at %d (now %d, margin %s)", before, now, ValidBeforeMargin)
	}

	digest := auth.Digest(net.separator)
	payer, err := recoverSigner(&digest, &sig)
	if err != nil {
		return nil, err
	}
	if payer != auth.From {
		return nil, refuse(ReasonInvalidSignature, "signature recovers to %s, not authorization.from", payer.Hex())
	}

	key := NonceKey{Network: net.ID, Asset: net.Asset, From: payer, Nonce: auth.Nonce}
	used, err := v.nonces.NonceUsed(ctx, key)
	if err != nil {
		return nil, &Error{Reason: ReasonUnexpectedVerify, Message: "nonce store", Err: err}
	}
	if used {
		return nil, refuse(ReasonInvalidTxState, "authorization nonce already used")
	}
	if sig[64] < 27 {
		sig[64] += 27
	}
	return &Payment{
		Payer: payer, Offer: idx, Requirements: *offer, Network: &net.Network, AmountMicro: price,
		Authorization: auth, Signature: sig, Digest: digest, Nonce: key,
	}, nil
}

// sameRequirement reports whether a client's accepted requirements are the offer: the same
// scheme, network, amount, asset, payTo (addresses in any case) and token domain.
func sameRequirement(offer, acc *Requirements) bool {
	if offer.Scheme != acc.Scheme || offer.Network != acc.Network || offer.Amount != acc.Amount ||
		!strings.EqualFold(offer.Asset, acc.Asset) || !strings.EqualFold(offer.PayTo, acc.PayTo) {
		return false
	}
	if offer.Extra == nil || acc.Extra == nil {
		return offer.Extra == acc.Extra
	}
	return offer.Extra.Name == acc.Extra.Name && offer.Extra.Version == acc.Extra.Version
}

// secp256k1HalfN is ⌊n/2⌋ for the secp256k1 group order n: a signature with s above it is the
// malleable twin of one below, and the token contract (like Ethereum since Homestead) refuses it.
var secp256k1HalfN = [32]byte{
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
}

var zero32 [32]byte

var sigPool = sync.Pool{New: func() any { return new([65]byte) }}

// recoverSigner returns the address whose key made sig over digest. v may be 27/28 or 0/1; s
// must be in the lower half of the order and r, s non-zero.
func recoverSigner(digest *[32]byte, sig *[65]byte) (common.Address, error) {
	var a common.Address
	v := sig[64]
	if v >= 27 {
		v -= 27
	}
	if v > 1 {
		return a, refuse(ReasonInvalidSignature, "recovery byte %d, want 27 or 28", sig[64])
	}
	r, s := sig[0:32], sig[32:64]
	if bytes.Equal(r, zero32[:]) || bytes.Equal(s, zero32[:]) || bytes.Compare(s, secp256k1HalfN[:]) > 0 {
		return a, refuse(ReasonInvalidSignature, "signature r or s out of range (high s is refused)")
	}
	norm := sigPool.Get().(*[65]byte)
	*norm = *sig
	norm[64] = v
	pub, err := crypto.Ecrecover(digest[:], norm[:])
	sigPool.Put(norm)
	if err != nil || len(pub) != 65 {
		return a, &Error{Reason: ReasonInvalidSignature, Message: "no key recovers from this signature", Err: err}
	}
	var h [32]byte
	keccak(&h, pub[1:])
	copy(a[:], h[12:])
	return a, nil
}

// truncate keeps client-supplied text in error messages short.
func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// MemoryNonces is an in-process NonceStore with a Use that checks and records in one step: the
// sandbox's and the tests' store. A multi-instance deployment uses the database instead.
type MemoryNonces struct {
	mu   sync.Mutex
	used map[NonceKey]struct{}
}

var _ NonceStore = (*MemoryNonces)(nil)

// NonceUsed reports whether k was recorded.
func (m *MemoryNonces) NonceUsed(_ context.Context, k NonceKey) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.used[k]
	return ok, nil
}

// Use records k and reports false if it was already recorded.
func (m *MemoryNonces) Use(k NonceKey) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.used == nil {
		m.used = make(map[NonceKey]struct{})
	}
	if _, ok := m.used[k]; ok {
		return false
	}
	m.used[k] = struct{}{}
	return true
}
