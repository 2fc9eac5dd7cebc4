package creditsapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ratelimit"
)

// The OpenClaw tools endpoint (spec 000, "OpenClaw Tools API"): POST /api/openclaw/tools
// {tool, parameters, agent_token?} → {success, tool, result, meta}. Each tool is a thin
// translation onto a documented /api route, dispatched in-process through the same router, so a
// tool can never disagree with the REST API (same validation, same money paths, same
// idempotency). Parameters are snake_case, as OpenClaw sends them.

// Tool describes one tool for GET /api/openclaw/tools.
type Tool struct {
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Parameters  map[string]any `json:"parameters"`
	Returns     string         `json:"returns"`
	NoAuth      bool           `json:"noAuth,omitempty"`
	route       func(p toolParams) (method, path string, body any, err error)
	shape       func(data map[string]any) any
}

type toolParams map[string]json.RawMessage

func (p toolParams) str(k string) string {
	var s string
	_ = json.Unmarshal(p[k], &s)
	return s
}

// num returns a numeric parameter as the raw JSON number ("" when absent).
func (p toolParams) num(k string) (json.RawMessage, error) {
	v, ok := p[k]
	if !ok || string(v) == "null" {
		return nil, nil
	}
	var n httpapi.Number
	if err := json.Unmarshal(v, &n); err != nil {
		return nil, errs.Invalid("parameters."+k, "must be a number")
	}
	return json.RawMessage(n), nil
}

func props(kv ...string) map[string]any {
	p := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		p[kv[i]] = map[string]any{"type": kv[i+1]}
	}
	return map[string]any{"type": "object", "properties": p}
}

func (a *API) tools() []Tool {
	get := func(path string) func(toolParams) (string, string, any, error) {
		return func(toolParams) (string, string, any, error) { return "GET", path, nil, nil }
	}
	return []Tool{
		{Name: "xpersona_auth_guest", Description: "Create a guest account; returns its API key once.", NoAuth: true,
			Parameters: props(), Returns: "{apiKey, apiKeyPrefix, userId}", route: func(toolParams) (string, string, any, error) {
				return "POST", "/api/auth/guest", nil, nil
			}},
		{Name: "xpersona_auth_agent", Description: "Register an AI agent with 100 starting credits; returns its API key once.", NoAuth: true,
			Parameters: props("name", "string"), Returns: "{apiKey, apiKeyPrefix, agentId, userId, credits}", route: func(p toolParams) (string, string, any, error) {
				return "POST", "/api/auth/agent/register", map[string]any{"name": p.str("name")}, nil
			}},
		{Name: "xpersona_place_dice_round", Description: "Play a dice round: amount 1–10000 credits, target 0–99.99, condition over|under.",
			Parameters: props("amount", "integer", "target", "number", "condition", "string"),
			Returns:    "{success, result, win, payout, balance, server_seed_hash, nonce, bet_id}",
			route: func(p toolParams) (string, string, any, error) {
				amount, err := p.num("amount")
				if err != nil {
					return "", "", nil, err
				}
				target, err := p.num("target")
				if err != nil {
					return "", "", nil, err
				}
				return "POST", "/api/games/dice/round", map[string]any{"amount": amount, "target": target, "condition": p.str("condition")}, nil
			},
			shape: func(d map[string]any) any {
				v, _ := d["verification"].(map[string]any)
				return map[string]any{"success": true, "result": d["result"], "win": d["win"], "payout": d["payout"], "balance": d["balance"],
					"server_seed_hash": v["serverSeedHash"], "nonce": v["nonce"], "bet_id": d["betId"]}
			}},
		{Name: "xpersona_get_balance", Description: "Balance and session info.", Parameters: props(), Returns: "GET /api/me/session-stats data",
			route: get("/api/me/session-stats?limit=10")},
		{Name: "xpersona_get_history", Description: "Recent rounds with session PnL.", Parameters: props("limit", "integer"),
			Returns: "GET /api/me/rounds data", route: func(p toolParams) (string, string, any, error) {
				limit, err := p.num("limit")
				if err != nil {
					return "", "", nil, err
				}
				q := "/api/me/rounds"
				if limit != nil {
					q += "?limit=" + url.QueryEscape(string(limit))
				}
				return "GET", q, nil, nil
			}},
		{Name: "xpersona_analyze_patterns", Description: "Streaks, win rates and profit factor over recent rounds.",
			Parameters: props("limit", "integer"), Returns: "{current_streak, max_win_streak, max_loss_streak, winRate, rolling_win_rate_10, rolling_win_rate_20, profit_factor}",
			route: get("/api/me/session-stats?limit=100"),
			shape: func(d map[string]any) any {
				out := map[string]any{}
				for _, k := range []string{"rounds", "winRate", "sessionPnl", "current_streak", "max_win_streak", "max_loss_streak",
					"rolling_win_rate_10", "rolling_win_rate_20", "profit_factor"} {
					out[k] = d[k]
				}
				out["note"] = "Each roll is independent: past results do not change the next roll's odds."
				return out
			}},
		{Name: "xpersona_run_strategy", Description: "Run a dice strategy for real: strategy_id or inline config, optional max_rounds.",
			Parameters: props("strategy_id", "string", "config", "object", "max_rounds", "integer"),
			Returns:    "{success, session_id, status, total_rounds, final_balance, session_pnl, stopped_reason, results}",
			route: func(p toolParams) (string, string, any, error) {
				mr, err := p.num("max_rounds")
				if err != nil {
					return "", "", nil, err
				}
				body := map[string]any{"strategyId": p.str("strategy_id")}
				if c, ok := p["config"]; ok {
					body["config"] = c
				}
				if mr != nil {
					body["maxRounds"] = mr
				}
				return "POST", "/api/games/dice/run-strategy", body, nil
			},
			shape: func(d map[string]any) any {
				return map[string]any{"success": true, "session_id": d["runId"], "status": "completed", "total_rounds": d["roundsPlayed"],
					"final_balance": d["finalBalance"], "session_pnl": d["sessionPnl"], "stopped_reason": d["stoppedReason"], "results": d["results"]}
			}},
		{Name: "xpersona_list_strategies", Description: "List your saved strategies.", Parameters: props(), Returns: "{strategies}",
			route: get("/api/me/strategies")},
		{Name: "xpersona_get_strategy", Description: "A saved strategy (config, progression_type).", Parameters: props("strategy_id", "string"),
			Returns: "{id, name, config, progression_type}", route: func(p toolParams) (string, string, any, error) {
				return "GET", "/api/me/strategies/" + url.PathEscape(p.str("strategy_id")), nil, nil
			},
			shape: func(d map[string]any) any {
				c, _ := d["config"].(map[string]any)
				d["progression_type"] = c["progressionType"]
				return d
			}},
		{Name: "xpersona_delete_strategy", Description: "Delete a saved strategy.", Parameters: props("strategy_id", "string"), Returns: "{id}",
			route: func(p toolParams) (string, string, any, error) {
				return "DELETE", "/api/me/strategies/" + url.PathEscape(p.str("strategy_id")), nil, nil
			}},
		{Name: "xpersona_notify", Description: "Record a notification for your human (echoed back; Arcade sends no e-mail).",
			Parameters: props("message", "string", "level", "string"), Returns: "{delivered, message}",
			route: nil},
		{Name: "xpersona_get_limits", Description: "Limits: min/max per round, rate limits, run and simulation caps.", NoAuth: true,
			Parameters: props(), Returns: "GET /api/discovery?section=platform data", route: func(toolParams) (string, string, any, error) {
				return "GET", "/api/discovery?section=platform", nil, nil
			}},
		{Name: "xpersona_get_discovery", Description: "Strategy builder schema: triggers, actions, presets, mechanics.", NoAuth: true,
			Parameters: props("section", "string"), Returns: "GET /api/discovery data", route: func(p toolParams) (string, string, any, error) {
				path := "/api/discovery"
				if s := p.str("section"); s != "" {
					path += "?section=" + url.QueryEscape(s)
				}
				return "GET", path, nil, nil
			}},
		{Name: "xpersona_calculate_odds", Description: "Win probability, multiplier and expected value of a dice bet.", NoAuth: true,
			Parameters: props("target", "number", "condition", "string", "amount", "number"),
			Returns:    "{win_probability, multiplier, expected_value, house_edge, risk_rating}", route: nil},
		{Name: "xpersona_claim_faucet", Description: "Claim hourly Free Credits (100).", Parameters: props(),
			Returns: "{success, balance, granted, next_faucet_at}", route: func(toolParams) (string, string, any, error) {
				return "POST", "/api/faucet", nil, nil
			},
			shape: func(d map[string]any) any {
				return map[string]any{"success": true, "balance": d["balance"], "granted": d["granted"], "next_faucet_at": d["nextFaucetAt"]}
			}},
		{Name: "xpersona_list_credit_packages", Description: "Credit packages for purchase.", NoAuth: true, Parameters: props(),
			Returns: "GET /api/credits/packages data", route: get("/api/credits/packages")},
		{Name: "xpersona_create_checkout", Description: "Create a card checkout URL for a credit package.", Parameters: props("package_id", "string"),
			Returns: "{url}", route: func(p toolParams) (string, string, any, error) {
				return "POST", "/api/credits/checkout", map[string]any{"packageId": p.str("package_id")}, nil
			}},
	}
}

// ToolCall is POST /api/openclaw/tools's body.
type ToolCall struct {
	Tool       string          `json:"tool"`
	Parameters json.RawMessage `json:"parameters,omitempty"`
	AgentToken string          `json:"agent_token,omitempty"`
}

// Tool rate limits: the real system's 10 calls a minute, 60 with an agent_token.
var (
	toolLimit      = ratelimit.Limit{PerSecond: 10.0 / 60, Burst: 10}
	toolAgentLimit = ratelimit.Limit{PerSecond: 1, Burst: 60}
)

func (a *API) registerTools(rt *httpapi.Router) {
	tools := a.tools()
	byName := map[string]Tool{}
	list := map[string]Tool{}
	for _, t := range tools {
		byName[t.Name] = t
		list[t.Name] = t
	}
	plain, agent := ratelimit.New(toolLimit), ratelimit.New(toolAgentLimit)
	if a.PerKey != nil && a.PerKey.Limit().Off() {
		plain, agent = ratelimit.New(ratelimit.Limit{}), ratelimit.New(ratelimit.Limit{})
	}
	rt.Handle(httpapi.Op{Method: "GET", Path: "/api/openclaw/tools", ID: "listTools", Tag: "tools",
		Summary: "OpenClaw tool schema: every tool's name, description, parameters and returns.",
		Resp:    map[string]any{}, Handler: func(w http.ResponseWriter, r *http.Request) {
			httpapi.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "tools": list})
		}})
	rt.Handle(httpapi.Op{Method: "POST", Path: "/api/openclaw/tools", ID: "callTool", Tag: "tools",
		Summary:     "Call an OpenClaw tool: {tool, parameters, agent_token?} → {success, tool, result, meta}.",
		Description: "Bearer key required except for xpersona_auth_guest, xpersona_auth_agent and the public tools. 10 calls/min, 60 with an agent_token; 429 carries retry_after.",
		Body:        ToolCall{}, Resp: map[string]any{}, Errors: []int{400, 401, 429},
		ErrBody: errSchema,
		Handler: func(w http.ResponseWriter, r *http.Request) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				a.fail(w, r, err)
				return
			}
			var call ToolCall
			if err := httpapi.DecodeJSON(raw, &call); err != nil {
				a.fail(w, r, err)
				return
			}
			t, ok := byName[call.Tool]
			if !ok {
				a.fail(w, r, errs.Invalid("tool", "unknown tool %q; GET /api/openclaw/tools lists them", call.Tool))
				return
			}
			lim, who := plain, r.RemoteAddr
			if call.AgentToken != "" {
				lim = agent
			}
			if key := httpapi.BearerKey(r); key != "" {
				who = key
			}
			if ok, wait := lim.Allow(who, a.Now()); !ok {
				secs := int(wait.Seconds()) + 1
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				httpapi.WriteJSON(w, http.StatusTooManyRequests, map[string]any{"success": false, "error": "RATE_LIMITED", "retry_after": secs})
				return
			}
			params := toolParams{}
			if len(call.Parameters) > 0 && string(call.Parameters) != "null" {
				if err := json.Unmarshal(call.Parameters, &params); err != nil {
					a.fail(w, r, errs.Invalid("parameters", "must be an object"))
					return
				}
			}
			result, status, err := a.runTool(r, rt, t, params)
			if err != nil {
				a.fail(w, r, err)
				return
			}
			if status >= 400 {
				httpapi.WriteJSON(w, status, result)
				return
			}
			httpapi.WriteJSON(w, http.StatusOK, map[string]any{"success": true, "tool": t.Name, "result": result,
				"meta": map[string]any{"timestamp": a.Now().UTC().Format(time.RFC3339), "request_id": httpapi.RequestID(r.Context())}})
		}})
}

// runTool executes t: computed tools here, the rest through the router with the caller's
// credentials. A failed inner call returns its own status and body (the /api error envelope).
func (a *API) runTool(r *http.Request, rt *httpapi.Router, t Tool, p toolParams) (any, int, error) {
	switch t.Name {
	case "xpersona_notify":
		msg := p.str("message")
		if msg == "" {
			return nil, 0, errs.Missing("parameters.message")
		}
		return map[string]any{"delivered": true, "message": msg, "note": "recorded for this response only"}, 200, nil
	case "xpersona_calculate_odds":
		return calculateOdds(p)
	}
	method, path, body, err := t.route(p)
	if err != nil {
		return nil, 0, err
	}
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	inner := httptest.NewRequestWithContext(r.Context(), method, path, rd)
	inner.RemoteAddr = r.RemoteAddr
	for _, h := range []string{"Authorization", "X-API-Key", "Idempotency-Key"} {
		if v := r.Header.Get(h); v != "" {
			inner.Header.Set(h, v)
		}
	}
	rec := httptest.NewRecorder()
	rt.ServeHTTP(rec, inner)
	var env map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
		return nil, 0, fmt.Errorf("tools: %s: undecodable answer: %w", t.Name, err)
	}
	if rec.Code >= 400 {
		return env, rec.Code, nil
	}
	d, _ := env["data"].(map[string]any)
	if d == nil {
		return env["data"], 200, nil
	}
	if t.shape != nil {
		return t.shape(d), 200, nil
	}
	return d, 200, nil
}

func calculateOdds(p toolParams) (any, int, error) {
	target := p.str("target")
	if raw, ok := p["target"]; ok && target == "" {
		target = string(raw)
	}
	th, err := fairness.ParseCreditDiceTarget(target)
	if err != nil {
		return nil, 0, errs.Invalid("parameters.target", "must be a number from 0 to 99.99 with at most two decimals")
	}
	over := p.str("condition") != "under"
	w := fairness.CreditDiceWinningRolls(th, over)
	if w == 0 {
		return nil, 0, errs.Invalid("parameters.target", "under 0 can never win")
	}
	amount := money.Micro
	if raw, err := p.num("amount"); err != nil {
		return nil, 0, err
	} else if raw != nil {
		if amount, err = money.Parse(string(raw)); err != nil || amount <= 0 {
			return nil, 0, errs.Invalid("parameters.amount", "must be a positive number of credits")
		}
	}
	payout, err := fairness.CreditDicePayout(int64(amount), th, over)
	if err != nil {
		return nil, 0, errs.Invalid("parameters.amount", "is too large")
	}
	prob := float64(w) / 100 // percent
	ev := money.Amount(int64(payout)*int64(w)/10000 - int64(amount))
	risk := "low"
	switch {
	case prob < 10:
		risk = "very_high"
	case prob < 33:
		risk = "high"
	case prob < 66:
		risk = "medium"
	}
	return map[string]any{"win_probability": prob, "multiplier": multiplier(credits.DiceBet{Target: th, Over: over}), "payout_if_win": money.Amount(payout),
		"expected_value": ev, "house_edge": 3, "risk_rating": risk}, 200, nil
}
