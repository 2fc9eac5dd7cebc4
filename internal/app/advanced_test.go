package app_test

import (
	"testing"

	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

func TestAdvancedStrategyGetPatchDelete(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key, other := s.guest(), s.guest()
		base := `"baseConfig":{"amount":10,"target":50,"condition":"over"},"rules":[{"id":"r1","order":1,"enabled":true,"trigger":{"type":"loss"},"action":{"type":"double_bet"}}]`
		c := s.do("POST", "/api/me/advanced-strategies", key, []byte(`{"name":"A",`+base+`}`))
		if c.Status != 201 {
			t.Fatalf("create: %d %s", c.Status, c.Raw)
		}
		s.do("POST", "/api/me/advanced-strategies", key, []byte(`{"name":"B",`+base+`}`))
		id := data(c)["strategy"].(map[string]any)["id"].(string)
		g := s.do("GET", "/api/me/advanced-strategies/"+id, key, nil)
		if st := data(g)["strategy"].(map[string]any); g.Status != 200 || st["name"] != "A" || len(st["rules"].([]any)) != 1 {
			t.Fatalf("get: %d %s", g.Status, g.Raw)
		}
		if r := s.do("PATCH", "/api/me/advanced-strategies/"+id, key, []byte(`{"name":"A2","executionMode":"all_matching",`+base+`}`)); r.Status != 200 ||
			data(r)["strategy"].(map[string]any)["name"] != "A2" || data(r)["strategy"].(map[string]any)["executionMode"] != "all_matching" {
			t.Fatalf("patch: %d %s", r.Status, r.Raw)
		}
		if r := s.do("PATCH", "/api/me/advanced-strategies/"+id, key, []byte(`{"name":"B",`+base+`}`)); r.Status != 409 {
			t.Fatalf("rename onto another strategy: %d %s", r.Status, r.Raw)
		}
		if r := s.do("PATCH", "/api/me/advanced-strategies/"+id, key, []byte(`{"name":"A3","baseConfig":{"amount":10,"target":50,"condition":"over"},"rules":[{"id":"r1","trigger":{"type":"pattern_win_loss","pattern":"WXL"},"action":{"type":"stop"}}]}`)); r.Status != 400 || r.Body["field"] != "rules[0].trigger.pattern" {
			t.Fatalf("bad pattern: %d %s", r.Status, r.Raw)
		}
		for _, m := range []string{"GET", "DELETE"} {
			if r := s.do(m, "/api/me/advanced-strategies/"+id, other, nil); r.Status != 404 {
				t.Fatalf("%s by another account: %d", m, r.Status)
			}
		}
		if r := s.do("DELETE", "/api/me/advanced-strategies/"+id, key, nil); r.Status != 200 || data(r)["id"] != id {
			t.Fatalf("delete: %d %s", r.Status, r.Raw)
		}
		if r := s.do("GET", "/api/me/advanced-strategies/"+id, key, nil); r.Status != 404 {
			t.Fatalf("after delete: %d", r.Status)
		}
		if r := s.do("POST", "/api/games/dice/run-advanced-strategy", key, []byte(`{"maxRounds":5}`)); r.Status != 400 || r.Body["field"] != "strategyId" {
			t.Fatalf("run without strategy: %d %s", r.Status, r.Raw)
		}
	})
}
