// Package app wires Arcade together: configuration, the store, the domain services and every
// HTTP surface on one router, plus graceful shutdown. It is the only place that knows them all.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/cardpay"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/httpapi/creditsapi"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/prometheus/client_golang/prometheus"
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
	// Flood protection (see httpapi.LimitListener, Op.Heavy): ARCADE_MAX_CONNS (default -1:
	// three quarters of the process's file descriptor limit, so the server refuses connections
	// before it runs out of descriptors) and ARCADE_MAX_CONNS_PER_CLIENT (default 256; 0 behind a load balancer) cap open
	// connections; ARCADE_HEAVY_CONCURRENCY (default GOMAXPROCS) bounds simulations and strategy
	// runs in flight; ARCADE_HTTP_READ_TIMEOUT (seconds, default 15) bounds reading one request,
	// body included.
	Conns            httpapi.ConnLimits
	HeavyConcurrency int
	ReadTimeout      time.Duration
	Stripe           cardpay.Config
	RateLimit        ratelimit.Limit // ARCADE_RATE_LIMIT: requests/s per API key (burst 2×); 0 turns it off
	SignUpLimit      ratelimit.Limit // ARCADE_SIGNUP_RATE: sign-ups per minute per client address (burst 200); 0 turns it off
	Version          string
}

// Default rate limits: generous for an agent playing as fast as it can, tight enough to stop a
// runaway loop. Published in GET /api/discovery (platform.rateLimits).
var (
	DefaultRateLimit   = ratelimit.Limit{PerSecond: 100, Burst: 200}
	DefaultSignUpLimit = ratelimit.Limit{PerSecond: 1, Burst: 200}
)

// ConfigFromEnv reads the environment through getenv (os.Getenv in main; a map in tests).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{Addr: ":8080", DataDir: "arcade-data", DrainDelay: 2 * time.Second, AuditEvery: time.Minute,
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
	if v := getenv("ARCADE_ADDR"); v != "" {
		c.Addr = v
	}
	if v := getenv("ARCADE_DATA_DIR"); v != "" {
		c.DataDir = v
	}
	c.DatabaseURL = getenv("ARCADE_DATABASE_URL")
	c.BaseURL = getenv("ARCADE_BASE_URL")
	c.Stripe = cardpay.Config{SecretKey: getenv("ARCADE_STRIPE_SECRET_KEY"), WebhookSecret: getenv("ARCADE_STRIPE_WEBHOOK_SECRET"),
		APIBase: getenv("ARCADE_STRIPE_API_BASE"), BaseURL: c.BaseURL}
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
	Cfg      Config
	DB       *store.DB
	Log      *slog.Logger
	Router   *httpapi.Router
	Metrics  *httpapi.Metrics
	Auditor  *ledger.Auditor // the scheduled full ledger audit behind /health
	draining atomic.Bool
	started  time.Time
}

// Deps are the injectable sources of time and entropy.
type Deps struct {
	Now  func() time.Time
	Rand io.Reader
}

// New opens the store (running migrations) and builds every surface.
func New(ctx context.Context, cfg Config, log *slog.Logger, deps Deps) (*App, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Rand == nil {
		deps.Rand = rand.Reader
	}
	db, err := store.Open(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Direct: cfg.Direct, Committers: cfg.Committers,
		WriteTimeout: cfg.WriteTimeout, BatchTimeout: cfg.BatchTimeout, Benchmark: cfg.UnsafeDurability,
		Log: log, RequestID: httpapi.RequestID, Now: deps.Now, Rand: deps.Rand, DoubleRun: cfg.DoubleRun})
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, DB: db, Log: log, Metrics: httpapi.NewMetrics(), started: deps.Now()}
	a.Router = httpapi.NewRouter(log, a.Metrics)
	a.Router.SetHeavyLimit(cfg.HeavyConcurrency)
	registerStoreMetrics(a.Metrics.Registry, db)
	accounts := &account.Service{DB: db, Now: deps.Now, Rand: deps.Rand}
	a.Auditor = &ledger.Auditor{DB: db, Every: cfg.AuditEvery, Now: deps.Now, Log: log}
	health := &httpapi.Health{Version: cfg.Version, Started: a.started, DB: db, Audit: a.Auditor, Draining: &a.draining, Now: deps.Now}
	health.Register(a.Router, a.Metrics)
	(&creditsapi.API{DB: db, Accounts: accounts, Seeds: seeds.Engine{Rand: deps.Rand},
		Card:   cardpay.New(cfg.Stripe, db, deps.Now, log),
		PerKey: ratelimit.New(cfg.RateLimit), SignUp: ratelimit.New(cfg.SignUpLimit), Now: deps.Now, Rand: deps.Rand, Log: log}).Register(a.Router)
	a.registerOpenAPI()
	return a, nil
}

func (a *App) registerOpenAPI() {
	doc := sync.OnceValue(a.OpenAPIJSON) // built on first request: every route is registered by then
	a.Router.Handle(httpapi.Op{Method: "GET", Path: "/openapi.json", ID: "openapi", Tag: "meta",
		Summary: "This OpenAPI 3.1 document: every HTTP route Arcade serves.", Resp: map[string]any{},
		Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(doc())
		}})
}

// OpenAPIJSON renders the OpenAPI document.
func (a *App) OpenAPIJSON() []byte {
	return mustJSON(a.Router.OpenAPI(httpapi.DocInfo{Title: "Arcade", Version: a.Cfg.Version,
		Description: "Provably-fair games for AI agents: the credits API (/api), health and metrics. " +
			"Authenticate with Authorization: Bearer <API key> from POST /api/auth/guest."}))
}

// Handler is the whole HTTP surface.
func (a *App) Handler() http.Handler { return a.Router }

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
	select {
	case err := <-errc:
		_ = a.DB.Close()
		return err
	case <-ctx.Done():
	}
	a.draining.Store(true)
	a.Log.Info("draining", "delay", a.Cfg.DrainDelay.String())
	time.Sleep(a.Cfg.DrainDelay)
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if cerr := a.DB.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	a.Log.Info("stopped")
	return err
}

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
