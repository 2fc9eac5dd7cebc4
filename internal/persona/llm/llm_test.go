package llm_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/persona/examples"
	"github.com/arcadehq/arcade/internal/persona/llm"
	"github.com/arcadehq/arcade/internal/persona/llm/llmtest"
	"github.com/arcadehq/arcade/internal/persona/rules"
	"github.com/arcadehq/arcade/internal/persona/turn"
)

// kael is Merchant Kael on the LLM evaluator against srv, with a player in the haggling state.
type kael struct {
	t    *testing.T
	eng  *turn.Engine
	st   turn.State
	hist []turn.Message
}

func newKael(t *testing.T, cfg llm.Config, keys llm.Keys) *kael {
	t.Helper()
	k := &kael{t: t, eng: kaelEngine(t, cfg, keys)}
	s, err := k.eng.Start(context.Background(), &k.st, "", turn.Player{Name: "Ada"})
	if err != nil || s.Evaluator != llm.Name {
		t.Fatalf("start: %v %+v", err, s)
	}
	k.hist = s.Messages
	return k
}

// kaelEngine is Merchant Kael's turn engine on the LLM evaluator with cfg.
func kaelEngine(t *testing.T, cfg llm.Config, keys llm.Keys) *turn.Engine {
	t.Helper()
	ex, err := examples.Get("merchant-kael")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := rules.New(ex.Definition)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	return turn.New(ex.Definition, llm.New(cfg, keys, lines), func() time.Time { return clock })
}

func (k *kael) say(ctx context.Context, msg string) turn.Result {
	k.t.Helper()
	r, err := k.eng.Turn(ctx, &k.st, "", msg, k.hist)
	if err != nil {
		k.t.Fatalf("say %q: %v", msg, err)
	}
	if r.Evaluator != llm.Name {
		k.t.Fatalf("evaluator %q", r.Evaluator)
	}
	k.hist = append(k.hist, r.Messages...)
	return r
}

func TestLLMPlaysKaelLikeTheRules(t *testing.T) {
	for _, mode := range []string{"", llm.ModeJSONObject} {
		t.Run("mode="+mode, func(t *testing.T) { playsKael(t, mode) })
	}
}

func playsKael(t *testing.T, mode string) {
	srv := llmtest.New(t, llmtest.Kael().Answer)
	k := newKael(t, llm.Config{URL: srv.URL, Model: "m", JSONMode: mode}, llm.Keys{})
	ctx := context.Background()
	if r := k.say(ctx, "Hello there"); r.StateKey != "haggling" || r.Score != 1 || r.Decision != "pass" {
		t.Fatalf("greeting: %+v", r)
	}
	if r := k.say(ctx, "Maybe, I am not sure"); !r.FollowUp || r.Decision != "" || !strings.Contains(r.Reply, "Name a number") {
		t.Fatalf("follow-up: %+v", r)
	}
	k.say(ctx, "I want to buy a lantern")
	r := k.say(ctx, "60 gold")
	if r.Outcome != "ACCEPT" || r.Score != 3 || r.Reply != "60 gold for the lantern. Done, Ada." ||
		r.Extracted["item"] != "lantern" || r.Extracted["price"] != "60" || r.Advanced == nil ||
		!strings.Contains(r.Advanced.Reply, "You bought the lantern fairly") {
		t.Fatalf("deal: %+v", r)
	}
	// Every step spoke the wire: evaluation and summarisation with a JSON schema, replies without.
	var steps []string
	for _, c := range srv.Calls() {
		steps = append(steps, c.Schema)
		if c.Request.Model != "m" || c.Request.Stream || c.JSON && c.Request.ResponseFormat.Type != map[string]string{
			"": "json_schema", llm.ModeJSONObject: "json_object"}[mode] {
			t.Fatalf("call %+v", c.Request)
		}
	}
	if got := strings.Join(steps, ","); got != ",evaluation,,evaluation,,evaluation,,evaluation,,extraction," {
		t.Fatalf("steps %s", got)
	}
}

// TestLLMFallbacks: a timeout, a malformed answer, a choice that does not leave the current state,
// an error status and a wrong key are each a redirect (state and score unchanged, redirect count
// up) whose reply says what happened; never an error.
func TestLLMFallbacks(t *testing.T) {
	script := llmtest.Kael()
	for _, c := range []struct {
		name   string
		answer llmtest.Answer
		want   error
	}{
		// A model that never answers (the server waits for the call to give up).
		{"timeout", llmtest.Answer{Content: `{"choice":"t1","reason":"x"}`, Delay: time.Hour}, llm.ErrTimeout},
		{"malformed", llmtest.Answer{Raw: `{"choices":[{"message":{"content":"{\"choice\": t1"}}]}`}, llm.ErrMalformed},
		{"not json at all", llmtest.Answer{Raw: `<html>oops</html>`}, llm.ErrMalformed},
		{"empty choice", llmtest.Answer{Content: `{"reason":"dunno"}`}, llm.ErrMalformed},
		// t1 is greeting → haggling: a transition of another state.
		{"transition of another state", llmtest.Answer{Content: `{"choice":"t1","reason":"x"}`}, llm.ErrRefused},
		{"unknown id", llmtest.Answer{Content: `{"choice":"t99","reason":"x"}`}, llm.ErrRefused},
		{"status 500", llmtest.Answer{Status: 500}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The calls that must succeed run on a clock no loaded machine reaches; only the
			// timeout case's fallback turn gets a short one (they used to share 300 ms, and a
			// slow answer turned a malformed or refused case into a timeout).
			srv := llmtest.New(t, script.Answer)
			cfg := llm.Config{URL: srv.URL, Model: "m", Timeout: time.Minute}
			k := newKael(t, cfg, llm.Keys{})
			ctx := context.Background()
			k.say(ctx, "Hello there") // → haggling
			srv.SetScript(func(call llmtest.Call) llmtest.Answer {
				if call.Schema == llm.EvalSchema {
					return c.answer
				}
				return script.Answer(call)
			})
			before := k.st.Sessions["haggle"]
			eng := k.eng
			if c.want == llm.ErrTimeout {
				short := cfg
				short.Timeout = 300 * time.Millisecond
				k.eng = kaelEngine(t, short, llm.Keys{})
			}
			r := k.say(ctx, "60 gold")
			k.eng = eng
			if r.Decision != "redirect" || r.StateKey != "haggling" || r.Score != before.Score || r.RedirectCount != before.RedirectCount+1 ||
				r.Outcome != "" || !strings.HasPrefix(r.Reply, "I lost my train of thought") {
				t.Fatalf("%+v", r)
			}
			if c.want != nil && !strings.Contains(r.Reply, c.want.Error()) {
				t.Fatalf("reply %q does not say %q", r.Reply, c.want)
			}
			// The model answers again: play goes on.
			srv.SetScript(script.Answer)
			if r := k.say(ctx, "60 gold"); r.Outcome != "ACCEPT" {
				t.Fatalf("after the fallback: %+v", r)
			}
		})
	}
}

// TestLLMReplyFallback: a reply step that fails keeps the decision and says the designer's line,
// saying why.
func TestLLMReplyFallback(t *testing.T) {
	script := llmtest.Kael()
	srv := llmtest.New(t, func(c llmtest.Call) llmtest.Answer {
		if c.Schema == "" && strings.Contains(c.Last, "Hello") {
			return llmtest.Answer{Status: 503}
		}
		return script.Answer(c)
	})
	k := newKael(t, llm.Config{URL: srv.URL, Model: "m"}, llm.Keys{})
	r := k.say(context.Background(), "Hello there")
	if r.StateKey != "haggling" || r.Decision != "pass" ||
		r.Reply != "Well met. What do you want to buy, and for how much gold? (the language model endpoint answered 503)" {
		t.Fatalf("%+v", r)
	}
}

// TestLLMStreamsTheReply: with WithDeltas the reply is streamed (stream: true) and is exactly the
// pieces; the opening line of an auto-advance is not streamed; the preview comes first.
func TestLLMStreamsTheReply(t *testing.T) {
	srv := llmtest.New(t, llmtest.Kael().Answer)
	k := newKael(t, llm.Config{URL: srv.URL, Model: "m"}, llm.Keys{})
	var (
		events []string
		pre    turn.Result
	)
	ctx := turn.WithPreview(context.Background(), func(r turn.Result) {
		pre = r
		events = append(events, "metadata:"+r.StateKey+":"+r.Outcome)
	})
	ctx = llm.WithDeltas(ctx, func(s string) { events = append(events, s) })
	// The preview is the answer less what the reply step makes.
	same := func(r turn.Result) {
		t.Helper()
		r.Reply, r.Messages, r.Extracted, r.Advanced = "", nil, nil, nil
		if !reflect.DeepEqual(pre, r) {
			t.Fatalf("preview %+v, answer %+v", pre, r)
		}
	}
	same(k.say(ctx, "Hello there"))
	same(k.say(ctx, "I want to buy a lantern"))
	events = nil
	r := k.say(ctx, "60 gold")
	same(r)
	want := append([]string{"metadata:deal:ACCEPT"}, llmtest.Pieces("60 gold for the lantern. Done, Ada.")...)
	if strings.Join(events, "|") != strings.Join(want, "|") || r.Reply != strings.Join(want[1:], "") {
		t.Fatalf("events %q, reply %q", events, r.Reply)
	}
	streamed := 0
	for _, c := range srv.Calls() {
		if c.Request.Stream {
			streamed++
		}
	}
	if streamed != 3 {
		t.Fatalf("%d streamed calls, want the 3 turn replies", streamed)
	}
}

// TestLLMKeys: the client's key and model win for the request; without a client key the server's
// key and model are used (a client cannot choose the model the server pays for); a wrong key is
// a 401 that Check reports, without the key in the message.
func TestLLMKeys(t *testing.T) {
	srv := llmtest.New(t, llmtest.Kael().Answer)
	srv.Key = "sk-client"
	cfg := llm.Config{URL: srv.URL, Model: "server-model", APIKey: "sk-server"}
	ctx := context.Background()
	if _, err := llm.Check(ctx, cfg, llm.Keys{Model: "client-model"}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("server key: %v", err)
	}
	model, err := llm.Check(ctx, cfg, llm.Keys{APIKey: "sk-client", Model: "client-model"})
	if err != nil || model != "client-model" {
		t.Fatalf("client key: %q %v", model, err)
	}
	calls := srv.Calls()
	if calls[0].Auth != "Bearer sk-server" || calls[0].Request.Model != "server-model" || calls[1].Auth != "Bearer sk-client" ||
		calls[1].Request.Model != "client-model" || calls[1].Request.MaxTokens != 1 {
		t.Fatalf("calls %+v", calls)
	}
	_, err = llm.Check(ctx, cfg, llm.Keys{APIKey: "sk-wrong-secret"})
	var se *llm.StatusError
	if !errors.As(err, &se) || se.Status != 401 || strings.Contains(err.Error(), "sk-wrong-secret") {
		t.Fatalf("wrong key: %v", err)
	}
	// Per-step keys and models.
	h := map[string][]string{"X-Llm-Api-Key": {"sk-a"}, "X-Llm-Eval-Api-Key": {"sk-e"}, "X-Llm-Eval-Model": {"em"}, "X-Llm-Model": {"gm"}}
	k := llm.KeysFromHeader(h)
	if e := cfg.Endpoint(k, llm.StepEval); e.APIKey != "sk-e" || e.Model != "em" {
		t.Fatalf("eval endpoint %+v", e)
	}
	if e := cfg.Endpoint(k, llm.StepResponse); e.APIKey != "sk-a" || e.Model != "gm" {
		t.Fatalf("response endpoint %+v", e)
	}
}

// TestKeysNeverPrint: keys printed or logged by mistake show as redacted.
func TestKeysNeverPrint(t *testing.T) {
	k := llm.KeysFromHeader(map[string][]string{"X-Llm-Api-Key": {"sk-secret-1"}, "X-Llm-Response-Api-Key": {"sk-secret-2"}})
	e := llm.Config{URL: "http://x/v1"}.Endpoint(k, llm.StepResponse)
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("oops", "keys", k, "endpoint", e)
	fmt.Fprintf(&b, "%v %+v %#v %s %v %+v %#v", k, k, k, k, e, e, e)
	if strings.Contains(b.String(), "sk-secret") || !k.Any() || e.APIKey != "sk-secret-2" {
		t.Fatal(b.String())
	}
}

// TestLLMCallerGone: a caller that leaves mid-turn abandons the turn (an error, the state
// untouched) instead of getting a fallback redirect written for nobody.
func TestLLMCallerGone(t *testing.T) {
	script := llmtest.Kael()
	srv := llmtest.New(t, func(c llmtest.Call) llmtest.Answer {
		a := script.Answer(c)
		if c.Schema == llm.EvalSchema {
			a.Delay = time.Second
		}
		return a
	})
	k := newKael(t, llm.Config{URL: srv.URL, Model: "m"}, llm.Keys{})
	before := k.st.Clone()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := k.eng.Turn(ctx, &k.st, "", "Hello there", k.hist); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("turn: %v", err)
	}
	if !reflect.DeepEqual(before, k.st) {
		t.Fatalf("state changed: %+v", k.st)
	}
}
