package creditsapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/tools"
)

// The OpenClaw tools endpoint (spec 000's "OpenClaw Tools API", in the real executor's wire
// shapes): GET lists the tools, POST {tool, parameters, agent_token?} calls one in process through
// the operation registry and answers {success, tool, result, meta}. Errors use the real route's
// shapes ({success:false, error, ...}) with the statuses of this surface's error table.

// ToolCall is POST /api/openclaw/tools's body.
type ToolCall struct {
	Tool       string          `json:"tool" jsonschema:"required,description=a tool name from GET /api/openclaw/tools"`
	Parameters json.RawMessage `json:"parameters" jsonschema:"required,type=object"`
	AgentToken string          `json:"agent_token,omitempty" jsonschema:"description=agent_id:user_id:permissions[:signature]"`
}

// Tool rate limits, per tool name and caller, as the real system counts them: 10 calls a minute,
// 60 with an agent_token. They are off when the per-key limit is off (benchmarks).
var (
	toolLimit      = ratelimit.Limit{PerSecond: 10.0 / 60, Burst: 10}
	toolAgentLimit = ratelimit.Limit{PerSecond: 1, Burst: 60}
)

// RegisterTools adds the tools endpoint for set to rt. limitsOff turns the per-tool limits off.
func (a *API) RegisterTools(rt *httpapi.Router, set *tools.Set, limitsOff bool) {
	plain, agent := ratelimit.New(toolLimit), ratelimit.New(toolAgentLimit)
	if limitsOff {
		plain, agent = ratelimit.New(ratelimit.Limit{}), ratelimit.New(ratelimit.Limit{})
	}
	list := map[string]any{}
	for _, t := range set.Tools() {
		list[t.Name] = ToolEntry(t)
	}
	meta := map[string]any{"version": "1.0.0", "platform": "arcade", "ai_first": true,
		"description": "Arcade's tools for AI agents: the xpersona OpenClaw tool set over the same operations as /api. Also served over MCP at /mcp."}
	rt.Handle(httpapi.Op{Method: "GET", Path: "/api/openclaw/tools", ID: "listTools", Tag: "tools",
		Summary: "OpenClaw tool schema: every tool's name, description, parameters (JSON Schema) and returns.",
		Resp:    ToolList{}, Handler: func(w http.ResponseWriter, r *http.Request) {
			httpapi.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "tools": list, "meta": meta})
		}})
	names := set.Names()
	rt.Handle(httpapi.Op{Method: "POST", Path: "/api/openclaw/tools", ID: "callTool", Tag: "tools",
		Summary:     "Call a tool: {tool, parameters, agent_token?} → {success, tool, result, meta}.",
		Description: "Bearer key required except for the public tools (auth_guest, auth_agent, get_limits, get_discovery, calculate_odds, list_credit_packages). 10 calls a minute per tool, 60 with an agent_token; 429 carries retry_after.",
		Body:        ToolCall{}, Resp: ToolAnswer{}, Errors: []int{400, 401, 403, 404, 409, 413, 429, 503}, ErrBody: toolErrSchema,
		Handler: func(w http.ResponseWriter, r *http.Request) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				a.toolFail(w, r, err)
				return
			}
			var call map[string]json.RawMessage
			if json.Unmarshal(raw, &call) != nil {
				httpapi.WriteJSON(w, http.StatusBadRequest, map[string]any{"success": false, "error": "Invalid JSON body",
					"hint": `send {"tool": "<name>", "parameters": {...}}`})
				return
			}
			if err := httpapi.CheckJSONText(raw); err != nil {
				a.toolFail(w, r, err)
				return
			}
			var name, token string
			_ = json.Unmarshal(call["tool"], &name)
			_ = json.Unmarshal(call["agent_token"], &token)
			params, hasParams := call["parameters"]
			if name == "" || !hasParams {
				httpapi.WriteJSON(w, http.StatusBadRequest, map[string]any{"success": false,
					"error": "Invalid request: 'tool' and 'parameters' required", "field": "tool",
					"schema": map[string]any{"tool": "string", "parameters": "object", "agent_token": "string (optional)"},
					"hint":   "GET /api/openclaw/tools lists every tool and its parameters"})
				return
			}
			t, ok := set.Get(name)
			if !ok {
				httpapi.WriteJSON(w, http.StatusBadRequest, map[string]any{"success": false, "error": "Unknown tool: " + name,
					"field": "tool", "available_tools": names})
				return
			}
			env := tools.Env{Resolve: func(ctx context.Context, key string) (ops.Caller, error) {
				return a.Gate.Resolve(ctx, key, "tools", httpapi.ClientAddr(r))
			}}
			if token != "" {
				if env.AgentID, err = tools.ParseAgentToken(token); err != nil {
					httpapi.WriteJSON(w, http.StatusUnauthorized, map[string]any{"success": false, "error": "Invalid token format",
						"field": "agent_token", "message": errs.As(err).Message})
					return
				}
			}
			c, err := a.caller(r)
			if err != nil {
				a.toolFail(w, r, err)
				return
			}
			c.Via = "tools"
			lim, who := plain, "addr:"+c.Addr
			switch {
			case env.AgentID != "":
				lim, who = agent, "agent:"+env.AgentID
			case c.ID() != "":
				who = "account:" + c.ID()
			}
			ok, wait, remaining := lim.Take(who+"|"+name, a.Now())
			if !ok {
				secs := int(wait/time.Second) + 1
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				httpapi.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"success": false, "error": "Rate limit exceeded",
					"code": "RATE_LIMITED", "retry_after": secs})
				return
			}
			result, err := set.Call(r.Context(), env, c, t, params)
			if err != nil {
				a.toolFail(w, r, err)
				return
			}
			var agentID any
			if env.AgentID != "" {
				agentID = env.AgentID
			}
			var rem any = remaining
			if remaining < 0 {
				rem = nil
			}
			httpapi.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "tool": t.Name, "result": result,
				"meta": map[string]any{"timestamp": a.Now().UTC().Format(time.RFC3339), "agent_id": agentID,
					"rate_limit_remaining": rem, "request_id": httpapi.RequestID(r.Context())}})
		}})
}

// toolFail renders a failed tool call in the real route's shape: error is the message; code and
// field say what went wrong for a program.
func (a *API) toolFail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := errorBody(a.Log, r, err)
	out := map[string]any{"success": false, "code": body["error"], "timestamp": a.Now().UTC().Format(time.RFC3339)}
	msg, _ := body["message"].(string)
	if msg == "" {
		msg, _ = body["error"].(string)
	}
	out["error"] = msg
	for _, k := range []string{"field", "data", "nextFaucetAt", "retry_after", "request_id"} {
		if v, ok := body[k]; ok {
			out[k] = v
		}
	}
	if status == http.StatusBadRequest {
		out["hint"] = "GET /api/openclaw/tools lists every tool's parameters with their types and ranges"
	}
	if e := errs.As(err); e != nil && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	httpapi.WriteJSON(w, status, out)
}

// ToolEntry is one tool in GET /api/openclaw/tools, in the real schema's shape.
func ToolEntry(t *tools.Tool) map[string]any {
	props := map[string]any{}
	for _, f := range t.Returns {
		props[f] = map[string]any{}
	}
	e := map[string]any{"name": t.Name, "description": t.Description, "parameters": t.Schema(),
		"returns": map[string]any{"type": "object", "properties": props}}
	if t.NoAuth() {
		e["noAuth"] = true
	}
	return e
}

// ToolList documents GET /api/openclaw/tools.
type ToolList struct {
	Success bool                      `json:"success"`
	Tools   map[string]ToolDescriptor `json:"tools"`
	Meta    map[string]any            `json:"meta"`
}

// ToolDescriptor documents one listed tool.
type ToolDescriptor struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Parameters  map[string]any `json:"parameters"`
	Returns     map[string]any `json:"returns"`
	NoAuth      bool           `json:"noAuth,omitempty"`
}

// ToolAnswer documents a successful call.
type ToolAnswer struct {
	Success bool           `json:"success"`
	Tool    string         `json:"tool"`
	Result  map[string]any `json:"result"`
	Meta    ToolMeta       `json:"meta"`
}

// ToolMeta is a call's metadata.
type ToolMeta struct {
	Timestamp          string  `json:"timestamp"`
	AgentID            *string `json:"agent_id"`
	RateLimitRemaining *int    `json:"rate_limit_remaining"`
	RequestID          string  `json:"request_id,omitempty"`
}

var toolErrSchema = map[string]any{"type": "object", "required": []string{"success", "error"}, "properties": map[string]any{
	"success": map[string]any{"const": false},
	"error":   map[string]any{"type": "string", "description": "what went wrong, in words"},
	"code":    map[string]any{"type": "string", "description": "machine-readable code, e.g. VALIDATION_ERROR"},
	"field":   map[string]any{"type": "string", "description": "the parameter at fault, e.g. parameters.amount"},
	"hint":    map[string]any{"type": "string"},
}}
