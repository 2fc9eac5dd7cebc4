package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/loadgen"
	"github.com/arcadehq/arcade/internal/poker/table"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

func TestBenchFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--agents", "0"}, "--agents"},
		{[]string{"--agents", "many"}, "-agents"},
		{[]string{"--duration", "-1s"}, "--duration"},
		{[]string{"--duration", "0s"}, "--duration"},
		{[]string{"--duration", "ten"}, "-duration"},
		{[]string{"--rounds", "-5"}, "--rounds"},
		{[]string{"--amount", "101"}, "--amount"},
		{[]string{"--target", "100"}, "--target"},
		{[]string{"--target", "0", "--condition", "under"}, "--target"},
		{[]string{"--condition", "sideways"}, "--condition"},
		{[]string{"--baseline-duration", "-1s"}, "--baseline-duration"},
		{[]string{"--base-url", "ftp://127.0.0.1"}, "--base-url"},
		{[]string{"--base-url", "http://example.com"}, "--allow-remote"},
		{[]string{"--base-url", "http://192.0.2.7:8080"}, "--allow-remote"},
		{[]string{"--rate", "-1"}, "--rate"},
		{[]string{"--rate", "fast"}, "-rate"},
		{[]string{"--workers", "8"}, "--workers"},
		{[]string{"--rate", "10", "--workers", "-1"}, "--workers"},
		{[]string{"--profile", "roulette"}, "--profile"},
		{[]string{"--nope"}, "-nope"},
		{[]string{"extra"}, `"extra"`},
	} {
		code, out, errOut := runCmd(t, noEnv, append([]string{"bench"}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("bench %v: exit %d, stderr %q; want exit 2 naming %s", c.args, code, errOut, c.want)
		}
	}
	// The environment's base URL is checked like the flag.
	env := func(k string) string {
		if k == "ARCADE_BASE_URL" {
			return "http://arcade.example.org"
		}
		return ""
	}
	if code, _, errOut := runCmd(t, env, "bench"); code != 2 || !strings.Contains(errOut, "arcade.example.org") {
		t.Errorf("remote ARCADE_BASE_URL: exit %d, %q", code, errOut)
	}
	if code, out, _ := runCmd(t, noEnv, "bench", "-h"); code != 0 || !strings.Contains(out, "--base-url") && !strings.Contains(out, "-base-url") {
		t.Errorf("bench -h: exit %d, %q", code, out)
	}
}

func TestBenchUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	env := func(k string) string {
		if k == "ARCADE_BASE_URL" {
			return url
		}
		return ""
	}
	code, out, errOut := runCmd(t, env, "bench", "--rounds", "10")
	if code != 1 || out != "" || !strings.Contains(errOut, "unreachable") || !strings.Contains(errOut, url) {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and an unreachable message", code, out, errOut)
	}
}

func TestBenchAgainstArcade(t *testing.T) {
	sc := storetest.Config(t, store.SQLite)
	a, err := app.New(context.Background(), app.Config{DataDir: sc.DataDir, Version: "test", DoubleRun: sc.DoubleRun},
		slog.New(slog.NewTextHandler(io.Discard, nil)), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() { ts.Close(); a.DB.Close() })

	code, out, errOut := runCmd(t, noEnv, "bench", "--base-url", ts.URL, "--agents", "4", "--rounds", "60",
		"--baseline-duration", "100ms", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep loadgen.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	var stored int64
	if err := a.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		return q.QueryRow(ctx, "SELECT COUNT(*) FROM credit_rounds").Scan(&stored)
	}); err != nil {
		t.Fatal(err)
	}
	if rep.Play.Requests != 60 || stored != 60 {
		t.Errorf("reported %d rounds, stored %d, want 60", rep.Play.Requests, stored)
	}
	if !rep.Ledger.InvariantHolds || rep.Play.Errors.Total != 0 || rep.Live == nil || rep.Ratio <= 0 {
		t.Errorf("report: %s", out)
	}
	if !strings.Contains(errOut, "signing up 4 guest agents") {
		t.Errorf("no phase notes on stderr: %q", errOut)
	}

	code, out, errOut = runCmd(t, noEnv, "bench", "--base-url", ts.URL, "--agents", "2", "--rounds", "10", "--baseline-duration", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"rounds/s", "p50", "p99", "errors", "sign-ups", "ledger invariant", "holds", "live/s", "rate limit", "valid"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	// Open loop: --rate without --agents spreads the load over ceil(rate/50) keys.
	code, out, errOut = runCmd(t, noEnv, "bench", "--base-url", ts.URL, "--rate", "120", "--rounds", "30",
		"--baseline-duration", "100ms", "--json")
	if code != 0 {
		t.Fatalf("open loop: exit %d: %s", code, errOut)
	}
	rep = loadgen.Report{}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	if rep.Mode != "open" || rep.Agents != 3 || rep.Play.Scheduled != 30 || rep.Live == nil || rep.Live.Scheduled != 12 || !rep.Valid {
		t.Errorf("open-loop report: %s", out)
	}
}

// TestBenchPoker: the poker profiles against an in-process server: bots play hands and the
// latency is measured; idle agents connect and the server's memory is read; bad flags exit 2.
func TestBenchPoker(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--profile", "poker", "--agents", "1"}, "--agents"},
		{[]string{"--profile", "poker-idle", "--duration", "0s"}, "--duration"},
		{[]string{"--profile=poker", "--base-url", "http://example.com"}, "--allow-remote"},
		{[]string{"--profile", "poker", "--rate", "5"}, "-rate"},
	} {
		code, out, errOut := runCmd(t, noEnv, append([]string{"bench"}, c.args...)...)
		if code != 2 || out != "" || !strings.Contains(errOut, c.want) {
			t.Errorf("bench %v: exit %d, stderr %q; want exit 2 naming %s", c.args, code, errOut, c.want)
		}
	}
	sc := storetest.Config(t, store.SQLite)
	pc := table.DefaultConfig()
	pc.HandDelay, pc.ActionTimeout = 0, time.Minute // the agents always act: a late answer was a rejected action, an error
	a, err := app.New(context.Background(), app.Config{DataDir: sc.DataDir, Version: "test", DoubleRun: sc.DoubleRun, Poker: pc},
		slog.New(slog.NewTextHandler(io.Discard, nil)), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() { ts.Close(); a.PokerService.Close(context.Background()); a.DB.Close() })

	code, out, errOut := runCmd(t, noEnv, "bench", "--profile", "poker", "--base-url", ts.URL, "--agents", "4", "--duration", "2s", "--json")
	if code != 0 {
		t.Fatalf("poker: exit %d: %s", code, errOut)
	}
	var rep loadgen.PokerReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output does not parse: %v\n%s", err, out)
	}
	if rep.Connected != 4 || rep.Hands == 0 || rep.HandsPerSecond <= 0 || rep.Actions == 0 || rep.ActionToBroadcast.P50 <= 0 ||
		rep.ActionToBroadcast.P99 < rep.ActionToBroadcast.P50 || !rep.Ledger.InvariantHolds || len(rep.Errors) != 0 {
		t.Errorf("poker report: %s", out)
	}
	code, out, errOut = runCmd(t, noEnv, "bench", "--profile", "poker-idle", "--base-url", ts.URL, "--agents", "3", "--duration", "50ms")
	if code != 0 {
		t.Fatalf("poker-idle: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"3 connected", "per connection", "goroutines", "holds"} {
		if !strings.Contains(out, want) {
			t.Errorf("idle table lacks %q:\n%s", want, out)
		}
	}
}
