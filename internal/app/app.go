// Package app wires Arcade together: configuration, the store, the domain services and every
// HTTP surface on one router, plus graceful shutdown. It is the only place that knows them all.
package app

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/cardpay"
	"github.com/arcadehq/arcade/internal/casino/bets"
	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/chain/evm"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/feed"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/httpapi/creditsapi"
	"github.com/arcadehq/arcade/internal/httpapi/personaapi"
	"github.com/arcadehq/arcade/internal/httpapi/playpage"
	"github.com/arcadehq/arcade/internal/httpapi/pokerapi"
	"github.com/arcadehq/arcade/internal/httpapi/pokerws"
	"github.com/arcadehq/arcade/internal/httpapi/startapi"
	"github.com/arcadehq/arcade/internal/httpapi/v1api"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/mail"
	"github.com/arcadehq/arcade/internal/mcpapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/payments"
	"github.com/arcadehq/arcade/internal/persona/llm"
	personasvc "github.com/arcadehq/arcade/internal/persona/service"
	"github.com/arcadehq/arcade/internal/poker/agents"
	"github.com/arcadehq/arcade/internal/poker/table"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/tools"
	"github.com/arcadehq/arcade/internal/x402"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"
)

// Config is the server's configuration; every field has a flag and an environment variable.
type Config struct {
	Addr        string        // ARCADE_ADDR, default :8080
	DataDir     string        // ARCADE_DATA_DIR, default ./arcade-data (SQLite)
	DatabaseURL string        // ARCADE_DATABASE_URL: postgres://... switches to PostgreSQL
	BaseURL     string        // ARCADE_BASE_URL: the public URL, for links in answers
	DrainDelay  time.Duration // ARCADE_DRAIN_SECONDS: how long /health/ready answers 503 before the listener closes
	Direct      bool          // ARCADE_DIRECT_COMMIT=1: one transaction per write (benchmark baseline)
	Committers  int           // ARCADE_DB_COMMITTERS: group committers on PostgreSQL (0: the store's default)
	// ARCADE_DB_WRITE_TIMEOUT, ARCADE_DB_BATCH_TIMEOUT (seconds): deadlines of one write and of one
	// group-commit transaction (0: the store's defaults).
	WriteTimeout, BatchTimeout time.Duration
	// ARCADE_BENCHMARK_UNSAFE_DURABILITY=1: accept a PostgreSQL that may lose acknowledged
	// commits (fsync=off, synchronous_commit=off). Benchmarks only.
	UnsafeDurability bool
	// DoubleRun runs every write function twice and fails a write whose runs differ (tests).
	DoubleRun bool
	// AuditEvery (ARCADE_AUDIT_SECONDS, default 60; 0: on demand only) is how often the full
	// ledger audit runs; /health shows its latest result.
	AuditEvery time.Duration
	// RunChunk (ARCADE_RUN_CHUNK_ROUNDS, default credits.DefaultRunChunk) is how many rounds one
	// write of a strategy run plays; RunResumeEvery (ARCADE_RUN_RESUME_SECONDS, default 30; 0:
	// never) is how often runs left unfinished (their process died between chunks) are finished.
	RunChunk       int
	RunResumeEvery time.Duration
	// WithdrawResolveEvery (ARCADE_WITHDRAW_RESOLVE_SECONDS, default 60; 0: never) is how often,
	// on an EVM network, withdrawals whose payout outcome was unknown are reconciled with the
	// chain (chain.Reconciler).
	WithdrawResolveEvery time.Duration
	// PayoutBumpAfter (ARCADE_PAYOUT_BUMP_SECONDS, default 300; 0: never) is how long a recorded
	// payout may stay unmined before the reconciler replaces it with a higher fee at the same
	// nonce; PayoutMaxFee (ARCADE_PAYOUT_MAX_FEE_GWEI, default 50 gwei; nil: no bound) bounds the
	// fee cap, in wei per gas, of every payout transaction and its replacements.
	PayoutBumpAfter time.Duration
	PayoutMaxFee    *big.Int
	// Flood protection (see httpapi.LimitListener, Op.Heavy): ARCADE_MAX_CONNS (default -1:
	// three quarters of the process's file descriptor limit, so the server refuses connections
	// before it runs out of descriptors) and ARCADE_MAX_CONNS_PER_CLIENT (default 256; 0 behind a load balancer) cap open
	// connections; ARCADE_HEAVY_CONCURRENCY (default GOMAXPROCS) bounds simulations and strategy
	// runs in flight; ARCADE_HTTP_READ_TIMEOUT (seconds, default 15) bounds reading one request,
	// body included.
	Conns            httpapi.ConnLimits
	HeavyConcurrency int
	ReadTimeout      time.Duration
	// TrustedProxies (ARCADE_TRUSTED_PROXIES: IPs and CIDR prefixes) are the load balancers in
	// front of the server: a request from one is attributed to the client X-Forwarded-For names
	// (httpapi.TrustedProxies), so per-address limits count clients, not the balancer.
	TrustedProxies httpapi.TrustedProxies
	Stripe         cardpay.Config
	// LLM is the persona language-model endpoint: ARCADE_LLM_URL (unset: the rule-based evaluator
	// plays), ARCADE_LLM_MODEL, ARCADE_LLM_API_KEY, ARCADE_LLM_TIMEOUT (seconds per model call,
	// default 20), ARCADE_LLM_JSON_MODE (json_schema, default, or json_object).
	LLM         llm.Config
	RateLimit   ratelimit.Limit // ARCADE_RATE_LIMIT: requests/s per API key (burst 2×); 0 turns it off
	SignUpLimit ratelimit.Limit // ARCADE_SIGNUP_RATE: sign-ups per minute per client address (burst 200); 0 turns it off
	X402Network x402.Network    // ARCADE_X402_NETWORK: the network /api/v1 is paid on (default: the sandbox)
	X402PayTo   common.Address  // ARCADE_X402_PAY_TO: the casino's receiving address (default: SandboxPayTo)
	Chain       ChainConfig     // settlement and payouts off the sandbox (chain.go)
	// V1SeedRotation is how long the /api/v1 server seed stays active before the schedule
	// rotates it (ARCADE_V1_SEED_ROTATION, a Go duration; default 24h; 0 turns the schedule off:
	// operators rotate with POST /api/v1/seed/rotate).
	V1SeedRotation time.Duration
	// SIWEBlocked refuses sign-in to addresses (ARCADE_SIWE_BLOCKLIST: comma-separated 0x addresses).
	SIWEBlocked func(addr string) bool
	// SMTPURL is the mail server of the dashboard's verification emails (ARCADE_SMTP_URL,
	// smtp://[user[:password]@]host[:port][?from=...]); empty writes them into an outbox, one
	// .eml file each under <data dir>/outbox, for the operator to read.
	SMTPURL string
	Poker   table.Config // poker tables; the zero value means table.DefaultConfig()
	Version string

	// PokerConfirmations is how deep a poker deposit's transaction must be on a chain network
	// before it is credited (default 12, spec 002's figure).
	PokerConfirmations int
}

// Defaults of payout fee replacement: a payout unmined for 5 minutes is replaced with a higher
// fee; no payout transaction offers more than 50 gwei per gas (a transfer's ~65,000 gas: at most
// 0.00325 ETH).
var (
	DefaultPayoutBumpAfter = 5 * time.Minute
	DefaultPayoutMaxFee    = big.NewInt(50e9)
)

// Default rate limits: generous for an agent playing as fast as it can, tight enough to stop a
// runaway loop. Published in GET /api/discovery (platform.rateLimits).
var (
	DefaultRateLimit   = ratelimit.Limit{PerSecond: 100, Burst: 200}
	DefaultSignUpLimit = ratelimit.Limit{PerSecond: 1, Burst: 200}
)

// ConfigFromEnv reads the environment through getenv (os.Getenv in main; a map in tests).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Addr: ":8080", DataDir: "arcade-data", DrainDelay: 2 * time.Second, V1SeedRotation: 24 * time.Hour, AuditEvery: time.Minute, RunResumeEvery: 30 * time.Second, WithdrawResolveEvery: time.Minute,
		PayoutBumpAfter: DefaultPayoutBumpAfter, PayoutMaxFee: new(big.Int).Set(DefaultPayoutMaxFee),
		Conns: httpapi.ConnLimits{Total: -1, PerClient: 256}, HeavyConcurrency: runtime.GOMAXPROCS(0), ReadTimeout: 15 * time.Second,
		RateLimit: DefaultRateLimit, SignUpLimit: DefaultSignUpLimit}
	for _, v := range []struct {
		env   string
		l     *ratelimit.Limit
		per   float64
		burst func(float64) int
	}{
		{"ARCADE_RATE_LIMIT", &c.RateLimit, 1, func(r float64) int { return int(2 * r) }},
		{"ARCADE_SIGNUP_RATE", &c.SignUpLimit, 60, func(float64) int { return DefaultSignUpLimit.Burst }},
	} {
		if s := getenv(v.env); s != "" {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || f < 0 || f > 1e6 {
				return c, fmt.Errorf("%s: want a number from 0 (off) to 1000000, got %q", v.env, s)
			}
			*v.l = ratelimit.Limit{PerSecond: f / v.per, Burst: v.burst(f)}
		}
	}
	if v := getenv("ARCADE_POKER_LEASE_SECONDS"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 1 || f > 3600 {
			return c, fmt.Errorf("ARCADE_POKER_LEASE_SECONDS: want seconds from 1 to 3600, got %q", v)
		}
		if c.Poker == (table.Config{}) {
			c.Poker = table.DefaultConfig()
		}
		c.Poker.Lease = time.Duration(f * float64(time.Second))
	}
	if v := getenv("ARCADE_POKER_HAND_DELAY"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 60 {
			return c, fmt.Errorf("ARCADE_POKER_HAND_DELAY: want seconds from 0 to 60, got %q", v)
		}
		if c.Poker == (table.Config{}) {
			c.Poker = table.DefaultConfig()
		}
		c.Poker.HandDelay = time.Duration(f * float64(time.Second))
	}
	if v := getenv("ARCADE_ADDR"); v != "" {
		c.Addr = v
	}
	if v := getenv("ARCADE_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	c.DatabaseURL = getenv("ARCADE_DATABASE_URL")
	if v := getenv("ARCADE_V1_SEED_ROTATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 || (d > 0 && d < time.Minute) {
			return c, fmt.Errorf("ARCADE_V1_SEED_ROTATION: want 0 (off) or a duration of at least 1m, got %q", v)
		}
		c.V1SeedRotation = d
	}
	if v := getenv("ARCADE_SIWE_BLOCKLIST"); v != "" {
		blocked := map[string]bool{}
		for _, a := range strings.Split(v, ",") {
			a = strings.TrimSpace(a)
			if !common.IsHexAddress(a) {
				return c, fmt.Errorf("ARCADE_SIWE_BLOCKLIST: %q is not a 0x address", a)
			}
			blocked[strings.ToLower(a)] = true
		}
		c.SIWEBlocked = func(addr string) bool { return blocked[strings.ToLower(addr)] }
	}
	if v := getenv("ARCADE_X402_PAY_TO"); v != "" {
		if !common.IsHexAddress(v) {
			return c, fmt.Errorf("ARCADE_X402_PAY_TO: want a 0x address, got %q", v)
		}
		c.X402PayTo = common.HexToAddress(v)
	}
	if err := chainFromEnv(&c, getenv); err != nil {
		return c, err
	}
	c.BaseURL = getenv("ARCADE_BASE_URL")
	if v := getenv("ARCADE_SMTP_URL"); v != "" {
		if _, err := mail.ParseURL(v); err != nil {
			return c, fmt.Errorf("ARCADE_SMTP_URL: %w", err)
		}
		c.SMTPURL = v
	}
	c.Stripe = cardpay.Config{SecretKey: getenv("ARCADE_STRIPE_SECRET_KEY"), WebhookSecret: getenv("ARCADE_STRIPE_WEBHOOK_SECRET"),
		APIBase: getenv("ARCADE_STRIPE_API_BASE"), BaseURL: c.BaseURL}
	c.LLM = llm.Config{URL: getenv("ARCADE_LLM_URL"), Model: getenv("ARCADE_LLM_MODEL"), APIKey: getenv("ARCADE_LLM_API_KEY"),
		JSONMode: getenv("ARCADE_LLM_JSON_MODE")}
	if u := c.LLM.URL; u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return c, fmt.Errorf("ARCADE_LLM_URL: want an http(s) base URL such as https://api.openai.com/v1, got %q", u)
	}
	switch c.LLM.JSONMode {
	case "", llm.ModeJSONSchema, llm.ModeJSONObject:
	default:
		return c, fmt.Errorf("ARCADE_LLM_JSON_MODE: want %s or %s", llm.ModeJSONSchema, llm.ModeJSONObject)
	}
	if v := getenv("ARCADE_LLM_TIMEOUT"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f <= 0 || f > 600 {
			return c, fmt.Errorf("ARCADE_LLM_TIMEOUT: want seconds above 0 and at most 600, got %q", v)
		}
		c.LLM.Timeout = time.Duration(f * float64(time.Second))
	}
	if v := getenv("ARCADE_DRAIN_SECONDS"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f > 600 {
			return c, fmt.Errorf("ARCADE_DRAIN_SECONDS: want seconds between 0 and 600, got %q", v)
		}
		c.DrainDelay = time.Duration(f * float64(time.Second))
	}
	if v := getenv("ARCADE_DB_COMMITTERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return c, fmt.Errorf("ARCADE_DB_COMMITTERS: want a whole number from 1 to 64, got %q", v)
		}
		c.Committers = n
	}
	for _, v := range []struct {
		env string
		d   *time.Duration
	}{{"ARCADE_DB_WRITE_TIMEOUT", &c.WriteTimeout}, {"ARCADE_DB_BATCH_TIMEOUT", &c.BatchTimeout}} {
		if s := getenv(v.env); s != "" {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || f <= 0 || f > 3600 {
				return c, fmt.Errorf("%s: want seconds above 0 and at most 3600, got %q", v.env, s)
			}
			*v.d = time.Duration(f * float64(time.Second))
		}
	}
	for _, v := range []struct {
		env string
		n   *int
	}{{"ARCADE_MAX_CONNS", &c.Conns.Total}, {"ARCADE_MAX_CONNS_PER_CLIENT", &c.Conns.PerClient}, {"ARCADE_HEAVY_CONCURRENCY", &c.HeavyConcurrency}} {
		if s := getenv(v.env); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 1_000_000 {
				return c, fmt.Errorf("%s: want a whole number from 0 (no cap) to 1000000, got %q", v.env, s)
			}
			*v.n = n
		}
	}
	if s := getenv("ARCADE_TRUSTED_PROXIES"); s != "" {
		tp, err := httpapi.ParseTrustedProxies(s)
		if err != nil {
			return c, fmt.Errorf("ARCADE_TRUSTED_PROXIES: %w", err)
		}
		c.TrustedProxies = tp
	}
	if s := getenv("ARCADE_HTTP_READ_TIMEOUT"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f <= 0 || f > 3600 {
			return c, fmt.Errorf("ARCADE_HTTP_READ_TIMEOUT: want seconds above 0 and at most 3600, got %q", s)
		}
		c.ReadTimeout = time.Duration(f * float64(time.Second))
	}
	if s := getenv("ARCADE_AUDIT_SECONDS"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f > 86400 {
			return c, fmt.Errorf("ARCADE_AUDIT_SECONDS: want seconds from 0 (on demand only) to 86400, got %q", s)
		}
		c.AuditEvery = time.Duration(f * float64(time.Second))
	}
	if s := getenv("ARCADE_RUN_CHUNK_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > credits.MaxRunRounds {
			return c, fmt.Errorf("ARCADE_RUN_CHUNK_ROUNDS: want rounds from 1 to %d, got %q", credits.MaxRunRounds, s)
		}
		c.RunChunk = n
	}
	if s := getenv("ARCADE_RUN_RESUME_SECONDS"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f > 86400 {
			return c, fmt.Errorf("ARCADE_RUN_RESUME_SECONDS: want seconds from 0 (never) to 86400, got %q", s)
		}
		c.RunResumeEvery = time.Duration(f * float64(time.Second))
	}
	if s := getenv("ARCADE_WITHDRAW_RESOLVE_SECONDS"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f > 86400 {
			return c, fmt.Errorf("ARCADE_WITHDRAW_RESOLVE_SECONDS: want seconds from 0 (never) to 86400, got %q", s)
		}
		c.WithdrawResolveEvery = time.Duration(f * float64(time.Second))
	}
	if s := getenv("ARCADE_PAYOUT_BUMP_SECONDS"); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f > 86400 {
			return c, fmt.Errorf("ARCADE_PAYOUT_BUMP_SECONDS: want seconds from 0 (never) to 86400, got %q", s)
		}
		c.PayoutBumpAfter = time.Duration(f * float64(time.Second))
	}
	if s := getenv("ARCADE_PAYOUT_MAX_FEE_GWEI"); s != "" {
		wei, ok := new(big.Rat).SetString(s)
		if ok {
			wei.Mul(wei, big.NewRat(1e9, 1))
		}
		if !ok || !wei.IsInt() || wei.Sign() <= 0 || wei.Num().BitLen() > 128 {
			return c, fmt.Errorf("ARCADE_PAYOUT_MAX_FEE_GWEI: want a positive number of gwei (at most 9 decimals), got %q", s)
		}
		c.PayoutMaxFee = new(big.Int).Set(wei.Num())
	}
	switch getenv("ARCADE_BENCHMARK_UNSAFE_DURABILITY") {
	case "", "0", "false":
	case "1", "true":
		c.UnsafeDurability = true
	default:
		return c, fmt.Errorf("ARCADE_BENCHMARK_UNSAFE_DURABILITY: want 0 or 1")
	}
	switch getenv("ARCADE_DIRECT_COMMIT") {
	case "", "0", "false":
	case "1", "true":
		c.Direct = true
	default:
		return c, fmt.Errorf("ARCADE_DIRECT_COMMIT: want 0 or 1")
	}
	return c, nil
}

// App is a running Arcade.
type App struct {
	Cfg Config
	// creditsSvc resumes strategy runs left unfinished between chunks.
	creditsSvc *credits.Service
	DB         *store.DB
	Log        *slog.Logger
	Router     *httpapi.Router
	Metrics    *httpapi.Metrics
	Registry   *ops.Registry
	Credits    *credits.Ops
	V1         *bets.Ops
	v1api      *v1api.API
	Bets       *bets.Service
	Personas   *personasvc.Ops
	// Poker holds the tables' operations (join, act, state, ...: /poker/ws and the REST play
	// routes), PokerAPI spec 002's account operations; both are in Registry.
	Poker        *table.Ops
	PokerService *table.Service
	PokerAPI     *agents.Ops
	Tools        *tools.Set
	Auditor      *ledger.Auditor    // the scheduled full ledger audit behind /health
	Batches      *ledger.BatchCheck // the incremental invariant, checked by every write transaction
	draining     atomic.Bool
	// drainWait waits out DrainDelay in Serve (nil: time.Sleep); a test ends it on a condition.
	drainWait func(time.Duration)
	evm       evm.Client   // the configured EVM network's client (nil on the sandbox)
	payout    chain.Payout // the house's payouts (casino withdrawals, poker withdrawals)
	// Withdrawals reconciles the casino's and the poker surface's withdrawals with the chain
	// (nil on the sandbox, or without a house wallet).
	Withdrawals *chain.Reconciler
	started     time.Time
}

// Deps are the injectable sources of time and entropy.
type Deps struct {
	Now  func() time.Time
	Rand io.Reader
	// EVM, when set, is the chain client instead of dialling ARCADE_EVM_RPC_URL (tests: the
	// simulated backend).
	EVM evm.Client
}

// New opens the store (running migrations) and builds every surface.
func New(ctx context.Context, cfg Config, log *slog.Logger, deps Deps) (*App, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Rand == nil {
		deps.Rand = rand.Reader
	}
	// Every write transaction checks its own ledger changes before it commits (the incremental
	// invariant); the full audit runs on a schedule.
	batches := &ledger.BatchCheck{Log: log, Now: deps.Now}
	db, err := store.Open(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Direct: cfg.Direct, Committers: cfg.Committers,
		WriteTimeout: cfg.WriteTimeout, BatchTimeout: cfg.BatchTimeout, Benchmark: cfg.UnsafeDurability,
		Log: log, RequestID: httpapi.RequestID, Now: deps.Now, Rand: deps.Rand, DoubleRun: cfg.DoubleRun, BeforeCommit: batches.Check})
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, DB: db, Log: log, Metrics: httpapi.NewMetrics(), started: deps.Now(), Batches: batches}
	a.Router = httpapi.NewRouter(log, a.Metrics)
	a.Router.SetHeavyLimit(cfg.HeavyConcurrency)
	registerStoreMetrics(a.Metrics.Registry, db)
	accounts := &account.Service{DB: db, Now: deps.Now, Rand: deps.Rand}
	a.Auditor = &ledger.Auditor{DB: db, Every: cfg.AuditEvery, Now: deps.Now, Log: log}
	health := &httpapi.Health{Version: cfg.Version, Started: a.started, DB: healthProbe{db}, Audit: a.Auditor, Batches: batches, Draining: &a.draining, Now: deps.Now,
		Withdrawals: true, Game: func() httpapi.GameStats {
			st := a.PokerService.Stats()
			return httpapi.GameStats{ActiveTables: st.ActiveTables, ActiveConnections: st.ActiveConnections, LobbyQueue: st.LobbyQueue}
		}}
	health.Register(a.Router, a.Metrics)

	// The operation registry: each domain declares its operations once; every binding below is
	// derived from it.
	a.Registry = ops.NewRegistry()
	perKey := ratelimit.New(cfg.RateLimit)
	gate := &ops.Gate{Accounts: accounts, PerKey: perKey, Now: deps.Now}
	creditsSvc := &credits.Service{DB: db, Accounts: accounts, Seeds: seeds.Engine{Rand: deps.Rand}, Now: deps.Now, Rand: deps.Rand,
		Log: log, SignUps: ratelimit.New(cfg.SignUpLimit), Feed: &feed.Bus[credits.Event]{}, RunChunk: cfg.RunChunk}
	a.creditsSvc = creditsSvc
	a.Credits = creditsSvc.Declare(a.Registry, cardpay.New(cfg.Stripe, db, deps.Now, log), func() credits.Limits { return limits(cfg) })

	personaSvc := &personasvc.Service{DB: db, Accounts: accounts, Now: deps.Now, Rand: deps.Rand, BaseURL: cfg.BaseURL,
		LLM: cfg.LLM}
	if _, err := personaSvc.Examples(); err != nil {
		_ = db.Close()
		return nil, err
	}
	a.Personas = personaSvc.Declare(a.Registry)

	pokerCfg := cfg.Poker
	if pokerCfg == (table.Config{}) {
		pokerCfg = table.DefaultConfig()
	}
	a.PokerService = &table.Service{DB: db, Accounts: accounts, Seeds: seeds.Engine{Rand: deps.Rand}, Now: deps.Now, Rand: deps.Rand,
		Log: log, Cfg: pokerCfg}
	// Stacks left in play by a killed process go back to their balances: on SQLite all of them at
	// start (one instance owns the database); on PostgreSQL those of instances whose table lease
	// expired, at start and then on Serve's timer (table/lease.go).
	if err := a.PokerService.Start(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	a.Poker = a.PokerService.Declare(a.Registry)
	(&pokerws.Server{Ops: a.Poker, Gate: gate, Log: log}).Register(a.Router)
	// The sandbox network's deposits and payouts by default; on an EVM network pokerChain (after
	// registerV1, which connects to it) swaps in the chain's.
	pokerAgents := &agents.Service{DB: db, Accounts: accounts, Tables: a.PokerService, Chain: agents.Sandbox{}, Now: deps.Now, Rand: deps.Rand,
		SignUps: creditsSvc.SignUps}
	a.PokerAPI = pokerAgents.Declare(a.Registry)
	(&pokerapi.API{Ops: a.PokerAPI, Play: a.Poker, Gate: gate, Log: log}).Register(a.Router)

	a.Tools = tools.Credits(a.Credits, log).Merge(tools.Personas(a.Personas)).Merge(tools.Poker(a.Poker, a.PokerAPI))
	api := &creditsapi.API{Ops: a.Credits, Gate: gate, Now: deps.Now, Log: log, BaseURL: cfg.BaseURL}
	api.Register(a.Router)
	(&personaapi.API{Ops: a.Personas, Gate: gate, Log: log}).Register(a.Router)
	(&playpage.Page{Ops: a.Personas, Gate: gate, Log: log}).Register(a.Router)
	api.RegisterTools(a.Router, a.Tools, cfg.RateLimit.Off())
	a.registerMCP(gate)
	if err := a.registerV1(accounts, gate, deps); err != nil {
		_ = db.Close()
		return nil, err
	}
	a.pokerChain(pokerAgents)
	if t, ok := a.payout.(chain.Tracker); ok {
		a.Withdrawals = &chain.Reconciler{Tracker: t, Log: log, Now: deps.Now, BumpAfter: cfg.PayoutBumpAfter,
			Books: []chain.Book{a.Bets.WithdrawalBook(), pokerAgents.WithdrawalBook()}}
	}
	(&startapi.Site{BaseURL: cfg.BaseURL, Tools: a.Tools.Guide, Limits: func() any {
		l, _ := a.Credits.Limits.Invoke(context.Background(), ops.Caller{}, ops.None{})
		return creditsapi.LimitsOf(l)
	}, X402: func(r *http.Request) any { return a.v1api.PaidResources(r) },
		Skills: []startapi.Skill{{Name: "arcade-x402", Markdown: a.v1api.SkillMarkdown,
			Description: "Play the pay-per-play casino with x402 (USDC): every paid resource with its price, the networks, the fairness flow."}},
	}).Register(a.Router)
	a.registerOpenAPI()
	return a, nil
}

// SandboxPayTo is the casino's receiving address on the sandbox network: keccak256("arcade
// sandbox house")[12:], an address nobody holds a key for.
var SandboxPayTo = common.BytesToAddress(crypto.Keccak256([]byte("arcade sandbox house"))[12:])

// registerV1 declares spec 001's operations and serves /api/v1: the casino's service, the x402
// paywall (local verification, the database's nonce store) and the surface.
func (a *App) registerV1(accounts *account.Service, gate *ops.Gate, deps Deps) error {
	network := a.Cfg.X402Network
	if network.ID == "" {
		network = x402.Sandbox
	}
	payTo := a.payTo()
	settler, payout, err := a.settlement(context.Background(), network, deps)
	if err != nil {
		return err
	}
	// Every paid /api/v1 operation records its payment in its own transaction, whose key refuses
	// a replay: the verifier need not read first (payments.Recorded).
	verifier, err := x402.NewVerifier([]x402.Network{network}, payments.Recorded{}, deps.Now)
	if err != nil {
		return err
	}
	a.payout = payout
	a.Bets = &bets.Service{DB: a.DB, Seeds: seeds.Engine{Rand: deps.Rand}, Now: deps.Now, Rand: deps.Rand, Log: a.Log,
		Networks: []x402.Network{network}, PayTo: payTo.Hex(), Accounts: accounts, Blocked: a.Cfg.SIWEBlocked,
		Settler: settler, Payout: payout,
		Mail: &mail.Outbox{Dir: filepath.Join(a.Cfg.DataDir, "outbox"), Now: deps.Now}}
	if a.Cfg.SMTPURL != "" {
		m, err := mail.ParseURL(a.Cfg.SMTPURL)
		if err != nil {
			return fmt.Errorf("ARCADE_SMTP_URL: %w", err)
		}
		m.Now = deps.Now
		a.Bets.Mail = m
	}
	a.V1 = a.Bets.Declare(a.Registry)
	api := &v1api.API{Ops: a.V1, Gate: gate, Log: a.Log, BaseURL: a.Cfg.BaseURL, Sessions: accounts,
		Paywall: &ops.Paywall{Verifier: verifier, Networks: []x402.Network{network}, PayTo: payTo, Accounts: accounts}}
	api.Register(a.Router)
	a.v1api = api
	return nil
}

// registerMCP serves the tool set over MCP (streamable HTTP) at /mcp.
func (a *App) registerMCP(gate *ops.Gate) {
	srv := mcpapi.New(a.Tools, gate, mcpapi.Options{BaseURL: a.Cfg.BaseURL, Version: a.Cfg.Version, Log: a.Log})
	h := mcpapi.Handler(srv, mcpapi.Limits{NewSessions: a.Cfg.SignUpLimit})
	for _, op := range mcpapi.Routes(h) {
		a.Router.Handle(op)
	}
}

func (a *App) registerOpenAPI() {
	doc := sync.OnceValue(a.OpenAPIJSON) // built on first request: every route is registered by then
	yamlDoc := sync.OnceValue(func() []byte { return openAPIYAML(doc()) })
	a.Router.Handle(httpapi.Op{Method: "GET", Path: "/openapi.json", ID: "openapi", Tag: "meta",
		Summary: "This OpenAPI 3.1 document: every HTTP route Arcade serves.", Resp: map[string]any{},
		Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(doc())
		}})
	a.Router.Handle(httpapi.Op{Method: "GET", Path: "/api/openapi", ID: "openapiAPI", Tag: "meta",
		Summary: "The same OpenAPI 3.1 document, where the real system's agent skill looks for it.", Resp: map[string]any{},
		Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(doc())
		}})
	a.Router.Handle(httpapi.Op{Method: "GET", Path: "/openapi.yaml", ID: "openapiYAML", Tag: "meta",
		Summary: "The same OpenAPI 3.1 document in YAML.", Resp: map[string]any{}, RespType: "application/yaml",
		Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/yaml")
			_, _ = w.Write(yamlDoc())
		}})
}

// openAPIYAML renders the JSON document as YAML (through a generic value, so raw JSON examples
// become YAML too).
func openAPIYAML(doc []byte) []byte {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		panic(fmt.Sprintf("openapi: %v", err))
	}
	out, err := yaml.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("openapi yaml: %v", err))
	}
	return out
}

// OpenAPIJSON renders the OpenAPI document.
func (a *App) OpenAPIJSON() []byte {
	return mustJSON(a.Router.OpenAPI(httpapi.DocInfo{Title: "Arcade", Version: a.Cfg.Version, ServerURL: a.Cfg.BaseURL,
		Examples: creditsapi.Examples(), Guidance: v1api.Guidance,
		Description: "Provably-fair games for AI agents: the credits API (/api), its tools endpoint, MCP at /mcp, x402 games (/api/v1), " +
			"personas, poker (spec 002's REST API under /poker/api and the bot protocol at /poker/ws), health and metrics. " +
			"Authenticate with Authorization: Bearer <API key> from POST /api/auth/guest. Start at GET / or /agent-skill.md."}))
}

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.Cfg.TrustedProxies.Wrap(a.Router) }

// Serve answers on ln until ctx is cancelled, then drains: /health/ready turns 503 at once, the
// listener stays open for DrainDelay so load balancers notice, then in-flight requests finish
// (up to 30 s), and the store's committer answers every queued write before the database closes.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	// Every phase of a connection has a deadline, so a client that stops sending (a body that
	// never finishes, the slowloris pattern) holds its connection for ReadTimeout at most; the
	// write timeout leaves room for a long strategy run. Connections past the caps are refused
	// at accept.
	readTimeout := a.Cfg.ReadTimeout
	if readTimeout <= 0 {
		readTimeout = 15 * time.Second
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: min(10*time.Second, readTimeout), ReadTimeout: readTimeout,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 64 << 10}
	conns := a.Cfg.Conns
	if conns.Total < 0 {
		conns.Total = fdBudget()
	}
	ln = httpapi.LimitListener(ln, conns)
	actx, stopAudit := context.WithCancel(ctx)
	defer stopAudit()
	go a.Auditor.Run(actx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	bctx, stop := context.WithCancel(ctx)
	defer stop()
	go a.Bets.ResolveEvery(bctx, time.Minute)               // bets whose settlement's outcome was unknown
	go a.creditsSvc.ResumeEvery(bctx, a.Cfg.RunResumeEvery) // strategy runs whose process died between chunks
	go a.PokerService.KeepLeases(bctx)                      // renew this instance's table lease, recover expired ones
	if a.Withdrawals != nil && a.Cfg.WithdrawResolveEvery > 0 {
		go a.Withdrawals.Every(bctx, a.Cfg.WithdrawResolveEvery) // withdrawals whose payout's outcome was unknown
	}
	if a.Cfg.V1SeedRotation > 0 {
		go a.Bets.RotateEvery(bctx, a.Cfg.V1SeedRotation)
	}
	select {
	case err := <-errc:
		_ = a.DB.Close()
		return err
	case <-ctx.Done():
	}
	a.draining.Store(true)
	a.Log.Info("draining", "delay", a.Cfg.DrainDelay.String())
	if a.drainWait != nil {
		a.drainWait(a.Cfg.DrainDelay)
	} else {
		time.Sleep(a.Cfg.DrainDelay)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	a.PokerService.Close(sctx)
	if cerr := a.DB.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	a.Log.Info("stopped")
	return err
}

// limits are the limits this configuration enforces, as published to agents.
func limits(cfg Config) credits.Limits {
	return credits.Limits{MinBet: credits.MinAmount, MaxBet: credits.MaxAmount, MinWithdrawal: credits.MinWithdrawal,
		FaucetAmount: credits.FaucetAmount, FaucetCooldown: credits.FaucetCooldown, MaxRunRounds: credits.MaxRunRounds,
		MaxSimRounds: credits.MaxSimRounds, MaxSimSessions: credits.MaxSimSessions,
		PerKeyPerSecond: max(cfg.RateLimit.PerSecond, 0), PerKeyBurst: cfg.RateLimit.Burst,
		SignUpsPerMinute: max(cfg.SignUpLimit.PerSecond*60, 0), ToolCallsPerMinute: 10, AgentCallsPerMinute: 60}
}

// healthProbe adapts the store to the health probes.
type healthProbe struct{ db *store.DB }

func (p healthProbe) Ping(ctx context.Context) error { return p.db.Ping(ctx) }
func (p healthProbe) EngineName() string             { return string(p.db.Engine()) }

// fdBudget is the default cap on open connections: three quarters of the file descriptor limit,
// leaving the rest to the database, the WAL and the listener.
func fdBudget() int {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil || l.Cur == 0 || l.Cur > 1<<20 {
		return 4096
	}
	return max(64, int(l.Cur)*3/4)
}

// registerStoreMetrics publishes the write path's counters: writes ÷ batches is the group
// commit's average batch, and the WAL figures show what durability costs on SQLite.
func registerStoreMetrics(reg *prometheus.Registry, db *store.DB) {
	counter := func(name, help string, f func(store.Stats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return f(db.Stats()) })
	}
	reg.MustRegister(
		counter("arcade_store_write_batches_total", "Group-commit transactions run (a lone write is a batch of one).",
			func(s store.Stats) float64 { return float64(s.Batches) }),
		counter("arcade_store_writes_total", "Writes carried by group-commit transactions.",
			func(s store.Stats) float64 { return float64(s.BatchedWrites) }),
		counter("arcade_store_wal_fsyncs_total", "Fsyncs of the SQLite WAL (0 on PostgreSQL).",
			func(s store.Stats) float64 { return float64(s.WALSyncs) }),
		counter("arcade_store_wal_fsync_seconds_total", "Time spent in fsyncs of the SQLite WAL.",
			func(s store.Stats) float64 { return s.WALSyncSecs }),
		counter("arcade_store_checkpoints_total", "Background checkpoints of the SQLite WAL.",
			func(s store.Stats) float64 { return float64(s.Checkpoints) }),
		counter("arcade_store_write_panics_total", "Writes whose function panicked (recovered on the committer; each failed alone).",
			func(s store.Stats) float64 { return float64(s.Panics) }),
		counter("arcade_store_write_timeouts_total", "Writes that failed at their deadline (ARCADE_DB_WRITE_TIMEOUT) with STORE_TIMEOUT.",
			func(s store.Stats) float64 { return float64(s.Timeouts) }),
	)
}
