package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/loadgen"
)

const benchUsage = `Usage: arcade bench [flags]

Load generator for a running Arcade. Agents sign up as guests and claim the faucet (100
credits), then send the --profile's requests (dice: POST /api/games/dice/round) over the public
API through Arcade's Go client; an agent that runs out of credits signs up afresh.

Closed loop (default): --agents concurrent agents each send their next request when the last is
answered. Reports requests/s, exact p50/p90/p95/p99/p99.9 latencies, errors by kind and
sign-ups, then measures GET /health/live with as many agents for --baseline-duration and prints
the ratio rounds/s ÷ live/s.

Open loop (--rate R): R requests a second on a fixed timetable whatever the answers, spread
over --agents keys (default ceil(R/50), half the server's default per-key limit), with up to
--workers in flight; latency runs from each request's intended send time, so a slow answer
cannot hide the requests it delayed. Reports the achieved rate and the percentiles, then
measures GET /health/live at the same rate and prints both p99s.

Both modes read the per-key rate limit the server publishes and count its 429 answers apart:
a run with any is marked invalid (the limit, not the server, shaped the load). Finally the
ledger invariant from /health. It only talks to --base-url, and only to a loopback host unless
--allow-remote.

Exit status: 0 when it ran (even with some errors), 1 when the server was unreachable, the
ledger invariant did not hold or the run was invalid, 2 on bad flags.

Flags:
`

// benchCmd runs `arcade bench`.
func benchCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if p := profileArg(args); p == "poker" || p == "poker-idle" {
		return pokerBench(ctx, args, getenv, stdout, stderr)
	}
	cfg, asJSON, err := parseBenchFlags(args, getenv, stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "arcade bench: %v (see arcade bench -h)\n", err)
		return 2
	}
	cfg.Notes = stderr
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		if e := errs.As(err); e != nil && e.Kind == errs.Validation {
			fmt.Fprintf(stderr, "arcade bench: --%s: %s\n", e.Field, e.Message)
			return 2
		}
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "arcade bench: interrupted")
		} else {
			fmt.Fprintln(stderr, "arcade bench:", err)
		}
		return 1
	}
	if code := writeReport(stdout, stderr, asJSON, rep, rep.Ledger); code != 0 {
		return code
	}
	if !rep.Valid {
		for _, why := range rep.Invalid {
			fmt.Fprintf(stderr, "arcade bench: the run is invalid: %s\n", why)
		}
		return 1
	}
	return 0
}

// profileArg is the --profile flag's value in args ("" when absent).
func profileArg(args []string) string {
	for i, a := range args {
		a = strings.TrimPrefix(a, "-")
		if v, ok := strings.CutPrefix(a, "-profile="); ok {
			return v
		}
		if v, ok := strings.CutPrefix(a, "profile="); ok {
			return v
		}
		if (a == "-profile" || a == "profile") && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

const pokerBenchUsage = `Usage: arcade bench --profile poker|poker-idle [flags]

Poker load against a running Arcade. --agents poker agents register (POST /poker/api/register:
start the server with ARCADE_SIGNUP_RATE=0 for more than 200, ARCADE_MAX_CONNS_PER_CLIENT=0 for
more than 256 WebSockets from one address, and ARCADE_POKER_HAND_DELAY=0 to measure the tables,
not the pause between hands). Mind ulimit -n on both sides: one descriptor per agent each.

poker: each agent runs the reference bot (internal/poker/bot) through /poker/ws for --duration,
rebuying when busted. Reports complete hands a second over all tables and the time from writing
an action to receiving its player_action broadcast (p50/p99).

poker-idle: each agent connects its WebSocket and stays idle; after --duration the server's
memory (/metrics: RSS, heap, stacks, goroutines) is compared with before: bytes per connection.
With --server-pprof (the server's ARCADE_PPROF_ADDR) a GC is forced before each reading.

Flags:
`

// pokerBench runs the poker profiles.
func pokerBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg := loadgen.PokerConfig{BaseURL: "http://localhost:8080", Agents: 60, Duration: 10 * time.Second, BuyIn: "2.00", Notes: stderr}
	if v := clientBaseURL(getenv); v != "" {
		cfg.BaseURL = v
	}
	var profile string
	var asJSON bool
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&profile, "profile", "poker", "poker or poker-idle")
	fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "server to measure (ARCADE_BASE_URL)")
	fs.IntVar(&cfg.Agents, "agents", cfg.Agents, fmt.Sprintf("poker agents, 2–%d", loadgen.MaxPokerAgents))
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "poker: how long to play; poker-idle: how long to hold the connections before measuring")
	fs.StringVar(&cfg.BuyIn, "buy-in", cfg.BuyIn, "poker: each bot's buy-in and rebuy, dollars")
	fs.StringVar(&cfg.PprofURL, "server-pprof", "", "poker-idle: the server's pprof address (http://127.0.0.1:6060) to force a GC before reading memory")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "allow a base URL whose host is not loopback")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON on stdout")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, pokerBenchUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "arcade bench: %v (see arcade bench --profile poker -h)\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "arcade bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	cfg.Idle = profile == "poker-idle"
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadgen.RunPoker(ctx, cfg)
	if err != nil {
		if e := errs.As(err); e != nil && e.Kind == errs.Validation {
			fmt.Fprintf(stderr, "arcade bench: --%s: %s\n", e.Field, e.Message)
			return 2
		}
		fmt.Fprintln(stderr, "arcade bench:", err)
		return 1
	}
	return writeReport(stdout, stderr, asJSON, rep, rep.Ledger)
}

// clientBaseURL is the server Arcade's own clients talk to: ARCADE_BASE_URL, or the spec 000
// clients' XPERSONA_BASE_URL.
func clientBaseURL(getenv func(string) string) string {
	if v := getenv("ARCADE_BASE_URL"); v != "" {
		return v
	}
	return getenv("XPERSONA_BASE_URL")
}

// parseBenchFlags parses the flags over the environment (ARCADE_BASE_URL); -h prints the usage
// on stdout and returns flag.ErrHelp. Values are checked by loadgen.Config.Validate, whose
// errors name the flag.
func parseBenchFlags(args []string, getenv func(string) string, stdout io.Writer) (loadgen.Config, bool, error) {
	cfg := loadgen.Config{BaseURL: "http://localhost:8080", Agents: 64, Duration: 10 * time.Second, Amount: 1,
		Target: "50", Condition: "over", BaselineDuration: 5 * time.Second}
	if v := clientBaseURL(getenv); v != "" {
		cfg.BaseURL = v
	}
	var asJSON bool
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&cfg.BaseURL, "base-url", cfg.BaseURL, "server to measure (ARCADE_BASE_URL)")
	fs.IntVar(&cfg.Agents, "agents", cfg.Agents, fmt.Sprintf("accounts, 1–%d: in closed loop the concurrent agents; with --rate the keys the load is spread over, ceil(rate/%d) unless given", loadgen.MaxAgents, loadgen.KeyShare))
	fs.Float64Var(&cfg.Rate, "rate", 0, "open loop: requests a second on a fixed timetable (0: closed loop)")
	fs.IntVar(&cfg.Workers, "workers", 0, "open loop: most requests in flight (0: max(64, rate/4), at most 200: the server's per-client connection cap is 256)")
	fs.StringVar(&cfg.Profile, "profile", "dice", "kind of request: "+strings.Join(loadgen.ProfileNames(), ", ")+"; poker, poker-idle (see --profile poker -h)")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long to play (default 10s unless --rounds is given)")
	fs.Int64Var(&cfg.Rounds, "rounds", 0, "stop after this many rounds in total (with --duration: whichever comes first)")
	fs.Int64Var(&cfg.Amount, "amount", cfg.Amount, fmt.Sprintf("stake of every round, whole credits 1–%d", loadgen.FaucetCredits))
	fs.StringVar(&cfg.Target, "target", cfg.Target, "dice target, 0–99.99")
	fs.StringVar(&cfg.Condition, "condition", cfg.Condition, "over or under")
	fs.DurationVar(&cfg.BaselineDuration, "baseline-duration", cfg.BaselineDuration, "how long to measure GET /health/live (0 skips it)")
	fs.BoolVar(&cfg.AllowRemote, "allow-remote", false, "allow a base URL whose host is not loopback")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON on stdout")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, benchUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
		}
		return cfg, false, err
	}
	if fs.NArg() > 0 {
		return cfg, false, usagef("unexpected argument %q (flags come as --name value)", fs.Arg(0))
	}
	durationSet, agentsSet := false, false
	fs.Visit(func(f *flag.Flag) {
		durationSet = durationSet || f.Name == "duration"
		agentsSet = agentsSet || f.Name == "agents"
	})
	if cfg.Rate > 0 && !agentsSet {
		cfg.Agents = 0 // spread over ceil(rate/KeyShare) keys
	}
	if cfg.Rounds > 0 && !durationSet {
		cfg.Duration = 0 // --rounds alone bounds the run
	}
	if _, err := cfg.Validate(); err != nil {
		if e := errs.As(err); e != nil && e.Field != "" {
			return cfg, false, usagef("--%s: %s", e.Field, e.Message)
		}
		return cfg, false, err
	}
	return cfg, asJSON, nil
}

// writeReport prints rep as JSON or text and returns the exit code: 1 when it cannot be written
// or the server's ledger invariant does not hold after the run.
func writeReport(stdout, stderr io.Writer, asJSON bool, rep interface{ WriteText(io.Writer) error }, ledger loadgen.Ledger) int {
	var err error
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(rep)
	} else {
		err = rep.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "arcade bench:", err)
		return 1
	}
	if !ledger.InvariantHolds {
		fmt.Fprintf(stderr, "arcade bench: the ledger invariant does not hold: %s\n", ledger)
		return 1
	}
	return 0
}
