package loadgen_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/loadgen"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// newArcade starts a real Arcade (SQLite, in a temporary directory) behind an httptest server.
func newArcade(t *testing.T) (*httptest.Server, *app.App) {
	return newArcadeWith(t, app.Config{})
}

func newArcadeWith(t *testing.T, cfg app.Config) (*httptest.Server, *app.App) {
	t.Helper()
	sc := storetest.Config(t, store.SQLite)
	cfg.DataDir, cfg.Version, cfg.DoubleRun = sc.DataDir, "test", sc.DoubleRun
	a, err := app.New(context.Background(), cfg,
		slog.New(slog.NewTextHandler(io.Discard, nil)), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() { ts.Close(); a.DB.Close() })
	return ts, a
}

func storedRounds(t *testing.T, a *app.App) int64 {
	t.Helper()
	var n int64
	err := a.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		return q.QueryRow(ctx, "SELECT COUNT(*) FROM credit_rounds").Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func config(url string) loadgen.Config {
	return loadgen.Config{BaseURL: url, Agents: 8, Rounds: 300, Amount: 1, Target: "50", Condition: "over",
		BaselineDuration: 200 * time.Millisecond}
}

func TestRunAgainstArcade(t *testing.T) {
	ts, a := newArcade(t)
	rep, err := loadgen.Run(context.Background(), config(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	if got := storedRounds(t, a); rep.Play.Requests != 300 || got != rep.Play.Requests {
		t.Errorf("counted %d rounds, the server stored %d, want 300 both", rep.Play.Requests, got)
	}
	if rep.Play.Errors.Total != 0 || rep.Setup.Total != 0 {
		t.Errorf("errors: play %s, setup %s", rep.Play.Errors, rep.Setup)
	}
	if rep.SignUps != 8 || rep.Refills != 0 || rep.GaveUp != 0 {
		t.Errorf("sign-ups %d, refills %d, gave up %d; want 8, 0, 0", rep.SignUps, rep.Refills, rep.GaveUp)
	}
	if !rep.Ledger.InvariantHolds || rep.Ledger.Error != "" || rep.Ledger.CreditDrift != 0 || rep.Ledger.CreditSum != 0 {
		t.Errorf("ledger: %+v", rep.Ledger)
	}
	if rep.Mode != "closed" || !rep.Valid || rep.RateLimited != 0 || !rep.RateLimit.Known || !rep.RateLimit.Off {
		t.Errorf("mode %q, valid %v, 429s %d, limit %+v", rep.Mode, rep.Valid, rep.RateLimited, rep.RateLimit)
	}
	l := rep.Play.Latency
	if !(0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P95 && l.P95 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) {
		t.Errorf("latencies out of order: %+v", l)
	}
	if rep.Live == nil || rep.Live.Requests == 0 || rep.Live.Errors.Total != 0 {
		t.Fatalf("live baseline: %+v", rep.Live)
	}
	if ll := rep.Live.Latency; !(ll.P50 <= ll.P95 && ll.P95 <= ll.P99) {
		t.Errorf("live latencies out of order: %+v", ll)
	}
	if rep.Ratio <= 0 {
		t.Errorf("ratio %v, want > 0", rep.Ratio)
	}
	var sb strings.Builder
	if err := rep.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rounds/s", "p50", "p95", "p99", "p99.9", "errors", "sign-ups", "ledger invariant holds", "live/s", "ratio",
		"rate limit off on the server; 0 answers 429", "valid yes"} {
		if !strings.Contains(squeeze(sb.String()), want) {
			t.Errorf("table lacks %q:\n%s", want, sb.String())
		}
	}
}

// An agent whose balance cannot cover its next stake signs up afresh; the round it could not
// play goes back to the budget, so the count still matches the server's.
func TestRunRefillsBrokeAgents(t *testing.T) {
	ts, a := newArcade(t)
	c := config(ts.URL)
	// Stake the whole faucet on a 0.01% chance: nearly every round empties the account.
	c.Agents, c.Rounds, c.Amount, c.Target, c.BaselineDuration = 3, 12, 100, "99.99", 0
	rep, err := loadgen.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := storedRounds(t, a); rep.Play.Requests != 12 || got != 12 {
		t.Errorf("counted %d rounds, the server stored %d, want 12", rep.Play.Requests, got)
	}
	if rep.Refills == 0 || rep.SignUps != int64(c.Agents)+rep.Refills {
		t.Errorf("sign-ups %d, refills %d with %d agents", rep.SignUps, rep.Refills, c.Agents)
	}
	if rep.Play.Errors.Total != 0 || !rep.Ledger.InvariantHolds {
		t.Errorf("errors %s, ledger %+v", rep.Play.Errors, rep.Ledger)
	}
	if rep.Live != nil || rep.Ratio != 0 {
		t.Errorf("baseline measured with --baseline-duration 0: %+v", rep.Live)
	}
}

func TestRunRefusesNonLoopback(t *testing.T) {
	for _, u := range []string{"http://192.0.2.1:8080", "http://example.com", "https://10.0.0.1", "http://[2001:db8::1]:80"} {
		c := config(u)
		_, err := loadgen.Run(context.Background(), c)
		if e := errs.As(err); e == nil || e.Kind != errs.Validation || e.Field != "base-url" || !strings.Contains(e.Message, "--allow-remote") {
			t.Errorf("%s: %v, want a base-url validation error", u, err)
		}
		c.AllowRemote = true
		if _, err := c.Validate(); err != nil {
			t.Errorf("%s with AllowRemote: %v", u, err)
		}
	}
	for _, u := range []string{"http://localhost:8080", "http://127.0.0.1:1", "http://127.8.9.10", "http://[::1]:8080/prefix/"} {
		c := config(u)
		if _, err := c.Validate(); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}

func TestValidateNamesTheFlag(t *testing.T) {
	for _, c := range []struct {
		edit  func(*loadgen.Config)
		field string
	}{
		{func(c *loadgen.Config) { c.BaseURL = "" }, "base-url"},
		{func(c *loadgen.Config) { c.BaseURL = "ftp://127.0.0.1" }, "base-url"},
		{func(c *loadgen.Config) { c.BaseURL = "http://127.0.0.1/?q=1" }, "base-url"},
		{func(c *loadgen.Config) { c.Agents = 0 }, "agents"},
		{func(c *loadgen.Config) { c.Agents, c.Rate = -1, 10 }, "agents"},
		{func(c *loadgen.Config) { c.Rate = -1 }, "rate"},
		{func(c *loadgen.Config) { c.Rate = loadgen.MaxRate + 1 }, "rate"},
		{func(c *loadgen.Config) { c.Workers = 8 }, "workers"},
		{func(c *loadgen.Config) { c.Rate, c.Workers = 10, -1 }, "workers"},
		{func(c *loadgen.Config) { c.Profile = "roulette" }, "profile"},
		{func(c *loadgen.Config) { c.Agents = loadgen.MaxAgents + 1 }, "agents"},
		{func(c *loadgen.Config) { c.Rounds, c.Duration = 0, 0 }, "duration"},
		{func(c *loadgen.Config) { c.Rounds = -1 }, "rounds"},
		{func(c *loadgen.Config) { c.Amount = 0 }, "amount"},
		{func(c *loadgen.Config) { c.Amount = loadgen.FaucetCredits + 1 }, "amount"},
		{func(c *loadgen.Config) { c.Target = "100" }, "target"},
		{func(c *loadgen.Config) { c.Target = "5.005" }, "target"},
		{func(c *loadgen.Config) { c.Target, c.Condition = "0", "under" }, "target"},
		{func(c *loadgen.Config) { c.Condition = "sideways" }, "condition"},
		{func(c *loadgen.Config) { c.BaselineDuration = -time.Second }, "baseline-duration"},
	} {
		cfg := config("http://127.0.0.1:8080")
		c.edit(&cfg)
		_, err := cfg.Validate()
		if e := errs.As(err); e == nil || e.Field != c.field {
			t.Errorf("%+v: %v, want an error naming %s", cfg, err, c.field)
		}
	}
}

func TestRunUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = loadgen.Run(context.Background(), config("http://"+addr))
	if !errors.Is(err, loadgen.ErrUnreachable) {
		t.Fatalf("%v, want ErrUnreachable", err)
	}
}

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	for _, c := range []struct {
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{nil, 50, 0},
		{ms(7), 50, 7 * time.Millisecond},
		{ms(7), 99, 7 * time.Millisecond},
		{ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{ms(1, 2, 3, 4), 51, 3 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 95, 10 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9 * time.Millisecond},
		{ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 100, 10 * time.Millisecond},
	} {
		if got := loadgen.Percentile(c.sorted, c.q); got != c.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", c.sorted, c.q, got, c.want)
		}
	}
}

// The open loop sends exactly the scheduled requests, spread over ceil(rate/50) keys, and
// measures the baseline at the same rate.
func TestOpenLoopAgainstArcade(t *testing.T) {
	ts, a := newArcade(t)
	c := config(ts.URL)
	c.Agents, c.Rate, c.Rounds, c.BaselineDuration = 0, 400, 120, 100*time.Millisecond
	rep, err := loadgen.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := storedRounds(t, a); rep.Play.Requests+rep.Refills > 120 || got != rep.Play.Requests || rep.Play.Scheduled != 120 {
		t.Errorf("scheduled %d, counted %d rounds, the server stored %d", rep.Play.Scheduled, rep.Play.Requests, got)
	}
	if rep.Mode != "open" || rep.Agents != 8 || rep.SignUps < 8 || rep.Rate != 400 || rep.RateLimit.PerKey != 50 || !rep.Valid {
		t.Errorf("report: %+v", rep)
	}
	if rep.Play.Errors.Total != 0 || !rep.Ledger.InvariantHolds {
		t.Errorf("errors %s, ledger %+v", rep.Play.Errors, rep.Ledger)
	}
	if l := rep.Play.Latency; !(0 < l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.P999 && l.P999 <= l.Max) {
		t.Errorf("latencies out of order: %+v", l)
	}
	if rep.Live == nil || rep.Live.Scheduled != 40 || rep.Live.Requests != 40 || rep.P99Ratio <= 0 || rep.Ratio != 0 {
		t.Fatalf("live baseline: %+v, p99 ratio %v, ratio %v", rep.Live, rep.P99Ratio, rep.Ratio)
	}
	var sb strings.Builder
	if err := rep.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"open loop: 400 dice requests/s scheduled over 8 agents", "from the intended send time", "send lag", "p99.9",
		"p99 rounds", "valid yes"} {
		if !strings.Contains(squeeze(sb.String()), want) {
			t.Errorf("table lacks %q:\n%s", want, sb.String())
		}
	}
}

// Agents that go broke in the open loop sign up afresh in the background; the timetable goes on.
func TestOpenLoopRefills(t *testing.T) {
	ts, a := newArcade(t)
	c := config(ts.URL)
	c.Agents, c.Rate, c.Rounds, c.Amount, c.Target, c.BaselineDuration = 2, 200, 30, 100, "99.99", 0
	rep, err := loadgen.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := storedRounds(t, a); got != rep.Play.Requests || rep.Play.Requests == 0 || rep.Refills == 0 {
		t.Errorf("counted %d rounds, stored %d, refills %d", rep.Play.Requests, got, rep.Refills)
	}
	if rep.Play.Errors.Total != 0 || !rep.Ledger.InvariantHolds || !rep.Valid {
		t.Errorf("errors %s, ledger %+v, valid %v", rep.Play.Errors, rep.Ledger, rep.Valid)
	}
}

// 429s from the server's per-key limit are counted apart and make the run invalid. The run is
// 16 rounds, not a duration: in 300 ms each key had to send four rounds to pass its burst, which
// a loaded machine did not always do.
func TestRateLimitedRunIsInvalid(t *testing.T) {
	ts, _ := newArcadeWith(t, app.Config{RateLimit: ratelimit.Limit{PerSecond: 1, Burst: 3}})
	c := config(ts.URL)
	c.Agents, c.Rounds, c.Duration, c.BaselineDuration = 2, 16, 0, 0
	rep, err := loadgen.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Valid || len(rep.Invalid) != 1 || !strings.Contains(rep.Invalid[0], "429 RATE_LIMITED") || rep.RateLimited == 0 ||
		rep.Play.Errors.ByKind["429 RATE_LIMITED"] != rep.RateLimited {
		t.Errorf("valid %v %q, 429s %d, errors %s", rep.Valid, rep.Invalid, rep.RateLimited, rep.Play.Errors)
	}
	if !rep.RateLimit.Known || rep.RateLimit.Off || rep.RateLimit.PerSecond != 1 || rep.RateLimit.Burst != 3 {
		t.Errorf("limit: %+v", rep.RateLimit)
	}
	var sb strings.Builder
	_ = rep.WriteText(&sb)
	if !strings.Contains(squeeze(sb.String()), "valid NO: ") || !strings.Contains(sb.String(), "on, 1/s per key (burst 3)") {
		t.Errorf("table:\n%s", sb.String())
	}
}

func TestCPUStall(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"some avg10=98.30 avg60=97.53 avg300=85.99 total=654642692\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 654642692 * time.Microsecond, true},
		{"some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 0, true},
		{"full avg10=0.00 total=5\n", 0, false},
		{"some avg10=0.00 total=x\n", 0, false},
		{"", 0, false},
	} {
		got, ok := loadgen.CPUStall([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("%q: %v %v, want %v %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// squeeze collapses runs of spaces, so that tests do not depend on the table's column widths.
func squeeze(s string) string {
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return s
}
