package strategy

import (
	"github.com/arcadehq/arcade/fairness"
	"testing"
)

func BenchmarkMicroFirst(b *testing.B) {
	g := fairness.NewGenerator(SessionSeed([]byte("x"), 0))
	var acc uint32
	for i := 0; b.Loop(); i++ {
		acc += g.First("sim", uint64(i))
	}
	_ = acc
}

func BenchmarkMicroSessionOnly(b *testing.B) {
	s := newSession(Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Flat}.compile())
	s.reset(int64(credits(1_000_000_000)), 0)
	for i := 0; b.Loop(); i++ {
		bet, stop, _ := s.Next()
		if stop {
			b.Fatal("stop")
		}
		o, _ := bet.Resolve((i * 7919) % 10000)
		s.Record(o)
	}
}

func BenchmarkMicroSettle(b *testing.B) {
	s := newSession(Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Flat}.compile())
	s.reset(int64(credits(1_000_000_000)), 0)
	roll := 0
	for b.Loop() {
		s.step()
		roll += 7919
		if roll >= 10000 {
			roll -= 10000
		}
		w, p, _ := s.settle(roll)
		s.record(w, p)
	}
}

func benchAdv() *Advanced {
	p, _ := PresetByID("trend-follower")
	a := p.Strategy
	a.Rules = append(a.Rules,
		rule("4", 3, "win_rate_below", dp(40), "decrease_bet_percent", dp(10)),
		rule("5", 4, "pattern_win_loss", nil, "double_bet", nil),
		rule("6", 5, "balance_percent_below", dp(10), "reset_bet", nil),
	)
	a.Rules[4].Trigger.Pattern = "WLW"
	return &a
}

func BenchmarkMicroSettleAdv(b *testing.B) {
	s := newSession(benchAdv().compile())
	s.reset(int64(credits(1_000_000_000)), 0)
	roll := 0
	for b.Loop() {
		s.step()
		roll += 7919
		if roll >= 10000 {
			roll -= 10000
		}
		w, p, _ := s.settle(roll)
		s.record(w, p)
	}
}
