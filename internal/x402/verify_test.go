package x402_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/x402"
	"github.com/arcadehq/arcade/internal/x402/x402pay"
)

// now is the tests' fixed clock: 2026-01-01T00:00:00Z.
var now = time.Unix(1_767_225_600, 0)

const price = 100_000 // $0.10

var payTo = common.HexToAddress("0x1111111111111111111111111111111111111111")

// testKey returns a deterministic private key.
func testKey(t testing.TB, seed uint64) *ecdsa.PrivateKey {
	t.Helper()
	var d [32]byte
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := range d {
		d[i] = byte(r.Uint32())
	}
	k, err := crypto.ToECDSA(d[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

type fixture struct {
	verifier *x402.Verifier
	nonces   *x402.MemoryNonces
	offers   []x402.Requirements
	required *x402.PaymentRequired
	payer    *x402pay.Client
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	nonces := &x402.MemoryNonces{}
	v, err := x402.NewVerifier([]x402.Network{x402.Sandbox, x402.BaseSepolia}, nonces, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	offers := []x402.Requirements{x402.Sandbox.Requirement(price, payTo, 120)}
	pr := &x402.PaymentRequired{
		X402Version: 2, Error: "payment required",
		Resource: &x402.Resource{URL: "https://arcade.test/api/v1/games/dice?stake=micro", MimeType: "application/json"},
		Accepts:  offers,
		Extensions: map[string]x402.Extension{x402.ExtensionBazaar: {
			Info: json.RawMessage(`{}`), Schema: json.RawMessage(`{}`),
		}},
	}
	seed := uint64(0)
	return &fixture{v, nonces, offers, pr, &x402pay.Client{
		Key: testKey(t, 7), Now: func() time.Time { return now },
		Rand: readerFunc(func(p []byte) (int, error) {
			seed++
			r := rand.New(rand.NewPCG(seed, 1))
			for i := range p {
				p[i] = byte(r.Uint32())
			}
			return len(p), nil
		}),
	}}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// payHeader goes over the wire both ways: the server's PAYMENT-REQUIRED header is decoded by
// the paying client, whose PAYMENT-SIGNATURE header is returned.
func (f *fixture) pay(t testing.TB) *x402pay.PaymentPayload {
	t.Helper()
	h, err := x402.EncodeHeader(f.required)
	if err != nil {
		t.Fatal(err)
	}
	var pr x402pay.PaymentRequired
	raw, _ := base64.StdEncoding.DecodeString(h)
	if err := json.Unmarshal(raw, &pr); err != nil {
		t.Fatal(err)
	}
	offer, err := f.payer.Choose(&pr)
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.payer.Pay(&pr, offer)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func encode(t testing.TB, p any) string {
	t.Helper()
	h, err := x402pay.Encode(p)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// resign signs p's (changed) authorization again with key under domain d.
func resign(t testing.TB, p *x402pay.PaymentPayload, key *ecdsa.PrivateKey, d x402pay.Domain) {
	t.Helper()
	sig, err := x402pay.SignTransfer(key, d, p.Payload.Authorization)
	if err != nil {
		t.Fatal(err)
	}
	p.Payload.Signature = sig
}

func sandboxDomain() x402pay.Domain {
	return x402pay.Domain{Name: x402.Sandbox.TokenName, Version: x402.Sandbox.TokenVersion,
		ChainID: new(big.Int).SetUint64(x402.Sandbox.ChainID), VerifyingContract: x402.Sandbox.Asset}
}

func TestPayVerifyRoundTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		p := f.pay(t)
		got, err := f.verifier.VerifyHeader(ctx, f.offers, encode(t, p))
		if err != nil {
			t.Fatal(err)
		}
		if got.Payer.Hex() != f.payer.Address() || got.AmountMicro != price || got.Offer != 0 ||
			!got.Network.Sandbox || got.Signature[64] < 27 {
			t.Fatalf("payment %+v", got)
		}
		if !f.nonces.Use(got.Nonce) {
			t.Fatal("fresh nonce already used")
		}
		_, err = f.verifier.VerifyHeader(ctx, f.offers, encode(t, p))
		if !errors.Is(err, x402.ErrNonceUsed) || x402.ReasonOf(err) != "invalid_transaction_state" {
			t.Fatalf("replay: %v", err)
		}
	}
}

// refusal is one bad payment: how to spoil a good one, and the reason it must be refused with.
type refusal struct {
	name   string
	spoil  func(t testing.TB, f *fixture, p *x402pay.PaymentPayload) string // returns the header; "" = encode p
	reason x402.Reason                                                      // "" = accepted
}

func refusals() []refusal {
	other := common.HexToAddress("0x2222222222222222222222222222222222222222")
	set := func(fn func(p *x402pay.PaymentPayload)) func(testing.TB, *fixture, *x402pay.PaymentPayload) string {
		return func(_ testing.TB, _ *fixture, p *x402pay.PaymentPayload) string { fn(p); return "" }
	}
	signed := func(fn func(p *x402pay.PaymentPayload)) func(testing.TB, *fixture, *x402pay.PaymentPayload) string {
		return func(t testing.TB, f *fixture, p *x402pay.PaymentPayload) string {
			fn(p)
			resign(t, p, f.payer.Key, sandboxDomain())
			return ""
		}
	}
	unix := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	return []refusal{
		{"valid", set(func(*x402pay.PaymentPayload) {}), ""},
		{"valid v=0/1", set(func(p *x402pay.PaymentPayload) {
			sig := hexutil.MustDecode(p.Payload.Signature)
			sig[64] -= 27
			p.Payload.Signature = hexutil.Encode(sig)
		}), ""},
		{"valid lowercase addresses", signed(func(p *x402pay.PaymentPayload) {
			p.Accepted.PayTo = strings.ToLower(p.Accepted.PayTo)
			p.Accepted.Asset = strings.ToLower(p.Accepted.Asset)
			p.Payload.Authorization.From = strings.ToLower(p.Payload.Authorization.From)
		}), ""},
		{"valid validAfter 0", signed(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.ValidAfter = "0" }), ""},
		{"valid far validBefore", signed(func(p *x402pay.PaymentPayload) {
			p.Payload.Authorization.ValidBefore = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)).String()
		}), ""},

		{"forged: another key signs for from", func(t testing.TB, f *fixture, p *x402pay.PaymentPayload) string {
			resign(t, p, testKey(t, 99), sandboxDomain())
			return ""
		}, x402.ReasonInvalidSignature},
		{"forged: from changed after signing", set(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.From = other.Hex() }), x402.ReasonInvalidSignature},
		{"forged: flipped signature bit", set(func(p *x402pay.PaymentPayload) {
			sig := hexutil.MustDecode(p.Payload.Signature)
			sig[10] ^= 1
			p.Payload.Signature = hexutil.Encode(sig)
		}), x402.ReasonInvalidSignature},
		{"forged: high-s twin", set(func(p *x402pay.PaymentPayload) {
			sig := hexutil.MustDecode(p.Payload.Signature)
			s := new(big.Int).SetBytes(sig[32:64])
			s.Sub(crypto.S256().Params().N, s)
			s.FillBytes(sig[32:64])
			sig[64] = 27 + (1 - (sig[64] - 27))
			p.Payload.Signature = hexutil.Encode(sig)
		}), x402.ReasonInvalidSignature},
		{"forged: recovery byte 29", set(func(p *x402pay.PaymentPayload) {
			sig := hexutil.MustDecode(p.Payload.Signature)
			sig[64] = 29
			p.Payload.Signature = hexutil.Encode(sig)
		}), x402.ReasonInvalidSignature},
		{"forged: signed under Base Sepolia's domain", func(t testing.TB, f *fixture, p *x402pay.PaymentPayload) string {
			resign(t, p, f.payer.Key, x402pay.Domain{Name: "USDC", Version: "2", ChainID: big.NewInt(84532), VerifyingContract: x402.BaseSepolia.Asset})
			return ""
		}, x402.ReasonInvalidSignature},
		{"forged: 66-byte signature", set(func(p *x402pay.PaymentPayload) { p.Payload.Signature += "00" }), x402.ReasonInvalidSignature},
		{"forged: zero signature", set(func(p *x402pay.PaymentPayload) { p.Payload.Signature = "0x" + strings.Repeat("0", 128) + "1b" }), x402.ReasonInvalidSignature},

		{"expired", signed(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.ValidBefore = unix(-time.Second) }), x402.ReasonValidBefore},
		{"expires inside the 6 s margin", signed(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.ValidBefore = unix(5 * time.Second) }), x402.ReasonValidBefore},
		{"not yet valid", signed(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.ValidAfter = unix(time.Minute) }), x402.ReasonValidAfter},
		{"not yet valid, huge", signed(func(p *x402pay.PaymentPayload) {
			p.Payload.Authorization.ValidAfter = new(big.Int).Lsh(big.NewInt(1), 200).String()
		}), x402.ReasonValidAfter},

		{"underpaying", signed(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.Value = strconv.Itoa(price - 1) }), x402.ReasonValueMismatch},
		{"overpaying", signed(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.Value = strconv.Itoa(price + 1) }), x402.ReasonValueMismatch},
		{"overpaying beyond 64 bits", signed(func(p *x402pay.PaymentPayload) {
			p.Payload.Authorization.Value = new(big.Int).Lsh(big.NewInt(1), 100).String()
		}), x402.ReasonValueMismatch},
		{"underpaying by lowering accepted.amount", signed(func(p *x402pay.PaymentPayload) {
			p.Accepted.Amount = "1"
			p.Payload.Authorization.Value = "1"
		}), x402.ReasonInvalidRequirements},

		{"wrong network, offered nowhere", signed(func(p *x402pay.PaymentPayload) { p.Accepted.Network = "eip155:8453" }), x402.ReasonInvalidNetwork},
		{"wrong network, configured but not offered", signed(func(p *x402pay.PaymentPayload) { p.Accepted.Network = x402.BaseSepolia.ID }), x402.ReasonInvalidNetwork},
		{"wrong network, v1 name", signed(func(p *x402pay.PaymentPayload) { p.Accepted.Network = "base-sepolia" }), x402.ReasonInvalidNetwork},
		{"wrong asset in accepted", signed(func(p *x402pay.PaymentPayload) { p.Accepted.Asset = other.Hex() }), x402.ReasonInvalidRequirements},
		{"wrong asset in the signed domain", func(t testing.TB, f *fixture, p *x402pay.PaymentPayload) string {
			d := sandboxDomain()
			d.VerifyingContract = other
			resign(t, p, f.payer.Key, d)
			return ""
		}, x402.ReasonInvalidSignature},
		{"wrong token domain name", signed(func(p *x402pay.PaymentPayload) { p.Accepted.Extra["name"] = json.RawMessage(`"USD Coin"`) }), x402.ReasonInvalidRequirements},
		{"wrong recipient", signed(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.To = other.Hex() }), x402.ReasonRecipientMismatch},
		{"wrong recipient in accepted too", signed(func(p *x402pay.PaymentPayload) {
			p.Accepted.PayTo = other.Hex()
			p.Payload.Authorization.To = other.Hex()
		}), x402.ReasonInvalidRequirements},

		{"replayed", func(t testing.TB, f *fixture, p *x402pay.PaymentPayload) string {
			got, err := f.verifier.VerifyHeader(context.Background(), f.offers, encode(t, p))
			if err != nil {
				t.Fatal(err)
			}
			f.nonces.Use(got.Nonce)
			return ""
		}, x402.ReasonInvalidTxState},

		{"malformed: x402Version 1", set(func(p *x402pay.PaymentPayload) { p.X402Version = 1 }), x402.ReasonInvalidVersion},
		{"malformed: scheme upto", set(func(p *x402pay.PaymentPayload) { p.Accepted.Scheme = "upto" }), x402.ReasonUnsupportedScheme},
		{"malformed: no signature", set(func(p *x402pay.PaymentPayload) { p.Payload.Signature = "" }), x402.ReasonInvalidPayload},
		{"malformed: no accepted", set(func(p *x402pay.PaymentPayload) { p.Accepted = x402pay.Requirements{} }), x402.ReasonInvalidPayload},
		{"malformed: nonce 31 bytes", set(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.Nonce = p.Payload.Authorization.Nonce[:64] }), x402.ReasonInvalidPayload},
		{"malformed: value with leading zero", set(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.Value = "0" + p.Payload.Authorization.Value }), x402.ReasonInvalidPayload},
		{"malformed: value negative", set(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.Value = "-100000" }), x402.ReasonInvalidPayload},
		{"malformed: value hex", set(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.Value = "0x186a0" }), x402.ReasonInvalidPayload},
		{"malformed: from not hex", set(func(p *x402pay.PaymentPayload) { p.Payload.Authorization.From = "0x" + strings.Repeat("zz", 20) }), x402.ReasonInvalidPayload},
		{"malformed: validBefore ≥ 2^256", set(func(p *x402pay.PaymentPayload) {
			p.Payload.Authorization.ValidBefore = new(big.Int).Lsh(big.NewInt(1), 256).String()
		}), x402.ReasonInvalidPayload},
		{"malformed: header not base64", func(testing.TB, *fixture, *x402pay.PaymentPayload) string { return "not base64!" }, x402.ReasonInvalidPayload},
		{"malformed: header URL-safe base64", func(t testing.TB, _ *fixture, p *x402pay.PaymentPayload) string {
			raw, _ := json.Marshal(p)
			return base64.RawURLEncoding.EncodeToString(append(raw, ' ', ' ', '?', '?'))
		}, x402.ReasonInvalidPayload},
		{"malformed: header JSON array", func(testing.TB, *fixture, *x402pay.PaymentPayload) string {
			return base64.StdEncoding.EncodeToString([]byte(`[1,2]`))
		}, x402.ReasonInvalidPayload},
		{"malformed: trailing data", func(t testing.TB, _ *fixture, p *x402pay.PaymentPayload) string {
			raw, _ := json.Marshal(p)
			return base64.StdEncoding.EncodeToString(append(raw, []byte(`{}`)...))
		}, x402.ReasonInvalidPayload},
		{"malformed: value a number", func(t testing.TB, _ *fixture, p *x402pay.PaymentPayload) string {
			raw, _ := json.Marshal(p)
			raw = []byte(strings.Replace(string(raw), `"value":"100000"`, `"value":100000`, 1))
			return base64.StdEncoding.EncodeToString(raw)
		}, x402.ReasonInvalidPayload},
		{"malformed: oversized header", func(testing.TB, *fixture, *x402pay.PaymentPayload) string {
			return strings.Repeat("A", x402.MaxHeaderBytes+4)
		}, x402.ReasonInvalidPayload},
	}
}

// TestRefusals spoils a good payment in every way the issue lists and checks each is refused
// with its x402 reason, and that the good ones pass.
func TestRefusals(t *testing.T) {
	for _, c := range refusals() {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			p := f.pay(t)
			h := c.spoil(t, f, p)
			if h == "" {
				h = encode(t, p)
			}
			got, err := f.verifier.VerifyHeader(context.Background(), f.offers, h)
			if c.reason == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got.Payer.Hex() != f.payer.Address() {
					t.Fatalf("payer %s", got.Payer.Hex())
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want %s", c.reason)
			}
			var xe *x402.Error
			if !errors.As(err, &xe) || xe.Reason != c.reason || !errors.Is(err, &x402.Error{Reason: c.reason}) {
				t.Fatalf("error %v, want reason %s", err, c.reason)
			}
		})
	}
}

// TestMultipleOffers checks that the payer picks the first payable offer, that a payment of the
// second offer matches it, and that the verifier's networks must include the offer's.
func TestMultipleOffers(t *testing.T) {
	f := newFixture(t)
	f.offers = []x402.Requirements{x402.BaseSepolia.Requirement(price, payTo, 60), x402.Sandbox.Requirement(price, payTo, 60)}
	f.required.Accepts = f.offers
	f.payer.Networks = []string{x402.Sandbox.ID}
	got, err := f.verifier.VerifyHeader(context.Background(), f.offers, encode(t, f.pay(t)))
	if err != nil || got.Offer != 1 || got.Network.ID != x402.Sandbox.ID {
		t.Fatalf("got %+v, %v", got, err)
	}
	f.payer.Networks = nil
	got, err = f.verifier.VerifyHeader(context.Background(), f.offers, encode(t, f.pay(t)))
	if err != nil || got.Offer != 0 || got.Network.ID != x402.BaseSepolia.ID {
		t.Fatalf("got %+v, %v", got, err)
	}
	f.payer.MaxAmount = price - 1
	if _, err := f.payer.Choose(&x402pay.PaymentRequired{X402Version: 2, Accepts: []x402pay.Requirements{{Scheme: "exact", Network: "eip155:1", Amount: "100000"}}}); !errors.Is(err, x402pay.ErrNoOffer) {
		t.Fatalf("MaxAmount: %v", err)
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	f := newFixture(t)
	h, err := x402.EncodeHeader(f.required)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := x402.DecodePaymentRequired(h)
	if err != nil || pr.Accepts[0] != f.required.Accepts[0] && pr.Accepts[0].Amount != "100000" {
		t.Fatalf("%+v %v", pr, err)
	}
	if pr.Accepts[0].Extra.Name != x402.Sandbox.TokenName || !pr.Accepts[0].Extra.Sandbox {
		t.Fatalf("extra %+v", pr.Accepts[0].Extra)
	}
	s := x402.SettleResponse{Success: true, Transaction: "0x" + strings.Repeat("ab", 32), Network: x402.Sandbox.ID, Payer: f.payer.Address()}
	h, _ = x402.EncodeHeader(s)
	got, err := x402.DecodeSettleResponse(h)
	if err != nil || *got != s {
		t.Fatalf("%+v %v", got, err)
	}
}
