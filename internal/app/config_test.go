package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/app"
)

func TestConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := app.ConfigFromEnv(env(nil))
	if err != nil || c.Committers != 0 || c.Direct || c.DatabaseURL != "" {
		t.Fatalf("defaults: %+v, %v", c, err)
	}
	c, err = app.ConfigFromEnv(env(map[string]string{"ARCADE_DB_COMMITTERS": "8", "ARCADE_DIRECT_COMMIT": "1", "ARCADE_DRAIN_SECONDS": "0.5",
		"ARCADE_DB_WRITE_TIMEOUT": "2.5", "ARCADE_DB_BATCH_TIMEOUT": "4", "ARCADE_BENCHMARK_UNSAFE_DURABILITY": "1"}))
	if err != nil || c.Committers != 8 || !c.Direct || c.DrainDelay != 500*time.Millisecond ||
		c.WriteTimeout != 2500*time.Millisecond || c.BatchTimeout != 4*time.Second || !c.UnsafeDurability {
		t.Fatalf("set: %+v, %v", c, err)
	}
	for k, v := range map[string]string{
		"ARCADE_DB_COMMITTERS": "0", "ARCADE_DIRECT_COMMIT": "yes", "ARCADE_DRAIN_SECONDS": "-1", "ARCADE_RATE_LIMIT": "x",
		"ARCADE_DB_WRITE_TIMEOUT": "0", "ARCADE_DB_BATCH_TIMEOUT": "soon", "ARCADE_BENCHMARK_UNSAFE_DURABILITY": "yes",
		"ARCADE_MAX_CONNS": "-2", "ARCADE_MAX_CONNS_PER_CLIENT": "x", "ARCADE_HEAVY_CONCURRENCY": "1.5", "ARCADE_HTTP_READ_TIMEOUT": "0",
		"ARCADE_AUDIT_SECONDS": "-1", "ARCADE_SMTP_URL": "http://mail.example", "ARCADE_LLM_URL": "api.openai.com", "ARCADE_LLM_TIMEOUT": "0", "ARCADE_LLM_JSON_MODE": "xml",
		"ARCADE_POKER_HAND_DELAY": "61", "ARCADE_TRUSTED_PROXIES": "10.0.0.0/8,lb.internal",
	} {
		if _, err := app.ConfigFromEnv(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: error %v should name the variable", k, v, err)
		}
	}
	c, err = app.ConfigFromEnv(env(map[string]string{"ARCADE_LLM_URL": "http://127.0.0.1:9/v1", "ARCADE_LLM_MODEL": "m",
		"ARCADE_LLM_API_KEY": "k", "ARCADE_LLM_TIMEOUT": "1.5", "ARCADE_LLM_JSON_MODE": "json_object"}))
	if err != nil || !c.LLM.Enabled() || c.LLM.Model != "m" || c.LLM.APIKey != "k" || c.LLM.Timeout != 1500*time.Millisecond ||
		c.LLM.JSONMode != "json_object" {
		t.Fatalf("LLM: %+v, %v", c.LLM, err)
	}
	if c, err := app.ConfigFromEnv(env(map[string]string{"ARCADE_POKER_HAND_DELAY": "0"})); err != nil || c.Poker.HandDelay != 0 ||
		c.Poker.SmallBlind == 0 {
		t.Errorf("poker hand delay: %+v, %v", c.Poker, err)
	}
	if c, err := app.ConfigFromEnv(env(map[string]string{"ARCADE_SMTP_URL": "smtp://u:p@mail.example:587?from=ops@arcade.test"})); err != nil ||
		c.SMTPURL == "" {
		t.Errorf("ARCADE_SMTP_URL: %+v %v", c.SMTPURL, err)
	}
	if c, err := app.ConfigFromEnv(env(nil)); err != nil || c.WithdrawResolveEvery != time.Minute {
		t.Errorf("withdrawal reconciliation default: %v, %v", c.WithdrawResolveEvery, err)
	}
	if c, err := app.ConfigFromEnv(env(map[string]string{"ARCADE_WITHDRAW_RESOLVE_SECONDS": "5"})); err != nil || c.WithdrawResolveEvery != 5*time.Second {
		t.Errorf("ARCADE_WITHDRAW_RESOLVE_SECONDS: %v, %v", c.WithdrawResolveEvery, err)
	}
	if _, err := app.ConfigFromEnv(env(map[string]string{"ARCADE_WITHDRAW_RESOLVE_SECONDS": "-1"})); err == nil {
		t.Error("a negative ARCADE_WITHDRAW_RESOLVE_SECONDS accepted")
	}
	if c, err := app.ConfigFromEnv(env(map[string]string{"ARCADE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.0.7"})); err != nil ||
		len(c.TrustedProxies) != 2 {
		t.Errorf("ARCADE_TRUSTED_PROXIES: %v, %v", c.TrustedProxies, err)
	}
	if _, err := app.ConfigFromEnv(env(map[string]string{"ARCADE_DB_COMMITTERS": "65"})); err == nil {
		t.Error("65 committers accepted")
	}
}

// TestChainPayoutConfig: ARCADE_PAYOUT_BUMP_SECONDS and ARCADE_PAYOUT_MAX_FEE_GWEI (decimal
// gwei, read exactly into wei), their defaults, and nonsense refused.
func TestChainPayoutConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := app.ConfigFromEnv(env(nil))
	if err != nil || c.PayoutBumpAfter != 5*time.Minute || c.PayoutMaxFee.String() != "50000000000" {
		t.Fatalf("defaults: %v %v %v", c.PayoutBumpAfter, c.PayoutMaxFee, err)
	}
	c, err = app.ConfigFromEnv(env(map[string]string{"ARCADE_PAYOUT_BUMP_SECONDS": "0", "ARCADE_PAYOUT_MAX_FEE_GWEI": "0.123456789"}))
	if err != nil || c.PayoutBumpAfter != 0 || c.PayoutMaxFee.String() != "123456789" {
		t.Fatalf("set: %v %v %v", c.PayoutBumpAfter, c.PayoutMaxFee, err)
	}
	for k, v := range map[string]string{"ARCADE_PAYOUT_BUMP_SECONDS": "-1", "ARCADE_PAYOUT_MAX_FEE_GWEI": "0.0000000001"} {
		if _, err := app.ConfigFromEnv(env(map[string]string{k: v})); err == nil {
			t.Errorf("%s=%s accepted", k, v)
		}
	}
	for _, v := range []string{"0", "-1", "x", "1e40"} {
		if _, err := app.ConfigFromEnv(env(map[string]string{"ARCADE_PAYOUT_MAX_FEE_GWEI": v})); err == nil {
			t.Errorf("ARCADE_PAYOUT_MAX_FEE_GWEI=%s accepted", v)
		}
	}
}
