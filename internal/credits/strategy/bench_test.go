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

// BenchmarkSimulateAdvanced measures the simulator on all cores with a rule-heavy strategy.
func BenchmarkSimulateAdvanced(b *testing.B) {
	p, _ := PresetByID("trend-follower")
	a := p.Strategy
	a.Rules = append(a.Rules,
		rule("4", 3, "win_rate_below", dp(40), "decrease_bet_percent", dp(10)),
		rule("5", 4, "pattern_win_loss", nil, "double_bet", nil),
		rule("6", 5, "balance_percent_below", dp(10), "reset_bet", nil),
	)
	a.Rules[4].Trigger.Pattern = "WLW"
	benchSimulate(b, &a)
}

// BenchmarkBareHMAC2Cores is the reference rate: HMAC-SHA256 with a reused keyed state over
// "sim:N" on GOMAXPROCS goroutines, no strategy, no dice.
func BenchmarkBareHMAC2Cores(b *testing.B) {
	workers := runtime.GOMAXPROCS(0)
	b.ReportAllocs()
	var total int64
	start := time.Now()
	for b.Loop() {
		var wg sync.WaitGroup
		var sink atomic.Uint32
		for w := range workers {
			wg.Go(func() {
				key := sha256.Sum256([]byte{byte(w)})
				mac := hmac.New(sha256.New, key[:])
				msg := make([]byte, 0, 32)
				var sum [sha256.Size]byte
				var acc uint32
				for n := range benchRoundsPerSession {
					msg = strconv.AppendUint(append(msg[:0], "sim:"...), uint64(n), 10)
					mac.Reset()
					mac.Write(msg)
					mac.Sum(sum[:0])
					acc += uint32(sum[0])
				}
				sink.Add(acc)
			})
		}
		wg.Wait()
		total += int64(workers * benchRoundsPerSession)
	}
	el := time.Since(start).Seconds()
	b.ReportMetric(float64(total)/el, "rounds/s")
}
