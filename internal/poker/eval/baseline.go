package eval

import (
	"slices"

	"github.com/arcadehq/arcade/internal/poker/card"
)

// This file is the reference evaluator: the rules of poker written plainly, with no tables but
// the list of hand classes. The fast evaluator is tested against it, and it is the one to read
// when the rules are in doubt.
//
// A five-card hand's key is category<<20 followed by five 4-bit ranks (0 = two … 12 = ace), most
// important first: the ranks ordered by how many times they occur, then by rank (so K K 5 5 A is
// two pair "K K 5 5 A", and 9 9 9 4 4 is a full house "9 9 9 4 4"). A straight's key holds only
// its top card (5 for the wheel A-2-3-4-5). Comparing keys as integers compares hands; the dense
// Rank is the key's position among the 7462 keys that occur.

// keyRank returns the rank in place i (0 most important) of a key.
func keyRank(k uint32, i int) uint8 { return uint8(k>>(16-4*i)) & 15 }

// key5 returns the key of five ranks with the given flush flag.
func key5(ranks [5]uint8, flush bool) uint32 {
	var count [13]uint8
	for _, r := range ranks {
		count[r]++
	}
	order := ranks
	slices.SortFunc(order[:], func(a, b uint8) int {
		if count[a] != count[b] {
			return int(count[b]) - int(count[a])
		}
		return int(b) - int(a)
	})
	pack := func(cat Category, rs ...uint8) uint32 {
		k := uint32(cat) << 20
		for i, r := range rs {
			k |= uint32(r) << (16 - 4*i)
		}
		return k
	}
	distinct := count[order[0]] == 1
	straightHigh, straight := uint8(0), false
	if distinct {
		switch {
		case order[0]-order[4] == 4:
			straightHigh, straight = order[0], true
		case order == [5]uint8{12, 3, 2, 1, 0}:
			straightHigh, straight = 3, true
		}
	}
	switch {
	case straight && flush:
		return pack(StraightFlush, straightHigh)
	case count[order[0]] == 4:
		return pack(FourOfAKind, order[:]...)
	case count[order[0]] == 3 && count[order[3]] == 2:
		return pack(FullHouse, order[:]...)
	case flush:
		return pack(Flush, order[:]...)
	case straight:
		return pack(Straight, straightHigh)
	case count[order[0]] == 3:
		return pack(ThreeOfAKind, order[:]...)
	case count[order[0]] == 2 && count[order[2]] == 2:
		return pack(TwoPair, order[:]...)
	case count[order[0]] == 2:
		return pack(OnePair, order[:]...)
	default:
		return pack(HighCard, order[:]...)
	}
}

// classKeys[r] is the key of Rank r, for r in 1..NumRanks (classKeys[0] is unused).
var classKeys = buildClassKeys()

// buildClassKeys lists every key that occurs: each multiset of five ranks (no rank five times)
// without a flush, and each set of five distinct ranks with one.
func buildClassKeys() []uint32 {
	keys := []uint32{0}
	var rec func(ranks [5]uint8, n int, from uint8, mult int)
	rec = func(ranks [5]uint8, n int, from uint8, mult int) {
		if n == 5 {
			keys = append(keys, key5(ranks, false))
			if ranks[0] != ranks[1] && ranks[1] != ranks[2] && ranks[2] != ranks[3] && ranks[3] != ranks[4] {
				keys = append(keys, key5(ranks, true))
			}
			return
		}
		for r := from; r < 13; r++ {
			m := 1
			if n > 0 && r == ranks[n-1] {
				m = mult + 1
			}
			if m > 4 {
				continue
			}
			ranks[n] = r
			rec(ranks, n+1, r, m)
		}
	}
	rec([5]uint8{}, 0, 0, 0)
	slices.Sort(keys)
	return slices.Compact(keys)
}

// rankOfKey returns the dense Rank of a key that occurs.
func rankOfKey(k uint32) Rank {
	i, found := slices.BinarySearch(classKeys, k)
	if !found {
		panic("eval: key of no hand class") // unreachable: key5 only makes listed keys
	}
	return Rank(i)
}

// baselineKey5 returns the key of five cards.
func baselineKey5(c0, c1, c2, c3, c4 card.Card) uint32 {
	ranks := [5]uint8{c0.Rank(), c1.Rank(), c2.Rank(), c3.Rank(), c4.Rank()}
	s := c0.Suit()
	flush := c1.Suit() == s && c2.Suit() == s && c3.Suit() == s && c4.Suit() == s
	return key5(ranks, flush)
}

// Baseline returns the rank of the best five of 5 to 7 cards by trying every five-card subset
// (21 of them for seven cards). It is slow and plain: the reference the fast evaluator is tested
// against. It returns 0 for fewer than five or more than seven cards.
func Baseline(cs ...card.Card) Rank {
	n := len(cs)
	if n < 5 || n > 7 {
		return 0
	}
	best := uint32(0)
	for a := 0; a < n; a++ {
		for b := a + 1; b < n; b++ {
			for c := b + 1; c < n; c++ {
				for d := c + 1; d < n; d++ {
					for e := d + 1; e < n; e++ {
						best = max(best, baselineKey5(cs[a], cs[b], cs[c], cs[d], cs[e]))
					}
				}
			}
		}
	}
	return rankOfKey(best)
}
