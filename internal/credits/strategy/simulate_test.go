package strategy

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"sort"
	"sync"
	"testing"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/money"
)

func flat(amount int64, target Hundredths, c Condition) Config {
	return Config{Amount: credits(amount), Target: target, Condition: c, ProgressionType: Flat}
}

func TestSimulateDeterministic(t *testing.T) {
	p, _ := PresetByID("trend-follower")
	spec := SimSpec{Strategy: &p.Strategy, Rounds: 3000, Sessions: 7, StartingBalance: credits(2000), Seed: []byte("replay me"), RecentRounds: 20}
	spec.Workers = 1
	a, err := Simulate(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	spec.Workers = 3
	b, err := Simulate(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same master seed gave different results with 1 and 3 workers")
	}
	spec.Seed = []byte("another seed")
	c, err := Simulate(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.SessionResults, c.SessionResults) {
		t.Fatal("a different seed gave the same sessions")
	}
}

// Every simulated roll is the public fairness algorithm's roll for the session's derived seed,
// client seed "sim" and nonce = round index; the balance moves by payout − stake.
func TestSimulateRollsAreVerifiable(t *testing.T) {
	seed := []byte("verify")
	res, err := Simulate(context.Background(), SimSpec{
		Strategy: Config{Amount: credits(3), Target: 3000, Condition: Under, ProgressionType: Martingale},
		Rounds:   200, Sessions: 1, StartingBalance: credits(100000), Seed: seed, RecentRounds: 200,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	g := fairness.NewGenerator(SessionSeed(seed, 0))
	balance := credits(100000)
	if len(res.RecentRounds) != 200 {
		t.Fatalf("%d recent rounds", len(res.RecentRounds))
	}
	for _, r := range res.RecentRounds {
		roll := fairness.CreditDiceRoll(g.First("sim", uint64(r.Round-1)))
		if Hundredths(roll) != r.Roll {
			t.Fatalf("round %d: roll %s, fairness says %d", r.Round, r.Roll, roll)
		}
		want, _ := Bet{Amount: r.Bet.Amount(), Target: r.Target, Condition: r.Condition}.Resolve(roll)
		if want.Win != r.Win || want.Payout != r.Payout.Amount() {
			t.Fatalf("round %d: %+v, want %+v", r.Round, r, want)
		}
		balance += (r.Payout - r.Bet).Amount()
		if balance != r.Balance.Amount() {
			t.Fatalf("round %d: balance %s, want %s (stake must be taken off)", r.Round, r.Balance, balance)
		}
	}
	if res.SessionResults[0].FinalBalance.Amount() != balance {
		t.Fatal("final balance")
	}
	if SessionSeed(seed, 0) != fairness.Seed(sha256.Sum256(append(append([]byte{}, seed...), 0, 0, 0, 0, 0, 0, 0, 0))) {
		t.Fatal("session seed is not SHA-256(master ‖ uint64be(index))")
	}
}

// A flat bet loses 3% of turnover on average. The bound is six standard deviations of the
// total PnL, so the test does not flake; a seed is fixed anyway.
func TestSimulateFlatConvergesToHouseEdge(t *testing.T) {
	rounds, sessions := int64(20000), 20
	if testing.Short() {
		rounds = 5000
	}
	for _, tc := range []struct {
		target Hundredths
		c      Condition
	}{{5000, Over}, {1000, Under}, {9000, Under}} {
		res, err := Simulate(context.Background(), SimSpec{
			Strategy: flat(10, tc.target, tc.c), Rounds: rounds, Sessions: sessions,
			StartingBalance: credits(1_000_000_000), Seed: []byte("edge"),
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var pnl, turnover int64
		for _, s := range res.SessionResults {
			pnl += int64(s.PnL)
			turnover += int64(s.Turnover)
		}
		n := float64(res.RoundsPlayed)
		w := float64(winningRolls(tc.target, tc.c == Over)) / 10000
		pay, _ := fairness.CreditDicePayout(10_000_000, int(tc.target), tc.c == Over)
		mean := n * (w*float64(pay) - 10e6)       // exact expectation with the floored payout
		sd := math.Sqrt(n*w*(1-w)) * float64(pay) // binomial spread of the payouts
		if d := math.Abs(float64(pnl) - mean); d > 6*sd {
			t.Errorf("%s %s: PnL %d off its mean %.0f by %.1f sd", tc.c, tc.target, pnl, mean, d/sd)
		}
		if edge := -float64(pnl) / float64(turnover); math.Abs(edge-0.03) > 6*sd/float64(turnover)+0.0001 {
			t.Errorf("%s %s: observed edge %.4f", tc.c, tc.target, edge)
		}
		if math.Abs(res.ObservedEdge+float64(pnl)/float64(turnover)) > 1e-9 {
			t.Errorf("ObservedEdge %v", res.ObservedEdge)
		}
	}
}

func TestSimulateAggregates(t *testing.T) {
	res, err := Simulate(context.Background(), SimSpec{
		Strategy: Config{Amount: credits(5), Target: 5000, Condition: Over, ProgressionType: Martingale},
		Rounds:   500, Sessions: 50, StartingBalance: credits(200), Seed: []byte("agg"), Buckets: 7,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wins, played, busts, hist int64
	finals := []money.Amount{}
	tally := map[string]int64{}
	for _, s := range res.SessionResults {
		wins += s.Wins
		played += s.RoundsPlayed
		if s.Bust {
			busts++
		}
		finals = append(finals, s.FinalBalance.Amount())
		tally[s.StopReason]++
		if s.Wins+s.Losses != s.RoundsPlayed || s.MaxDrawdown < 0 || s.MinBalance > s.FinalBalance || s.MaxBalance < s.FinalBalance {
			t.Fatalf("inconsistent session %+v", s)
		}
	}
	for _, b := range res.FinalBalance.Histogram {
		hist += b.Count
	}
	sort.Slice(finals, func(i, j int) bool { return finals[i] < finals[j] })
	q := res.FinalBalance.Quantiles
	switch {
	case wins != res.Wins || played != res.RoundsPlayed:
		t.Error("totals")
	case busts == 0 || res.BustProbability != float64(busts)/50 || tally[ReasonInsufficientBalance] != busts:
		t.Errorf("busts %d, probability %v, tally %v", busts, res.BustProbability, res.StopReasons)
	case !reflect.DeepEqual(tally, res.StopReasons):
		t.Errorf("tally %v vs %v", tally, res.StopReasons)
	case hist != 50 || len(res.FinalBalance.Histogram) > 7:
		t.Errorf("histogram %+v", res.FinalBalance.Histogram)
	case !(q.P5 <= q.P25 && q.P25 <= q.P50 && q.P50 <= q.P75 && q.P75 <= q.P95):
		t.Errorf("quantiles %+v", q)
	case res.FinalBalance.Min.Amount() != finals[0] || res.FinalBalance.Max.Amount() != finals[49] || q.P50.Amount() != finals[24] || q.P95.Amount() != finals[47]:
		t.Errorf("min/max/quantiles %+v vs %v", res.FinalBalance, finals)
	case res.PnL.Median.Amount() != q.P50.Amount()-credits(200) || res.PnL.Min.Amount() != finals[0]-credits(200):
		t.Errorf("pnl %+v", res.PnL)
	case res.WinRate <= 0 || res.WinRate >= 100:
		t.Errorf("win rate %v", res.WinRate)
	}
}

func TestSimulateReferenceShape(t *testing.T) {
	p, _ := PresetByID("risk-manager")
	res, err := Simulate(context.Background(), SimSpec{Strategy: &p.Strategy, Rounds: 100, Sessions: 1, StartingBalance: credits(1000), Seed: []byte("ref")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, doc := referenceJSON(t, &res)
	sim := doc["simulation"]
	for _, k := range []string{"rounds", "finalBalance", "profit", "totalWins", "totalLosses", "winRate", "maxBalance", "minBalance", "shouldStop", "stopReason", "recentRounds"} {
		if _, ok := sim[k]; !ok {
			t.Errorf("simulation lacks %q: %s", k, raw)
		}
	}
	ref := res.Reference().Simulation
	s0 := res.SessionResults[0]
	if ref.Rounds != s0.RoundsPlayed || ref.Profit.Amount() != ref.FinalBalance.Amount()-credits(1000) || ref.TotalWins+ref.TotalLosses != ref.Rounds {
		t.Errorf("reference %+v", ref)
	}
	if ref.ShouldStop != (s0.StopReason != ReasonCompleted) || ref.ShouldStop != (ref.StopReason != nil) {
		t.Errorf("shouldStop %v reason %v", ref.ShouldStop, ref.StopReason)
	}
	if n := len(ref.RecentRounds); n == 0 || n > DefaultRecentRounds {
		t.Errorf("%d recent rounds", n)
	}
	rr := ref.RecentRounds[len(ref.RecentRounds)-1]
	if rr.Balance != ref.FinalBalance || rr.ExecutedRules == nil {
		t.Errorf("last recent round %+v", rr)
	}
	for _, k := range []string{"round", "bet", "target", "condition", "roll", "win", "payout", "balance", "executedRules"} {
		if _, ok := sim["recentRounds"].([]any)[0].(map[string]any)[k]; !ok {
			t.Errorf("recent round lacks %q", k)
		}
	}
}

func TestSimulateProgressAndCancel(t *testing.T) {
	var mu sync.Mutex
	var calls []int64
	spec := SimSpec{Strategy: flat(1, 5000, Over), Rounds: 40000, Sessions: 3, StartingBalance: credits(100000), Seed: []byte("p")}
	_, err := Simulate(context.Background(), spec, func(done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if total != 120000 {
			t.Errorf("total %d", total)
		}
		calls = append(calls, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 || calls[len(calls)-1] != 120000 || !sort.SliceIsSorted(calls, func(i, j int) bool { return calls[i] < calls[j] }) {
		t.Fatalf("progress calls %v", calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Simulate(ctx, spec, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestSimulateValidation(t *testing.T) {
	good := SimSpec{Strategy: flat(1, 5000, Over), Rounds: 10, Sessions: 1, StartingBalance: credits(10)}
	cases := []struct {
		mod   func(*SimSpec)
		field string
	}{
		{func(s *SimSpec) { s.Strategy = nil }, "strategy"},
		{func(s *SimSpec) { s.Strategy = flat(0, 5000, Over) }, "strategy.amount"},
		{func(s *SimSpec) { s.Rounds = 0 }, "rounds"},
		{func(s *SimSpec) { s.Rounds = MaxSimRounds + 1 }, "rounds"},
		{func(s *SimSpec) { s.Sessions = 0 }, "sessions"},
		{func(s *SimSpec) { s.Sessions = MaxSimSessions + 1 }, "sessions"},
		{func(s *SimSpec) { s.Rounds, s.Sessions = MaxSimRounds, MaxSimSessions }, "sessions"},
		{func(s *SimSpec) { s.StartingBalance = 0 }, "startingBalance"},
		{func(s *SimSpec) { s.RecentRounds = -1 }, "recentRounds"},
		{func(s *SimSpec) { s.Buckets = MaxBuckets + 1 }, "buckets"},
	}
	for _, tc := range cases {
		s := good
		tc.mod(&s)
		_, err := Simulate(context.Background(), s, nil)
		if got := fieldOf(t, err); got != tc.field {
			t.Errorf("field %q, want %q", got, tc.field)
		}
	}
}

// The reference simulator's bug (the stake is never taken off) is not reproduced: a session that
// only loses ends with its starting balance minus every stake.
func TestSimulateTakesTheStakeOff(t *testing.T) {
	res, err := Simulate(context.Background(), SimSpec{
		Strategy: flat(1, 1, Under), Rounds: 50, Sessions: 1, StartingBalance: credits(1000), Seed: []byte("s"),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := res.SessionResults[0]
	want := credits(1000) - credits(s.Losses) + money.Amount(s.Wins)*9700*money.Micro - credits(s.Wins)
	if s.FinalBalance.Amount() != want || s.Turnover.Amount() != credits(50) {
		t.Fatalf("%+v, want final %s", s, want)
	}
}

// A session that plays all its rounds has shouldStop false and stopReason present as null: the
// reference shape lists the field, and a client reads it unconditionally.
func TestSimulateReferenceCompleted(t *testing.T) {
	flat := &Advanced{Name: "flat", BaseConfig: BaseConfig{Amount: credits(1), Target: 5000, Condition: Over},
		Rules: []Rule{rule("1", 0, "balance_percent_above", dp(1000), "stop", nil)}, ExecutionMode: Sequential}
	res, err := Simulate(context.Background(), SimSpec{Strategy: flat, Rounds: 5, Sessions: 1, StartingBalance: credits(1000), Seed: []byte("done")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, doc := referenceJSON(t, &res)
	reason, ok := doc["simulation"]["stopReason"]
	if !ok || reason != nil || doc["simulation"]["shouldStop"] != false {
		t.Fatalf("a completed session: %s", raw)
	}
}

// referenceJSON is r's reference response as sent, and decoded generically.
func referenceJSON(t *testing.T, r *SimResult) ([]byte, map[string]map[string]any) {
	t.Helper()
	raw, err := json.Marshal(r.Reference())
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return raw, doc
}
