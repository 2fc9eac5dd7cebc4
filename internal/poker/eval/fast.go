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
// the multiset of ranks, the low 39 bits, and a perfect hash maps the 49,205
// multisets of seven ranks (no rank more than four times) to slots of a 64 Ki-entry table.
//
// The perfect hash is "hash and displace": h = key × mul; the top bits of h choose a bucket, the
// next bits a slot, and the bucket's displacement, xored into the slot, moves its keys to slots
// no other key uses. Evaluating is then seven loads and adds from a 2 KiB table, a test, a
// multiply, a load from the 16 KiB displacement table and one from the 128 KiB value table (plus
// the 16 KiB flush table for flushes): 162 KiB in all, which stays in the L2 cache. Five- and
// six-card hands use a second, smaller hash built the same way (40 KiB).
//
// All tables are computed when the package first evaluates a hand, from the reference evaluator
// (Baseline) for five cards and by dropping one card at a time for six and seven, so they are
// right by construction; the tests compare with Baseline anyway.

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

// tab is the one set of tables, a package-level value rather than a pointer so that the hot
// path addresses it directly and no load of a pointer sits in front of every table access. It is
// written once, under tabOnce, before tabReady is set; readers check tabReady first.
var (
	tab      tables
	tabOnce  sync.Once
	tabReady atomic.Bool
)

// ensure builds the tables on first use (see BenchmarkInit for the cost). A program that never
// evaluates a hand never pays for them. The check is a predictable branch, not a dependency of
// the lookups.
func ensure() {
	if !tabReady.Load() {
		build()
	}
}

func build() {
	tabOnce.Do(func() {
		buildTables(&tab)
		tabReady.Store(true)
	})
}

// Warm builds the evaluator's tables now rather than on the first evaluation, for servers that
// want the cost at start-up.
func Warm() { ensure() }

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
	ensure()
	t := &tab
	k := (suitBias + t.cardKey[c0]) + (t.cardKey[c1] + t.cardKey[c2]) + (t.cardKey[c3] + t.cardKey[c4])
	if k&flushBits != 0 {
		return t.flushOf(k, c0, c1, c2, c3, c4, 0xff, 0xff)
	}
	return t.h56.lookup(k & rankBits)
}

func eval6(c0, c1, c2, c3, c4, c5 card.Card) Rank {
	ensure()
	t := &tab
	k := (suitBias + t.cardKey[c0]) + (t.cardKey[c1] + t.cardKey[c2]) + (t.cardKey[c3] + t.cardKey[c4]) +
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
	ensure()
	t := &tab
	// Added as a tree, not a chain: the sum's latency is on the critical path of every lookup.
	k := ((suitBias + t.cardKey[c0]) + (t.cardKey[c1] + t.cardKey[c2])) +
		((t.cardKey[c3] + t.cardKey[c4]) + (t.cardKey[c5] + t.cardKey[c6]))
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

func (p *perfectHash) lookup(k uint64) Rank { return p.vals[p.slot(k)] }

// buildTables computes every table into t. Five-card values come from the reference evaluator;
// a six- or seven-card value is the best of the values left after dropping one card, because
// every five-card subset of n cards lies in some subset of n-1.
func buildTables(t *tables) {
	for c := card.Card(0); c < card.N; c++ {
		t.cardKey[c] = 1<<(3*c.Rank()) + 1<<(suitShift+4*c.Suit())
	}

	// Flushes: for each mask of five to seven ranks, the best five of those cards in one suit.
	var cs []card.Card
	for n := 5; n <= 7; n++ {
		for m := range uint16(1 << 13) {
			if bits.OnesCount16(m) != n {
				continue
			}
			if n == 5 {
				cs = cs[:0]
				for r := range 13 {
					if m&(1<<r) != 0 {
						cs = append(cs, card.Card(r<<2))
					}
				}
				t.flushTab[m] = Baseline(cs...)
				continue
			}
			for rest := m; rest != 0; rest &= rest - 1 {
				t.flushTab[m] = max(t.flushTab[m], t.flushTab[m&^(rest&-rest)])
			}
		}
	}

	// Rank multisets of five to seven cards (no rank more than four times), as key sums.
	var keys [8][]uint64
	var rec func(r, n int, k uint64)
	rec = func(r, n int, k uint64) {
		if r == 13 {
			if n >= 5 {
				keys[n] = append(keys[n], k)
			}
			return
		}
		for c := 0; c <= 4 && n+c <= 7; c++ {
			rec(r+1, n+c, k+uint64(c)<<(3*r))
		}
	}
	rec(0, 0, 0)

	// dropOne returns the best value of the multisets k less one card, as lookup gives them.
	dropOne := func(k uint64, lookup func(uint64) Rank) Rank {
		best := Rank(0)
		for r := range 13 {
			if k>>(3*r)&7 != 0 {
				best = max(best, lookup(k-1<<(3*r)))
			}
		}
		return best
	}
	t.h56 = buildPerfectHash(slices.Concat(keys[5], keys[6]), bucket56Bits, slot56Bits)
	for _, k := range keys[5] {
		// Without a flush: the i-th card in rank order gets suit i mod 4, so copies of a rank
		// differ in suit and no suit has two cards more than another.
		cs = cs[:0]
		for r := range 13 {
			for range k >> (3 * r) & 7 {
				cs = append(cs, card.Card(r<<2|len(cs)&3))
			}
		}
		t.h56.set(k, Baseline(cs...))
	}
	for _, k := range keys[6] {
		t.h56.set(k, dropOne(k, t.h56.lookup))
	}
	h7 := buildPerfectHash(keys[7], bucket7Bits, slot7Bits)
	for _, k := range keys[7] {
		h7.set(k, dropOne(k, t.h56.lookup))
	}
	t.mul7 = h7.mul
	copy(t.disp7[:], h7.disp)
	copy(t.rank7[:], h7.vals)
}

// buildPerfectHash places keys (their values are set afterwards), trying multipliers from a fixed
// sequence until hash and displace succeeds, so the result is the same on every run.
func buildPerfectHash(keys []uint64, bucketBits, slotBits uint8) perfectHash {
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
		if p.place(keys) {
			return p
		}
	}
}

// slot is where key k lives.
func (p *perfectHash) slot(k uint64) uint32 {
	h := k * p.mul
	return (uint32(h>>p.slotShift) ^ uint32(p.disp[h>>p.bucketShift])) & p.slotMask
}

func (p *perfectHash) set(k uint64, v Rank) { p.vals[p.slot(k)] = v }

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// place fills p.disp for p.mul: buckets in decreasing size, each given the first displacement
// that puts all its keys in free slots. It reports false if a bucket fits nowhere.
func (p *perfectHash) place(keys []uint64) bool {
	type entry struct{ slot uint32 }
	buckets := make([][]entry, len(p.disp))
	for _, k := range keys {
		h := k * p.mul
		b := h >> p.bucketShift
		buckets[b] = append(buckets[b], entry{uint32(h>>p.slotShift) & p.slotMask})
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
			}
			p.disp[b] = uint16(d)
			found = true
			break
		}
		if !found {
			clear(p.disp)
			return false
		}
	}
	return true
}
