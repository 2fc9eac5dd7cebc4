package app_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/x402/x402pay"
)

// BenchmarkV1PaidBet measures paid bets per second over HTTP on the sandbox, benchAgents agents
// at once (each its own wallet, paying with x402pay), next to the free GET /api/v1/seed/commit
// at the same concurrency in the same run (the phases interleaved), on SQLite with the
// double-run check off (as arcade serve runs). Each of the b.N operations is done once per phase:
//
//	paid     the whole x402 exchange of a client that knows nothing: POST → 402 → sign → POST
//	         with PAYMENT-SIGNATURE → settled bet (two requests, one signature)
//	direct   the same bet paid at once by a client that kept the offer from an earlier 402
//	presigned  the same, its authorization signed before the clock started (the server alone:
//	         a client signs on its own machine)
//	commit   GET /api/v1/seed/commit (free, a read)
//
// Metrics: each phase's operations a second and its ratio to commit/s; the ledger invariant is
// checked at the end. BENCH_PHASES=presigned,commit runs some phases (to profile one),
// BENCH_ENGINE=postgres uses ARCADE_TEST_POSTGRES_URL, BENCH_UNSAFE=1 skips fsync.
//
//	go test ./internal/app -run '^$' -bench V1PaidBet -benchtime 4000x -count 3
func BenchmarkV1PaidBet(b *testing.B) {
	engine := store.SQLite
	if os.Getenv("BENCH_ENGINE") == "postgres" { // needs ARCADE_TEST_POSTGRES_URL
		engine = store.Postgres
	}
	s := newServer(b, engine, func(c *app.Config) { c.DoubleRun = false; c.UnsafeDurability = os.Getenv("BENCH_UNSAFE") == "1" })
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 4 * benchAgents, MaxIdleConnsPerHost: 4 * benchAgents}}
	type agent struct {
		pay    *x402pay.Client
		nonce  atomic.Int64
		offer  *x402pay.PaymentRequired
		signed chan string // presigned payment headers
	}
	agents := make([]*agent, benchAgents)
	url := s.URL + "/api/v1/games/coinflip?stake=micro"
	body := func(a *agent) []byte {
		return fmt.Appendf(nil, `{"client_seed":"bench","nonce":%d,"choice":"heads"}`, a.nonce.Add(1))
	}
	for i := range agents {
		k, _ := crypto.GenerateKey()
		a := &agent{pay: &x402pay.Client{Key: k, MaxAmount: 10_000_000, HTTP: hc}}
		req, _ := http.NewRequest("POST", url, bytes.NewReader(body(a)))
		res, err := hc.Do(req)
		if err != nil || res.StatusCode != 402 {
			b.Fatalf("offer: %v", err)
		}
		if a.offer, err = x402pay.ReadPaymentRequired(res); err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		agents[i] = a
	}
	sign := func(a *agent) string {
		p, err := a.pay.Pay(a.offer, a.offer.Accepts[0])
		if err != nil {
			b.Error(err)
		}
		h, _ := x402pay.Encode(p)
		return h
	}
	// presigned takes one of a's payments signed before the clock started; an agent that drew
	// more than its share of operations signs the rest on the spot.
	presigned := func(a *agent) string {
		select {
		case h := <-a.signed:
			return h
		default:
			return sign(a)
		}
	}
	ok := func(res *http.Response, err error) error {
		if err != nil {
			return err
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			return fmt.Errorf("%d %s", res.StatusCode, raw)
		}
		return nil
	}
	type phase struct {
		name string
		op   func(a *agent) error
	}
	phases := []phase{
		{"paid", func(a *agent) error {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(body(a)))
			req.Header.Set("Content-Type", "application/json")
			return ok(a.pay.Do(req))
		}},
		{"direct", func(a *agent) error {
			p, err := a.pay.Pay(a.offer, a.offer.Accepts[0])
			if err != nil {
				return err
			}
			h, _ := x402pay.Encode(p)
			return postPaid(hc, url, h, body(a))
		}},
		{"presigned", func(a *agent) error {
			return postPaid(hc, url, presigned(a), body(a))
		}},
		// exchange: what @x402/fetch makes the server do (the 402, then the paid request), with
		// the client's signing done beforehand as in presigned.
		{"exchange", func(a *agent) error {
			req, _ := http.NewRequest("POST", url, bytes.NewReader(body(a)))
			req.Header.Set("Content-Type", "application/json")
			res, err := hc.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != 402 {
				return fmt.Errorf("exchange: %d before paying", res.StatusCode)
			}
			return postPaid(hc, url, presigned(a), body(a))
		}},
		{"commit", func(*agent) error { return ok(hc.Get(s.URL + "/api/v1/seed/commit")) }},
	}
	if only := os.Getenv("BENCH_PHASES"); only != "" { // e.g. presigned,commit: to profile one phase
		phases = slices.DeleteFunc(phases, func(p phase) bool { return !strings.Contains(","+only+",", ","+p.name+",") })
	}
	// Warm up: every wallet's account exists and every connection is open.
	for _, ph := range phases {
		if ph.name == "presigned" || ph.name == "exchange" {
			continue
		}
		var wg sync.WaitGroup
		for _, a := range agents {
			wg.Go(func() {
				if err := ph.op(a); err != nil {
					b.Errorf("warm-up %s: %v", ph.name, err)
				}
			})
		}
		wg.Wait()
	}
	if b.Failed() {
		return
	}
	// Each agent signs its presigned and exchange phases' payments before the clock starts, as
	// clients on their own machines would: those phases measure the server alone.
	for _, a := range agents {
		a.signed = make(chan string, 2*(b.N/benchAgents+benchSlices+1)) // presigned and exchange
		for range cap(a.signed) {
			a.signed <- sign(a)
		}
	}
	b.ResetTimer()
	// The phases alternate in benchSlices of the b.N operations, so that a change in the machine's
	// load (it is shared) weighs on each alike.
	// CPU time per operation (server and bench client together, in this process) is reported
	// beside the rates: it barely moves with the machine's load, where the rates do.
	spent, cpu := map[string]time.Duration{}, map[string]time.Duration{}
	for i := range benchSlices {
		n := b.N / benchSlices
		if i == benchSlices-1 {
			n = b.N - n*(benchSlices-1)
		}
		for _, ph := range phases {
			var left atomic.Int64
			left.Store(int64(n))
			var failed atomic.Int64
			start, cpu0 := time.Now(), cpuTime()
			var wg sync.WaitGroup
			for _, a := range agents {
				wg.Go(func() {
					for left.Add(-1) >= 0 {
						if err := ph.op(a); err != nil && failed.Add(1) == 1 {
							b.Errorf("%s: %v", ph.name, err)
						}
					}
				})
			}
			wg.Wait()
			spent[ph.name] += time.Since(start)
			cpu[ph.name] += cpuTime() - cpu0
		}
	}
	rate := map[string]float64{}
	for name, d := range spent {
		rate[name] = float64(b.N) / d.Seconds()
	}
	b.StopTimer()
	b.ReportMetric(rate["paid"], "paid/s")
	b.ReportMetric(rate["direct"], "direct/s")
	b.ReportMetric(rate["presigned"], "presigned/s")
	b.ReportMetric(rate["presigned"]/rate["commit"], "presigned/commit")
	b.ReportMetric(rate["exchange"], "exchange/s")
	b.ReportMetric(rate["exchange"]/rate["commit"], "exchange/commit")
	b.ReportMetric(rate["commit"], "commit/s")
	b.ReportMetric(rate["paid"]/rate["commit"], "paid/commit")
	b.ReportMetric(rate["direct"]/rate["commit"], "direct/commit")
	for name, d := range cpu {
		b.ReportMetric(float64(d.Microseconds())/float64(b.N), name+"-cpu-us/op")
	}
	if w, n := metricValue(b, hc, s.URL, "arcade_store_writes_total"), metricValue(b, hc, s.URL, "arcade_store_write_batches_total"); n > 0 {
		b.ReportMetric(w/n, "writes/batch") // how well group commit batches the bets
	}
	ledgertest.Check(b, s.app.DB)
}

// metricValue reads one unlabelled counter or gauge from the server's /metrics.
func metricValue(b *testing.B, hc *http.Client, base, name string) float64 {
	res, err := hc.Get(base + "/metrics")
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	for line := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// benchSlices is how many slices BenchmarkV1PaidBet's phases alternate in.
const benchSlices = 10

// postPaid posts body to url with a payment header and wants 200.
func postPaid(hc *http.Client, url, payment string, body []byte) error {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(x402pay.HeaderPaymentSignature, payment)
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		return fmt.Errorf("%d %s", res.StatusCode, raw)
	}
	return nil
}
