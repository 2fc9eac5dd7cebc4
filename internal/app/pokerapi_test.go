package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/poker/bot"
	"github.com/arcadehq/arcade/internal/poker/phh"
	"github.com/arcadehq/arcade/internal/poker/table"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// pokerAPI calls /poker/api and checks every answer against the served OpenAPI document, so the
// document and the routes cannot drift apart.
type pokerAPI struct {
	s *server
	v validator.Validator
}

func newPokerAPI(t *testing.T, s *server) *pokerAPI {
	t.Helper()
	r := s.do("GET", "/openapi.json", "", nil)
	doc, err := libopenapi.NewDocument(r.Raw)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	return &pokerAPI{s: s, v: v}
}

// call sends one request under /poker/api (body: a JSON text or "") and validates the answer.
func (p *pokerAPI) call(t *testing.T, method, path, key, body string, hdr ...string) resp {
	t.Helper()
	return p.send(t, true, method, path, key, body, hdr...)
}

// send is call, validating against the document only when check is set (not for routes that
// do not exist).
func (p *pokerAPI) send(t *testing.T, check bool, method, path, key, body string, hdr ...string) resp {
	t.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	req, r := p.s.exchange(method, "/poker/api"+path, key, b, hdr...)
	if r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%s %s: content type %q", method, path, r.Header.Get("Content-Type"))
	}
	res := r.http
	res.Body = io.NopCloser(bytes.NewReader(r.Raw))
	req.Body = io.NopCloser(bytes.NewReader(b))
	if ok, verrs := p.v.ValidateHttpResponse(req, res); check && !ok {
		for _, e := range verrs {
			t.Errorf("%s %s (%d) does not match the document: %s %s\n%s", method, path, r.Status, e.Message, e.Reason, r.Raw)
		}
	}
	return r
}

// want checks a status, and for an error that detail names the field.
func want(t *testing.T, r resp, status int, field string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	if status >= 400 {
		d, _ := r.Body["detail"].(string)
		if d == "" {
			t.Fatalf("error without detail: %s", r.Raw)
		}
		if field != "" && (!strings.HasPrefix(d, field+":") || r.Body["field"] != field) {
			t.Fatalf("detail %q does not name %s: %s", d, field, r.Raw)
		}
	}
}

func str(v any) string { s, _ := v.(string); return s }

// register creates an agent through POST /register and returns its id and key.
func (p *pokerAPI) register(t *testing.T, name, wallet string) (id, key string) {
	t.Helper()
	body := fmt.Sprintf(`{"email":"%s@example.com","name":"%s"`, strings.ToLower(name), name)
	if wallet != "" {
		body += `,"wallet_address":"` + wallet + `"`
	}
	r := p.call(t, "POST", "/register", "", body+"}")
	want(t, r, 201, "")
	return str(r.Body["agent_id"]), str(r.Body["api_key"])
}

func wallet(n int) string { return fmt.Sprintf("0x%040x", n) }

// TestPokerAPIRegister: POST /register answers 201 with a key that works, 409 on a duplicate
// email, name or wallet (whatever their case), and 422 naming the field on bad input.
func TestPokerAPIRegister(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newPokerServer(t, e)
		p := newPokerAPI(t, s)
		r := p.call(t, "POST", "/register", "", `{"email":"Ann@Example.com","name":"ann_bot","wallet_address":"0x00000000000000000000000000000000000000AA","avatar_url":"https://example.com/a.png"}`)
		want(t, r, 201, "")
		key := str(r.Body["api_key"])
		if !strings.HasPrefix(key, "op_live_") || str(r.Body["agent_id"]) == "" || r.Body["email"] != "ann@example.com" ||
			r.Body["name"] != "ann_bot" || r.Body["wallet_address"] != "0x00000000000000000000000000000000000000aa" || r.Body["sandbox_balance"] != 10.0 {
			t.Fatalf("register: %s", r.Raw)
		}
		me := p.call(t, "GET", "/me", key, "")
		want(t, me, 200, "")
		if me.Body["agent_id"] != r.Body["agent_id"] || me.Body["balance"] != 10.0 || me.Body["sandbox"] != true ||
			me.Body["avatar_url"] != "https://example.com/a.png" {
			t.Fatalf("me: %s", me.Raw)
		}
		// Duplicates: 409 naming what is taken.
		for _, c := range []struct{ body, field string }{
			{`{"email":"ANN@example.com","name":"other1"}`, "email"},
			{`{"email":"b@example.com","name":"ANN_BOT"}`, "name"},
			{`{"email":"c@example.com","name":"other3","wallet_address":"0x00000000000000000000000000000000000000aa"}`, "wallet_address"},
		} {
			want(t, p.call(t, "POST", "/register", "", c.body), 409, c.field)
		}
		// Validation: 422 naming the field.
		for _, c := range []struct{ body, field string }{
			{`{"name":"x1"}`, "email"},
			{`{"email":"not-an-email","name":"x2"}`, "email"},
			{`{"email":"x3@example.com"}`, "name"},
			{`{"email":"x4@example.com","name":"has space"}`, "name"},
			{`{"email":"x5@example.com","name":"` + strings.Repeat("n", 65) + `"}`, "name"},
			{`{"email":"x6@example.com","name":"x6","wallet_address":"0x12"}`, "wallet_address"},
			{`{"email":"x7@example.com","name":"x7","avatar_url":"javascript:alert(1)"}`, "avatar_url"},
			{`{"email":7,"name":"x8"}`, "email"},
			{`{"email":`, "body"},
			{`[]`, "body"},
		} {
			want(t, p.call(t, "POST", "/register", "", c.body), 422, c.field)
		}
		want(t, p.call(t, "POST", "/register", "", ""), 422, "body")
		want(t, p.send(t, false, "GET", "/register", "", ""), 405, "")
		want(t, p.send(t, false, "GET", "/no-such-route", "", ""), 404, "")
		// Nothing but the first agent was created: one sandbox grant.
		acc := p.call(t, "GET", "/accounting", s.platformKey(), "")
		want(t, acc, 200, "")
		if acc.Body["total_deposited_ucents"] != 100000.0 || acc.Body["invariant_holds"] != true {
			t.Fatalf("accounting: %s", acc.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestPokerAPIProfile: GET and PATCH /me, key regeneration and the active game, with their errors.
func TestPokerAPIProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newPokerServer(t, e)
		p := newPokerAPI(t, s)
		_, key := p.register(t, "pat", "")
		p.register(t, "taken", wallet(7))
		for _, path := range []string{"/me", "/me/active-game", "/me/hand-history", "/balance", "/transactions"} {
			want(t, p.call(t, "GET", path, "", ""), 401, "")
			want(t, p.call(t, "GET", path, "op_live_"+strings.Repeat("0", 64), ""), 401, "")
		}
		want(t, p.call(t, "PATCH", "/me", "", `{"name":"x"}`), 401, "")
		want(t, p.call(t, "POST", "/me/regenerate-key", "", ""), 401, "")

		me := p.call(t, "GET", "/me", key, "")
		want(t, me, 200, "")
		if me.Body["wallet_address"] != nil || me.Body["avatar_url"] != nil || me.Body["name"] != "pat" {
			t.Fatalf("me: %s", me.Raw)
		}
		r := p.call(t, "PATCH", "/me", key, `{"name":"pat2","wallet_address":"`+wallet(9)+`","avatar_url":"https://example.com/p.png"}`)
		want(t, r, 200, "")
		if r.Body["name"] != "pat2" || r.Body["wallet_address"] != wallet(9) || r.Body["avatar_url"] != "https://example.com/p.png" {
			t.Fatalf("patch: %s", r.Raw)
		}
		// Absent fields stay; "" clears the avatar.
		r = p.call(t, "PATCH", "/me", key, `{"avatar_url":""}`)
		want(t, r, 200, "")
		if r.Body["name"] != "pat2" || r.Body["wallet_address"] != wallet(9) || r.Body["avatar_url"] != nil {
			t.Fatalf("patch: %s", r.Raw)
		}
		want(t, p.call(t, "PATCH", "/me", key, `{"name":"TAKEN"}`), 409, "name")
		want(t, p.call(t, "PATCH", "/me", key, `{"wallet_address":"`+strings.ToUpper(wallet(7)[2:])+`"}`), 422, "wallet_address")
		want(t, p.call(t, "PATCH", "/me", key, `{"wallet_address":"0x`+strings.ToUpper(wallet(7)[2:])+`"}`), 409, "wallet_address")
		want(t, p.call(t, "PATCH", "/me", key, `{"name":""}`), 422, "name")
		want(t, p.call(t, "PATCH", "/me", key, `{"name":5}`), 422, "name")
		want(t, p.call(t, "PATCH", "/me", key, `{"avatar_url":"ftp://x/y"}`), 422, "avatar_url")
		want(t, p.call(t, "PATCH", "/me", key, `nope`), 422, "body")

		g := p.call(t, "GET", "/me/active-game", key, "")
		want(t, g, 200, "")
		if g.Body["playing"] != false || g.Body["table_id"] != nil || g.Body["seat"] != nil || g.Body["stack_cents"] != nil {
			t.Fatalf("active game: %s", g.Raw)
		}
		h := p.call(t, "GET", "/me/hand-history", key, "")
		want(t, h, 200, "")
		if hs, _ := h.Body["hands"].([]any); len(hs) != 0 || h.Body["limit"] != 50.0 || h.Body["offset"] != 0.0 {
			t.Fatalf("hand history: %s", h.Raw)
		}
		for _, q := range []struct{ query, field string }{{"limit=0", "limit"}, {"limit=201", "limit"}, {"limit=x", "limit"}, {"offset=-1", "offset"}} {
			want(t, p.call(t, "GET", "/me/hand-history?"+q.query, key, ""), 422, q.field)
		}

		k := p.call(t, "POST", "/me/regenerate-key", key, "")
		want(t, k, 200, "")
		newKey := str(k.Body["api_key"])
		if !strings.HasPrefix(newKey, "op_live_") || newKey == key {
			t.Fatalf("regenerate: %s", k.Raw)
		}
		want(t, p.call(t, "GET", "/me", key, ""), 401, "")
		want(t, p.call(t, "GET", "/me", newKey, ""), 200, "")
		ledgertest.Check(t, s.app.DB)
	})
}

// TestPokerAPIMoney: balance, sandbox deposits (credited once), withdrawals (limits, funds,
// wallet, idempotency), a withdrawal's status, the transactions, and the platform routes.
func TestPokerAPIMoney(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newPokerServer(t, e)
		p := newPokerAPI(t, s)
		_, key := p.register(t, "mo", "")
		otherID, other := p.register(t, "other", wallet(2))
		_ = otherID

		b := p.call(t, "GET", "/balance", key, "")
		want(t, b, 200, "")
		if b.Body["balance"] != 10.0 || b.Body["locked_in_play"] != 0.0 || b.Body["total"] != 10.0 || b.Body["sandbox"] != true {
			t.Fatalf("balance: %s", b.Raw)
		}

		// Deposits: a sandbox hash credits 10.00 once.
		hash := "0x" + strings.Repeat("ab", 32)
		want(t, p.call(t, "POST", "/deposit/onchain", "", `{"tx_hash":"`+hash+`"}`), 401, "")
		d := p.call(t, "POST", "/deposit/onchain", key, `{"tx_hash":"`+hash+`"}`)
		want(t, d, 200, "")
		if d.Body["status"] != "confirmed" || d.Body["amount_cents"] != 1000.0 || d.Body["amount_ucents"] != 100000.0 ||
			d.Body["tx_hash"] != hash || d.Body["confirmations_seen"] != d.Body["confirmations_required"] {
			t.Fatalf("deposit: %s", d.Raw)
		}
		want(t, p.call(t, "POST", "/deposit/onchain", key, `{"tx_hash":"0x`+strings.ToUpper(hash[2:10])+hash[10:]+`"}`), 400, "tx_hash")
		want(t, p.call(t, "POST", "/deposit/onchain", other, `{"tx_hash":"`+hash+`"}`), 400, "tx_hash")
		want(t, p.call(t, "POST", "/deposit/onchain", key, `{"tx_hash":"0x1234"}`), 400, "tx_hash")
		want(t, p.call(t, "POST", "/deposit/onchain", key, `{}`), 400, "tx_hash")
		want(t, p.call(t, "POST", "/deposit/onchain", key, `{"tx_hash":1}`), 400, "tx_hash")

		// Withdrawals.
		want(t, p.call(t, "POST", "/withdraw", "", `{"amount":1}`), 401, "")
		want(t, p.call(t, "POST", "/withdraw", key, `{"amount":5}`), 400, "wallet_address") // no wallet yet
		want(t, p.call(t, "PATCH", "/me", key, `{"wallet_address":"`+wallet(1)+`"}`), 200, "")
		for _, c := range []struct{ body, field string }{
			{`{"amount":0.5}`, "amount"}, {`{"amount":10000.01}`, "amount"}, {`{"amount":-1}`, "amount"}, {`{"amount":0}`, "amount"},
			{`{"amount":"5"}`, "amount"}, {`{"amount":1.0000001}`, "amount"}, {`{}`, "amount"}, {`{"amount":`, "body"},
		} {
			want(t, p.call(t, "POST", "/withdraw", key, c.body), 400, c.field)
		}
		want(t, p.call(t, "POST", "/withdraw", key, `{"amount":20.01}`), 402, "")
		w := p.call(t, "POST", "/withdraw", key, `{"amount":5.00}`, "Idempotency-Key", "w-1")
		want(t, w, 200, "")
		wid := str(w.Body["withdrawal_id"])
		if w.Body["type"] != "withdraw" || w.Body["amount"] != 5.0 || w.Body["balance_after"] != 15.0 || wid == "" ||
			w.Body["withdrawal_status"] != "confirmed" || str(w.Body["transaction_id"]) == "" {
			t.Fatalf("withdraw: %s", w.Raw)
		}
		again := p.call(t, "POST", "/withdraw", key, `{"amount":5.00}`, "Idempotency-Key", "w-1")
		want(t, again, 200, "")
		if again.Body["withdrawal_id"] != wid || again.Body["balance_after"] != 15.0 {
			t.Fatalf("replay: %s", again.Raw)
		}
		want(t, p.call(t, "POST", "/withdraw", key, `{"amount":6}`, "Idempotency-Key", "w-1"), 409, "Idempotency-Key")
		ws := p.call(t, "GET", "/withdrawal/"+wid, key, "")
		want(t, ws, 200, "")
		if ws.Body["status"] != "confirmed" || ws.Body["amount_cents"] != 500.0 || ws.Body["amount_ucents"] != 50000.0 ||
			ws.Body["to_address"] != wallet(1) || str(ws.Body["tx_hash"]) == "" || ws.Body["error_message"] != nil {
			t.Fatalf("withdrawal: %s", ws.Raw)
		}
		want(t, p.call(t, "GET", "/withdrawal/"+wid, other, ""), 404, "")
		want(t, p.call(t, "GET", "/withdrawal/wd-nope", key, ""), 404, "")
		want(t, p.call(t, "GET", "/withdrawal/"+wid, "", ""), 401, "")

		b = p.call(t, "GET", "/balance", key, "")
		if b.Body["balance"] != 15.0 || b.Body["total"] != 15.0 {
			t.Fatalf("balance after: %s", b.Raw)
		}
		tx := p.call(t, "GET", "/transactions", key, "")
		want(t, tx, 200, "")
		var kinds []string
		var sum float64
		for _, x := range tx.Body["transactions"].([]any) {
			m := x.(map[string]any)
			kinds = append(kinds, str(m["type"]))
			sum += m["amount"].(float64)
		}
		if strings.Join(kinds, ",") != "withdraw,deposit,sandbox" || sum != 15 {
			t.Fatalf("transactions %v (sum %v): %s", kinds, sum, tx.Raw)
		}
		tx = p.call(t, "GET", "/transactions?limit=1&offset=1", key, "")
		if l := tx.Body["transactions"].([]any); len(l) != 1 || l[0].(map[string]any)["type"] != "deposit" || tx.Body["limit"] != 1.0 {
			t.Fatalf("page: %s", tx.Raw)
		}
		for _, q := range []string{"limit=0", "limit=201", "offset=-1", "offset=a"} {
			want(t, p.call(t, "GET", "/transactions?"+q, key, ""), 422, strings.Split(q, "=")[0])
		}

		// Platform routes: 401 without a key, 403 for an agent, 200 for the platform.
		admin := s.platformKey()
		for _, path := range []string{"/accounting", "/platform/revenue"} {
			want(t, p.call(t, "GET", path, "", ""), 401, "")
			want(t, p.call(t, "GET", path, key, ""), 403, "")
		}
		acc := p.call(t, "GET", "/accounting", admin, "")
		want(t, acc, 200, "")
		// In: two grants and a deposit (30.00); out: one withdrawal (5.00); held: 25.00.
		if acc.Body["total_deposited_ucents"] != 300000.0 || acc.Body["total_withdrawn_ucents"] != 50000.0 ||
			acc.Body["total_balance_ucents"] != 250000.0 || acc.Body["invariant_holds"] != true || acc.Body["drift_ucents"] != 0.0 {
			t.Fatalf("accounting: %s", acc.Raw)
		}
		rev := p.call(t, "GET", "/platform/revenue", admin, "")
		want(t, rev, 200, "")
		if rev.Body["hand_count"] != 0.0 || rev.Body["total_rake_cents"] != 0.0 {
			t.Fatalf("revenue: %s", rev.Raw)
		}
		cfg := p.call(t, "GET", "/public-config", "", "")
		want(t, cfg, 200, "")
		if cfg.Body["better_auth_url"] != nil || cfg.Body["small_blind"] != 0.01 || cfg.Body["big_blind"] != 0.02 ||
			cfg.Body["min_buy_in"] != 1.0 || cfg.Body["sandbox"] != true || cfg.Body["network"] != "sandbox" {
			t.Fatalf("public config: %s", cfg.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestPokerAPIPlay: agents registered over REST play through /poker/ws; meanwhile the tables
// list and the table snapshot show the game and the active game finds each seat; afterwards the
// hand history holds every hand with its actions and profits, the revenue matches the rake,
// the accounting invariant holds and /health shows the game block.
func TestPokerAPIPlay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newPokerServer(t, e)
		p := newPokerAPI(t, s)
		startDay := time.Now().UTC().Format(time.DateOnly) // "today" below is the server's UTC day
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		const n = 3
		keys := make([]string, n)
		for i := range n {
			_, keys[i] = p.register(t, fmt.Sprintf("player%d", i), "")
		}
		want(t, p.call(t, "GET", "/tables/t-none", "", ""), 404, "")
		tl := p.call(t, "GET", "/tables", "", "")
		want(t, tl, 200, "")

		stats := make([]*bot.Stats, n)
		errc := make([]error, n)
		// Bot 0 holds its first turn after the first hand (hand_number ≥ 1, as the listing check
		// below wants) until the checks below are done: the table waits for it (the action
		// clock is long), so the game is still on when they run. Without this the bots could
		// play their 8 hands and leave before the test looked (a loaded machine, or the test's
		// goroutine descheduled for a moment), and the listing, the active game and the health
		// block then found no game.
		held, release := make(chan struct{}), make(chan struct{})
		var holdOnce, releaseOnce sync.Once
		defer releaseOnce.Do(func() { close(release) })
		var wg sync.WaitGroup
		for i := range n {
			b := &bot.Bot{URL: wsURL(s), Key: keys[i], BuyIn: "2.00", Hands: 8, Seed: uint64(i + 7), Rebuy: "1.00"}
			if i == 0 {
				var hand struct {
					Number uint64 `json:"hand_number"`
				}
				b.OnFrame = func(typ string, raw []byte) {
					switch typ {
					case "hand_start":
						_ = json.Unmarshal(raw, &hand)
					case "your_turn":
						if hand.Number >= 1 {
							holdOnce.Do(func() { close(held); <-release })
						}
					}
				}
			}
			wg.Add(1)
			go func() { defer wg.Done(); stats[i], errc[i] = b.Play(ctx) }()
		}
		select {
		case <-held:
		case <-ctx.Done():
			t.Fatal("bot 0 never got a turn")
		}
		// While they play: the listing, the snapshot, the active game.
		var tableID string
		for tableID == "" && ctx.Err() == nil {
			r := p.call(t, "GET", "/tables", "", "")
			var list []map[string]any
			_ = json.Unmarshal(r.Raw, &list)
			for _, x := range list {
				if x["players"].(float64) == n && x["hand_number"].(float64) >= 1 {
					if x["seats"] != 6.0 || x["small_blind"] != 0.01 || x["big_blind"] != 0.02 {
						t.Errorf("table item: %v", x)
					}
					tableID = str(x["table_id"])
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		st := p.call(t, "GET", "/tables/"+tableID, "", "")
		want(t, st, 200, "")
		if st.Body["table_id"] != tableID || st.Body["hero"] != nil || len(st.Body["seats"].([]any)) != 6 || str(st.Body["server_seed_hash"]) == "" {
			t.Fatalf("snapshot: %s", st.Raw)
		}
		if strings.Contains(string(st.Raw), "hole_cards") {
			t.Fatalf("the public snapshot shows hole cards: %s", st.Raw)
		}
		seen := 0
		for i := range n {
			g := p.call(t, "GET", "/me/active-game", keys[i], "")
			want(t, g, 200, "")
			if g.Body["playing"] == true {
				if g.Body["table_id"] != tableID || g.Body["seat"] == nil || g.Body["stack_cents"] == nil {
					t.Fatalf("active game: %s", g.Raw)
				}
				seen++
			}
		}
		if seen == 0 {
			t.Error("no player found at its table by /me/active-game")
		}
		h := s.do("GET", "/health", "", nil)
		game, _ := h.Body["game"].(map[string]any)
		if game == nil || game["active_tables"].(float64) < 1 || game["active_connections"].(float64) < 1 {
			t.Errorf("health game block: %s", h.Raw)
		}
		releaseOnce.Do(func() { close(release) })
		wg.Wait()
		for i := range n {
			if errc[i] != nil {
				t.Fatalf("bot %d: %v", i, errc[i])
			}
		}
		// All have left: nothing in play, nobody playing.
		deadline := time.Now().Add(10 * time.Second)
		for len(s.app.PokerService.Tables()) > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		var hands, actions int
		for i := range n {
			g := p.call(t, "GET", "/me/active-game", keys[i], "")
			if g.Body["playing"] != false {
				t.Errorf("still playing after leaving: %s", g.Raw)
			}
			hh := p.call(t, "GET", "/me/hand-history?limit=200", keys[i], "")
			want(t, hh, 200, "")
			list := hh.Body["hands"].([]any)
			if len(list) < len(stats[i].HandIDs)-1 || len(list) == 0 {
				t.Errorf("player %d: %d hands in the history, the bot saw %d", i, len(list), len(stats[i].HandIDs))
			}
			var profit float64
			for _, x := range list {
				m := x.(map[string]any)
				if m["table_id"] != tableID || str(m["hand_id"]) == "" {
					t.Errorf("hand: %v", m)
				}
				d := m["stack_end"].(float64) - m["stack_start"].(float64) - m["profit"].(float64)
				if d > 1e-9 || d < -1e-9 {
					t.Errorf("profit is not stack_end - stack_start: %v", m)
				}
				profit += m["profit"].(float64)
				actions += len(m["actions"].([]any))
			}
			hands += len(list)
			b := p.call(t, "GET", "/balance", keys[i], "")
			if b.Body["locked_in_play"] != 0.0 {
				t.Errorf("in play after leaving: %s", b.Raw)
			}
			// What the history says the player won or lost is what its balance moved.
			if diff := b.Body["total"].(float64) - 10 - profit; diff > 1e-6 || diff < -1e-6 {
				t.Errorf("player %d: balance %v, history profit %v", i, b.Body["total"], profit)
			}
			if len(stats[i].HandIDs) > 0 {
				page := p.call(t, "GET", "/me/hand-history?limit=1&offset=1", keys[i], "")
				if l := page.Body["hands"].([]any); len(list) > 1 && (len(l) != 1 || l[0].(map[string]any)["hand_id"] != list[1].(map[string]any)["hand_id"]) {
					t.Errorf("page: %s", page.Raw)
				}
			}
		}
		if hands == 0 || actions == 0 {
			t.Fatalf("no hands (%d) or actions (%d) in the histories", hands, actions)
		}
		admin := s.platformKey()
		rev := p.call(t, "GET", "/platform/revenue", admin, "")
		want(t, rev, 200, "")
		acc := p.call(t, "GET", "/accounting", admin, "")
		want(t, acc, 200, "")
		// Every hand was settled today, unless the test ran across midnight UTC (then some rake
		// is yesterday's).
		today, total := rev.Body["today_rake_ucents"].(float64), rev.Body["total_rake_ucents"].(float64)
		sameDay := time.Now().UTC().Format(time.DateOnly) == startDay
		if rev.Body["hand_count"].(float64) < 1 || rev.Body["total_rake_ucents"] != acc.Body["total_rake_ucents"] ||
			sameDay && today != total || today > total {
			t.Errorf("revenue %s vs accounting %s", rev.Raw, acc.Raw)
		}
		if acc.Body["invariant_holds"] != true || acc.Body["total_in_play_ucents"] != 0.0 {
			t.Errorf("accounting: %s", acc.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestPokerAPIRegisterLimit: registrations share the per-address sign-up limit: past it, 429
// with Retry-After, and no account or sandbox money is created.
func TestPokerAPIRegisterLimit(t *testing.T) {
	s := newServer(t, store.SQLite, func(c *app.Config) {
		c.Poker = pokerConfig()
		c.SignUpLimit = ratelimit.Limit{PerSecond: 1.0 / 60, Burst: 2}
	})
	p := newPokerAPI(t, s)
	p.register(t, "lim1", "")
	p.register(t, "lim2", "")
	r := p.call(t, "POST", "/register", "", `{"email":"lim3@example.com","name":"lim3"}`)
	want(t, r, 429, "")
	if r.Header.Get("Retry-After") == "" {
		t.Fatalf("no Retry-After: %v", r.Header)
	}
	acc := p.call(t, "GET", "/accounting", s.platformKey(), "")
	if acc.Body["total_deposited_ucents"] != 200000.0 {
		t.Fatalf("accounting: %s", acc.Raw)
	}
	ledgertest.Check(t, s.app.DB)
}

// TestPokerAPIPlayOverHTTP: Arcade's REST play routes. Two agents join through POST
// /lobby/join, poll GET /me/table and act on their turns through POST /me/action until two hands
// are settled, then leave; refusals answer 409 with the action_rejected code, bad input 422
// naming the field, and a caller without a seat 404.
func TestPokerAPIPlayOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newPokerServer(t, e)
		p := newPokerAPI(t, s)
		_, a := p.register(t, "httpa", "")
		_, b := p.register(t, "httpb", "")
		keys := []string{a, b}
		want(t, p.call(t, "GET", "/me/table", a, ""), 404, "")
		want(t, p.call(t, "POST", "/me/leave", a, ""), 404, "")
		want(t, p.call(t, "POST", "/me/action", a, `{"action":"check"}`), 404, "")
		want(t, p.call(t, "POST", "/lobby/join", "", `{}`), 401, "")
		want(t, p.call(t, "POST", "/lobby/join", a, `{"buy_in":0.5}`), 422, "buy_in")
		want(t, p.call(t, "POST", "/lobby/join", a, `{"buy_in":"2"}`), 422, "buy_in")
		want(t, p.call(t, "POST", "/lobby/join", a, `{"buy_in":2}`), 200, "")
		want(t, p.call(t, "POST", "/lobby/join", a, `{"buy_in":2}`), 409, "")
		want(t, p.call(t, "POST", "/lobby/join", b, `{}`), 200, "")
		want(t, p.call(t, "POST", "/me/rebuy", a, `{"amount":1}`), 409, "")
		want(t, p.call(t, "POST", "/me/rebuy", a, `{}`), 422, "amount")

		deadline := time.Now().Add(30 * time.Second)
		refused := false
		for time.Now().Before(deadline) {
			settled := 0
			for i, k := range keys {
				st := p.call(t, "GET", "/me/table", k, "")
				want(t, st, 200, "")
				if n := st.Body["hand_number"].(float64); n >= 2 {
					settled++
				}
				hero, _ := st.Body["hero"].(map[string]any)
				if hero == nil {
					t.Fatalf("no hero in the caller's table: %s", st.Raw)
				}
				va, _ := hero["valid_actions"].([]any)
				if len(va) == 0 {
					if !refused && st.Body["street"] != "idle" {
						// Not this player's turn: refused with the code, nothing changes.
						r := p.call(t, "POST", "/me/action", k, `{"action":"check"}`)
						if r.Status == 409 {
							if r.Body["code"] != "not_your_turn" {
								t.Fatalf("out of turn: %s", r.Raw)
							}
							refused = true
						}
					}
					continue
				}
				act := "call"
				for _, v := range va {
					if v.(map[string]any)["action"] == "check" {
						act = "check"
					}
				}
				want(t, p.call(t, "POST", "/me/action", k, `{"action":"bet"}`), 409, "")
				want(t, p.call(t, "POST", "/me/action", k, `{"action":"raise","amount":"x"}`), 422, "amount")
				want(t, p.call(t, "POST", "/me/action", k, `{}`), 422, "action")
				r := p.call(t, "POST", "/me/action", k, fmt.Sprintf(`{"action":%q,"turn_token":%q,"client_action_id":"c%d-%v"}`,
					act, hero["turn_token"], i, hero["turn_token"]))
				if r.Status != 200 && r.Status != 409 { // 409: the turn timed out in between
					t.Fatalf("action: %d %s", r.Status, r.Raw)
				}
			}
			if settled == 2 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if !refused {
			t.Error("no out-of-turn action was tried")
		}
		for _, k := range keys {
			if r := p.call(t, "POST", "/me/leave", k, ""); r.Status != 200 {
				t.Fatalf("leave: %d %s", r.Status, r.Raw)
			}
		}
		deadline = time.Now().Add(10 * time.Second)
		for len(s.app.PokerService.Tables()) > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		var total float64
		for _, k := range keys {
			h := p.call(t, "GET", "/me/hand-history", k, "")
			if len(h.Body["hands"].([]any)) < 2 {
				t.Errorf("hands: %s", h.Raw)
			}
			b := p.call(t, "GET", "/balance", k, "")
			if b.Body["locked_in_play"] != 0.0 {
				t.Errorf("in play after leaving: %s", b.Raw)
			}
			total += b.Body["total"].(float64)
		}
		acc := p.call(t, "GET", "/accounting", s.platformKey(), "")
		if d := total + acc.Body["total_rake_ucents"].(float64)/1e4 - 20; d > 1e-9 || d < -1e-9 || acc.Body["invariant_holds"] != true {
			t.Errorf("players %v, accounting %s", total, acc.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// pokerTools are the poker tools (tools endpoint and MCP).
var pokerTools = []string{"poker_join", "poker_table", "poker_act", "poker_leave", "poker_hand_history", "poker_hand_phh"}

// pokerToolClient calls the poker tools (their names have no xpersona_ prefix, like the
// persona tools).
type pokerToolClient struct {
	s   *server
	key string
}

func (c pokerToolClient) call(t *testing.T, tool, params string) resp {
	t.Helper()
	return c.s.do("POST", "/api/openclaw/tools", c.key, []byte(fmt.Sprintf(`{"tool":%q,"parameters":%s}`, tool, params)))
}

func (c pokerToolClient) ok(t *testing.T, tool, params string, keys ...string) map[string]any {
	t.Helper()
	r := c.call(t, tool, params)
	res, _ := r.Body["result"].(map[string]any)
	if r.Status != 200 || r.Body["success"] != true || res == nil {
		t.Fatalf("%s: %d %.600s", tool, r.Status, r.Raw)
	}
	for _, k := range keys {
		if _, ok := res[k]; !ok {
			t.Fatalf("%s: result lacks %q: %.600s", tool, k, r.Raw)
		}
	}
	return res
}

func (c pokerToolClient) fails(t *testing.T, tool, params string, status int, field string) {
	t.Helper()
	r := c.call(t, tool, params)
	if r.Status != status || r.Body["success"] != false || (field != "" && r.Body["field"] != field) {
		t.Fatalf("%s %s: want %d naming %q, got %d %.400s", tool, params, status, field, r.Status, r.Raw)
	}
}

// TestPokerTools: two agents play a hand through the tools endpoint (poker_join, poker_table,
// poker_act), read it in poker_hand_history and leave; bad parameters answer 4xx naming them,
// and the invariant holds.
func TestPokerTools(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newPokerServer(t, e)
		p := newPokerAPI(t, s)
		_, a := p.register(t, "toola", "")
		_, b := p.register(t, "toolb", "")
		ta, tb := pokerToolClient{s: s, key: a}, pokerToolClient{s: s, key: b}
		ta.fails(t, "poker_table", `{}`, 404, "")
		ta.fails(t, "poker_join", `{"buy_in":"x"}`, 400, "parameters.buy_in")
		ta.fails(t, "poker_join", `{"buy_in":0.2}`, 400, "parameters.buy_in")
		ta.fails(t, "poker_hand_history", `{"limit":0}`, 400, "parameters.limit")
		ta.ok(t, "poker_join", `{"buy_in":2}`, "position")
		tb.ok(t, "poker_join", `{}`, "position")
		ta.fails(t, "poker_act", `{}`, 400, "parameters.action")
		deadline := time.Now().Add(30 * time.Second)
		for done := false; !done && time.Now().Before(deadline); {
			for _, c := range []pokerToolClient{ta, tb} {
				st := c.ok(t, "poker_table", `{}`, "hero", "street")
				if st["hand_number"].(float64) >= 1 {
					done = true
					break
				}
				hero := st["hero"].(map[string]any)
				va, _ := hero["valid_actions"].([]any)
				if len(va) == 0 {
					continue
				}
				act := "call"
				for _, v := range va {
					if v.(map[string]any)["action"] == "check" {
						act = "check"
					}
				}
				if r := c.call(t, "poker_act", fmt.Sprintf(`{"action":%q,"turn_token":%q}`, act, hero["turn_token"])); r.Status != 200 && r.Status != 409 {
					t.Fatalf("poker_act: %d %s", r.Status, r.Raw)
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
		h := ta.ok(t, "poker_hand_history", `{"limit":10}`, "hands", "limit", "offset")
		if len(h["hands"].([]any)) < 1 {
			t.Fatalf("no hand in the history: %v", h)
		}
		// The same hand in PHH, with the caller's own hole cards.
		hid := h["hands"].([]any)[0].(map[string]any)["hand_id"].(string)
		ph := ta.ok(t, "poker_hand_phh", fmt.Sprintf(`{"hand_id":%q}`, hid), "hand_id", "phh")
		if doc, err := phh.Parse(strings.NewReader(ph["phh"].(string))); err != nil || doc.Get(table.PHHHandID) != hid ||
			!strings.Contains(ph["phh"].(string), "d dh p") {
			t.Fatalf("poker_hand_phh: %v %v", err, ph)
		}
		ta.fails(t, "poker_hand_phh", `{}`, 400, "parameters.hand_id")
		ta.fails(t, "poker_hand_phh", `{"hand_id":"nope"}`, 404, "")
		for _, c := range []pokerToolClient{ta, tb} {
			c.ok(t, "poker_leave", `{}`, "pending")
		}
		deadline = time.Now().Add(10 * time.Second)
		for len(s.app.PokerService.Tables()) > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		ledgertest.Check(t, s.app.DB)
	})
}
