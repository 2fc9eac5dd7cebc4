package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/store"
)

// TestV1DiscoveryMatches402: every discovery file lists the payable resources exactly as their
// 402 answers offer them: /.well-known/x402, /.well-known/api-catalog (RFC 9727 linkset),
// /.well-known/ucp, /.well-known/skill.json and the x402 skill of
// /.well-known/agent-skills/index.json.
func TestV1DiscoveryMatches402(t *testing.T) {
	s := newServer(t, store.SQLite)
	bodies := map[string]string{
		"coinflip": `{"client_seed":"a","nonce":1,"choice":"heads"}`, "dice": `{"client_seed":"a","nonce":1,"threshold":50,"direction":"over"}`,
		"roulette": `{"client_seed":"a","nonce":1,"bet":"red"}`, "slots": `{"client_seed":"a","nonce":1}`, "withdraw": `{"amount_micro":1}`,
	}
	wk := s.do("GET", "/.well-known/x402", "", nil)
	type item struct {
		Resource, Method, Description string
		PriceUSD                      string `json:"price_usd"`
		Accepts                       []map[string]any
	}
	var doc struct{ Items []item }
	if err := json.Unmarshal(wk.Raw, &doc); err != nil || len(doc.Items) != 16 {
		t.Fatalf("/.well-known/x402: %v %s", err, wk.Raw)
	}
	offered := map[string]string{} // resource → the 402's accepts, as JSON
	for _, it := range doc.Items {
		path := strings.TrimPrefix(it.Resource, s.URL)
		var body []byte
		if it.Method == "POST" {
			name := strings.TrimPrefix(strings.SplitN(path, "?", 2)[0], "/api/v1/")
			name = strings.TrimPrefix(name, "games/")
			body = []byte(bodies[name])
		}
		if strings.Contains(path, "{id}") {
			path = strings.ReplaceAll(path, "{id}", "0190a4d2-0000-7000-8000-000000000000")
		}
		r := s.do(it.Method, path, "", body)
		if r.Status != 402 {
			t.Fatalf("%s %s: %d %s", it.Method, path, r.Status, r.Raw)
		}
		got, _ := json.Marshal(r.Body["accepts"])
		want, _ := json.Marshal(it.Accepts)
		if string(got) != string(want) {
			t.Fatalf("%s: 402 offers %s, /.well-known/x402 lists %s", it.Resource, got, want)
		}
		offered[it.Resource] = string(got)
		if amt := it.Accepts[0]["amount"].(string); fmt.Sprintf("%d", usdMicro(t, it.PriceUSD)) != amt {
			t.Fatalf("%s: price_usd %s, amount %s", it.Resource, it.PriceUSD, amt)
		}
	}

	// skill.json: the same resources and offers.
	sj := s.do("GET", "/.well-known/skill.json", "", nil)
	var skill struct{ X402 struct{ Resources []item } }
	_ = json.Unmarshal(sj.Raw, &skill)
	if len(skill.X402.Resources) != len(doc.Items) {
		t.Fatalf("skill.json x402: %s", sj.Raw)
	}
	for _, it := range skill.X402.Resources {
		got, _ := json.Marshal(it.Accepts)
		if offered[it.Resource] != string(got) {
			t.Fatalf("skill.json %s: %s, the 402 offers %s", it.Resource, got, offered[it.Resource])
		}
	}

	// api-catalog: RFC 9727 linkset, every payable resource an item of /api/v1 with its price.
	ac := s.do("GET", "/.well-known/api-catalog", "", nil)
	if ac.Status != 200 || !strings.HasPrefix(ac.Header.Get("Content-Type"), "application/linkset+json") ||
		!strings.Contains(ac.Header.Get("Link"), `rel="api-catalog"`) {
		t.Fatalf("api-catalog: %d %v", ac.Status, ac.Header)
	}
	var ls struct {
		Linkset []struct {
			Anchor string
			Item   []struct {
				Href   string
				Price  []string `json:"price_usd"`
				Method []string
			}
			ServiceDesc []struct{ Href string } `json:"service-desc"`
		}
	}
	if err := json.Unmarshal(ac.Raw, &ls); err != nil || len(ls.Linkset) < 2 || ls.Linkset[0].Anchor != s.URL+"/.well-known/api-catalog" {
		t.Fatalf("api-catalog: %v %s", err, ac.Raw)
	}
	var v1Items int
	for _, c := range ls.Linkset {
		if c.Anchor != s.URL+"/api/v1" {
			continue
		}
		if len(c.ServiceDesc) == 0 || c.ServiceDesc[0].Href != s.URL+"/openapi.json" {
			t.Fatalf("api-catalog /api/v1 service-desc: %s", ac.Raw)
		}
		for _, l := range c.Item {
			if _, ok := offered[l.Href]; !ok {
				t.Fatalf("api-catalog lists %s, which no 402 offers", l.Href)
			}
			for _, it := range doc.Items {
				if it.Resource == l.Href && (len(l.Price) != 1 || l.Price[0] != it.PriceUSD) {
					t.Fatalf("api-catalog %s price %v, want %s", l.Href, l.Price, it.PriceUSD)
				}
			}
			v1Items++
		}
	}
	if v1Items != len(doc.Items) {
		t.Fatalf("api-catalog has %d /api/v1 items, want %d", v1Items, len(doc.Items))
	}
	if h := s.do("HEAD", "/.well-known/api-catalog", "", nil); h.Status != 200 || !strings.Contains(h.Header.Get("Link"), "api-catalog") {
		t.Fatalf("HEAD api-catalog: %d %v", h.Status, h.Header)
	}

	// ucp: the resources with their amounts, and x402 as the payment handler for each network.
	u := s.do("GET", "/.well-known/ucp", "", nil)
	var profile struct {
		UCP struct {
			Version      string
			Capabilities map[string][]struct {
				Config struct {
					Resources []struct{ Resource, Amount, Method string }
				}
			}
			PaymentHandlers []struct {
				Name   string
				Config map[string]any
			} `json:"payment_handlers"`
		}
	}
	if err := json.Unmarshal(u.Raw, &profile); err != nil || profile.UCP.Version == "" || len(profile.UCP.PaymentHandlers) != 1 ||
		profile.UCP.PaymentHandlers[0].Config["network"] != "eip155:31337" {
		t.Fatalf("ucp: %v %s", err, u.Raw)
	}
	res := profile.UCP.Capabilities["dev.arcade.casino.play"][0].Config.Resources
	if len(res) != len(doc.Items) {
		t.Fatalf("ucp resources: %s", u.Raw)
	}
	for _, r := range res {
		if !strings.Contains(offered[r.Resource], `"amount":"`+r.Amount+`"`) {
			t.Fatalf("ucp %s amount %s; the 402 offers %s", r.Resource, r.Amount, offered[r.Resource])
		}
	}

	// The x402 agent skill: listed in the index with the digest of what it serves, a row per
	// resource with the 402's amount.
	idx := s.do("GET", "/.well-known/agent-skills/index.json", "", nil)
	var index struct {
		Skills []struct{ Name, URL, Digest string }
	}
	_ = json.Unmarshal(idx.Raw, &index)
	var found bool
	for _, sk := range index.Skills {
		if sk.Name != "arcade-x402" {
			continue
		}
		found = true
		md := s.do("GET", sk.URL, "", nil)
		sum := sha256.Sum256(md.Raw)
		if md.Status != 200 || sk.Digest != "sha256:"+hex.EncodeToString(sum[:]) || !strings.HasPrefix(string(md.Raw), "---\nname: arcade-x402\n") {
			t.Fatalf("x402 skill: %d digest %s\n%s", md.Status, sk.Digest, md.Raw)
		}
		for _, it := range doc.Items {
			row := "| " + it.Method + " | " + it.Resource + " | " + it.PriceUSD + " | " + it.Accepts[0]["amount"].(string) + " |"
			if !strings.Contains(string(md.Raw), row) {
				t.Fatalf("x402 skill lacks %q:\n%s", row, md.Raw)
			}
		}
	}
	if !found {
		t.Fatalf("agent-skills index has no arcade-x402: %s", idx.Raw)
	}
}

// usdMicro reads a "0.10"-style dollar amount as micro-USD.
func usdMicro(t *testing.T, usd string) int64 {
	t.Helper()
	var whole, cents int64
	if _, err := fmt.Sscanf(usd, "%d.%d", &whole, &cents); err != nil {
		t.Fatalf("price %q: %v", usd, err)
	}
	return whole*1_000_000 + cents*10_000
}
