package personaapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/persona/llm"
	"github.com/arcadehq/arcade/internal/persona/service"
	"github.com/arcadehq/arcade/internal/persona/turn"
)

// The play API's answer models, field by field as the SDK parses them: scores and counts are
// integers, flags are never null; a few extra fields (evaluator, machine_id, …) are ignored by it.

// SDKPersona is one persona an SDK key may play.
type SDKPersona struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	IsExample   bool      `json:"is_example"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// InitRequest is init-session's body.
type InitRequest struct {
	UserSessionID string `json:"user_session_id"`
	PlayerName    string `json:"player_name,omitempty"`
	PlayerGender  string `json:"player_gender,omitempty" jsonschema:"enum=female,enum=male,enum=non-binary"`
}

// SessionInit answers init-session.
type SessionInit struct {
	SessionID          string  `json:"session_id"`
	UserSessionID      string  `json:"user_session_id"`
	PersonaName        string  `json:"persona_name"`
	PersonaDescription *string `json:"persona_description" jsonschema:"nullable"`
	PlayerName         string  `json:"player_name"`
	PlayerGender       string  `json:"player_gender"`
	Message            string  `json:"message"`
	MachineID          string  `json:"machine_id"`
	Evaluator          string  `json:"evaluator"`
}

// MessageRequest is message's body.
type MessageRequest struct {
	Message       string `json:"message"`
	UserSessionID string `json:"user_session_id"`
}

// UnlockedMachine is a machine a completion opened.
type UnlockedMachine struct {
	MachineID     string `json:"machine_id"`
	MachineKey    string `json:"machine_key"`
	Name          string `json:"name"`
	IsAutoAdvance bool   `json:"is_auto_advance"`
}

// NextMachine is the session an auto-advance link started, with its opening line.
type NextMachine struct {
	MachineID string `json:"machine_id"`
	Message   string `json:"message"`
}

// ChatResponse answers a message.
type ChatResponse struct {
	Message          string            `json:"message"`
	CurrentState     string            `json:"current_state"`
	Score            int               `json:"score"`
	Outcome          *string           `json:"outcome" jsonschema:"nullable,enum=ACCEPT,enum=REJECT,enum=KICK_OUT"`
	Decision         *string           `json:"decision" jsonschema:"nullable,enum=pass,enum=redirect,enum=reject,enum=kick_out"`
	FollowUp         bool              `json:"follow_up"`
	SessionID        string            `json:"session_id"`
	ScoringMode      string            `json:"scoring_mode" jsonschema:"enum=scoring,enum=pass_fail"`
	RedirectCount    int               `json:"redirect_count"`
	MachineCompleted bool              `json:"machine_completed"`
	UnlockedMachines []UnlockedMachine `json:"unlocked_machines"`
	MachineID        string            `json:"machine_id"`
	Evaluator        string            `json:"evaluator"`
	// NextMachine is set when an auto-advance link took the player straight into another machine.
	NextMachine *NextMachine `json:"next_machine,omitempty"`
}

// SessionStatus answers session.
type SessionStatus struct {
	SessionID     string    `json:"session_id"`
	PersonaID     string    `json:"persona_id"`
	MachineID     string    `json:"machine_id"`
	CurrentState  string    `json:"current_state"`
	Score         int       `json:"score"`
	Outcome       *string   `json:"outcome" jsonschema:"nullable"`
	PlayerName    string    `json:"player_name"`
	PlayerGender  string    `json:"player_gender"`
	StartedAt     time.Time `json:"started_at"`
	LastMessageAt time.Time `json:"last_message_at"`
	RedirectCount int       `json:"redirect_count"`
}

// HistoryMessage is one line of a chat history.
type HistoryMessage struct {
	ID                string    `json:"id"`
	Role              string    `json:"role" jsonschema:"enum=user,enum=assistant"`
	Content           string    `json:"content"`
	StateKeyAtTime    string    `json:"state_key_at_time"`
	ScoreAtTime       int       `json:"score_at_time"`
	Decision          *string   `json:"decision" jsonschema:"nullable"`
	FollowUpTriggered bool      `json:"follow_up_triggered"`
	CreatedAt         time.Time `json:"created_at"`
}

// ChatHistory answers history.
type ChatHistory struct {
	SessionStatus
	Messages []HistoryMessage `json:"messages"`
}

// ResetResult answers reset.
type ResetResult struct {
	SessionID string `json:"session_id"`
	Message   string `json:"message"`
}

// LLMKeyRequest is validate-llm-key's optional body.
type LLMKeyRequest struct {
	Model string `json:"model,omitempty"`
}

// LLMKeyCheck answers validate-llm-key.
type LLMKeyCheck struct {
	Valid bool    `json:"valid"`
	Model *string `json:"model" jsonschema:"nullable"`
	Error *string `json:"error" jsonschema:"nullable"`
}

// KeyRequest is POST /api/v1/sdk/api-keys' body.
type KeyRequest struct {
	Name string `json:"name,omitempty" jsonschema:"maxLength=100"`
}

// SDKKey is an issued SDK key: key (the secret) only in the answer to its creation.
type SDKKey struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Key       string    `json:"key,omitempty"`
	KeyPrefix string    `json:"key_prefix" jsonschema:"description=the key format's prefix: pk_live_"`
	Prefix    string    `json:"prefix" jsonschema:"description=the readable start of this key"`
	CreatedAt time.Time `json:"created_at"`
}

// KeyRevoked answers DELETE /api/v1/sdk/api-keys/{key_id}.
type KeyRevoked struct {
	ID      string `json:"id"`
	Revoked bool   `json:"revoked"`
}

// MachineInfo is one machine with the player's standing on it. machine_id is the machine_key.
type MachineInfo struct {
	MachineID      string  `json:"machine_id"`
	MachineKey     string  `json:"machine_key"`
	Name           string  `json:"name"`
	Description    string  `json:"description"`
	HasSession     bool    `json:"has_session"`
	SessionOutcome *string `json:"session_outcome" jsonschema:"nullable"`
	IsLinked       bool    `json:"is_linked"`
	IsAvailable    bool    `json:"is_available"`
}

func machineInfo(m turn.MachineInfo) MachineInfo {
	return MachineInfo{MachineID: m.MachineKey, MachineKey: m.MachineKey, Name: m.Name, Description: m.Description,
		HasSession: m.HasSession, SessionOutcome: optional(m.SessionOutcome), IsLinked: m.IsLinked, IsAvailable: m.Available}
}

// ChatResponseOf renders a reply as the SDK's ChatResponse.
func ChatResponseOf(r service.Reply) ChatResponse {
	out := ChatResponse{Message: r.Reply, CurrentState: r.StateKey, Score: r.Score, Outcome: optional(r.Outcome),
		Decision: optional(r.Decision), FollowUp: r.FollowUp, SessionID: r.SessionID, ScoringMode: r.ScoringMode,
		RedirectCount: r.RedirectCount, MachineCompleted: r.MachineCompleted, UnlockedMachines: []UnlockedMachine{},
		MachineID: r.MachineKey, Evaluator: r.Evaluator}
	for _, u := range r.Unlocked {
		out.UnlockedMachines = append(out.UnlockedMachines, UnlockedMachine{MachineID: u.MachineKey, MachineKey: u.MachineKey,
			Name: u.Name, IsAutoAdvance: u.IsAutoAdvance})
	}
	if r.Advanced != nil {
		out.NextMachine = &NextMachine{MachineID: r.Advanced.MachineKey, Message: r.Advanced.Reply}
	}
	return out
}

// SessionInitOf renders a started session as the SDK's SessionInit.
func SessionInitOf(s service.SessionInit) SessionInit {
	return SessionInit{SessionID: s.SessionID, UserSessionID: s.UserSessionID, PersonaName: s.PersonaName,
		PersonaDescription: optional(s.PersonaDescription), PlayerName: s.Player.Name, PlayerGender: s.Player.Gender,
		Message: s.Message, MachineID: s.MachineKey, Evaluator: s.Evaluator}
}

func statusOfSession(s service.SessionStatus) SessionStatus {
	return SessionStatus{SessionID: s.SessionID, PersonaID: s.PersonaID, MachineID: s.MachineKey, CurrentState: s.Session.StateKey,
		Score: s.Session.Score, Outcome: optional(s.Session.Outcome), PlayerName: s.Session.Player.Name,
		PlayerGender: s.Session.Player.Gender, StartedAt: s.Session.StartedAt, LastMessageAt: s.Session.LastMessageAt,
		RedirectCount: s.Session.RedirectCount}
}

// playRef reads the persona, the player and the machine of a play route.
func playRef(r *http.Request, usid string, web bool) service.PlayRef {
	if usid == "" {
		usid = r.URL.Query().Get("user_session_id")
	}
	return service.PlayRef{PersonaID: r.PathValue("persona_id"), UserSessionID: usid, MachineID: r.URL.Query().Get("machine_id"), Web: web}
}

func decodeBody(r *http.Request, v any) error {
	raw, err := httpapi.ReadBody(r)
	if err != nil {
		return err
	}
	return httpapi.DecodeJSON(raw, v)
}

// writeEvents answers with server-sent events, one single-line JSON data per event, flushing
// each, as the SDK reads them.
func writeEvents(w http.ResponseWriter, ev events) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	for _, e := range ev {
		b, err := json.Marshal(e.data)
		if err != nil {
			b, _ = json.Marshal(map[string]string{"message": "internal error"})
			e.name = "error"
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.name, b); err != nil {
			return
		}
		_ = rc.Flush()
	}
}

// The language-model headers the SDK sends (docs/personas.md §8); the per-step ones
// (X-LLM-{Eval,Response,Summarization}-{API-Key,Model}) are read the same way.
var (
	llmKeyHeader = httpapi.Param{Name: llm.HeaderAPIKey, In: "header", Description: "a language-model API key for this request only " +
		"(never stored or logged); used when the server has an LLM endpoint (ARCADE_LLM_URL), ignored otherwise"}
	llmModelHeader = httpapi.Param{Name: llm.HeaderModel, In: "header", Description: "the model to use with X-LLM-API-Key"}
)

// liveStream sends a turn's events as the LLM evaluator makes them (service.Stream): metadata
// as soon as the turn is decided, each piece of the reply as the model writes it.
type liveStream struct {
	w       http.ResponseWriter
	started bool
	deltas  int
}

func (l *liveStream) send(name string, data any) {
	if !l.started {
		l.started = true
		l.w.Header().Set("Content-Type", "text/event-stream")
		l.w.Header().Set("Cache-Control", "no-cache")
		l.w.Header().Set("X-Accel-Buffering", "no")
		l.w.WriteHeader(http.StatusOK)
	}
	b, err := json.Marshal(data)
	if err != nil {
		name, b = "error", []byte(`{"error":{"message":"internal error","code":"INTERNAL_ERROR"}}`)
	}
	if _, err := fmt.Fprintf(l.w, "event: %s\ndata: %s\n\n", name, b); err == nil {
		_ = http.NewResponseController(l.w).Flush()
	}
}

func (l *liveStream) Metadata(r service.Reply) { l.send("metadata", metadataOf(ChatResponseOf(r))) }

func (l *liveStream) Delta(text string) {
	l.deltas++
	l.send("text_delta", map[string]string{"text": text})
}

// metadataOf is the answer without its message.
func metadataOf(resp ChatResponse) map[string]any {
	meta := map[string]any{}
	b, _ := json.Marshal(resp)
	_ = json.Unmarshal(b, &meta)
	delete(meta, "message")
	return meta
}

// streamOf renders a reply as the stream's events: metadata (the answer without its message),
// the message in text_delta pieces (a word and the space after it each), then done.
func streamOf(resp ChatResponse) events {
	out := events{{"metadata", metadataOf(resp)}}
	for rest := resp.Message; rest != ""; {
		i := strings.IndexByte(rest, ' ')
		if i < 0 {
			i = len(rest) - 1
		}
		out = append(out, event{"text_delta", map[string]string{"text": rest[:i+1]}})
		rest = rest[i+1:]
	}
	return append(out, event{"done", resp})
}

func (a *API) registerPlay(rt *httpapi.Router) {
	o := a.Ops
	const sdk = "/api/v1/sdk/chat/{persona_id}"
	a.handle(rt, o.SDKList, sdkShape, httpapi.Op{Method: "GET", Path: "/api/v1/sdk/personas", ID: "sdkListPersonas", Tag: "persona-sdk",
		Resp: []SDKPersona{}, Description: "The shipped example personas (playable by every key) and the key owner's published personas."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			list, err := o.SDKList.Invoke(r.Context(), c, ops.None{})
			out := make([]SDKPersona, 0, len(list))
			for _, s := range list {
				out = append(out, SDKPersona{ID: s.ID, Name: s.Name, Description: s.Description, IsExample: s.Example,
					CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt})
			}
			return 0, out, err
		})
	a.handle(rt, o.CreateKey, sdkShape, httpapi.Op{Method: "POST", Path: "/api/v1/sdk/api-keys", ID: "sdkCreateKey", Tag: "persona-sdk",
		Body: KeyRequest{}, Resp: SDKKey{},
		Description: "Authenticated with the account's key (the creator's \"JWT\"). key is shown once; regenerating the account key " +
			"(POST /api/me/api-key) revokes every key of the account, these included."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			var req KeyRequest
			if len(strings.TrimSpace(string(raw))) > 0 {
				if err := httpapi.DecodeJSON(raw, &req); err != nil {
					return 0, nil, err
				}
			}
			k, err := o.CreateKey.Invoke(r.Context(), c, service.KeyName{Name: req.Name})
			return 0, SDKKey{ID: k.ID, Name: k.Name, Key: k.Secret, KeyPrefix: account.PrefixSDK, Prefix: k.Prefix, CreatedAt: k.CreatedAt}, err
		})
	a.handle(rt, o.Keys, sdkShape, httpapi.Op{Method: "GET", Path: "/api/v1/sdk/api-keys", ID: "sdkListKeys", Tag: "persona-sdk",
		Resp: []SDKKey{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			ks, err := o.Keys.Invoke(r.Context(), c, ops.None{})
			out := make([]SDKKey, 0, len(ks))
			for _, k := range ks {
				out = append(out, SDKKey{ID: k.ID, Name: k.Name, KeyPrefix: account.PrefixSDK, Prefix: k.Prefix, CreatedAt: k.CreatedAt})
			}
			return 0, out, err
		})
	a.handle(rt, o.RevokeKey, sdkShape, httpapi.Op{Method: "DELETE", Path: "/api/v1/sdk/api-keys/{key_id}", ID: "sdkRevokeKey",
		Tag: "persona-sdk", Resp: KeyRevoked{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			k, err := o.RevokeKey.Invoke(r.Context(), c, service.ByID{ID: r.PathValue("key_id")})
			return 0, KeyRevoked{ID: k.ID, Revoked: true}, err
		})
	a.handle(rt, o.ValidateLLM, sdkShape, httpapi.Op{Method: "POST", Path: "/api/v1/sdk/validate-llm-key", ID: "sdkValidateLLMKey",
		Tag: "persona-sdk", Params: []httpapi.Param{llmKeyHeader, llmModelHeader}, Body: LLMKeyRequest{}, Resp: LLMKeyCheck{},
		Description: "Checks the key in X-LLM-API-Key (else the server's) and the model (body, else X-LLM-Model, else the server's) " +
			"against the server's language-model endpoint with a one-token completion. Without an endpoint (ARCADE_LLM_URL) it answers " +
			"valid: false with the reason: personas are then played by the built-in rule-based evaluator, which needs no key. " +
			"The X-LLM-* headers are used for the request only, never stored or logged."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			var req LLMKeyRequest
			if len(strings.TrimSpace(string(raw))) > 0 {
				if err := httpapi.DecodeJSON(raw, &req); err != nil {
					return 0, nil, err
				}
			}
			if req.Model == "" {
				req.Model = r.Header.Get("X-LLM-Model")
			}
			res, err := o.ValidateLLM.Invoke(r.Context(), c, service.LLMKey{Model: req.Model})
			return 0, LLMKeyCheck{Valid: res.Valid, Model: optional(res.Model), Error: optional(res.Error)}, err
		})
	for _, web := range []bool{false, true} {
		base, tag, id := sdk, "persona-sdk", "sdk"
		if web {
			base, tag, id = "/api/v1/chat/{persona_id}", "persona-chat", "chat"
		}
		a.handle(rt, o.Start, sdkShape, httpapi.Op{Method: "POST", Path: base + "/init-session", ID: id + "InitSession", Tag: tag,
			Params: []httpapi.Param{machineOpt, llmKeyHeader, llmModelHeader}, Body: InitRequest{}, Resp: SessionInit{},
			Description: "Starts a new session with the machine (replacing an earlier one, whose history is deleted)."},
			func(r *http.Request, c ops.Caller) (int, any, error) {
				var req InitRequest
				if err := decodeBody(r, &req); err != nil {
					return 0, nil, err
				}
				s, err := o.Start.Invoke(r.Context(), c, service.StartInput{PlayRef: playRef(r, req.UserSessionID, web),
					PlayerName: req.PlayerName, PlayerGender: req.PlayerGender})
				return 0, SessionInitOf(s), err
			})
		a.handle(rt, o.Message, sdkShape, httpapi.Op{Method: "POST", Path: base + "/message", ID: id + "Message", Tag: tag,
			Params: []httpapi.Param{machineOpt, llmKeyHeader, llmModelHeader}, Body: MessageRequest{}, Resp: ChatResponse{}},
			func(r *http.Request, c ops.Caller) (int, any, error) {
				var req MessageRequest
				if err := decodeBody(r, &req); err != nil {
					return 0, nil, err
				}
				res, err := o.Message.Invoke(r.Context(), c, service.MessageInput{PlayRef: playRef(r, req.UserSessionID, web), Message: req.Message})
				return 0, ChatResponseOf(res), err
			})
	}
	a.handle(rt, o.Message, sdkShape, httpapi.Op{Method: "POST", Path: sdk + "/message/stream", ID: "sdkMessageStream", Tag: "persona-sdk",
		Params: []httpapi.Param{machineOpt, llmKeyHeader, llmModelHeader}, Body: MessageRequest{}, Resp: ChatResponse{}, RespType: "text/event-stream",
		Description: "The message answer as server-sent events: metadata (the answer without message), text_delta {text} pieces, " +
			"then done (the whole answer). With the LLM evaluator, metadata comes as soon as the turn is decided and each piece as the " +
			"model writes it; a failure after the stream began is an error event {error: {message, code}}. " +
			"A refused request answers with its HTTP status and the JSON error before any event."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var req MessageRequest
			if err := decodeBody(r, &req); err != nil {
				return 0, nil, err
			}
			in := service.MessageInput{PlayRef: playRef(r, req.UserSessionID, false), Message: req.Message}
			return 0, live(func(w http.ResponseWriter, fail func(error)) {
				ls := &liveStream{w: w}
				res, err := o.Message.Invoke(service.WithStream(r.Context(), ls), c, in)
				switch {
				case !ls.started && err != nil: // refused before any event: the status and JSON error
					fail(err)
				case !ls.started: // the rule-based evaluator: the finished answer, in pieces
					writeEvents(w, streamOf(ChatResponseOf(res)))
				case err != nil: // failed after the stream began
					_, body := problem(a.Log, r, sdkShape, err)
					ls.send("error", body)
				default:
					resp := ChatResponseOf(res)
					if ls.deltas == 0 {
						for _, e := range streamOf(resp) {
							if e.name == "text_delta" {
								ls.send(e.name, e.data)
							}
						}
					}
					ls.send("done", resp)
				}
			}), nil
		})
	for _, web := range []bool{false, true} {
		base, tag, id := sdk, "persona-sdk", "sdk"
		if web {
			// Not seen in the real system's documents (◇): the web chat's session, history and
			// reset, which a browser page needs.
			base, tag, id = "/api/v1/chat/{persona_id}", "persona-chat", "chat"
		}
		a.handle(rt, o.Session, sdkShape, httpapi.Op{Method: "GET", Path: base + "/session", ID: id + "Session", Tag: tag,
			Params: []httpapi.Param{usidParam, machineOpt}, Resp: SessionStatus{}},
			func(r *http.Request, c ops.Caller) (int, any, error) {
				s, err := o.Session.Invoke(r.Context(), c, playRef(r, "", web))
				return 0, statusOfSession(s), err
			})
		a.handle(rt, o.History, sdkShape, httpapi.Op{Method: "GET", Path: base + "/history", ID: id + "History", Tag: tag,
			Params: []httpapi.Param{usidParam, machineOpt}, Resp: ChatHistory{}},
			func(r *http.Request, c ops.Caller) (int, any, error) {
				h, err := o.History.Invoke(r.Context(), c, playRef(r, "", web))
				out := ChatHistory{SessionStatus: statusOfSession(h.SessionStatus), Messages: make([]HistoryMessage, 0, len(h.Messages))}
				for _, m := range h.Messages {
					out.Messages = append(out.Messages, HistoryMessage{ID: m.ID, Role: m.Role, Content: m.Content, StateKeyAtTime: m.StateKey,
						ScoreAtTime: m.Score, Decision: optional(m.Decision), FollowUpTriggered: m.FollowUp, CreatedAt: m.At})
				}
				return 0, out, err
			})
		a.handle(rt, o.Reset, sdkShape, httpapi.Op{Method: "POST", Path: base + "/reset", ID: id + "Reset", Tag: tag,
			Params: []httpapi.Param{usidParam, machineOpt}, Resp: ResetResult{}},
			func(r *http.Request, c ops.Caller) (int, any, error) {
				if _, err := httpapi.ReadBody(r); err != nil {
					return 0, nil, err
				}
				res, err := o.Reset.Invoke(r.Context(), c, playRef(r, "", web))
				return 0, ResetResult{SessionID: res.SessionID, Message: res.Message}, err
			})
	}
	a.handle(rt, o.Machines, sdkShape, httpapi.Op{Method: "GET", Path: sdk + "/machines", ID: "sdkMachines", Tag: "persona-sdk",
		Params: []httpapi.Param{usidParam}, Resp: []MachineInfo{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			ms, err := o.Machines.Invoke(r.Context(), c, playRef(r, "", false))
			return 0, MachineInfos(ms), err
		})
}
