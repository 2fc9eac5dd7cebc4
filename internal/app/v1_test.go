package app_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/fairness/verify"
	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/siwe"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
	"github.com/arcadehq/arcade/internal/x402"
	"github.com/arcadehq/arcade/internal/x402/x402pay"
)

// payer is an agent with a wallet, paying with the independent x402 client.
type payer struct {
	*x402pay.Client
	s *server
}

func newPayer(t *testing.T, s *server) *payer {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return &payer{Client: &x402pay.Client{Key: k, MaxAmount: 10_000_000, HTTP: s.Client()}, s: s}
}

// toResp reads an answer into the tests' resp.
func toResp(t *testing.T, h *http.Response) resp {
	t.Helper()
	defer h.Body.Close()
	raw, err := io.ReadAll(h.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := resp{Status: h.StatusCode, Header: h.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.Body)
	return r
}

// pay sends a request through the paying client: 402, pay, resend.
func (p *payer) pay(t *testing.T, method, path, body string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, p.s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	h, err := p.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return toResp(t, h)
}

// paid sends a request with a ready payment header (name: PAYMENT-SIGNATURE or X-PAYMENT).
func (s *server) paid(t *testing.T, method, path, body, name, header string) resp {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(name, header)
	h, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return toResp(t, h)
}

// offer reads the 402 of an unpaid request.
func (s *server) offer(t *testing.T, method, path, body string) *x402pay.PaymentRequired {
	t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	h, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Body.Close()
	if h.StatusCode != http.StatusPaymentRequired {
		raw, _ := io.ReadAll(h.Body)
		t.Fatalf("%s %s unpaid: %d %s", method, path, h.StatusCode, raw)
	}
	pr, err := x402pay.ReadPaymentRequired(h)
	if err != nil {
		t.Fatal(err)
	}
	return pr
}

func settlementOf(t *testing.T, r resp) *x402pay.SettleResponse {
	t.Helper()
	h := r.Header.Get("PAYMENT-RESPONSE")
	if h == "" || r.Header.Get("X-PAYMENT-RESPONSE") != h {
		t.Fatalf("no PAYMENT-RESPONSE / X-PAYMENT-RESPONSE pair: %v", r.Header)
	}
	raw, err := base64.StdEncoding.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	var s x402pay.SettleResponse
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// TestV1PaymentRequired: every paid route answers 402 with the offers from the price table, in
// the header and the body alike; a bad request is 400 before any payment.
func TestV1PaymentRequired(t *testing.T) {
	s := newServer(t, store.SQLite)
	for _, c := range []struct {
		method, path, body string
		amount             string
	}{
		{"POST", "/api/v1/games/coinflip?stake=micro", `{"client_seed":"a","nonce":1,"choice":"heads"}`, "100000"},
		{"POST", "/api/v1/games/dice?stake=standard", `{"client_seed":"a","nonce":1,"threshold":50,"direction":"over"}`, "1000000"},
		{"POST", "/api/v1/games/roulette?stake=whale", `{"client_seed":"a","nonce":1,"bet":"red"}`, "10000000"},
		{"POST", "/api/v1/games/slots?stake=micro", `{"client_seed":"a","nonce":1}`, "100000"},
		{"GET", "/api/v1", "", "10000"},
		{"GET", "/api/v1/balance", "", "10000"},
		{"GET", "/api/v1/bets/0190a4d2-0000-7000-8000-000000000000", "", "10000"},
		{"POST", "/api/v1/withdraw", `{"amount_micro":5}`, "50000"},
	} {
		r := s.do(c.method, c.path, "", []byte(c.body))
		if r.Status != 402 {
			t.Fatalf("%s %s: %d %s", c.method, c.path, r.Status, r.Raw)
		}
		hdr, err := base64.StdEncoding.DecodeString(r.Header.Get("PAYMENT-REQUIRED"))
		if err != nil {
			t.Fatal(err)
		}
		var fromHeader, fromBody map[string]any
		_ = json.Unmarshal(hdr, &fromHeader)
		_ = json.Unmarshal(r.Raw, &fromBody)
		if fmt.Sprint(fromHeader) != fmt.Sprint(fromBody) {
			t.Fatalf("%s: header %s, body %s", c.path, hdr, r.Raw)
		}
		acc := fromBody["accepts"].([]any)[0].(map[string]any)
		extra, _ := acc["extra"].(map[string]any)
		res, _ := fromBody["resource"].(map[string]any)
		if num(fromBody["x402Version"]) != 2 || acc["scheme"] != "exact" || acc["network"] != "eip155:31337" || acc["amount"] != c.amount ||
			!strings.EqualFold(acc["asset"].(string), x402.Sandbox.Asset.Hex()) || acc["payTo"] == "" || num(acc["maxTimeoutSeconds"]) <= 0 ||
			extra["name"] != x402.Sandbox.TokenName || extra["version"] != x402.Sandbox.TokenVersion || extra["sandbox"] != true ||
			res == nil || !strings.HasSuffix(res["url"].(string), c.path) {
			t.Fatalf("%s: 402 body %s", c.path, r.Raw)
		}
		if ext, _ := fromBody["extensions"].(map[string]any); ext["bazaar"] == nil {
			t.Fatalf("%s: no bazaar extension: %s", c.path, r.Raw)
		}
	}
	for _, c := range []struct{ path, body, field string }{
		{"/api/v1/games/coinflip", `{"client_seed":"a","nonce":1,"choice":"heads"}`, "stake"},
		{"/api/v1/games/coinflip?stake=huge", `{"client_seed":"a","nonce":1,"choice":"heads"}`, "stake"},
		{"/api/v1/games/coinflip?stake=micro", `{"client_seed":"a","nonce":1,"choice":"edge"}`, "choice"},
		{"/api/v1/games/coinflip?stake=micro", `{"nonce":1,"choice":"heads"}`, "client_seed"},
		{"/api/v1/games/coinflip?stake=micro", `{"client_seed":"a","nonce":-1,"choice":"heads"}`, "nonce"},
		{"/api/v1/games/coinflip?stake=micro", `{"client_seed":"a","nonce":"1","choice":"heads"}`, "nonce"},
		{"/api/v1/games/dice?stake=micro", `{"client_seed":"a","nonce":1,"threshold":1,"direction":"over"}`, "threshold"},
		{"/api/v1/games/roulette?stake=micro", `{"client_seed":"a","nonce":1,"bet":"purple"}`, "bet"},
		{"/api/v1/withdraw", `{"amount_micro":0}`, "amount_micro"},
	} {
		if r := s.do("POST", c.path, "", []byte(c.body)); r.Status != 400 || r.Body["field"] != c.field {
			t.Errorf("%s %s: %d %s, want 400 naming %s", c.path, c.body, r.Status, r.Raw, c.field)
		}
	}
	if r := s.do("GET", "/api/v1/nothing", "", nil); r.Status != 404 || r.Body["error"] != "not_found" {
		t.Errorf("miss: %d %s", r.Status, r.Raw)
	}
	// /.well-known/x402 lists the same offers, each game once per stake.
	wk := s.do("GET", "/.well-known/x402", "", nil)
	items, _ := wk.Body["items"].([]any)
	if wk.Status != 200 || len(items) != 4*3+4 || len(wk.Body["resources"].([]any)) != len(items) {
		t.Fatalf("/.well-known/x402: %d %s", wk.Status, wk.Raw)
	}
	for _, it := range items {
		m := it.(map[string]any)
		if strings.HasSuffix(m["resource"].(string), "/api/v1/games/roulette?stake=whale") {
			if acc := m["accepts"].([]any)[0].(map[string]any); acc["amount"] != "10000000" || m["method"] != "POST" {
				t.Fatalf("well-known roulette whale: %v", m)
			}
		}
	}
	// /openapi.json: each paid route's price from the same table, and the x402 body on 402.
	var doc map[string]any
	_ = json.Unmarshal(s.do("GET", "/openapi.json", "", nil).Raw, &doc)
	paths := doc["paths"].(map[string]any)
	for path, want := range map[string]string{
		"/api/v1/games/dice": `{"max":"10.00","min":"0.10","mode":"dynamic"}`, "/api/v1": `{"amount":"0.01","mode":"fixed"}`,
		"/api/v1/balance": `{"amount":"0.01","mode":"fixed"}`, "/api/v1/bets/{id}": `{"amount":"0.01","mode":"fixed"}`,
		"/api/v1/withdraw": `{"amount":"0.05","mode":"fixed"}`,
	} {
		item, _ := paths[path].(map[string]any)
		var op map[string]any
		for _, o := range item {
			op = o.(map[string]any)
		}
		info, _ := op["x-payment-info"].(map[string]any)
		price, _ := info["price"].(map[string]any)
		delete(price, "currency")
		got, _ := json.Marshal(price)
		r402, _ := op["responses"].(map[string]any)["402"].(map[string]any)
		if string(got) != want || !strings.Contains(fmt.Sprint(r402), "x402Version") {
			t.Errorf("%s: x-payment-info %s (want %s), 402 %v", path, got, want, r402)
		}
	}
	for _, path := range []string{"/api/v1/games", "/api/v1/games/coinflip", "/api/v1/games/roulette", "/api/v1/games/slots",
		"/api/v1/seed/commit", "/api/v1/seed/reveal", "/.well-known/x402"} {
		if paths[path] == nil {
			t.Errorf("/openapi.json lacks %s", path)
		}
	}
}

// TestV1PlayEveryGame plays every game through 402 → pay → settle → rotate → reveal on both
// engines and recomputes each outcome with arcade verify.
func TestV1PlayEveryGame(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		p := newPayer(t, s)
		games := s.do("GET", "/api/v1/games", "", nil)
		if games.Status != 200 || games.Body["games"] == nil || len(games.Body["prices"].([]any)) != 7 {
			t.Fatalf("games: %d %s", games.Status, games.Raw)
		}
		commit := s.do("GET", "/api/v1/seed/commit", "", nil)
		hash, _ := commit.Body["seed_hash"].(string)
		seedID, _ := commit.Body["seed_id"].(string)
		if commit.Status != 200 || len(hash) != 64 || seedID == "" {
			t.Fatalf("commit: %d %s", commit.Status, commit.Raw)
		}
		if r := s.do("GET", "/api/v1/seed/reveal?seed_id="+seedID, "", nil); r.Status != 423 {
			t.Fatalf("reveal of the active seed: %d %s", r.Status, r.Raw)
		}
		plays := []struct {
			game, stake, body string
			verify            []string
		}{
			{"coinflip", "micro", `"choice":"heads"`, []string{"--choice", "heads"}},
			{"coinflip", "standard", `"choice":"tails"`, []string{"--choice", "tails"}},
			{"dice", "micro", `"threshold":50,"direction":"over"`, []string{"--threshold", "50", "--direction", "over"}},
			{"dice", "whale", `"threshold":10,"direction":"under"`, []string{"--threshold", "10", "--direction", "under"}},
			{"roulette", "micro", `"bet":"red"`, []string{"--bet", "red"}},
			{"roulette", "micro", `"bet":17`, []string{"--bet", "17"}},
			{"roulette", "micro", `"bet":{"type":"dozen","value":2}`, []string{"--bet", "dozen:2"}},
			{"roulette", "micro", `"bet":{"type":"column","value":3}`, []string{"--bet", "column:3"}},
			{"slots", "micro", ``, nil},
			{"slots", "standard", ``, nil},
		}
		var balance int64
		var ids []string
		for i, pl := range plays {
			body := fmt.Sprintf(`{"client_seed":"agent-seed","nonce":%d`, i+1)
			if pl.body != "" {
				body += "," + pl.body
			}
			body += "}"
			r := p.pay(t, "POST", "/api/v1/games/"+pl.game+"?stake="+pl.stake, body)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", body, r.Status, r.Raw)
			}
			st := settlementOf(t, r)
			v := r.Body["verification"].(map[string]any)
			if !st.Success || st.Network != "eip155:31337" || !strings.EqualFold(st.Payer, p.Address()) || st.Transaction == "" ||
				r.Body["status"] != "settled" || r.Body["sandbox"] != true || r.Body["stake_tier"] != pl.stake || r.Body["game"] != pl.game ||
				v["server_seed_hash"] != hash || v["server_seed_id"] != seedID || v["client_seed"] != "agent-seed" || num(v["nonce"]) != int64(i+1) {
				t.Fatalf("bet %s: %s settlement %+v", body, r.Raw, st)
			}
			balance += num(r.Body["payout_micro"])
			ids = append(ids, r.Body["bet_id"].(string))
			plays[i].verify = append([]string{"--game", pl.game, "--client-seed", "agent-seed", "--nonce", fmt.Sprint(i + 1),
				"--stake-micro", fmt.Sprint(num(r.Body["stake_micro"])), "--commitment", hash}, pl.verify...)
			plays[i].body = string(r.Raw) // the answer, compared with arcade verify after the reveal
		}
		// A nonce not greater than the last one is 409, and nothing is charged.
		transfers := countTransfers(t, s)
		if r := p.pay(t, "POST", "/api/v1/games/coinflip?stake=micro", `{"client_seed":"agent-seed","nonce":3,"choice":"heads"}`); r.Status != 409 ||
			r.Body["field"] != "nonce" || r.Header.Get("PAYMENT-RESPONSE") != "" {
			t.Fatalf("replayed nonce: %d %s", r.Status, r.Raw)
		}
		if n := countTransfers(t, s); n != transfers {
			t.Fatalf("a refused bet moved money: %d transfers, want %d", n, transfers)
		}
		// Another client seed has its own nonces.
		if r := p.pay(t, "POST", "/api/v1/games/slots?stake=micro", `{"client_seed":"other","nonce":0}`); r.Status != 200 {
			t.Fatalf("other client seed: %d %s", r.Status, r.Raw)
		} else {
			balance += num(r.Body["payout_micro"])
		}

		// Bet status: paid; the payer's own bet only.
		got := p.pay(t, "GET", "/api/v1/bets/"+ids[0], "")
		if got.Status != 200 || got.Body["bet_id"] != ids[0] || got.Body["status"] != "settled" || !settlementOf(t, got).Success {
			t.Fatalf("bet status: %d %s", got.Status, got.Raw)
		}
		other := newPayer(t, s)
		transfers = countTransfers(t, s)
		if r := other.pay(t, "GET", "/api/v1/bets/"+ids[0], ""); r.Status != 403 {
			t.Fatalf("another payer's bet: %d %s", r.Status, r.Raw)
		}
		if r := other.pay(t, "GET", "/api/v1/bets/0190a4d2-0000-7000-8000-000000000000", ""); r.Status != 404 {
			t.Fatalf("no such bet: %d %s", r.Status, r.Raw)
		}
		if n := countTransfers(t, s); n != transfers {
			t.Fatalf("403/404 charged: %d transfers, want %d", n, transfers)
		}

		// Balance: the payouts, nothing else (each payment arrives and goes straight to the house).
		b := p.pay(t, "GET", "/api/v1/balance", "")
		if b.Status != 200 || num(b.Body["usdc_micro"]) != balance || !strings.EqualFold(b.Body["wallet"].(string), p.Address()) {
			t.Fatalf("balance: %d %s, want %d", b.Status, b.Raw, balance)
		}
		if m := p.pay(t, "GET", "/api/v1", ""); m.Status != 200 || m.Body["chain"] != "eip155:31337" || len(m.Body["games"].([]any)) != 4 {
			t.Fatalf("manifest: %d %s", m.Status, m.Raw)
		}

		// Rotate (operator), then the seed is revealed and every bet recomputes.
		admin := s.platformKey()
		if r := s.do("POST", "/api/v1/seed/rotate", "", nil); r.Status != 401 {
			t.Fatalf("rotate without the platform key: %d %s", r.Status, r.Raw)
		}
		rot := s.do("POST", "/api/v1/seed/rotate", admin, nil)
		if rot.Status != 200 {
			t.Fatalf("rotate: %d %s", rot.Status, rot.Raw)
		}
		if now := s.do("GET", "/api/v1/seed/commit", "", nil); now.Body["seed_id"] == seedID || now.Body["seed_hash"] == hash {
			t.Fatalf("after rotation the commitment is unchanged: %s", now.Raw)
		}
		rv := s.do("GET", "/api/v1/seed/reveal?seed_id="+seedID, "", nil)
		seed, _ := rv.Body["seed"].(string)
		if rv.Status != 200 || rv.Body["seed_hash"] != hash || len(seed) != 64 {
			t.Fatalf("reveal: %d %s", rv.Status, rv.Raw)
		}
		for _, pl := range plays {
			var out, errb bytes.Buffer
			args := append([]string{"--server-seed", seed}, pl.verify...)
			if code := verify.Main(context.Background(), args, &out, &errb); code != 0 {
				t.Fatalf("arcade verify %v: %d %s", args, code, errb.String())
			}
			var res, bet map[string]any
			_ = json.Unmarshal(out.Bytes(), &res)
			_ = json.Unmarshal([]byte(pl.body), &bet)
			o := bet["outcome"].(map[string]any)
			if res["commitment_ok"] != true || res["win"] != bet["win"] || num(res["payout_micro"]) != num(bet["payout_micro"]) ||
				fmt.Sprint(res["side"], res["roll"], res["pocket"], res["reels"]) != fmt.Sprint(o["side"], o["roll"], o["pocket"], o["reels"]) {
				t.Fatalf("verify disagrees:\n%s\n%s", out.String(), pl.body)
			}
		}

		// Withdraw everything to the payer address; more than the balance is refused, uncharged.
		if balance > 0 {
			w := p.pay(t, "POST", "/api/v1/withdraw", fmt.Sprintf(`{"amount_micro":%d}`, balance))
			if w.Status != 200 || !strings.EqualFold(w.Body["to"].(string), p.Address()) || num(w.Body["amount_micro"]) != balance ||
				w.Body["tx_hash"] == "" || !settlementOf(t, w).Success {
				t.Fatalf("withdraw: %d %s", w.Status, w.Raw)
			}
		}
		transfers = countTransfers(t, s)
		if w := p.pay(t, "POST", "/api/v1/withdraw", `{"amount_micro":1}`); w.Status != 400 || w.Body["error"] != "insufficient_balance" {
			t.Fatalf("withdraw over the balance: %d %s", w.Status, w.Raw)
		}
		if n := countTransfers(t, s); n != transfers {
			t.Fatalf("a refused withdrawal charged: %d transfers, want %d", n, transfers)
		}
		if b := p.pay(t, "GET", "/api/v1/balance", ""); num(b.Body["usdc_micro"]) != 0 {
			t.Fatalf("balance after withdrawing: %s", b.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestV1RefusedPayments: each bad payment is refused with its x402 reason and moves no money.
func TestV1RefusedPayments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		p := newPayer(t, s)
		mallory := newPayer(t, s)
		const path = "/api/v1/games/dice?stake=micro"
		body := func(n int) string {
			return fmt.Sprintf(`{"client_seed":"c","nonce":%d,"threshold":50,"direction":"over"}`, n)
		}
		pr := s.offer(t, "POST", path, body(1))
		offer := pr.Accepts[0]
		encode := func(pp *x402pay.PaymentPayload) string {
			h, err := x402pay.Encode(pp)
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		sign := func(c *x402pay.Client, r x402pay.Requirements) *x402pay.PaymentPayload {
			pp, err := c.Pay(pr, r)
			if err != nil {
				t.Fatal(err)
			}
			return pp
		}
		// The replayed payment is first accepted once.
		replayed := encode(sign(p.Client, offer))
		if r := s.paid(t, "POST", path, body(1), "X-PAYMENT", replayed); r.Status != 200 || !settlementOf(t, r).Success {
			t.Fatalf("first use (X-PAYMENT): %d %s", r.Status, r.Raw)
		}
		cases := []struct {
			name, reason string
			header       func() string
		}{
			{"forged", string(x402.ReasonInvalidSignature), func() string {
				pp := sign(mallory.Client, offer)
				pp.Payload.Authorization.From = p.Address() // signed by mallory, claiming p's wallet
				return encode(pp)
			}},
			{"expired", string(x402.ReasonValidBefore), func() string {
				late := &x402pay.Client{Key: p.Key, Now: func() time.Time { return time.Now().Add(-time.Hour) }}
				return encode(sign(late, offer))
			}},
			{"underpaying", string(x402.ReasonValueMismatch), func() string {
				pp := sign(p.Client, offer)
				pp.Payload.Authorization.Value = "99999"
				return encode(pp)
			}},
			{"underpaying offer", string(x402.ReasonInvalidRequirements), func() string {
				r := offer
				r.Amount = "1"
				return encode(sign(p.Client, r))
			}},
			{"wrong network", string(x402.ReasonInvalidNetwork), func() string {
				r := offer
				r.Network = "eip155:8453"
				return encode(sign(p.Client, r))
			}},
			{"wrong recipient", string(x402.ReasonInvalidRequirements), func() string {
				r := offer
				r.PayTo = mallory.Address()
				return encode(sign(p.Client, r))
			}},
			{"replayed", string(x402.ReasonInvalidTxState), func() string { return replayed }},
			{"malformed", string(x402.ReasonInvalidPayload), func() string { return "not base64!" }},
		}
		for i, c := range cases {
			transfers := countTransfers(t, s)
			r := s.paid(t, "POST", path, body(10+i), "PAYMENT-SIGNATURE", c.header())
			if r.Status != 402 || r.Body["error"] != c.reason || r.Header.Get("PAYMENT-REQUIRED") == "" || r.Header.Get("PAYMENT-RESPONSE") != "" {
				t.Errorf("%s: %d %s, want 402 %s", c.name, r.Status, r.Raw, c.reason)
			}
			if n := countTransfers(t, s); n != transfers {
				t.Errorf("%s moved money: %d transfers, want %d", c.name, n, transfers)
			}
		}
		ledgertest.Check(t, s.app.DB)
	})
}

func countTransfers(t *testing.T, s *server) (n int) {
	t.Helper()
	if err := s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		return q.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_transfers`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// settlerFunc settles as a test says.
type settlerFunc func(p *x402.Payment) (string, error)

func (f settlerFunc) Settle(_ context.Context, p *x402.Payment) (string, error) { return f(p) }

// TestV1SettlementFails: a payment the network refuses voids the bet (nothing credited, the
// payer told in PAYMENT-RESPONSE); an unknown outcome leaves it settling; no money moves either way.
func TestV1SettlementFails(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		p := newPayer(t, s)
		transfers := countTransfers(t, s)
		s.app.Bets.Settler = settlerFunc(func(*x402.Payment) (string, error) {
			return "", &x402.Error{Reason: x402.ReasonInsufficientFunds, Message: "balance too low"}
		})
		r := p.pay(t, "POST", "/api/v1/games/slots?stake=micro", `{"client_seed":"s","nonce":1}`)
		st := settlementOf(t, r)
		if r.Status != 200 || r.Body["status"] != "voided" || st.Success || st.ErrorReason != "insufficient_funds" {
			t.Fatalf("refused settlement: %d %s %+v", r.Status, r.Raw, st)
		}
		s.app.Bets.Settler = settlerFunc(func(*x402.Payment) (string, error) { return "", context.DeadlineExceeded })
		r = p.pay(t, "POST", "/api/v1/games/slots?stake=micro", `{"client_seed":"s","nonce":2}`)
		if r.Status != 200 || r.Body["status"] != "settling" || r.Header.Get("PAYMENT-RESPONSE") != "" {
			t.Fatalf("unknown settlement: %d %s", r.Status, r.Raw)
		}
		id := r.Body["bet_id"].(string)
		if n := countTransfers(t, s); n != transfers {
			t.Fatalf("unsettled bets moved money: %d transfers, want %d", n, transfers)
		}
		s.app.Bets.Settler = nil
		if g := p.pay(t, "GET", "/api/v1/bets/"+id, ""); g.Status != 200 || g.Body["status"] != "settling" {
			t.Fatalf("settling bet: %d %s", g.Status, g.Raw)
		}
		if b := p.pay(t, "GET", "/api/v1/balance", ""); num(b.Body["usdc_micro"]) != 0 {
			t.Fatalf("balance: %s", b.Raw)
		}
		// The resolver settles it later, once, from the stored authorization.
		if n, err := s.app.Bets.Resolve(context.Background(), 0, 10); err != nil || n != 1 {
			t.Fatalf("resolve: %d %v", n, err)
		}
		if n, err := s.app.Bets.Resolve(context.Background(), 0, 10); err != nil || n != 0 {
			t.Fatalf("resolve again: %d %v", n, err)
		}
		g := p.pay(t, "GET", "/api/v1/bets/"+id, "")
		if g.Status != 200 || g.Body["status"] != "settled" || g.Body["tx_hash"] == "" {
			t.Fatalf("resolved bet: %d %s", g.Status, g.Raw)
		}
		if b := p.pay(t, "GET", "/api/v1/balance", ""); num(b.Body["usdc_micro"]) != num(g.Body["payout_micro"]) {
			t.Fatalf("balance after resolving: %s, payout %v", b.Raw, g.Body["payout_micro"])
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestV1ConcurrentReplay: copies of one payment sent at once are accepted once, whatever the
// engine; the others are refused as replays.
func TestV1ConcurrentReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		p := newPayer(t, s)
		path := "/api/v1/games/coinflip?stake=micro"
		pr := s.offer(t, "POST", path, `{"client_seed":"x","nonce":1,"choice":"heads"}`)
		pp, err := p.Pay(pr, pr.Accepts[0])
		if err != nil {
			t.Fatal(err)
		}
		h, _ := x402pay.Encode(pp)
		const n = 8
		statuses := make(chan resp, n)
		for i := range n {
			go func() {
				statuses <- s.paid(t, "POST", path, fmt.Sprintf(`{"client_seed":"copy-%d","nonce":1,"choice":"heads"}`, i), "PAYMENT-SIGNATURE", h)
			}()
		}
		ok := 0
		for range n {
			r := <-statuses
			switch {
			case r.Status == 200:
				ok++
			case r.Status == 402 && r.Body["error"] == string(x402.ReasonInvalidTxState):
			default:
				t.Errorf("copy: %d %s", r.Status, r.Raw)
			}
		}
		if ok != 1 {
			t.Fatalf("%d copies accepted, want 1", ok)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// siweSign signs text as EIP-191 personal_sign with key.
func siweSign(t *testing.T, key *ecdsa.PrivateKey, text string) string {
	t.Helper()
	sig, err := crypto.Sign(siwe.HashMessage(text), key)
	if err != nil {
		t.Fatal(err)
	}
	sig[64] += 27
	return "0x" + hex.EncodeToString(sig)
}

func cookieOf(r resp, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestV1SIWE: nonce → verify → me → logout, single-use nonces, the blocklist, and the signing
// wallet's account is the one its x402 payments use.
func TestV1SIWE(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		var blockedAddr string
		s := newServer(t, e, func(c *app.Config) {
			c.SIWEBlocked = func(a string) bool { return strings.EqualFold(a, blockedAddr) }
		})
		p := newPayer(t, s)
		host := strings.TrimPrefix(s.URL, "http://")
		message := func(key *ecdsa.PrivateKey, domain, nonce string) string {
			m := &siwe.Message{Domain: domain, Address: crypto.PubkeyToAddress(key.PublicKey).Hex(), Statement: "Sign in to Arcade.",
				URI: s.URL, Version: "1", ChainID: 31337, Nonce: nonce, IssuedAt: time.Now().UTC().Format(time.RFC3339)}
			if err := m.Validate(); err != nil {
				t.Fatal(err)
			}
			return m.String()
		}
		nonce := func() (string, *http.Cookie) {
			r := s.do("GET", "/api/auth/siwe/nonce", "", nil)
			c := cookieOf(r, "siwe-nonce")
			if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") || len(r.Raw) < 8 || c == nil || c.Value != string(r.Raw) {
				t.Fatalf("nonce: %d %s %v", r.Status, r.Raw, r.Header)
			}
			return string(r.Raw), c
		}
		verifyBody := func(msg, sig string) []byte {
			b, _ := json.Marshal(map[string]string{"message": msg, "signature": sig})
			return b
		}
		if me := s.do("GET", "/api/auth/siwe/me", "", nil); me.Status != 200 || me.Body["authenticated"] != false {
			t.Fatalf("me without a session: %d %s", me.Status, me.Raw)
		}
		n, nc := nonce()
		msg := message(p.Key, host, n)
		r := s.do("POST", "/api/auth/siwe/verify", "", verifyBody(msg, siweSign(t, p.Key, msg)), "Cookie", "siwe-nonce="+nc.Value)
		sc := cookieOf(r, "siwe-session")
		if r.Status != 200 || r.Body["ok"] != true || !strings.EqualFold(r.Body["address"].(string), p.Address()) || sc == nil ||
			!sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.MaxAge != 7*24*3600 {
			t.Fatalf("verify: %d %s %v", r.Status, r.Raw, r.Header)
		}
		me := s.do("GET", "/api/auth/siwe/me", "", nil, "Cookie", "siwe-session="+sc.Value)
		if me.Body["authenticated"] != true || !strings.EqualFold(me.Body["address"].(string), p.Address()) {
			t.Fatalf("me: %s", me.Raw)
		}
		// The nonce is spent; other failures are 401, a malformed message 400, a blocked address 403.
		if r := s.do("POST", "/api/auth/siwe/verify", "", verifyBody(msg, siweSign(t, p.Key, msg))); r.Status != 401 {
			t.Fatalf("reused nonce: %d %s", r.Status, r.Raw)
		}
		other, _ := crypto.GenerateKey()
		n2, _ := nonce()
		m2 := message(p.Key, host, n2)
		if r := s.do("POST", "/api/auth/siwe/verify", "", verifyBody(m2, siweSign(t, other, m2))); r.Status != 401 {
			t.Fatalf("wrong signer: %d %s", r.Status, r.Raw)
		}
		m3 := message(p.Key, "evil.example", n2)
		if r := s.do("POST", "/api/auth/siwe/verify", "", verifyBody(m3, siweSign(t, p.Key, m3))); r.Status != 401 {
			t.Fatalf("wrong domain: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/auth/siwe/verify", "", verifyBody(m2, siweSign(t, p.Key, m2)), "Cookie", "siwe-nonce=someothernonce"); r.Status != 401 {
			t.Fatalf("nonce cookie mismatch: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/auth/siwe/verify", "", verifyBody("hello", "0x00")); r.Status != 400 || r.Body["field"] != "message" {
			t.Fatalf("malformed: %d %s", r.Status, r.Raw)
		}
		blockedAddr = crypto.PubkeyToAddress(other.PublicKey).Hex()
		m4 := message(other, host, n2)
		if r := s.do("POST", "/api/auth/siwe/verify", "", verifyBody(m4, siweSign(t, other, m4))); r.Status != 403 {
			t.Fatalf("blocked: %d %s", r.Status, r.Raw)
		}
		// One account per proved wallet: SIWE and x402 alike.
		if b := p.pay(t, "GET", "/api/v1/balance", ""); b.Status != 200 {
			t.Fatalf("balance: %d %s", b.Status, b.Raw)
		}
		var accounts int
		if err := s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE wallet_address = ?`, strings.ToLower(p.Address())).Scan(&accounts)
		}); err != nil || accounts != 1 {
			t.Fatalf("accounts of the wallet: %d %v", accounts, err)
		}
		if r := s.do("POST", "/api/auth/siwe/logout", "", nil, "Cookie", "siwe-session="+sc.Value); r.Status != 200 || cookieOf(r, "siwe-session").MaxAge >= 0 {
			t.Fatalf("logout: %d %s", r.Status, r.Raw)
		}
		if me := s.do("GET", "/api/auth/siwe/me", "", nil, "Cookie", "siwe-session="+sc.Value); me.Body["authenticated"] != false {
			t.Fatalf("me after logout: %s", me.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestV1ScheduledRotation: the schedule rotates a seed once it is old enough, once.
func TestV1ScheduledRotation(t *testing.T) {
	s := newServer(t, store.SQLite)
	ctx := context.Background()
	first := s.do("GET", "/api/v1/seed/commit", "", nil).Body["seed_id"]
	if r, err := s.app.Bets.RotateIfOlder(ctx, time.Hour); err != nil || r {
		t.Fatalf("a fresh seed rotated: %v %v", r, err)
	}
	if r, err := s.app.Bets.RotateIfOlder(ctx, 0); err != nil || !r {
		t.Fatalf("an old seed did not rotate: %v %v", r, err)
	}
	if now := s.do("GET", "/api/v1/seed/commit", "", nil).Body["seed_id"]; now == first {
		t.Fatal("the commitment did not change")
	}
	if r := s.do("GET", fmt.Sprintf("/api/v1/seed/reveal?seed_id=%v", first), "", nil); r.Status != 200 {
		t.Fatalf("reveal after the scheduled rotation: %d %s", r.Status, r.Raw)
	}
}
