package fairness_test

import (
	"errors"
	"math"
	"math/big"
	"slices"
	"testing"

	"github.com/arcadehq/arcade/fairness"
)

// boundary returns the smallest u with floor(u × n / 2^32) = k, computed with big integers:
// ceil(k × 2^32 / n).
func boundary(k, n int64) uint32 {
	num := new(big.Int).Lsh(big.NewInt(k), 32)
	num.Add(num, big.NewInt(n-1))
	return uint32(num.Quo(num, big.NewInt(n)).Uint64())
}

// TestMapperBoundaries checks every mapper at both sides of every boundary between outcomes.
func TestMapperBoundaries(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int64
		fn   func(uint32) int
		off  int // outcome = k + off
	}{
		{"DiceRoll", 100, fairness.DiceRoll, 1},
		{"CreditDiceRoll", 10000, fairness.CreditDiceRoll, 0},
		{"RoulettePocket", 37, fairness.RoulettePocket, 0},
		{"SlotsReel", 6, func(u uint32) int { return fairness.SlotsReels([]uint32{u, 0, 0})[0] }, 0},
	} {
		for k := int64(0); k < tc.n; k++ {
			lo := boundary(k, tc.n)
			if got := tc.fn(lo); got != int(k)+tc.off {
				t.Fatalf("%s(%d) = %d, want %d", tc.name, lo, got, int(k)+tc.off)
			}
			if k > 0 {
				if got := tc.fn(lo - 1); got != int(k-1)+tc.off {
					t.Fatalf("%s(%d) = %d, want %d", tc.name, lo-1, got, int(k-1)+tc.off)
				}
			}
		}
		if got := tc.fn(math.MaxUint32); got != int(tc.n-1)+tc.off {
			t.Errorf("%s(max) = %d", tc.name, got)
		}
	}
	if fairness.CoinflipSide(1<<31-1) != "heads" || fairness.CoinflipSide(1<<31) != "tails" ||
		fairness.CoinflipSide(0) != "heads" || fairness.CoinflipSide(math.MaxUint32) != "tails" {
		t.Error("CoinflipSide boundary")
	}
}

// FuzzMappers compares the integer mappers with float arithmetic straight from the design text:
// f × n is exact in a float64 here (at most 32 + 14 significant bits), so math.Floor is exact.
func FuzzMappers(f *testing.F) {
	for _, u := range []uint32{0, 1, 1<<31 - 1, 1 << 31, math.MaxUint32, 0x9b0a6c3e, boundary(50, 100), boundary(1, 37) - 1} {
		f.Add(u, uint32(0), uint32(0))
	}
	f.Fuzz(func(t *testing.T, u0, u1, u2 uint32) {
		f0 := float64(u0) / 4294967296
		floor := func(f float64, n int) int { return int(math.Floor(f * float64(n))) }
		side := "tails"
		if f0 < 0.5 {
			side = "heads"
		}
		if got := fairness.CoinflipSide(u0); got != side {
			t.Fatalf("CoinflipSide(%d) = %s", u0, got)
		}
		if got, want := fairness.DiceRoll(u0), floor(f0, 100)+1; got != want {
			t.Fatalf("DiceRoll(%d) = %d, want %d", u0, got, want)
		}
		if got, want := fairness.CreditDiceRoll(u0), floor(f0, 10000); got != want {
			t.Fatalf("CreditDiceRoll(%d) = %d, want %d", u0, got, want)
		}
		if got, want := fairness.RoulettePocket(u0), floor(f0, 37); got != want {
			t.Fatalf("RoulettePocket(%d) = %d, want %d", u0, got, want)
		}
		reels := fairness.SlotsReels([]uint32{u0, u1, u2})
		for i, u := range []uint32{u0, u1, u2} {
			if want := floor(float64(u)/4294967296, 6); reels[i] != want {
				t.Fatalf("reel %d of %d = %d, want %d", i, u, reels[i], want)
			}
		}
		// Fisher–Yates index for every deck position.
		for i := 1; i <= 51; i++ {
			if j := floor(f0, i+1); j < 0 || j > i {
				t.Fatalf("j = %d out of [0, %d]", j, i)
			}
		}
	})
}

func TestCreditDiceRules(t *testing.T) {
	// Over and under X are complementary at every target, and W counts the winning rolls.
	for x := 0; x < 10000; x += 7 {
		under, over := 0, 0
		for roll := 0; roll < 10000; roll++ {
			u, o := fairness.CreditDiceWins(roll, x, false), fairness.CreditDiceWins(roll, x, true)
			if u == o {
				t.Fatalf("roll %d target %d: under %v over %v", roll, x, u, o)
			}
			if u {
				under++
			} else {
				over++
			}
		}
		if under != fairness.CreditDiceWinningRolls(x, false) || over != fairness.CreditDiceWinningRolls(x, true) {
			t.Fatalf("target %d: %d/%d winning rolls, W = %d/%d", x, under, over,
				fairness.CreditDiceWinningRolls(x, false), fairness.CreditDiceWinningRolls(x, true))
		}
	}
}

func TestCreditDicePayout(t *testing.T) {
	for _, tc := range []struct {
		amount int64
		target int
		over   bool
		want   int64
		err    error
	}{
		{10_000_000, 5000, true, 19_400_000, nil},   // over 50: 1.94×
		{10_000_000, 5000, false, 19_400_000, nil},  // under 50
		{10_000_000, 4950, true, 19_207_920, nil},   // 97000000000 / 5050 = 19207920.79…
		{10_000_000, 0, true, 9_700_000, nil},       // over 0 always wins: 0.97×
		{1_000_000, 1, false, 9_700_000_000, nil},   // under 0.01: W = 1, 9700× (uncapped, DESIGN §5)
		{1_000_000, 9999, true, 9_700_000_000, nil}, // over 99.99: 9700×
		{1, 9999, false, 0, nil},                    // rounds down to nothing
		{0, 5000, true, 0, nil},                     //
		{10_000_000, 0, false, 0, fairness.ErrNoWinningRolls},
		{10_000_000, -1, true, 0, fairness.ErrTarget},
		{10_000_000, 10000, false, 0, fairness.ErrTarget},
		{-1, 5000, true, 0, fairness.ErrAmount},
		{math.MaxInt64, 1, false, 0, fairness.ErrOverflow}, // × 9700
		{math.MaxInt64/9700 + 1, 1, false, 0, fairness.ErrOverflow},
		{math.MaxInt64, 9999, false, -1, nil},                                // × 0.97…: the 128-bit product still fits after dividing
		{math.MaxInt64 / 9700, 1, false, (math.MaxInt64 / 9700) * 9700, nil}, // largest 9700× that fits
	} {
		got, err := fairness.CreditDicePayout(tc.amount, tc.target, tc.over)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("CreditDicePayout(%d, %d, %v) err = %v, want %v", tc.amount, tc.target, tc.over, err, tc.err)
			}
			continue
		}
		want := tc.want
		if want == -1 { // compute with big integers
			w := int64(fairness.CreditDiceWinningRolls(tc.target, tc.over))
			b := new(big.Int).Mul(big.NewInt(tc.amount), big.NewInt(9700))
			want = b.Quo(b, big.NewInt(w)).Int64()
		}
		if err != nil || got != want {
			t.Errorf("CreditDicePayout(%d, %d, %v) = %d, %v; want %d", tc.amount, tc.target, tc.over, got, err, want)
		}
	}
}

// FuzzCreditDicePayout compares the 128-bit payout with math/big, including overflow.
func FuzzCreditDicePayout(f *testing.F) {
	f.Add(int64(10_000_000), 4950, true)
	f.Add(int64(math.MaxInt64), 1, false)
	f.Add(int64(math.MaxInt64), 9999, false)
	f.Fuzz(func(t *testing.T, amount int64, target int, over bool) {
		got, err := fairness.CreditDicePayout(amount, target, over)
		w := fairness.CreditDiceWinningRolls(target, over)
		if amount < 0 || target < 0 || target > 9999 || w == 0 {
			if err == nil {
				t.Fatalf("(%d, %d, %v): no error", amount, target, over)
			}
			return
		}
		b := new(big.Int).Mul(big.NewInt(amount), big.NewInt(9700))
		b.Quo(b, big.NewInt(int64(w)))
		if !b.IsInt64() {
			if !errors.Is(err, fairness.ErrOverflow) {
				t.Fatalf("(%d, %d, %v): %d, %v; want overflow", amount, target, over, got, err)
			}
			return
		}
		if err != nil || got != b.Int64() {
			t.Fatalf("(%d, %d, %v) = %d, %v; want %s", amount, target, over, got, err, b)
		}
	})
}

func TestDeckOrder(t *testing.T) {
	d := fairness.NewDeckOrder()
	i := 0
	for _, r := range "23456789TJQKA" {
		for _, s := range "cdhs" {
			if c := d[i]; string(c) != string(r)+string(s) || c.Rank() != byte(r) || c.Suit() != byte(s) {
				t.Fatalf("card %d = %q", i, c)
			}
			i++
		}
	}
}

func TestShuffleDeck(t *testing.T) {
	if _, err := fairness.ShuffleDeck(make([]uint32, 50)); !errors.Is(err, fairness.ErrShortStream) {
		t.Errorf("50 values: err = %v", err)
	}
	// All zeros: every j is 0, so position i takes what was at 0 — a known rotation.
	d, err := fairness.ShuffleDeck(make([]uint32, 51))
	if err != nil {
		t.Fatal(err)
	}
	order := fairness.NewDeckOrder()
	sim := order // swap(i, 0) for i = 51 down to 1
	for i := 51; i >= 1; i-- {
		sim[i], sim[0] = sim[0], sim[i]
	}
	if d != sim {
		t.Errorf("all-zero shuffle = %v, want %v", d, sim)
	}
	// All max: j = i every time, the identity.
	maxes := make([]uint32, 51)
	for i := range maxes {
		maxes[i] = math.MaxUint32
	}
	if d, _ := fairness.ShuffleDeck(maxes); d != order {
		t.Errorf("all-max shuffle is not the identity: %v", d)
	}
	// Always a permutation, and extra values are ignored.
	g := fairness.NewGenerator(fairness.Seed{1})
	for n := range uint64(500) {
		u := make([]uint32, 60)
		g.Uint32s("p", n, u)
		d1, _ := fairness.ShuffleDeck(u)
		d2, _ := fairness.ShuffleDeck(u[:51])
		if d1 != d2 || d1 != g.Deck("p", n) {
			t.Fatal("shuffle depends on values past the 51st, or Deck disagrees")
		}
		s := slices.Clone(d1[:])
		slices.Sort(s)
		o := slices.Clone(order[:])
		slices.Sort(o)
		if !slices.Equal(s, o) {
			t.Fatalf("nonce %d: not a permutation: %v", n, d1)
		}
	}
}
