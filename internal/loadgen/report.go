package loadgen

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteText writes the report as a readable table.
func (r *Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(label, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", label, fmt.Sprintf(format, args...))
	}
	bound := r.Duration
	if r.Rounds > 0 {
		if bound != "" {
			bound += " or "
		}
		bound += fmt.Sprintf("%d rounds", r.Rounds)
	}
	row("server", "%s", r.BaseURL)
	row("load", "%d agents, dice %d credit(s) %s %s, bounded by %s", r.Agents, r.Bet.Amount, r.Bet.Condition, r.Bet.Target, bound)
	row("rounds", "%d in %.2f s", r.Play.Requests, r.Play.Seconds)
	row("rounds/s", "%.1f", r.Play.PerSecond)
	row("latency ms", "%s", latency(r.Play.Latency))
	row("errors", "%s", r.Play.Errors)
	row("sign-ups", "%d (%d after running out of credits)", r.SignUps, r.Refills)
	if r.Setup.Total > 0 {
		row("setup errors", "%s", r.Setup)
	}
	if r.GaveUp > 0 {
		row("agents gave up", "%d (after %d consecutive failures)", r.GaveUp, maxConsecutiveFailures)
	}
	row("ledger invariant", "%s", r.Ledger)
	if r.Live != nil {
		row("live/s", "%.1f  (GET /health/live, %d agents, %.2f s, %d requests)", r.Live.PerSecond, r.Agents, r.Live.Seconds, r.Live.Requests)
		row("live latency ms", "%s", latency(r.Live.Latency))
		if r.Live.Errors.Total > 0 {
			row("live errors", "%s", r.Live.Errors)
		}
		row("ratio", "%.4f  (rounds/s ÷ live/s)", r.Ratio)
	} else {
		row("live/s", "not measured (--baseline-duration 0)")
	}
	return tw.Flush()
}

func latency(l Latency) string {
	return fmt.Sprintf("p50 %.3f  p95 %.3f  p99 %.3f  max %.3f  mean %.3f", l.P50, l.P95, l.P99, l.Max, l.Mean)
}

// String renders the ledger check for the table.
func (l Ledger) String() string {
	if l.Error != "" {
		return "UNKNOWN: " + l.Error
	}
	verdict := "holds"
	if !l.InvariantHolds {
		verdict = "VIOLATED"
	}
	return fmt.Sprintf("%s (CREDIT sum %d µ, drift %d µ; checked %s)", verdict, l.CreditSum, l.CreditDrift,
		l.CheckedAt.UTC().Format(time.RFC3339))
}
