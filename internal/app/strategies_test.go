package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/fairness/verify"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

func TestStrategiesCRUDAndRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		s.fund(key, 5000)
		// Refused at creation, with the field named.
		for body, field := range map[string]string{
			`{"gameType":"dice","name":"x","config":{"amount":-1,"target":50,"condition":"over"}}`:                             "config.amount",
			`{"gameType":"dice","name":"x","config":{"amount":10,"target":50,"condition":"over","progressionType":"reverse"}}`: "config.progressionType",
			`{"gameType":"dice","name":"x","config":{"amount":10,"target":50,"condition":"over","labouchereLine":[]}}`:         "config.labouchereLine",
			`{"gameType":"dice","name":"x"}`: "config",
			`{"gameType":"poker","name":"x","config":{"amount":10,"target":50,"condition":"over"}}`: "gameType",
			`{"gameType":"dice","config":{"amount":10,"target":50,"condition":"over"}}`:             "name",
		} {
			r := s.do("POST", "/api/me/strategies", key, []byte(body))
			if r.Status != 400 || r.Body["error"] != "VALIDATION_ERROR" || r.Body["field"] != field {
				t.Errorf("%s: %d %s (want field %s)", body, r.Status, r.Raw, field)
			}
		}
		c := s.do("POST", "/api/me/strategies", key, []byte(`{"gameType":"dice","name":"Martingale 50","config":{"amount":10,"target":50,"condition":"over","progressionType":"martingale","maxBet":200}}`))
		if c.Status != 201 {
			t.Fatalf("create: %d %s", c.Status, c.Raw)
		}
		id := data(c)["id"].(string)
		if l := s.do("GET", "/api/me/strategies?gameType=dice", key, nil); len(data(l)["strategies"].([]any)) != 1 {
			t.Fatalf("list: %s", l.Raw)
		}
		if r := s.do("PATCH", "/api/me/strategies/"+id, key, []byte(`{"name":"Renamed"}`)); r.Status != 200 || data(r)["name"] != "Renamed" {
			t.Fatalf("patch: %d %s", r.Status, r.Raw)
		}
		other := s.guest()
		for _, m := range []string{"GET", "PATCH", "DELETE"} {
			if r := s.do(m, "/api/me/strategies/"+id, other, []byte(`{}`)); r.Status != 404 {
				t.Errorf("%s someone else's strategy: %d", m, r.Status)
			}
		}
		if r := s.do("POST", "/api/games/dice/run-strategy", key, []byte(`{"strategyId":"nope","maxRounds":5}`)); r.Status != 404 || r.Body["error"] != "STRATEGY_NOT_FOUND" {
			t.Fatalf("unknown strategy: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/games/dice/run-strategy", key, []byte(`{"strategyId":"`+id+`","maxRounds":100001}`)); r.Status != 400 || r.Body["field"] != "maxRounds" {
			t.Fatalf("maxRounds: %d %s", r.Status, r.Raw)
		}
		run := s.do("POST", "/api/games/dice/run-strategy", key, []byte(`{"strategyId":"`+id+`","maxRounds":300}`))
		if run.Status != 200 {
			t.Fatalf("run: %d %s", run.Status, run.Raw)
		}
		rd := data(run)
		results := rd["results"].([]any)
		if rd["roundsPlayed"] != float64(len(results)) || len(results) == 0 || rd["session_pnl"] != rd["sessionPnl"] {
			t.Fatalf("run data: %v", rd)
		}
		// Martingale: after a loss the bet doubles (capped by maxBet), after a win or after 10
		// losses in a row (maxConsecutiveLosses' default) it resets to the base.
		prev, losses, work := results[0].(map[string]any), 0, 10.0
		for _, x := range results[1:] {
			cur := x.(map[string]any)
			if prev["win"].(bool) {
				losses, work = 0, 10
			} else if losses++; losses >= 10 {
				losses, work = 0, 10
			} else {
				work *= 2
			}
			if want := min(work, 200); cur["betAmount"] != want && cur["betAmount"] != prev["balance"] {
				t.Fatalf("martingale bet %v after %v (want %v)", cur, prev, want)
			}
			prev = cur
		}
		// The run's rounds are stored, each verifiable; balance matches.
		if n := data(s.do("GET", "/api/me/rounds?limit=1", key, nil))["totalCount"]; n != float64(len(results)) {
			t.Fatalf("%v rounds stored for %d results", n, len(results))
		}
		mid := results[len(results)/2].(map[string]any)
		rr := s.do("GET", "/api/me/rounds/"+mid["roundId"].(string)+"?reveal=1", key, nil)
		if rr.Status != 200 {
			t.Fatalf("run round %v: %d %s", mid["roundId"], rr.Status, rr.Raw)
		}
		d, v := data(rr), data(rr)["verification"].(map[string]any)
		rp := d["resultPayload"].(map[string]any)
		if d["id"] != mid["roundId"] || rp["value"] != mid["result"] || rp["win"] != mid["win"] || d["payout"] != mid["payout"] ||
			d["amount"] != mid["betAmount"] || v["nonce"] != mid["nonce"] || v["serverSeedHash"] != rd["verification"].(map[string]any)["serverSeedHash"] {
			t.Fatalf("run round %s vs result %v", rr.Raw, mid)
		}
		var out strings.Builder
		args := []string{"--game", "credit-dice", "--server-seed", v["serverSeed"].(string), "--client-seed", v["clientSeed"].(string),
			"--nonce", fmt.Sprint(v["nonce"]), "--target", fmt.Sprintf("%.2f", rp["target"].(float64)), "--condition", rp["condition"].(string),
			"--commitment", v["serverSeedHash"].(string), "--amount", fmt.Sprintf("%.0f", d["amount"].(float64))}
		if code := verify.Main(context.Background(), args, &out, &strings.Builder{}); code != 0 {
			t.Fatalf("verify exit %d: %s", code, out.String())
		}
		var got map[string]any
		_ = json.Unmarshal([]byte(out.String()), &got)
		if got["roll"] != rp["value"] || got["win"] != rp["win"] || got["payout_micro"] != d["payout"].(float64)*1e6 || got["commitment_ok"] != true {
			t.Fatalf("verify %v disagrees with run round %v", got, d)
		}
		if me := data(s.do("GET", "/api/me", key, nil)); me["credits"] != rd["finalBalance"] {
			t.Fatalf("balance %v vs final %v", me["credits"], rd["finalBalance"])
		}
		// The random martingale run above can lose nearly everything (about once in 10^4 runs,
		// by a simulation), and a paroli at 5 then stops early for insufficient balance: top up
		// by more than 20 rounds of paroli can lose (at most 20 a round), so that this run's
		// length never depends on the rolls above.
		s.fund(key, 1000)
		inline := s.do("POST", "/api/games/dice/run-strategy", key, []byte(`{"config":{"amount":5,"target":50,"condition":"under","progressionType":"paroli"},"maxRounds":20}`))
		if inline.Status != 200 || data(inline)["roundsPlayed"] != 20.0 {
			t.Fatalf("inline run: %d %s", inline.Status, inline.Raw)
		}
		if r := s.do("DELETE", "/api/me/strategies/"+id, key, nil); r.Status != 200 {
			t.Fatalf("delete: %d", r.Status)
		}
		if r := s.do("GET", "/api/me/strategies/"+id, key, nil); r.Status != 404 {
			t.Fatalf("after delete: %d", r.Status)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

func TestAdvancedStrategiesAndDiscovery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		s.fund(key, 2000)
		disc := s.do("GET", "/api/discovery", "", nil)
		sb, _ := data(disc)["strategyBuilder"].(map[string]any)
		if disc.Status != 200 || sb == nil || len(sb["triggers"].([]any)) != 35 || len(sb["actions"].([]any)) != 31 || len(sb["presets"].([]any)) != 5 {
			t.Fatalf("discovery: %d %.300s", disc.Status, disc.Raw)
		}
		if r := s.do("GET", "/api/discovery?section=strategy_builder", "", nil); r.Status != 200 || data(r)["strategyBuilder"] == nil || data(r)["gameMechanics"] != nil {
			t.Fatalf("section: %d %.200s", r.Status, r.Raw)
		}
		if r := s.do("GET", "/api/discovery?section=nope", "", nil); r.Status != 400 || r.Body["field"] != "section" {
			t.Fatalf("bad section: %d %s", r.Status, r.Raw)
		}
		// Every preset published by discovery can be created, simulated and run.
		for i, p := range sb["presets"].([]any) {
			st := p.(map[string]any)["strategy"].(map[string]any)
			st["name"] = fmt.Sprintf("preset %d", i)
			b, _ := json.Marshal(st)
			c := s.do("POST", "/api/me/advanced-strategies", key, b)
			if c.Status != 201 {
				t.Fatalf("create preset %d: %d %s", i, c.Status, c.Raw)
			}
			id := data(c)["strategy"].(map[string]any)["id"].(string)
			sim := s.do("POST", "/api/me/advanced-strategies/"+id+"/simulate", key, []byte(`{"rounds":200,"sessions":20,"seed":"fixed"}`))
			if sim.Status != 200 || data(sim)["simulation"] == nil {
				t.Fatalf("simulate %d: %d %.300s", i, sim.Status, sim.Raw)
			}
			again := s.do("POST", "/api/me/advanced-strategies/"+id+"/simulate", key, []byte(`{"rounds":200,"sessions":20,"seed":"fixed"}`))
			if string(again.Raw) != string(sim.Raw) {
				t.Fatalf("simulation with the same seed differs")
			}
			if i == 0 {
				if r := s.do("POST", "/api/me/advanced-strategies", key, b); r.Status != 409 {
					t.Fatalf("duplicate name: %d %s", r.Status, r.Raw)
				}
				run := s.do("POST", "/api/games/dice/run-advanced-strategy", key, []byte(`{"strategyId":"`+id+`","maxRounds":50}`))
				if run.Status != 200 || data(run)["totalWins"] == nil {
					t.Fatalf("run advanced: %d %.300s", run.Status, run.Raw)
				}
			}
		}
		for body, field := range map[string]string{
			`{"name":"x","baseConfig":{"amount":10,"target":50,"condition":"over"},"rules":[{"id":"a","trigger":{"type":"moon_phase"},"action":{"type":"stop"}}]}`: "rules[0].trigger.type",
			`{"name":"x","baseConfig":{"amount":10,"target":50,"condition":"over"},"rules":[{"id":"a","trigger":{"type":"loss"},"action":{"type":"fly"}}]}`:        "rules[0].action.type",
			`{"name":"x","baseConfig":{"amount":-5,"target":50,"condition":"over"},"rules":[]}`:                                                                    "baseConfig.amount",
		} {
			r := s.do("POST", "/api/me/advanced-strategies", key, []byte(body))
			if r.Status != 400 || r.Body["field"] != field {
				t.Errorf("%s: %d %s (want %s)", body, r.Status, r.Raw, field)
			}
		}
		if r := s.do("GET", "/api/me/advanced-strategies", key, nil); len(data(r)["strategies"].([]any)) != 5 {
			t.Fatalf("list advanced: %s", r.Raw)
		}
		if r := s.do("POST", "/api/me/advanced-strategies/simulate", key, []byte(`{"rounds":100001}`)); r.Status != 400 {
			t.Fatalf("simulate without strategy: %d %s", r.Status, r.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}
