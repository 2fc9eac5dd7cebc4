package app_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/fairness/verify"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestClientSeedIsThePlayers: the commitment is readable before the first bet, setting a client
// seed activates the seed whose commitment was published as next (so it was fixed before the
// player chose), the next round uses the player's seed, and `arcade verify` recomputes it from
// the revealed seed and the commitment.
func TestClientSeedIsThePlayers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		s.fund(key, 100)
		before := s.do("GET", "/api/me/seed", key, nil)
		b := data(before)
		if before.Status != 200 || len(b["serverSeedHash"].(string)) != 64 || len(b["nextServerSeedHash"].(string)) != 64 || b["nonce"] != 0.0 {
			t.Fatalf("seed before any bet: %d %s", before.Status, before.Raw)
		}
		if again := data(s.do("GET", "/api/me/seed", key, nil)); again["serverSeedHash"] != b["serverSeedHash"] {
			t.Fatal("reading the seed twice changed it")
		}
		set := s.do("POST", "/api/me/seed", key, []byte(`{"clientSeed":"lucky-7"}`))
		d := data(set)
		prev, _ := d["previous"].(map[string]any)
		if set.Status != 200 || d["clientSeed"] != "lucky-7" || d["serverSeedHash"] != b["nextServerSeedHash"] ||
			prev["serverSeedHash"] != b["serverSeedHash"] || len(prev["serverSeed"].(string)) != 64 || d["nextServerSeedHash"] == b["nextServerSeedHash"] {
			t.Fatalf("set client seed: %d %s (before %s)", set.Status, set.Raw, before.Raw)
		}
		round := data(s.do("POST", "/api/games/dice/round", key, []byte(`{"amount":3,"target":40,"condition":"over"}`)))
		v := round["verification"].(map[string]any)
		if v["clientSeed"] != "lucky-7" || v["serverSeedHash"] != d["serverSeedHash"] || v["nonce"] != 0.0 {
			t.Fatalf("round did not use the player's seed: %v (seed %v)", v, d)
		}
		// A clientSeed in the round body switches to the queued seed too.
		r2 := data(s.do("POST", "/api/games/dice/round", key, []byte(`{"amount":2,"target":70,"condition":"under","clientSeed":"second"}`)))
		v2 := r2["verification"].(map[string]any)
		if v2["clientSeed"] != "second" || v2["serverSeedHash"] != d["nextServerSeedHash"] {
			t.Fatalf("clientSeed in the body: %v (next was %v)", v2, d["nextServerSeedHash"])
		}
		for _, r := range []map[string]any{round, r2} {
			rev := s.do("GET", "/api/me/rounds/"+r["roundId"].(string)+"?reveal=1", key, nil)
			rv := data(rev)["verification"].(map[string]any)
			seed, _ := rv["serverSeed"].(string)
			if rev.Status != 200 || seed == "" {
				t.Fatalf("reveal: %d %s", rev.Status, rev.Raw)
			}
			var out, errb strings.Builder
			args := []string{"--game", "credit-dice", "--server-seed", seed, "--client-seed", rv["clientSeed"].(string),
				"--nonce", fmt.Sprint(rv["nonce"]), "--commitment", rv["serverSeedHash"].(string),
				"--target", fmt.Sprint(r["target"]), "--condition", r["condition"].(string), "--amount", fmt.Sprint(r["amount"])}
			if code := verify.Main(context.Background(), args, &out, &errb); code != 0 {
				t.Fatalf("arcade verify %v: %d %s", args, code, errb.String())
			}
			if got := out.String(); !strings.Contains(got, fmt.Sprintf(`"roll":%v`, r["result"])) || !strings.Contains(got, `"commitment_ok":true`) ||
				!strings.Contains(got, fmt.Sprintf(`"win":%v`, r["win"])) {
				t.Fatalf("verify disagrees with the round %v: %s", r, got)
			}
		}
		// The revealed seed is never used again: the active seed is a fresh one.
		now := data(s.do("GET", "/api/me/seed", key, nil))
		if now["serverSeedHash"] == d["serverSeedHash"] || now["serverSeedHash"] == d["nextServerSeedHash"] || now["clientSeed"] != "second" {
			t.Fatalf("after reveal: %v", now)
		}
		for _, bad := range []string{`{}`, `{"clientSeed":""}`, `{"clientSeed":"a:b"}`, `{"clientSeed":"` + strings.Repeat("x", 129) + `"}`, `{"clientSeed":7}`} {
			if r := s.do("POST", "/api/me/seed", key, []byte(bad)); r.Status != 400 || r.Body["field"] != "clientSeed" {
				t.Fatalf("%s: %d %s", bad, r.Status, r.Raw)
			}
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestWithdrawableFromLedger: whatever way play credits arrive from the faucet account (Free
// Credits, the agent sign-up grant, a grant of a kind added later), they are not withdrawable;
// purchased credits are.
func TestWithdrawableFromLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		grant := func(key string, kind string, credits int64) {
			id := data(s.do("GET", "/api/me", key, nil))["id"].(string)
			err := s.app.DB.Write(context.Background(), func(ctx context.Context, q store.Q) error {
				return ledger.Post(ctx, q, t0, ledger.Transfer{Asset: money.Credit, From: ledger.SystemAccount(ledger.Faucet, money.Credit),
					To: ledger.UserAccount(id, money.Credit), Amount: money.Amount(credits) * money.Micro, Kind: kind, Ref: kind + "-" + id})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		agent := func() string {
			r := s.do("POST", "/api/auth/agent/register", "", []byte(`{"name":"a"}`))
			return data(r)["apiKey"].(string)
		}
		cases := []struct {
			name  string
			setup func() string
			play  int64 // credits from the faucet account
		}{
			{"free credits", func() string { k := s.guest(); s.do("POST", "/api/faucet", k, nil); return k }, 100},
			{"agent sign-up grant", agent, 100},
			{"a later kind of grant", func() string { k := s.guest(); grant(k, "promo", 250); return k }, 250},
			{"purchase only", s.guest, 0},
		}
		for _, c := range cases {
			key := c.setup()
			s.fund(key, 10_000) // bought credits
			bal := data(s.do("GET", "/api/me/balance", key, nil))
			if bal["withdrawable"] != 10000.0 || bal["faucetCredits"] != float64(c.play) {
				t.Fatalf("%s: balance %v", c.name, bal)
			}
			if c.play > 0 {
				over := fmt.Sprintf(`{"amount":%d}`, 10_000+c.play)
				if r := s.do("POST", "/api/me/withdraw", key, []byte(over)); r.Status != 400 || r.Body["error"] != "INSUFFICIENT_BALANCE" {
					t.Fatalf("%s: withdrawing play credits: %d %s", c.name, r.Status, r.Raw)
				}
			}
			if r := s.do("POST", "/api/me/withdraw", key, []byte(`{"amount":10000}`)); r.Status != 200 {
				t.Fatalf("%s: withdrawing bought credits: %d %s", c.name, r.Status, r.Raw)
			}
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestTextIsCheckedAtTheDecoder: a NUL or invalid UTF-8 in any string or path id is a 400 naming
// the field on both engines (PostgreSQL cannot store either), and nothing is written.
func TestTextIsCheckedAtTheDecoder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		s.fund(key, 20_000)
		cases := []struct {
			method, path, body, field string
		}{
			{"POST", "/api/auth/agent/register", `{"name":"a\u0000b"}`, "name"},
			{"POST", "/api/me/strategies", `{"gameType":"dice","name":"x\u0000","config":{"amount":1,"target":50,"condition":"over"}}`, "name"},
			{"POST", "/api/me/withdraw", `{"amount":10000,"wiseEmail":"a\u0000@b.c"}`, "wiseEmail"},
			{"POST", "/api/me/withdraw", `{"amount":10000,"fullName":"` + "\xff\xfe" + `"}`, "fullName"},
			{"POST", "/api/me/advanced-strategies", `{"name":"n\u0000","baseConfig":{"amount":1,"target":50,"condition":"over"},"rules":[]}`, "name"},
			{"POST", "/api/games/dice/round", `{"amount":1,"target":50,"condition":"over","clientSeed":"s\u0000"}`, "clientSeed"},
			{"GET", "/api/me/rounds/a%00b", ``, "path"},
			{"GET", "/api/me/strategies/a%00b", ``, "path"},
			{"GET", "/api/me/withdrawals/%FF", ``, "path"},
			{"GET", "/api/me/rounds?gameType=%00", ``, "gameType"},
			{"POST", "/api/openclaw/tools", `{"tool":"xpersona_get_strategy","parameters":{"strategy_id":"a\u0000b"}}`, "parameters.strategy_id"},
			{"POST", "/api/openclaw/tools", `{"tool":"xpersona_notify","parameters":{"message":{"k\u0000":1}}}`, "parameters.message"},
		}
		for _, c := range cases {
			var body []byte
			if c.body != "" {
				body = []byte(c.body)
			}
			r := s.do(c.method, c.path, key, body)
			if r.Status != 400 || r.Body["field"] != c.field {
				t.Errorf("%s %s %q: %d %s (want 400 naming %q)", c.method, c.path, c.body, r.Status, r.Raw, c.field)
			}
		}
		if r := s.do("GET", "/api/me/strategies", key, nil); len(data(r)["strategies"].([]any)) != 0 {
			t.Fatalf("a refused strategy was stored: %s", r.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestIdempotencyComparesTheParsedRequest: the same request with its JSON keys in another order
// and other whitespace replays; another amount under the same key is a conflict; money moves once.
func TestIdempotencyComparesTheParsedRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		s.fund(key, 100)
		first := s.do("POST", "/api/games/dice/round", key, []byte(`{"amount":5,"target":50,"condition":"over"}`), "Idempotency-Key", "k1")
		again := s.do("POST", "/api/games/dice/round", key, []byte("{ \"condition\": \"over\",\n \"target\": 50.0, \"amount\": 5 }"), "Idempotency-Key", "k1")
		if first.Status != 200 || again.Status != 200 || string(first.Raw) != string(again.Raw) {
			t.Fatalf("reordered retry:\n%s\n%s", first.Raw, again.Raw)
		}
		if r := s.do("POST", "/api/games/dice/round", key, []byte(`{"amount":6,"target":50,"condition":"over"}`), "Idempotency-Key", "k1"); r.Status != 409 ||
			r.Body["field"] != "Idempotency-Key" {
			t.Fatalf("another request under the same key: %d %s", r.Status, r.Raw)
		}
		if rep := ledgertest.Check(t, s.app.DB); rep.Transfers > 3 { // fund + bet + payout at most
			t.Fatalf("%d transfers: money moved twice", rep.Transfers)
		}
	})
}

// TestMissesInSurfaceShape: unknown paths and wrong methods answer JSON in the surface's shape.
func TestMissesInSurfaceShape(t *testing.T) {
	s := newServer(t, store.SQLite)
	for _, c := range []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/nope", 404, "NOT_FOUND"},
		{"DELETE", "/api/me", 405, "METHOD_NOT_ALLOWED"},
		{"PUT", "/api/faucet", 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/api/me/strategies/", 404, "NOT_FOUND"},
	} {
		r := s.do(c.method, c.path, "", nil)
		if r.Status != c.status || r.Body["success"] != false || r.Body["error"] != c.code || r.Body["hint"] == nil {
			t.Fatalf("%s %s: %d %s", c.method, c.path, r.Status, r.Raw)
		}
		if c.status == 405 && r.Header.Get("Allow") == "" {
			t.Fatalf("%s %s: no Allow header", c.method, c.path)
		}
	}
	if r := s.do("GET", "/no/such/thing", "", nil); r.Status != 404 || r.Body["error"] != "not_found" {
		t.Fatalf("outside any surface: %d %s", r.Status, r.Raw)
	}
}

// TestRecoveryLink: a link replaces the account's key once; browsers get a redirect with the
// session cookie, programs the key; a spent, unknown or missing token gets a reason.
func TestRecoveryLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		me := data(s.do("GET", "/api/me", key, nil))["id"]
		link := s.do("POST", "/api/me/recovery-link", key, nil)
		u, _ := data(link)["url"].(string)
		if link.Status != 200 || !strings.HasPrefix(u, s.URL+"/api/auth/recover?token=") || data(link)["expiresAt"] == nil {
			t.Fatalf("link: %d %s", link.Status, link.Raw)
		}
		path := strings.TrimPrefix(u, s.URL)
		rec := s.do("GET", path, "", nil, "Accept", "application/json")
		newKey, _ := data(rec)["apiKey"].(string)
		if rec.Status != 200 || newKey == "" || newKey == key {
			t.Fatalf("recover: %d %s", rec.Status, rec.Raw)
		}
		if r := s.do("GET", "/api/me", key, nil); r.Status != 401 {
			t.Fatalf("old key after recovery: %d", r.Status)
		}
		if r := s.do("GET", "/api/me", newKey, nil); data(r)["id"] != me {
			t.Fatalf("new key: %s", r.Raw)
		}
		if r := s.do("GET", path, "", nil, "Accept", "application/json"); r.Status != 401 || r.Body["error"] != "recovery_expired" {
			t.Fatalf("second use: %d %s", r.Status, r.Raw)
		}
		// A browser: redirected, with the cookie, to the dashboard.
		link2 := data(s.do("POST", "/api/me/recovery-link", newKey, nil))["url"].(string)
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := c.Get(link2)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		cookies := res.Cookies()
		if res.StatusCode != 302 || res.Header.Get("Location") != "/dashboard" || len(cookies) != 1 || cookies[0].Name != "xp_guest_session" || !cookies[0].HttpOnly {
			t.Fatalf("browser recovery: %d %v %v", res.StatusCode, res.Header, cookies)
		}
		if r := s.do("GET", "/api/me", cookies[0].Value, nil); data(r)["id"] != me {
			t.Fatal("the cookie's key is not the account's")
		}
		for tok, reason := range map[string]string{"": "recovery_missing", "nope": "recovery_invalid"} {
			res, err := c.Get(s.URL + "/api/auth/recover?token=" + tok)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if loc := res.Header.Get("Location"); res.StatusCode != 302 || !strings.HasPrefix(loc, "/?error="+reason) {
				t.Fatalf("token %q: %d %s", tok, res.StatusCode, loc)
			}
		}
		if r := s.do("POST", "/api/me/recovery-link", "", nil); r.Status != 401 {
			t.Fatalf("link without a key: %d", r.Status)
		}
	})
}

// TestLiveFeed: a round, a Free Credits claim and a strategy run appear on the account's feed as
// server-sent events, and another account's do not.
func TestLiveFeed(t *testing.T) {
	s := newServer(t, store.SQLite)
	key, other := s.guest(), s.guest()
	s.fund(key, 100)
	s.fund(other, 100)
	req, _ := http.NewRequest("GET", s.URL+"/api/me/live-feed", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("feed: %d %v", res.StatusCode, res.Header)
	}
	s.do("POST", "/api/games/dice/round", other, []byte(`{"amount":1,"target":50,"condition":"over"}`))
	round := data(s.do("POST", "/api/games/dice/round", key, []byte(`{"amount":2,"target":50,"condition":"over"}`)))
	s.do("POST", "/api/faucet", key, nil)
	s.do("POST", "/api/games/dice/run-strategy", key, []byte(`{"config":{"amount":1,"target":50,"condition":"over"},"maxRounds":3}`))
	sc := bufio.NewScanner(res.Body)
	var events []map[string]any
	for len(events) < 3 && sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev); err != nil {
			t.Fatal(err)
		}
		events = append(events, ev)
	}
	if len(events) != 3 || events[0]["type"] != "bet" || events[1]["type"] != "faucet" || events[2]["type"] != "run" {
		t.Fatalf("events: %v", events)
	}
	if b := events[0]["bet"].(map[string]any); b["betId"] != round["betId"] || b["balance"] != round["balance"] {
		t.Fatalf("bet event %v for round %v", b, round)
	}
	if r := s.do("GET", "/api/me/live-feed", "", nil); r.Status != 401 || r.Body["success"] != false {
		t.Fatalf("feed without a key: %d %s", r.Status, r.Raw)
	}
	ledgertest.Check(t, s.app.DB)
}

// TestFromTheBaseURL: an agent that knows only the base URL reads GET / and follows its
// quickstart: three calls later it has played a round. The guide and the skill files are there.
func TestFromTheBaseURL(t *testing.T) {
	s := newServer(t, store.SQLite)
	start := s.do("GET", "/", "", nil)
	var st struct {
		Quickstart []struct {
			Method, Path, Yields string
			Auth                 bool
			Body                 map[string]any
		}
		Links map[string]string
	}
	if err := json.Unmarshal(start.Raw, &st); err != nil || start.Status != 200 || len(st.Quickstart) > 3 {
		t.Fatalf("GET /: %d %s", start.Status, start.Raw)
	}
	var key string
	var last resp
	for i, step := range st.Quickstart {
		var body []byte
		if step.Body != nil {
			body, _ = json.Marshal(step.Body)
		}
		k := ""
		if step.Auth {
			k = key
		}
		last = s.do(step.Method, step.Path, k, body)
		if last.Status >= 300 {
			t.Fatalf("step %d %s %s: %d %s", i+1, step.Method, step.Path, last.Status, last.Raw)
		}
		if step.Yields == "data.apiKey" {
			key = data(last)["apiKey"].(string)
		}
	}
	if v := data(last)["verification"]; v == nil || data(last)["result"] == nil {
		t.Fatalf("the quickstart's last call did not play a round: %s", last.Raw)
	}
	md := s.do("GET", "/api", "", nil, "Accept", "text/markdown")
	if md.Status != 200 || !strings.Contains(string(md.Raw), "/api/auth/guest") || !strings.HasPrefix(md.Header.Get("Content-Type"), "text/markdown") {
		t.Fatalf("GET /api as Markdown: %d %.300s", md.Status, md.Raw)
	}
	guide := s.do("GET", "/agent-skill.md", "", nil)
	if guide.Status != 200 || !strings.HasPrefix(string(guide.Raw), "---\nname: arcade\n") || !strings.Contains(string(guide.Raw), "xpersona_place_dice_round") {
		t.Fatalf("guide: %d %.300s", guide.Status, guide.Raw)
	}
	idx := s.do("GET", "/.well-known/agent-skills/index.json", "", nil)
	sk := idx.Body["skills"].([]any)[0].(map[string]any)
	skill := s.do("GET", sk["url"].(string), "", nil)
	sum := sha256.Sum256(skill.Raw)
	if sk["digest"] != "sha256:"+hex.EncodeToString(sum[:]) || string(skill.Raw) != string(guide.Raw) {
		t.Fatalf("skill index digest %v does not match the SKILL.md served", sk["digest"])
	}
	if m := s.do("GET", "/.well-known/skill.json", "", nil); m.Status != 200 || m.Body["skill_url"] == nil {
		t.Fatalf("skill.json: %d %s", m.Status, m.Raw)
	}
	ledgertest.Check(t, s.app.DB)
}
