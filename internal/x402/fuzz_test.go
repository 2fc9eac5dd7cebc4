package x402_test

import (
	"context"
	"encoding/base64"
	"reflect"
	"testing"

	"github.com/arcadehq/arcade/internal/x402"
)

// seedHeaders returns the refusal table's headers (good and spoiled) as fuzz seeds.
func seedHeaders(f *testing.F) []string {
	var out []string
	for _, c := range refusals() {
		fx := newFixture(f)
		p := fx.pay(f)
		h := c.spoil(f, fx, p)
		if h == "" {
			h = encode(f, p)
		}
		out = append(out, h)
	}
	return append(out, "", "=", "e30=", base64.StdEncoding.EncodeToString([]byte(`{"x402Version":2}`)))
}

// FuzzDecodePaymentPayload: the decoder never panics, refuses with invalid_payload or
// invalid_x402_version only, and what it accepts encodes back to something that decodes equal.
func FuzzDecodePaymentPayload(f *testing.F) {
	for _, h := range seedHeaders(f) {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		p, err := x402.DecodePaymentPayload(h)
		if err != nil {
			if r := x402.ReasonOf(err); r != x402.ReasonInvalidPayload && r != x402.ReasonInvalidVersion {
				t.Fatalf("reason %s: %v", r, err)
			}
			return
		}
		h2, err := x402.EncodeHeader(p)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := x402.DecodePaymentPayload(h2)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !reflect.DeepEqual(p, p2) {
			t.Fatalf("round trip changed the payload:\n%+v\n%+v", p, p2)
		}
	})
}

// FuzzVerifyHeader: verification of any header never panics and refuses with an *Error; the
// only payments it accepts are signed by the fixture's payer (no forgery from random bytes).
func FuzzVerifyHeader(f *testing.F) {
	for _, h := range seedHeaders(f) {
		f.Add(h)
	}
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, h string) {
		got, err := fx.verifier.VerifyHeader(context.Background(), fx.offers, h)
		if err != nil {
			if _, ok := err.(*x402.Error); !ok {
				t.Fatalf("not an *x402.Error: %T %v", err, err)
			}
			return
		}
		if got.Payer.Hex() != fx.payer.Address() {
			t.Fatalf("accepted a payment from %s", got.Payer.Hex())
		}
	})
}

// FuzzDecodePaymentRequired: the client-side decoders never panic either.
func FuzzDecodePaymentRequired(f *testing.F) {
	fx := newFixture(f)
	h, _ := x402.EncodeHeader(fx.required)
	f.Add(h)
	s, _ := x402.EncodeHeader(x402.SettleResponse{Success: true, Network: "eip155:31337"})
	f.Add(s)
	f.Fuzz(func(t *testing.T, h string) {
		_, _ = x402.DecodePaymentRequired(h)
		_, _ = x402.DecodeSettleResponse(h)
	})
}
