package app_test

import (
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
)

// FuzzToolCall sends arbitrary parameters to every tool and arbitrary bodies to the REST routes
// that take one: whatever arrives, the answer is never a 500 and the ledger stays balanced.
func FuzzToolCall(f *testing.F) {
	for _, tool := range skillTools {
		f.Add(tool, `{}`)
	}
	for _, seed := range []string{`{"amount":1,"target":50,"condition":"over"}`, `{"amount":"x"}`, `{"strategy_id":".."}`,
		`{"strategy":{"name":"a","rules":[{}]}}`, `{"config":{"amount":1e400}}`, `{"limit":-1}`, `{"message":"\u0000"}`, `[]`, `null`, `{"a":`} {
		f.Add("place_dice_round", seed)
		f.Add("run_strategy", seed)
		f.Add("create_advanced_strategy", seed)
	}
	base := newServer(f, store.SQLite)
	key := base.guest()
	base.fund(key, 1000)
	f.Fuzz(func(t *testing.T, tool, params string) {
		s := &server{Server: base.Server, app: base.app, t: t}
		body := `{"tool":"xpersona_` + strings.ReplaceAll(tool, `"`, ``) + `","parameters":` + params + `,"agent_token":"fz:u:bet"}`
		if r := s.do("POST", "/api/openclaw/tools", key, []byte(body)); r.Status >= 500 {
			t.Fatalf("tool %s %s: %d %s", tool, params, r.Status, r.Raw)
		}
		for _, path := range []string{"/api/games/dice/round", "/api/me/strategies", "/api/me/advanced-strategies", "/api/me/withdraw", "/api/me/seed"} {
			if r := s.do("POST", path, key, []byte(params)); r.Status >= 500 {
				t.Fatalf("POST %s %s: %d %s", path, params, r.Status, r.Raw)
			}
		}
		ledgertest.Check(t, s.app.DB)
	})
}
