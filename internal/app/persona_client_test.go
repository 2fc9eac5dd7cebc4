package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/persona/llm"
	"github.com/arcadehq/arcade/internal/persona/llm/llmtest"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// A client written to the answer models of the notes on the real system's SDK (foilengine-notes
// §3–5), field by field, independent of Arcade's own types: it parses every answer the way that
// SDK's parser does, and stricter. Each field of a model below must be present; an int must be
// written as a JSON integer (no fraction, no exponent: the SDK may refuse 2.0) within int32; a
// bool, an int or a string that is not a pointer here must never be null (.NET value types);
// a time must be an ISO-8601 string; an array is never null. Extra fields are ignored, as the
// SDK ignores them.

type cPersona struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type cSessionInit struct {
	SessionID          string  `json:"session_id"`
	UserSessionID      string  `json:"user_session_id"`
	PersonaName        string  `json:"persona_name"`
	PersonaDescription *string `json:"persona_description"`
	PlayerName         string  `json:"player_name"`
	PlayerGender       string  `json:"player_gender"`
	Message            string  `json:"message"`
	MachineID          string  `json:"machine_id"`
}

type cUnlocked struct {
	MachineID     string `json:"machine_id"`
	MachineKey    string `json:"machine_key"`
	Name          string `json:"name"`
	IsAutoAdvance bool   `json:"is_auto_advance"`
}

// cMetadata is the stream's first event: the ChatResponse without message.
type cMetadata struct {
	CurrentState     string      `json:"current_state"`
	Score            int         `json:"score"`
	Outcome          *string     `json:"outcome"`
	Decision         *string     `json:"decision"`
	FollowUp         bool        `json:"follow_up"`
	SessionID        string      `json:"session_id"`
	ScoringMode      string      `json:"scoring_mode"`
	RedirectCount    *int        `json:"redirect_count"`
	MachineCompleted bool        `json:"machine_completed"`
	UnlockedMachines []cUnlocked `json:"unlocked_machines"`
}

type cChat struct {
	Message string `json:"message"`
	cMetadata
}

type cStatusCore struct {
	SessionID     string    `json:"session_id"`
	PersonaID     string    `json:"persona_id"`
	CurrentState  string    `json:"current_state"`
	Score         int       `json:"score"`
	Outcome       *string   `json:"outcome"`
	PlayerName    string    `json:"player_name"`
	PlayerGender  string    `json:"player_gender"`
	StartedAt     time.Time `json:"started_at"`
	LastMessageAt time.Time `json:"last_message_at"`
}

type cStatus struct {
	cStatusCore
	MachineID string `json:"machine_id"`
}

type cMessage struct {
	ID                string    `json:"id"`
	Role              string    `json:"role"`
	Content           string    `json:"content"`
	StateKeyAtTime    string    `json:"state_key_at_time"`
	ScoreAtTime       *int      `json:"score_at_time"`
	Decision          *string   `json:"decision"`
	FollowUpTriggered bool      `json:"follow_up_triggered"`
	CreatedAt         time.Time `json:"created_at"`
}

type cHistory struct {
	cStatusCore
	Messages []cMessage `json:"messages"`
}

type cReset struct {
	SessionID string `json:"session_id"`
	Message   string `json:"message"`
}

type cMachine struct {
	MachineID      string  `json:"machine_id"`
	MachineKey     string  `json:"machine_key"`
	Name           string  `json:"name"`
	Description    string  `json:"description"`
	HasSession     bool    `json:"has_session"`
	SessionOutcome *string `json:"session_outcome"`
	IsLinked       bool    `json:"is_linked"`
}

type cLLMKey struct {
	Valid bool    `json:"valid"`
	Model *string `json:"model"`
	Error *string `json:"error"`
}

type cAPIKey struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Key       string    `json:"key"`
	KeyPrefix string    `json:"key_prefix"`
	CreatedAt time.Time `json:"created_at"`
}

type cDelta struct {
	Text string `json:"text"`
}

type cError struct {
	Error struct {
		Message string `json:"message"`
	} `json:"error"`
}

// Spec 003's answers (the web family), to the same rules; their errors are {detail}.
type cListItem struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	IsPublic    bool      `json:"is_public"`
	CreatedAt   time.Time `json:"created_at"`
}

type cCompleted struct {
	MachineID   string    `json:"machine_id"`
	Outcome     string    `json:"outcome"`
	Score       int       `json:"score"`
	CompletedAt time.Time `json:"completed_at"`
}

type cProgress struct {
	PersonaID         string            `json:"persona_id"`
	CurrentMachineID  *string           `json:"current_machine_id"`
	RelationshipLevel int               `json:"relationship_level"`
	TotalScore        int               `json:"total_score"`
	CompletedMachines []cCompleted      `json:"completed_machines"`
	AvailableMachines []cMachine        `json:"available_machines"`
	RoutePath         []string          `json:"route_path"`
	CrossMachineVars  map[string]string `json:"cross_machine_vars"`
	HasLinks          bool              `json:"has_links"`
}

type cDetail struct {
	Detail string `json:"detail"`
}

// strictDecode parses raw as a T: first the raw JSON against T's fields (presence, nulls,
// integer literals), then the decoding a typed client does.
func strictDecode[T any](t *testing.T, what string, raw []byte) T {
	t.Helper()
	var out T
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: not JSON: %v: %.300s", what, err, raw)
	}
	if dec.More() {
		t.Fatalf("%s: trailing data after the JSON value: %.300s", what, raw)
	}
	for _, p := range conform(reflect.TypeOf(out), v, "$") {
		t.Errorf("%s: %s in %.600s", what, p, raw)
	}
	if t.Failed() {
		t.FailNow()
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s: a typed client cannot decode it: %v: %.300s", what, err, raw)
	}
	return out
}

var timeType = reflect.TypeOf(time.Time{})

// conform lists how v (decoded with UseNumber) departs from the model type ty.
func conform(ty reflect.Type, v any, path string) []string {
	nullable := ty.Kind() == reflect.Pointer
	if nullable {
		ty = ty.Elem()
	}
	if v == nil {
		if nullable {
			return nil
		}
		return []string{path + " is null"}
	}
	switch {
	case ty == timeType:
		s, ok := v.(string)
		if !ok {
			return []string{fmt.Sprintf("%s is %T, want an ISO-8601 string", path, v)}
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			return []string{fmt.Sprintf("%s = %q is not ISO-8601", path, s)}
		}
		return nil
	case ty.Kind() == reflect.String:
		if _, ok := v.(string); !ok {
			return []string{fmt.Sprintf("%s is %T, want a string", path, v)}
		}
	case ty.Kind() == reflect.Bool:
		if _, ok := v.(bool); !ok {
			return []string{fmt.Sprintf("%s is %T, want a bool", path, v)}
		}
	case ty.Kind() == reflect.Int:
		n, ok := v.(json.Number)
		if !ok {
			return []string{fmt.Sprintf("%s is %T, want an integer", path, v)}
		}
		if strings.ContainsAny(n.String(), ".eE") {
			return []string{fmt.Sprintf("%s = %s is not written as an integer", path, n)}
		}
		if _, err := strconv.ParseInt(n.String(), 10, 32); err != nil {
			return []string{fmt.Sprintf("%s = %s does not fit an int32", path, n)}
		}
	case ty.Kind() == reflect.Slice:
		a, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s is %T, want an array", path, v)}
		}
		var out []string
		for i, x := range a {
			out = append(out, conform(ty.Elem(), x, fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case ty.Kind() == reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s is %T, want an object", path, v)}
		}
		var out []string
		for k, x := range m {
			out = append(out, conform(ty.Elem(), x, path+"."+k)...)
		}
		return out
	case ty.Kind() == reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s is %T, want an object", path, v)}
		}
		return conformFields(ty, m, path)
	default:
		return []string{fmt.Sprintf("%s: the model has a %s", path, ty)}
	}
	return nil
}

func conformFields(ty reflect.Type, m map[string]any, path string) []string {
	var out []string
	for i := range ty.NumField() {
		f := ty.Field(i)
		if f.Anonymous {
			out = append(out, conformFields(f.Type, m, path)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		x, ok := m[name]
		if !ok {
			out = append(out, path+"."+name+" is missing")
			continue
		}
		out = append(out, conform(f.Type, x, path+"."+name)...)
	}
	return out
}

// strictClient speaks the play API as the SDK does: X-API-Key and Content-Type on every
// request (GET too), base + path, every answer through strictDecode.
type strictClient struct {
	t    *testing.T
	s    *server
	key  string
	base string // /api/v1/sdk/chat or /api/v1/chat
	// bearer sends the key as Authorization: Bearer (the web chat and spec 003) instead.
	bearer bool
}

func (c *strictClient) send(method, path string, body any) resp {
	c.t.Helper()
	var raw []byte
	if body != nil {
		if b, ok := body.([]byte); ok {
			raw = b
		} else {
			raw, _ = json.Marshal(body)
		}
	}
	hdr := []string{"Content-Type", "application/json"}
	if c.bearer {
		return c.s.do(method, path, c.key, raw, hdr...)
	}
	return c.s.do(method, path, "", raw, append(hdr, "X-API-Key", c.key)...)
}

// ok sends a request that must succeed and decodes its answer strictly as T.
func ok[T any](c *strictClient, method, path string, body any) T {
	c.t.Helper()
	r := c.send(method, path, body)
	if r.Status != 200 {
		c.t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Raw)
	}
	return strictDecode[T](c.t, method+" "+path, r.Raw)
}

// fails sends a request that must answer status with the SDK's error shape (the {detail} shape
// when detail is true), and returns the message.
func (c *strictClient) fails(status int, method, path string, body any) string {
	c.t.Helper()
	return checkError(c.t, c.send(method, path, body), status, method+" "+path, false)
}

func (c *strictClient) failsDetail(status int, method, path string, body any) string {
	c.t.Helper()
	return checkError(c.t, c.send(method, path, body), status, method+" "+path, true)
}

func checkError(t *testing.T, r resp, status int, what string, detail bool) string {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d, want %d: %s", what, r.Status, status, r.Raw)
	}
	var msg string
	if detail {
		msg = strictDecode[cDetail](t, what, r.Raw).Detail
	} else {
		msg = strictDecode[cError](t, what, r.Raw).Error.Message
	}
	if msg == "" {
		t.Fatalf("%s: empty error message: %s", what, r.Raw)
	}
	if status == http.StatusTooManyRequests || r.Header.Get("Retry-After") != "" {
		ra := r.Header.Get("Retry-After")
		if n, err := strconv.Atoi(ra); err != nil || n < 1 {
			t.Fatalf("%s: Retry-After %q is not a whole number of seconds ≥ 1", what, ra)
		}
	}
	return msg
}

// stream sends a streamed message and reads it as the SDK does: the whole body, then lines,
// "event: NAME" followed by one single-line "data: JSON"; metadata first, text_delta pieces,
// done last, each strictly.
func (c *strictClient) stream(path string, body any) (cMetadata, string, cChat) {
	c.t.Helper()
	r := c.send("POST", path, body)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/event-stream") {
		c.t.Fatalf("stream: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Raw)
	}
	var (
		names []string
		datas [][]byte
		event string
	)
	sc := bufio.NewScanner(bytes.NewReader(r.Raw))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			if event != "" {
				c.t.Fatalf("event %q without data", event)
			}
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			if event == "" {
				c.t.Fatalf("data without event: %q", line)
			}
			names, datas, event = append(names, event), append(datas, []byte(strings.TrimPrefix(line, "data: "))), ""
		case line == "":
		default:
			c.t.Fatalf("unexpected stream line %q", line)
		}
	}
	if len(names) < 2 || names[0] != "metadata" || names[len(names)-1] != "done" {
		c.t.Fatalf("events %v", names)
	}
	meta := strictDecode[cMetadata](c.t, "metadata", datas[0])
	var text strings.Builder
	for i, n := range names[1 : len(names)-1] {
		if n != "text_delta" {
			c.t.Fatalf("event %q between metadata and done", n)
		}
		text.WriteString(strictDecode[cDelta](c.t, "text_delta", datas[i+1]).Text)
	}
	return meta, text.String(), strictDecode[cChat](c.t, "done", datas[len(datas)-1])
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestPersonaStrictClient plays the SDK routes, the web chat routes and spec 003's player routes
// with a client written to the notes' answer models, and checks that it parses every answer,
// errors included: {"error":{"message"}} on the play API ({detail} on spec 003's), Retry-After
// on 429 (TestPersonaStrictClientRateLimited).
func TestPersonaStrictClient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		strictPlay(t, newServer(t, e), false)
	})
}

// TestPersonaStrictClientLLM: the same with the LLM evaluator against the local
// chat-completions server, fallbacks included (a malformed and a late evaluation answer).
func TestPersonaStrictClientLLM(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		script := llmtest.Kael()
		// Every call of the scenario must be answered: a clock no loaded machine reaches (it
		// was 300 ms, shared with the late answer below, and a slow answer anywhere in the
		// scenario fell back and failed it).
		srv := llmtest.New(t, script.Answer)
		s, _ := llmServer(t, e, srv, 2*time.Minute, io.Discard)
		strictPlay(t, s.server, true)
		// The late evaluation on a server of its own, behind a 300 ms clock, whose model never
		// answers an evaluation (its server waits for the call to give up).
		late := llmtest.New(t, func(call llmtest.Call) llmtest.Answer {
			a := script.Answer(call)
			if call.Schema == llm.EvalSchema {
				a.Delay = time.Hour
			}
			return a
		})
		ls, _ := llmServer(t, e, late, 300*time.Millisecond, io.Discard)
		for i, f := range []struct {
			srv    *llmtest.Server
			s      *docServer
			answer llmtest.Answer
		}{{srv, s, llmtest.Answer{Content: `{"choice": oops`}}, {late, ls, llmtest.Answer{}}} {
			sdk := &strictClient{t: t, s: f.s.server, key: f.s.guest(), base: "/api/v1/sdk/chat/merchant-kael"}
			ok[cSessionInit](sdk, "POST", sdk.base+"/init-session", map[string]any{"user_session_id": "f"})
			if f.srv == srv {
				srv.SetScript(func(call llmtest.Call) llmtest.Answer {
					if call.Schema == llm.EvalSchema {
						return f.answer
					}
					return script.Answer(call)
				})
			}
			c := ok[cChat](sdk, "POST", sdk.base+"/message", map[string]any{"user_session_id": "f", "message": "Hello there"})
			if deref(c.Decision) != "redirect" || deref(c.RedirectCount) != 1 {
				t.Fatalf("fallback %d: %+v", i, c)
			}
			if _, _, done := sdk.stream(sdk.base+"/message/stream", map[string]any{"user_session_id": "f", "message": "Hello there"}); deref(done.Decision) != "redirect" {
				t.Fatalf("streamed fallback %d: %+v", i, done)
			}
		}
	})
}

// strictPlay is TestPersonaStrictClient's scenario; withLLM says the LLM evaluator plays.
func strictPlay(t *testing.T, s *server, withLLM bool) {
	{
		acct, other := s.guest(), s.guest()
		web := &strictClient{t: t, s: s, key: acct, base: "/api/v1/chat", bearer: true}

		// A pk_live_ key, as a game gets one.
		k := ok[cAPIKey](web, "POST", "/api/v1/sdk/api-keys", map[string]any{"name": "game"})
		if k.KeyPrefix != "pk_live_" || !strings.HasPrefix(k.Key, "pk_live_") {
			t.Fatalf("key %+v", k)
		}
		sdk := &strictClient{t: t, s: s, key: k.Key, base: "/api/v1/sdk/chat"}
		nokey := &strictClient{t: t, s: s, key: "pk_live_" + strings.Repeat("0", 64), base: sdk.base}

		nokey.fails(401, "GET", "/api/v1/sdk/personas", nil)
		ps := ok[[]cPersona](sdk, "GET", "/api/v1/sdk/personas", nil)
		if len(ps) != 2 || ps[1].ID != "merchant-kael" {
			t.Fatalf("personas %+v", ps)
		}
		ok[cLLMKey](sdk, "POST", "/api/v1/sdk/validate-llm-key", nil)
		if v := ok[cLLMKey](sdk, "POST", "/api/v1/sdk/validate-llm-key", map[string]any{"model": "m"}); !withLLM && deref(v.Model) != "m" || withLLM && !v.Valid {
			t.Fatalf("validate-llm-key %+v", v)
		}
		sdk.fails(422, "POST", "/api/v1/sdk/validate-llm-key", []byte(`{"model": 5}`))

		kael := sdk.base + "/merchant-kael"
		sdk.fails(404, "POST", sdk.base+"/nope/init-session", map[string]any{"user_session_id": "u"})
		sdk.fails(422, "POST", kael+"/init-session", map[string]any{"player_name": "Ada"})
		sdk.fails(422, "POST", kael+"/init-session", []byte(`{"user_session_id": "u", "player_name": 7}`))
		sdk.fails(422, "POST", kael+"/init-session", []byte(`not json`))
		sdk.fails(403, "POST", kael+"/init-session?machine_id=smuggle", map[string]any{"user_session_id": "u"})
		sdk.fails(404, "POST", kael+"/message", map[string]any{"user_session_id": "u", "message": "hi"})
		sdk.fails(404, "GET", kael+"/session?user_session_id=u", nil)
		sdk.fails(404, "GET", kael+"/history?user_session_id=u", nil)
		sdk.fails(404, "POST", kael+"/reset?user_session_id=u", nil)
		sdk.fails(422, "GET", kael+"/machines", nil)

		in := ok[cSessionInit](sdk, "POST", kael+"/init-session", map[string]any{"user_session_id": "u", "player_name": "Ada", "player_gender": "female"})
		if in.MachineID != "haggle" || in.PersonaDescription == nil || in.UserSessionID != "u" || in.PlayerGender != "female" {
			t.Fatalf("init %+v", in)
		}
		msg := func(text string) cChat {
			t.Helper()
			return ok[cChat](sdk, "POST", kael+"/message", map[string]any{"user_session_id": "u", "message": text})
		}
		if r := msg("Hello there"); r.Score != 1 || deref(r.Decision) != "pass" || r.Outcome != nil || r.FollowUp || deref(r.RedirectCount) != 0 {
			t.Fatalf("pass %+v", r)
		}
		if r := msg("I want to buy a lantern"); deref(r.Decision) != "redirect" || deref(r.RedirectCount) != 1 {
			t.Fatalf("redirect %+v", r)
		}
		if r := msg("Maybe, I am not sure"); !r.FollowUp || r.Decision != nil {
			t.Fatalf("follow-up %+v", r)
		}
		sdk.fails(413, "POST", kael+"/message", map[string]any{"user_session_id": "u", "message": strings.Repeat("a", 4001)})
		sdk.fails(413, "POST", kael+"/message", map[string]any{"user_session_id": "u", "message": strings.Repeat("a", 1<<20)})
		sdk.fails(422, "POST", kael+"/message", map[string]any{"user_session_id": strings.Repeat("u", 201), "message": "hi"})
		sdk.fails(422, "POST", kael+"/message", []byte("{\"user_session_id\": \"u\", \"message\": \"bad \xff\"}"))
		deal := msg("60 gold")
		if deref(deal.Outcome) != "ACCEPT" || !deal.MachineCompleted || deal.Score != 3 || len(deal.UnlockedMachines) != 1 ||
			!deal.UnlockedMachines[0].IsAutoAdvance || deal.UnlockedMachines[0].MachineKey != "smuggle" {
			t.Fatalf("deal %+v", deal)
		}
		sdk.fails(409, "POST", kael+"/message?machine_id=haggle", map[string]any{"user_session_id": "u", "message": "again"})

		st := ok[cStatus](sdk, "GET", kael+"/session?user_session_id=u", nil)
		if st.MachineID != "smuggle" || st.PersonaID != "merchant-kael" || st.PlayerName != "Ada" {
			t.Fatalf("session %+v", st)
		}
		meta, text, done := sdk.stream(kael+"/message/stream", map[string]any{"user_session_id": "u", "message": "How much will you pay me?"})
		if !meta.FollowUp || done.Message != text || done.SessionID != st.SessionID || done.ScoringMode != "pass_fail" {
			t.Fatalf("stream %+v %q %+v", meta, text, done)
		}
		sdk.fails(404, "POST", kael+"/message/stream", map[string]any{"user_session_id": "nobody", "message": "hi"})
		sdk.fails(413, "POST", kael+"/message/stream", map[string]any{"user_session_id": "u", "message": strings.Repeat("a", 4001)})

		h := ok[cHistory](sdk, "GET", kael+"/history?user_session_id=u&machine_id=haggle", nil)
		if len(h.Messages) != 9 || h.Messages[0].Role != "assistant" || h.Messages[1].Role != "user" || deref(h.Outcome) != "ACCEPT" ||
			deref(h.Messages[8].ScoreAtTime) != 3 {
			t.Fatalf("history %+v", h)
		}
		ms := ok[[]cMachine](sdk, "GET", kael+"/machines?user_session_id=u", nil)
		if len(ms) != 3 || !ms[0].HasSession || deref(ms[0].SessionOutcome) != "ACCEPT" || !ms[1].IsLinked || ms[2].HasSession {
			t.Fatalf("machines %+v", ms)
		}
		if r := ok[cReset](sdk, "POST", kael+"/reset?user_session_id=u&machine_id=smuggle", nil); r.SessionID != st.SessionID || r.Message == "" {
			t.Fatalf("reset %+v", r)
		}

		// Spec 003's player routes (bearer key; errors {detail}).
		// The pk_live_ key and the account key are the same account: the same player.
		p := ok[cProgress](web, "GET", "/api/v1/personas/merchant-kael/progress?user_session_id=u", nil)
		if p.RelationshipLevel != 1 || p.TotalScore != 3 || len(p.CompletedMachines) != 1 || !p.HasLinks ||
			deref(p.CurrentMachineID) != "smuggle" || p.CrossMachineVars["price"] != "60" {
			t.Fatalf("progress %+v", p)
		}
		sdkAsWeb := &strictClient{t: t, s: s, key: k.Key, bearer: true}
		ok[[]cMachine](sdkAsWeb, "GET", "/api/v1/personas/merchant-kael/available-machines?user_session_id=u", nil)
		ok[[]cListItem](sdkAsWeb, "GET", "/api/v1/personas?limit=100", nil)
		web.failsDetail(422, "GET", "/api/v1/personas/merchant-kael/progress", nil)
		web.failsDetail(404, "GET", "/api/v1/personas/nope/progress?user_session_id=u", nil)
		(&strictClient{t: t, s: s, bearer: true}).failsDetail(401, "GET", "/api/v1/personas/merchant-kael/progress?user_session_id=u", nil)

		// The web chat: the same models on /api/v1/chat/{persona_id}/, with the account key.
		wk := web.base + "/merchant-kael"
		web.fails(404, "POST", wk+"/message", map[string]any{"user_session_id": "w", "message": "hi"})
		win := ok[cSessionInit](web, "POST", wk+"/init-session", map[string]any{"user_session_id": "w", "player_name": "Brennan"})
		if win.MachineID != "haggle" || win.PlayerGender != "" {
			t.Fatalf("web init %+v", win)
		}
		if r := ok[cChat](web, "POST", wk+"/message", map[string]any{"user_session_id": "w", "message": "Hello there"}); r.Score != 1 {
			t.Fatalf("web message %+v", r)
		}
		ok[cStatus](web, "GET", wk+"/session?user_session_id=w", nil)
		if wh := ok[cHistory](web, "GET", wk+"/history?user_session_id=w", nil); len(wh.Messages) != 3 {
			t.Fatalf("web history %+v", wh)
		}
		ok[cReset](web, "POST", wk+"/reset?user_session_id=w", nil)
		web.fails(404, "GET", wk+"/session?user_session_id=w", nil)

		// Another account's private persona: 404 for anyone but its owner (its existence does not
		// leak), on the SDK and the web chat; the owner's SDK key gets 403 until it is published.
		saved := s.do("POST", "/api/v1/creator/save", other, kaelCopy(t, "Private Kael"))
		if saved.Status != 200 {
			t.Fatalf("save: %d %s", saved.Status, saved.Raw)
		}
		pid := saved.Body["id"].(string)
		sdk.fails(404, "POST", sdk.base+"/"+pid+"/init-session", map[string]any{"user_session_id": "u"})
		web.fails(404, "POST", web.base+"/"+pid+"/init-session", map[string]any{"user_session_id": "u"})
		owner := &strictClient{t: t, s: s, key: other, base: "/api/v1/sdk/chat"}
		owner.fails(403, "POST", owner.base+"/"+pid+"/init-session", map[string]any{"user_session_id": "u"})

		// Misses and wrong methods under the SDK prefix answer in its shape.
		sdk.fails(404, "GET", "/api/v1/sdk/nope", nil)
		sdk.fails(405, "DELETE", kael+"/message", nil)
	}
}

// TestPersonaStrictClientRateLimited: a 429 on the play API and on the web chat parses as the
// SDK's error and carries Retry-After in whole seconds.
func TestPersonaStrictClientRateLimited(t *testing.T) {
	s := newServer(t, store.SQLite, func(c *app.Config) { c.RateLimit = ratelimit.Limit{PerSecond: 0.001, Burst: 1} })
	key := s.guest()
	sdk := &strictClient{t: t, s: s, key: key, base: "/api/v1/sdk/chat"}
	ok[[]cPersona](sdk, "GET", "/api/v1/sdk/personas", nil)
	sdk.fails(429, "GET", "/api/v1/sdk/personas", nil)
	sdk.fails(429, "POST", sdk.base+"/merchant-kael/message", map[string]any{"user_session_id": "u", "message": "hi"})
	web := &strictClient{t: t, s: s, key: key, base: "/api/v1/chat", bearer: true}
	web.fails(429, "POST", web.base+"/merchant-kael/init-session", map[string]any{"user_session_id": "u"})
	web.failsDetail(429, "GET", "/api/v1/personas/merchant-kael/progress?user_session_id=u", nil)
}

// TestPersonaStrictDecoderRefuses: the strict client refuses what the SDK's parser refuses (a
// score written 2.0, a null flag, …) and accepts the notes' composed example.
func TestPersonaStrictDecoderRefuses(t *testing.T) {
	example := `{"message":"Hm. Go on.","current_state":"haggling","score":2,"outcome":null,"decision":"pass","follow_up":false,` +
		`"session_id":"s-1","scoring_mode":"scoring","redirect_count":0,"machine_completed":false,"unlocked_machines":[]}`
	check := func(raw string) []string {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		return conform(reflect.TypeOf(cChat{}), v, "$")
	}
	if p := check(example); len(p) != 0 {
		t.Fatalf("the notes' example: %v", p)
	}
	for _, bad := range [][2]string{
		{`"score":2`, `"score":2.0`}, {`"score":2`, `"score":2e0`}, {`"score":2`, `"score":null`}, {`"score":2`, `"score":"2"`},
		{`"score":2`, `"score":3000000000`}, {`"follow_up":false`, `"follow_up":null`}, {`"machine_completed":false,`, ``},
		{`"unlocked_machines":[]`, `"unlocked_machines":null`}, {`"redirect_count":0`, `"redirect_count":0.5`},
		{`"unlocked_machines":[]`, `"unlocked_machines":[{"machine_id":"a","machine_key":"a","name":"A","is_auto_advance":null}]`},
		{`"outcome":null`, `"outcome":1`}, {`"message":"Hm. Go on."`, `"message":null`},
	} {
		raw := strings.Replace(example, bad[0], bad[1], 1)
		if raw == example {
			t.Fatalf("case %v changes nothing", bad)
		}
		if p := check(raw); len(p) == 0 {
			t.Errorf("accepted %s", raw)
		}
	}
}
