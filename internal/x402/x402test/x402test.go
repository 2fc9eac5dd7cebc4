// Package x402test holds checks that implementations of package x402's interfaces share, so
// that the database-backed NonceStore is held to the same contract as MemoryNonces.
package x402test

import (
	"context"
	"testing"

	"github.com/arcadehq/arcade/internal/x402"
)

// NonceStore checks a NonceStore whose nonces are recorded by use (the service's settlement
// transaction, for a database store): a fresh key is unused; once used it is used, and using it
// again fails; keys differing in any one part (network, asset, payer, nonce) are independent.
func NonceStore(t *testing.T, s x402.NonceStore, use func(x402.NonceKey) bool) {
	t.Helper()
	ctx := context.Background()
	base := x402.NonceKey{Network: x402.Sandbox.ID, Asset: x402.Sandbox.Asset}
	base.From[19] = 1
	base.Nonce[31] = 1
	variants := []x402.NonceKey{base, base, base, base}
	variants[0].Network = x402.BaseSepolia.ID
	variants[1].Asset[0] ^= 1
	variants[2].From[0] ^= 1
	variants[3].Nonce[0] ^= 1
	check := func(k x402.NonceKey, want bool) {
		t.Helper()
		got, err := s.NonceUsed(ctx, k)
		if err != nil {
			t.Fatalf("NonceUsed(%+v): %v", k, err)
		}
		if got != want {
			t.Fatalf("NonceUsed(%+v) = %v, want %v", k, got, want)
		}
	}
	check(base, false)
	if !use(base) {
		t.Fatal("first use of a fresh nonce failed")
	}
	check(base, true)
	if use(base) {
		t.Fatal("second use of the same nonce succeeded")
	}
	for _, v := range variants {
		check(v, false)
	}
}
