// Package llmtest is a local OpenAI-compatible chat-completions server on loopback for tests of
// the LLM evaluator: the real wire format (POST /v1/chat/completions, answered whole or streamed
// as `data: {chunk}` events ending with `data: [DONE]`, a 401 for a wrong key), scripted by the
// test so that every answer is deterministic, and able to misbehave on demand (malformed JSON,
// an answer slower than the client's timeout, any status).
package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/persona/llm"
)

// Call is one request the server received.
type Call struct {
	Request llm.Request
	Auth    string // the Authorization header
	// Schema names the step: response_format.json_schema.name, or in json_object mode the step
	// the prompt reads as (llm.EvalSchema, llm.ExtractSchema); "" for a reply.
	Schema string
	// SchemaJSON is the JSON schema asked for: response_format's, or the one the prompt states.
	SchemaJSON map[string]any
	JSON       bool   // a response_format was asked for
	System     string // the system message
	Last       string // the last user message
	Options    map[string]string
	// OptionIDs lists the evaluation's options in the order the prompt gives them.
	OptionIDs []string
}

// Answer is what the script answers to a call.
type Answer struct {
	Content string        // the message content (streamed in word pieces when the call streams)
	Status  int           // other than 0 or 200: answer this status with an OpenAI error body
	Raw     string        // answer this body as is (a malformed answer), status 200
	Delay   time.Duration // wait this long before answering (a timeout test)
}

// Server is the local endpoint. URL is the base to configure (…/v1).
type Server struct {
	URL string
	// Key, when set, is the only API key accepted (Authorization: Bearer Key); others get 401.
	Key string
	// FirstToken and PerToken pace streamed answers: the wait before the first chunk and between
	// chunks.
	FirstToken, PerToken time.Duration
	// Hold, when set, stops every reply (an answer without response_format) until it is closed:
	// a streamed one after its first piece, a whole one before it is sent. A test sees what
	// reached its client while the model was still writing.
	Hold chan struct{}

	mu     sync.Mutex
	script func(Call) Answer
	calls  []Call
	ts     *httptest.Server
}

// New starts a server answering with script; it stops when the test ends.
func New(t testing.TB, script func(Call) Answer) *Server {
	s := &Server{script: script}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.ts.URL + "/v1"
	t.Cleanup(s.ts.Close)
	return s
}

// SetScript replaces the script.
func (s *Server) SetScript(f func(Call) Answer) {
	s.mu.Lock()
	s.script = f
	s.mu.Unlock()
}

// Calls returns the requests received so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

var optionLine = regexp.MustCompile(`(?m)^- ([a-z][0-9]*|none): (.*)$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		openAIError(w, http.StatusNotFound, "not found", "invalid_request_error")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	var req llm.Request
	if err == nil {
		err = json.Unmarshal(raw, &req)
	}
	if err != nil || req.Model == "" || len(req.Messages) == 0 {
		openAIError(w, http.StatusBadRequest, "a request needs model and messages", "invalid_request_error")
		return
	}
	c := Call{Request: req, Auth: r.Header.Get("Authorization"), JSON: req.ResponseFormat != nil, Options: map[string]string{}}
	for _, m := range req.Messages {
		switch m.Role {
		case "system":
			c.System = m.Content
		case "user":
			c.Last = m.Content
		}
	}
	switch {
	case req.ResponseFormat != nil && req.ResponseFormat.JSONSchema != nil:
		c.Schema, c.SchemaJSON = req.ResponseFormat.JSONSchema.Name, req.ResponseFormat.JSONSchema.Schema
	case req.ResponseFormat != nil: // json_object: the schema is in the prompt
		if _, after, ok := strings.Cut(c.System, "matching this schema and nothing else: "); ok {
			line, _, _ := strings.Cut(after, "\n")
			_ = json.Unmarshal([]byte(line), &c.SchemaJSON)
		}
		c.Schema = llm.ExtractSchema
		if strings.HasPrefix(c.System, "You are the judge") {
			c.Schema = llm.EvalSchema
		}
	}
	for _, m := range optionLine.FindAllStringSubmatch(c.System, -1) {
		c.Options[m[1]] = m[2]
		c.OptionIDs = append(c.OptionIDs, m[1])
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	script := s.script
	s.mu.Unlock()
	if s.Key != "" && c.Auth != "Bearer "+s.Key {
		openAIError(w, http.StatusUnauthorized, "Incorrect API key provided.", "invalid_api_key")
		return
	}
	a := script(c)
	if a.Delay > 0 {
		select {
		case <-time.After(a.Delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case a.Status != 0 && a.Status != http.StatusOK:
		openAIError(w, a.Status, "scripted failure", "server_error")
	case a.Raw != "":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, a.Raw)
	case req.Stream:
		s.stream(w, r, a.Content, s.Hold != nil && !c.JSON)
	default:
		if s.Hold != nil && !c.JSON {
			select {
			case <-s.Hold:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "chatcmpl-test", "object": "chat.completion", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": a.Content}}},
			"usage": map[string]any{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
	}
}

// stream answers content as chunks of one word (and its following space) each; hold waits for
// Hold after the first.
func (s *Server) stream(w http.ResponseWriter, r *http.Request, content string, hold bool) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	chunk := func(delta map[string]any, finish any) {
		b, _ := json.Marshal(map[string]any{"id": "chatcmpl-test", "object": "chat.completion.chunk",
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		_ = rc.Flush()
	}
	wait := func(d time.Duration) bool {
		if d <= 0 {
			return true
		}
		select {
		case <-time.After(d):
			return true
		case <-r.Context().Done():
			return false
		}
	}
	chunk(map[string]any{"role": "assistant", "content": ""}, nil)
	if !wait(s.FirstToken) {
		return
	}
	for i, p := range Pieces(content) {
		if i > 0 && !wait(s.PerToken) {
			return
		}
		chunk(map[string]any{"content": p}, nil)
		if i == 0 && hold {
			select {
			case <-s.Hold:
			case <-r.Context().Done():
				return
			}
		}
	}
	chunk(map[string]any{}, "stop")
	_, _ = io.WriteString(w, "data: [DONE]\n\n")
	_ = rc.Flush()
}

// Pieces splits s into words, each with the spaces after it.
func Pieces(s string) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			out = append(out, s)
			break
		}
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		out = append(out, s[:j])
		s = s[j:]
	}
	return out
}

func openAIError(w http.ResponseWriter, status int, msg, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": code}})
}

// Rule picks an option when the player's latest message holds one of Keywords (whole words,
// any case): the first option whose text contains Option.
// A rule with neither Keywords nor Match holds for every message (a catch-all).
type Rule struct {
	Keywords []string
	Match    func(message string) bool // holds too when it returns true
	Option   string
}

func (r Rule) holds(msg string) bool {
	if len(r.Keywords) == 0 && r.Match == nil {
		return true
	}
	return hasWord(msg, r.Keywords) || r.Match != nil && r.Match(msg)
}

// Script is a deterministic judge and actor:
//   - evaluation calls: the first Rule whose keyword is in the player's message and whose Option
//     names an offered option picks it ("none" otherwise); Vars patterns fill the variables from
//     the message (first capture group);
//   - summarisation calls: Extract patterns answer each key from the transcript's player lines
//     (the latest match), null otherwise;
//   - reply calls: the designer's line the prompt offers, verbatim, else "Hm.".
type Script struct {
	Rules   []Rule
	Vars    map[string]*regexp.Regexp
	Extract map[string]*regexp.Regexp
}

// DesignerLine is the designer's line a reply prompt offers ("" if none).
func DesignerLine(system string) string {
	const mark = "The designer's line for this moment (say it in your own words, keeping its facts): "
	i := strings.Index(system, mark)
	if i < 0 {
		return ""
	}
	line, _, _ := strings.Cut(system[i+len(mark):], "\n")
	return line
}

// Answer answers c.
func (s Script) Answer(c Call) Answer {
	switch c.Schema {
	case llm.EvalSchema:
		choice := llm.NoChoice
	rules:
		for _, r := range s.Rules {
			if !r.holds(c.Last) {
				continue
			}
			for _, id := range c.OptionIDs {
				if strings.Contains(c.Options[id], r.Option) {
					choice = id
					break rules
				}
			}
		}
		ans := map[string]any{"choice": choice, "reason": "scripted"}
		if props := schemaProps(c, "variables"); props != nil {
			vars := map[string]any{}
			for k := range props {
				vars[k] = nil
				if re := s.Vars[k]; re != nil {
					if m := re.FindStringSubmatch(c.Last); m != nil {
						vars[k] = m[len(m)-1]
					}
				}
			}
			ans["variables"] = vars
		}
		b, _ := json.Marshal(ans)
		return Answer{Content: string(b)}
	case llm.ExtractSchema:
		out := map[string]any{}
		for k := range schemaProps(c, "") {
			out[k] = nil
			re := s.Extract[k]
			if re == nil {
				continue
			}
			for _, line := range strings.Split(c.Last, "\n") {
				if p, ok := strings.CutPrefix(line, "Player: "); ok {
					if m := re.FindStringSubmatch(p); m != nil {
						out[k] = m[len(m)-1]
					}
				}
			}
		}
		b, _ := json.Marshal(out)
		return Answer{Content: string(b)}
	}
	if l := DesignerLine(c.System); l != "" {
		return Answer{Content: l}
	}
	return Answer{Content: "Hm."}
}

// schemaProps is the properties of the call's schema (of its property sub when not "").
func schemaProps(c Call, sub string) map[string]any {
	props, _ := c.SchemaJSON["properties"].(map[string]any)
	if sub == "" {
		return props
	}
	o, _ := props[sub].(map[string]any)
	p, _ := o["properties"].(map[string]any)
	return p
}

func hasWord(s string, kws []string) bool {
	for _, k := range kws {
		if regexp.MustCompile(`(?i)(^|\W)` + regexp.QuoteMeta(k) + `($|\W)`).MatchString(s) {
			return true
		}
	}
	return false
}

var gold = regexp.MustCompile(`(\d+)\s*(?:gold|coins?)`)

// offer is the gold a message offers (-1: none).
func offer(msg string) int {
	m := gold.FindStringSubmatch(msg)
	if m == nil {
		return -1
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return -1
	}
	return n
}

// Kael is a script that plays the shipped Merchant Kael as its rule-based matchers do: the same
// messages make the same choices (the judge reads each option's condition), and the variables and
// output variables come out the same.
func Kael() Script {
	item := regexp.MustCompile(`(?i)buy (?:the |a |an |your )?([a-z]+)`)
	return Script{
		Rules: []Rule{
			{Keywords: []string{"rob", "steal", "thief"}, Option: "threatens to steal"},
			{Keywords: []string{"hello", "greetings", "good day", "hi"}, Option: "greets Kael politely"},
			{Keywords: []string{"maybe", "perhaps", "not sure", "i don't know"}, Option: "vague or undecided"},
			{Match: func(m string) bool { return offer(m) >= 50 }, Option: "offers 50 gold or more"},
			{Match: func(m string) bool { return offer(m) >= 0 && offer(m) < 50 }, Option: "offers less than 50 gold"},
			{Keywords: []string{"pay", "how much", "reward"}, Option: "asks about payment"},
			{Keywords: []string{"guards", "report"}, Option: "threatens to tell the guards"},
			{Keywords: []string{"yes", "agreed", "deal"}, Option: "The player agrees"},
			{Keywords: []string{"no", "never"}, Option: "The player refuses"},
			{Keywords: []string{"sorry", "apologize", "apologise", "forgive me"}, Option: "apologises"},
			{Option: "Anything else"},
			{Option: "names no price"},
		},
		Vars:    map[string]*regexp.Regexp{"offer": gold, "item": item},
		Extract: map[string]*regexp.Regexp{"price": gold, "item": item},
	}
}
