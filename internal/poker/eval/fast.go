package eval

import (
	"math/bits"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/arcadehq/arcade/internal/poker/card"
)

// The fast evaluator. A hand is summarised by one 64-bit sum of per-card keys:
//
//	bits 0..38   13 fields of 3 bits: how many cards of each rank (0..4)
//	bits 40..55   4 fields of 4 bits: how many cards of each suit, plus 3
//
// Seven cards cannot make both a flush and a full house or quads, so when a suit field reaches 8
// (five cards of the suit) the hand is a flush or a straight flush and its value depends only on
// the ranks in that suit: their 13-bit mask indexes flushTab. Otherwise the value depends only on
// the multiset of ranks, the low 39 bits, and a minimal-ish perfect hash maps the 49,205
// multisets of seven ranks (no rank more than four times) to the slots of a 64 Ki-entry table.
//
// The perfect hash is "hash and displace": h = key × mul; the top bits of h choose a bucket, the
// next bits a slot, and the bucket's displacement, xored into the slot, moves its keys to slots
// no other key uses. Evaluating is then seven loads and adds from a 2 KiB table, a test, a
// multiply, a load from the 16 KiB displacement table and one from the 128 KiB value table:
// about 146 KiB in all, which stays in the L2 cache. Five- and six-card hands use a second,
// smaller hash built the same way.
//
// All tables are computed from the reference evaluator (Baseline) when the package first
// evaluates a hand, so they are right by construction and the tests compare the two anyway.

const (
	suitShift = 40
	suitBias  = 0x3333 << suitShift // each suit field starts at 3
	flushBits = 0x8888 << suitShift // set in a suit field once it reaches 8: five cards of the suit
	rankBits  = 1<<39 - 1

	slot7Bits    = 16
	bucket7Bits  = 13
	slot56Bits   = 15
	bucket56Bits = 12
)

// tables holds everything the fast evaluator reads. It is built once and never changed.
type tables struct {
	cardKey  [256]uint64 // indexed by any byte so that no bounds check is needed; 0 past card 51
	flushTab [1 << 13]Rank
	mul7     uint64
	disp7    [1 << bucket7Bits]uint16
	rank7    [1 << slot7Bits]Rank
	h56      perfectHash
}

var (
	tabPtr  atomic.Pointer[tables]
	tabOnce sync.Once
)

// tab returns the tables, building them on first use (about 0.1 s; see BenchmarkInit). A
// program that never evaluates a hand never pays for them.
func tab() *tables {
	if t := tabPtr.Load(); t != nil {
		return t
	}
	return buildOnce()
}

func buildOnce() *tables {
	tabOnce.Do(func() { tabPtr.Store(buildTables()) })
	return tabPtr.Load()
}

// Warm builds the evaluator's tables now rather than on the first evaluation, for servers that
// want the cost at start-up.
func Warm() { tab() }

func (t *tables) lookup7(k uint64) Rank {
	h := (k & rankBits) * t.mul7
	slot := uint16(h>>(64-bucket7Bits-slot7Bits)) ^ t.disp7[h>>(64-bucket7Bits)]
	return t.rank7[slot]
}

// flushOf returns the value of the flush among cards c0..c6 (pass an invalid card, 0xff, for an
// absent one), whose key sum is k.
func (t *tables) flushOf(k uint64, c0, c1, c2, c3, c4, c5, c6 card.Card) Rank {
	s := uint8(bits.TrailingZeros64(k&flushBits)-suitShift-3) / 4
	var m uint16
	for _, c := range [7]card.Card{c0, c1, c2, c3, c4, c5, c6} {
		if c.Suit() == s && c.Valid() {
			m |= 1 << c.Rank()
		}
	}
	return t.flushTab[m&(1<<13-1)]
}

// The eval functions take the cards as separate arguments, which travel in registers.

func eval5(c0, c1, c2, c3, c4 card.Card) Rank {
	t := tab()
	k := suitBias + t.cardKey[c0] + t.cardKey[c1] + t.cardKey[c2] + t.cardKey[c3] + t.cardKey[c4]
	if k&flushBits != 0 {
		return t.flushOf(k, c0, c1, c2, c3, c4, 0xff, 0xff)
	}
	return t.h56.lookup(k & rankBits)
}

func eval6(c0, c1, c2, c3, c4, c5 card.Card) Rank {
	t := tab()
	k := suitBias + t.cardKey[c0] + t.cardKey[c1] + t.cardKey[c2] + t.cardKey[c3] + t.cardKey[c4] +
		t.cardKey[c5]
	if k&flushBits != 0 {
		return t.flushOf(k, c0, c1, c2, c3, c4, c5, 0xff)
	}
	return t.h56.lookup(k & rankBits)
}

// seventh is the seventh card of a hand. eval7 is a method on it rather than a function of seven
// cards only because that makes the call in Eval7 one unit cheaper for the inliner, which then
// fits its budget (80). Inlined, Eval7 passes the cards straight from the caller's registers.
type seventh card.Card

func (c6 seventh) eval7(c0, c1, c2, c3, c4, c5 card.Card) Rank {
	t := tab()
	k := suitBias + t.cardKey[c0] + t.cardKey[c1] + t.cardKey[c2] + t.cardKey[c3] + t.cardKey[c4] +
		t.cardKey[c5] + t.cardKey[c6]
	if k&flushBits != 0 {
		return t.flushOf(k, c0, c1, c2, c3, c4, c5, card.Card(c6))
	}
	return t.lookup7(k)
}

// perfectHash maps a fixed set of keys to values: hash and displace, as described above.
type perfectHash struct {
	mul                    uint64
	bucketShift, slotShift uint8
	slotMask               uint32
	disp                   []uint16
	vals                   []Rank
}

func (p *perfectHash) lookup(k uint64) Rank {
	h := k * p.mul
	slot := (uint32(h>>p.slotShift) ^ uint32(p.disp[h>>p.bucketShift])) & p.slotMask
	return p.vals[slot]
}

// buildTables computes every table from the reference evaluator.
func buildTables() *tables {
	t := new(tables)
	for c := card.Card(0); c < card.N; c++ {
		t.cardKey[c] = 1<<(3*c.Rank()) + 1<<(suitShift+4*c.Suit())
	}

	// Flushes: for each mask of five to seven ranks, the best five of those cards in one suit.
	var cs []card.Card
	for m := range 1 << 13 {
		if n := bits.OnesCount(uint(m)); n < 5 || n > 7 {
			continue
		}
		cs = cs[:0]
		for r := range 13 {
			if m&(1<<r) != 0 {
				cs = append(cs, card.Card(r<<2))
			}
		}
		t.flushTab[m] = Baseline(cs...)
	}

	// Rank multisets of five to seven cards, each with its value without a flush: the i-th card
	// in rank order gets suit i mod 4, so copies of a rank differ in suit and no suit has more
	// than two cards.
	var keys [8][]uint64
	var vals [8][]Rank
	var counts [13]uint8
	var rec func(r, n int)
	rec = func(r, n int) {
		if r == 13 {
			if n < 5 {
				return
			}
			cs = cs[:0]
			var k uint64
			for rr, cnt := range counts {
				for range cnt {
					cs = append(cs, card.Card(rr<<2|len(cs)&3))
					k += 1 << (3 * rr)
				}
			}
			keys[n] = append(keys[n], k)
			vals[n] = append(vals[n], Baseline(cs...))
			return
		}
		for c := uint8(0); c <= 4 && n+int(c) <= 7; c++ {
			counts[r] = c
			rec(r+1, n+int(c))
		}
		counts[r] = 0
	}
	rec(0, 0)

	h7 := buildPerfectHash(keys[7], vals[7], bucket7Bits, slot7Bits)
	t.mul7 = h7.mul
	copy(t.disp7[:], h7.disp)
	copy(t.rank7[:], h7.vals)
	t.h56 = buildPerfectHash(slices.Concat(keys[5], keys[6]), slices.Concat(vals[5], vals[6]), bucket56Bits, slot56Bits)
	return t
}

// buildPerfectHash tries multipliers from a fixed sequence until hash and displace succeeds, so
// the result is the same on every run.
func buildPerfectHash(keys []uint64, vals []Rank, bucketBits, slotBits uint8) perfectHash {
	p := perfectHash{
		bucketShift: 64 - bucketBits,
		slotShift:   64 - bucketBits - slotBits,
		slotMask:    1<<slotBits - 1,
		disp:        make([]uint16, 1<<bucketBits),
		vals:        make([]Rank, 1<<slotBits),
	}
	seed := uint64(0x9e3779b97f4a7c15)
	for {
		seed = splitmix(seed)
		p.mul = seed | 1
		if p.place(keys, vals) {
			return p
		}
	}
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// place fills p.disp and p.vals for p.mul: buckets in decreasing size, each given the first
// displacement that puts all its keys in free slots. It reports false if a bucket fits nowhere.
func (p *perfectHash) place(keys []uint64, vals []Rank) bool {
	type entry struct{ slot, i uint32 }
	buckets := make([][]entry, len(p.disp))
	for i, k := range keys {
		h := k * p.mul
		b := h >> p.bucketShift
		buckets[b] = append(buckets[b], entry{uint32(h>>p.slotShift) & p.slotMask, uint32(i)})
	}
	order := make([]int, len(buckets))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(buckets[b]) - len(buckets[a]) })
	used := make([]bool, len(p.vals))
	for _, b := range order {
		es := buckets[b]
		if len(es) == 0 {
			break
		}
		found := false
	disp:
		for d := uint32(0); d <= p.slotMask; d++ {
			for j, e := range es {
				s := e.slot ^ d
				if used[s] {
					continue disp
				}
				for _, f := range es[:j] {
					if f.slot^d == s {
						continue disp
					}
				}
			}
			for _, e := range es {
				used[e.slot^d] = true
				p.vals[e.slot^d] = vals[e.i]
			}
			p.disp[b] = uint16(d)
			found = true
			break
		}
		if !found {
			clear(p.vals)
			clear(p.disp)
			return false
		}
	}
	return true
}
