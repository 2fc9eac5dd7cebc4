package eval

import "fmt"

// Rank is the strength of a hand's best five cards: higher is better, equal values tie. The
// values are dense, 1 (7-5-4-3-2 offsuit, the worst high card) to 7462 (a royal flush): one value
// per class of equal five-card hands. Zero is no hand (what Best returns for a bad card count).
// This is Cactus Kev's numbering turned round: Rank = 7463 − the rank PokerHandEvaluator's
// evaluate_7cards returns (checked on all 133,784,560 seven-card hands when this was written).
type Rank uint16

// Category is the kind of hand: HighCard up to StraightFlush. A royal flush is a StraightFlush.
type Category uint8

// The hand categories, worst first. The zero Category is not a hand.
const (
	HighCard Category = iota + 1
	OnePair
	TwoPair
	ThreeOfAKind
	Straight
	Flush
	FullHouse
	FourOfAKind
	StraightFlush
)

// NumRanks is the number of distinct five-card hand values, so the best Rank.
const NumRanks = 7462

// categoryFloor[c] is the lowest Rank of category c; each category's values follow the previous
// one's. The widths are the classic per-category class counts: 1277 high cards, 2860 one pairs,
// 858 two pairs, 858 trips, 10 straights, 1277 flushes, 156 full houses, 156 quads, 10 straight
// flushes.
var categoryFloor = [...]Rank{
	HighCard:      1,
	OnePair:       1278,
	TwoPair:       4138,
	ThreeOfAKind:  4996,
	Straight:      5854,
	Flush:         5864,
	FullHouse:     7141,
	FourOfAKind:   7297,
	StraightFlush: 7453,
}

// Category returns the rank's category, or 0 if r is not a valid Rank.
func (r Rank) Category() Category {
	if r == 0 || r > NumRanks {
		return 0
	}
	c := StraightFlush
	for r < categoryFloor[c] {
		c--
	}
	return c
}

var categoryNames = [...]string{
	0:             "Invalid",
	HighCard:      "High Card",
	OnePair:       "One Pair",
	TwoPair:       "Two Pair",
	ThreeOfAKind:  "Three of a Kind",
	Straight:      "Straight",
	Flush:         "Flush",
	FullHouse:     "Full House",
	FourOfAKind:   "Four of a Kind",
	StraightFlush: "Straight Flush",
}

// String returns the category's name, e.g. "Full House".
func (c Category) String() string {
	if int(c) >= len(categoryNames) {
		return fmt.Sprintf("Category(%d)", uint8(c))
	}
	return categoryNames[c]
}

// Name returns the name of the rank's category, e.g. "Two Pair" ("Invalid" for a bad Rank).
func (r Rank) Name() string { return r.Category().String() }

// String is Describe.
func (r Rank) String() string { return r.Describe() }

var (
	rankWords  = [13]string{"Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Jack", "Queen", "King", "Ace"}
	rankPlural = [13]string{"Twos", "Threes", "Fours", "Fives", "Sixes", "Sevens", "Eights", "Nines", "Tens", "Jacks", "Queens", "Kings", "Aces"}
)

// Describe names the hand for histories and table talk: "Two Pair, Aces and Kings", "Full House,
// Kings full of Fives", "Flush, Ace high", "Straight, Five high", "Royal Flush". Kickers are not
// named.
func (r Rank) Describe() string {
	cat := r.Category()
	if cat == 0 {
		return "Invalid"
	}
	k := classKeys[r]
	hi, lo := keyRank(k, 0), keyRank(k, 2)
	switch cat {
	case HighCard, Flush:
		return cat.String() + ", " + rankWords[hi] + " high"
	case Straight:
		return cat.String() + ", " + rankWords[hi] + " high"
	case StraightFlush:
		if hi == 12 {
			return "Royal Flush"
		}
		return cat.String() + ", " + rankWords[hi] + " high"
	case OnePair, ThreeOfAKind, FourOfAKind:
		return cat.String() + ", " + rankPlural[hi]
	case TwoPair:
		return cat.String() + ", " + rankPlural[hi] + " and " + rankPlural[lo]
	default: // FullHouse: trips in places 0..2, the pair in 3..4
		return cat.String() + ", " + rankPlural[hi] + " full of " + rankPlural[keyRank(k, 3)]
	}
}
