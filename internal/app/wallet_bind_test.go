package app_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/siwe"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// TestBindWallet: an agent with an API key binds its wallet with a signature; from then on the
// wallet's x402 payouts are that account's USDC, shown alike by /api/me (API key), the paid
// /api/v1/balance (x402) and the dashboard (SIWE). Binding never merges accounts.
func TestBindWallet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		me := data(s.do("GET", "/api/me", key, nil))
		id := me["id"].(string)
		p := newPayer(t, s)
		host := strings.TrimPrefix(s.URL, "http://")
		bindBody := func(k *ecdsa.PrivateKey, statement string) []byte {
			n := s.do("GET", "/api/auth/siwe/nonce", "", nil)
			m := &siwe.Message{Domain: host, Address: crypto.PubkeyToAddress(k.PublicKey).Hex(), Statement: statement,
				URI: s.URL, Version: "1", ChainID: 31337, Nonce: string(n.Raw), IssuedAt: time.Now().UTC().Format(time.RFC3339)}
			b, _ := json.Marshal(map[string]string{"message": m.String(), "signature": siweSign(t, k, m.String())})
			return b
		}
		if r := s.do("POST", "/api/me/wallet", "", bindBody(p.Key, account.BindStatement(id))); r.Status != 401 {
			t.Fatalf("without a key: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/me/wallet", key, bindBody(p.Key, "Sign in to Arcade.")); r.Status != 400 || r.Body["field"] != "message" {
			t.Fatalf("a sign-in message binds: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/me/wallet", key, bindBody(p.Key, account.BindStatement("someone-else"))); r.Status != 400 {
			t.Fatalf("another account's statement: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/me/wallet", key, []byte(`{"message":""}`)); r.Status != 400 || r.Body["field"] != "message" {
			t.Fatalf("empty: %d %s", r.Status, r.Raw)
		}
		body := bindBody(p.Key, account.BindStatement(id))
		var sent struct{ Message string }
		_ = json.Unmarshal(body, &sent)
		forged, _ := json.Marshal(map[string]string{"message": sent.Message, "signature": siweSign(t, mustKey(t), sent.Message)})
		if r := s.do("POST", "/api/me/wallet", key, forged); r.Status != 401 {
			t.Fatalf("signed by another key: %d %s", r.Status, r.Raw)
		}
		r := s.do("POST", "/api/me/wallet", key, body)
		if r.Status != 200 || r.Body["success"] != true || !strings.EqualFold(data(r)["wallet"].(string), p.Address()) || data(r)["id"] != id {
			t.Fatalf("bind: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/me/wallet", key, body); r.Status != 401 {
			t.Fatalf("replayed binding: %d %s", r.Status, r.Raw)
		}
		// One wallet per account; a wallet that is already an account is never merged into another.
		if r := s.do("POST", "/api/me/wallet", key, bindBody(mustKey(t), account.BindStatement(id))); r.Status != 409 {
			t.Fatalf("a second wallet: %d %s", r.Status, r.Raw)
		}
		key2 := s.guest()
		id2 := data(s.do("GET", "/api/me", key2, nil))["id"].(string)
		if r := s.do("POST", "/api/me/wallet", key2, bindBody(p.Key, account.BindStatement(id2))); r.Status != 409 {
			t.Fatalf("another account takes the wallet: %d %s", r.Status, r.Raw)
		}
		paidBefore := newPayer(t, s)
		if b := paidBefore.pay(t, "GET", "/api/v1/balance", ""); b.Status != 200 {
			t.Fatalf("balance: %s", b.Raw)
		}
		if r := s.do("POST", "/api/me/wallet", key2, bindBody(paidBefore.Key, account.BindStatement(id2))); r.Status != 409 || r.Body["error"] == nil {
			t.Fatalf("a wallet with its own account: %d %s", r.Status, r.Raw)
		}

		// The wallet's winnings are the API-key account's USDC on every surface.
		var payouts int64
		for i := 1; i <= 3 || (payouts == 0 && i <= 40); i++ {
			b := p.pay(t, "POST", "/api/v1/games/coinflip?stake=micro", fmt.Sprintf(`{"client_seed":"bind","nonce":%d,"choice":"heads"}`, i))
			if b.Status != 200 {
				t.Fatalf("play: %d %s", b.Status, b.Raw)
			}
			payouts += num(b.Body["payout_micro"])
		}
		bal := p.pay(t, "GET", "/api/v1/balance", "")
		me = data(s.do("GET", "/api/me", key, nil))
		ses := signIn(t, s, p.Key)
		sum := s.dash("GET", "/api/v1/dashboard/summary", ses, "")
		want, _ := json.Marshal(money.Amount(payouts).Decimal())
		got, _ := json.Marshal(me["usdc"])
		if num(bal.Body["usdc_micro"]) != payouts || num(sum.Body["balance_micro"]) != payouts || strings.Trim(string(got), `"`) != strings.Trim(string(want), `"`) {
			t.Fatalf("balances: x402 %s, /api/me usdc %v, dashboard %s; want %d", bal.Raw, me["usdc"], sum.Raw, payouts)
		}
		tool := s.do("POST", "/api/openclaw/tools", key, []byte(`{"tool":"xpersona_get_balance","parameters":{}}`))
		res, _ := tool.Body["result"].(map[string]any)
		toolUSDC, _ := json.Marshal(res["usdc"])
		if strings.Trim(string(toolUSDC), `"`) != strings.Trim(string(want), `"`) {
			t.Fatalf("get_balance tool: %s, want usdc %s", tool.Raw, want)
		}
		var accounts int
		_ = s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
			return q.QueryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE wallet_address = ?`, strings.ToLower(p.Address())).Scan(&accounts)
		})
		if accounts != 1 {
			t.Fatalf("%d accounts hold the wallet", accounts)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

func mustKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
