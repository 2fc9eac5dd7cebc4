// Package cardpaytest helps tests of card payments: it finds Stripe's API mock (stripe-mock) and
// builds signed webhook deliveries the way Stripe sends them.
package cardpaytest

import (
	"encoding/json"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"
)

// EnvStripeMock names the base URL of a running stripe-mock (e.g. http://127.0.0.1:12111).
const EnvStripeMock = "ARCADE_TEST_STRIPE_MOCK"

// Test credentials: stripe-mock accepts any sk_test_ key; the webhook secret is ours.
const (
	SecretKey     = "sk_test_arcade"
	WebhookSecret = "whsec_arcade_test"
)

// MockURL returns the stripe-mock base URL, skipping t when EnvStripeMock is unset, except under
// CI=true where that fails t: CI must exercise the Stripe client for real. A set but unreachable
// mock fails t at once rather than at the first request.
func MockURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvStripeMock)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set under CI=true: start stripe-mock and point it there", EnvStripeMock)
		}
		t.Skipf("%s not set (start stripe-mock: go run github.com/stripe/stripe-mock -http-addr 127.0.0.1:12111)", EnvStripeMock)
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		t.Fatalf("%s=%q is not a URL", EnvStripeMock, u)
	}
	c, err := net.DialTimeout("tcp", p.Host, 2*time.Second)
	if err != nil {
		t.Fatalf("%s=%s: stripe-mock is not answering: %v", EnvStripeMock, u, err)
	}
	c.Close()
	return u
}

// Sign signs payload with secret as Stripe does now, returning the Stripe-Signature header.
func Sign(payload []byte, secret string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret}).Header
}

// Session is the data.object of a checkout session event.
type Session struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Mode              string            `json:"mode"`
	Status            string            `json:"status"`
	PaymentStatus     string            `json:"payment_status"`
	ClientReferenceID string            `json:"client_reference_id"`
	AmountTotal       int64             `json:"amount_total"`
	Currency          string            `json:"currency"`
	Metadata          map[string]string `json:"metadata"`
}

// PaidSession is a completed, paid session as Arcade creates them.
func PaidSession(id, account, pkg, credits string) Session {
	return Session{ID: id, Object: "checkout.session", Mode: "payment", Status: "complete", PaymentStatus: "paid",
		ClientReferenceID: account, Currency: "usd",
		Metadata: map[string]string{"account_id": account, "package_id": pkg, "credits": credits}}
}

// Event renders a Stripe event of type typ around obj, as the webhook receives it.
func Event(id, typ string, obj any) []byte {
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "api_version": "2025-08-27.basil", "created": time.Now().Unix(),
		"livemode": false, "pending_webhooks": 1, "type": typ,
		"request": map[string]any{"id": nil, "idempotency_key": nil},
		"data":    map[string]any{"object": obj},
	})
	if err != nil {
		panic(err)
	}
	return b
}
