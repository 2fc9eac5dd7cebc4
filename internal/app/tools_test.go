package app_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// skillTools are the 31 tool names of the xpersona OpenClaw skill (xpersona-tools-notes.md §2).
var skillTools = []string{"auth_guest", "auth_agent", "place_dice_round", "get_balance", "get_history", "analyze_patterns",
	"run_strategy", "list_strategies", "get_strategy", "create_strategy", "update_strategy", "delete_strategy", "withdraw",
	"get_transactions", "verify_round", "list_advanced_strategies", "create_advanced_strategy", "get_advanced_strategy",
	"update_advanced_strategy", "delete_advanced_strategy", "simulate_advanced_strategy", "run_advanced_strategy", "stop_session",
	"get_session_status", "notify", "get_limits", "get_discovery", "calculate_odds", "claim_faucet", "list_credit_packages",
	"create_checkout"}

type toolClient struct {
	s     *server
	key   string
	token string
}

func (c toolClient) call(t *testing.T, tool, params string) resp {
	t.Helper()
	body := fmt.Sprintf(`{"tool":%q,"parameters":%s`, "xpersona_"+tool, params)
	if c.token != "" {
		body += fmt.Sprintf(`,"agent_token":%q`, c.token)
	}
	return c.s.do("POST", "/api/openclaw/tools", c.key, []byte(body+"}"))
}

// ok calls a tool, requires a 200 with the real envelope, and returns the result.
func (c toolClient) ok(t *testing.T, tool, params string, keys ...string) map[string]any {
	t.Helper()
	r := c.call(t, tool, params)
	res, _ := r.Body["result"].(map[string]any)
	meta, _ := r.Body["meta"].(map[string]any)
	if r.Status != 200 || r.Body["success"] != true || r.Body["tool"] != "xpersona_"+tool || res == nil || meta == nil {
		t.Fatalf("%s: %d %.600s", tool, r.Status, r.Raw)
	}
	for _, k := range []string{"timestamp", "agent_id", "rate_limit_remaining"} {
		if _, ok := meta[k]; !ok {
			t.Fatalf("%s: meta lacks %s: %s", tool, k, r.Raw)
		}
	}
	for _, k := range keys {
		if _, ok := res[k]; !ok {
			t.Fatalf("%s: result lacks %q: %.600s", tool, k, r.Raw)
		}
	}
	return res
}

// fails calls a tool and requires status and, when given, the field named.
func (c toolClient) fails(t *testing.T, tool, params string, status int, field string) {
	t.Helper()
	r := c.call(t, tool, params)
	if r.Status != status || r.Body["success"] != false || (field != "" && r.Body["field"] != field) {
		t.Fatalf("%s %s: want %d naming %q, got %d %.400s", tool, params, status, field, r.Status, r.Raw)
	}
}

func TestToolsList(t *testing.T) {
	s := newServer(t, store.SQLite)
	r := s.do("GET", "/api/openclaw/tools", "", nil)
	tools, _ := r.Body["tools"].(map[string]any)
	var got []string
	for name, v := range tools {
		got = append(got, strings.TrimPrefix(name, "xpersona_"))
		e := v.(map[string]any)
		params, _ := e["parameters"].(map[string]any)
		returns, _ := e["returns"].(map[string]any)
		if e["name"] != name || params["type"] != "object" || returns["type"] != "object" || e["description"] == "" {
			t.Fatalf("%s: entry %v", name, e)
		}
	}
	want := append(append(append([]string(nil), skillTools...), personaTools...), pokerTools...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("tools:\n got %v\nwant %v", got, want)
	}
	// Schemas carry required fields, enums and ranges.
	dice := tools["xpersona_place_dice_round"].(map[string]any)["parameters"].(map[string]any)
	props := dice["props"]
	_ = props
	b, _ := json.Marshal(dice)
	for _, frag := range []string{`"required":["amount","target","condition"]`, `"maximum":10000`, `"enum":["over","under"]`} {
		if !strings.Contains(string(b), frag) {
			t.Fatalf("dice schema lacks %s: %s", frag, b)
		}
	}
	meta, _ := r.Body["meta"].(map[string]any)
	if meta["version"] == nil || meta["ai_first"] != true {
		t.Fatalf("meta: %v", meta)
	}
}

// TestToolsAll calls every tool of the skill once with real work behind it, checks the real
// executor's result shape, and ends with the ledger invariant.
func TestToolsAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		anon := toolClient{s: s}
		g := anon.ok(t, "auth_guest", `{"action":"create"}`, "success", "guest_token", "user_id", "message", "starting_credits")
		key := g["guest_token"].(string)
		anon.ok(t, "auth_guest", fmt.Sprintf(`{"action":"login","guest_token":%q}`, key), "success", "guest_token", "message")
		ag := anon.ok(t, "auth_agent", `{"agent_id":"bot-7","agent_token":"bot-7:u:bet,read"}`, "success", "session_token", "permissions", "rate_limits")
		if ag["credits"] != 100.0 {
			t.Fatalf("agent credits: %v", ag)
		}
		c := toolClient{s: s, key: key, token: "bot-1:" + g["user_id"].(string) + ":bet,strategy,read"}

		f := c.ok(t, "claim_faucet", `{}`, "success", "balance", "granted", "next_faucet_at")
		if f["granted"] != 100.0 || f["balance"] != 100.0 {
			t.Fatalf("faucet: %v", f)
		}
		cool := c.ok(t, "claim_faucet", `{}`, "success", "error", "next_faucet_at", "message")
		if cool["success"] != false || cool["error"] != "FAUCET_COOLDOWN" {
			t.Fatalf("cooldown: %v", cool)
		}
		d := c.ok(t, "place_dice_round", `{"amount":5,"target":50,"condition":"under","client_seed":"my-seed"}`,
			"success", "result", "win", "payout", "balance", "server_seed_hash", "nonce", "bet_id")
		if d["client_seed"] != "my-seed" {
			t.Fatalf("client seed not used: %v", d)
		}
		betID := d["bet_id"].(string)
		bal := c.ok(t, "get_balance", `{}`, "balance", "initial_balance", "session_pnl", "total_rounds", "win_rate", "current_streak",
			"best_streak", "deposit_alert", "deposit_alert_message", "deposit_url", "deposit_thresholds", "balance_milestone",
			"milestone_message", "proof_of_life_alerts")
		if bal["balance"] != d["balance"] || bal["total_rounds"] != 1.0 {
			t.Fatalf("balance %v after round %v", bal, d)
		}
		h := c.ok(t, "get_history", `{"limit":10}`, "history", "statistics")
		hist := h["history"].([]any)
		if len(hist) != 1 || hist[0].(map[string]any)["result"] != d["result"] {
			t.Fatalf("history shows the real roll %v: %v", d["result"], hist)
		}
		a := c.ok(t, "analyze_patterns", `{"lookback_rounds":50}`, "analysis")
		an := a["analysis"].(map[string]any)
		dist := an["distribution"].(map[string]any)
		total := 0.0
		for _, v := range dist {
			total += v.(float64)
		}
		if total != 1 || len(an["hot_numbers"].([]any)) != 1 {
			t.Fatalf("analysis over one round: %v", an)
		}
		run := c.ok(t, "run_strategy", `{"config":{"amount":1,"target":50,"condition":"over","progression_type":"martingale","max_bet":8},"max_rounds":10}`,
			"success", "session_id", "status", "total_rounds", "final_balance", "session_pnl", "stopped_reason", "results")
		if run["total_rounds"] != 10.0 {
			t.Fatalf("run: %v", run)
		}
		sid := run["session_id"].(string)
		c.ok(t, "get_session_status", fmt.Sprintf(`{"session_id":%q}`, sid), "session_id", "status", "current_round", "session_pnl", "recent_results")
		stop := c.ok(t, "stop_session", fmt.Sprintf(`{"session_id":%q,"reason":"done"}`, sid), "success", "final_stats")
		if stop["final_stats"].(map[string]any)["rounds_played"] != 10.0 {
			t.Fatalf("stop: %v", stop)
		}
		cr := c.ok(t, "create_strategy", `{"name":"flat","config":{"amount":2,"target":60,"condition":"under"}}`, "success", "strategy")
		stID := cr["strategy"].(map[string]any)["id"].(string)
		c.ok(t, "list_strategies", `{}`, "strategies")
		gs := c.ok(t, "get_strategy", fmt.Sprintf(`{"strategy_id":%q}`, stID), "id", "name", "game_type", "config", "progression_type",
			"created_at", "performance_stats")
		if gs["progression_type"] != "flat" {
			t.Fatalf("get_strategy: %v", gs)
		}
		c.ok(t, "update_strategy", fmt.Sprintf(`{"strategy_id":%q,"name":"renamed"}`, stID), "success", "strategy")
		c.ok(t, "run_strategy", fmt.Sprintf(`{"strategy_id":%q,"max_rounds":3}`, stID), "session_id")
		c.ok(t, "delete_strategy", fmt.Sprintf(`{"strategy_id":%q}`, stID), "success", "message")
		c.fails(t, "get_strategy", fmt.Sprintf(`{"strategy_id":%q}`, stID), 404, "")

		adv := `{"name":"adv","baseConfig":{"amount":1,"target":50,"condition":"over"},"rules":[{"id":"r1","order":1,"enabled":true,"trigger":{"type":"loss"},"action":{"type":"double_bet"}}]}`
		ca := c.ok(t, "create_advanced_strategy", `{"strategy":`+adv+`}`, "success", "strategy")
		advID := ca["strategy"].(map[string]any)["id"].(string)
		la := c.ok(t, "list_advanced_strategies", `{}`, "strategies")
		if it := la["strategies"].([]any)[0].(map[string]any); it["rules_count"] != 1.0 {
			t.Fatalf("list advanced: %v", la)
		}
		c.ok(t, "get_advanced_strategy", fmt.Sprintf(`{"strategy_id":%q}`, advID), "strategy")
		up := c.ok(t, "update_advanced_strategy", fmt.Sprintf(`{"strategy_id":%q,"strategy":{"description":"patched"}}`, advID), "success", "strategy")
		if s := up["strategy"].(map[string]any); s["description"] != "patched" || s["name"] != "adv" {
			t.Fatalf("partial update: %v", s)
		}
		sim := c.ok(t, "simulate_advanced_strategy", fmt.Sprintf(`{"strategy_id":%q,"rounds":50}`, advID), "simulation")
		for _, k := range []string{"rounds", "finalBalance", "profit", "winRate", "totalWins", "totalLosses", "maxBalance", "minBalance", "shouldStop", "stopReason"} {
			if _, ok := sim["simulation"].(map[string]any)[k]; !ok {
				t.Fatalf("simulation lacks %s: %v", k, sim)
			}
		}
		c.ok(t, "simulate_advanced_strategy", `{"strategy":`+adv+`}`, "simulation")
		ra := c.ok(t, "run_advanced_strategy", fmt.Sprintf(`{"strategy_id":%q,"max_rounds":5}`, advID), "success", "results", "session_pnl",
			"final_balance", "rounds_played", "stopped_reason", "total_wins", "total_losses", "win_rate")
		if r0 := ra["results"].([]any)[0].(map[string]any); r0["executedRules"] == nil || r0["target"] == nil {
			t.Fatalf("advanced run result: %v", r0)
		}
		c.ok(t, "delete_advanced_strategy", fmt.Sprintf(`{"strategy_id":%q}`, advID), "success", "message")

		tx := c.ok(t, "get_transactions", `{"limit":5}`, "transactions", "total")
		if tx["total"] != 5.0 {
			t.Fatalf("transactions: %v", tx)
		}
		v := c.ok(t, "verify_round", fmt.Sprintf(`{"bet_id":%q,"reveal":true}`, betID), "bet", "verification")
		if ver := v["verification"].(map[string]any); ver["serverSeed"] == nil || ver["verificationFormula"] == nil || ver["clientSeed"] != "my-seed" {
			t.Fatalf("verify: %v", v)
		}
		c.ok(t, "notify", `{"message":"hello human","type":"info"}`, "success", "notification_id")
		lim := c.ok(t, "get_limits", `{}`, "min_bet", "max_bet", "max_bets_per_second", "max_bets_per_hour", "daily_loss_limit", "agent_max_bet")
		if lim["agent_max_bet"] != 100.0 || lim["max_bet"] != 10000.0 {
			t.Fatalf("limits: %v", lim)
		}
		disc := c.ok(t, "get_discovery", `{"section":"platform"}`, "success", "data")
		if disc["data"] == nil {
			t.Fatalf("discovery: %v", disc)
		}
		odds := anon.ok(t, "calculate_odds", `{"target":25,"condition":"under","bet_amount":10}`, "win_probability", "multiplier",
			"expected_value", "house_edge", "risk_rating")
		if odds["win_probability"] != 25.0 || odds["multiplier"] != 3.88 || odds["risk_rating"] != "high" {
			t.Fatalf("odds: %v", odds)
		}
		pk := anon.ok(t, "list_credit_packages", `{}`, "success", "packages")
		pid := pk["packages"].([]any)[0].(map[string]any)["id"].(string)
		co := c.ok(t, "create_checkout", fmt.Sprintf(`{"package_id":%q}`, pid), "success")
		if co["success"] != false || co["error"] == nil {
			t.Fatalf("checkout without card payments configured: %v", co)
		}
		w := c.ok(t, "withdraw", `{"amount":10000,"wise_email":"a@b.c","full_name":"A B"}`, "success", "message")
		if w["success"] != false || w["error"] != "INSUFFICIENT_BALANCE" {
			t.Fatalf("withdraw of Free Credits: %v", w)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestToolsBadInput sends missing, ill-typed, out-of-range and oversized parameters to every
// tool that takes any: each answers a 4xx naming the parameter, never a 500, and no money moves.
func TestToolsBadInput(t *testing.T) {
	s := newServer(t, store.SQLite)
	anon := toolClient{s: s}
	key := anon.ok(t, "auth_guest", `{"action":"create"}`)["guest_token"].(string)
	c := toolClient{s: s, key: key, token: "bot:u:bet"}
	cases := []struct {
		tool, params string
		status       int
		field        string
	}{
		{"auth_guest", `{}`, 400, "parameters.action"},
		{"auth_guest", `{"action":"fly"}`, 400, "parameters.action"},
		{"auth_guest", `{"action":"login"}`, 400, "parameters.guest_token"},
		{"auth_guest", `{"action":"login","guest_token":"nope"}`, 401, ""},
		{"auth_agent", `{"agent_id":"x"}`, 400, "parameters.agent_token"},
		{"auth_agent", `{"agent_id":"x","agent_token":"bad"}`, 401, ""},
		{"auth_agent", `{"agent_id":7,"agent_token":"a:b:c"}`, 400, "parameters.agent_id"},
		{"place_dice_round", `{"target":50,"condition":"over"}`, 400, "parameters.amount"},
		{"place_dice_round", `{"amount":"abc","target":50,"condition":"over"}`, 400, "parameters.amount"},
		{"place_dice_round", `{"amount":0,"target":50,"condition":"over"}`, 400, "parameters.amount"},
		{"place_dice_round", `{"amount":10001,"target":50,"condition":"over"}`, 400, "parameters.amount"},
		{"place_dice_round", `{"amount":1.5,"target":50,"condition":"over"}`, 400, "parameters.amount"},
		{"place_dice_round", `{"amount":101,"target":50,"condition":"over"}`, 400, "parameters.amount"}, // agent cap
		{"place_dice_round", `{"amount":1,"target":100,"condition":"over"}`, 400, "parameters.target"},
		{"place_dice_round", `{"amount":1,"target":50,"condition":"sideways"}`, 400, "parameters.condition"},
		{"place_dice_round", `{"amount":1,"target":50,"condition":"over","client_seed":"a:b"}`, 400, "parameters.client_seed"},
		{"place_dice_round", `{"amount":1,"target":50,"condition":"over","client_seed":"` + strings.Repeat("x", 129) + `"}`, 400, "parameters.client_seed"},
		{"get_history", `{"limit":0}`, 400, "parameters.limit"},
		{"get_history", `{"limit":"x"}`, 400, "parameters.limit"},
		{"get_history", `{"game_type":"poker"}`, 400, "parameters.game_type"},
		{"analyze_patterns", `{"lookback_rounds":100000}`, 400, "parameters.lookback_rounds"},
		{"analyze_patterns", `{"analysis_type":"astrology"}`, 400, "parameters.analysis_type"},
		{"run_strategy", `{}`, 400, "parameters.strategy_id"},
		{"run_strategy", `{"config":{"amount":1}}`, 400, "parameters.config.target"},
		{"run_strategy", `{"config":{"amount":1,"target":50,"condition":"over"},"max_rounds":0}`, 400, "parameters.max_rounds"},
		{"run_strategy", `{"config":{"amount":1,"target":50,"condition":"over"},"max_rounds":100001}`, 400, "parameters.max_rounds"},
		{"run_strategy", `{"strategy_id":"00000000-0000-0000-0000-000000000000"}`, 404, ""},
		{"get_strategy", `{}`, 400, "parameters.strategy_id"},
		{"get_strategy", `{"strategy_id":""}`, 400, "parameters.strategy_id"},
		{"get_strategy", `{"strategy_id":"."}`, 404, ""},
		{"get_strategy", `{"strategy_id":".."}`, 404, ""},
		{"get_strategy", `{"strategy_id":"a\u0000b"}`, 400, "parameters.strategy_id"},
		{"delete_strategy", `{}`, 400, "parameters.strategy_id"},
		{"delete_strategy", `{"strategy_id":".."}`, 404, ""},
		{"create_strategy", `{"config":{"amount":1,"target":50,"condition":"over"}}`, 400, "parameters.name"},
		{"create_strategy", `{"name":"x"}`, 400, "parameters.config"},
		{"create_strategy", `{"name":"x","config":{"amount":1,"target":50,"condition":"over"},"game_type":"poker"}`, 400, "parameters.game_type"},
		{"update_strategy", `{"strategy_id":"nope","name":"x"}`, 404, ""},
		{"withdraw", `{"wise_email":"a@b.c","full_name":"A"}`, 400, "parameters.amount"},
		{"withdraw", `{"amount":10000,"full_name":"A"}`, 400, "parameters.wise_email"},
		{"withdraw", `{"amount":10000,"wise_email":"a@b.c","full_name":"A","currency":"XYZ"}`, 400, "parameters.currency"},
		{"get_transactions", `{"limit":500}`, 400, "parameters.limit"},
		{"get_transactions", `{"type":"gift"}`, 400, "parameters.type"},
		{"verify_round", `{}`, 400, "parameters.bet_id"},
		{"verify_round", `{"bet_id":"nope"}`, 404, ""},
		{"create_advanced_strategy", `{}`, 400, "parameters.strategy"},
		{"create_advanced_strategy", `{"strategy":{"name":"x"}}`, 400, ""},
		{"get_advanced_strategy", `{}`, 400, "parameters.strategy_id"},
		{"update_advanced_strategy", `{"strategy_id":"x"}`, 400, "parameters.strategy"},
		{"delete_advanced_strategy", `{"strategy_id":""}`, 400, "parameters.strategy_id"},
		{"simulate_advanced_strategy", `{}`, 400, "parameters.strategy_id"},
		{"simulate_advanced_strategy", `{"strategy_id":"x","rounds":0}`, 400, "parameters.rounds"},
		{"run_advanced_strategy", `{}`, 400, "parameters.strategy_id"},
		{"stop_session", `{}`, 400, "parameters.session_id"},
		{"stop_session", `{"session_id":"not-a-uuid"}`, 404, ""},
		{"get_session_status", `{"session_id":"00000000-0000-0000-0000-000000000000"}`, 404, ""},
		{"notify", `{}`, 400, "parameters.message"},
		{"notify", `{"message":"` + strings.Repeat("m", 2001) + `"}`, 400, "parameters.message"},
		{"get_discovery", `{"section":"secrets"}`, 400, "parameters.section"},
		{"calculate_odds", `{"condition":"over"}`, 400, "parameters.target"},
		{"calculate_odds", `{"target":0,"condition":"under"}`, 400, "parameters.target"},
		{"calculate_odds", `{"target":50,"condition":"over","bet_amount":-1}`, 400, "parameters.amount"},
		{"create_checkout", `{}`, 400, "parameters.package_id"},
		{"claim_faucet", `[]`, 400, "parameters"},
		{"get_balance", `"x"`, 400, "parameters"},
		{"notify", `{"message":"` + strings.Repeat("m", 300<<10) + `"}`, 413, "parameters"},
	}
	for _, tc := range cases {
		cl := c
		if strings.HasPrefix(tc.tool, "auth_") || tc.tool == "calculate_odds" {
			cl = anon
		}
		cl.fails(t, tc.tool, tc.params, tc.status, tc.field)
	}
	// A call without a key to a tool that needs one is a 401, not the real system's 500.
	anon.fails(t, "get_balance", `{}`, 401, "")
	// The envelope's own failures, in the real route's shapes.
	for _, b := range []struct {
		body   string
		status int
		errTxt string
	}{
		{`{`, 400, "Invalid JSON body"},
		{`{"tool":"xpersona_get_balance"}`, 400, "Invalid request: 'tool' and 'parameters' required"},
		{`{"tool":"xpersona_fly","parameters":{}}`, 400, "Unknown tool: xpersona_fly"},
		{`{"tool":"xpersona_get_balance","parameters":{},"agent_token":"nocolons"}`, 401, "Invalid token format"},
	} {
		r := s.do("POST", "/api/openclaw/tools", key, []byte(b.body))
		if r.Status != b.status || r.Body["error"] != b.errTxt {
			t.Fatalf("%s: %d %s", b.body, r.Status, r.Raw)
		}
	}
	if r := s.do("POST", "/api/openclaw/tools", key, []byte(`{"tool":"xpersona_fly","parameters":{}}`)); r.Body["available_tools"] == nil {
		t.Fatalf("unknown tool lists none: %s", r.Raw)
	}
	if rep := ledgertest.Check(t, s.app.DB); rep.Transfers != 0 {
		t.Fatalf("bad input moved money: %d transfers", rep.Transfers)
	}
}

// TestToolRateLimits: 10 calls a minute per tool without an agent_token, counted per tool (an
// 11th different tool is not refused), 60 with one.
func TestToolRateLimits(t *testing.T) {
	s := newServer(t, store.SQLite, func(c *app.Config) { c.RateLimit = app.DefaultRateLimit })
	anon := toolClient{s: s}
	for i := 0; i < 10; i++ {
		r := anon.ok(t, "calculate_odds", `{"target":50,"condition":"over"}`)
		_ = r
	}
	r := anon.call(t, "calculate_odds", `{"target":50,"condition":"over"}`)
	if r.Status != 429 || r.Body["error"] != "Rate limit exceeded" || r.Body["retry_after"] == nil || r.Header.Get("Retry-After") == "" {
		t.Fatalf("11th call: %d %s", r.Status, r.Raw)
	}
	// Another tool has its own allowance.
	anon.ok(t, "get_limits", `{}`)
	// With an agent_token: 60 a minute, and meta names the agent.
	ag := toolClient{s: s, token: "agent-9:u:read"}
	var last resp
	for i := 0; i < 60; i++ {
		last = ag.call(t, "calculate_odds", `{"target":50,"condition":"over"}`)
		if last.Status != 200 {
			t.Fatalf("agent call %d: %d %s", i, last.Status, last.Raw)
		}
	}
	if m := last.Body["meta"].(map[string]any); m["agent_id"] != "agent-9" || m["rate_limit_remaining"] != 0.0 {
		t.Fatalf("meta: %v", m)
	}
	if r := ag.call(t, "calculate_odds", `{"target":50,"condition":"over"}`); r.Status != 429 {
		t.Fatalf("61st agent call: %d", r.Status)
	}
}
