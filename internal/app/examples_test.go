package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/cardpay/cardpaytest"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/siwe"
	"github.com/arcadehq/arcade/internal/store"
)

var updateExamples = flag.Bool("update-examples", false, "rewrite the OpenAPI examples from this run's real answers")

// examplesFile holds one real success answer per /api operation, shown in /openapi.json.
var examplesFile = filepath.Join("..", "httpapi", "creditsapi", "examples.json")

// TestOpenAPIExamples calls every /api route once with a valid request, checks each answer against
// the served document, and checks that the recorded examples are real answers of the same shape
// (with -update-examples it rewrites them from this run; card checkout needs stripe-mock).
func TestOpenAPIExamples(t *testing.T) {
	mock := cardpaytest.MockURL(t)
	s := withDoc(newCardServer(t, store.SQLite, mock))
	got := map[string]json.RawMessage{}
	call := func(method, path, key string, body string, hdr ...string) map[string]any {
		t.Helper()
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		r := s.documented(method, path, key, b, hdr...)
		if r.Status >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, r.Status, r.Raw)
		}
		req, _ := http.NewRequest(method, s.URL+path, nil)
		if op, ok := s.app.Router.Match(req); ok && creditsRoute(op.Path) && op.Path != "/api/openclaw/tools" {
			if _, seen := got[op.ID]; !seen {
				var buf bytes.Buffer
				_ = json.Indent(&buf, r.Raw, "", "  ")
				got[op.ID] = append(json.RawMessage(nil), buf.Bytes()...)
			}
		}
		d, _ := r.Body["data"].(map[string]any)
		return d
	}
	g := call("POST", "/api/auth/guest", "", "")
	key := g["apiKey"].(string)
	call("POST", "/api/auth/agent/register", "", `{"name":"example-agent"}`)
	call("GET", "/api/me", key, "")
	call("POST", "/api/faucet", key, "")
	s.fund(key, 30000)
	call("GET", "/api/me/balance", key, "")
	call("GET", "/api/me/seed", key, "")
	call("POST", "/api/me/seed", key, `{"clientSeed":"my-own-seed"}`)
	r := call("POST", "/api/games/dice/round", key, `{"amount":10,"target":50,"condition":"over"}`)
	call("POST", "/api/games/dice/bet", key, `{"amount":5,"target":25,"condition":"under"}`)
	call("GET", "/api/games/dice/odds?target=25&condition=under&amount=10", "", "")
	call("GET", "/api/limits", "", "")
	call("GET", "/api/me/rounds?limit=2", key, "")
	call("GET", "/api/me/bets?limit=2", key, "")
	call("GET", "/api/me/bets/"+r["betId"].(string), key, "")
	call("GET", "/api/me/rounds/"+r["roundId"].(string)+"?reveal=1", key, "")
	call("GET", "/api/me/transactions?limit=3", key, "")
	call("GET", "/api/me/session-stats?limit=5", key, "")
	call("GET", "/api/discovery?section=platform", "", "")
	st := call("POST", "/api/me/strategies", key, `{"gameType":"dice","name":"flat 2","config":{"amount":2,"target":50,"condition":"over"}}`)
	call("GET", "/api/me/strategies", key, "")
	call("GET", "/api/me/strategies/"+st["id"].(string), key, "")
	call("PATCH", "/api/me/strategies/"+st["id"].(string), key, `{"name":"flat two"}`)
	run := call("POST", "/api/games/dice/run-strategy", key, `{"strategyId":"`+st["id"].(string)+`","maxRounds":3}`)
	call("GET", "/api/me/runs/"+run["runId"].(string), key, "")
	call("DELETE", "/api/me/strategies/"+st["id"].(string), key, "")
	adv := `{"name":"double on loss","baseConfig":{"amount":1,"target":50,"condition":"over"},"rules":[{"id":"r1","order":1,"enabled":true,"trigger":{"type":"loss"},"action":{"type":"double_bet"}}]}`
	a := call("POST", "/api/me/advanced-strategies", key, adv)["strategy"].(map[string]any)
	id := a["id"].(string)
	call("GET", "/api/me/advanced-strategies", key, "")
	call("GET", "/api/me/advanced-strategies/"+id, key, "")
	call("PATCH", "/api/me/advanced-strategies/"+id, key, `{"description":"doubles after a loss"}`)
	call("POST", "/api/me/advanced-strategies/simulate", key, `{"strategy":`+adv+`,"rounds":20,"seed":"example"}`)
	call("POST", "/api/me/advanced-strategies/"+id+"/simulate", key, `{"rounds":20,"seed":"example"}`)
	call("POST", "/api/games/dice/run-advanced-strategy", key, `{"strategyId":"`+id+`","maxRounds":3}`)
	call("DELETE", "/api/me/advanced-strategies/"+id, key, "")
	w := call("POST", "/api/me/withdraw", key, `{"amount":10000,"wiseEmail":"agent@example.com","fullName":"Agent Example","currency":"USD"}`)
	call("GET", "/api/me/withdrawals", key, "")
	call("GET", "/api/me/withdrawals/"+w["id"].(string), key, "")
	admin := s.platformKey()
	call("GET", "/api/admin/withdrawals", admin, "")
	call("POST", "/api/admin/withdrawals/"+w["id"].(string)+"/approve", admin, `{"note":"paid"}`)
	w2 := call("POST", "/api/me/withdraw", key, `{"amount":10000}`)
	call("POST", "/api/admin/withdrawals/"+w2["id"].(string)+"/reject", admin, `{"note":"duplicate"}`)
	call("GET", "/api/credits/packages", "", "")
	call("POST", "/api/credits/checkout", key, `{"packageId":"pkg_5000"}`)
	link := call("POST", "/api/me/recovery-link", key, "")
	u := strings.TrimPrefix(link["url"].(string), "https://arcade.test")
	newKey := call("GET", u, "", "", "Accept", "application/json")["apiKey"].(string)
	// One account: a wallet bound to the API-key account with its EIP-4361 signature.
	me := call("GET", "/api/me", newKey, "")
	wk, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	nonce := s.do("GET", "/api/auth/siwe/nonce", "", nil)
	m := &siwe.Message{Domain: "arcade.test", Address: crypto.PubkeyToAddress(wk.PublicKey).Hex(),
		Statement: account.BindStatement(me["id"].(string)), URI: "https://arcade.test", Version: "1", ChainID: 31337, Nonce: string(nonce.Raw),
		IssuedAt: time.Now().UTC().Format(time.RFC3339)}
	bind, _ := json.Marshal(map[string]string{"message": m.String(), "signature": siweSign(t, wk, m.String())})
	call("POST", "/api/me/wallet", newKey, string(bind))
	call("POST", "/api/me/api-key", newKey, "")
	ledgertest.Check(t, s.app.DB)

	if *updateExamples {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(examplesFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d examples to %s", len(got), examplesFile)
		return
	}
	raw, err := os.ReadFile(examplesFile)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]json.RawMessage
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, op := range s.app.Router.Ops() {
		if creditsRoute(op.Path) && op.Path != "/api/openclaw/tools" && op.Path != "/api/me/live-feed" && op.Path != "/api/credits/webhook" && op.Path != "/api/openapi" {
			if _, ok := want[op.ID]; !ok {
				missing = append(missing, op.ID)
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("operations without an example (run with -update-examples): %v", missing)
	}
	// The recorded examples have this run's shape: the same keys at the top of data.
	for id, ex := range want {
		if now, ok := got[id]; ok && keys(now) != keys(ex) {
			t.Errorf("%s: the recorded example's fields %s differ from a real answer's %s (run with -update-examples)", id, keys(ex), keys(now))
		}
	}
}

// creditsRoute: the path is spec 000's /api surface (not /api/v1 and SIWE, spec 001's, nor
// spec 003's).
func creditsRoute(path string) bool {
	return strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/api/v1/") && path != "/api/v1" &&
		!strings.HasPrefix(path, "/api/auth/siwe/")
}

func keys(raw json.RawMessage) string {
	var m struct {
		Data json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(raw, &m)
	var d map[string]any
	_ = json.Unmarshal(m.Data, &d)
	var ks []string
	for k := range d {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}

// platformKey issues an API key for the platform account (the operator routes).
func (s *server) platformKey() string {
	s.t.Helper()
	var admin string
	if err := s.app.DB.Write(context.Background(), func(ctx context.Context, q store.Q) error {
		k, err := account.RegenerateKey(ctx, q, t0, randReader(), account.PlatformID, "arc_admin_")
		admin = k.Secret
		return err
	}); err != nil {
		s.t.Fatal(err)
	}
	return admin
}
