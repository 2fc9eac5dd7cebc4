package strategy

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The simulator's target: at least 0.7× the rate of bare HMAC-SHA256 (keyed state reused,
// message "sim:N") on the same cores, since one HMAC per round is the irreducible cost.
//
//	go test ./internal/credits/strategy -run '^$' -bench . -benchmem -count 3

const benchRoundsPerSession = 50_000

func benchSimulate(b *testing.B, st Strategy) {
	sessions := 4 * runtime.GOMAXPROCS(0)
	spec := SimSpec{
		Strategy: st, Rounds: benchRoundsPerSession, Sessions: sessions,
		StartingBalance: credits(1_000_000), Seed: []byte("bench"),
	}
	b.ReportAllocs()
	var rounds int64
	start := time.Now()
	for b.Loop() {
		res, err := Simulate(context.Background(), spec, nil)
		if err != nil {
			b.Fatal(err)
		}
		rounds += res.TotalRounds
	}
	el := time.Since(start).Seconds()
	b.ReportMetric(float64(rounds)/el, "rounds/s")
	b.ReportMetric(float64(rounds)/float64(b.N), "rounds/op")
}

// BenchmarkSimulateFlat measures the simulator on all cores with a flat bet.
func BenchmarkSimulateFlat(b *testing.B) {
	benchSimulate(b, Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Flat})
}

// benchPreset is the trend-follower preset: all_matching, so its three rules are evaluated after
// every round.
func benchPreset() *Advanced {
	p, _ := PresetByID("trend-follower")
	return &p.Strategy
}

// benchAdvanced is the trend-follower preset with three more rules: six rules, percentage,
// win-rate and pattern triggers, all evaluated after every round.
func benchAdvanced() *Advanced {
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

// BenchmarkSimulateAdvanced measures the simulator on all cores with the trend-follower preset.
func BenchmarkSimulateAdvanced(b *testing.B) {
	benchSimulate(b, benchPreset())
}

// BenchmarkSimulateAdvancedHeavy measures the simulator on all cores with six all_matching rules.
func BenchmarkSimulateAdvancedHeavy(b *testing.B) {
	benchSimulate(b, benchAdvanced())
}

// bareHMAC runs HMAC-SHA256 with a reused keyed state over "sim:N", n times per goroutine, on
// workers goroutines.
func bareHMAC(workers, n int) uint32 {
	var wg sync.WaitGroup
	var sink atomic.Uint32
	for w := range workers {
		wg.Go(func() {
			key := sha256.Sum256([]byte{byte(w)})
			mac := hmac.New(sha256.New, key[:])
			msg := make([]byte, 0, 32)
			var sum [sha256.Size]byte
			var acc uint32
			for i := range n {
				msg = strconv.AppendUint(append(msg[:0], "sim:"...), uint64(i), 10)
				mac.Reset()
				mac.Write(msg)
				mac.Sum(sum[:0])
				acc += uint32(sum[0])
			}
			sink.Add(acc)
		})
	}
	wg.Wait()
	return sink.Load()
}

// BenchmarkBareHMAC2Cores is the reference rate: HMAC-SHA256 with a reused keyed state over
// "sim:N" on GOMAXPROCS goroutines (two on the target machine), no strategy, no dice.
func BenchmarkBareHMAC2Cores(b *testing.B) {
	workers := runtime.GOMAXPROCS(0)
	b.ReportAllocs()
	var total int64
	start := time.Now()
	for b.Loop() {
		bareHMAC(workers, benchRoundsPerSession)
		total += int64(workers * benchRoundsPerSession)
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "rounds/s")
}

// BenchmarkSimulateVsBareHMAC interleaves the bare HMAC workload with the two simulations in
// every iteration and reports the ratios directly, so that a machine whose load drifts (other
// processes sharing the cores) skews both sides alike. The target is ratio ≥ 0.7.
func BenchmarkSimulateVsBareHMAC(b *testing.B) {
	workers := runtime.GOMAXPROCS(0)
	names := []string{"flat", "advanced", "heavy"}
	strategies := []Strategy{
		Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Flat},
		benchPreset(),
		benchAdvanced(),
	}
	var bare time.Duration
	var bareN int64
	took := make([]time.Duration, len(names))
	rounds := make([]int64, len(names))
	for b.Loop() {
		t := time.Now()
		bareHMAC(workers, 2*benchRoundsPerSession)
		bare += time.Since(t)
		bareN += int64(2 * workers * benchRoundsPerSession)
		for k, st := range strategies {
			spec := SimSpec{Strategy: st, Rounds: benchRoundsPerSession, Sessions: 2 * workers,
				StartingBalance: credits(1_000_000), Seed: []byte("bench")}
			t = time.Now()
			res, err := Simulate(context.Background(), spec, nil)
			if err != nil {
				b.Fatal(err)
			}
			took[k] += time.Since(t)
			rounds[k] += res.TotalRounds
		}
	}
	bareRate := float64(bareN) / bare.Seconds()
	b.ReportMetric(bareRate, "bare-rounds/s")
	for k, name := range names {
		b.ReportMetric(float64(rounds[k])/took[k].Seconds()/bareRate, "ratio-"+name)
	}
}

// benchRound is the runner's per-round path through the public API: Next, Resolve, Record.
func benchRound(b *testing.B, st Strategy) {
	s, err := NewSession(st, credits(1_000_000_000), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	roll := 0
	for b.Loop() {
		bet, stop, _ := s.Next()
		if stop {
			b.Fatal("stopped")
		}
		roll += 7919 // a fixed pseudo-random walk over the 10000 rolls
		if roll >= 10000 {
			roll -= 10000
		}
		o, err := bet.Resolve(roll)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Record(o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionRoundFlat is the engine's cost per round without the HMAC.
func BenchmarkSessionRoundFlat(b *testing.B) {
	benchRound(b, Config{Amount: credits(1), Target: 5000, Condition: Over, ProgressionType: Martingale})
}

// BenchmarkSessionRoundAdvanced is the rule engine's cost per round without the HMAC.
func BenchmarkSessionRoundAdvanced(b *testing.B) { benchRound(b, benchAdvanced()) }
