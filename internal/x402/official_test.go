package x402_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/nodetest"
	"github.com/arcadehq/arcade/internal/x402"
)

// nodeDir returns testdata/js with its packages installed (npm ci), or skips the test when node
// or npm is absent, except under CI=true, where that fails it.
func nodeDir(t *testing.T) (node, dir string) {
	t.Helper()
	node = nodetest.Need(t, "node")
	dir = filepath.Join("testdata", "js")
	nodetest.Install(t, dir, filepath.Join("@x402", "fetch"))
	return node, dir
}

// TestOfficialClient has the x402 project's own TypeScript client (@x402/fetch with @x402/evm,
// version 2) pay a resource served with this package's 402 answer, header codec and Verifier.
// The client runs on the real clock, so the verifier does too.
//
// What the table pins down about that client (2.27): by default ("spend controls") it pays only
// the USDC deployments it knows, at most $1 a payment. The sandbox token is not one of them (it
// cannot be: it lives on no public chain), so a client pays the sandbox once it lists the token
// in spendControls.allowedAssets; a whale stake ($10) needs maxAmountPerPayment raised. Both are
// client configuration, not code changes.
func TestOfficialClient(t *testing.T) {
	node, dir := nodeDir(t)
	key, _ := crypto.GenerateKey()
	keyHex := hexutil.Encode(crypto.FromECDSA(key))
	payer := crypto.PubkeyToAddress(key.PublicKey)
	allowSandbox := `{"allowedAssets":[{"network":"` + x402.Sandbox.ID + `","asset":"` + x402.Sandbox.Asset.Hex() + `"}]}`

	for _, c := range []struct {
		name     string
		net      x402.Network
		price    int64
		controls string
		refused  string // a fragment of the client's error, or "" when it must pay
	}{
		{"sandbox, default controls", x402.Sandbox, 100_000, "", "only default assets"},
		{"sandbox, token allowed", x402.Sandbox, 100_000, allowSandbox, ""},
		{"sandbox whale, token allowed", x402.Sandbox, 10_000_000, allowSandbox, ""},
		{"Base Sepolia micro, default controls", x402.BaseSepolia, 100_000, "", ""},
		{"Base Sepolia standard, default controls", x402.BaseSepolia, 1_000_000, "", ""},
		{"Base Sepolia whale, default controls", x402.BaseSepolia, 10_000_000, "", "maxAmountPerPayment"},
		{"Base Sepolia whale, $10 cap", x402.BaseSepolia, 10_000_000, `{"maxAmountPerPayment":"$10"}`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			net := c.net
			nonces := &x402.MemoryNonces{}
			v, err := x402.NewVerifier([]x402.Network{net}, nonces, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			offers := []x402.Requirements{net.Requirement(c.price, common.HexToAddress("0x1111111111111111111111111111111111111111"), 120)}
			var mu sync.Mutex
			var paid []*x402.Payment
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				h := r.Header.Get(x402.HeaderPaymentSignature)
				if h == "" {
					h = r.Header.Get(x402.HeaderXPayment)
				}
				if h == "" {
					pr := x402.PaymentRequired{X402Version: 2, Error: "payment required",
						Resource: &x402.Resource{URL: "http://" + r.Host + r.URL.String(), MimeType: "application/json"},
						Accepts:  offers,
						Extensions: map[string]x402.Extension{x402.ExtensionBazaar: {
							Info: json.RawMessage(`{"input":{"type":"http","method":"POST"}}`), Schema: json.RawMessage(`{"type":"object"}`),
						}},
					}
					enc, _ := x402.EncodeHeader(pr)
					w.Header().Set(x402.HeaderPaymentRequired, enc)
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusPaymentRequired)
					_ = json.NewEncoder(w).Encode(pr)
					return
				}
				if raw, err := base64.StdEncoding.DecodeString(h); err != nil {
					t.Errorf("header: %v", err)
				} else if _, fast := x402.FastPayloadJSON(raw); !fast {
					t.Errorf("the fast payload reader gave up on the official client's payload: %s", raw)
				}
				p, err := v.VerifyHeader(r.Context(), offers, h)
				if err != nil {
					t.Errorf("official client's payment refused: %v", err)
					w.WriteHeader(http.StatusPaymentRequired)
					return
				}
				if string(body) != `{"choice":"heads"}` {
					t.Errorf("body on the paid retry: %q", body)
				}
				nonces.Use(p.Nonce)
				mu.Lock()
				paid = append(paid, p)
				mu.Unlock()
				s := x402.SettleResponse{Success: true, Transaction: hexutil.Encode(p.Digest[:]), Network: net.ID, Payer: p.Payer.Hex(), Amount: p.Requirements.Amount}
				enc, _ := x402.EncodeHeader(s)
				w.Header().Set(x402.HeaderPaymentResponse, enc)
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"ok":true}`)
			}))
			defer srv.Close()

			cmd := exec.Command(node, "pay.mjs", srv.URL+"/api/v1/games/coinflip?stake=micro", keyHex, net.ID, "POST", `{"choice":"heads"}`, c.controls)
			cmd.Dir = dir
			out, err := cmd.Output()
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			if c.refused != "" {
				if err == nil || !strings.Contains(string(stderr), c.refused) {
					t.Fatalf("want the client to refuse (%q); got %v\n%s%s", c.refused, err, out, stderr)
				}
				if len(paid) != 0 {
					t.Fatal("paid anyway")
				}
				return
			}
			if err != nil {
				t.Fatalf("node pay.mjs: %v\n%s", err, stderr)
			}
			var got struct {
				Status          int                  `json:"status"`
				PaymentResponse *x402.SettleResponse `json:"paymentResponse"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got.Status != 200 || got.PaymentResponse == nil || !got.PaymentResponse.Success || got.PaymentResponse.Payer != payer.Hex() {
				t.Fatalf("official client: %s", out)
			}
			if len(paid) != 1 || paid[0].Payer != payer || paid[0].AmountMicro != c.price {
				t.Fatalf("payments %+v", paid)
			}
		})
	}
}
