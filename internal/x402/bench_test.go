package x402_test

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/x402"
)

// The verification benchmarks and their baseline, bare secp256k1 recovery of the same
// signature, run in one invocation (the machines are shared and noisy; compare ratios):
//
//	go test ./internal/x402 -run '^$' -bench 'Verify|Ecrecover|SigToPub|GenericDigest' -benchmem -count 4 -cpu 1
//
// On a noisy machine, BenchmarkVerifyVsEcrecover's interleaved ratio is the figure to quote.
//
// Verify is a complete verification of a decoded payment (offer match, recipient, value,
// window, digest, recovery, nonce lookup in MemoryNonces); VerifyHeader adds the base64 and
// JSON decoding of the header.

func benchPayment(b *testing.B) (*fixture, string, *x402.PaymentPayload) {
	f := newFixture(b)
	h := encode(b, f.pay(b))
	p, err := x402.DecodePaymentPayload(h)
	if err != nil {
		b.Fatal(err)
	}
	return f, h, p
}

func BenchmarkVerify(b *testing.B) {
	f, _, p := benchPayment(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.verifier.Verify(ctx, f.offers, p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyHeader(b *testing.B) {
	f, h, _ := benchPayment(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.verifier.VerifyHeader(ctx, f.offers, h); err != nil {
			b.Fatal(err)
		}
	}
}

// recoveryInputs returns the digest and the 0/1-v signature of the benchmark payment.
func recoveryInputs(b *testing.B) ([]byte, []byte) {
	f, _, p := benchPayment(b)
	got, err := f.verifier.Verify(context.Background(), f.offers, p)
	if err != nil {
		b.Fatal(err)
	}
	sig := hexutil.MustDecode(p.Payload.Signature)
	sig[64] -= 27
	return got.Digest[:], sig
}

func BenchmarkEcrecover(b *testing.B) {
	digest, sig := recoveryInputs(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := crypto.Ecrecover(digest, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSigToPub(b *testing.B) {
	digest, sig := recoveryInputs(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := crypto.SigToPub(digest, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDirectDigest and BenchmarkGenericDigest compare the hot path's TransferWithAuthorization
// hashing with go-ethereum's generic EIP-712 encoder.
func BenchmarkDirectDigest(b *testing.B) {
	_, _, p := benchPayment(b)
	a, err := x402.ParseAuthorization(&p.Payload.Authorization)
	if err != nil {
		b.Fatal(err)
	}
	sep := x402.Sandbox.DomainSeparator()
	b.ReportAllocs()
	for b.Loop() {
		_ = a.Digest(sep)
	}
}

// BenchmarkVerifyVsEcrecover interleaves, in batches of 32, complete verifications of a decoded
// payment, complete verifications of its header (base64 and JSON decoding included) and bare
// recoveries of the same signature, so that a noisy, shared machine slows all three alike. It
// reports each rate and the two ratios to bare recovery (the goal: at least 0.8). One op
// is one of each.
func BenchmarkVerifyVsEcrecover(b *testing.B) {
	f, h, p := benchPayment(b)
	digest, sig := recoveryInputs(b)
	ctx := context.Background()
	const batch = 32
	var tv, th, tr time.Duration
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		if n%batch == 0 {
			t0 := time.Now()
			for range batch {
				if _, err := f.verifier.Verify(ctx, f.offers, p); err != nil {
					b.Fatal(err)
				}
			}
			t1 := time.Now()
			for range batch {
				if _, err := f.verifier.VerifyHeader(ctx, f.offers, h); err != nil {
					b.Fatal(err)
				}
			}
			t2 := time.Now()
			for range batch {
				if _, err := crypto.Ecrecover(digest, sig); err != nil {
					b.Fatal(err)
				}
			}
			tv += t1.Sub(t0)
			th += t2.Sub(t1)
			tr += time.Since(t2)
		}
		n++
	}
	done := float64(((n + batch - 1) / batch) * batch)
	vps, hps, rps := done/tv.Seconds(), done/th.Seconds(), done/tr.Seconds()
	b.ReportMetric(rps, "recoveries/s")
	b.ReportMetric(vps, "verifications/s")
	b.ReportMetric(hps, "header-verifications/s")
	b.ReportMetric(vps/rps, "ratio")
	b.ReportMetric(hps/rps, "header-ratio")
}
