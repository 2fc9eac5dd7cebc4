package app_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/arcadehq/arcade/internal/store"
)

// BenchmarkPersonaTurn: rule-based persona turns over HTTP (the SDK's message route, X-API-Key)
// by 64 players at once, and /health/live under the same load shape in the same run; the ratio
// turns ÷ health is the figure to read on a shared machine.
//
//	go test ./internal/app -run '^$' -bench PersonaTurn -benchtime 3000x
func BenchmarkPersonaTurn(b *testing.B) {
	s := newServer(b, store.SQLite)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 4 * benchAgents, MaxIdleConnsPerHost: 4 * benchAgents}}
	const kael = "/api/v1/sdk/chat/merchant-kael"
	type player struct{ key, usid string }
	post := func(path, key string, body []byte) (int, error) {
		req, _ := http.NewRequest("POST", s.URL+path, bytes.NewReader(body))
		req.Header.Set("X-API-Key", key)
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, nil
	}
	// start opens a session and greets Kael, which moves it to haggling: there "I want to buy a
	// lantern" names no price, a redirect that costs nothing, so the session stays open for
	// turn.MaxTurns messages. (In the greeting state the same words are a costly redirect that
	// ends the haggle at the early-fail bound every third message.)
	start := func(p player) (int, error) {
		if st, err := post(kael+"/init-session", p.key, body(map[string]any{"user_session_id": p.usid})); err != nil || st != 200 {
			return st, err
		}
		return post(kael+"/message", p.key, body(map[string]any{"user_session_id": p.usid, "message": "Hello there"}))
	}
	players := make(chan player, benchAgents)
	for i := range benchAgents {
		p := player{s.guest(), fmt.Sprintf("bench-%d", i)}
		if st, err := start(p); err != nil || st != 200 {
			b.Fatalf("init: %d %v", st, err)
		}
		players <- p
	}
	var turns, health float64
	for _, phase := range []string{"turn", "health"} {
		b.Run(phase, func(b *testing.B) {
			b.SetParallelism((benchAgents + 1) / 2)
			var failed atomic.Value
			cpu0 := cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				p := <-players
				defer func() { players <- p }()
				// A redirect in haggling: the session stays open (it holds 500 turns; then it restarts).
				msg := body(map[string]any{"user_session_id": p.usid, "message": "I want to buy a lantern"})
				for pb.Next() {
					if phase == "health" {
						res, err := hc.Get(s.URL + "/health/live")
						if err != nil {
							failed.Store(err)
							return
						}
						_, _ = io.Copy(io.Discard, res.Body)
						res.Body.Close()
						continue
					}
					st, err := post(kael+"/message", p.key, msg)
					if err == nil && st == 409 {
						st, err = start(p)
					}
					if err != nil || st != 200 {
						failed.Store(fmt.Errorf("message: %d %v", st, err))
						return
					}
				}
			})
			if err := failed.Load(); err != nil {
				b.Fatal(err)
			}
			rate := float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rate, phase+"s/s")
			// CPU per request (server and client, this process) is steadier than wall time on a
			// shared machine; at saturation its inverse ratio is the throughput ratio.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
			if phase == "turn" {
				turns = rate
			} else {
				health = rate
			}
		})
	}
	if turns > 0 && health > 0 {
		b.Logf("persona turns %.0f/s, /health/live %.0f/s: ratio %.2f (goal ≥ 0.25)", turns, health, turns/health)
	}
}
