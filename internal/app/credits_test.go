package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"io"
	"log/slog"
	"net/http/httptest"

	"github.com/arcadehq/arcade/fairness/verify"
	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

var _ = exec.Command

// fund gives an account credits from the external account, as a credit-package purchase would.
func (s *server) fund(key string, credits int64) string {
	s.t.Helper()
	id := data(s.do("GET", "/api/me", key, nil))["id"].(string)
	err := s.app.DB.Write(context.Background(), func(ctx context.Context, q store.Q) error {
		return ledger.Post(ctx, q, t0, ledger.Transfer{Asset: money.Credit, From: ledger.SystemAccount(ledger.External, money.Credit),
			To: ledger.UserAccount(id, money.Credit), Amount: money.Amount(credits) * money.Micro, Kind: "test_deposit", Ref: "fund-" + id})
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

func body(v any) []byte { b, _ := json.Marshal(v); return b }

func TestDiceRound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		s.fund(key, 1000)
		bad := []struct {
			body  string
			field string
		}{
			{`{"amount":0,"target":50,"condition":"over"}`, "amount"},
			{`{"amount":10001,"target":50,"condition":"over"}`, "amount"},
			{`{"amount":1.5,"target":50,"condition":"over"}`, "amount"},
			{`{"amount":"10","target":50,"condition":"over"}`, "amount"},
			{`{"target":50,"condition":"over"}`, "amount"},
			{`{"amount":10,"target":100,"condition":"over"}`, "target"},
			{`{"amount":10,"target":-1,"condition":"over"}`, "target"},
			{`{"amount":10,"target":49.555,"condition":"over"}`, "target"},
			{`{"amount":10,"target":0,"condition":"under"}`, "target"},
			{`{"amount":10,"condition":"under"}`, "target"},
			{`{"amount":10,"target":50,"condition":"sideways"}`, "condition"},
			{`{"amount":10,"target":50}`, "condition"},
			{`{"amount":10,"target":50,"condition":1}`, "condition"},
			{`{"amount":10,`, "body"},
			{``, "body"},
		}
		for _, c := range bad {
			r := s.do("POST", "/api/games/dice/round", key, []byte(c.body))
			if r.Status != 400 || r.Body["error"] != "VALIDATION_ERROR" || r.Body["field"] != c.field {
				t.Errorf("%s: %d %s (want field %s)", c.body, r.Status, r.Raw, c.field)
			}
		}
		if r := s.do("POST", "/api/games/dice/round", key, []byte(`{"amount":2000,"target":50,"condition":"over"}`)); r.Status != 400 || r.Body["error"] != "INSUFFICIENT_BALANCE" {
			t.Fatalf("overdraw: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/games/dice/round", "", []byte(`{"amount":1,"target":50,"condition":"over"}`)); r.Status != 401 {
			t.Fatalf("no key: %d", r.Status)
		}
		// Play rounds on both paths; every one must verify offline and land in rounds and transactions.
		var ids []string
		for i := 0; i < 20; i++ {
			path := "/api/games/dice/round"
			if i%2 == 1 {
				path = "/api/games/dice/bet"
			}
			cond := []string{"over", "under"}[i%2]
			r := s.do("POST", path, key, body(map[string]any{"amount": 5, "target": 30 + i, "condition": cond}))
			if r.Status != 200 {
				t.Fatalf("round: %d %s", r.Status, r.Raw)
			}
			ids = append(ids, data(r)["betId"].(string))
		}
		rounds := s.do("GET", "/api/me/rounds?limit=200", key, nil)
		if data(rounds)["roundCount"] != 20.0 || data(rounds)["totalCount"] != 20.0 {
			t.Fatalf("rounds: %s", rounds.Raw)
		}
		if r := s.do("GET", "/api/me/rounds?limit=201", key, nil); r.Status != 400 || r.Body["field"] != "limit" {
			t.Fatalf("limit 201: %d %s", r.Status, r.Raw)
		}
		tx := s.do("GET", "/api/me/transactions?type=round", key, nil)
		if n := len(data(tx)["transactions"].([]any)); n != 20 {
			t.Fatalf("%d round transactions", n)
		}
		if r := s.do("GET", "/api/me/transactions?type=nope", key, nil); r.Status != 400 || r.Body["field"] != "type" {
			t.Fatalf("bad type: %d %s", r.Status, r.Raw)
		}
		// Reveal the first round: the seed rotates and the roll recomputes with arcade verify.
		for _, id := range []string{ids[0], ids[19]} {
			d := data(s.do("GET", "/api/me/rounds/"+id+"?reveal=1", key, nil))
			v := d["verification"].(map[string]any)
			rp := d["resultPayload"].(map[string]any)
			var out strings.Builder
			args := []string{"--game", "credit-dice", "--server-seed", v["serverSeed"].(string), "--client-seed", v["clientSeed"].(string),
				"--nonce", fmt.Sprint(v["nonce"]), "--target", fmt.Sprintf("%.2f", rp["target"].(float64)), "--condition", rp["condition"].(string),
				"--commitment", v["serverSeedHash"].(string), "--amount", "5"}
			if code := verify.Main(context.Background(), args, &out, &strings.Builder{}); code != 0 {
				t.Fatalf("verify exit %d: %s", code, out.String())
			}
			var got map[string]any
			_ = json.Unmarshal([]byte(out.String()), &got)
			if got["roll"] != rp["value"] || got["win"] != rp["win"] || got["payout_micro"] != d["payout"].(float64)*1e6 || got["commitment_ok"] != true {
				t.Fatalf("verify %v disagrees with round %v", got, d)
			}
		}
		// After a reveal the next round uses a new seed.
		next := data(s.do("POST", "/api/games/dice/round", key, []byte(`{"amount":1,"target":50,"condition":"over"}`)))
		if next["verification"].(map[string]any)["nonce"] != 0.0 {
			t.Fatalf("after reveal: %v", next["verification"])
		}
		other := s.guest()
		if r := s.do("GET", "/api/me/rounds/"+ids[0], other, nil); r.Status != 404 || r.Body["error"] != "NOT_FOUND" {
			t.Fatalf("someone else's round: %d %s", r.Status, r.Raw)
		}
		if r := s.do("GET", "/api/me/rounds/"+ids[0]+"?reveal=maybe", key, nil); r.Status != 400 || r.Body["field"] != "reveal" {
			t.Fatalf("bad reveal: %d %s", r.Status, r.Raw)
		}
		st := data(s.do("GET", "/api/me/session-stats?limit=10", key, nil))
		if st["rounds"] != 21.0 || len(st["recentPlays"].([]any)) != 10 || st["rolling_win_rate_10"] == nil || st["rolling_win_rate_20"] != nil {
			t.Fatalf("session stats: %v", st)
		}
		bal := data(s.do("GET", "/api/me/balance", key, nil))
		me := data(s.do("GET", "/api/me", key, nil))
		if bal["balance"] != me["credits"] || bal["deposit_alert"] == nil {
			t.Fatalf("balance %v vs me %v", bal, me)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestConcurrentRoundsNeverOverdraw: many simultaneous rounds and withdrawals on one account;
// the balance never goes below zero and the ledger stays whole.
func TestConcurrentRoundsNeverOverdraw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		id := s.fund(key, 200)
		var wg sync.WaitGroup
		codes := make(chan int, 64)
		for i := 0; i < 64; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes <- s.do("POST", "/api/games/dice/round", key, []byte(`{"amount":10,"target":95,"condition":"over"}`)).Status
			}()
		}
		wg.Wait()
		close(codes)
		n := map[int]int{}
		for c := range codes {
			n[c]++
		}
		if n[200] == 0 || n[200]+n[400] != 64 {
			t.Fatalf("status counts %v", n)
		}
		var h ledger.Holdings
		_ = s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) (err error) {
			h, err = ledger.HoldingsOf(ctx, q, id, money.Credit)
			return err
		})
		if h.Available < 0 {
			t.Fatalf("negative balance %d", h.Available)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

func TestWithdrawals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := newServer(t, e)
		key := s.guest()
		s.do("POST", "/api/faucet", key, nil)
		s.fund(key, 30000)
		if r := s.do("POST", "/api/me/withdraw", key, []byte(`{"amount":9999}`)); r.Status != 400 || r.Body["field"] != "amount" {
			t.Fatalf("below minimum: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/me/withdraw", key, []byte(`{"amount":30001}`)); r.Status != 400 || r.Body["error"] != "INSUFFICIENT_BALANCE" {
			t.Fatalf("more than withdrawable (faucet credits excluded): %d %s", r.Status, r.Raw)
		}
		w := s.do("POST", "/api/me/withdraw", key, []byte(`{"amount":10000,"currency":"USD"}`), "Idempotency-Key", "w1")
		if w.Status != 200 || data(w)["status"] != "pending" {
			t.Fatalf("withdraw: %d %s", w.Status, w.Raw)
		}
		if r := s.do("POST", "/api/me/withdraw", key, []byte(`{"amount":10000,"currency":"USD"}`), "Idempotency-Key", "w1"); string(r.Raw) != string(w.Raw) {
			t.Fatalf("idempotent replay differs: %s", r.Raw)
		}
		if r := s.do("POST", "/api/me/withdraw", key, []byte(`{"amount":10000}`)); r.Status != 429 || r.Body["error"] != "WITHDRAWAL_PENDING" {
			t.Fatalf("second pending: %d %s", r.Status, r.Raw)
		}
		bal := data(s.do("GET", "/api/me/balance", key, nil))
		if bal["balance"] != 20100.0 || bal["pendingWithdrawal"] != 10000.0 {
			t.Fatalf("balance during pending: %v", bal)
		}
		wid := data(w)["id"].(string)
		if r := s.do("GET", "/api/me/withdrawals/"+wid, key, nil); r.Status != 200 || data(r)["status"] != "pending" {
			t.Fatalf("status: %d %s", r.Status, r.Raw)
		}
		if r := s.do("GET", "/api/me/withdrawals", key, nil); r.Status != 200 || len(data(r)["withdrawals"].([]any)) != 1 {
			t.Fatalf("list: %d %s", r.Status, r.Raw)
		}
		if r := s.do("GET", "/api/me/withdrawals/"+wid, s.guest(), nil); r.Status != 404 {
			t.Fatalf("someone else's withdrawal: %d %s", r.Status, r.Raw)
		}
		if r := s.do("GET", "/api/me/transactions?type=withdrawal", key, nil); len(data(r)["transactions"].([]any)) != 1 {
			t.Fatalf("withdrawal transactions: %s", r.Raw)
		}
		// Only the platform decides.
		if r := s.do("POST", "/api/admin/withdrawals/"+wid+"/approve", key, nil); r.Status != 403 {
			t.Fatalf("player approving: %d %s", r.Status, r.Raw)
		}
		var admin string
		_ = s.app.DB.Write(context.Background(), func(ctx context.Context, q store.Q) error {
			k, err := account.RegenerateKey(ctx, q, t0, randReader(), account.PlatformID, "arc_admin_")
			admin = k.Secret
			return err
		})
		if r := s.do("GET", "/api/admin/withdrawals", admin, nil); r.Status != 200 || len(data(r)["withdrawals"].([]any)) != 1 {
			t.Fatalf("admin list: %d %s", r.Status, r.Raw)
		}
		var wg sync.WaitGroup
		codes := make(chan int, 8)
		for i := 0; i < 8; i++ {
			verb := []string{"approve", "reject"}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes <- s.do("POST", "/api/admin/withdrawals/"+wid+"/"+verb, admin, nil).Status
			}()
		}
		wg.Wait()
		close(codes)
		n := map[int]int{}
		for c := range codes {
			n[c]++
		}
		if n[200] != 1 || n[409] != 7 {
			t.Fatalf("concurrent decisions %v", n)
		}
		final := data(s.do("GET", "/api/me/withdrawals/"+wid, key, nil))
		bal = data(s.do("GET", "/api/me/balance", key, nil))
		switch final["status"] {
		case "approved":
			if bal["balance"] != 20100.0 {
				t.Fatalf("after approval %v", bal)
			}
		case "rejected":
			if bal["balance"] != 30100.0 {
				t.Fatalf("after rejection %v", bal)
			}
		default:
			t.Fatalf("final %v", final)
		}
		if bal["pendingWithdrawal"] != 0.0 {
			t.Fatalf("pending left %v", bal)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

func TestAgentRegisterAndRateLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		sc := storetest.Config(t, e)
		cfg := app.Config{DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, Version: "test", DoubleRun: sc.DoubleRun,
			RateLimit: ratelimit.Limit{PerSecond: 0.001, Burst: 3}, SignUpLimit: ratelimit.Limit{PerSecond: 0.001, Burst: 2}}
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Deps{})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(a.Handler())
		t.Cleanup(func() { ts.Close(); a.DB.Close() })
		s := &server{Server: ts, app: a, t: t}
		r := s.do("POST", "/api/auth/agent/register", "", []byte(`{"name":"bot-1"}`))
		d := data(r)
		if r.Status != 201 || d["credits"] != 100.0 || d["agentId"] == nil || !strings.HasPrefix(d["apiKey"].(string), "xp_") {
			t.Fatalf("register: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/auth/agent/register", "", []byte(`{"name":"BOT-1"}`)); r.Status != 409 || r.Body["field"] != "name" {
			t.Fatalf("duplicate name: %d %s", r.Status, r.Raw)
		}
		if r := s.do("POST", "/api/auth/guest", "", nil); r.Status != 429 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("third sign-up from one address: %d %s", r.Status, r.Raw)
		}
		key := d["apiKey"].(string)
		codes := []int{}
		for i := 0; i < 4; i++ {
			codes = append(codes, s.do("GET", "/api/me/balance", key, nil).Status)
		}
		if fmt.Sprint(codes) != "[200 200 200 429]" {
			t.Fatalf("per-key limit: %v", codes)
		}
		disc := data(s.do("GET", "/api/discovery?section=platform", "", nil))
		if rl := disc["platform"].(map[string]any)["rateLimits"].(map[string]any); rl["perApiKey"].(map[string]any)["burst"] != 3.0 {
			t.Fatalf("discovery rate limits: %v", rl)
		}
		ledgertest.Check(t, s.app.DB)
	})
}
