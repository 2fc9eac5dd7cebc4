package app_test

import (
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/x402"
)

func TestChainConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	key := "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	k, _ := crypto.HexToECDSA(key[2:])
	c, err := app.ConfigFromEnv(env(map[string]string{"ARCADE_X402_NETWORK": "base-sepolia",
		"ARCADE_EVM_RPC_URL": "https://sepolia.base.org", "ARCADE_EVM_SETTLER_KEY": key}))
	if err != nil || c.X402Network.ID != x402.BaseSepolia.ID || c.Chain.Settlement != app.SettleRPC || !c.Chain.SettlerKey.Equal(k) {
		t.Fatalf("rpc on Base Sepolia: %v %s %s", err, c.X402Network.ID, c.Chain.Settlement)
	}
	c, err = app.ConfigFromEnv(env(map[string]string{"ARCADE_X402_NETWORK": "base", "ARCADE_X402_FACILITATOR_URL": "https://f.example",
		"ARCADE_X402_PAY_TO": "0x000000000000000000000000000000000000CA5E"}))
	if err != nil || c.X402Network.ID != "eip155:8453" || c.Chain.Settlement != app.SettleFacilitator {
		t.Fatalf("facilitator on Base: %v %s %s", err, c.X402Network.ID, c.Chain.Settlement)
	}
	c, err = app.ConfigFromEnv(env(map[string]string{"ARCADE_X402_NETWORK": "eip155:1337", "ARCADE_X402_ASSET": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
		"ARCADE_X402_TOKEN_NAME": "USD Coin", "ARCADE_X402_TOKEN_VERSION": "2", "ARCADE_EVM_RPC_URL": "http://127.0.0.1:8545",
		"ARCADE_EVM_SETTLER_KEY": key}))
	if err != nil || c.X402Network.ChainID != 1337 || c.X402Network.TokenName != "USD Coin" || c.X402Network.Sandbox {
		t.Fatalf("a local chain: %v %+v", err, c.X402Network)
	}
	for _, bad := range []map[string]string{
		{"ARCADE_X402_NETWORK": "base"},                                                                      // no way to settle
		{"ARCADE_X402_NETWORK": "base", "ARCADE_EVM_RPC_URL": "http://x"},                                    // no key
		{"ARCADE_X402_NETWORK": "base", "ARCADE_X402_FACILITATOR_URL": "http://x"},                           // no payee
		{"ARCADE_X402_NETWORK": "base", "ARCADE_X402_SETTLEMENT": "chain", "ARCADE_EVM_RPC_URL": "http://x"}, // unknown mode
		{"ARCADE_X402_NETWORK": "base", "ARCADE_EVM_RPC_URL": "http://x", "ARCADE_EVM_SETTLER_KEY": "0x12"},
		{"ARCADE_X402_NETWORK": "eip155:1337"}, // a chain of one's own needs its token
		{"ARCADE_X402_NETWORK": "sandbox", "ARCADE_X402_ASSET": "0x5FbDB2315678afecb367f032d93F642f64180aa3"},
	} {
		if _, err := app.ConfigFromEnv(env(bad)); err == nil || !strings.Contains(err.Error(), "ARCADE_") {
			t.Errorf("%v: accepted or unnamed: %v", bad, err)
		}
	}
}
