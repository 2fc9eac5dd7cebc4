package fairness_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"strconv"
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

// TestSequentialNonces: the generator writes the next nonce of the same client seed by
// incrementing the message's digits in place; every message must still be exactly "C:N". Checked
// against an independent HMAC over strconv's formatting, across digit-count changes, at the top
// of uint64, when the client seed changes, and after jumps and multi-block draws.
func TestSequentialNonces(t *testing.T) {
	var seed fairness.Seed
	for i := range seed {
		seed[i] = byte(7 * i)
	}
	want := func(client string, nonce uint64) uint32 {
		m := hmac.New(sha256.New, seed[:])
		m.Write([]byte(client + ":" + strconv.FormatUint(nonce, 10)))
		return binary.BigEndian.Uint32(m.Sum(nil))
	}
	g := fairness.NewGenerator(seed)
	check := func(client string, nonce uint64) {
		t.Helper()
		if got, w := g.First(client, nonce), want(client, nonce); got != w {
			t.Fatalf("First(%q, %d) = %d, want %d", client, nonce, got, w)
		}
	}
	for n := uint64(0); n < 12_000; n++ {
		check("client", n)
	}
	for p := uint64(10); p != 0 && p < math.MaxUint64/10; p *= 10 {
		for n := p - 3; n < p+3; n++ {
			check("c99", n)
		}
	}
	for n := uint64(math.MaxUint64 - 3); n != 1; n++ { // wraps to 0: not a successor
		check("top", n)
	}
	// Another seed string, a jump, a multi-block draw in between, then sequential again.
	check("a", 41)
	check("b", 42)
	check("b", 44)
	var u [fairness.ValuesPerBlock + 3]uint32
	g.Uint32s("b", 45, u[:])
	check("b", 46)
	check("b", 47)
	check("client:9", 99)
	check("client:9", 100)
}
