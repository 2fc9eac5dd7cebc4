package engine

import (
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/arcadehq/arcade/internal/poker/card"
)

// The benchmark table is PokerKit's bench (shared bench/poker/pokerkit_bench.py): 6 players of
// 20,000 chips, blinds 50/100, min bet 100, no antes, a fresh shuffle every hand, each action
// chosen uniformly among fold, check-or-call and raise (when legal; folds allowed when checking
// is free), a raise to a uniform amount in [min, max]; showdown and chip pushing automatic.
var benchCfg = Config{Seats: 6, SmallBlind: 50, BigBlind: 100, MinBet: 100}

const benchStack = 20_000

// benchPlayer plays complete hands on one Hand with one random stream.
type benchPlayer struct {
	h      *Hand
	rng    *rand.Rand
	deck   [52]card.Card
	stacks [6]int64
	button int
}

func newBenchPlayer(seed uint64) *benchPlayer {
	h, err := New(benchCfg)
	if err != nil {
		panic(err)
	}
	p := &benchPlayer{h: h, rng: rand.New(rand.NewPCG(seed, 0xda3e39cb94b95bdb))}
	for i := range p.deck {
		p.deck[i] = card.Card(i)
	}
	return p
}

// hand plays one hand and returns the number of player actions.
func (p *benchPlayer) hand() int {
	for i := 51; i > 0; i-- {
		j := p.rng.IntN(i + 1)
		p.deck[i], p.deck[j] = p.deck[j], p.deck[i]
	}
	for i := range p.stacks {
		p.stacks[i] = benchStack
	}
	p.button = (p.button + 1) % 6
	if err := p.h.Start(p.stacks[:], p.button, &p.deck); err != nil {
		panic(err)
	}
	n := 0
	for p.h.phase == Betting {
		a := p.h.Legal()
		if err := p.h.Act(a.Seat, randomAction(p.rng, a)); err != nil {
			panic(err)
		}
		n++
	}
	var sum int64
	for _, s := range p.h.res.Final[:6] {
		sum += s
	}
	if sum != 6*benchStack {
		panic("chips not conserved")
	}
	return n
}

// BenchmarkHand6Max is complete 6-max hands, one per iteration; run with -cpu 1 to compare with
// PokerKit's single-core figure (scripts/poker-bench runs both in one invocation).
func BenchmarkHand6Max(b *testing.B) {
	p := newBenchPlayer(1)
	b.ReportAllocs()
	actions := 0
	b.ResetTimer()
	for b.Loop() {
		actions += p.hand()
	}
	s := b.Elapsed().Seconds()
	b.ReportMetric(float64(b.N)/s, "hands/s")
	b.ReportMetric(float64(actions)/float64(b.N), "actions/hand")
}

// BenchmarkHand6MaxParallel is the same on every P (one Hand and one random stream each): -cpu 2
// for two cores.
func BenchmarkHand6MaxParallel(b *testing.B) {
	var seed atomic.Uint64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		p := newBenchPlayer(seed.Add(1))
		for pb.Next() {
			p.hand()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hands/s")
}

// BenchmarkAct is one legal random action on a hand in progress (a new hand when one ends).
func BenchmarkAct(b *testing.B) {
	p := newBenchPlayer(2)
	p.hand()
	b.ReportAllocs()
	for b.Loop() {
		if p.h.phase != Betting {
			for i := range p.stacks {
				p.stacks[i] = benchStack
			}
			p.button = (p.button + 1) % 6
			if err := p.h.Start(p.stacks[:], p.button, &p.deck); err != nil {
				panic(err)
			}
		}
		a := p.h.Legal()
		if err := p.h.Act(a.Seat, randomAction(p.rng, a)); err != nil {
			panic(err)
		}
	}
}
