package simreport

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/money"
)

// Run describes how a simulation was run: what SimResult does not hold.
type Run struct {
	Strategy string        // display name of the strategy
	Source   string        // where it came from: "preset martingale-plus", "file s.json"
	Workers  int           // parallel workers used
	Elapsed  time.Duration // wall time of Simulate; the only non-replayable figure
}

// RoundsPerSecond is the simulation speed: rounds taken (paused ones included) per second of
// wall time. Sessions that stop early take fewer rounds, so this counts work actually done.
func (r Run) RoundsPerSecond(res *strategy.SimResult) float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(res.TotalRounds) / r.Elapsed.Seconds()
}

// WriteSummary writes a human-readable table of res. Every line but the last ("speed") depends
// only on res and run.Strategy/Source, so the same seed prints the same table.
func WriteSummary(w io.Writer, res *strategy.SimResult, run Run) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(label, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", label, fmt.Sprintf(format, args...))
	}
	name := run.Strategy
	if run.Source != "" {
		name += " (" + run.Source + ")"
	}
	row("strategy", "%s", name)
	row("seed", "0x%s  (replay with --seed 0x%s)", res.Seed, res.Seed)
	row("sessions", "%d × up to %d rounds, starting balance %s credits", res.Sessions, res.Rounds, res.StartingBalance)
	row("rounds", "%d taken, %d played (%d won, %d lost)", res.TotalRounds, res.RoundsPlayed, res.Wins, res.Losses)
	row("win rate", "%.2f%%", res.WinRate)
	row("turnover", "%s credits staked, observed edge %.2f%%", credits(res.Turnover), 100*res.ObservedEdge)
	row("PnL (credits)", "mean %s  median %s  min %s  max %s  stddev %s",
		credits(res.PnL.Mean), res.PnL.Median, res.PnL.Min, res.PnL.Max, credits(res.PnL.StdDev))
	q := res.FinalBalance.Quantiles
	row("final balance", "p5 %s  p25 %s  p50 %s  p75 %s  p95 %s", q.P5, q.P25, q.P50, q.P75, q.P95)
	row("", "min %s  max %s  mean %s", res.FinalBalance.Min, res.FinalBalance.Max, credits(res.FinalBalance.Mean))
	row("max drawdown", "%s credits (mean per session %s)", res.MaxDrawdown, credits(res.MeanMaxDrawdown))
	row("longest streaks", "%d wins, %d losses", res.LongestWinStreak, res.LongestLossStreak)
	row("bust probability", "%.2f%% (sessions that could not cover their next bet)", 100*res.BustProbability)
	row("stop reasons", "%s", stopReasons(res.StopReasons))
	row("speed", "%s rounds/s on %d workers (%s)", rate(run.RoundsPerSecond(res)), run.Workers, run.Elapsed.Round(time.Millisecond))
	return tw.Flush()
}

// stopReasons lists the tally, most frequent first, ties by name.
func stopReasons(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			if m[a] > m[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + strconv.FormatInt(m[k], 10)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// credits formats a display figure in credits with two decimals.
func credits(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// rate formats a per-second rate compactly: 950, 12.3k, 4.56M.
func rate(f float64) string {
	switch {
	case f >= 1e9:
		return strconv.FormatFloat(f/1e9, 'f', 2, 64) + "G"
	case f >= 1e6:
		return strconv.FormatFloat(f/1e6, 'f', 2, 64) + "M"
	case f >= 1e4:
		return strconv.FormatFloat(f/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}

// Timing is the part of the JSON document that measures the run and so differs between runs
// of the same seed.
type Timing struct {
	ElapsedSeconds  float64 `json:"elapsedSeconds"`
	RoundsPerSecond float64 `json:"roundsPerSecond"`
	Workers         int     `json:"workers"`
}

// Document is the JSON form of a simulation: the full SimResult at the top level, with the
// strategy's name and source, and the run's timing under "timing".
type Document struct {
	Strategy string `json:"strategy"`
	Source   string `json:"source,omitempty"`
	*strategy.SimResult
	Timing Timing `json:"timing"`
}

// WriteJSON writes res as one indented JSON document followed by a newline.
func WriteJSON(w io.Writer, res *strategy.SimResult, run Run) error {
	doc := Document{Strategy: run.Strategy, Source: run.Source, SimResult: res, Timing: Timing{
		ElapsedSeconds: run.Elapsed.Seconds(), RoundsPerSecond: run.RoundsPerSecond(res), Workers: run.Workers,
	}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// pnlOf returns a final balance as profit and loss against the starting balance.
func pnlOf(res *strategy.SimResult, balance money.Amount) money.Amount {
	return balance - res.StartingBalance.Amount()
}
