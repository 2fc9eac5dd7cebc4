package siwe_test

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/siwe"
)

// clock is the tests' "now" for vectors that give no time: 2026-01-01, between their issue
// dates and the year-2100 expirations.
var clock = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fields is a vector's message as fields (chainId may be a number or, in negative vectors, a
// string).
type fields struct {
	Scheme         *string         `json:"scheme"`
	Domain         string          `json:"domain"`
	Address        string          `json:"address"`
	Statement      string          `json:"statement"`
	URI            string          `json:"uri"`
	Version        string          `json:"version"`
	ChainID        json.RawMessage `json:"chainId"`
	Nonce          string          `json:"nonce"`
	IssuedAt       string          `json:"issuedAt"`
	ExpirationTime string          `json:"expirationTime"`
	NotBefore      string          `json:"notBefore"`
	RequestID      *string         `json:"requestId"`
	Resources      []string        `json:"resources"`

	Signature     string `json:"signature"`
	Time          string `json:"time"`
	DomainBinding string `json:"domainBinding"`
	MatchNonce    string `json:"matchNonce"`
}

func (f *fields) message() *siwe.Message {
	m := &siwe.Message{Domain: f.Domain, Address: f.Address, Statement: f.Statement, URI: f.URI,
		Version: f.Version, Nonce: f.Nonce, IssuedAt: f.IssuedAt, ExpirationTime: f.ExpirationTime,
		NotBefore: f.NotBefore, Resources: f.Resources, HasResources: f.Resources != nil}
	if f.Scheme != nil {
		m.Scheme = *f.Scheme
	}
	if f.RequestID != nil {
		m.RequestID, m.HasRequestID = *f.RequestID, true
	}
	var n uint64
	if json.Unmarshal(f.ChainID, &n) == nil {
		m.ChainID = n
	}
	return m
}

func load[T any](t *testing.T, name string) map[string]T {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]T
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func TestParsingPositive(t *testing.T) {
	vs := load[struct {
		Message string `json:"message"`
		Fields  fields `json:"fields"`
	}](t, "parsing_positive.json")
	if len(vs) != 19 {
		t.Fatalf("%d vectors, want 19", len(vs))
	}
	for name, v := range vs {
		t.Run(name, func(t *testing.T) {
			m, err := siwe.Parse(v.Message)
			if err != nil {
				t.Fatal(err)
			}
			if want := v.Fields.message(); !reflect.DeepEqual(m, want) {
				t.Fatalf("parsed\n%+v\nwant\n%+v", m, want)
			}
			if got := m.String(); got != v.Message {
				t.Fatalf("rendered\n%q\nwant\n%q", got, v.Message)
			}
		})
	}
}

func TestParsingNegative(t *testing.T) {
	vs := load[string](t, "parsing_negative.json")
	if len(vs) != 29 {
		t.Fatalf("%d vectors, want 29", len(vs))
	}
	for name, msg := range vs {
		if m, err := siwe.Parse(msg); !errors.Is(err, siwe.ErrMalformed) {
			t.Errorf("%s: parsed %+v, %v", name, m, err)
		}
	}
}

func TestParsingNegativeObjects(t *testing.T) {
	vs := load[fields](t, "parsing_negative_objects.json")
	if len(vs) != 18 {
		t.Fatalf("%d vectors, want 18", len(vs))
	}
	for name, f := range vs {
		if err := f.message().Validate(); !errors.Is(err, siwe.ErrMalformed) {
			t.Errorf("%s: validated (%v)", name, err)
		}
	}
}

func expectOf(t *testing.T, f fields) siwe.Expect {
	e := siwe.Expect{Domain: f.Domain, Nonce: f.Nonce, Now: clock}
	if f.Time != "" {
		tm, err := time.Parse(time.RFC3339Nano, f.Time)
		if err != nil {
			t.Fatal(err)
		}
		e.Now = tm
	}
	if f.DomainBinding != "" {
		e.Domain = f.DomainBinding
	}
	if f.MatchNonce != "" {
		e.Nonce = f.MatchNonce
	}
	return e
}

func TestVerificationPositive(t *testing.T) {
	vs := load[fields](t, "verification_positive.json")
	if len(vs) != 4 {
		t.Fatalf("%d vectors, want 4", len(vs))
	}
	for name, f := range vs {
		m := f.message()
		addr, err := siwe.VerifyMessage(m, f.Signature, expectOf(t, f))
		if err != nil || addr.Hex() != f.Address {
			t.Errorf("%s: %s %v", name, addr.Hex(), err)
			continue
		}
		// The same through the text parser.
		if _, _, err := siwe.Verify(m.String(), f.Signature, expectOf(t, f)); err != nil {
			t.Errorf("%s: text: %v", name, err)
		}
	}
}

func TestVerificationNegative(t *testing.T) {
	vs := load[fields](t, "verification_negative.json")
	if len(vs) != 10 {
		t.Fatalf("%d vectors, want 10", len(vs))
	}
	want := map[string]error{
		"expired message": siwe.ErrExpired, "domain binding": siwe.ErrDomain, "custom time": siwe.ErrExpired,
		"custom nonce": siwe.ErrNonce, "malformed signature": siwe.ErrBadSignature, "wrong signature": siwe.ErrSignature,
		"not yet valid": siwe.ErrNotYetValid, "invalid issuedAt": siwe.ErrMalformed,
		"invalid notBefore": siwe.ErrMalformed, "invalid expirationTime": siwe.ErrMalformed,
	}
	for name, f := range vs {
		_, err := siwe.VerifyMessage(f.message(), f.Signature, expectOf(t, f))
		if w, ok := want[name]; !ok || !errors.Is(err, w) {
			t.Errorf("%s: %v, want %v", name, err, w)
		}
	}
}

// TestEIP1271 documents the contract-wallet vectors as unsupported: they parse, but only an
// isValidSignature call to the wallet contract on mainnet can verify them, and ECDSA recovery
// must not accept them.
func TestEIP1271(t *testing.T) {
	vs := load[struct {
		Message   string `json:"message"`
		Signature string `json:"signature"`
	}](t, "eip1271.json")
	for name, v := range vs {
		m, err := siwe.Parse(v.Message)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		_, err = siwe.VerifyMessage(m, v.Signature, siwe.Expect{Domain: m.Domain, Nonce: m.Nonce, Now: clock})
		if !errors.Is(err, siwe.ErrSignature) && !errors.Is(err, siwe.ErrBadSignature) {
			t.Fatalf("%s: contract-wallet signature accepted by ECDSA recovery (%v)", name, err)
		}
	}
	t.Skipf("%d EIP-1271 vectors: contract wallets are unsupported (they need an on-chain isValidSignature call); checked only that they parse and are refused", len(vs))
}

// TestSignRoundTrip signs a message with a fresh key and verifies it, then checks each
// refusal of the verifier.
func TestSignRoundTrip(t *testing.T) {
	key, _ := crypto.GenerateKey()
	nonce, err := siwe.NewNonce(nil)
	if err != nil || len(nonce) != 17 {
		t.Fatal(nonce, err)
	}
	m := &siwe.Message{Domain: "arcade.test", Address: crypto.PubkeyToAddress(key.PublicKey).Hex(),
		Statement: "Sign in to Arcade", URI: "https://arcade.test/api/auth/siwe/verify", Version: "1", ChainID: 8453,
		Nonce: nonce, IssuedAt: "2026-01-01T00:00:00Z", ExpirationTime: "2026-01-01T00:10:00Z"}
	text := m.String()
	sig, _ := crypto.Sign(siwe.HashMessage(text), key)
	sig[64] += 27
	hexSig := hexutil.Encode(sig)
	ok := siwe.Expect{Domain: "arcade.test", Nonce: nonce, Now: clock.Add(time.Minute)}
	if _, addr, err := siwe.Verify(text, hexSig, ok); err != nil || addr.Hex() != m.Address {
		t.Fatal(addr, err)
	}
	for _, c := range []struct {
		text string
		want siwe.Expect
		err  error
	}{
		{text, siwe.Expect{Domain: "evil.test", Nonce: nonce, Now: ok.Now}, siwe.ErrDomain},
		{text, siwe.Expect{Domain: "arcade.test", Nonce: "abcdefgh1", Now: ok.Now}, siwe.ErrNonce},
		{text, siwe.Expect{Domain: "arcade.test", Nonce: nonce, Now: clock.Add(10 * time.Minute)}, siwe.ErrExpired},
		{strings.Replace(text, "Chain ID: 8453", "Chain ID: 1", 1), ok, siwe.ErrSignature},
		{text + "\n", ok, siwe.ErrMalformed},
	} {
		if _, _, err := siwe.Verify(c.text, hexSig, c.want); !errors.Is(err, c.err) {
			t.Errorf("%+v: %v, want %v", c.want, err, c.err)
		}
	}
}

// FuzzParse: the parser never panics, and a message it accepts renders back to itself.
func FuzzParse(f *testing.F) {
	for _, file := range []string{"parsing_positive.json", "parsing_negative.json", "eip1271.json"} {
		raw, _ := os.ReadFile("testdata/" + file)
		var m map[string]json.RawMessage
		_ = json.Unmarshal(raw, &m)
		for _, v := range m {
			var s string
			if json.Unmarshal(v, &s) == nil {
				f.Add(s)
				continue
			}
			var o struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal(v, &o)
			f.Add(o.Message)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := siwe.Parse(s)
		if err != nil {
			if !errors.Is(err, siwe.ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		if got := m.String(); got != s {
			t.Fatalf("render\n%q\nof parse of\n%q", got, s)
		}
	})
}
