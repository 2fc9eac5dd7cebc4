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
		bound += fmt.Sprintf("%d requests", r.Rounds)
	}
	row("server", "%s", r.BaseURL)
	if r.Mode == "open" {
		row("load", "open loop: %g %s requests/s scheduled over %d agents (%.1f/s per key), up to %d in flight, bounded by %s",
			r.Rate, r.Profile, r.Agents, r.RateLimit.PerKey, r.Workers, bound)
	} else {
		row("load", "closed loop: %d agents, %s, bounded by %s", r.Agents, r.Profile, bound)
	}
	row("bet", "%d credit(s) %s %s", r.Bet.Amount, r.Bet.Condition, r.Bet.Target)
	if r.Mode == "open" {
		row("rounds", "%d of %d scheduled answered in %.2f s", r.Play.Requests, r.Play.Scheduled, r.Play.Seconds)
		row("rounds/s", "%.1f achieved (%g scheduled)", r.Play.PerSecond, r.Rate)
		row("latency ms", "%s  (from the intended send time)", latency(r.Play.Latency))
		row("send lag", "max %.3f ms, %d sends more than %s late", r.Play.MaxSendLag, r.Play.LateSends, lateAfter)
	} else {
		row("rounds", "%d in %.2f s", r.Play.Requests, r.Play.Seconds)
		row("rounds/s", "%.1f", r.Play.PerSecond)
		row("latency ms", "%s", latency(r.Play.Latency))
	}
	row("errors", "%s", r.Play.Errors)
	row("cpu pressure", "%s", pressure(r.Play.CPUPressure))
	row("sign-ups", "%d (%d after running out of credits)", r.SignUps, r.Refills)
	if r.Setup.Total > 0 {
		row("setup errors", "%s", r.Setup)
	}
	if r.GaveUp > 0 {
		row("agents gave up", "%d (after %d consecutive failures)", r.GaveUp, maxConsecutiveFailures)
	}
	row("rate limit", "%s; %d answers 429 RATE_LIMITED", r.RateLimit, r.RateLimited)
	row("ledger invariant", "%s", r.Ledger)
	if r.Live != nil {
		if r.Mode == "open" {
			row("live/s", "%.1f achieved  (GET /health/live at %g/s scheduled, %.2f s, %d of %d answered)",
				r.Live.PerSecond, r.Rate, r.Live.Seconds, r.Live.Requests, r.Live.Scheduled)
		} else {
			row("live/s", "%.1f  (GET /health/live, %d agents, %.2f s, %d requests)", r.Live.PerSecond, r.Agents, r.Live.Seconds, r.Live.Requests)
		}
		row("live latency ms", "%s", latency(r.Live.Latency))
		row("live cpu pressure", "%s", pressure(r.Live.CPUPressure))
		if r.Live.Errors.Total > 0 {
			row("live errors", "%s", r.Live.Errors)
		}
		if r.Mode == "open" {
			row("p99", "rounds %.3f ms, live %.3f ms (%.2f×)", r.Play.Latency.P99, r.Live.Latency.P99, r.P99Ratio)
		} else {
			row("ratio", "%.4f  (rounds/s ÷ live/s)", r.Ratio)
		}
	} else {
		row("live/s", "not measured (--baseline-duration 0)")
	}
	if r.Valid {
		row("valid", "yes")
	} else {
		for _, why := range r.Invalid {
			row("valid", "NO: %s", why)
		}
	}
	return tw.Flush()
}

func latency(l Latency) string {
	return fmt.Sprintf("p50 %.3f  p90 %.3f  p95 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f", l.P50, l.P90, l.P95, l.P99, l.P999, l.Max, l.Mean)
}

func pressure(p float64) string {
	if p < 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.0f%% of the time some task (bench and server included) waited for a CPU", 100*p)
}

// String renders the limit for the table.
func (l RateLimit) String() string {
	switch {
	case !l.Known:
		return "not published by the server"
	case l.Off:
		return "off on the server"
	}
	return fmt.Sprintf("on, %g/s per key (burst %d)", l.PerSecond, l.Burst)
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
