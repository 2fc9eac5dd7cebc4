package x402_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
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

// FuzzFastPayloadJSON: whatever JSON the fast payload reader accepts, encoding/json decodes to
// the same value (the fast path may only give up, never differ).
func FuzzFastPayloadJSON(f *testing.F) {
	for _, h := range seedHeaders(f) {
		raw, err := base64.StdEncoding.DecodeString(h)
		if err == nil {
			f.Add(raw)
		}
	}
	f.Add([]byte(`{"x402Version":2,"extensions":{"a":{"info":{"x":[1,"]"]},"schema":{}}}}`))
	f.Add([]byte(`{"x402Version":2,"accepted":{"extra":{"name":"a","sandbox":true}},"x402Version":3}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		fast, ok := x402.FastPayloadJSON(raw)
		if !ok {
			return
		}
		var slow x402.PaymentPayload
		if err := json.Unmarshal(raw, &slow); err != nil {
			t.Fatalf("fast reader accepted what encoding/json refuses (%v): %q", err, raw)
		}
		if !reflect.DeepEqual(*fast, slow) {
			t.Fatalf("fast %+v\nslow %+v\ninput %q", *fast, slow, raw)
		}
	})
}

// TestFastPathTaken checks that the fast reader reads the payloads real clients send (the
// fuzz target only checks it never differs from encoding/json).
func TestFastPathTaken(t *testing.T) {
	fx := newFixture(t)
	raw, _ := base64.StdEncoding.DecodeString(encode(t, fx.pay(t)))
	if _, ok := x402.FastPayloadJSON(raw); !ok {
		t.Fatalf("fast path gave up on %s", raw)
	}
}
