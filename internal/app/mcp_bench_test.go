package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/mcpapi/mcptest"
	"github.com/arcadehq/arcade/internal/store"
)

// benchAgents is how many agents play at once in BenchmarkDiceRound.
const benchAgents = 64

// BenchmarkDiceRound plays one dice round (1 credit over 1, so a guest's Free Credits last
// thousands of rounds) through each binding of the same operation, benchAgents agents at once,
// each with its own key, on SQLite. The server is newServer's: Config.RateLimit and SignUpLimit
// are zero, so the per-key, per-tool and sign-up limits are off and do not throttle the load.
//
//	rest     POST /api/games/dice/round
//	tools    POST /api/openclaw/tools {tool: xpersona_place_dice_round}
//	mcp      tools/call over /mcp (streamable HTTP), JSON-RPC posted by a plain HTTP client
//	mcp-sdk  the same call made by the SDK's own client (one session per agent)
//
// ns/op is wall time per round across all agents, cpu-µs/round the CPU this process (server and
// client) spent per round; compare the bindings within one run:
//
//	go test ./internal/app -run '^$' -bench DiceRound -benchtime 3s -count 3
func BenchmarkDiceRound(b *testing.B) {
	s := newServer(b, store.SQLite)
	hc := &http.Client{Transport: &http.Transport{MaxIdleConns: 4 * benchAgents, MaxIdleConnsPerHost: 4 * benchAgents}}
	s.do("GET", "/health/live", "", nil)
	type player func() error
	bindings := []struct {
		name string
		join func(key string) player
	}{
		{"rest", func(key string) player {
			body := []byte(`{"amount":1,"target":1,"condition":"over"}`)
			return func() error { return postOK(hc, s.URL+"/api/games/dice/round", key, body, nil) }
		}},
		{"tools", func(key string) player {
			body := []byte(`{"tool":"xpersona_place_dice_round","parameters":{"amount":1,"target":1,"condition":"over"}}`)
			return func() error { return postOK(hc, s.URL+"/api/openclaw/tools", key, body, nil) }
		}},
		{"mcp", func(key string) player {
			sess, err := mcpInit(hc, s.URL+"/mcp", key)
			if err != nil {
				b.Fatal(err)
			}
			var id atomic.Int64
			return func() error {
				body := fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"xpersona_place_dice_round",`+
					`"arguments":{"amount":1,"target":1,"condition":"over"}}}`, id.Add(1))
				return postOK(hc, s.URL+"/mcp", key, body, sess)
			}
		}},
		{"mcp-sdk", func(key string) player {
			tr := &mcp.StreamableClientTransport{Endpoint: s.URL + "/mcp", DisableStandaloneSSE: true,
				HTTPClient: &http.Client{Transport: bearerOn{key, hc.Transport}}}
			cs, err := mcptest.Client().Connect(context.Background(), tr, nil)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = cs.Close() })
			args := map[string]any{"amount": 1, "target": 1, "condition": "over"}
			return func() error {
				res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "xpersona_place_dice_round", Arguments: args})
				if err == nil && res.IsError {
					err = fmt.Errorf("tool error: %v", res.StructuredContent)
				}
				return err
			}
		}},
	}
	for _, bd := range bindings {
		// Each binding's agents sign up and claim their Free Credits before the clock starts.
		players := make(chan player, benchAgents)
		for range benchAgents {
			key := s.guest()
			if r := s.do("POST", "/api/faucet", key, nil); r.Status != 200 {
				b.Fatalf("faucet: %d %s", r.Status, r.Raw)
			}
			players <- bd.join(key)
		}
		b.Run(bd.name, func(b *testing.B) {
			b.SetParallelism((benchAgents + 1) / 2) // × GOMAXPROCS goroutines: 64 agents on 2 cores
			var failed atomic.Value
			cpu0 := cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var play player
				select {
				case play = <-players:
				default:
					b.Error("more goroutines than agents")
					return
				}
				defer func() { players <- play }()
				for pb.Next() {
					if err := play(); err != nil {
						failed.Store(err)
						return
					}
				}
			})
			if err := failed.Load(); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rounds/s")
			// CPU per round (server and client, this process) is steadier than wall time on a
			// shared machine, and at saturation its inverse ratio is the throughput ratio.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/round")
		})
	}
	ledgertest.Check(b, s.app.DB)
}

// postOK posts body and fails on anything but a 200 with a successful answer (the /api and tools
// envelopes' success:true, or a JSON-RPC result that is not a tool error).
func postOK(hc *http.Client, url, key string, body []byte, session *string) error {
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	if session != nil {
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Session-Id", *session)
		req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	if res.StatusCode != 200 {
		return fmt.Errorf("%s: %d %s", url, res.StatusCode, raw)
	}
	if session != nil {
		if bytes.Contains(raw, []byte(`"isError":true`)) || !bytes.Contains(raw, []byte(`"result"`)) {
			return fmt.Errorf("%s: %s", url, raw)
		}
	} else if !bytes.HasPrefix(raw, []byte(`{"success":true`)) && !bytes.Contains(raw, []byte(`"success":true`)) {
		return fmt.Errorf("%s: %s", url, raw)
	}
	return nil
}

// mcpInit opens an MCP session with plain HTTP (initialize, then the initialized notification)
// and returns its id.
func mcpInit(hc *http.Client, url, key string) (*string, error) {
	post := func(body, session string) (*http.Response, []byte, error) {
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", "Bearer "+key)
		if session != "" {
			req.Header.Set("Mcp-Session-Id", session)
			req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
		}
		res, err := hc.Do(req)
		if err != nil {
			return nil, nil, err
		}
		raw, err := io.ReadAll(res.Body)
		res.Body.Close()
		return res, raw, err
	}
	res, raw, err := post(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",`+
		`"capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`, "")
	if err != nil {
		return nil, err
	}
	var init struct {
		Result struct {
			ProtocolVersion string `json:"protocolVersion"`
		} `json:"result"`
	}
	sess := res.Header.Get("Mcp-Session-Id")
	if res.StatusCode != 200 || json.Unmarshal(raw, &init) != nil || sess == "" || init.Result.ProtocolVersion == "" {
		return nil, fmt.Errorf("initialize: %d %s", res.StatusCode, raw)
	}
	if res, raw, err = post(`{"jsonrpc":"2.0","method":"notifications/initialized"}`, sess); err != nil || res.StatusCode/100 != 2 {
		return nil, fmt.Errorf("initialized: %v %s", err, raw)
	}
	return &sess, nil
}

// cpuTime is the CPU time this process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bearerOn adds an API key to every request, over next.
type bearerOn struct {
	key  string
	next http.RoundTripper
}

func (b bearerOn) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.key)
	return b.next.RoundTrip(r)
}
