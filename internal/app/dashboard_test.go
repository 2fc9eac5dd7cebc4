package app_test

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/mail/smtptest"
	"github.com/arcadehq/arcade/internal/siwe"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// signIn signs key's wallet in with SIWE and returns the siwe-session cookie's value.
func signIn(t *testing.T, s *server, key *ecdsa.PrivateKey) string {
	t.Helper()
	n := s.do("GET", "/api/auth/siwe/nonce", "", nil)
	m := &siwe.Message{Domain: strings.TrimPrefix(s.URL, "http://"), Address: crypto.PubkeyToAddress(key.PublicKey).Hex(),
		URI: s.URL, Version: "1", ChainID: 31337, Nonce: string(n.Raw), IssuedAt: time.Now().UTC().Format(time.RFC3339)}
	body, _ := json.Marshal(map[string]string{"message": m.String(), "signature": siweSign(t, key, m.String())})
	r := s.do("POST", "/api/auth/siwe/verify", "", body)
	c := cookieOf(r, "siwe-session")
	if r.Status != 200 || c == nil {
		t.Fatalf("sign-in: %d %s", r.Status, r.Raw)
	}
	return c.Value
}

// dash calls a dashboard route with a session cookie ("" for none).
func (s *server) dash(method, path, session string, body string) resp {
	s.t.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	if session == "" {
		return s.do(method, path, "", b)
	}
	return s.do(method, path, "", b, "Cookie", "siwe-session="+session)
}

// TestDashboard: spec 001's dashboard routes behind the siwe-session cookie, on both engines:
// the bet history with every filter and pagination, the withdrawals, a fee-free withdrawal, the
// summary, and notification preferences with a verification email over SMTP.
func TestDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		smtp := smtptest.Start(t)
		s := newServer(t, e, func(c *app.Config) { c.SMTPURL = smtp.URL() })
		p := newPayer(t, s)

		// 401 everywhere without a session, or with a made-up one.
		routes := []struct{ method, path, body string }{
			{"GET", "/api/v1/dashboard/bets", ""}, {"GET", "/api/v1/dashboard/withdrawals", ""},
			{"POST", "/api/v1/dashboard/withdraw", `{"amount_micro":1}`}, {"GET", "/api/v1/dashboard/summary", ""},
			{"GET", "/api/v1/dashboard/notifications", ""}, {"POST", "/api/v1/dashboard/notifications", `{"email":"a@example.com"}`},
		}
		for _, rt := range routes {
			for _, ses := range []string{"", strings.Repeat("ab", 32)} {
				if r := s.dash(rt.method, rt.path, ses, rt.body); r.Status != 401 || r.Body["error"] != "unauthorized" {
					t.Fatalf("%s %s with session %q: %d %s", rt.method, rt.path, ses, r.Status, r.Raw)
				}
			}
		}

		// Bets paid with x402 by the same wallet that signs in.
		plays := []struct{ game, stake, params string }{
			{"coinflip", "micro", `"choice":"heads"`}, {"coinflip", "standard", `"choice":"tails"`},
			{"dice", "micro", `"threshold":50,"direction":"over"`}, {"dice", "micro", `"threshold":90,"direction":"under"`},
			{"roulette", "micro", `"bet":"red"`}, {"slots", "micro", ``}, {"slots", "standard", ``},
		}
		var stakes, payouts int64
		var wins int
		type betRow struct {
			id, game string
			win      bool
			created  time.Time
		}
		var rows []betRow
		for i, pl := range plays {
			body := fmt.Sprintf(`{"client_seed":"dash","nonce":%d`, i+1)
			if pl.params != "" {
				body += "," + pl.params
			}
			r := p.pay(t, "POST", "/api/v1/games/"+pl.game+"?stake="+pl.stake, body+"}")
			if r.Status != 200 {
				t.Fatalf("play: %d %s", r.Status, r.Raw)
			}
			stakes += num(r.Body["stake_micro"])
			payouts += num(r.Body["payout_micro"])
			created, _ := time.Parse(time.RFC3339Nano, r.Body["created_at"].(string))
			rows = append(rows, betRow{r.Body["bet_id"].(string), pl.game, num(r.Body["payout_micro"]) > 0, created})
			if num(r.Body["payout_micro"]) > 0 {
				wins++
			}
		}
		ses := signIn(t, s, p.Key)

		list := func(query string) (ids []string, pg map[string]any) {
			t.Helper()
			r := s.dash("GET", "/api/v1/dashboard/bets"+query, ses, "")
			if r.Status != 200 {
				t.Fatalf("bets%s: %d %s", query, r.Status, r.Raw)
			}
			for _, b := range r.Body["bets"].([]any) {
				ids = append(ids, b.(map[string]any)["bet_id"].(string))
			}
			return ids, r.Body["pagination"].(map[string]any)
		}
		all, pg := list("")
		if len(all) != len(rows) || num(pg["total"]) != int64(len(rows)) || num(pg["page"]) != 1 || num(pg["pageSize"]) != 20 || num(pg["totalPages"]) != 1 {
			t.Fatalf("all bets: %v %v", all, pg)
		}
		for i := range rows { // newest first
			if all[i] != rows[len(rows)-1-i].id {
				t.Fatalf("order: %v", all)
			}
		}
		if ids, _ := list("?game=dice"); len(ids) != 2 || ids[0] != rows[3].id || ids[1] != rows[2].id {
			t.Fatalf("game=dice: %v", ids)
		}
		if ids, _ := list("?status=settled&game=slots"); len(ids) != 2 {
			t.Fatalf("status=settled: %v", ids)
		}
		if ids, _ := list("?status=voided"); len(ids) != 0 {
			t.Fatalf("status=voided: %v", ids)
		}
		winIDs, _ := list("?result=win")
		lossIDs, _ := list("?result=loss")
		if len(winIDs) != wins || len(lossIDs) != len(rows)-wins {
			t.Fatalf("result: %d wins %d losses, want %d of %d", len(winIDs), len(lossIDs), wins, len(rows))
		}
		for _, id := range winIDs {
			for _, r := range rows {
				if r.id == id && !r.win {
					t.Fatalf("result=win lists a loss %s", id)
				}
			}
		}
		from := url.QueryEscape(rows[2].created.Format(time.RFC3339Nano))
		to := url.QueryEscape(rows[4].created.Format(time.RFC3339Nano))
		if ids, _ := list("?from=" + from + "&to=" + to); len(ids) != 3 || ids[0] != rows[4].id || ids[2] != rows[2].id {
			t.Fatalf("from/to: %v", ids)
		}
		if ids, pg := list("?pageSize=3&page=2"); len(ids) != 3 || ids[0] != all[3] || num(pg["totalPages"]) != 3 || num(pg["total"]) != 7 {
			t.Fatalf("page 2: %v %v", ids, pg)
		}
		if ids, _ := list("?pageSize=3&page=3"); len(ids) != 1 || ids[0] != all[6] {
			t.Fatalf("page 3: %v", ids)
		}
		if ids, _ := list("?page=9"); len(ids) != 0 {
			t.Fatalf("past the end: %v", ids)
		}
		for q, field := range map[string]string{"?game=poker": "game", "?status=lost": "status", "?result=draw": "result",
			"?from=yesterday": "from", "?to=2026-13-01T00:00:00Z": "to", "?page=0": "page", "?page=x": "page", "?pageSize=101": "pageSize",
			"?pageSize=0": "pageSize", "?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z": "to"} {
			if r := s.dash("GET", "/api/v1/dashboard/bets"+q, ses, ""); r.Status != 400 || r.Body["field"] != field {
				t.Errorf("bets%s: %d %s, want 400 naming %s", q, r.Status, r.Raw, field)
			}
		}
		// Another wallet sees none of them.
		other, _ := crypto.GenerateKey()
		otherSes := signIn(t, s, other)
		if r := s.dash("GET", "/api/v1/dashboard/bets", otherSes, ""); r.Status != 200 || len(r.Body["bets"].([]any)) != 0 {
			t.Fatalf("other wallet's bets: %s", r.Raw)
		}

		// Summary.
		sum := s.dash("GET", "/api/v1/dashboard/summary", ses, "")
		if sum.Status != 200 || num(sum.Body["balance_micro"]) != payouts || num(sum.Body["bets"]) != int64(len(rows)) ||
			num(sum.Body["wins"]) != int64(wins) || num(sum.Body["pnl_micro"]) != payouts-stakes || num(sum.Body["wagered_micro"]) != stakes ||
			sum.Body["win_rate"].(float64) != float64(wins)/float64(len(rows)) || !strings.EqualFold(sum.Body["wallet"].(string), p.Address()) {
			t.Fatalf("summary: %s (payouts %d stakes %d wins %d)", sum.Raw, payouts, stakes, wins)
		}

		// Withdraw without the x402 fee, to the wallet only; errors name the field.
		if r := s.dash("GET", "/api/v1/dashboard/withdrawals", ses, ""); r.Status != 200 || len(r.Body["withdrawals"].([]any)) != 0 {
			t.Fatalf("no withdrawals yet: %s", r.Raw)
		}
		transfers := countTransfers(t, s)
		for body, field := range map[string]string{`{}`: "amount_micro", `{"amount_micro":0}`: "amount_micro", `{"amount_micro":"5"}`: "amount_micro"} {
			if r := s.dash("POST", "/api/v1/dashboard/withdraw", ses, body); r.Status != 400 || r.Body["field"] != field {
				t.Errorf("withdraw %s: %d %s", body, r.Status, r.Raw)
			}
		}
		if r := s.dash("POST", "/api/v1/dashboard/withdraw", ses, fmt.Sprintf(`{"amount_micro":%d}`, payouts+1)); r.Status != 400 || r.Body["error"] != "insufficient_balance" {
			t.Fatalf("withdraw over the balance: %d %s", r.Status, r.Raw)
		}
		if n := countTransfers(t, s); n != transfers {
			t.Fatalf("a refused withdrawal moved money")
		}
		var withdrawn int64
		if payouts > 0 {
			withdrawn = payouts/2 + 1
			w := s.dash("POST", "/api/v1/dashboard/withdraw", ses, fmt.Sprintf(`{"amount_micro":%d}`, withdrawn))
			if w.Status != 200 || num(w.Body["fee_micro"]) != 0 || !strings.EqualFold(w.Body["to"].(string), p.Address()) ||
				num(w.Body["amount_micro"]) != withdrawn || w.Body["tx_hash"] == "" {
				t.Fatalf("withdraw: %d %s", w.Status, w.Raw)
			}
			if n := countTransfers(t, s); n != transfers+1 {
				t.Fatalf("a fee-free withdrawal is one transfer; got %d", n-transfers)
			}
			wl := s.dash("GET", "/api/v1/dashboard/withdrawals?pageSize=1", ses, "")
			ws := wl.Body["withdrawals"].([]any)
			if wl.Status != 200 || len(ws) != 1 || ws[0].(map[string]any)["withdrawal_id"] != w.Body["withdrawal_id"] ||
				num(wl.Body["pagination"].(map[string]any)["total"]) != 1 {
				t.Fatalf("withdrawals: %s", wl.Raw)
			}
		}
		if r := s.dash("GET", "/api/v1/dashboard/withdrawals?page=0", ses, ""); r.Status != 400 || r.Body["field"] != "page" {
			t.Fatalf("withdrawals page=0: %d %s", r.Status, r.Raw)
		}
		sum = s.dash("GET", "/api/v1/dashboard/summary", ses, "")
		if num(sum.Body["balance_micro"]) != payouts-withdrawn || num(sum.Body["withdrawn_micro"]) != withdrawn {
			t.Fatalf("summary after withdrawing %d: %s", withdrawn, sum.Raw)
		}
		if b := p.pay(t, "GET", "/api/v1/balance", ""); num(b.Body["usdc_micro"]) != payouts-withdrawn {
			t.Fatalf("x402 balance after a dashboard withdrawal: %s", b.Raw)
		}

		// Notifications: preferences, a verification email over SMTP, the code confirms it.
		n := s.dash("GET", "/api/v1/dashboard/notifications", ses, "")
		if n.Status != 200 || n.Body["email"] != "" || n.Body["verified"] != false || n.Body["events"].(map[string]any)["bet_settled"] != false {
			t.Fatalf("notifications before: %s", n.Raw)
		}
		for body, field := range map[string]string{`{}`: "email", `{"email":"not an address"}`: "email",
			`{"email":"Bob <bob@example.com>"}`: "email", `{"email":"a@example.com","events":{"everything":true}}`: "events",
			`{"email":"a@example.com","events":{"bet_settled":"yes"}}`: "", `{"email":"a@example.com","code":"12345678"}`: "code"} {
			r := s.dash("POST", "/api/v1/dashboard/notifications", ses, body)
			if r.Status != 400 || (field != "" && r.Body["field"] != field) {
				t.Errorf("notifications %s: %d %s, want 400 naming %q", body, r.Status, r.Raw, field)
			}
		}
		if len(smtp.Messages()) != 0 {
			t.Fatalf("refused requests sent mail: %v", smtp.Messages())
		}
		up := s.dash("POST", "/api/v1/dashboard/notifications", ses, `{"email":"Agent@Example.com","events":{"bet_settled":true,"big_win":true}}`)
		if up.Status != 200 || up.Body["email"] != "agent@example.com" || up.Body["verified"] != false || up.Body["verification_sent"] != true ||
			up.Body["events"].(map[string]any)["bet_settled"] != true || up.Body["events"].(map[string]any)["weekly_summary"] != false {
			t.Fatalf("upsert: %d %s", up.Status, up.Raw)
		}
		msgs := smtp.Messages()
		if len(msgs) != 1 || msgs[0].To[0] != "agent@example.com" {
			t.Fatalf("verification email: %+v", msgs)
		}
		code := regexp.MustCompile(`Verification code: (\d{8})`).FindStringSubmatch(msgs[0].Data)
		if code == nil || !strings.Contains(msgs[0].Data, p.Address()) {
			t.Fatalf("no code in %q", msgs[0].Data)
		}
		if r := s.dash("POST", "/api/v1/dashboard/notifications", ses, `{"email":"agent@example.com","code":"00000000"}`); r.Status != 400 || r.Body["field"] != "code" {
			t.Fatalf("wrong code: %d %s", r.Status, r.Raw)
		}
		ok := s.dash("POST", "/api/v1/dashboard/notifications", ses, `{"email":"agent@example.com","code":"`+code[1]+`","events":{"big_win":false}}`)
		if ok.Status != 200 || ok.Body["verified"] != true || ok.Body["verification_sent"] != false || ok.Body["events"].(map[string]any)["big_win"] != false ||
			ok.Body["events"].(map[string]any)["bet_settled"] != true {
			t.Fatalf("confirm: %d %s", ok.Status, ok.Raw)
		}
		if g := s.dash("GET", "/api/v1/dashboard/notifications", ses, ""); g.Body["verified"] != true || g.Body["email"] != "agent@example.com" {
			t.Fatalf("after confirming: %s", g.Raw)
		}
		if r := s.dash("POST", "/api/v1/dashboard/notifications", ses, `{"email":"agent@example.com","events":{"weekly_summary":true}}`); r.Status != 200 ||
			r.Body["verified"] != true || len(smtp.Messages()) != 1 {
			t.Fatalf("a confirmed address is not mailed again: %s, %d mails", r.Raw, len(smtp.Messages()))
		}
		// A new address starts unconfirmed; a mail server that refuses is 503, the preferences kept.
		smtp.Refuse.Store(true)
		if r := s.dash("POST", "/api/v1/dashboard/notifications", ses, `{"email":"new@example.com"}`); r.Status != 503 {
			t.Fatalf("SMTP refusing: %d %s", r.Status, r.Raw)
		}
		if g := s.dash("GET", "/api/v1/dashboard/notifications", ses, ""); g.Body["verified"] != false || g.Body["email"] != "new@example.com" {
			t.Fatalf("after a failed send: %s", g.Raw)
		}
		// Another wallet's preferences are its own.
		if g := s.dash("GET", "/api/v1/dashboard/notifications", otherSes, ""); g.Body["email"] != "" {
			t.Fatalf("other wallet's notifications: %s", g.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}
