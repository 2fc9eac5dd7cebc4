package cardpay

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/cardpay/cardpaytest"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// configured is a full configuration; APIBase points nowhere unless a test sets it, so a test
// that reaches Stripe by mistake fails instead of calling the real API.
func configured() Config {
	return Config{SecretKey: cardpaytest.SecretKey, WebhookSecret: cardpaytest.WebhookSecret,
		APIBase: "http://127.0.0.1:1", BaseURL: "https://arcade.test/"}
}

type fixture struct {
	svc  *Service
	db   *store.DB
	acct string
}

func newFixture(t testing.TB, e store.Engine, cfg Config) *fixture {
	t.Helper()
	db := storetest.Open(t, e)
	accts := &account.Service{DB: db, Now: time.Now, Rand: rand.Reader}
	a, _, err := accts.SignUp(context.Background(), account.New{Kind: account.Guest}, account.PrefixCredits)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: New(cfg, db, time.Now, quiet), db: db, acct: a.ID}
}

// addPurchase records a created purchase as CreateCheckout does after Stripe answers.
func (f *fixture) addPurchase(t testing.TB, id, pkg string) Package {
	t.Helper()
	p, ok := PackageByID(pkg)
	if !ok {
		t.Fatalf("no package %s", pkg)
	}
	err := f.db.Write(context.Background(), func(ctx context.Context, q store.Q) error {
		_, err := q.Exec(ctx, `INSERT INTO credit_purchases (id, account_id, package_id, credits, amount_cents, currency, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, 'created', ?)`, id, f.acct, p.ID, int64(p.Credits), p.AmountCents, p.Currency, store.Now(ctx).UnixMicro())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) balance(t testing.TB) money.Amount {
	t.Helper()
	var b money.Amount
	err := f.db.Read(context.Background(), func(ctx context.Context, q store.Q) (err error) {
		b, err = ledger.Balance(ctx, q, ledger.UserAccount(f.acct, money.Credit))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Read(context.Background(), func(ctx context.Context, q store.Q) error {
		return q.QueryRow(ctx, query, args...).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) deliver(payload []byte) (outcome, error) {
	return f.svc.handleWebhook(context.Background(), payload, cardpaytest.Sign(payload, cardpaytest.WebhookSecret))
}

func TestCatalogue(t *testing.T) {
	ps := Packages()
	if len(ps) < 2 {
		t.Fatalf("%d packages", len(ps))
	}
	seen := map[string]bool{}
	for i, p := range ps {
		if seen[p.ID] || !strings.HasPrefix(p.ID, "pkg_") || !validID(p.ID) || p.Name == "" {
			t.Errorf("package %d: bad or duplicate id/name %+v", i, p)
		}
		seen[p.ID] = true
		if p.Credits <= 0 || p.Credits%money.Micro != 0 || p.AmountCents <= 0 || p.Currency != "usd" {
			t.Errorf("package %s: credits %d, price %d %s", p.ID, p.Credits, p.AmountCents, p.Currency)
		}
		if p.ID != fmt.Sprintf("pkg_%d", p.Credits.Units()) {
			t.Errorf("package %s grants %s credits: id and credits disagree", p.ID, p.Credits)
		}
		if i > 0 && (p.AmountCents <= ps[i-1].AmountCents ||
			p.AmountCents*int64(ps[i-1].Credits) > ps[i-1].AmountCents*int64(p.Credits)) {
			t.Errorf("package %s is not cheaper per credit than %s", p.ID, ps[i-1].ID)
		}
		if q, ok := PackageByID(p.ID); !ok || q != p {
			t.Errorf("PackageByID(%s) = %+v, %v", p.ID, q, ok)
		}
	}
	ps[0].Credits = 1 // a copy: the catalogue cannot be changed through it
	if Packages()[0].Credits == 1 {
		t.Fatal("Packages exposes the catalogue")
	}
	for _, id := range []string{"", "pkg_1", "PKG_1000", "pkg_1000 "} {
		if _, ok := PackageByID(id); ok {
			t.Errorf("PackageByID(%q) found a package", id)
		}
	}
}

func TestNotConfigured(t *testing.T) {
	cases := []struct {
		name    string
		cfg     Config
		missing string
	}{
		{"nothing", Config{}, "ARCADE_STRIPE_SECRET_KEY, ARCADE_STRIPE_WEBHOOK_SECRET, ARCADE_BASE_URL"},
		{"no webhook secret", Config{SecretKey: "sk_test_x", BaseURL: "https://a.test"}, "ARCADE_STRIPE_WEBHOOK_SECRET"},
		{"no base url", Config{SecretKey: "sk_test_x", WebhookSecret: "whsec_x"}, "ARCADE_BASE_URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, store.SQLite, c.cfg)
			if f.svc.Configured() {
				t.Fatal("Configured() = true")
			}
			_, err := f.svc.CreateCheckout(context.Background(), f.acct, "pkg_1000")
			e := errs.As(err)
			if e == nil || e.Kind != errs.Unavailable || e.Code != "CARD_PAYMENTS_NOT_CONFIGURED" ||
				!strings.Contains(e.Message, "card payments are not configured on this server") || !strings.Contains(e.Message, c.missing) {
				t.Fatalf("CreateCheckout: %v", err)
			}
			// Input errors still come first: the caller learns the package id is wrong either way.
			if _, err := f.svc.CreateCheckout(context.Background(), f.acct, "pkg_nope"); errs.As(err) == nil || errs.As(err).Field != "packageId" {
				t.Fatalf("unknown package: %v", err)
			}
		})
	}
	f := newFixture(t, store.SQLite, Config{SecretKey: "sk_test_x"})
	payload := cardpaytest.Event("evt_1", "checkout.session.completed", cardpaytest.PaidSession("cs_1", f.acct, "pkg_1000", "1000"))
	err := f.svc.HandleWebhook(context.Background(), payload, cardpaytest.Sign(payload, "whsec_any"))
	if e := errs.As(err); e == nil || e.Kind != errs.Unavailable || e.Code != "CARD_PAYMENTS_NOT_CONFIGURED" ||
		!strings.Contains(e.Message, "ARCADE_STRIPE_WEBHOOK_SECRET") {
		t.Fatalf("webhook without secret: %v", err)
	}
	if !newFixture(t, store.SQLite, configured()).svc.Configured() {
		t.Fatal("full configuration is not Configured")
	}
}

func TestCheckoutValidation(t *testing.T) {
	f := newFixture(t, store.SQLite, configured())
	for _, id := range []string{"", "pkg_1", "1000", "pkg_1000\x00"} {
		_, err := f.svc.CreateCheckout(context.Background(), f.acct, id)
		if e := errs.As(err); e == nil || e.Kind != errs.Validation || e.Field != "packageId" {
			t.Errorf("package %q: %v", id, err)
		}
	}
	if n := f.count(t, `SELECT COUNT(*) FROM credit_purchases`); n != 0 {
		t.Fatalf("%d purchases recorded", n)
	}
}

// TestWebhook drives every path of the webhook against a recorded purchase; no Stripe API is
// involved, so it runs everywhere.
func TestWebhook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e, configured())
		ctx := context.Background()
		p := f.addPurchase(t, "cs_test_paid", "pkg_5000")
		paid := cardpaytest.PaidSession("cs_test_paid", f.acct, p.ID, p.Credits.String())
		good := cardpaytest.Event("evt_good", "checkout.session.completed", paid)

		// Signatures: missing, malformed, wrong secret, stale, for another payload. Nothing moves.
		stale := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: good, Secret: cardpaytest.WebhookSecret,
			Timestamp: time.Now().Add(-10 * time.Minute)}).Header
		for name, hdr := range map[string]string{
			"missing":       "",
			"malformed":     "garbage",
			"wrong secret":  cardpaytest.Sign(good, "whsec_other"),
			"stale":         stale,
			"other payload": cardpaytest.Sign([]byte(`{}`), cardpaytest.WebhookSecret),
		} {
			err := f.svc.HandleWebhook(ctx, good, hdr)
			if e := errs.As(err); e == nil || e.Kind != errs.Validation || e.Field != SignatureHeader {
				t.Errorf("%s signature: %v", name, err)
			}
		}
		if b := f.balance(t); b != 0 {
			t.Fatalf("balance %s after bad signatures", b)
		}

		// Events that pay nothing: other types, not yet paid, a session that is not ours.
		unpaid := paid
		unpaid.PaymentStatus = "unpaid"
		other := cardpaytest.PaidSession("cs_test_not_ours", "someone", "pkg_1000", "1000")
		for _, c := range []struct {
			name    string
			payload []byte
		}{
			{"other type", cardpaytest.Event("evt_other", "customer.created", map[string]any{"id": "cus_1", "object": "customer"})},
			{"expired", cardpaytest.Event("evt_expired", "checkout.session.expired", paid)},
			{"unpaid", cardpaytest.Event("evt_unpaid", "checkout.session.completed", unpaid)},
			{"not ours", cardpaytest.Event("evt_not_ours", "checkout.session.completed", other)},
		} {
			if out, err := f.deliver(c.payload); err != nil || out != ignored {
				t.Errorf("%s: %s, %v", c.name, out, err)
			}
		}

		// Events that contradict the purchase: refused, nothing recorded, so a corrected
		// redelivery could still apply.
		for _, mut := range []func(*cardpaytest.Session){
			func(s *cardpaytest.Session) { s.ClientReferenceID = "someone-else" },
			func(s *cardpaytest.Session) { s.Metadata = map[string]string{"package_id": "pkg_30000"} },
			func(s *cardpaytest.Session) { s.Metadata["credits"] = "30000" },
			func(s *cardpaytest.Session) { s.Metadata["account_id"] = "someone-else" },
		} {
			s := cardpaytest.PaidSession(paid.ID, f.acct, p.ID, p.Credits.String())
			mut(&s)
			_, err := f.deliver(cardpaytest.Event("evt_bad", "checkout.session.completed", s))
			if e := errs.As(err); e == nil || e.Kind != errs.Conflict {
				t.Errorf("mismatched session %+v: %v", s, err)
			}
		}
		if n := f.count(t, `SELECT COUNT(*) FROM stripe_webhook_events WHERE id = 'evt_bad'`); n != 0 {
			t.Fatal("a refused event was recorded")
		}
		if b := f.balance(t); b != 0 {
			t.Fatalf("balance %s before the paying event", b)
		}

		// The paying event credits once; its redelivery and a second event for the session do not.
		if out, err := f.deliver(good); err != nil || out != credited {
			t.Fatalf("paying event: %s, %v", out, err)
		}
		if out, err := f.deliver(good); err != nil || out != duplicate {
			t.Fatalf("redelivery: %s, %v", out, err)
		}
		async := cardpaytest.Event("evt_async", "checkout.session.async_payment_succeeded", paid)
		if out, err := f.deliver(async); err != nil || out != alreadyPaid {
			t.Fatalf("second event: %s, %v", out, err)
		}
		if b := f.balance(t); b != p.Credits {
			t.Fatalf("balance %s, want %s", b, p.Credits)
		}
		got, err := f.svc.GetPurchase(ctx, "cs_test_paid")
		if err != nil || got.Status != StatusPaid || got.EventID != "evt_good" || got.PaidAt == nil || got.Credits != p.Credits ||
			got.AccountID != f.acct || got.AmountCents != p.AmountCents {
			t.Fatalf("purchase %+v, %v", got, err)
		}
		if _, err := f.svc.GetPurchase(ctx, "cs_nope"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("missing purchase: %v", err)
		}
		rep := ledgertest.Check(t, f.db)
		if rep.Transfers != 1 || rep.ByKind[money.Credit][ledger.External] != -p.Credits {
			t.Fatalf("ledger: %d transfers, external %s", rep.Transfers, rep.ByKind[money.Credit][ledger.External])
		}
	})
}

// TestConcurrentWebhooks: distinct events for one session, delivered at once, credit it once.
func TestConcurrentWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := newFixture(t, e, configured())
		p := f.addPurchase(t, "cs_test_race", "pkg_1000")
		paid := cardpaytest.PaidSession("cs_test_race", f.acct, p.ID, p.Credits.String())
		const n = 24
		outs := make(chan outcome, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := f.deliver(cardpaytest.Event(fmt.Sprintf("evt_race_%d", i%8), "checkout.session.completed", paid))
				if err != nil {
					t.Error(err)
				}
				outs <- out
			}()
		}
		wg.Wait()
		close(outs)
		got := map[outcome]int{}
		for o := range outs {
			got[o]++
		}
		if got[credited] != 1 || got[alreadyPaid] != 7 || got[duplicate] != n-8 {
			t.Fatalf("outcomes %v", got)
		}
		if b := f.balance(t); b != p.Credits {
			t.Fatalf("balance %s, want %s", b, p.Credits)
		}
		ledgertest.Check(t, f.db)
	})
}

// TestCheckoutWithStripeMock creates real Checkout Sessions through stripe-go against stripe-mock,
// then pays one through the webhook.
func TestCheckoutWithStripeMock(t *testing.T) {
	mock := cardpaytest.MockURL(t)
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		cfg := configured()
		cfg.APIBase = mock
		f := newFixture(t, e, cfg)
		ctx := context.Background()
		c, err := f.svc.CreateCheckout(ctx, f.acct, "pkg_12000")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(c.ID, "cs_") || !strings.HasPrefix(c.URL, "https://") {
			t.Fatalf("checkout %+v", c)
		}
		c2, err := f.svc.CreateCheckout(ctx, f.acct, "pkg_1000")
		if err != nil || c2.ID == c.ID {
			t.Fatalf("second checkout %+v, %v", c2, err)
		}
		p, err := f.svc.GetPurchase(ctx, c.ID)
		want, _ := PackageByID("pkg_12000")
		if err != nil || p.Status != StatusCreated || p.AccountID != f.acct || p.PackageID != want.ID || p.Credits != want.Credits ||
			p.AmountCents != want.AmountCents || p.PaidAt != nil {
			t.Fatalf("purchase %+v, %v", p, err)
		}
		if out, err := f.deliver(cardpaytest.Event("evt_mock_paid", "checkout.session.completed",
			cardpaytest.PaidSession(c.ID, f.acct, want.ID, want.Credits.String()))); err != nil || out != credited {
			t.Fatalf("pay: %s, %v", out, err)
		}
		if b := f.balance(t); b != want.Credits {
			t.Fatalf("balance %s, want %s", b, want.Credits)
		}
		ledgertest.Check(t, f.db)
	})
}

// TestStripeErrorIsUnavailable: a Stripe that does not answer is a 503-kind error, never a 500,
// and records nothing.
func TestStripeErrorIsUnavailable(t *testing.T) {
	f := newFixture(t, store.SQLite, configured()) // APIBase: a closed port
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := f.svc.CreateCheckout(ctx, f.acct, "pkg_1000")
	if e := errs.As(err); e == nil || e.Kind != errs.Unavailable || e.Code != "CARD_PAYMENT_PROVIDER_ERROR" {
		t.Fatalf("unreachable Stripe: %v", err)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM credit_purchases`); n != 0 {
		t.Fatalf("%d purchases recorded", n)
	}
}

// webhookSeeds feeds FuzzWebhook: well-formed events, near misses and garbage.
var webhookSeeds = [][]byte{
	cardpaytest.Event("evt_seed", "checkout.session.completed", cardpaytest.PaidSession("cs_fuzz", "acct", "pkg_1000", "1000")),
	cardpaytest.Event("evt_seed2", "checkout.session.async_payment_succeeded", cardpaytest.PaidSession("cs_x", "a", "pkg_5000", "5000")),
	cardpaytest.Event("evt_seed3", "invoice.paid", map[string]any{"id": "in_1"}),
	cardpaytest.Event("evt_seed4", "checkout.session.completed", "a string"),
	cardpaytest.Event("evt\u0000nul", "checkout.session.completed", cardpaytest.PaidSession("cs\u0000", "a", "b", "c")),
	[]byte(`{"id":"evt_1","type":"checkout.session.completed","data":null}`),
	[]byte(`{"id":"evt_1","type":"checkout.session.completed","data":{}}`),
	[]byte(`{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"object":"checkout.session","id":"cs_1","payment_status":"paid","metadata":{"credits":5}}}}`),
	[]byte(`{"id":"evt_1","type":"checkout.session.completed","data":{"object":[1,2]}}`),
	[]byte(`{"id":12,"type":true}`),
	[]byte(`[]`), []byte(`null`), []byte(``), []byte(`{`), []byte("\xff\xfe"),
}

// FuzzWebhook: whatever the payload and Stripe-Signature header, HandleWebhook never panics and
// never fails with an internal (500) error, accepts nothing it did not see signed with the
// secret, and at most credits the seeded purchase once.
func FuzzWebhook(f *testing.F) {
	for i, s := range webhookSeeds {
		f.Add(s, true, "")
		f.Add(s, false, []string{"", "t=1,v1=00", "garbage", "t=x,v1=zz,v0=", cardpaytest.Sign(s, "whsec_other")}[i%5])
	}
	fx := newFixture(f, store.SQLite, configured())
	fx.addPurchase(f, "cs_fuzz", "pkg_1000")
	f.Fuzz(func(t *testing.T, payload []byte, sign bool, hdr string) {
		if sign {
			hdr = cardpaytest.Sign(payload, cardpaytest.WebhookSecret)
		}
		err := fx.svc.HandleWebhook(context.Background(), payload, hdr)
		if err != nil && errs.KindOf(err) == errs.Internal {
			t.Fatalf("internal error for %q: %v", payload, err)
		}
		if !sign && err == nil {
			t.Fatalf("unsigned payload accepted: %q", payload)
		}
		if b := fx.balance(t); b != 0 && b != 1_000*money.Micro {
			t.Fatalf("balance %s", b)
		}
	})
}
