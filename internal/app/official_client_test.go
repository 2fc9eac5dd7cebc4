package app_test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/nodetest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/x402"
)

// nodeClients returns node and testdata/js with its packages installed (npm ci from the
// lockfile), or skips the test when node or npm is absent, except under CI=true, where that
// fails it.
func nodeClients(t *testing.T) (node, dir string) {
	t.Helper()
	node = nodetest.Need(t, "node")
	dir = filepath.Join("testdata", "js")
	nodetest.Install(t, dir, "@x402/fetch", "siwe", "ethers", "viem")
	return node, dir
}

// runNode runs a script of testdata/js and decodes its JSON output into out.
func runNode(t *testing.T, out any, script string, args ...string) {
	t.Helper()
	node, dir := nodeClients(t)
	cmd := exec.Command(node, append([]string{script}, args...)...)
	cmd.Dir = dir
	raw, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("node %s: %v\n%s", script, err, stderr)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("node %s: %v: %s", script, err, raw)
	}
}

// officialCall is one call of pay.mjs.
type officialCall struct {
	Name, Method, Path string
	Status             int
	Body               map[string]any
	PaymentResponse    *x402.SettleResponse
}

// TestOfficialClientPlays has the x402 project's own TypeScript client (@x402/fetch with
// @x402/evm and @x402/core 2.27, viem account) play Arcade's /api/v1 on the sandbox with no
// change but the URL: every game (a $10 whale stake among them), each bet's status, the balance
// and the manifest. Its wrapped fetch reads the 402, signs, retries and decodes
// PAYMENT-RESPONSE. The client's only configuration is its documented spend controls: it pays
// only the well-known USDC deployments by default, and the sandbox token (on the local
// development chain 31337, so no signature for it is valid anywhere real) must be listed.
func TestOfficialClientPlays(t *testing.T) {
	if x402.Sandbox.ChainID != 31337 {
		t.Fatalf("the sandbox's chain id is %v, not the local-development id 31337", x402.Sandbox.ChainID)
	}
	s := newServer(t, store.SQLite)
	key, _ := crypto.GenerateKey()
	payer := crypto.PubkeyToAddress(key.PublicKey)
	opts, _ := json.Marshal(map[string]any{"network": x402.Sandbox.ID, "spendControls": map[string]any{
		"allowedAssets": []any{map[string]any{"network": x402.Sandbox.ID, "asset": x402.Sandbox.Asset.Hex(), "maxAmountPerPayment": "10000000"}}}})
	var got struct {
		Payer  string
		Commit map[string]any
		Calls  []officialCall
	}
	runNode(t, &got, "pay.mjs", s.URL, hexutil.Encode(crypto.FromECDSA(key)), string(opts))
	if got.Payer != payer.Hex() {
		t.Fatalf("payer %s, want %s", got.Payer, payer.Hex())
	}
	var payouts int64
	seen := map[string]int{}
	for _, c := range got.Calls {
		pr := c.PaymentResponse
		if c.Status != 200 || pr == nil || !pr.Success || pr.Payer != payer.Hex() || pr.Network != x402.Sandbox.ID || pr.Transaction == "" {
			t.Fatalf("%s: %d %v, payment response %+v", c.Name, c.Status, c.Body, pr)
		}
		kind, _, _ := strings.Cut(c.Name, " ")
		seen[kind]++
		switch kind {
		case "play":
			if c.Body["status"] != "settled" || c.Body["sandbox"] != true || c.Body["verification"].(map[string]any)["server_seed_hash"] != got.Commit["seed_hash"] {
				t.Fatalf("%s: %v", c.Name, c.Body)
			}
			if pr.Amount != fmt.Sprint(num(c.Body["stake_micro"])) {
				t.Fatalf("%s: paid %s for a stake of %v", c.Name, pr.Amount, c.Body["stake_micro"])
			}
			payouts += num(c.Body["payout_micro"])
		case "bet":
			if c.Body["status"] != "settled" || pr.Amount != "10000" {
				t.Fatalf("%s: %v %+v", c.Name, c.Body, pr)
			}
		case "balance":
			if num(c.Body["usdc_micro"]) != payouts || !strings.EqualFold(c.Body["wallet"].(string), payer.Hex()) {
				t.Fatalf("balance %v, want %d", c.Body, payouts)
			}
		case "manifest":
			if c.Body["chain"] != x402.Sandbox.ID || len(c.Body["games"].([]any)) != 4 {
				t.Fatalf("manifest %v", c.Body)
			}
		}
	}
	if seen["play"] != 5 || seen["bet"] != 5 || seen["balance"] != 1 || seen["manifest"] != 1 {
		t.Fatalf("calls %v", seen)
	}
	games := map[string]bool{}
	for _, c := range got.Calls {
		if g, ok := c.Body["game"].(string); ok {
			games[g] = true
		}
	}
	if len(games) != 4 {
		t.Fatalf("games played: %v", games)
	}
	ledgertest.Check(t, s.app.DB)
}

// TestReferenceSIWESignIn: a message built by the reference siwe library (npm) and signed by an
// ethers wallet signs in at POST /api/auth/siwe/verify, and its session cookie is the wallet's.
func TestReferenceSIWESignIn(t *testing.T) {
	s := newServer(t, store.SQLite)
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	var got struct {
		Address string
		Status  int
		Body    map[string]any
		Cookie  string
	}
	runNode(t, &got, "siwe.mjs", s.URL, hexutil.Encode(crypto.FromECDSA(key)))
	if got.Status != 200 || got.Body["ok"] != true || got.Address != addr.Hex() || got.Cookie == "" {
		t.Fatalf("sign-in: %+v", got)
	}
	me := s.do("GET", "/api/auth/siwe/me", "", nil, "Cookie", "siwe-session="+got.Cookie)
	if me.Body["authenticated"] != true || me.Body["address"] != addr.Hex() {
		t.Fatalf("me: %s", me.Raw)
	}
}
