package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/client"
	"github.com/arcadehq/arcade/internal/errs"
)

// Bounds of a run.
const (
	MaxAgents  = 4096
	MaxWorkers = 8192
	MaxRate    = 200_000
	// FaucetCredits is what one faucet claim grants (spec 000: 100 Free Credits); an agent's stake
	// cannot be more, or no round could ever be played.
	FaucetCredits = 100
	// KeyShare is the requests per second an open-loop run sends with one API key at most: half
	// the server's default per-key limit (100/s), so that the limit is never what is measured.
	KeyShare = 50
	// maxConsecutiveFailures gives a closed-loop agent up after this many failed requests in a row.
	maxConsecutiveFailures = 100
	// latencyPrealloc is each agent's latency slice capacity in a timed run.
	latencyPrealloc = 8192
	// lateAfter is how late a scheduled send may leave before it counts as late.
	lateAfter = time.Millisecond
)

// Config describes a run. Field names in validation errors are the flag names of arcade bench
// without their dashes ("base-url", "agents", ...).
type Config struct {
	BaseURL string // http://127.0.0.1:8080
	// Agents is the number of accounts (API keys). Closed loop: that many concurrent agents,
	// 1–MaxAgents. Open loop: the keys the load is spread over; 0 picks ceil(Rate/KeyShare).
	Agents int
	// Rate, if positive, runs open loop: Rate requests a second on a fixed timetable, whatever
	// the answers. 0 runs closed loop (each agent sends when its last answer came).
	Rate float64
	// Workers bounds the requests in flight in open loop; 0 picks enough for 250 ms of latency.
	Workers          int
	Profile          string        // the kind of request: see Profiles; "" is "dice"
	Duration         time.Duration // stop after this long (0: only Rounds bounds the run)
	Rounds           int64         // stop after this many requests in total (0: only Duration bounds the run)
	Amount           int64         // stake in whole credits, 1–FaucetCredits
	Target           string        // 0–99.99, at most two decimals
	Condition        string        // "over" or "under"
	BaselineDuration time.Duration // how long to measure GET /health/live; 0 skips it
	AllowRemote      bool          // permit a base URL whose host is not loopback
	// Notes, if not nil, receives one line per phase ("playing for 10s with 64 agents").
	Notes io.Writer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Client overrides the HTTP client (tests); nil builds one sized for the concurrency.
	Client *http.Client
}

// ErrUnreachable reports that the server did not answer GET /health/live.
var ErrUnreachable = errors.New("server unreachable")

// Open reports whether c runs open loop.
func (c *Config) Open() bool { return c.Rate > 0 }

// Validate checks c and returns the parsed base URL.
func (c *Config) Validate() (*url.URL, error) {
	u, err := url.Parse(c.BaseURL)
	minAgents := 1
	if c.Open() {
		minAgents = 0
	}
	switch {
	case c.BaseURL == "":
		return nil, errs.Missing("base-url")
	case err != nil:
		return nil, errs.Invalid("base-url", "is not a URL: %v", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errs.Invalid("base-url", "want http:// or https://, got %q", c.BaseURL)
	case u.Host == "" || u.Hostname() == "":
		return nil, errs.Invalid("base-url", "has no host: %q", c.BaseURL)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, errs.Invalid("base-url", "must be a plain scheme://host[:port][/path] URL")
	case !c.AllowRemote && !IsLoopback(u.Hostname()):
		return nil, errs.Invalid("base-url", "host %q is not a loopback address; bench is for measuring a local server (pass --allow-remote to override)", u.Hostname())
	case c.Agents < minAgents || c.Agents > MaxAgents:
		return nil, errs.Invalid("agents", "must be from %d to %d", max(minAgents, 1), MaxAgents)
	case c.Rate < 0 || c.Rate > MaxRate || math.IsNaN(c.Rate):
		return nil, errs.Invalid("rate", "must be from 0 (closed loop) to %d requests a second", MaxRate)
	case c.Workers < 0 || c.Workers > MaxWorkers:
		return nil, errs.Invalid("workers", "must be from 0 (automatic) to %d", MaxWorkers)
	case c.Workers > 0 && !c.Open():
		return nil, errs.Invalid("workers", "applies to the open loop only (give --rate)")
	case c.Duration < 0:
		return nil, errs.Invalid("duration", "must not be negative")
	case c.Rounds < 0:
		return nil, errs.Invalid("rounds", "must not be negative")
	case c.Duration == 0 && c.Rounds == 0:
		return nil, errs.Invalid("duration", "give a duration or a number of rounds to bound the run")
	case c.Amount < 1 || c.Amount > FaucetCredits:
		return nil, errs.Invalid("amount", "must be a whole number of credits from 1 to %d (an agent starts with the faucet's %d)", FaucetCredits, FaucetCredits)
	case c.Condition != "over" && c.Condition != "under":
		return nil, errs.Invalid("condition", `must be "over" or "under"`)
	case c.BaselineDuration < 0:
		return nil, errs.Invalid("baseline-duration", "must not be negative")
	}
	if _, ok := profiles[c.profile()]; !ok {
		return nil, errs.Invalid("profile", "unknown profile %q; known: %s", c.Profile, strings.Join(ProfileNames(), ", "))
	}
	t, err := fairness.ParseCreditDiceTarget(c.Target)
	if err != nil {
		return nil, errs.Invalid("target", "must be a number from 0 to 99.99 with at most two decimals")
	}
	if t == 0 && c.Condition == "under" {
		return nil, errs.Invalid("target", "under 0 can never win; use a target of at least 0.01")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	return u, nil
}

func (c *Config) profile() string {
	if c.Profile == "" {
		return "dice"
	}
	return c.Profile
}

// keys is the number of accounts the run signs up at the start.
func (c *Config) keys() int {
	if c.Agents > 0 {
		return c.Agents
	}
	return min(MaxAgents, max(1, int(math.Ceil(c.Rate/KeyShare))))
}

// DefaultMaxWorkers bounds the automatic number of workers: each holds a connection, and the
// server answers 503 past ARCADE_MAX_CONNS_PER_CLIENT (default 256) connections from one address.
const DefaultMaxWorkers = 200

// workers is the open loop's bound on requests in flight.
func (c *Config) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return min(DefaultMaxWorkers, max(64, int(math.Ceil(c.Rate/4))))
}

// IsLoopback reports whether host (a name or an IP address, without port) is local to this
// machine: "localhost" or a loopback address. Names are not resolved.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Agent is one account of a run. Its client (and so its API key) changes when it runs out of
// credits and signs up afresh.
type Agent struct {
	ID int
	c  atomic.Pointer[client.Client]
	// refilling is set while an open-loop agent signs up afresh in the background.
	refilling atomic.Bool
}

// Client returns the agent's current client.
func (a *Agent) Client() *client.Client { return a.c.Load() }

// Profile issues one operation for an agent: one request of the kind of load it stands for.
// It returns nil on success; a *client.Error with code INSUFFICIENT_BALANCE makes the agent
// sign up afresh, and any other error is counted by kind.
type Profile func(ctx context.Context, a *Agent) error

// profiles builds each known profile from the run's configuration. Later profiles (mcp, poker)
// are added here.
var profiles = map[string]func(c Config) Profile{
	"dice": func(c Config) Profile {
		// The body is encoded once and the answers are not decoded (Do with no result): the
		// load generator shares the machine with the server, so it spends as little as it can.
		body, err := client.EncodeDiceBet(client.DiceBet{Amount: client.Credits(c.Amount), Target: json.Number(c.Target), Condition: c.Condition})
		return func(ctx context.Context, a *Agent) error {
			if err != nil {
				return err // Validate has checked the target, so this does not happen
			}
			return a.Client().Do(ctx, http.MethodPost, client.DicePath, body, "", nil)
		}
	},
	// tools: the same dice round through the tools endpoint (POST /api/openclaw/tools). Its
	// per-tool limits (10 a minute per caller) are off only when the server's per-key limit is
	// off (ARCADE_RATE_LIMIT=0); otherwise the run reports 429s and is invalid.
	"tools": func(c Config) Profile {
		body, err := json.Marshal(map[string]any{"tool": "xpersona_place_dice_round",
			"parameters": map[string]any{"amount": json.Number(strconv.FormatInt(c.Amount, 10)), "target": json.Number(c.Target), "condition": c.Condition}})
		return func(ctx context.Context, a *Agent) error {
			if err != nil {
				return err
			}
			return a.Client().Do(ctx, http.MethodPost, "/api/openclaw/tools", json.RawMessage(body), "", nil)
		}
	},
	// persona: rule-based persona turns through the SDK's message route (see personaProfile).
	"persona": personaProfile,
}

// ProfileNames lists the known profiles.
func ProfileNames() []string {
	names := make([]string, 0, len(profiles))
	for n := range profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// live is the baseline: GET /health/live, a route that does no work.
func live(ctx context.Context, a *Agent) error { return a.Client().Live(ctx) }

// Report is the result of a run.
type Report struct {
	Mode     string  `json:"mode"` // "closed" or "open"
	Profile  string  `json:"profile"`
	BaseURL  string  `json:"baseUrl"`
	Agents   int     `json:"agents"`            // accounts (API keys) at the start
	Rate     float64 `json:"rate,omitempty"`    // open loop: the scheduled requests a second
	Workers  int     `json:"workers,omitempty"` // open loop: the bound on requests in flight
	Bet      Bet     `json:"bet"`
	Play     Phase   `json:"rounds"`         // the profile's requests (dice: rounds)
	Live     *Phase  `json:"live,omitempty"` // GET /health/live at the same concurrency or rate
	Ratio    float64 `json:"ratio"`          // closed loop: rounds/s ÷ live/s; 0 without a baseline
	P99Ratio float64 `json:"p99Ratio"`       // rounds p99 ÷ live p99; 0 without a baseline
	SignUps  int64   `json:"signUps"`        // guest sign-ups, the first ones included
	Refills  int64   `json:"refills"`        // sign-ups of agents that had run out of credits
	GaveUp   int     `json:"agentsGaveUp"`   // closed-loop agents stopped by consecutive failures
	Setup    Errors  `json:"setupErrors"`    // failed sign-ups and faucet claims
	// RateLimit is the server's per-key limit as it publishes it; RateLimited counts the 429
	// answers of the measured phases. A run with any is not valid: the limit, not the server's
	// capacity, shaped it.
	RateLimit   RateLimit `json:"rateLimit"`
	RateLimited int64     `json:"rateLimited"`
	Valid       bool      `json:"valid"`
	Invalid     []string  `json:"invalidReasons,omitempty"`
	Ledger      Ledger    `json:"ledger"`
	Duration    string    `json:"duration,omitempty"`
	Rounds      int64     `json:"roundBudget,omitempty"`
}

// RateLimit is the per-key limit the server publishes in GET /api/discovery.
type RateLimit struct {
	Known     bool    `json:"known"` // false when the server did not say
	Off       bool    `json:"off"`
	PerSecond float64 `json:"perSecond,omitempty"`
	Burst     int     `json:"burst,omitempty"`
	// PerKey is the most requests a second the run sends with one key (open loop); 0 in
	// closed loop, where it is not known in advance.
	PerKey float64 `json:"perKeyScheduled,omitempty"`
}

// Bet is what every agent plays.
type Bet struct {
	Amount    int64  `json:"amount"`
	Target    string `json:"target"`
	Condition string `json:"condition"`
}

// Phase measures one kind of request.
type Phase struct {
	Requests  int64   `json:"requests"` // answered successfully (for dice: rounds played)
	Scheduled int64   `json:"scheduled,omitempty"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"perSecond"` // successful answers a second: the achieved rate
	Latency   Latency `json:"latencyMs"`
	Errors    Errors  `json:"errors"`
	// CPUPressure is the share of the phase's wall time during which some task on the machine
	// waited for a CPU (Linux pressure-stall information; -1 when unknown). The bench and the
	// server count too: a closed loop saturating both cores shows a high share by itself, but
	// an open loop well below capacity stays low on a quiet machine, and near 1 when other work
	// competes with the server.
	CPUPressure float64 `json:"cpuPressure"`
	// Open loop: how late the sends left against their timetable (the load generator's own
	// lag; latency is measured from the intended time, so it includes it).
	MaxSendLag float64 `json:"maxSendLagMs,omitempty"`
	LateSends  int64   `json:"lateSends,omitempty"` // sends that left more than 1 ms late
}

// Latency summarises the latencies of a phase's successful requests, in milliseconds. The
// percentiles are exact (nearest rank over every recorded latency). In open loop a latency runs
// from the send's intended time on the timetable, not from when it actually left, so that a
// stalled server or client cannot hide the requests it delayed (no coordinated omission).
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99.9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Errors counts failed requests by kind: "<status> <code>" for an answer ("500 INTERNAL_ERROR",
// "429 RATE_LIMITED"), "transport" when no answer came back.
type Errors struct {
	Total  int64            `json:"total"`
	ByKind map[string]int64 `json:"byKind"`
}

// Ledger is the server's ledger invariant as /health reported it after the run.
type Ledger struct {
	InvariantHolds bool      `json:"invariantHolds"`
	CheckedAt      time.Time `json:"checkedAt"`
	CreditSum      int64     `json:"creditSumMicro"`   // sum over CREDIT ledger accounts; 0 when it holds
	CreditDrift    int64     `json:"creditDriftMicro"` // stored balances minus transfers; 0 when it holds
	Error          string    `json:"error,omitempty"`  // why it could not be read
}

// Run runs the benchmark described by c: setup, the profile's phase (closed or open loop), the
// /health/live baseline the same way, and the ledger check. It returns ErrUnreachable (wrapped)
// when the server does not answer, and a validation error (errs.Validation) for a bad Config. A
// run whose requests partly failed still returns a Report and no error; a Report that is not
// Valid or whose Ledger.InvariantHolds is false is the caller's to judge.
func Run(ctx context.Context, c Config) (*Report, error) {
	base, err := c.Validate()
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: c, now: c.Now, setupErr: map[string]int64{}}
	if r.now == nil {
		r.now = time.Now
	}
	hc := c.Client
	if hc == nil {
		conns := c.keys() + 16
		if c.Open() {
			conns = c.workers() + 16
		}
		hc = client.NewHTTPClient(conns)
		defer hc.CloseIdleConnections()
	}
	if r.base, err = client.New(client.WithBaseURL(base.String()), client.WithHTTPClient(hc), client.WithUserAgent("arcade-bench")); err != nil {
		return nil, err
	}
	rep := &Report{Mode: "closed", Profile: c.profile(), BaseURL: r.base.BaseURL(), Agents: c.keys(),
		Bet: Bet{Amount: c.Amount, Target: c.Target, Condition: c.Condition}, Rounds: c.Rounds, Setup: Errors{ByKind: map[string]int64{}}}
	if c.Open() {
		rep.Mode, rep.Rate, rep.Workers = "open", c.Rate, c.workers()
		rep.RateLimit.PerKey = c.Rate / float64(rep.Agents)
	}
	if c.Duration > 0 {
		rep.Duration = c.Duration.String()
	}

	if err := r.base.Live(ctx); err != nil {
		return nil, fmt.Errorf("%w: GET %s/health/live: %v", ErrUnreachable, r.base.BaseURL(), err)
	}
	if rl, err := r.base.RateLimits(ctx); err == nil {
		rep.RateLimit.Known, rep.RateLimit.Off = true, rl.PerAPIKey.Off
		rep.RateLimit.PerSecond, rep.RateLimit.Burst = rl.PerAPIKey.PerSecond, rl.PerAPIKey.Burst
		if !rl.PerAPIKey.Off && c.Open() && rep.RateLimit.PerKey > rl.PerAPIKey.PerSecond {
			r.note("warning: %.1f requests/s per key exceeds the server's limit of %g/s per key; give more --agents", rep.RateLimit.PerKey, rl.PerAPIKey.PerSecond)
		}
	} else if ctx.Err() == nil {
		r.note("the server does not publish its per-key rate limit (%v); 429s will tell", err)
	}

	if err := r.play(ctx, rep, profiles[c.profile()](c)); err != nil {
		return rep, err
	}
	if c.BaselineDuration > 0 {
		keyless := &Agent{}
		keyless.c.Store(r.base)
		var l Phase
		if c.Open() {
			r.note("measuring GET /health/live for %s at %g requests/s", c.BaselineDuration, c.Rate)
			l = r.open(ctx, live, []*Agent{keyless}, c.BaselineDuration, 0)
		} else {
			r.note("measuring GET /health/live for %s with %d agents", c.BaselineDuration, rep.Agents)
			agents := make([]*Agent, rep.Agents)
			for i := range agents {
				agents[i] = keyless
			}
			l = r.closed(ctx, live, agents, c.BaselineDuration, 0)
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.Live = &l
		if l.PerSecond > 0 && !c.Open() {
			rep.Ratio = rep.Play.PerSecond / l.PerSecond
		}
		if l.Latency.P99 > 0 {
			rep.P99Ratio = rep.Play.Latency.P99 / l.Latency.P99
		}
	}
	rep.RateLimited = r.rateLimited.Load()
	if rep.RateLimited > 0 {
		limit := "a limit the server does not publish"
		if rep.RateLimit.Known {
			limit = fmt.Sprintf("%g/s per key, burst %d", rep.RateLimit.PerSecond, rep.RateLimit.Burst)
		}
		rep.Invalid = append(rep.Invalid, fmt.Sprintf("%d answers were 429 RATE_LIMITED: the server's per-key limit (%s) shaped the load; "+
			"give more --agents, or measure a server started with ARCADE_RATE_LIMIT=0", rep.RateLimited, limit))
	}
	rep.Valid = len(rep.Invalid) == 0
	rep.Ledger = r.ledger(ctx)
	return rep, ctx.Err()
}

// runner holds one run's shared state.
type runner struct {
	cfg  Config
	base *client.Client // no key
	now  func() time.Time

	budget      atomic.Int64 // closed loop: requests left to start, when Rounds bounds the run
	signUps     atomic.Int64
	refills     atomic.Int64
	gaveUp      atomic.Int64
	rateLimited atomic.Int64
	mu          sync.Mutex // guards setupErr
	setupErr    map[string]int64
}

func (r *runner) note(format string, args ...any) {
	if r.cfg.Notes != nil {
		fmt.Fprintf(r.cfg.Notes, format+"\n", args...)
	}
}

// recorder is what one goroutine records; nothing is shared while it runs except the atomic
// counters.
type recorder struct {
	sent      int64 // open loop: requests sent
	ok        int64
	latencies []time.Duration
	errors    map[string]int64
	maxLag    time.Duration
	late      int64
}

// outcome is how one operation ended.
type outcome int

const (
	success outcome = iota
	broke           // INSUFFICIENT_BALANCE: the agent signs up afresh
	failed
	cancelled // the run's context ended
)

// record classifies err and records it; d is the latency of a success.
func (r *runner) record(ctx context.Context, rec *recorder, err error, d time.Duration) outcome {
	if err == nil {
		rec.ok++
		rec.latencies = append(rec.latencies, d)
		return success
	}
	if ctx.Err() != nil {
		return cancelled
	}
	kind := "transport"
	if e := client.AsError(err); e != nil {
		if e.Code == "INSUFFICIENT_BALANCE" {
			return broke
		}
		kind = strconv.Itoa(e.Status)
		if e.Code != "" {
			kind += " " + e.Code
		}
		if e.Status == http.StatusTooManyRequests {
			r.rateLimited.Add(1)
		}
	}
	if rec.errors == nil {
		rec.errors = map[string]int64{}
	}
	rec.errors[kind]++
	return failed
}

// play signs up the agents (guest sign-up and the faucet, as real agents do) and runs the
// profile's phase.
func (r *runner) play(ctx context.Context, rep *Report, prof Profile) error {
	n := rep.Agents
	agents := make([]*Agent, n)
	r.note("signing up %d guest agents at %s", n, r.base.BaseURL())
	var wg sync.WaitGroup
	sem := make(chan struct{}, 64)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if c, _ := r.account(ctx); c != nil {
				a := &Agent{ID: i}
				a.c.Store(c)
				agents[i] = a
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	agents = slices.DeleteFunc(agents, func(a *Agent) bool { return a == nil })
	rep.SignUps, rep.Setup = r.signUps.Load(), r.setupErrors()
	if len(agents) == 0 {
		return fmt.Errorf("no agent could sign up and claim the faucet (errors: %s)", rep.Setup)
	}
	if r.cfg.Open() {
		bound := r.cfg.Duration.String()
		if r.cfg.Rounds > 0 {
			bound = fmt.Sprintf("%d requests", r.cfg.Rounds)
		}
		r.note("sending %s at %g/s over %d agents with up to %d in flight (%s)", rep.Profile, r.cfg.Rate, len(agents), rep.Workers, bound)
		rep.Play = r.open(ctx, prof, agents, r.cfg.Duration, r.cfg.Rounds)
	} else {
		if r.cfg.Duration > 0 {
			r.note("playing %s for %s with %d agents", rep.Profile, r.cfg.Duration, len(agents))
		} else {
			r.note("playing %d %s rounds with %d agents", r.cfg.Rounds, rep.Profile, len(agents))
		}
		rep.Play = r.closed(ctx, prof, agents, r.cfg.Duration, r.cfg.Rounds)
	}
	rep.SignUps, rep.Refills, rep.GaveUp = r.signUps.Load(), r.refills.Load(), int(r.gaveUp.Load())
	rep.Setup = r.setupErrors()
	return nil
}

// closed runs one goroutine per agent, each sending its next request when the last is
// answered, until dur passes (0: no time bound) or the budget of rounds (0: none) is spent.
func (r *runner) closed(ctx context.Context, prof Profile, agents []*Agent, dur time.Duration, rounds int64) Phase {
	r.budget.Store(rounds)
	recs := make([]recorder, len(agents))
	start := r.now()
	psi := startPressure(start)
	var deadline time.Time
	if dur > 0 {
		deadline = start.Add(dur)
	}
	var wg sync.WaitGroup
	for i, a := range agents {
		wg.Go(func() { recs[i] = r.agent(ctx, prof, a, deadline, rounds) })
	}
	wg.Wait()
	end := r.now()
	p := phase(recs, end.Sub(start))
	p.CPUPressure = psi.share(end)
	return p
}

// takeRound takes one request from the budget; false when it is spent. Without a budget it
// always succeeds.
func (r *runner) takeRound(budgeted bool) bool {
	if !budgeted {
		return true
	}
	for {
		v := r.budget.Load()
		if v <= 0 {
			return false
		}
		if r.budget.CompareAndSwap(v, v-1) {
			return true
		}
	}
}

// agent sends requests back to back until the deadline passes (zero: none) or the budget is
// spent. A request that finds the balance empty is handed back, and the agent continues as a
// fresh guest.
func (r *runner) agent(ctx context.Context, prof Profile, a *Agent, deadline time.Time, rounds int64) recorder {
	rec := recorder{}
	if rounds > 0 {
		rec.latencies = make([]time.Duration, 0, min(2*rounds/int64(r.cfg.keys())+16, latencyPrealloc))
	} else {
		rec.latencies = make([]time.Duration, 0, latencyPrealloc)
	}
	failures := 0
	for ctx.Err() == nil && (deadline.IsZero() || r.now().Before(deadline)) {
		if !r.takeRound(rounds > 0) {
			break
		}
		t0 := r.now()
		err := prof(ctx, a)
		switch r.record(ctx, &rec, err, r.now().Sub(t0)) {
		case success:
			failures = 0
			continue
		case cancelled:
			return rec
		case broke:
			if rounds > 0 {
				r.budget.Add(1)
			}
			r.refills.Add(1)
			c, _ := r.account(ctx)
			if c == nil {
				if ctx.Err() == nil {
					r.gaveUp.Add(1) // account has retried and counted the failures
				}
				return rec
			}
			a.c.Store(c)
			failures = 0
			continue
		}
		failures++
		if !r.backoff(ctx, failures, deadline) {
			return rec
		}
	}
	return rec
}

// backoff waits a little after failures consecutive failures (1 ms doubling, at most 1 s) so a
// failing server is not hammered; false when the agent should give up.
func (r *runner) backoff(ctx context.Context, failures int, deadline time.Time) bool {
	if failures >= maxConsecutiveFailures {
		r.gaveUp.Add(1)
		return false
	}
	d := min(time.Millisecond<<min(failures, 10), time.Second)
	if !deadline.IsZero() {
		d = min(d, max(deadline.Sub(r.now()), 0))
	}
	return sleep(ctx, d)
}

// open sends on a fixed timetable: the i-th request is due at start + i/Rate, whatever the
// answers of the earlier ones, for dur (0: no time bound) or n requests (0: no count bound),
// spread round-robin over agents. Each of the workers takes the next free slot of the
// timetable, sleeps until it is due, sends, and on the answer takes the next free slot: there
// is no dispatcher to hand off through, and no send waits for an earlier answer unless every
// worker is busy (which shows in the latencies: they run from the intended time). Requests in
// flight at the end are answered, not cancelled.
func (r *runner) open(ctx context.Context, prof Profile, agents []*Agent, dur time.Duration, n int64) Phase {
	rate := r.cfg.Rate
	total := n
	if dur > 0 {
		byTime := int64(math.Floor(dur.Seconds() * rate))
		if total == 0 || byTime < total {
			total = byTime
		}
	}
	w := int(min(int64(r.cfg.workers()), max(total, 1)))
	recs := make([]recorder, w)
	var next atomic.Int64                      // the next slot of the timetable to take
	start := r.now().Add(5 * time.Millisecond) // a little ahead, so that the first slots are not late already
	psi := startPressure(start)
	due := func(i int64) time.Time { return start.Add(time.Duration(float64(i) * float64(time.Second) / rate)) }
	var wg sync.WaitGroup
	for k := range w {
		wg.Go(func() {
			rec := recorder{latencies: make([]time.Duration, 0, min(total/int64(w)+16, latencyPrealloc))}
			for {
				i := next.Add(1) - 1
				if i >= total {
					break
				}
				at := due(i)
				if !sleep(ctx, at.Sub(r.now())) {
					break
				}
				rec.sent++
				lag := r.now().Sub(at)
				rec.maxLag = max(rec.maxLag, lag)
				if lag > lateAfter {
					rec.late++
				}
				a := agents[i%int64(len(agents))]
				if r.record(ctx, &rec, prof(ctx, a), r.now().Sub(at)) == broke {
					r.refillLater(ctx, a)
				}
			}
			recs[k] = rec
		})
	}
	wg.Wait()
	end := r.now()
	p := phase(recs, end.Sub(start))
	p.CPUPressure = psi.share(end)
	for i := range recs {
		p.Scheduled += recs[i].sent
		p.MaxSendLag = max(p.MaxSendLag, ms(recs[i].maxLag))
		p.LateSends += recs[i].late
	}
	return p
}

// refillLater signs an open-loop agent up afresh in the background (once at a time): the
// timetable does not wait, and sends made meanwhile with the old key find it broke too.
func (r *runner) refillLater(ctx context.Context, a *Agent) {
	if !a.refilling.CompareAndSwap(false, true) {
		return
	}
	r.refills.Add(1)
	go func() {
		defer a.refilling.Store(false)
		if c, _ := r.account(ctx); c != nil {
			a.c.Store(c)
		}
	}()
}

func phase(recs []recorder, elapsed time.Duration) Phase {
	var p Phase
	byKind := map[string]int64{}
	n := 0
	for i := range recs {
		p.Requests += recs[i].ok
		n += len(recs[i].latencies)
		for k, v := range recs[i].errors {
			byKind[k] += v
		}
	}
	lat := make([]time.Duration, 0, n)
	for i := range recs {
		lat = append(lat, recs[i].latencies...)
	}
	p.Seconds = elapsed.Seconds()
	if elapsed > 0 {
		p.PerSecond = float64(p.Requests) / elapsed.Seconds()
	}
	p.Latency = summarise(lat)
	p.Errors = errorsOf(byKind)
	return p
}

// account signs up a fresh guest and claims its faucet, retrying a few times; it returns a
// client with the guest's key, or nil.
func (r *runner) account(ctx context.Context) (*client.Client, error) {
	var last error
	for attempt := range 3 {
		if attempt > 0 && !sleep(ctx, time.Duration(attempt)*50*time.Millisecond) {
			return nil, ctx.Err()
		}
		g, err := r.base.GuestSignUp(ctx)
		if err != nil {
			last = r.setupFailure(ctx, "signup", err)
			continue
		}
		r.signUps.Add(1)
		c := r.base.WithKey(g.APIKey)
		// The faucet is claimed once; a retry would answer 429 FAUCET_COOLDOWN.
		if _, err := c.ClaimFaucet(ctx, ""); err != nil {
			last = r.setupFailure(ctx, "faucet", err)
			continue
		}
		return c, nil
	}
	return nil, last
}

func (r *runner) setupFailure(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return err
	}
	key := op + " transport"
	if e := client.AsError(err); e != nil {
		key = op + " " + strconv.Itoa(e.Status)
		if e.Code != "" {
			key += " " + e.Code
		}
	}
	r.mu.Lock()
	r.setupErr[key]++
	r.mu.Unlock()
	return err
}

func (r *runner) setupErrors() Errors {
	r.mu.Lock()
	defer r.mu.Unlock()
	return errorsOf(r.setupErr)
}

// ledger reads the invariant from /health. The server caches its ledger check for a few
// seconds; the baseline phase runs in between, so the check normally postdates the rounds.
func (r *runner) ledger(ctx context.Context) Ledger {
	rec, err := r.base.Reconciliation(ctx)
	if err != nil {
		return Ledger{Error: err.Error()}
	}
	l := Ledger{InvariantHolds: rec.InvariantHolds, CheckedAt: rec.CheckedAt}
	if a, ok := rec.Assets["CREDIT"]; ok {
		l.CreditSum, l.CreditDrift = a.SumMicro, a.DriftMicro
	}
	if rec.CheckedAt.IsZero() {
		l.Error = "GET /health answered without a ledger check"
		l.InvariantHolds = false
	}
	return l
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// summarise computes exact nearest-rank percentiles of lat (which it sorts).
func summarise(lat []time.Duration) Latency {
	if len(lat) == 0 {
		return Latency{}
	}
	slices.Sort(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	return Latency{P50: ms(Percentile(lat, 50)), P90: ms(Percentile(lat, 90)), P95: ms(Percentile(lat, 95)),
		P99: ms(Percentile(lat, 99)), P999: ms(Percentile(lat, 99.9)), Max: ms(lat[len(lat)-1]), Mean: ms(sum) / float64(len(lat))}
}

// Percentile returns the nearest-rank q-th percentile (0 < q ≤ 100) of sorted: the smallest
// value with at least q% of the values at or below it.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// q·n/100 with the product first: exact for whole q, so a whole rank is not nudged up.
	rank := q * float64(n) / 100
	k := int(rank)
	if float64(k) < rank {
		k++ // ceil
	}
	return sorted[min(max(k, 1), n)-1]
}

func errorsOf(m map[string]int64) Errors {
	e := Errors{ByKind: map[string]int64{}}
	for k, v := range m {
		e.ByKind[k] = v
		e.Total += v
	}
	return e
}

// String lists the errors as "500 INTERNAL_ERROR×3, transport×1", or "0".
func (e Errors) String() string {
	if e.Total == 0 {
		return "0"
	}
	keys := make([]string, 0, len(e.ByKind))
	for k := range e.ByKind {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "×" + strconv.FormatInt(e.ByKind[k], 10)
	}
	return strconv.FormatInt(e.Total, 10) + " (" + strings.Join(parts, ", ") + ")"
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
