package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	"github.com/arcadehq/arcade/internal/errs"
)

// Bounds of a run.
const (
	MaxAgents = 4096
	// FaucetCredits is what one faucet claim grants (spec 000: 100 Free Credits); an agent's stake
	// cannot be more, or no round could ever be played.
	FaucetCredits = 100
	// maxConsecutiveFailures gives an agent up after this many failed requests in a row.
	maxConsecutiveFailures = 100
	// requestTimeout bounds one request.
	requestTimeout = 30 * time.Second
	// maxBody bounds how much of an answer is read.
	maxBody = 1 << 20
	// latencyPrealloc is each agent's latency slice capacity in a timed run.
	latencyPrealloc = 8192
)

// Config describes a run. Field names in validation errors are the flag names of arcade bench
// without their dashes ("base-url", "agents", ...).
type Config struct {
	BaseURL          string        // http://127.0.0.1:8080
	Agents           int           // concurrent agents, 1–MaxAgents
	Duration         time.Duration // stop playing after this long (0: only Rounds bounds the run)
	Rounds           int64         // stop after this many rounds in total (0: only Duration bounds the run)
	Amount           int64         // stake in whole credits, 1–FaucetCredits
	Target           string        // 0–99.99, at most two decimals
	Condition        string        // "over" or "under"
	BaselineDuration time.Duration // how long to measure GET /health/live; 0 skips it
	AllowRemote      bool          // permit a base URL whose host is not loopback
	// Notes, if not nil, receives one line per phase ("playing for 10s with 64 agents").
	Notes io.Writer
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Client overrides the HTTP client (tests); nil builds one sized for Agents.
	Client *http.Client
}

// ErrUnreachable reports that the server did not answer GET /health/live.
var ErrUnreachable = errors.New("server unreachable")

// Validate checks c and returns the parsed base URL.
func (c *Config) Validate() (*url.URL, error) {
	u, err := url.Parse(c.BaseURL)
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
	case c.Agents < 1 || c.Agents > MaxAgents:
		return nil, errs.Invalid("agents", "must be from 1 to %d", MaxAgents)
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

// IsLoopback reports whether host (a name or an IP address, without port) is local to this
// machine: "localhost" or a loopback address. Names are not resolved.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewClient returns the one HTTP client a run shares: connections bounded by and pooled for
// the agent count, no proxy, no redirects, a timeout on every request.
func NewClient(agents int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil, // never the environment's proxy: only the base URL is spoken to
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        agents + 16,
		MaxIdleConnsPerHost: agents + 16,
		MaxConnsPerHost:     agents + 16, // the live probe may open a few beside the agents'
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Report is the result of a run.
type Report struct {
	BaseURL  string  `json:"baseUrl"`
	Agents   int     `json:"agents"`
	Bet      Bet     `json:"bet"`
	Play     Phase   `json:"rounds"`         // the dice rounds
	Live     *Phase  `json:"live,omitempty"` // GET /health/live at the same concurrency
	Ratio    float64 `json:"ratio"`          // rounds/s ÷ live/s; 0 without a baseline
	SignUps  int64   `json:"signUps"`        // guest sign-ups, the first ones included
	Refills  int64   `json:"refills"`        // sign-ups of agents that had run out of credits
	GaveUp   int     `json:"agentsGaveUp"`   // agents stopped by consecutive failures
	Setup    Errors  `json:"setupErrors"`    // failed sign-ups and faucet claims
	Ledger   Ledger  `json:"ledger"`
	Duration string  `json:"duration,omitempty"`
	Rounds   int64   `json:"roundBudget,omitempty"`
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
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"perSecond"`
	Latency   Latency `json:"latencyMs"`
	Errors    Errors  `json:"errors"`
}

// Latency summarises the latencies of a phase's successful requests, in milliseconds. The
// percentiles are exact (nearest rank over every recorded latency).
type Latency struct {
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Errors counts failed requests by status code ("500", "429", ...; "transport" when no answer
// came back).
type Errors struct {
	Total    int64            `json:"total"`
	ByStatus map[string]int64 `json:"byStatus"`
}

// Ledger is the server's ledger invariant as /health reported it after the run.
type Ledger struct {
	InvariantHolds bool      `json:"invariantHolds"`
	CheckedAt      time.Time `json:"checkedAt"`
	CreditSum      int64     `json:"creditSumMicro"`   // sum over CREDIT ledger accounts; 0 when it holds
	CreditDrift    int64     `json:"creditDriftMicro"` // stored balances minus transfers; 0 when it holds
	Error          string    `json:"error,omitempty"`  // why it could not be read
}

// Run runs the benchmark described by c: setup, the dice phase, the /health/live baseline, and
// the ledger check. It returns ErrUnreachable (wrapped) when the server does not answer, and a
// validation error (errs.Validation) for a bad Config. A run whose requests partly failed still
// returns a Report and no error; a Report whose Ledger.InvariantHolds is false is the caller's
// to judge.
func Run(ctx context.Context, c Config) (*Report, error) {
	base, err := c.Validate()
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: c, base: base.String(), now: c.Now, client: c.Client}
	if r.now == nil {
		r.now = time.Now
	}
	if r.client == nil {
		r.client = NewClient(c.Agents)
		defer r.client.CloseIdleConnections()
	}
	r.diceBody = []byte(fmt.Sprintf(`{"amount":%d,"target":%s,"condition":%q}`, c.Amount, c.Target, c.Condition))
	rep := &Report{BaseURL: r.base, Agents: c.Agents, Bet: Bet{Amount: c.Amount, Target: c.Target, Condition: c.Condition},
		Rounds: c.Rounds, Setup: Errors{ByStatus: map[string]int64{}}}
	if c.Duration > 0 {
		rep.Duration = c.Duration.String()
	}

	if status, _, err := r.get(ctx, "/health/live"); err != nil {
		return nil, fmt.Errorf("%w: GET %s/health/live: %v", ErrUnreachable, r.base, err)
	} else if status != http.StatusOK {
		return nil, fmt.Errorf("%w: GET %s/health/live answered %d", ErrUnreachable, r.base, status)
	}

	if err := r.play(ctx, rep); err != nil {
		return rep, err
	}
	if c.BaselineDuration > 0 {
		r.note("measuring GET /health/live for %s with %d agents", c.BaselineDuration, c.Agents)
		live := r.live(ctx)
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.Live = &live
		if live.PerSecond > 0 {
			rep.Ratio = rep.Play.PerSecond / live.PerSecond
		}
	}
	rep.Ledger = r.ledger(ctx)
	return rep, ctx.Err()
}

// runner holds one run's shared state.
type runner struct {
	cfg      Config
	base     string
	now      func() time.Time
	client   *http.Client
	diceBody []byte

	budget   atomic.Int64 // rounds left to start, when Rounds bounds the run
	signUps  atomic.Int64
	refills  atomic.Int64
	gaveUp   atomic.Int64
	mu       sync.Mutex // guards the error maps
	setupErr map[string]int64
}

func (r *runner) note(format string, args ...any) {
	if r.cfg.Notes != nil {
		fmt.Fprintf(r.cfg.Notes, format+"\n", args...)
	}
}

// agentResult is what one agent's goroutine hands back; nothing is shared while it runs except
// the atomic counters.
type agentResult struct {
	played    int64
	latencies []time.Duration
	errors    map[string]int64
}

func (a *agentResult) fail(status string) {
	if a.errors == nil {
		a.errors = map[string]int64{}
	}
	a.errors[status]++
}

// play runs the dice phase: every agent signs up and claims the faucet, then all of them start
// playing at the same instant, until the time or the round budget is spent.
func (r *runner) play(ctx context.Context, rep *Report) error {
	n := r.cfg.Agents
	r.setupErr = map[string]int64{}
	r.budget.Store(r.cfg.Rounds)
	keys := make([]string, n)
	r.note("signing up %d guest agents at %s", n, r.base)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], _ = r.account(ctx) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	ready := 0
	for _, k := range keys {
		if k != "" {
			ready++
		}
	}
	rep.SignUps, rep.Setup = r.signUps.Load(), r.setupErrors()
	if ready == 0 {
		return fmt.Errorf("no agent could sign up and claim the faucet (errors: %s)", rep.Setup)
	}

	var deadline time.Time
	if r.cfg.Duration > 0 {
		r.note("playing dice for %s with %d agents", r.cfg.Duration, ready)
	} else {
		r.note("playing %d dice rounds with %d agents", r.cfg.Rounds, ready)
	}
	results := make([]agentResult, n)
	start := r.now()
	if r.cfg.Duration > 0 {
		deadline = start.Add(r.cfg.Duration)
	}
	for i := range n {
		if keys[i] == "" {
			continue
		}
		wg.Go(func() { results[i] = r.agent(ctx, keys[i], deadline) })
	}
	wg.Wait()
	elapsed := r.now().Sub(start)

	byStatus := map[string]int64{}
	for _, a := range results {
		rep.Play.Requests += a.played
		for k, v := range a.errors {
			byStatus[k] += v
		}
	}
	lat := make([]time.Duration, 0, rep.Play.Requests)
	for _, a := range results {
		lat = append(lat, a.latencies...)
	}
	rep.Play.Seconds = elapsed.Seconds()
	if elapsed > 0 {
		rep.Play.PerSecond = float64(rep.Play.Requests) / elapsed.Seconds()
	}
	rep.Play.Latency = summarise(lat)
	rep.Play.Errors = errorsOf(byStatus)
	rep.SignUps, rep.Refills, rep.GaveUp = r.signUps.Load(), r.refills.Load(), int(r.gaveUp.Load())
	rep.Setup = r.setupErrors()
	return nil
}

// takeRound takes one round from the budget; false when it is spent. Without a round budget it
// always succeeds.
func (r *runner) takeRound() bool {
	if r.cfg.Rounds == 0 {
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

func (r *runner) returnRound() {
	if r.cfg.Rounds != 0 {
		r.budget.Add(1)
	}
}

// agent plays rounds with key until the deadline passes (zero: none) or the budget is spent.
// A round that finds the balance empty is handed back, and the agent continues as a fresh guest.
func (r *runner) agent(ctx context.Context, key string, deadline time.Time) agentResult {
	res := agentResult{}
	if r.cfg.Rounds > 0 {
		res.latencies = make([]time.Duration, 0, min(2*r.cfg.Rounds/int64(r.cfg.Agents)+16, latencyPrealloc))
	} else {
		res.latencies = make([]time.Duration, 0, latencyPrealloc)
	}
	failures := 0
	for ctx.Err() == nil && (deadline.IsZero() || r.now().Before(deadline)) {
		if !r.takeRound() {
			break
		}
		t0 := r.now()
		status, body, err := r.post(ctx, "/api/games/dice/round", key, r.diceBody)
		d := r.now().Sub(t0)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return res
			}
			res.fail("transport")
		case status == http.StatusOK:
			res.played++
			res.latencies = append(res.latencies, d)
			failures = 0
			continue
		case status == http.StatusBadRequest && errorCode(body) == "INSUFFICIENT_BALANCE":
			r.returnRound()
			r.refills.Add(1)
			if key, _ = r.account(ctx); key == "" {
				if ctx.Err() == nil {
					r.gaveUp.Add(1) // account has retried and counted the failures
				}
				return res
			}
			failures = 0
			continue
		default:
			res.fail(strconv.Itoa(status))
		}
		failures++
		if !r.backoff(ctx, failures, deadline) {
			return res
		}
	}
	return res
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
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// account signs up a fresh guest and claims its faucet, retrying a few times; it returns the
// API key, or "" when it could not.
func (r *runner) account(ctx context.Context) (string, error) {
	var last error
	for attempt := range 3 {
		if attempt > 0 && !sleep(ctx, time.Duration(attempt)*50*time.Millisecond) {
			return "", ctx.Err()
		}
		status, body, err := r.post(ctx, "/api/auth/guest", "", nil)
		if err != nil || status != http.StatusCreated {
			last = r.setupFailure("signup", status, err)
			continue
		}
		r.signUps.Add(1)
		var g struct {
			Data struct {
				APIKey string `json:"apiKey"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &g); err != nil || g.Data.APIKey == "" {
			last = r.setupFailure("signup", -1, errors.New("no data.apiKey in the answer"))
			continue
		}
		// The faucet is claimed once; a retry would answer 429 FAUCET_COOLDOWN.
		status, _, err = r.post(ctx, "/api/faucet", g.Data.APIKey, nil)
		if err != nil || status != http.StatusOK {
			last = r.setupFailure("faucet", status, err)
			continue
		}
		return g.Data.APIKey, nil
	}
	return "", last
}

func (r *runner) setupFailure(op string, status int, err error) error {
	key := op + " "
	switch {
	case err != nil:
		key += "transport"
	case status < 0:
		key += "bad answer"
	default:
		key += strconv.Itoa(status)
		err = fmt.Errorf("%s answered %d", op, status)
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

// live measures GET /health/live with one goroutine per agent for the baseline duration.
func (r *runner) live(ctx context.Context) Phase {
	n := r.cfg.Agents
	results := make([]agentResult, n)
	start := r.now()
	deadline := start.Add(r.cfg.BaselineDuration)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i] = r.prober(ctx, deadline) })
	}
	wg.Wait()
	elapsed := r.now().Sub(start)
	var p Phase
	byStatus := map[string]int64{}
	var lat []time.Duration
	for _, a := range results {
		p.Requests += a.played
		lat = append(lat, a.latencies...)
		for k, v := range a.errors {
			byStatus[k] += v
		}
	}
	p.Seconds = elapsed.Seconds()
	if elapsed > 0 {
		p.PerSecond = float64(p.Requests) / elapsed.Seconds()
	}
	p.Latency = summarise(lat)
	p.Errors = errorsOf(byStatus)
	return p
}

// prober requests GET /health/live back to back until the deadline.
func (r *runner) prober(ctx context.Context, deadline time.Time) agentResult {
	a := agentResult{latencies: make([]time.Duration, 0, latencyPrealloc)}
	failures := 0
	for ctx.Err() == nil && r.now().Before(deadline) {
		t0 := r.now()
		status, _, err := r.get(ctx, "/health/live")
		d := r.now().Sub(t0)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return a
			}
			a.fail("transport")
		case status == http.StatusOK:
			a.played++
			a.latencies = append(a.latencies, d)
			failures = 0
			continue
		default:
			a.fail(strconv.Itoa(status))
		}
		failures++
		if !r.backoff(ctx, failures, deadline) {
			return a
		}
	}
	return a
}

// ledger reads the invariant from /health. The server caches its ledger check for a few
// seconds; the baseline phase runs in between, so the check normally postdates the rounds.
func (r *runner) ledger(ctx context.Context) Ledger {
	status, body, err := r.get(ctx, "/health")
	if err != nil {
		return Ledger{Error: "GET /health: " + err.Error()}
	}
	var h struct {
		Rec *struct {
			InvariantHolds bool      `json:"invariant_holds"`
			CheckedAt      time.Time `json:"checked_at"`
			Assets         map[string]struct {
				Sum   int64 `json:"sum_micro"`
				Drift int64 `json:"drift_micro"`
			} `json:"assets"`
		} `json:"financial_reconciliation"`
	}
	if err := json.Unmarshal(body, &h); err != nil || h.Rec == nil {
		return Ledger{Error: fmt.Sprintf("GET /health answered %d without financial_reconciliation", status)}
	}
	l := Ledger{InvariantHolds: h.Rec.InvariantHolds, CheckedAt: h.Rec.CheckedAt}
	if a, ok := h.Rec.Assets["CREDIT"]; ok {
		l.CreditSum, l.CreditDrift = a.Sum, a.Drift
	}
	if h.Rec.CheckedAt.IsZero() {
		l.Error = fmt.Sprintf("GET /health answered %d without a ledger check", status)
		l.InvariantHolds = false
	}
	return l
}

func (r *runner) get(ctx context.Context, path string) (int, []byte, error) {
	return r.do(ctx, http.MethodGet, path, "", nil)
}

func (r *runner) post(ctx context.Context, path, key string, body []byte) (int, []byte, error) {
	return r.do(ctx, http.MethodPost, path, key, body)
}

// do sends one request to the base URL and reads the whole answer, so the connection returns
// to the pool.
func (r *runner) do(ctx context.Context, method, path, key string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := r.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return 0, nil, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, b, nil
}

// errorCode returns the "error" member of a /api failure body.
func errorCode(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Error
}

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
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return Latency{P50: ms(Percentile(lat, 50)), P95: ms(Percentile(lat, 95)), P99: ms(Percentile(lat, 99)),
		Max: ms(lat[len(lat)-1]), Mean: ms(sum) / float64(len(lat))}
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
	e := Errors{ByStatus: map[string]int64{}}
	for k, v := range m {
		e.ByStatus[k] = v
		e.Total += v
	}
	return e
}

// String lists the errors as "500×3, transport×1", or "0".
func (e Errors) String() string {
	if e.Total == 0 {
		return "0"
	}
	keys := make([]string, 0, len(e.ByStatus))
	for k := range e.ByStatus {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "×" + strconv.FormatInt(e.ByStatus[k], 10)
	}
	return strconv.FormatInt(e.Total, 10) + " (" + strings.Join(parts, ", ") + ")"
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
