// Command arcade is the whole of Arcade in one binary: `arcade serve` runs every surface on one
// port; `arcade verify` checks a bet offline; `arcade migrate` applies the schema; `arcade mcp`
// serves a running server's tools to desktop agent clients over stdio.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/google/uuid"

	"github.com/arcadehq/arcade/fairness/verify"
	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/store"
)

// version is set at build time with -ldflags "-X main.version=..."; otherwise the VCS revision.
var version = ""

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

const usage = `arcade — provably-fair games for AI agents

Usage:
  arcade serve     run the server (SQLite under ./arcade-data unless ARCADE_DATABASE_URL is set)
  arcade migrate   apply the database schema and exit
  arcade verify    recompute a bet offline: arcade verify --game G --server-seed HEX --client-seed C --nonce N [params]
  arcade simulate  Monte Carlo simulation of a strategy file or preset (see arcade simulate -h)
  arcade bench     load generator against a running server (see arcade bench -h)
  arcade mcp       MCP over stdio for desktop agent clients, against a running server (see arcade mcp -h)
  arcade admin-key issue an API key for the platform account (operators: admin routes)
  arcade poker replay FILE.phh   replay PHH hand histories through the poker engine
  arcade audit     the full ledger invariant check on the server's database, as JSON (exit 1 if broken)
  arcade version   print the version

Configuration (flags of serve, or environment):
  --addr      ARCADE_ADDR           listen address (default :8080)
  --data-dir  ARCADE_DATA_DIR       SQLite data directory (default ./arcade-data)
  --database-url ARCADE_DATABASE_URL  postgres://... to use PostgreSQL instead of SQLite
              ARCADE_BASE_URL       public base URL used in answers
              ARCADE_DRAIN_SECONDS  seconds /health/ready answers 503 before shutdown (default 2)
              ARCADE_PPROF_ADDR     serve Go profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060
              ARCADE_DB_WRITE_TIMEOUT  seconds one write may take before it fails with STORE_TIMEOUT (default 10)
              ARCADE_AUDIT_SECONDS  seconds between full ledger audits behind /health (default 60; 0: on demand)
              ARCADE_LLM_URL        an OpenAI-compatible endpoint (…/v1): the LLM evaluator plays personas
              ARCADE_LLM_MODEL, ARCADE_LLM_API_KEY, ARCADE_LLM_TIMEOUT (seconds, default 20), ARCADE_LLM_JSON_MODE
              ARCADE_RUN_CHUNK_ROUNDS  rounds of a strategy run played per write (default 1000)
              ARCADE_RUN_RESUME_SECONDS  how often runs left unfinished between chunks are finished (default 30; 0: never)
              ARCADE_POKER_HAND_DELAY  seconds between poker hands (default 2; 0 for benchmarks)
              ARCADE_POKER_LEASE_SECONDS  poker table lease: a killed instance's stacks return after it (default 30)
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "verify":
		return verify.Main(ctx, args[1:], stdout, stderr)
	case "simulate":
		return simulateCmd(ctx, args[1:], getenv, stdout, stderr)
	case "bench":
		return benchCmd(ctx, args[1:], getenv, stdout, stderr)
	case "mcp":
		return mcpCmd(ctx, args[1:], getenv, stdout, stderr)
	case "admin-key":
		return adminKey(ctx, args[1:], getenv, stdout, stderr)
	case "poker":
		return pokerCmd(ctx, args[1:], stdout, stderr)
	case "audit":
		return audit(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "arcade: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "0.1.0+" + s.Value[:12]
			}
		}
	}
	return "0.1.0-dev"
}

// serverFlags parses the serve/migrate flags over the environment's values.
func serverFlags(name string, args []string, getenv func(string) string, stderr io.Writer) (app.Config, error) {
	cfg, err := app.ConfigFromEnv(getenv)
	if err != nil {
		return cfg, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (ARCADE_ADDR)")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "SQLite data directory (ARCADE_DATA_DIR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (ARCADE_DATABASE_URL)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg.Version = versionString()
	return cfg, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := serverFlags("serve", args, getenv, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "arcade serve:", err)
		}
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: logLevel(getenv("ARCADE_LOG_LEVEL"))}))
	// Row ids are UUIDv7s: draw their randomness from crypto/rand in blocks, not per id.
	uuid.EnableRandPool()
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	a, err := app.New(ctx, cfg, log, app.Deps{})
	if err != nil {
		fmt.Fprintln(stderr, "arcade serve:", err)
		return 1
	}
	if addr := getenv("ARCADE_PPROF_ADDR"); addr != "" {
		// Profiling for operators, on its own listener (keep it on loopback).
		go func() { _ = http.ListenAndServe(addr, pprofMux()) }()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		a.DB.Close()
		fmt.Fprintln(stderr, "arcade serve:", err)
		return 1
	}
	where := "SQLite in " + cfg.DataDir
	if a.DB.Engine() == store.Postgres {
		where = "PostgreSQL"
	}
	base := localURL(ln.Addr())
	fmt.Fprintf(stdout, "Arcade %s listening on %s (%s)\n"+
		"Get an API key:\n  curl -s -X POST %s/api/auth/guest\n"+
		"Claim Free Credits with it:\n  curl -s -X POST -H \"Authorization: Bearer $KEY\" %s/api/faucet\n"+
		"Agent guide: %s/agent-skill.md   tools: %s/api/openclaw/tools   MCP: %s/mcp   OpenAPI: %s/openapi.json\n",
		cfg.Version, base, where, base, base, base, base, base, base)
	if err := a.Serve(ctx, ln); err != nil {
		fmt.Fprintln(stderr, "arcade serve:", err)
		return 1
	}
	return 0
}

func pprofMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/debug/pprof/", pprof.Index)
	m.HandleFunc("/debug/pprof/profile", pprof.Profile)
	m.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return m
}

func localURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := serverFlags("migrate", args, getenv, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "arcade migrate:", err)
		return 2
	}
	db, err := store.Open(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Benchmark: cfg.UnsafeDurability})
	if err != nil {
		fmt.Fprintln(stderr, "arcade migrate:", err)
		return 1
	}
	defer db.Close()
	v, err := db.Version(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "arcade migrate:", err)
		return 1
	}
	fmt.Fprintf(stdout, "schema at version %d (%s)\n", v, db.Engine())
	return 0
}

func logLevel(s string) slog.Level {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
