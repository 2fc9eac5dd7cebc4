package fairness_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"strconv"
	"testing"

	"github.com/arcadehq/arcade/fairness"
)

// The baselines and the outcome derivations run in one invocation:
//
//	go test ./fairness -run '^$' -bench . -benchmem -count 3
//
// BareHMAC is the floor: one keyed HMAC-SHA256 over "C:N" with the keyed state reused.
// CreditDice must reach at least 0.8× its rate (it adds building the message and the mapping).

const benchClient = "agent-7f3a9c"

var benchSeed = fairness.Seed{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}

var sink uint64

// BenchmarkBareHMAC hashes one prebuilt message of the same length as the bets' "C:N" (nonces
// around 10^6), so that it measures the HMAC alone.
func BenchmarkBareHMAC(b *testing.B) {
	h := hmac.New(sha256.New, benchSeed[:])
	msg := []byte(benchClient + ":1234567")
	var buf [sha256.Size]byte
	b.ReportAllocs()
	for b.Loop() {
		h.Reset()
		h.Write(msg)
		sum := h.Sum(buf[:0])
		sink += uint64(sum[0])
	}
}

func BenchmarkFreshHMAC(b *testing.B) {
	msg := make([]byte, 0, 64)
	var buf [sha256.Size]byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		msg = strconv.AppendUint(append(append(msg[:0], benchClient...), ':'), uint64(i), 10)
		h := hmac.New(sha256.New, benchSeed[:])
		h.Write(msg)
		sum := h.Sum(buf[:0])
		sink += uint64(sum[0])
	}
}

func BenchmarkCreditDice(b *testing.B) {
	g := fairness.NewGenerator(benchSeed)
	b.ReportAllocs()
	for i := 1_000_000; b.Loop(); i++ {
		roll := fairness.CreditDiceRoll(g.First(benchClient, uint64(i)))
		if fairness.CreditDiceWins(roll, 4950, true) {
			p, err := fairness.CreditDicePayout(10_000_000, 4950, true)
			if err != nil {
				b.Fatal(err)
			}
			sink += uint64(p)
		}
	}
}

func BenchmarkDeck(b *testing.B) {
	g := fairness.NewGenerator(benchSeed)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		d := g.Deck(benchClient, uint64(i))
		sink += uint64(len(d[0]))
	}
}
