package app_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/persona/llm"
	"github.com/arcadehq/arcade/internal/persona/llm/llmtest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// syncBuffer is a log sink several goroutines write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// llmServer is a server whose persona evaluator is the LLM one on srv, logging everything (debug
// level included) to logs; dataDir is its SQLite directory ("" on PostgreSQL).
func llmServer(t *testing.T, e store.Engine, srv *llmtest.Server, timeout time.Duration, logs io.Writer) (s *docServer, dataDir string) {
	t.Helper()
	sc := storetest.Config(t, e)
	cfg := app.Config{DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, Version: "test", DoubleRun: sc.DoubleRun,
		LLM: llm.Config{URL: srv.URL, Model: "server-model", Timeout: timeout}}
	if os.Getenv("ARCADE_TEST_LOG") == "1" {
		logs = io.MultiWriter(logs, os.Stderr)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() { ts.Close(); a.DB.Close() })
	s = withDoc(&server{Server: ts, app: a, t: t})
	s.evaluator = llm.Name
	if sc.DatabaseURL == "" {
		dataDir = sc.DataDir
	}
	return s, dataDir
}

const clientLLMKey = "sk-client-0123456789-secret"

// TestPersonaSDKPlaysKaelWithLLM: the same end-to-end scenario as the rule-based evaluator's
// (TestPersonaSDKPlaysKael: transitions, a redirect, a follow-up, scoring, an outcome, output
// variables carried on, a link unlocking and auto-advancing, the stream, history, machines,
// progress, resets), played by the LLM evaluator against the local chat-completions server with
// the client's key in X-LLM-API-Key. The key reaches the model on every call and is never stored
// or logged; no model call runs inside a write (the double-run mode would make it twice).
func TestPersonaSDKPlaysKaelWithLLM(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		srv := llmtest.New(t, llmtest.Kael().Answer)
		srv.Key = clientLLMKey
		logs := &syncBuffer{}
		s, dataDir := llmServer(t, e, srv, 0, logs)
		s.hdr = []string{"X-LLM-API-Key", clientLLMKey, "X-LLM-Model", "client-model"}
		playKael(t, s)

		calls := srv.Calls()
		streamed := 0
		for _, c := range calls {
			// validate-llm-key's one-token checks name the model they check ("gpt-4o" once).
			if c.Auth != "Bearer "+clientLLMKey || c.Request.Model != "client-model" && c.Request.MaxTokens != 1 {
				t.Fatalf("a model call without the client's key and model: %q %q", c.Auth, c.Request.Model)
			}
			if c.Request.Stream {
				streamed++
			}
		}
		if streamed != 1 {
			t.Fatalf("%d streamed model calls, want the streamed turn's reply", streamed)
		}

		// One start, one turn: one model call each step, however often the write runs.
		key := s.guest()
		before := len(srv.Calls())
		if r := s.sdk("POST", "/api/v1/sdk/chat/merchant-kael/init-session", key, map[string]any{"user_session_id": "u2", "player_name": "Bo"}); r.Status != 200 ||
			!strings.Contains(r.Body["message"].(string), "Bo") || r.Body["evaluator"] != llm.Name {
			t.Fatalf("init: %d %s", r.Status, r.Raw)
		}
		if n := len(srv.Calls()) - before; n != 1 {
			t.Fatalf("init-session made %d model calls, want 1 (the opening line, before the write)", n)
		}
		before = len(srv.Calls())
		expect(t, s.say(key, "merchant-kael", "u2", "Hello there"), map[string]any{"current_state": "haggling", "score": 1})
		if n := len(srv.Calls()) - before; n != 2 {
			t.Fatalf("a turn made %d model calls, want 2 (evaluation, reply)", n)
		}

		// Never stored: not in any persona row, not anywhere in the SQLite files.
		for _, q := range []string{`SELECT COUNT(*) FROM persona_progress WHERE state LIKE ?`, `SELECT COUNT(*) FROM persona_messages WHERE content LIKE ?`,
			`SELECT COUNT(*) FROM personas WHERE definition LIKE ?`} {
			if n := s.count(q, "%"+clientLLMKey+"%"); n != 0 {
				t.Fatalf("%s: %d", q, n)
			}
		}
		if dataDir != "" {
			_ = filepath.WalkDir(dataDir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(clientLLMKey)) {
					t.Errorf("the client's LLM key is stored in %s", path)
				}
				return nil
			})
		}
		// Never logged, though every request was.
		if l := logs.String(); !strings.Contains(l, "/api/v1/sdk/chat/merchant-kael/message") || strings.Contains(l, clientLLMKey) {
			t.Fatalf("logs (%d bytes) hold the key or no request", len(l))
		}
	})
}

// TestPersonaLLMFallbacksOverHTTP: a malformed evaluation, a timeout and a choice that does not
// leave the current state answer 200 with a redirect whose reply says so, on /message and on the
// stream, never a 500; a wrong key makes validate-llm-key answer valid: false with the status.
func TestPersonaLLMFallbacksOverHTTP(t *testing.T) {
	script := llmtest.Kael()
	srv := llmtest.New(t, script.Answer)
	// The calls that must succeed run on a clock no loaded machine reaches: they used to share a
	// 300 ms one with the timeout case, and a slow answer turned the malformed or refused case
	// (or the deal at the end) into a timeout. The timeout case has a server of its own below.
	s, _ := llmServer(t, store.SQLite, srv, 2*time.Minute, io.Discard)
	key := s.guest()
	const kael = "/api/v1/sdk/chat/merchant-kael"
	if r := s.sdk("POST", kael+"/init-session", key, map[string]any{"user_session_id": "u1", "player_name": "Ada"}); r.Status != 200 {
		t.Fatalf("init: %d %s", r.Status, r.Raw)
	}
	expect(t, s.say(key, "merchant-kael", "u1", "Hello there"), map[string]any{"current_state": "haggling", "score": 1})
	// fallback says "60 gold" on /message and on the stream, each a redirect saying why.
	fallback := func(s *docServer, key, name, says string, state string, score int, redirects *int) {
		t.Helper()
		*redirects++
		got := s.say(key, "merchant-kael", "u1", "60 gold")
		expect(t, got, map[string]any{"current_state": state, "score": score, "decision": "redirect", "redirect_count": *redirects, "outcome": nil})
		if msg := got["message"].(string); !strings.Contains(msg, says) {
			t.Fatalf("%s: reply %q", name, msg)
		}
		*redirects++
		r := s.sdk("POST", kael+"/message/stream", key, map[string]any{"user_session_id": "u1", "message": "60 gold"})
		names, evs := sse(t, r.Raw)
		if r.Status != 200 || len(names) < 3 || names[0] != "metadata" || names[len(names)-1] != "done" {
			t.Fatalf("%s: stream %d %v", name, r.Status, names)
		}
		done := evs[len(evs)-1]
		if evs[0]["decision"] != "redirect" || done["decision"] != "redirect" || !strings.Contains(evs[1]["text"].(string), says) ||
			done["message"] != evs[1]["text"] {
			t.Fatalf("%s: stream %v", name, evs)
		}
	}
	redirects := 0
	for _, c := range []struct {
		name   string
		answer llmtest.Answer
		says   string
	}{
		{"malformed", llmtest.Answer{Content: `{"choice": "t3", oops`}, "malformed"},
		{"a transition of another state", llmtest.Answer{Content: `{"choice":"t1","reason":"x"}`}, "does not leave this state"},
	} {
		srv.SetScript(func(call llmtest.Call) llmtest.Answer {
			if call.Schema == llm.EvalSchema {
				return c.answer
			}
			return script.Answer(call)
		})
		fallback(s, key, c.name, c.says, "haggling", 1, &redirects)
	}
	srv.SetScript(script.Answer)
	expect(t, s.say(key, "merchant-kael", "u1", "60 gold"), map[string]any{"current_state": "deal", "outcome": "ACCEPT"})

	// The timeout: a model that never answers an evaluation (its server waits for the call to
	// give up), behind a 300 ms clock. Nothing on this server needs an answer in time: an
	// opening line that misses the clock falls back to the designer's.
	slow := llmtest.New(t, func(call llmtest.Call) llmtest.Answer {
		a := script.Answer(call)
		if call.Schema == llm.EvalSchema {
			a.Delay = time.Hour
		}
		return a
	})
	ss, _ := llmServer(t, store.SQLite, slow, 300*time.Millisecond, io.Discard)
	skey := ss.guest()
	if r := ss.sdk("POST", kael+"/init-session", skey, map[string]any{"user_session_id": "u1", "player_name": "Ada"}); r.Status != 200 {
		t.Fatalf("init on the slow model: %d %s", r.Status, r.Raw)
	}
	slowRedirects := 0
	fallback(ss, skey, "timeout", "did not answer in time", "greeting", 0, &slowRedirects)

	srv.Key = clientLLMKey
	r := s.sdk("POST", "/api/v1/sdk/validate-llm-key", key, map[string]any{"model": "m2"})
	if r.Status != 200 || r.Body["valid"] != false || !strings.Contains(r.Body["error"].(string), "401") || r.Body["model"] != "server-model" {
		t.Fatalf("validate with the server's (missing) key: %d %s", r.Status, r.Raw)
	}
	s.hdr = []string{"X-LLM-API-Key", "sk-wrong"}
	if r := s.sdk("POST", "/api/v1/sdk/validate-llm-key", key, map[string]any{"model": "m2"}); r.Status != 200 || r.Body["valid"] != false ||
		r.Body["model"] != "m2" || strings.Contains(string(r.Raw), "sk-wrong") {
		t.Fatalf("validate a wrong key: %d %s", r.Status, r.Raw)
	}
	s.hdr = []string{"X-LLM-API-Key", clientLLMKey}
	if r := s.sdk("POST", "/api/v1/sdk/validate-llm-key", key, map[string]any{"model": "m2"}); r.Status != 200 || r.Body["valid"] != true ||
		r.Body["model"] != "m2" || r.Body["error"] != nil {
		t.Fatalf("validate the right key: %d %s", r.Status, r.Raw)
	}
	// A wrong key on a turn: a redirect saying the endpoint refused, never a 500.
	s.hdr = []string{"X-LLM-API-Key", "sk-wrong"}
	if r := s.sdk("POST", "/api/v1/sdk/chat/merchant-kael/init-session", key, map[string]any{"user_session_id": "u3"}); r.Status != 200 {
		t.Fatalf("init with a wrong key: %d %s", r.Status, r.Raw)
	}
	got := s.say(key, "merchant-kael", "u3", "Hello there")
	if got["decision"] != "redirect" || !strings.Contains(got["message"].(string), "401") {
		t.Fatalf("turn with a wrong key: %v", got)
	}
}

// TestPersonaLLMHeadersWithoutEndpoint: without ARCADE_LLM_URL the rule-based evaluator plays
// and labels its answers, whatever X-LLM-* headers a client sends.
func TestPersonaLLMHeadersWithoutEndpoint(t *testing.T) {
	s := withDoc(newServer(t, store.SQLite))
	s.hdr = []string{"X-LLM-API-Key", clientLLMKey, "X-LLM-Model", "gpt-4o"}
	key := s.guest()
	r := s.sdk("POST", "/api/v1/sdk/chat/merchant-kael/init-session", key, map[string]any{"user_session_id": "u1", "player_name": "Ada"})
	if r.Status != 200 || r.Body["evaluator"] != "rule-based" {
		t.Fatalf("init: %d %s", r.Status, r.Raw)
	}
	expect(t, s.say(key, "merchant-kael", "u1", "Hello there"), map[string]any{"current_state": "haggling", "evaluator": "rule-based"})
	if r := s.sdk("POST", "/api/v1/sdk/validate-llm-key", key, nil); r.Status != 200 || r.Body["valid"] != false || r.Body["model"] != "gpt-4o" {
		t.Fatalf("validate-llm-key: %d %s", r.Status, r.Raw)
	}
}

// TestPersonaLLMStreamIsLive: the stream's metadata and first text_delta reach the client while
// the model is still writing the reply (the local server holds its stream after the first piece
// until the test has read them).
func TestPersonaLLMStreamIsLive(t *testing.T) {
	srv := llmtest.New(t, llmtest.Kael().Answer)
	// The model calls' timeout outlasts the test's wait, so a held reply cannot end in a fallback.
	s, _ := llmServer(t, store.SQLite, srv, 2*time.Minute, io.Discard)
	key := s.guest()
	const kael = "/api/v1/sdk/chat/merchant-kael"
	if r := s.sdk("POST", kael+"/init-session", key, map[string]any{"user_session_id": "u1", "player_name": "Ada"}); r.Status != 200 {
		t.Fatalf("init: %d %s", r.Status, r.Raw)
	}
	srv.Hold = make(chan struct{})
	req, _ := http.NewRequest("POST", s.URL+kael+"/message/stream", bytes.NewReader(body(map[string]any{"user_session_id": "u1", "message": "Hello there"})))
	req.Header.Set("X-API-Key", key)
	req.Header.Set("Content-Type", "application/json")
	deadline := time.After(30 * time.Second) // liveness, not speed: a buffered stream never gets here
	lines := make(chan string)
	go func() {
		defer close(lines)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			lines <- "error: " + err.Error()
			return
		}
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var seen []string
	for len(seen) < 2 {
		select {
		case l, ok := <-lines:
			if !ok || strings.HasPrefix(l, "error: ") {
				t.Fatalf("stream ended after %v: %s", seen, l)
			}
			if ev, ok := strings.CutPrefix(l, "event: "); ok {
				seen = append(seen, ev)
			}
		case <-deadline:
			t.Fatalf("events %v before the model finished: the stream is not live", seen)
		}
	}
	if seen[0] != "metadata" || seen[1] != "text_delta" {
		t.Fatalf("events %v", seen)
	}
	close(srv.Hold)
	for l := range lines {
		if ev, ok := strings.CutPrefix(l, "event: "); ok {
			seen = append(seen, ev)
		}
	}
	if seen[len(seen)-1] != "done" {
		t.Fatalf("events %v", seen)
	}
}
