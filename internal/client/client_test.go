package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/client"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// newServer starts a real Arcade on SQLite in a temporary directory.
func newServer(t *testing.T, cfg app.Config) *client.Client {
	t.Helper()
	cfg.DataDir, cfg.Version = storetest.Config(t, store.SQLite).DataDir, "test"
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() { ts.Close(); a.DB.Close() })
	c, err := client.New(client.WithBaseURL(ts.URL + "/"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// guest signs up a guest and claims its Free Credits.
func guest(t *testing.T, c *client.Client) *client.Client {
	t.Helper()
	ctx := context.Background()
	g, err := c.GuestSignUp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g.APIKey == "" || g.ID == "" || !strings.HasPrefix(g.APIKey, g.APIKeyPrefix) {
		t.Fatalf("sign-up: %+v", g)
	}
	me := c.WithKey(g.APIKey)
	f, err := me.ClaimFaucet(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if f.Granted != client.Credits(100) || f.Balance != client.Credits(100) || f.NextFaucetAt.IsZero() {
		t.Fatalf("faucet: %+v", f)
	}
	return me
}

func TestAmountJSON(t *testing.T) {
	for _, c := range []struct {
		in   string
		want client.Amount
		err  bool
	}{
		{"100", 100_000_000, false},
		{"0", 0, false},
		{"0.000001", 1, false},
		{"1.5", 1_500_000, false},
		{"-3.25", -3_250_000, false},
		{"9223372036854.775807", 9223372036854775807, false},
		{"null", 0, false},
		{"0.1234567", 0, true},
		{"1e3", 0, true},
		{`"10"`, 0, true},
		{"true", 0, true},
		{"9223372036854.775808", 0, true},
	} {
		var a client.Amount
		err := json.Unmarshal([]byte(c.in), &a)
		if (err != nil) != c.err || (!c.err && a != c.want) {
			t.Errorf("%s: %d, %v; want %d, error %v", c.in, a, err, c.want, c.err)
		}
		if c.err || c.in == "null" {
			continue
		}
		out, err := json.Marshal(a)
		if err != nil || (string(out) != c.in && c.in != "0") {
			t.Errorf("%s: marshalled back as %s, %v", c.in, out, err)
		}
	}
}

func TestNewOptions(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		name     string
		opts     []client.Option
		wantBase string
		wantKey  string
		wantErr  bool
	}{
		{"arcade env", []client.Option{client.FromEnv(env(map[string]string{"ARCADE_BASE_URL": "http://a:1", "ARCADE_API_KEY": "ka",
			"XPERSONA_BASE_URL": "http://x:2", "XPERSONA_API_KEY": "kx"}))}, "http://a:1", "ka", false},
		{"xpersona fallback", []client.Option{client.FromEnv(env(map[string]string{"XPERSONA_BASE_URL": "http://x:2/", "XPERSONA_API_KEY": "kx"}))},
			"http://x:2", "kx", false},
		{"later option wins", []client.Option{client.FromEnv(env(map[string]string{"ARCADE_BASE_URL": "http://a:1", "ARCADE_API_KEY": "ka"})),
			client.WithBaseURL("https://b/prefix/"), client.WithAPIKey("kb")}, "https://b/prefix", "kb", false},
		{"unset env keeps earlier", []client.Option{client.WithBaseURL("http://b"), client.FromEnv(env(nil))}, "http://b", "", false},
		{"no base URL", []client.Option{client.FromEnv(env(nil))}, "", "", true},
		{"bad scheme", []client.Option{client.WithBaseURL("ftp://b")}, "", "", true},
		{"query", []client.Option{client.WithBaseURL("http://b/?x=1")}, "", "", true},
		{"nil http client", []client.Option{client.WithBaseURL("http://b"), client.WithHTTPClient(nil)}, "", "", true},
	} {
		c2, err := client.New(c.opts...)
		if c.wantErr {
			if err == nil {
				t.Errorf("%s: no error", c.name)
			}
			continue
		}
		if err != nil || c2.BaseURL() != c.wantBase || c2.APIKey() != c.wantKey {
			t.Errorf("%s: %v; base %q key %q", c.name, err, c2.BaseURL(), c2.APIKey())
		}
	}
	if _, err := client.New(); !errors.Is(err, client.ErrNoBaseURL) {
		t.Errorf("New(): %v, want ErrNoBaseURL", err)
	}
}

func TestAgainstArcade(t *testing.T) {
	ctx := context.Background()
	c := newServer(t, app.Config{})
	me := guest(t, c)

	if b, err := me.Balance(ctx); err != nil || b.Balance != client.Credits(100) || b.Withdrawable != 0 || b.DepositAlert != "ok" {
		t.Fatalf("balance: %+v, %v", b, err)
	}
	if m, err := me.Me(ctx); err != nil || m.Credits != client.Credits(100) || m.AccountType != "guest" || m.ID == "" {
		t.Fatalf("me: %+v, %v", m, err)
	}

	// A retry with the same Idempotency-Key replays the round: the money moves once.
	bet := client.DiceBet{Amount: client.Credits(1), Target: "50", Condition: "over", ClientSeed: "my-seed", IdempotencyKey: "round-1"}
	r1, err := me.PlayDice(ctx, bet)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := me.PlayDice(ctx, bet)
	if err != nil || r2.BetID != r1.BetID || r2.Balance != r1.Balance {
		t.Fatalf("idempotent retry: %+v, %v; first %+v", r2, err, r1)
	}
	if want := client.Credits(99) + r1.Payout; r1.Balance != want || r1.PnL != r1.Payout-client.Credits(1) || r1.Verification.ServerSeedHash == "" {
		t.Fatalf("round: %+v, want balance %s", r1, want)
	}
	r3, err := me.PlayDice(ctx, client.DiceBet{Amount: client.Credits(2), Target: "10.5", Condition: "under"})
	if err != nil || r3.Target != "10.5" || r3.Balance != r1.Balance-client.Credits(2)+r3.Payout {
		t.Fatalf("second round: %+v, %v", r3, err)
	}

	rs, err := me.ListRounds(ctx, "dice", client.Page{Limit: 10})
	if err != nil || rs.RoundCount != 2 || rs.TotalCount != 2 || rs.Plays[0].ID != r3.RoundID || rs.SessionPnL != r1.PnL+r3.PnL {
		t.Fatalf("rounds: %+v, %v", rs, err)
	}
	rd, err := me.GetRound(ctx, r1.RoundID, false)
	if err != nil || rd.ID != r1.RoundID || rd.Verification.ServerSeed != nil || rd.Verification.VerificationFormula == "" {
		t.Fatalf("round: %+v, %v", rd, err)
	}
	rv, err := me.GetRound(ctx, r1.RoundID, true)
	if err != nil || rv.Verification.ServerSeed == nil || *rv.Verification.ServerSeed == "" {
		t.Fatalf("revealed round: %+v, %v", rv, err)
	}
	tx, err := me.ListTransactions(ctx, "", client.Page{})
	if err != nil || len(tx.Transactions) != 3 || tx.SessionPnL != r1.PnL+r3.PnL {
		t.Fatalf("transactions: %+v, %v", tx, err)
	}
	st, err := me.SessionStats(ctx, "dice", 5)
	if err != nil || st.Rounds != 2 || st.SessionPnL != r1.PnL+r3.PnL || st.Balance.Balance != r3.Balance || len(st.RecentPlays) != 2 {
		t.Fatalf("session stats: %+v, %v", st, err)
	}

	// Do: the cheapest call (no result) and a generic decode.
	body, err := client.EncodeDiceBet(client.DiceBet{Amount: client.Credits(1), Target: "50", Condition: "under"})
	if err != nil {
		t.Fatal(err)
	}
	if err := me.Do(ctx, "POST", client.DicePath, body, "", nil); err != nil {
		t.Fatal(err)
	}
	var bal struct {
		Balance client.Amount `json:"balance"`
	}
	if err := me.Do(ctx, "GET", "/api/me/balance", nil, "", &bal); err != nil || bal.Balance <= 0 {
		t.Fatalf("Do balance: %+v, %v", bal, err)
	}
	if err := me.Do(ctx, "POST", client.DicePath, []byte(`{"amount":10000,"target":50,"condition":"over"}`), "", nil); !client.HasCode(err, "INSUFFICIENT_BALANCE") {
		t.Fatalf("Do broke: %v", err)
	}

	// Strategies: create, list, get, update, run, delete.
	cfg := client.StrategyConfig{Amount: client.Credits(1), Target: "50", Condition: "over", ProgressionType: "martingale", MaxBet: client.Credits(8)}
	s, err := me.CreateStrategy(ctx, "M", cfg)
	if err != nil || s.ID == "" || s.Name != "M" || s.Config.Amount != client.Credits(1) || s.Config.MaxBet != client.Credits(8) || s.Config.ProgressionType != "martingale" {
		t.Fatalf("create: %+v, %v", s, err)
	}
	if l, err := me.ListStrategies(ctx, "dice"); err != nil || len(l) != 1 || l[0].ID != s.ID {
		t.Fatalf("list: %+v, %v", l, err)
	}
	name := "M2"
	if u, err := me.UpdateStrategy(ctx, s.ID, client.StrategyUpdate{Name: &name}); err != nil || u.Name != "M2" || u.Config.MaxBet != client.Credits(8) {
		t.Fatalf("update: %+v, %v", u, err)
	}
	if g, err := me.GetStrategy(ctx, s.ID); err != nil || g.Name != "M2" {
		t.Fatalf("get: %+v, %v", g, err)
	}
	run, err := me.RunStrategy(ctx, client.RunStrategy{StrategyID: s.ID, MaxRounds: 5})
	if err != nil || run.RoundsPlayed != len(run.Results) || run.RoundsPlayed == 0 || run.FinalBalance != run.Results[len(run.Results)-1].Balance {
		t.Fatalf("run: %+v, %v", run, err)
	}
	inline, err := me.RunStrategy(ctx, client.RunStrategy{Config: &client.StrategyConfig{Amount: client.Credits(1), Target: "50", Condition: "under"}, MaxRounds: 3})
	if err != nil || inline.RoundsPlayed != 3 || inline.StoppedReason != "max_rounds" {
		t.Fatalf("inline run: %+v, %v", inline, err)
	}
	if _, err := me.RunStrategy(ctx, client.RunStrategy{}); err == nil {
		t.Error("RunStrategy without strategy: no error")
	}
	if err := me.DeleteStrategy(ctx, s.ID); err != nil {
		t.Fatal(err)
	}

	agent, err := c.RegisterAgent(ctx, "bench-bot")
	if err != nil || agent.APIKey == "" || agent.AgentID == "" || agent.Credits != client.Credits(100) {
		t.Fatalf("register: %+v, %v", agent, err)
	}
	if rl, err := c.RateLimits(ctx); err != nil || !rl.PerAPIKey.Off {
		t.Fatalf("rate limits: %+v, %v (the test server has none)", rl, err)
	}
	if err := c.Live(ctx); err != nil {
		t.Fatal(err)
	}
	if rec, err := c.Reconciliation(ctx); err != nil || !rec.InvariantHolds || rec.CheckedAt.IsZero() {
		t.Fatalf("reconciliation: %+v, %v", rec, err)
	}

	// Failures come back as *client.Error with the envelope's code and field.
	for _, f := range []struct {
		name   string
		call   func() error
		status int
		code   string
		field  string
	}{
		{"no key", func() error { _, err := c.Balance(ctx); return err }, 401, "UNAUTHORIZED", ""},
		{"bad key", func() error { _, err := c.WithKey("xp_" + strings.Repeat("0", 64)).Me(ctx); return err }, 401, "UNAUTHORIZED", ""},
		{"faucet cooldown", func() error { _, err := me.ClaimFaucet(ctx, ""); return err }, 429, "FAUCET_COOLDOWN", ""},
		{"stake 0", func() error {
			_, err := me.PlayDice(ctx, client.DiceBet{Amount: 0, Target: "50", Condition: "over"})
			return err
		}, 400, "VALIDATION_ERROR", "amount"},
		{"fractional stake", func() error {
			_, err := me.PlayDice(ctx, client.DiceBet{Amount: 1_500_000, Target: "50", Condition: "over"})
			return err
		}, 400, "VALIDATION_ERROR", "amount"},
		{"bad condition", func() error {
			_, err := me.PlayDice(ctx, client.DiceBet{Amount: client.Credits(1), Target: "50", Condition: "sideways"})
			return err
		}, 400, "VALIDATION_ERROR", "condition"},
		{"broke", func() error {
			_, err := me.PlayDice(ctx, client.DiceBet{Amount: client.Credits(10000), Target: "50", Condition: "over"})
			return err
		}, 400, "INSUFFICIENT_BALANCE", ""},
		{"idempotency key reused with another body", func() error {
			_, err := me.PlayDice(ctx, client.DiceBet{Amount: client.Credits(3), Target: "50", Condition: "over", IdempotencyKey: "round-1"})
			return err
		}, 409, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key"},
		{"unknown round", func() error { _, err := me.GetRound(ctx, "nope", false); return err }, 404, "", ""},
		{"deleted strategy", func() error { _, err := me.GetStrategy(ctx, s.ID); return err }, 404, "", ""},
		{"withdraw Free Credits", func() error {
			_, err := me.Withdraw(ctx, client.WithdrawRequest{Amount: client.Credits(10000)})
			return err
		}, 400, "", ""},
	} {
		err := f.call()
		e := client.AsError(err)
		if e == nil {
			t.Errorf("%s: %v, want a *client.Error", f.name, err)
			continue
		}
		if e.Status != f.status || (f.code != "" && e.Code != f.code) || e.Code == "" || e.Field != f.field || e.Message == "" || !strings.Contains(e.Error(), e.Path) {
			t.Errorf("%s: %+v (%v), want %d %s field %q", f.name, e, e, f.status, f.code, f.field)
		}
	}
	if b, err := me.Balance(ctx); err != nil || b.Balance != run.FinalBalance+inline.SessionPnL {
		t.Errorf("balance after the failures: %+v, %v; want %s", b, err, run.FinalBalance+inline.SessionPnL)
	}
}

func TestRateLimitedCarriesRetryAfter(t *testing.T) {
	ctx := context.Background()
	c := newServer(t, app.Config{RateLimit: ratelimit.Limit{PerSecond: 0.01, Burst: 2}})
	me := guest(t, c) // the faucet takes one token
	if rl, err := c.RateLimits(ctx); err != nil || rl.PerAPIKey.Off || rl.PerAPIKey.Burst != 2 {
		t.Fatalf("rate limits: %+v, %v", rl, err)
	}
	var err error
	for range 3 {
		if _, err = me.Balance(ctx); err != nil {
			break
		}
	}
	e := client.AsError(err)
	if e == nil || e.Status != 429 || e.Code != "RATE_LIMITED" || e.RetryAfter < time.Second || !client.HasCode(err, "RATE_LIMITED") {
		t.Fatalf("%v, want 429 RATE_LIMITED with Retry-After", err)
	}
}

func TestTransportErrorIsWrapped(t *testing.T) {
	ts := httptest.NewServer(nil)
	url := ts.URL
	ts.Close()
	c, err := client.New(client.WithBaseURL(url))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GuestSignUp(context.Background())
	if err == nil || client.AsError(err) != nil || !strings.Contains(err.Error(), "POST /api/auth/guest") {
		t.Fatalf("%v, want a wrapped transport error", err)
	}
}
