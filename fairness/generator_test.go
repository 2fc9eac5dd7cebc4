package fairness_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/fairness"
)

// hmacBlock is HMAC-SHA256(key, msg) with a fresh state.
func hmacBlock(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// TestMessages pins the exact message bytes of each block.
func TestMessages(t *testing.T) {
	seed, _ := fairness.ParseSeed(strings.Repeat("0123456789abcdef", 4))
	g := fairness.NewGenerator(seed)
	for _, tc := range []struct {
		client string
		nonce  uint64
		msgs   []string
	}{
		{"client", 0, []string{"client:0", "client:0:1", "client:0:2"}},
		{"", 7, []string{":7", ":7:1"}},
		{"a:b", 10, []string{"a:b:10", "a:b:10:1"}},
		{"🎲", math.MaxUint64, []string{"🎲:18446744073709551615", "🎲:18446744073709551615:1"}},
		{strings.Repeat("x", 300), 123456789, []string{strings.Repeat("x", 300) + ":123456789"}},
	} {
		u := make([]uint32, 8*len(tc.msgs))
		g.Uint32s(tc.client, tc.nonce, u)
		for k, msg := range tc.msgs {
			block := hmacBlock(seed[:], msg)
			for i := range 8 {
				if want := binary.BigEndian.Uint32(block[4*i:]); u[8*k+i] != want {
					t.Fatalf("%q nonce %d block %d value %d = %08x, want %08x (message %q)", tc.client, tc.nonce, k, i, u[8*k+i], want, msg)
				}
			}
		}
		if first := g.First(tc.client, tc.nonce); first != u[0] {
			t.Errorf("First = %08x, Uint32s[0] = %08x", first, u[0])
		}
	}
}

// TestGeneratorReuse: interleaving bets and lengths on one Generator gives the same values as
// fresh Generators, so no state leaks between calls.
func TestGeneratorReuse(t *testing.T) {
	seed := fairness.Seed{9}
	shared := fairness.NewGenerator(seed)
	clients := []string{strings.Repeat("long", 40), "b", "", "c:1"}
	for round := range 3 {
		for i, c := range clients {
			n := 1 + (i*17+round*5)%60
			got := make([]uint32, n)
			shared.Uint32s(c, uint64(round), got)
			want := make([]uint32, n)
			fairness.NewGenerator(seed).Uint32s(c, uint64(round), want)
			for j := range want {
				if got[j] != want[j] {
					t.Fatalf("round %d client %q value %d: reused %08x, fresh %08x", round, c, j, got[j], want[j])
				}
			}
			// a prefix of a longer stream is the shorter stream
			short := make([]uint32, n/2)
			shared.Uint32s(c, uint64(round), short)
			for j := range short {
				if short[j] != want[j] {
					t.Fatalf("prefix differs at %d", j)
				}
			}
		}
	}
	shared.Uint32s("x", 0, nil) // empty dst is a no-op
}

func TestFloat(t *testing.T) {
	for _, tc := range []struct {
		u    uint32
		want float64
	}{
		{0, 0}, {1 << 31, 0.5}, {1 << 30, 0.25}, {math.MaxUint32, 1 - 1.0/(1<<32)}, {1, 1.0 / (1 << 32)},
	} {
		if got := fairness.Float(tc.u); got != tc.want {
			t.Errorf("Float(%d) = %v, want %v", tc.u, got, tc.want)
		}
	}
	if fairness.Float(math.MaxUint32) >= 1 {
		t.Error("Float reaches 1")
	}
}

func TestZeroAllocations(t *testing.T) {
	g := fairness.NewGenerator(fairness.Seed{3})
	client := strings.Repeat("c", 128)
	g.First(client, 1) // grow the message buffer once
	var dst [fairness.DeckDraws]uint32
	var nonce uint64
	for name, fn := range map[string]func(){
		"First":   func() { nonce++; g.First(client, nonce) },
		"Uint32s": func() { nonce++; g.Uint32s(client, nonce, dst[:]) },
		"Deck":    func() { nonce++; g.Deck(client, nonce) },
		"CreditDice": func() {
			nonce++
			roll := fairness.CreditDiceRoll(g.First(client, nonce))
			if fairness.CreditDiceWins(roll, 4950, true) {
				fairness.CreditDicePayout(10_000_000, 4950, true)
			}
		},
	} {
		if a := testing.AllocsPerRun(200, fn); a != 0 {
			t.Errorf("%s allocates %v times per call", name, a)
		}
	}
}
