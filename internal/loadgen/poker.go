package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/coder/websocket"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/poker/bot"
)

// MaxPokerAgents bounds a poker run (each agent is a WebSocket on both sides: mind ulimit -n).
const MaxPokerAgents = 50_000

// PokerConfig describes a poker run against a running server: Agents poker agents register
// through POST /poker/api/register, then either play (reference bots through /poker/ws for
// Duration) or, Idle, only connect and hold their WebSockets while the server's memory is read.
type PokerConfig struct {
	BaseURL     string
	Agents      int
	Duration    time.Duration // play: how long; idle: how long to hold before measuring
	Idle        bool
	BuyIn       string // play: each bot's buy-in, dollars
	AllowRemote bool
	// PprofURL, when set (the server's ARCADE_PPROF_ADDR, e.g. http://127.0.0.1:6060), lets the
	// idle run force a garbage collection on the server before each memory reading, so the heap
	// figures are live memory, not garbage.
	PprofURL string
	Notes    io.Writer
}

// PokerReport is what a poker run measured.
type PokerReport struct {
	Mode      string  `json:"mode"` // play, idle
	BaseURL   string  `json:"baseUrl"`
	Agents    int     `json:"agents"`
	Connected int     `json:"connected"`
	Seconds   float64 `json:"seconds"`
	// Play: complete hands (distinct hand_result frames) per second over all tables, the actions
	// sent, and the time from writing an action to receiving its player_action broadcast.
	Hands             int64   `json:"hands,omitempty"`
	HandsPerSecond    float64 `json:"handsPerSecond,omitempty"`
	Actions           int64   `json:"actions,omitempty"`
	ActionToBroadcast Latency `json:"actionToBroadcastMs"`
	// Idle: the server's memory before the agents connected and while they are held.
	Memory *PokerMemory     `json:"memory,omitempty"`
	Errors map[string]int64 `json:"errors"`
	Ledger Ledger           `json:"ledger"`
}

// PokerMemory is the server's memory from its /metrics, before and with the connections.
type PokerMemory struct {
	GCForced           bool    `json:"gcForced"`
	RSSBefore          float64 `json:"rssBeforeBytes"`
	RSSAfter           float64 `json:"rssAfterBytes"`
	HeapBefore         float64 `json:"heapInuseBeforeBytes"`
	HeapAfter          float64 `json:"heapInuseAfterBytes"`
	StackBefore        float64 `json:"stackInuseBeforeBytes"`
	StackAfter         float64 `json:"stackInuseAfterBytes"`
	GoroutinesBefore   float64 `json:"goroutinesBefore"`
	GoroutinesAfter    float64 `json:"goroutinesAfter"`
	RSSPerConn         float64 `json:"rssPerConnBytes"`
	HeapAndStackPerCon float64 `json:"heapAndStackPerConnBytes"`
}

func (c *PokerConfig) validate() (*url.URL, error) {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errs.Invalid("base-url", "must be an http(s) URL such as http://127.0.0.1:8080")
	}
	if !c.AllowRemote && !IsLoopback(u.Hostname()) {
		return nil, errs.Invalid("base-url", "%s is not a loopback host (pass --allow-remote to measure it anyway)", u.Hostname())
	}
	if c.Agents < 2 || c.Agents > MaxPokerAgents {
		return nil, errs.Invalid("agents", "must be 2 to %d", MaxPokerAgents)
	}
	if c.Duration <= 0 {
		return nil, errs.Invalid("duration", "must be positive")
	}
	return u, nil
}

func (c *PokerConfig) note(format string, args ...any) {
	if c.Notes != nil {
		fmt.Fprintf(c.Notes, "arcade bench: "+format+"\n", args...)
	}
}

type pokerErrors struct {
	mu sync.Mutex
	m  map[string]int64
}

func (e *pokerErrors) add(kind string) {
	e.mu.Lock()
	e.m[kind]++
	e.mu.Unlock()
}

// RunPoker runs the poker benchmark c describes.
func RunPoker(ctx context.Context, c PokerConfig) (*PokerReport, error) {
	base, err := c.validate()
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer hc.CloseIdleConnections()
	rep := &PokerReport{Mode: "play", BaseURL: base.String(), Agents: c.Agents}
	if c.Idle {
		rep.Mode = "idle"
	}
	if _, err := get(ctx, hc, base.String()+"/health/live"); err != nil {
		return nil, fmt.Errorf("%w: GET %s/health/live: %v", ErrUnreachable, base, err)
	}
	errc := &pokerErrors{m: map[string]int64{}}
	c.note("registering %d poker agents", c.Agents)
	keys, err := registerAgents(ctx, hc, base.String(), c.Agents, errc)
	if err != nil {
		return rep, err
	}
	ws := "ws" + strings.TrimPrefix(base.String(), "http") + "/poker/ws"
	if c.Idle {
		err = c.idle(ctx, hc, base.String(), ws, keys, rep, errc)
	} else {
		err = c.play(ctx, ws, keys, rep, errc)
	}
	rep.Errors = errc.m
	if err != nil {
		return rep, err
	}
	rep.Ledger = pokerLedger(ctx, hc, base.String())
	return rep, nil
}

// registerAgents registers n agents with 16 requests in flight and returns their keys.
func registerAgents(ctx context.Context, hc *http.Client, base string, n int, errc *pokerErrors) ([]string, error) {
	var run [4]byte
	_, _ = rand.Read(run[:])
	tag := hex.EncodeToString(run[:])
	keys := make([]string, n)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range min(16, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				name := fmt.Sprintf("b%s-%d", tag, i)
				body := fmt.Sprintf(`{"email":"%s@bench.invalid","name":"%s"}`, name, name)
				req, _ := http.NewRequestWithContext(ctx, "POST", base+"/poker/api/register", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				res, err := hc.Do(req)
				if err != nil {
					errc.add("register transport")
					failed.Add(1)
					continue
				}
				var out struct {
					APIKey string `json:"api_key"`
					Detail string `json:"detail"`
				}
				_ = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					errc.add("register " + strconv.Itoa(res.StatusCode))
					failed.Add(1)
					continue
				}
				keys[i] = out.APIKey
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f := failed.Load(); f > 0 {
		return nil, fmt.Errorf("%d of %d registrations failed (%v); for many agents start the server with ARCADE_SIGNUP_RATE=0", f, n, errc.m)
	}
	return keys, nil
}

// play runs one reference bot per key for Duration.
func (c *PokerConfig) play(ctx context.Context, ws string, keys []string, rep *PokerReport, errc *pokerErrors) error {
	c.note("playing with %d bots for %s", len(keys), c.Duration)
	pctx, cancel := context.WithTimeout(ctx, c.Duration)
	defer cancel()
	var mu sync.Mutex
	hands := map[string]bool{}
	var lat []time.Duration
	var actions, connected atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i, k := range keys {
		var sent time.Time // this bot's last action, awaiting its broadcast
		seat := -1
		b := &bot.Bot{URL: ws, Key: k, BuyIn: c.BuyIn, Seed: uint64(i + 1), Rebuy: c.BuyIn,
			OnSend: func(typ string) {
				if typ == "action" {
					sent = time.Now()
					actions.Add(1)
				}
			},
			OnFrame: func(typ string, raw []byte) {
				switch typ {
				case "connected":
					connected.Add(1)
				case "table_joined", "hand_start":
					var f struct {
						Seat int `json:"seat"`
					}
					if json.Unmarshal(raw, &f) == nil {
						seat = f.Seat
					}
				case "player_action":
					if sent.IsZero() {
						return
					}
					var f struct {
						Seat int `json:"seat"`
					}
					if json.Unmarshal(raw, &f) == nil && f.Seat == seat {
						d := time.Since(sent)
						sent = time.Time{}
						mu.Lock()
						lat = append(lat, d)
						mu.Unlock()
					}
				case "hand_result":
					var f struct {
						HandID string `json:"hand_id"`
					}
					if json.Unmarshal(raw, &f) == nil && time.Since(start) <= c.Duration {
						mu.Lock()
						hands[f.HandID] = true
						mu.Unlock()
					}
				case "action_rejected":
					sent = time.Time{}
					errc.add("action_rejected")
				}
			}}
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := b.Play(pctx)
			// rate.Wait refuses early when the pacing would pass the deadline: the end of the run.
			if err != nil && pctx.Err() == nil && !strings.Contains(err.Error(), "would exceed context deadline") {
				errc.add("bot: " + err.Error())
			}
			if st != nil {
				for _, e := range st.Errors {
					errc.add(e)
				}
			}
		}()
		if i%64 == 63 {
			time.Sleep(10 * time.Millisecond) // spread the handshakes
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	rep.Seconds = elapsed.Seconds()
	rep.Connected = int(connected.Load())
	rep.Hands = int64(len(hands))
	rep.HandsPerSecond = float64(rep.Hands) / min(elapsed, c.Duration).Seconds()
	rep.Actions = actions.Load()
	rep.ActionToBroadcast = summarise(lat)
	return ctx.Err()
}

// idle connects one WebSocket per key, holds them for Duration and reads the server's memory
// before and during.
func (c *PokerConfig) idle(ctx context.Context, hc *http.Client, base, ws string, keys []string, rep *PokerReport, errc *pokerErrors) error {
	mem := &PokerMemory{}
	before, err := c.memory(ctx, hc, base, mem)
	if err != nil {
		return err
	}
	c.note("connecting %d idle WebSockets", len(keys))
	start := time.Now()
	conns := make([]*websocket.Conn, 0, len(keys))
	defer func() {
		for _, cn := range conns {
			cn.CloseNow()
		}
	}()
	for _, k := range keys {
		h := http.Header{}
		h.Set("Authorization", "Bearer "+k)
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		cn, _, err := websocket.Dial(dctx, ws, &websocket.DialOptions{HTTPHeader: h})
		if err == nil {
			_, _, err = cn.Read(dctx) // connected
		}
		cancel()
		if err != nil {
			errc.add("dial: " + err.Error())
			if cn != nil {
				cn.CloseNow()
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		conns = append(conns, cn)
	}
	rep.Connected = len(conns)
	c.note("%d connected in %.1f s; holding them %s", len(conns), time.Since(start).Seconds(), c.Duration)
	if !sleep(ctx, c.Duration) {
		return ctx.Err()
	}
	after, err := c.memory(ctx, hc, base, mem)
	if err != nil {
		return err
	}
	rep.Seconds = time.Since(start).Seconds()
	mem.RSSBefore, mem.RSSAfter = before["process_resident_memory_bytes"], after["process_resident_memory_bytes"]
	mem.HeapBefore, mem.HeapAfter = before["go_memstats_heap_inuse_bytes"], after["go_memstats_heap_inuse_bytes"]
	mem.StackBefore, mem.StackAfter = before["go_memstats_stack_inuse_bytes"], after["go_memstats_stack_inuse_bytes"]
	mem.GoroutinesBefore, mem.GoroutinesAfter = before["go_goroutines"], after["go_goroutines"]
	if n := float64(len(conns)); n > 0 {
		mem.RSSPerConn = (mem.RSSAfter - mem.RSSBefore) / n
		mem.HeapAndStackPerCon = (mem.HeapAfter + mem.StackAfter - mem.HeapBefore - mem.StackBefore) / n
	}
	rep.Memory = mem
	return nil
}

// memory reads the server's memory metrics, after a forced garbage collection when it can.
func (c *PokerConfig) memory(ctx context.Context, hc *http.Client, base string, mem *PokerMemory) (map[string]float64, error) {
	if c.PprofURL != "" {
		if _, err := get(ctx, hc, strings.TrimRight(c.PprofURL, "/")+"/debug/pprof/heap?gc=1"); err != nil {
			return nil, fmt.Errorf("forcing a GC through %s: %w", c.PprofURL, err)
		}
		mem.GCForced = true
	}
	body, err := get(ctx, hc, base+"/metrics")
	if err != nil {
		return nil, fmt.Errorf("GET /metrics: %w", err)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		if !ok || strings.Contains(name, "{") {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err == nil {
			out[name] = f
		}
	}
	return out, nil
}

func get(ctx context.Context, hc *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return nil, err
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d: %.200s", res.StatusCode, b)
	}
	return b, nil
}

// pokerLedger reads the ledger invariant from /health (its scheduled audit).
func pokerLedger(ctx context.Context, hc *http.Client, base string) Ledger {
	b, err := get(ctx, hc, base+"/health")
	if err != nil {
		return Ledger{Error: err.Error()}
	}
	var h struct {
		FinancialReconciliation struct {
			InvariantHolds bool      `json:"invariant_holds"`
			CheckedAt      time.Time `json:"checked_at"`
		} `json:"financial_reconciliation"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return Ledger{Error: err.Error()}
	}
	l := Ledger{InvariantHolds: h.FinancialReconciliation.InvariantHolds, CheckedAt: h.FinancialReconciliation.CheckedAt}
	if l.CheckedAt.IsZero() {
		l.Error = "GET /health answered without a ledger check"
		l.InvariantHolds = false
	}
	return l
}

// WriteText prints the report for people.
func (r *PokerReport) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(label, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", label, fmt.Sprintf(format, args...))
	}
	row("server", "%s", r.BaseURL)
	row("agents", "%d registered, %d connected (%s)", r.Agents, r.Connected, r.Mode)
	if r.Mode == "play" {
		row("hands", "%d in %.2f s", r.Hands, r.Seconds)
		row("hands/s", "%.1f", r.HandsPerSecond)
		row("actions", "%d", r.Actions)
		row("action→broadcast ms", "%s", latency(r.ActionToBroadcast))
	}
	if m := r.Memory; m != nil {
		gc := "no forced GC (pass --server-pprof for live-heap figures)"
		if m.GCForced {
			gc = "after a forced GC"
		}
		row("server RSS", "%.1f MiB → %.1f MiB: %.1f KiB per connection", m.RSSBefore/(1<<20), m.RSSAfter/(1<<20), m.RSSPerConn/1024)
		row("server heap+stacks", "%.1f MiB → %.1f MiB: %.1f KiB per connection (%s)", (m.HeapBefore+m.StackBefore)/(1<<20),
			(m.HeapAfter+m.StackAfter)/(1<<20), m.HeapAndStackPerCon/1024, gc)
		row("goroutines", "%.0f → %.0f", m.GoroutinesBefore, m.GoroutinesAfter)
	}
	var errsText []string
	for k, v := range r.Errors {
		errsText = append(errsText, fmt.Sprintf("%s: %d", k, v))
	}
	if len(errsText) == 0 {
		errsText = []string{"none"}
	}
	row("errors", "%s", strings.Join(errsText, "; "))
	row("ledger", "%s", r.Ledger)
	return tw.Flush()
}
