package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/arcadehq/arcade/internal/app"
	"github.com/arcadehq/arcade/internal/cardpay"
	"github.com/arcadehq/arcade/internal/cardpay/cardpaytest"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// newCardServer is newServer with card payments configured against stripe-mock at mock.
func newCardServer(t testing.TB, e store.Engine, mock string) *server {
	t.Helper()
	sc := storetest.Config(t, e)
	cfg := app.Config{DataDir: sc.DataDir, DatabaseURL: sc.DatabaseURL, Version: "test", BaseURL: "https://arcade.test", DoubleRun: sc.DoubleRun,
		Stripe: cardpay.Config{SecretKey: cardpaytest.SecretKey, WebhookSecret: cardpaytest.WebhookSecret, APIBase: mock, BaseURL: "https://arcade.test"}}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Handler())
	t.Cleanup(func() { ts.Close(); a.DB.Close() })
	return &server{Server: ts, app: a, t: t}
}

func (s *server) count(query string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.app.DB.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		return q.QueryRow(ctx, query, args...).Scan(&n)
	}); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// docServer checks answers against the server's own OpenAPI document.
type docServer struct {
	*server
	doc validator.Validator
	// evaluator is the label persona answers must carry ("" means rule-based); hdr are header
	// pairs every play-API request sends (X-LLM-*).
	evaluator string
	hdr       []string
}

func withDoc(s *server) *docServer {
	s.t.Helper()
	r := s.do("GET", "/openapi.json", "", nil)
	doc, err := libopenapi.NewDocument(r.Raw)
	if err != nil {
		s.t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		s.t.Fatalf("validator: %v", errs)
	}
	return &docServer{server: s, doc: v}
}

// documented does a request like do, and fails the test unless the answer matches the document.
func (s *docServer) documented(method, path, key string, body []byte, hdr ...string) resp {
	s.t.Helper()
	req, out := s.exchange(method, path, key, body, append([]string{"Content-Type", "application/json"}, hdr...)...)
	res := out.http
	res.Body = io.NopCloser(bytes.NewReader(out.Raw))
	if ok, verrs := s.doc.ValidateHttpResponse(req, res); !ok {
		for _, e := range verrs {
			var detail []string
			for _, f := range e.SchemaValidationErrors {
				detail = append(detail, f.FieldPath+": "+f.Reason)
			}
			s.t.Errorf("%s %s (%d) does not match the document: %s %s %v\n%.600s", method, path, res.StatusCode, e.Message, e.Reason, detail, out.Raw)
		}
	}
	return out
}

func (s *docServer) webhook(payload []byte, sig string) resp {
	s.t.Helper()
	return s.documented("POST", "/api/credits/webhook", "", payload, "Stripe-Signature", sig)
}

func TestCreditPackages(t *testing.T) {
	s := withDoc(newServer(t, store.SQLite))
	r := s.documented("GET", "/api/credits/packages", "", nil)
	list, _ := r.Body["data"].([]any)
	if r.Status != 200 || r.Body["success"] != true || len(list) != len(cardpay.Packages()) {
		t.Fatalf("packages: %d %s", r.Status, r.Raw)
	}
	for i, p := range cardpay.Packages() {
		got, _ := list[i].(map[string]any)
		if got["id"] != p.ID || got["name"] != p.Name || got["credits"] != float64(p.Credits.Units()) ||
			got["amountCents"] != float64(p.AmountCents) {
			t.Errorf("package %d: %v, want %+v", i, got, p)
		}
		if v, ok := got["stripePriceId"]; !ok || v != nil {
			t.Errorf("package %d: stripePriceId %v (present %v), want null", i, v, ok)
		}
	}
}

// TestCheckoutNotConfigured: a server without Stripe settings says so clearly (503), after
// checking the request, and moves nothing.
func TestCheckoutNotConfigured(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := withDoc(newServer(t, e))
		key := s.guest()
		r := s.documented("POST", "/api/credits/checkout", key, []byte(`{"packageId":"pkg_1000"}`))
		msg, _ := r.Body["message"].(string)
		if r.Status != 503 || r.Body["success"] != false || r.Body["error"] != "CARD_PAYMENTS_NOT_CONFIGURED" ||
			!strings.Contains(msg, "card payments are not configured on this server") {
			t.Fatalf("checkout without keys: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("POST", "/api/credits/checkout", key, []byte(`{"packageId":"pkg_nope"}`)); r.Status != 400 ||
			r.Body["error"] != "VALIDATION_ERROR" || r.Body["field"] != "packageId" {
			t.Fatalf("unknown package: %d %s", r.Status, r.Raw)
		}
		if r := s.documented("POST", "/api/credits/checkout", "", []byte(`{"packageId":"pkg_1000"}`)); r.Status != 401 {
			t.Fatalf("no key: %d %s", r.Status, r.Raw)
		}
		payload := cardpaytest.Event("evt_x", "checkout.session.completed", cardpaytest.PaidSession("cs_x", "a", "pkg_1000", "1000"))
		if r := s.webhook(payload, cardpaytest.Sign(payload, cardpaytest.WebhookSecret)); r.Status != 503 ||
			r.Body["error"] != "CARD_PAYMENTS_NOT_CONFIGURED" {
			t.Fatalf("webhook without secret: %d %s", r.Status, r.Raw)
		}
		ledgertest.Check(t, s.app.DB)
	})
}

// TestCardPurchase buys a package end to end: checkout through stripe-go against stripe-mock,
// then Stripe's signed webhook credits it exactly once.
func TestCardPurchase(t *testing.T) {
	mock := cardpaytest.MockURL(t)
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		s := withDoc(newCardServer(t, e, mock))
		key := s.guest()
		me := data(s.do("GET", "/api/me", key, nil))["id"].(string)

		bad := []struct{ body, field string }{
			{`{"packageId":"pkg_nope"}`, "packageId"}, {`{}`, "packageId"}, {`{"packageId":1000}`, "packageId"},
			{`{"packageId":`, "body"}, {``, "body"},
		}
		for _, c := range bad {
			if r := s.documented("POST", "/api/credits/checkout", key, []byte(c.body)); r.Status != 400 || r.Body["error"] != "VALIDATION_ERROR" || r.Body["field"] != c.field {
				t.Errorf("%s: %d %s (want field %s)", c.body, r.Status, r.Raw, c.field)
			}
		}

		r := s.documented("POST", "/api/credits/checkout", key, []byte(`{"packageId":"pkg_5000"}`))
		url, _ := data(r)["url"].(string)
		sid, _ := data(r)["sessionId"].(string)
		if r.Status != 200 || !strings.HasPrefix(url, "https://") || !strings.HasPrefix(sid, "cs_") {
			t.Fatalf("checkout: %d %s", r.Status, r.Raw)
		}
		if n := s.count(`SELECT COUNT(*) FROM credit_purchases WHERE id = ? AND account_id = ? AND package_id = 'pkg_5000'
			AND credits = 5000000000 AND amount_cents = 4499 AND status = 'created'`, sid, me); n != 1 {
			t.Fatalf("purchase row for %s: %d", sid, n)
		}
		credits := func() float64 { return data(s.do("GET", "/api/me", key, nil))["credits"].(float64) }

		// A bad signature is refused, names the header, and moves nothing.
		paid := cardpaytest.PaidSession(sid, me, "pkg_5000", "5000")
		event := cardpaytest.Event("evt_card_1", "checkout.session.completed", paid)
		for _, sig := range []string{"", "t=1,v1=abc", cardpaytest.Sign(event, "whsec_wrong")} {
			if r := s.webhook(event, sig); r.Status != 400 || r.Body["error"] != "VALIDATION_ERROR" || r.Body["field"] != "Stripe-Signature" {
				t.Fatalf("bad signature %q: %d %s", sig, r.Status, r.Raw)
			}
		}
		if c := credits(); c != 0 {
			t.Fatalf("credits %v after bad signatures", c)
		}

		// The signed event credits the package once.
		if r := s.webhook(event, cardpaytest.Sign(event, cardpaytest.WebhookSecret)); r.Status != 200 || data(r)["received"] != true {
			t.Fatalf("webhook: %d %s", r.Status, r.Raw)
		}
		if c := credits(); c != 5000 {
			t.Fatalf("credits %v, want 5000", c)
		}
		// The same event again (Stripe redelivers), and a second distinct event for the session.
		if r := s.webhook(event, cardpaytest.Sign(event, cardpaytest.WebhookSecret)); r.Status != 200 {
			t.Fatalf("redelivery: %d %s", r.Status, r.Raw)
		}
		second := cardpaytest.Event("evt_card_2", "checkout.session.completed", paid)
		if r := s.webhook(second, cardpaytest.Sign(second, cardpaytest.WebhookSecret)); r.Status != 200 {
			t.Fatalf("second event: %d %s", r.Status, r.Raw)
		}
		// An event that contradicts the purchase (another package) is refused.
		forged := cardpaytest.PaidSession(sid, me, "pkg_30000", "30000")
		fe := cardpaytest.Event("evt_card_3", "checkout.session.completed", forged)
		if r := s.webhook(fe, cardpaytest.Sign(fe, cardpaytest.WebhookSecret)); r.Status != 409 {
			t.Fatalf("mismatched event: %d %s", r.Status, r.Raw)
		}
		// Unrelated events are acknowledged.
		other := cardpaytest.Event("evt_card_4", "payment_intent.succeeded", map[string]any{"id": "pi_1", "object": "payment_intent"})
		if r := s.webhook(other, cardpaytest.Sign(other, cardpaytest.WebhookSecret)); r.Status != 200 {
			t.Fatalf("other event: %d %s", r.Status, r.Raw)
		}
		if c := credits(); c != 5000 {
			t.Fatalf("credits %v after replays, want 5000", c)
		}
		if n := s.count(`SELECT COUNT(*) FROM credit_purchases WHERE id = ? AND status = 'paid' AND event_id = 'evt_card_1'`, sid); n != 1 {
			t.Fatal("purchase not marked paid by the first event")
		}
		rep := ledgertest.Check(t, s.app.DB)
		if rep.Transfers != 1 {
			t.Fatalf("%d transfers, want 1", rep.Transfers)
		}
	})
}
