package app_test

import (
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestSkillRESTFlow follows the real system's agent skill as written (skills/openclaw/xpersona/
// SKILL.md and public/agent-skill.md of Suat-B/Xpersona-Search at dfad314): its quick-reference
// table, its recommended flow and its error recovery, against Arcade's base URL. Every field the
// skill tells an agent to read must be there.
func TestSkillRESTFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		need := func(what string, r resp, fields ...string) map[string]any {
			t.Helper()
			if r.Status != 200 || r.Body["success"] != true {
				t.Fatalf("%s: %d %s", what, r.Status, r.Raw)
			}
			d, _ := r.Body["data"].(map[string]any)
			for _, f := range fields {
				if _, ok := d[f]; !ok {
					t.Fatalf("%s: data.%s missing: %.500s", what, f, r.Raw)
				}
			}
			return d
		}
		// "Every request: Authorization: Bearer"; a 401 carries recovery_url.
		if r := s.do("GET", "/api/me/session-stats", "", nil); r.Status != 401 || r.Body["success"] != false || r.Body["recovery_url"] == nil {
			t.Fatalf("401: %d %s", r.Status, r.Raw)
		}
		// Recommended flow (1): get balance / session stats.
		stats := need("session stats", s.do("GET", "/api/me/session-stats?gameType=dice&limit=50", key, nil),
			"balance", "deposit_alert", "deposit_url", "balance_milestone", "milestone_message", "proof_of_life_alerts",
			"rounds", "sessionPnl", "winRate", "recentPlays")
		bal := need("balance", s.do("GET", "/api/me/balance", key, nil), "balance", "deposit_alert", "deposit_alert_message", "deposit_url",
			"balance_milestone", "milestone_message")
		// (2) "If low, claim faucet": a new account is critical.
		if stats["deposit_alert"] != "critical" || bal["deposit_alert_message"] == nil {
			t.Fatalf("a new account's deposit alert: %v", bal)
		}
		// A round with no credits fails with INSUFFICIENT_BALANCE, as the skill tells agents to expect.
		if r := s.do("POST", "/api/games/dice/round", key, []byte(`{"amount":10,"target":50,"condition":"over"}`)); r.Body["error"] != "INSUFFICIENT_BALANCE" {
			t.Fatalf("round without credits: %d %s", r.Status, r.Raw)
		}
		need("faucet", s.do("POST", "/api/faucet", key, nil), "balance", "granted", "nextFaucetAt")
		if r := s.do("POST", "/api/faucet", key, nil); r.Body["error"] != "FAUCET_COOLDOWN" || data(r)["nextFaucetAt"] == nil {
			t.Fatalf("FAUCET_COOLDOWN: wait until data.nextFaucetAt: %d %s", r.Status, r.Raw)
		}
		// (3) "Play 10 on over 50".
		round := need("round", s.do("POST", "/api/games/dice/round", key, []byte(`{"amount":10,"target":50,"condition":"over"}`)), "balance", "result", "win", "payout")
		need("rounds", s.do("GET", "/api/me/rounds?limit=50", key, nil), "plays", "sessionPnl", "roundCount")
		// Strategies, as the table lists them.
		need("list strategies", s.do("GET", "/api/me/strategies?gameType=dice", key, nil), "strategies")
		st := s.do("POST", "/api/me/strategies", key, []byte(`{"gameType":"dice","name":"Martingale","config":{"amount":1,"target":50,"condition":"over","progressionType":"martingale"}}`))
		if st.Status != 201 {
			t.Fatalf("create strategy: %d %s", st.Status, st.Raw)
		}
		id := data(st)["id"].(string)
		need("get strategy", s.do("GET", "/api/me/strategies/"+id, key, nil), "id", "name", "config")
		need("update strategy", s.do("PATCH", "/api/me/strategies/"+id, key, []byte(`{"name":"My Martingale"}`)), "name")
		need("run strategy", s.do("POST", "/api/games/dice/run-strategy", key, []byte(`{"strategyId":"`+id+`","maxRounds":5}`)), "results", "sessionPnl", "finalBalance")
		need("run inline config", s.do("POST", "/api/games/dice/run-strategy", key, []byte(`{"config":{"amount":1,"target":50,"condition":"over"},"maxRounds":3}`)), "results")
		need("delete strategy", s.do("DELETE", "/api/me/strategies/"+id, key, nil), "id")
		// Advanced strategies and the schema discovery.
		need("discovery", s.do("GET", "/api/discovery?section=strategy_builder", "", nil), "strategyBuilder")
		need("advanced list", s.do("GET", "/api/me/advanced-strategies", key, nil), "strategies")
		inline := `{"strategy":{"name":"Overmind","baseConfig":{"amount":1,"target":50,"condition":"over"},"rules":[{"id":"a","order":1,"enabled":true,"trigger":{"type":"loss"},"action":{"type":"double_bet"}}]},"maxRounds":3}`
		need("run advanced inline", s.do("POST", "/api/games/dice/run-advanced-strategy", key, []byte(inline)), "results", "sessionPnl", "finalBalance")
		// "404 STRATEGY_NOT_FOUND: Strategy ID not found. Retry with inline strategy."
		if r := s.do("POST", "/api/games/dice/run-strategy", key, []byte(`{"strategyId":"00000000-0000-0000-0000-000000000000"}`)); r.Status != 404 || r.Body["error"] != "STRATEGY_NOT_FOUND" {
			t.Fatalf("STRATEGY_NOT_FOUND: %d %s", r.Status, r.Raw)
		}
		// The Tools API, same auth.
		tool := s.do("POST", "/api/openclaw/tools", key, []byte(`{"tool":"xpersona_calculate_odds","parameters":{"target":70,"condition":"over"}}`))
		if tool.Status != 200 || tool.Body["result"] == nil || tool.Body["meta"] == nil {
			t.Fatalf("tools: %d %s", tool.Status, tool.Raw)
		}
		if r := s.do("GET", "/api/openclaw/tools", "", nil); r.Body["tools"] == nil {
			t.Fatalf("tool discovery: %s", r.Raw)
		}
		// Recovery: POST /api/me/recovery-link returns data.url.
		need("recovery link", s.do("POST", "/api/me/recovery-link", key, nil), "url")
		// "OpenAPI (JSON): GET /api/openapi".
		if r := s.do("GET", "/api/openapi", "", nil); r.Status != 200 || r.Body["openapi"] != "3.1.0" {
			t.Fatalf("GET /api/openapi: %d %.200s", r.Status, r.Raw)
		}
		// (4) Report the session PnL.
		after := need("session stats after", s.do("GET", "/api/me/session-stats?gameType=dice&limit=50", key, nil), "sessionPnl", "rounds")
		if after["rounds"].(float64) < 1+5+3+3 || !strings.Contains(string(mustJSONBytes(round)), "verification") {
			t.Fatalf("stats after the flow: %v", after)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

func mustJSONBytes(v any) []byte { return body(v) }
