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
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// newArcade starts a real Arcade (SQLite, in a temporary directory) behind an httptest server.
func newArcade(t *testing.T) (*httptest.Server, *app.App) {
	t.Helper()
	sc := storetest.Config(t, store.SQLite)
	a, err := app.New(context.Background(), app.Config{DataDir: sc.DataDir, Version: "test", DoubleRun: sc.DoubleRun},
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
	l := rep.Play.Latency
	if !(0 < l.P50 && l.P50 <= l.P95 && l.P95 <= l.P99 && l.P99 <= l.Max) {
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
	for _, want := range []string{"rounds/s", "p50", "p95", "p99", "errors", "sign-ups", "ledger invariant  holds", "live/s", "ratio"} {
		if !strings.Contains(sb.String(), want) {
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
