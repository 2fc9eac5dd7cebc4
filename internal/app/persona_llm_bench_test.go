package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/persona/llm"
	"github.com/arcadehq/arcade/internal/persona/llm/llmtest"
	"github.com/arcadehq/arcade/internal/store"
)

// firstEvent posts body to url and returns the time until the first line for which match holds
// (the rest of the answer is read and dropped).
func firstEvent(hc *http.Client, url string, hdr map[string]string, body []byte, match func(string) bool) (time.Duration, error) {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	t0 := time.Now()
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		return 0, fmt.Errorf("status %d", res.StatusCode)
	}
	var first time.Duration
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if first == 0 && match(sc.Text()) {
			first = time.Since(t0)
		}
	}
	if first == 0 {
		return 0, fmt.Errorf("no matching event")
	}
	return first, sc.Err()
}

// BenchmarkPersonaLLMFirstDelta: a streamed turn's time to its first text_delta with the LLM
// evaluator against the local streaming chat-completions server, beside that server's own time to
// first token measured by a client streaming from it directly, interleaved in the same run. The
// server is paced like a model: its first token comes after ttft and the evaluation's JSON after
// the same delay (ttft=0: Arcade's own overhead only). A turn's first delta waits for the whole
// evaluation, then for the reply's first token, so the floor of the ratio is 2 when ttft dominates.
//
//	go test ./internal/app -run '^$' -bench PersonaLLMFirstDelta -benchtime 200x
func BenchmarkPersonaLLMFirstDelta(b *testing.B) {
	for _, ttft := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run(fmt.Sprintf("ttft=%s", ttft), func(b *testing.B) {
			script := llmtest.Kael()
			srv := llmtest.New(b, func(c llmtest.Call) llmtest.Answer {
				a := script.Answer(c)
				if c.Schema != "" {
					a.Delay = ttft
				}
				return a
			})
			srv.FirstToken, srv.PerToken = ttft, time.Millisecond
			s := newServer(b, store.SQLite, func(c *app.Config) { c.LLM = llm.Config{URL: srv.URL, Model: "m"} })
			hc := &http.Client{}
			key := s.guest()
			hdr := map[string]string{"X-API-Key": key}
			const kael = "/api/v1/sdk/chat/merchant-kael"
			start := func(usid string) {
				r := s.do("POST", kael+"/init-session", "", body(map[string]any{"user_session_id": usid}), "X-API-Key", key)
				if r.Status != 200 {
					b.Fatalf("init: %d %s", r.Status, r.Raw)
				}
				if r := s.do("POST", kael+"/message", "", body(map[string]any{"user_session_id": usid, "message": "Hello there"}), "X-API-Key", key); r.Status != 200 {
					b.Fatalf("greet: %d %s", r.Status, r.Raw)
				}
			}
			// A redirect in the haggling state: the session stays open (500 turns, then a new player).
			player := 0
			usid := "p0"
			start(usid)
			direct, _ := json.Marshal(llm.Request{Model: "m", Stream: true, Messages: []llm.Message{{Role: "system",
				Content: "The designer's line for this moment (say it in your own words, keeping its facts): Name a price in gold, or walk on.\n"},
				{Role: "user", Content: "I want to buy a lantern"}}})
			isDelta := func(l string) bool { return l == "event: text_delta" }
			isToken := func(l string) bool {
				return strings.HasPrefix(l, "data: {") && strings.Contains(l, `"content":"`) && !strings.Contains(l, `"content":""`)
			}
			var turns, tokens []time.Duration
			b.ResetTimer()
			for i := range b.N {
				if i > 0 && i%400 == 0 {
					player++
					usid = fmt.Sprintf("p%d", player)
					b.StopTimer()
					start(usid)
					b.StartTimer()
				}
				d, err := firstEvent(hc, srv.URL+"/chat/completions", nil, direct, isToken)
				if err != nil {
					b.Fatal(err)
				}
				tokens = append(tokens, d)
				d, err = firstEvent(hc, s.URL+kael+"/message/stream", hdr,
					body(map[string]any{"user_session_id": usid, "message": "I want to buy a lantern"}), isDelta)
				if err != nil {
					b.Fatal(err)
				}
				turns = append(turns, d)
			}
			b.StopTimer()
			pct := func(xs []time.Duration, p float64) time.Duration {
				xs = slices.Clone(xs)
				slices.Sort(xs)
				return xs[int(p*float64(len(xs)-1))]
			}
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			t50, t99, k50, k99 := pct(turns, .5), pct(turns, .99), pct(tokens, .5), pct(tokens, .99)
			b.ReportMetric(ms(t50), "delta-p50-ms")
			b.ReportMetric(ms(k50), "token-p50-ms")
			b.ReportMetric(ms(t50)/ms(k50), "ratio-p50")
			b.Logf("ttft=%s, %d turns: first text_delta p50 %.2f ms p99 %.2f ms; the server's own first token p50 %.2f ms p99 %.2f ms; "+
				"ratio p50 %.2f, difference p50 %.2f ms", ttft, len(turns), ms(t50), ms(t99), ms(k50), ms(k99), ms(t50)/ms(k50), ms(t50-k50))
		})
	}
}
