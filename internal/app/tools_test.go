package app_test

import (
	"testing"

	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

func TestOpenClawTools(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		list := s.do("GET", "/api/openclaw/tools", "", nil)
		tools, _ := list.Body["tools"].(map[string]any)
		if list.Status != 200 || len(tools) != 17 {
			t.Fatalf("tool list: %d %.300s", list.Status, list.Raw)
		}
		call := func(key, body string) resp { return s.do("POST", "/api/openclaw/tools", key, []byte(body)) }
		g := call("", `{"tool":"xpersona_auth_guest","parameters":{}}`)
		res, _ := g.Body["result"].(map[string]any)
		if g.Status != 200 || g.Body["tool"] != "xpersona_auth_guest" || res["apiKey"] == nil || g.Body["meta"] == nil {
			t.Fatalf("auth_guest: %d %s", g.Status, g.Raw)
		}
		key := res["apiKey"].(string)
		if r := call("", `{"tool":"xpersona_get_balance","parameters":{}}`); r.Status != 401 {
			t.Fatalf("balance without key: %d %s", r.Status, r.Raw)
		}
		f := call(key, `{"tool":"xpersona_claim_faucet"}`)
		if res := f.Body["result"].(map[string]any); f.Status != 200 || res["granted"] != 100.0 || res["next_faucet_at"] == nil {
			t.Fatalf("faucet: %d %s", f.Status, f.Raw)
		}
		d := call(key, `{"tool":"xpersona_place_dice_round","parameters":{"amount":5,"target":50,"condition":"under"}}`)
		if res := d.Body["result"].(map[string]any); d.Status != 200 || res["server_seed_hash"] == nil || res["balance"] == nil {
			t.Fatalf("dice: %d %s", d.Status, d.Raw)
		}
		if r := call(key, `{"tool":"xpersona_place_dice_round","parameters":{"amount":0,"target":50,"condition":"under"}}`); r.Status != 400 || r.Body["field"] != "amount" {
			t.Fatalf("bad amount: %d %s", r.Status, r.Raw)
		}
		if r := call(key, `{"tool":"xpersona_place_dice_round","parameters":{"amount":"5","target":50,"condition":"under"}}`); r.Status != 400 || r.Body["field"] != "parameters.amount" {
			t.Fatalf("string amount: %d %s", r.Status, r.Raw)
		}
		run := call(key, `{"tool":"xpersona_run_strategy","parameters":{"config":{"amount":1,"target":50,"condition":"over"},"max_rounds":10}}`)
		if res := run.Body["result"].(map[string]any); run.Status != 200 || res["total_rounds"] != 10.0 || res["session_id"] == nil {
			t.Fatalf("run: %d %.400s", run.Status, run.Raw)
		}
		odds := call("", `{"tool":"xpersona_calculate_odds","parameters":{"target":25,"condition":"under","amount":10}}`)
		if res := odds.Body["result"].(map[string]any); odds.Status != 200 || res["win_probability"] != 25.0 || res["multiplier"] != 3.88 || res["house_edge"] != 3.0 {
			t.Fatalf("odds: %d %s", odds.Status, odds.Raw)
		}
		if r := call(key, `{"tool":"xpersona_fly"}`); r.Status != 400 || r.Body["field"] != "tool" {
			t.Fatalf("unknown tool: %d %s", r.Status, r.Raw)
		}
		if r := call(key, `{"tool":"xpersona_get_discovery","parameters":{"section":"platform"}}`); r.Status != 200 {
			t.Fatalf("discovery: %d %s", r.Status, r.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}
