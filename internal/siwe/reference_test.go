package siwe_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/nodetest"
	"github.com/arcadehq/arcade/internal/siwe"
)

// TestReferenceLibrary has the reference siwe library (npm, with an ethers wallet) build and
// sign messages, and checks that this package parses them to the same text and verifies them.
// It needs node and npm: without them it is skipped, except under CI=true, where it fails. The
// packages are installed into testdata/js with npm ci (package-lock.json pins them).
func TestReferenceLibrary(t *testing.T) {
	node := nodetest.Need(t, "node")
	dir := filepath.Join("testdata", "js")
	nodetest.Install(t, dir, "siwe")
	for _, in := range []map[string]any{
		{
			"privateKey": "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
			"domain":     "arcade.test", "uri": "https://arcade.test/api/auth/siwe/verify",
			"nonce": "n0nceFromArcade1", "chainId": 8453, "statement": "Sign in to the Arcade dashboard.",
			"issuedAt": "2026-01-01T00:00:00.000Z", "expirationTime": "2026-01-01T00:10:00.000Z",
		},
		{
			"privateKey": "0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
			"scheme":     "https", "domain": "localhost:8080", "uri": "http://localhost:8080",
			"nonce": "abcdefgh12345678", "chainId": 31337,
			"issuedAt":  "2026-01-01T00:00:00.000Z",
			"resources": []string{"https://arcade.test/a", "ipfs://Qme7ss3ARVgxv6rXqVPiikMJ8u2NLgmgszg13pYrDKEoiu"},
		},
	} {
		arg, _ := json.Marshal(in)
		cmd := exec.Command(node, "sign.mjs", string(arg))
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = ee.Stderr
			}
			t.Fatalf("node sign.mjs: %v\n%s", err, stderr)
		}
		var got struct{ Message, Signature, Address string }
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		m, addr, err := siwe.Verify(got.Message, got.Signature, siwe.Expect{
			Domain: in["domain"].(string), Nonce: in["nonce"].(string),
			Now: time.Date(2026, 1, 1, 0, 5, 0, 0, time.UTC),
		})
		if err != nil {
			t.Fatalf("%v\nmessage:\n%s", err, got.Message)
		}
		if addr.Hex() != got.Address || m.String() != got.Message {
			t.Fatalf("address %s, want %s; rendering differs:\n%s\n%s", addr.Hex(), got.Address, m.String(), got.Message)
		}
	}
}
