package app_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

type server struct {
	*httptest.Server
	app *app.App
	t   testing.TB
}

func newServer(t testing.TB, e store.Engine, opts ...func(*app.Config)) *server {
	t.Helper()
	sc := storetest.Config(t, e)
	cfg := app.Config{DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, Version: "test", DoubleRun: sc.DoubleRun}
	for _, o := range opts {
		o(&cfg)
	}
	var logTo io.Writer = io.Discard
	if os.Getenv("ARCADE_TEST_LOG") == "1" { // the server's log on stderr, to see what a 500 was
		logTo = os.Stderr
	}
	log := slog.New(slog.NewTextHandler(logTo, nil))
	a, err := app.New(context.Background(), cfg, log, app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() { ts.Close(); a.DB.Close() })
	return &server{Server: ts, app: a, t: t}
}

type resp struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
	http   *http.Response // Body re-readable via Raw
}

func (s *server) do(method, path, key string, body []byte, hdr ...string) resp {
	s.t.Helper()
	_, r := s.exchange(method, path, key, body, hdr...)
	return r
}

// exchange sends one request (bearer key, JSON body, extra header pairs) and returns it with the
// decoded answer; the answer's Body is left readable for validators.
func (s *server) exchange(method, path, key string, body []byte, hdr ...string) (*http.Request, resp) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.URL+path, bytes.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	r := resp{Status: res.StatusCode, Header: res.Header, Raw: raw, http: res}
	_ = json.Unmarshal(raw, &r.Body)
	return req, r
}

func (s *server) guest() string {
	s.t.Helper()
	r := s.do("POST", "/api/auth/guest", "", nil)
	if r.Status != 201 || r.Body["success"] != true {
		s.t.Fatalf("guest sign-up: %d %s", r.Status, r.Raw)
	}
	return r.Body["data"].(map[string]any)["apiKey"].(string)
}

func data(r resp) map[string]any { m, _ := r.Body["data"].(map[string]any); return m }

func TestAuth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		if !strings.HasPrefix(key, "xp_") || len(key) != 3+64 {
			t.Fatalf("key format %q", key)
		}
		me := s.do("GET", "/api/me", key, nil)
		if me.Status != 200 || data(me)["id"] == "" || data(me)["apiKeyPrefix"] != key[:11] {
			t.Fatalf("me: %d %s", me.Status, me.Raw)
		}
		for _, k := range []string{"", "xp_" + strings.Repeat("0", 64), "short", key + "x"} {
			r := s.do("GET", "/api/me", k, nil)
			if r.Status != 401 || r.Body["success"] != false || r.Body["error"] != "UNAUTHORIZED" {
				t.Errorf("key %q: %d %s", k, r.Status, r.Raw)
			}
		}
		// Regenerating invalidates the old key at once.
		nk := s.do("POST", "/api/me/api-key", key, nil)
		newKey, _ := data(nk)["apiKey"].(string)
		if nk.Status != 200 || newKey == "" || newKey == key {
			t.Fatalf("regenerate: %d %s", nk.Status, nk.Raw)
		}
		if r := s.do("GET", "/api/me", key, nil); r.Status != 401 {
			t.Fatalf("old key still works: %d", r.Status)
		}
		if r := s.do("GET", "/api/me", newKey, nil); r.Status != 200 || data(r)["id"] != data(me)["id"] {
			t.Fatalf("new key: %d %s", r.Status, r.Raw)
		}
	})
}

func TestFaucetIdempotencyAndCooldown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		first := s.do("POST", "/api/faucet", key, nil, "Idempotency-Key", "claim-1")
		if first.Status != 200 || data(first)["granted"] != 100.0 || data(first)["balance"] != 100.0 {
			t.Fatalf("faucet: %d %s", first.Status, first.Raw)
		}
		again := s.do("POST", "/api/faucet", key, nil, "Idempotency-Key", "claim-1")
		if again.Status != 200 || !bytes.Equal(again.Raw, first.Raw) {
			t.Fatalf("replay differs:\n%s\n%s", first.Raw, again.Raw)
		}
		cool := s.do("POST", "/api/faucet", key, nil, "Idempotency-Key", "claim-2")
		if cool.Status != 429 || cool.Body["error"] != "FAUCET_COOLDOWN" || cool.Body["nextFaucetAt"] == nil ||
			data(cool)["nextFaucetAt"] == nil || cool.Header.Get("Retry-After") == "" {
			t.Fatalf("cooldown: %d %s %v", cool.Status, cool.Raw, cool.Header)
		}
		// Idempotency compares the parsed request: a query parameter the route does not read
		// leaves the request the same, so the first answer replays.
		if r := s.do("POST", "/api/faucet?x=1", key, nil, "Idempotency-Key", "claim-1"); r.Status != 200 || !bytes.Equal(r.Raw, first.Raw) {
			t.Fatalf("replay with an unread query parameter: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/faucet", key, nil, "Idempotency-Key", strings.Repeat("k", 300)); r.Status != 400 || r.Body["field"] != "Idempotency-Key" {
			t.Fatalf("long key: %d %s", r.Status, r.Raw)
		}
		if me := s.do("GET", "/api/me", key, nil); data(me)["credits"] != 100.0 {
			t.Fatalf("credits after replays: %s", me.Raw)
		}
		rep := ledgertest.Check(t, s.app.DB)
		if rep.Transfers != 1 {
			t.Fatalf("%d transfers, want 1", rep.Transfers)
		}
	})
}

// TestConcurrentFaucet: many simultaneous claims on one account, each with its own key, grant
// exactly one claim.
func TestConcurrentFaucet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		var wg sync.WaitGroup
		codes := make(chan int, 32)
		for i := range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes <- s.do("POST", "/api/faucet", key, nil, "Idempotency-Key", fmt.Sprintf("k%d", i)).Status
			}()
		}
		wg.Wait()
		close(codes)
		n := map[int]int{}
		for c := range codes {
			n[c]++
		}
		if n[200] != 1 || n[429] != 31 {
			t.Fatalf("status counts %v", n)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

func TestHealth(t *testing.T) {
	s := newServer(t, store.SQLite)
	for _, p := range []string{"/health/live", "/health/ready"} {
		if r := s.do("GET", p, "", nil); r.Status != 200 || r.Body["status"] != "ok" {
			t.Fatalf("%s: %d %s", p, r.Status, r.Raw)
		}
	}
	h := s.do("GET", "/health", "", nil)
	fr, _ := h.Body["financial_reconciliation"].(map[string]any)
	if h.Status != 200 || h.Body["status"] != "ok" || fr == nil || fr["invariant_holds"] != true || h.Body["version"] != "test" {
		t.Fatalf("/health: %d %s", h.Status, h.Raw)
	}
	s.guest() // a group-committed write, for the store's counters
	m := s.do("GET", "/metrics", "", nil)
	if m.Status != 200 || !bytes.Contains(m.Raw, []byte(`arcade_http_requests_total{code="200",route="GET /health"}`)) ||
		!bytes.Contains(m.Raw, []byte("go_goroutines")) {
		t.Fatalf("/metrics lacks request or runtime metrics:\n%.500s", m.Raw)
	}
	if !bytes.Contains(m.Raw, []byte("arcade_store_writes_total ")) || bytes.Contains(m.Raw, []byte("arcade_store_writes_total 0\n")) ||
		!bytes.Contains(m.Raw, []byte("arcade_store_wal_fsyncs_total ")) || bytes.Contains(m.Raw, []byte("arcade_store_wal_fsyncs_total 0\n")) {
		t.Fatalf("/metrics lacks the store's write counters:\n%s", m.Raw)
	}
}

func TestDrainingReadiness(t *testing.T) {
	sc := storetest.Config(t, store.SQLite)
	a, err := app.New(context.Background(), app.Config{DataDir: sc.DataDir, DrainDelay: 300 * time.Millisecond, DoubleRun: sc.DoubleRun},
		slog.New(slog.NewTextHandler(io.Discard, nil)), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	ln := ts.Listener
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()
	get := func() int {
		r, err := http.Get(url + "/health/ready")
		if err != nil {
			return -1
		}
		r.Body.Close()
		return r.StatusCode
	}
	// The drain lasts until the test has seen its 503: with the real 300 ms sleep a loaded
	// machine (the race run) could miss the whole window and find the listener closed.
	seen := make(chan struct{})
	waited := make(chan time.Duration, 1)
	app.SetDrainWait(a, func(d time.Duration) { waited <- d; <-seen })
	if c := get(); c != 200 {
		t.Fatalf("ready before drain: %d", c)
	}
	cancel()
	deadline := time.Now().Add(30 * time.Second) // liveness only: the drain waits for us
	for get() != 503 {
		if time.Now().After(deadline) {
			t.Fatal("ready never answered 503 while draining")
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(seen)
	if d := <-waited; d != 300*time.Millisecond {
		t.Errorf("drained for %v, want the configured 300ms", d)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// TestOpenAPI: the document is valid OpenAPI 3.1 (checked by libopenapi-validator), documents
// exactly the routes that are served, and real answers validate against it.
func TestOpenAPI(t *testing.T) {
	s := newServer(t, store.SQLite)
	r := s.do("GET", "/openapi.json", "", nil)
	if r.Status != 200 || r.Body["openapi"] != "3.1.0" {
		t.Fatalf("openapi: %d %.200s", r.Status, r.Raw)
	}
	doc, err := libopenapi.NewDocument(r.Raw)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("invalid document: %s: %s", e.Message, e.Reason)
		}
		t.FailNow()
	}
	// Documented == served.
	documented := map[string]bool{}
	for path, item := range r.Body["paths"].(map[string]any) {
		for method := range item.(map[string]any) {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, p := range s.app.Router.Patterns() {
		served[p] = true
		if !documented[p] {
			t.Errorf("served but not documented: %s", p)
		}
	}
	for p := range documented {
		if !served[p] {
			t.Errorf("documented but not served: %s", p)
		}
		// And the mux really answers it: not its plain-text 404/405.
		method, path, _ := strings.Cut(p, " ")
		path = strings.NewReplacer("{id}", "00000000-0000-0000-0000-000000000000").Replace(path)
		res := s.do(method, path, "", nil)
		if ct := res.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/plain; charset=utf-8") && (res.Status == 404 || res.Status == 405) {
			t.Errorf("documented route %s is not served: %d %s", p, res.Status, res.Raw)
		}
	}
	// Real answers validate against the document.
	key := s.guest()
	for _, c := range []struct{ method, path, key string }{
		{"GET", "/api/me", key}, {"GET", "/api/me", ""}, {"POST", "/api/faucet", key}, {"POST", "/api/faucet", key},
		{"GET", "/health", ""}, {"GET", "/health/live", ""}, {"POST", "/api/auth/guest", ""},
	} {
		req, _ := http.NewRequest(c.method, s.URL+c.path, nil)
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader(raw))
		if ok, verrs := v.ValidateHttpResponse(req, res); !ok {
			for _, e := range verrs {
				t.Errorf("%s %s (%d) does not match the document: %s %s\n%s", c.method, c.path, res.StatusCode, e.Message, e.Reason, raw)
			}
		}
	}
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func randReader() io.Reader { return crand.Reader }

// TestHealthIncrementalCheck: a write transaction that slips a transfer into the ledger with raw
// SQL (no balance moves with it) is caught by the incremental check as it commits, and /health
// says so at once, long before the next full audit (ARCADE_AUDIT_SECONDS, here an hour).
// Without the check (store.Config.BeforeCommit unset in app.New) /health stays "ok".
func TestHealthIncrementalCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e, func(c *app.Config) { c.AuditEvery = time.Hour })
		s.guest()
		h := s.do("GET", "/health", "", nil) // the first full audit, clean
		fr, _ := h.Body["financial_reconciliation"].(map[string]any)
		inc, _ := fr["incremental"].(map[string]any)
		if h.Body["status"] != "ok" || inc == nil || inc["violations"] != 0.0 {
			t.Fatalf("/health before: %s", h.Raw)
		}
		if err := s.app.DB.Write(context.Background(), func(ctx context.Context, q store.Q) error {
			_, err := q.Exec(ctx, `INSERT INTO ledger_transfers (asset, from_account, to_account, amount, kind, ref, created_at)
				VALUES ('CREDIT', 'house:CREDIT', 'faucet:CREDIT', 7, 'forged', 'x', 0)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		h = s.do("GET", "/health", "", nil)
		fr, _ = h.Body["financial_reconciliation"].(map[string]any)
		inc, _ = fr["incremental"].(map[string]any)
		if h.Body["status"] != "degraded" || fr["invariant_holds"] != false || inc["violations"] != 1.0 || inc["batches_checked"].(float64) < 1 ||
			!strings.Contains(fmt.Sprint(inc["last_violation"]), "without a transfer") && !strings.Contains(fmt.Sprint(inc["last_violation"]), "its transfers") {
			t.Fatalf("/health after a forged transfer: %s", h.Raw)
		}
		// The full audit agrees.
		if r, _ := ledger.Audit(context.Background(), s.app.DB); r.OK {
			t.Fatal("the full audit finds nothing wrong")
		}
	})
}
