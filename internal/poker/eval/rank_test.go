package eval

import (
	"testing"

	"github.com/arcadehq/arcade/internal/poker/card"
)

// TestClassKeys checks the class list: 7462 keys, and each category's dense ranks are exactly
// the range categoryFloor gives it.
func TestClassKeys(t *testing.T) {
	if got := len(classKeys) - 1; got != NumRanks {
		t.Fatalf("%d classes, want %d", got, NumRanks)
	}
	for r := Rank(1); r <= NumRanks; r++ {
		if got, want := r.Category(), Category(classKeys[r]>>20); got != want {
			t.Fatalf("rank %d: Category %v, key says %v", r, got, want)
		}
	}
	for _, r := range []Rank{0, NumRanks + 1} {
		if c := r.Category(); c != 0 {
			t.Errorf("Rank(%d).Category() = %v, want 0", r, c)
		}
	}
}

// handCases feeds the evaluator tests and the fuzz seeds: a hand, its category and Describe.
var handCases = []struct {
	hand string
	cat  Category
	desc string
}{
	{"AsKsQsJsTs", StraightFlush, "Royal Flush"},
	{"As2s3s4s5s9d9c", StraightFlush, "Straight Flush, Five high"},
	{"9h8h7h6h5hAhAd", StraightFlush, "Straight Flush, Nine high"},
	{"AcAdAhAsKd", FourOfAKind, "Four of a Kind, Aces"},
	{"KcKdKh5s5d2c2d", FullHouse, "Full House, Kings full of Fives"},
	{"KcKdKh5s5d5c2d", FullHouse, "Full House, Kings full of Fives"},
	{"2c7c9cJcKc", Flush, "Flush, King high"},
	{"Ac2d3h4s5c", Straight, "Straight, Five high"},
	{"Ac2d3h4s5c6d", Straight, "Straight, Six high"},
	{"TcJdQhKsAc2d2h", Straight, "Straight, Ace high"},
	{"7c7d7h2s9c", ThreeOfAKind, "Three of a Kind, Sevens"},
	{"AcAdKhKs2c", TwoPair, "Two Pair, Aces and Kings"},
	{"AcAdKhKs2c2d3h", TwoPair, "Two Pair, Aces and Kings"},
	{"JcJd2h5s9c", OnePair, "One Pair, Jacks"},
	{"Ac3d5h7s9c", HighCard, "High Card, Ace high"},
	{"7c5d4h3s2c", HighCard, "High Card, Seven high"},
}

func TestKnownHands(t *testing.T) {
	for _, tc := range handCases {
		cs := card.MustParseMany(tc.hand)
		for name, r := range map[string]Rank{"Best": Best(cs...), "Baseline": Baseline(cs...)} {
			if r.Category() != tc.cat || r.Describe() != tc.desc {
				t.Errorf("%s(%s) = %d %v %q, want %v %q", name, tc.hand, r, r.Category(), r.Describe(), tc.cat, tc.desc)
			}
		}
	}
	if r := Best(card.MustParseMany("AsKsQsJsTs")...); r != NumRanks {
		t.Errorf("royal flush = %d, want %d", r, NumRanks)
	}
	if r := Best(card.MustParseMany("7c5d4h3s2c")...); r != 1 {
		t.Errorf("7-high = %d, want 1", r)
	}
	if r := Best(card.MustParseMany("AsKs")...); r != 0 {
		t.Errorf("two cards = %d, want 0", r)
	}
}

func TestOrder(t *testing.T) {
	// Each hand beats the next.
	order := []string{
		"AsKsQsJsTs", "KsQsJsTs9s", "As2s3s4s5s", "AcAdAhAsKd", "AcAdAhAs2d", "2c2d2h2sAd",
		"AcAdAhKsKd", "KcKdKhAsAd", "AsJs9s7s5s", "AsJs9s7s4s", "AcKdQhJsTc", "6c5d4h3s2c",
		"5c4d3h2sAc", "AcAdAh3s2c", "AcAdKhKs3c", "AcAdKhKs2c", "AcAdQhQsKc", "AcAdKhQs9c",
		"AcKdQhJs9c", "7c5d4h3s2c",
	}
	for i := 0; i+1 < len(order); i++ {
		a, b := Best(card.MustParseMany(order[i])...), Best(card.MustParseMany(order[i+1])...)
		if a <= b {
			t.Errorf("%s (%d %s) should beat %s (%d %s)", order[i], a, a, order[i+1], b, b)
		}
	}
	// Suits never matter beyond flushes.
	if a, b := Best(card.MustParseMany("AcKdQh9s8c")...), Best(card.MustParseMany("AhKsQc9d8h")...); a != b {
		t.Errorf("same ranks, different suits: %d != %d", a, b)
	}
}

// TestDescribeAll names every Rank: each description starts with its category's name (a royal
// flush excepted) and is the same for equal hands only where kickers differ.
func TestDescribeAll(t *testing.T) {
	for r := Rank(1); r <= NumRanks; r++ {
		d := r.Describe()
		if r == NumRanks {
			if d != "Royal Flush" {
				t.Errorf("best rank describes as %q", d)
			}
			continue
		}
		if len(d) <= len(r.Name())+2 || d[:len(r.Name())] != r.Name() {
			t.Errorf("rank %d (%v): Describe %q", r, r.Category(), d)
		}
	}
	if d := Rank(0).Describe(); d != "Invalid" {
		t.Errorf("Rank(0).Describe() = %q", d)
	}
	if n := Category(42).String(); n != "Category(42)" {
		t.Errorf("Category(42) = %q", n)
	}
}
