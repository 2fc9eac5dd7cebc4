// Package llm is the persona LLM evaluator: it plays a persona's machines by asking any
// OpenAI-compatible chat-completions endpoint, in the three steps of the real system: evaluation
// (a structured JSON choice among the current state's follow-ups and outgoing transitions, checked
// against the machine), the NPC's reply in the persona's voice (streamed when the caller streams),
// and summarisation (the output variables of a finished machine, from their extraction prompts).
//
// The model never decides anything the machine does not allow: a choice that is not one of the
// current state's options, a malformed answer, a refusal or a timeout falls back to a redirect
// whose reply says so; score deltas, moves and outcomes come from the machine's transitions
// through the turn engine. The package is an outbound client (net/http to the model) and holds
// no rule of the game.
package llm

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Name labels every answer the LLM evaluator shapes (turn.Result.Evaluator).
const Name = "llm"

// Defaults.
const (
	DefaultModel   = "gpt-4o-mini"
	DefaultTimeout = 20 * time.Second
)

// JSON modes: how the evaluation and summarisation steps ask for JSON (response_format.type).
const (
	ModeJSONSchema = "json_schema" // structured outputs: the schema is sent and enforced by the server
	ModeJSONObject = "json_object" // JSON mode only: the schema is described in the prompt
)

// Config is the server's endpoint (ARCADE_LLM_URL, ARCADE_LLM_MODEL, ARCADE_LLM_API_KEY,
// ARCADE_LLM_TIMEOUT, ARCADE_LLM_JSON_MODE). An empty URL turns the LLM evaluator off: personas
// are played by the rule-based evaluator and the X-LLM-* headers are ignored.
type Config struct {
	URL      string // base URL of the OpenAI-compatible API, e.g. https://api.openai.com/v1
	Model    string
	APIKey   string
	Timeout  time.Duration // per model call; 0 → DefaultTimeout
	JSONMode string        // ModeJSONSchema (default) or ModeJSONObject
	HTTP     *http.Client  // nil → a client of its own
}

// Enabled reports whether an endpoint is configured.
func (c Config) Enabled() bool { return c.URL != "" }

// Step is one of the three model calls of a turn.
type Step int

const (
	StepEval Step = iota
	StepResponse
	StepSummarization
)

func (s Step) String() string {
	return [...]string{"evaluation", "response", "summarization"}[s]
}

// Keys are what a client brings in the X-LLM-* headers, for its request only: never stored,
// never logged. A step's own key and model win over the general ones.
type Keys struct {
	APIKey, Model string
	StepKey       [3]string // by Step
	StepModel     [3]string
}

// String, GoString and LogValue keep the keys out of any log or message that prints Keys.
func (k Keys) String() string           { return "llm.Keys{redacted}" }
func (k Keys) GoString() string         { return k.String() }
func (k Keys) LogValue() slog.Value     { return slog.StringValue(k.String()) }
func (e Endpoint) String() string       { return "llm.Endpoint{" + e.URL + " " + e.Model + " key redacted}" }
func (e Endpoint) GoString() string     { return e.String() }
func (e Endpoint) LogValue() slog.Value { return slog.StringValue(e.String()) }

// Header names of Keys, as the real system's SDK sends them.
const (
	HeaderAPIKey = "X-LLM-API-Key"
	HeaderModel  = "X-LLM-Model"
)

var stepHeader = [3]string{"Eval", "Response", "Summarization"}

// KeysFromHeader reads the X-LLM-* headers.
func KeysFromHeader(h http.Header) Keys {
	k := Keys{APIKey: strings.TrimSpace(h.Get(HeaderAPIKey)), Model: strings.TrimSpace(h.Get(HeaderModel))}
	for i, s := range stepHeader {
		k.StepKey[i] = strings.TrimSpace(h.Get("X-LLM-" + s + "-API-Key"))
		k.StepModel[i] = strings.TrimSpace(h.Get("X-LLM-" + s + "-Model"))
	}
	return k
}

// Any reports whether the client brought a key.
func (k Keys) Any() bool {
	return k.APIKey != "" || k.StepKey[0] != "" || k.StepKey[1] != "" || k.StepKey[2] != ""
}

// Endpoint is what one model call uses.
type Endpoint struct {
	URL, Model, APIKey string
}

// Endpoint resolves step's endpoint for a request that brought keys: the client's key (the step's
// own first) with the client's model (likewise) or the server's; without a client key, the
// server's key and model (a client cannot spend the server's key on a model of its choosing).
func (c Config) Endpoint(k Keys, s Step) Endpoint {
	e := Endpoint{URL: strings.TrimRight(c.URL, "/"), Model: c.Model, APIKey: c.APIKey}
	if e.Model == "" {
		e.Model = DefaultModel
	}
	key := first(k.StepKey[s], k.APIKey)
	if key == "" {
		return e
	}
	e.APIKey = key
	if m := first(k.StepModel[s], k.Model); m != "" {
		e.Model = m
	}
	return e
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

type keysKey struct{}

// WithKeys carries a request's keys to the service that plays it.
func WithKeys(ctx context.Context, k Keys) context.Context {
	return context.WithValue(ctx, keysKey{}, k)
}

// KeysFrom returns the keys WithKeys carried (zero if none).
func KeysFrom(ctx context.Context) Keys {
	k, _ := ctx.Value(keysKey{}).(Keys)
	return k
}

type deltasKey struct{}

// WithDeltas asks the reply step of a turn (not an opening line) to stream: each piece of the
// reply is handed to f as the model writes it, and the reply is exactly the pieces joined.
func WithDeltas(ctx context.Context, f func(string)) context.Context {
	return context.WithValue(ctx, deltasKey{}, f)
}

func deltasFrom(ctx context.Context) func(string) {
	f, _ := ctx.Value(deltasKey{}).(func(string))
	return f
}
