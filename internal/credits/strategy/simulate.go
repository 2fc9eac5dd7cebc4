package strategy

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
)

// Simulation bounds and defaults.
const (
	MaxSimRounds        = 1_000_000     // rounds per session
	MaxSimSessions      = 100_000       // sessions per simulation
	MaxSimTotalRounds   = 1_000_000_000 // rounds × sessions
	DefaultRecentRounds = 50            // the reference simulator's recentRounds tail
	MaxRecentRounds     = 1000
	DefaultBuckets      = 20
	MaxBuckets          = 1000
	// SimClientSeed is the client seed of every simulated round; the nonce is the round index.
	SimClientSeed = "sim"
	// ReasonCompleted is the tally name of sessions that played all their rounds.
	ReasonCompleted = "completed"
)

// SimSpec describes a Monte Carlo simulation. Nothing in it moves money.
type SimSpec struct {
	Strategy        Strategy
	Rounds          int64        // rounds per session, 1–1,000,000 (paused rounds count)
	Sessions        int          // independent sessions, 1–100,000
	StartingBalance money.Amount // each session's starting balance
	// Seed is the master seed: session i plays with the server seed SHA-256(Seed ‖ uint64be(i)),
	// client seed "sim" and nonce = round index, so a run replays exactly from its seed and any
	// round can be checked with the public fairness algorithm.
	Seed         []byte
	Workers      int // parallel workers; 0 means GOMAXPROCS
	RecentRounds int // tail of session 0 to keep; 0 means 50
	Buckets      int // final-balance histogram buckets; 0 means 20
}

// SessionSeed returns the server seed of session i of a simulation with master seed master.
func SessionSeed(master []byte, i int) fairness.Seed {
	h := sha256.New()
	h.Write(master)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	h.Write(b[:])
	var s fairness.Seed
	h.Sum(s[:0])
	return s
}

// SessionResult is one simulated session.
type SessionResult struct {
	Index             int           `json:"index"`
	Rounds            int64         `json:"rounds"` // rounds taken, paused ones included
	RoundsPlayed      int64         `json:"roundsPlayed"`
	Wins              int64         `json:"wins"`
	Losses            int64         `json:"losses"`
	FinalBalance      money.Decimal `json:"finalBalance"`
	PnL               money.Decimal `json:"pnl"`
	MaxBalance        money.Decimal `json:"maxBalance"`
	MinBalance        money.Decimal `json:"minBalance"`
	MaxDrawdown       money.Decimal `json:"maxDrawdown"`
	Turnover          money.Decimal `json:"turnover"` // sum of stakes
	LongestWinStreak  int64         `json:"longestWinStreak"`
	LongestLossStreak int64         `json:"longestLossStreak"`
	StopReason        string        `json:"stopReason"` // ReasonCompleted or a Next reason
	Bust              bool          `json:"bust"`       // stopped with insufficient_balance
}

// RoundRecord is one round of the recent-rounds tail, in the reference simulator's shape.
type RoundRecord struct {
	Round         int64         `json:"round"`
	Bet           money.Decimal `json:"bet"`
	Target        Hundredths    `json:"target"`
	Condition     Condition     `json:"condition"`
	Roll          Hundredths    `json:"roll"`
	Win           bool          `json:"win"`
	Payout        money.Decimal `json:"payout"`
	Balance       money.Decimal `json:"balance"`
	ExecutedRules []string      `json:"executedRules"`
}

// PnLStats summarises per-session profit and loss. Mean and StdDev are display statistics in
// credits; the others are exact.
type PnLStats struct {
	Mean   float64       `json:"mean"`
	Median money.Decimal `json:"median"`
	Min    money.Decimal `json:"min"`
	Max    money.Decimal `json:"max"`
	StdDev float64       `json:"stddev"`
}

// Quantiles of a distribution (nearest rank).
type Quantiles struct {
	P5  money.Decimal `json:"p5"`
	P25 money.Decimal `json:"p25"`
	P50 money.Decimal `json:"p50"`
	P75 money.Decimal `json:"p75"`
	P95 money.Decimal `json:"p95"`
}

// Bucket is one histogram bucket: Count values in [From, To).
type Bucket struct {
	From  money.Decimal `json:"from"`
	To    money.Decimal `json:"to"`
	Count int64         `json:"count"`
}

// Distribution describes the final balances.
type Distribution struct {
	Min       money.Decimal `json:"min"`
	Max       money.Decimal `json:"max"`
	Mean      float64       `json:"mean"`
	Quantiles Quantiles     `json:"quantiles"`
	Histogram []Bucket      `json:"histogram"`
}

// SimResult is the outcome of Simulate.
type SimResult struct {
	Seed              string           `json:"seed"` // master seed, hex
	Rounds            int64            `json:"rounds"`
	Sessions          int              `json:"sessions"`
	StartingBalance   money.Decimal    `json:"startingBalance"`
	TotalRounds       int64            `json:"totalRounds"` // rounds taken by all sessions
	RoundsPlayed      int64            `json:"roundsPlayed"`
	Wins              int64            `json:"wins"`
	Losses            int64            `json:"losses"`
	WinRate           float64          `json:"winRate"`      // percent of rounds played
	Turnover          float64          `json:"turnover"`     // credits staked, all sessions (display)
	ObservedEdge      float64          `json:"observedEdge"` // −(sum of PnL) / turnover
	PnL               PnLStats         `json:"pnl"`
	FinalBalance      Distribution     `json:"finalBalance"`
	MaxDrawdown       money.Decimal    `json:"maxDrawdown"` // largest over sessions
	MeanMaxDrawdown   float64          `json:"meanMaxDrawdown"`
	LongestWinStreak  int64            `json:"longestWinStreak"`
	LongestLossStreak int64            `json:"longestLossStreak"`
	BustProbability   float64          `json:"bustProbability"` // sessions that could not cover the next bet
	StopReasons       map[string]int64 `json:"stopReasons"`
	SessionResults    []SessionResult  `json:"sessionResults"`
	RecentRounds      []RoundRecord    `json:"recentRounds"` // tail of session 0
}

func (spec *SimSpec) validate() error {
	if spec.Strategy == nil {
		return errs.Missing("strategy")
	}
	if err := spec.Strategy.Validate("strategy"); err != nil {
		return err
	}
	switch {
	case spec.Rounds < 1 || spec.Rounds > MaxSimRounds:
		return errs.Invalid("rounds", "must be from 1 to %d", MaxSimRounds)
	case spec.Sessions < 1 || spec.Sessions > MaxSimSessions:
		return errs.Invalid("sessions", "must be from 1 to %d", MaxSimSessions)
	case spec.Rounds*int64(spec.Sessions) > MaxSimTotalRounds:
		return errs.Invalid("sessions", "rounds × sessions must be at most %d", MaxSimTotalRounds)
	case spec.StartingBalance <= 0:
		return errs.Invalid("startingBalance", "must be greater than 0")
	case spec.Workers < 0:
		return errs.Invalid("workers", "must not be negative")
	case spec.RecentRounds < 0 || spec.RecentRounds > MaxRecentRounds:
		return errs.Invalid("recentRounds", "must be from 0 to %d", MaxRecentRounds)
	case spec.Buckets < 0 || spec.Buckets > MaxBuckets:
		return errs.Invalid("buckets", "must be from 0 to %d", MaxBuckets)
	}
	return nil
}

// Simulate plays spec.Sessions independent sessions of spec.Rounds rounds each, in parallel,
// with dice rolls from the public fairness algorithm under seeds derived from spec.Seed, and
// summarises them. No money moves. Unlike the reference simulator, a round takes the stake off
// the balance and adds the payout. progress, if not nil, is called (never concurrently) with
// rounds done and the total, as the work advances and once at the end. The result does not
// depend on the number of workers.
func Simulate(ctx context.Context, spec SimSpec, progress func(done, total int64)) (SimResult, error) {
	if err := spec.validate(); err != nil {
		return SimResult{}, err
	}
	if spec.RecentRounds == 0 {
		spec.RecentRounds = DefaultRecentRounds
	}
	if spec.Buckets == 0 {
		spec.Buckets = DefaultBuckets
	}
	prog := spec.Strategy.compile()
	workers := spec.Workers
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, spec.Sessions)
	total := spec.Rounds * int64(spec.Sessions)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		nextSession atomic.Int64
		done        atomic.Int64
		progressMu  sync.Mutex
		errOnce     sync.Once
		firstErr    error
		wg          sync.WaitGroup
		tail        []RoundRecord
	)
	results := make([]SessionResult, spec.Sessions)
	report := func(n int64) {
		d := done.Add(n)
		if progress != nil && progressMu.TryLock() {
			progress(d, total)
			progressMu.Unlock()
		}
	}
	for range workers {
		wg.Go(func() {
			ps := new(paddedSession)
			s := &ps.Session
			s.init(prog)
			for {
				i := int(nextSession.Add(1) - 1)
				if i >= spec.Sessions || ctx.Err() != nil {
					return
				}
				var rec *tailRecorder
				if i == 0 {
					rec = newTailRecorder(spec.RecentRounds, len(prog.rules))
				}
				r, err := runSession(ctx, s, &spec, i, rec, report)
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				results[i] = r
				if rec != nil {
					tail = rec.records(prog)
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return SimResult{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return SimResult{}, err
	}
	if progress != nil {
		progressMu.Lock()
		progress(total, total)
		progressMu.Unlock()
	}
	res := summarise(results, &spec)
	res.RecentRounds = tail
	return res, nil
}

// paddedSession keeps a worker's session on cache lines of its own: sessions are written every
// round, and two workers' sessions side by side in memory would slow each other down.
type paddedSession struct {
	_ [128]byte
	Session
	_ [128]byte
}

// runSession plays session i on s. The loop is the hot path: one HMAC, one Next and one Record
// per round, no allocation.
func runSession(ctx context.Context, s *Session, spec *SimSpec, i int, rec *tailRecorder, report func(int64)) (SessionResult, error) {
	const chunk = 1 << 13
	g := fairness.NewGenerator(SessionSeed(spec.Seed, i))
	s.reset(int64(spec.StartingBalance), 0)
	reason := ReasonCompleted
	var r, reported int64
	for r = 0; r < spec.Rounds; r++ {
		if r-reported == chunk {
			report(chunk)
			reported = r
			if ctx.Err() != nil {
				return SessionResult{}, ctx.Err()
			}
		}
		st := s.step()
		if st == stepStop {
			reason = s.reason
			break
		}
		if st == stepSkip {
			continue
		}
		roll := fairness.CreditDiceRoll(g.First(SimClientSeed, uint64(r)))
		stake, target, over := s.stake, s.target, s.over
		win, payout, err := s.settle(roll)
		if err != nil {
			return SessionResult{}, err
		}
		s.record(win, payout)
		if rec != nil {
			rec.add(s, r+1, stake, target, over, roll, win, payout)
		}
	}
	if reason == ReasonCompleted && s.stopped {
		reason = s.reason // a stop action in the very last round
	}
	report(spec.Rounds - reported) // a session that stops early counts its unplayed rounds as done
	return SessionResult{
		Index: i, Rounds: s.steps, RoundsPlayed: s.played, Wins: s.wins, Losses: s.losses,
		FinalBalance: money.Amount(s.balance).Decimal(), PnL: (money.Amount(s.balance - s.start)).Decimal(),
		MaxBalance: money.Amount(s.peak).Decimal(), MinBalance: money.Amount(s.low).Decimal(), MaxDrawdown: money.Amount(s.maxDD).Decimal(),
		Turnover: money.Amount(s.turnover).Decimal(), LongestWinStreak: s.longestW, LongestLossStreak: s.longestL,
		StopReason: reason, Bust: reason == ReasonInsufficientBalance,
	}, nil
}

// tailRecorder keeps the last rounds of one session in a ring.
type tailRecorder struct {
	ring  []RoundRecord
	rules [][]int32
	n     int64
}

func newTailRecorder(size, rules int) *tailRecorder {
	t := &tailRecorder{ring: make([]RoundRecord, size), rules: make([][]int32, size)}
	for i := range t.rules {
		t.rules[i] = make([]int32, 0, rules)
	}
	return t
}

func (t *tailRecorder) add(s *Session, round, stake int64, target Hundredths, over bool, roll int, win bool, payout int64) {
	if len(t.ring) == 0 {
		return
	}
	k := int(t.n % int64(len(t.ring)))
	t.ring[k] = RoundRecord{
		Round: round, Bet: money.Amount(stake).Decimal(), Target: target, Condition: conditionOf(over), Roll: Hundredths(roll),
		Win: win, Payout: money.Amount(payout).Decimal(), Balance: money.Amount(s.balance).Decimal(),
	}
	t.rules[k] = append(t.rules[k][:0], s.executed...)
	t.n++
}

// records returns the tail, oldest first, with rule ids.
func (t *tailRecorder) records(p *program) []RoundRecord {
	n := min(t.n, int64(len(t.ring)))
	out := make([]RoundRecord, 0, n)
	for j := t.n - n; j < t.n; j++ {
		k := int(j % int64(len(t.ring)))
		rec := t.ring[k]
		rec.ExecutedRules = make([]string, 0, len(t.rules[k]))
		for _, ri := range t.rules[k] {
			rec.ExecutedRules = append(rec.ExecutedRules, p.rules[ri].id)
		}
		out = append(out, rec)
	}
	return out
}

// summarise aggregates the sessions, in index order so that floats come out the same on every
// run.
func summarise(results []SessionResult, spec *SimSpec) SimResult {
	res := SimResult{
		Seed: hex.EncodeToString(spec.Seed), Rounds: spec.Rounds, Sessions: spec.Sessions,
		StartingBalance: spec.StartingBalance.Decimal(), StopReasons: map[string]int64{}, SessionResults: results,
	}
	finals := make([]money.Amount, len(results))
	var meanPnL, m2, meanDD, meanFinal, pnlSum float64
	busts := 0
	for i, r := range results {
		res.TotalRounds += r.Rounds
		res.RoundsPlayed += r.RoundsPlayed
		res.Wins += r.Wins
		res.Losses += r.Losses
		res.Turnover += credit(r.Turnover.Amount())
		res.MaxDrawdown = max(res.MaxDrawdown, r.MaxDrawdown)
		res.LongestWinStreak = max(res.LongestWinStreak, r.LongestWinStreak)
		res.LongestLossStreak = max(res.LongestLossStreak, r.LongestLossStreak)
		res.StopReasons[r.StopReason]++
		if r.Bust {
			busts++
		}
		finals[i] = r.FinalBalance.Amount()
		// Welford's running mean and variance.
		x := credit(r.PnL.Amount())
		pnlSum += x
		d := x - meanPnL
		meanPnL += d / float64(i+1)
		m2 += d * (x - meanPnL)
		meanDD += (credit(r.MaxDrawdown.Amount()) - meanDD) / float64(i+1)
		meanFinal += (credit(r.FinalBalance.Amount()) - meanFinal) / float64(i+1)
	}
	n := len(results)
	if res.RoundsPlayed > 0 {
		res.WinRate = 100 * float64(res.Wins) / float64(res.RoundsPlayed)
	}
	if res.Turnover > 0 {
		res.ObservedEdge = -pnlSum / res.Turnover
	}
	res.BustProbability = float64(busts) / float64(n)
	res.MeanMaxDrawdown = meanDD
	slices.Sort(finals)
	start := spec.StartingBalance
	res.PnL = PnLStats{
		Mean: meanPnL, Median: (quantile(finals, 50) - start).Decimal(),
		Min: (finals[0] - start).Decimal(), Max: (finals[n-1] - start).Decimal(),
	}
	if n > 1 {
		res.PnL.StdDev = math.Sqrt(m2 / float64(n-1))
	}
	res.FinalBalance = Distribution{
		Min: finals[0].Decimal(), Max: finals[n-1].Decimal(), Mean: meanFinal,
		Quantiles: Quantiles{
			P5: (quantile(finals, 5)).Decimal(), P25: (quantile(finals, 25)).Decimal(), P50: (quantile(finals, 50)).Decimal(),
			P75: (quantile(finals, 75)).Decimal(), P95: (quantile(finals, 95)).Decimal(),
		},
		Histogram: histogram(finals, spec.Buckets),
	}
	return res
}

func credit(a money.Amount) float64 { return float64(a) / float64(money.Micro) }

// quantile returns the nearest-rank q-th percentile of sorted values: the smallest value with
// at least q% of the values at or below it.
func quantile(sorted []money.Amount, q int) money.Amount {
	n := len(sorted)
	k := (q*n + 99) / 100 // ceil(q·n/100)
	return sorted[max(k, 1)-1]
}

// histogram splits [min, max] of sorted values into at most b equal-width buckets.
func histogram(sorted []money.Amount, b int) []Bucket {
	lo, hi := int64(sorted[0]), int64(sorted[len(sorted)-1])
	span := uint64(hi-lo) + 1
	width := (span + uint64(b) - 1) / uint64(b)
	nb := int((span + width - 1) / width)
	out := make([]Bucket, nb)
	for i := range out {
		from := lo + int64(width)*int64(i)
		out[i] = Bucket{From: money.Amount(from).Decimal(), To: (money.Amount(from + int64(width))).Decimal()}
	}
	for _, v := range sorted {
		out[uint64(int64(v)-lo)/width].Count++
	}
	return out
}

// ReferenceSimulation is the reference system's simulate result for one session. Unlike the
// reference, the balance is charged the stake of every round.
type ReferenceSimulation struct {
	Rounds       int64         `json:"rounds"`
	FinalBalance money.Decimal `json:"finalBalance"`
	Profit       money.Decimal `json:"profit"`
	TotalWins    int64         `json:"totalWins"`
	TotalLosses  int64         `json:"totalLosses"`
	WinRate      float64       `json:"winRate"`
	MaxBalance   money.Decimal `json:"maxBalance"`
	MinBalance   money.Decimal `json:"minBalance"`
	ShouldStop   bool          `json:"shouldStop"`
	// StopReason is null when the session played all its rounds: the field is always present,
	// as the reference's documented shape lists it, so a client can read it unconditionally.
	StopReason   *string       `json:"stopReason" jsonschema:"nullable"`
	RecentRounds []RoundRecord `json:"recentRounds"`
}

// ReferenceResponse is the body data of POST /api/me/advanced-strategies/simulate:
// {"simulation": {...}}.
type ReferenceResponse struct {
	Simulation ReferenceSimulation `json:"simulation"`
}

// Reference returns session 0 of r in the reference simulator's response shape.
func (r *SimResult) Reference() ReferenceResponse {
	if len(r.SessionResults) == 0 {
		return ReferenceResponse{Simulation: ReferenceSimulation{RecentRounds: []RoundRecord{}}}
	}
	s := r.SessionResults[0]
	sim := ReferenceSimulation{
		Rounds: s.RoundsPlayed, FinalBalance: s.FinalBalance, Profit: s.PnL,
		TotalWins: s.Wins, TotalLosses: s.Losses, MaxBalance: s.MaxBalance, MinBalance: s.MinBalance,
		ShouldStop: s.StopReason != ReasonCompleted, RecentRounds: r.RecentRounds,
	}
	if sim.ShouldStop {
		reason := s.StopReason
		sim.StopReason = &reason
	}
	if s.RoundsPlayed > 0 {
		sim.WinRate = 100 * float64(s.Wins) / float64(s.RoundsPlayed)
	}
	if sim.RecentRounds == nil {
		sim.RecentRounds = []RoundRecord{}
	}
	return ReferenceResponse{Simulation: sim}
}
