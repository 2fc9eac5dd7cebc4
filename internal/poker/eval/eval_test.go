package eval

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/arcadehq/arcade/internal/poker/card"
)

// exhaustiveEnv turns on the slowest checks: Eval7 against Baseline on all 133,784,560 hands.
const exhaustiveEnv = "ARCADE_POKER_EXHAUSTIVE"

type counts struct {
	Total              int    `json:"total"`
	Categories         [9]int `json:"categories"`
	Royal              int    `json:"royal"`
	Distinct           int    `json:"distinct"`
	DistinctByCategory []int  `json:"distinct_by_category"`
}

// loadCounts reads the expected figures for n-card hands from testdata/counts.json.
func loadCounts(t *testing.T, n int) counts {
	t.Helper()
	b, err := os.ReadFile("testdata/counts.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Hands map[string]counts `json:"hands"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	c, ok := f.Hands[strconv.Itoa(n)]
	if !ok {
		t.Fatalf("no %d-card counts", n)
	}
	return c
}

// checkHistogram compares a histogram of Ranks over every n-card hand with testdata/counts.json.
func checkHistogram(t *testing.T, n int, hist []uint32) {
	t.Helper()
	want := loadCounts(t, n)
	var cats, distinct [10]int
	total, nDistinct := 0, 0
	if hist[0] != 0 {
		t.Errorf("%d-card: %d hands ranked 0", n, hist[0])
	}
	for r := Rank(1); r <= NumRanks; r++ {
		c := int(hist[r])
		total += c
		cats[r.Category()] += c
		if c > 0 {
			distinct[r.Category()]++
			nDistinct++
		}
	}
	if total != want.Total {
		t.Errorf("%d-card: %d hands, want %d", n, total, want.Total)
	}
	for i, w := range want.Categories {
		cat := Category(i + 1)
		if cats[cat] != w {
			t.Errorf("%d-card %v: %d hands, want %d", n, cat, cats[cat], w)
		}
		if want.DistinctByCategory != nil && distinct[cat] != want.DistinctByCategory[i] {
			t.Errorf("%d-card %v: %d distinct values, want %d", n, cat, distinct[cat], want.DistinctByCategory[i])
		}
	}
	if nDistinct != want.Distinct {
		t.Errorf("%d-card: %d distinct values, want %d", n, nDistinct, want.Distinct)
	}
	if want.Royal != 0 && int(hist[NumRanks]) != want.Royal {
		t.Errorf("%d-card: %d royal flushes, want %d", n, hist[NumRanks], want.Royal)
	}
}

// TestExhaustive5 evaluates every five-card hand with Eval5, Best and Baseline.
func TestExhaustive5(t *testing.T) {
	hist := make([]uint32, NumRanks+1)
	for a := range card.Card(48) {
		for b := a + 1; b < 49; b++ {
			for c := b + 1; c < 50; c++ {
				for d := c + 1; d < 51; d++ {
					for e := d + 1; e < 52; e++ {
						h := [5]card.Card{a, b, c, d, e}
						r := Eval5(h)
						hist[r]++
						if base, best := Baseline(h[:]...), Best(e, d, c, b, a); r != base || r != best {
							t.Fatalf("%v: Eval5 %d, Baseline %d, Best %d", h, r, base, best)
						}
					}
				}
			}
		}
	}
	checkHistogram(t, 5, hist)
}

// TestExhaustive6 evaluates every six-card hand with Eval6, and one hand in 97 also with Baseline.
func TestExhaustive6(t *testing.T) {
	if testing.Short() {
		t.Skip("20 M hands")
	}
	hist := make([]uint32, NumRanks+1)
	i := 0
	for a := range card.Card(47) {
		for b := a + 1; b < 48; b++ {
			for c := b + 1; c < 49; c++ {
				for d := c + 1; d < 50; d++ {
					for e := d + 1; e < 51; e++ {
						for f := e + 1; f < 52; f++ {
							r := Eval6([6]card.Card{a, b, c, d, e, f})
							hist[r]++
							if i++; i%97 == 0 {
								if base := Baseline(a, b, c, d, e, f); r != base {
									t.Fatalf("%v: Eval6 %d, Baseline %d", []card.Card{a, b, c, d, e, f}, r, base)
								}
							}
						}
					}
				}
			}
		}
	}
	checkHistogram(t, 6, hist)
}

// TestExhaustive7 evaluates all 133,784,560 seven-card hands with the benchmark's loop and checks
// the category counts, the royal flushes and the distinct values, then compares one hand in 1009
// with Baseline. With ARCADE_POKER_EXHAUSTIVE=1 it compares every hand with Baseline instead,
// on all cores (minutes).
func TestExhaustive7(t *testing.T) {
	if testing.Short() {
		t.Skip("134 M hands")
	}
	var hist [NumRanks + 1]uint32
	exhaustive7(&hist)
	checkHistogram(t, 7, hist[:])

	every := uint64(1009)
	if os.Getenv(exhaustiveEnv) == "1" {
		every = 1
	}
	// Split by first card; each worker takes the next first card until none is left.
	var next atomic.Int32
	var mismatches atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := card.Card(next.Add(1) - 1); a < 46 && mismatches.Load() == 0; a = card.Card(next.Add(1) - 1) {
				i := uint64(0)
				every7From(a, func(h [7]card.Card) {
					if i++; i%every != 0 {
						return
					}
					if r, base := Eval7(h), Baseline(h[:]...); r != base && mismatches.Add(1) <= 10 {
						t.Errorf("%s: Eval7 %d (%s), Baseline %d (%s)", card.Join(h[:], " "), r, r, base, base)
					}
				})
			}
		}()
	}
	wg.Wait()
}

// every7From calls fn with every seven-card hand whose lowest card is a.
func every7From(a card.Card, fn func([7]card.Card)) {
	for b := a + 1; b < 47; b++ {
		for c := b + 1; c < 48; c++ {
			for d := c + 1; d < 49; d++ {
				for e := d + 1; e < 50; e++ {
					for f := e + 1; f < 51; f++ {
						for g := f + 1; g < 52; g++ {
							fn([7]card.Card{a, b, c, d, e, f, g})
						}
					}
				}
			}
		}
	}
}

// TestDifferential compares the fast evaluator with Baseline on random hands from a fixed seed,
// in the dealt order and reversed.
func TestDifferential(t *testing.T) {
	n := 2_000_000
	if testing.Short() {
		n = 100_000
	}
	rng := rand.New(rand.NewPCG(20260101, 7))
	var deck [52]card.Card
	for i := range deck {
		deck[i] = card.Card(i)
	}
	for range n {
		for i := range 7 {
			j := i + rng.IntN(52-i)
			deck[i], deck[j] = deck[j], deck[i]
		}
		h := [7]card.Card(deck[:7])
		want := Baseline(h[:]...)
		if got := Eval7(h); got != want {
			t.Fatalf("%s: Eval7 %d (%s), Baseline %d (%s)", card.Join(h[:], " "), got, got, want, want)
		}
		if got := Best(h[6], h[5], h[4], h[3], h[2], h[1], h[0]); got != want {
			t.Fatalf("%s reversed: Best %d, Baseline %d", card.Join(h[:], " "), got, want)
		}
		if got, want := Eval6([6]card.Card(h[:6])), Baseline(h[:6]...); got != want {
			t.Fatalf("%s: Eval6 %d, Baseline %d", card.Join(h[:6], " "), got, want)
		}
	}
}

// FuzzEval7 compares Eval7 with Baseline on any seven distinct cards, and checks that the order
// of the cards does not matter.
func FuzzEval7(f *testing.F) {
	for _, tc := range handCases {
		cs := card.MustParseMany(tc.hand)
		if len(cs) == 7 {
			b := make([]byte, 7)
			for i, c := range cs {
				b[i] = byte(c)
			}
			f.Add(b)
		}
	}
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 7 {
			return
		}
		var h [7]card.Card
		var seen card.Set
		for i := range h {
			h[i] = card.Card(b[i] % card.N)
			if seen.Has(h[i]) {
				return
			}
			seen = seen.Add(h[i])
		}
		want := Baseline(h[:]...)
		if got := Eval7(h); got != want {
			t.Fatalf("%s: Eval7 %d (%s), Baseline %d (%s)", card.Join(h[:], " "), got, got, want, want)
		}
		if got := Eval7([7]card.Card{h[3], h[6], h[0], h[5], h[1], h[4], h[2]}); got != want {
			t.Fatalf("%s shuffled: Eval7 %d, want %d", card.Join(h[:], " "), got, want)
		}
	})
}
