package evmtest

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/arcadehq/arcade/internal/x402"
	"github.com/arcadehq/arcade/internal/x402/x402pay"
)

// Sign has key pay amountMicro to payTo on n the way a client does (package x402pay, from the
// specification) and returns the payload and the offer it answers.
func Sign(t testing.TB, key *ecdsa.PrivateKey, n x402.Network, payTo common.Address, amountMicro int64) (*x402.PaymentPayload, x402.Requirements) {
	t.Helper()
	offer := n.Requirement(amountMicro, payTo, 0)
	var pr x402pay.PaymentRequired
	raw, _ := json.Marshal(x402.PaymentRequired{X402Version: x402.Version, Accepts: []x402.Requirements{offer}})
	if err := json.Unmarshal(raw, &pr); err != nil {
		t.Fatal(err)
	}
	pp, err := (&x402pay.Client{Key: key}).Pay(&pr, pr.Accepts[0])
	if err != nil {
		t.Fatal(err)
	}
	var out x402.PaymentPayload
	raw, _ = json.Marshal(pp)
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return &out, offer
}

// Accept signs a payment as Sign does and verifies it as Arcade's paywall does.
func Accept(t testing.TB, key *ecdsa.PrivateKey, n x402.Network, payTo common.Address, amountMicro int64) *x402.Payment {
	t.Helper()
	pp, offer := Sign(t, key, n, payTo, amountMicro)
	v, err := x402.NewVerifier([]x402.Network{n}, new(x402.MemoryNonces), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	p, err := v.Verify(context.Background(), []x402.Requirements{offer}, pp)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
