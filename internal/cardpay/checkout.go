package cardpay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// Purchase statuses.
const (
	StatusCreated = "created" // checkout session created, not paid (yet)
	StatusPaid    = "paid"    // paid and credited, exactly once
)

// Checkout is a created Stripe Checkout Session: send the customer to URL.
type Checkout struct {
	ID  string // Stripe's session id, also the purchase id
	URL string
}

// Purchase is one card purchase of a credit package.
type Purchase struct {
	ID          string // the Stripe Checkout Session id
	AccountID   string
	PackageID   string
	Credits     money.Amount
	AmountCents int64
	Currency    string
	Status      string
	EventID     string // the webhook event that paid it
	CreatedAt   time.Time
	PaidAt      *time.Time
}

// Metadata keys set on every Checkout Session (and its PaymentIntent), for people reading the
// Stripe dashboard and for the webhook's consistency check.
const (
	metaAccount = "account_id"
	metaPackage = "package_id"
	metaCredits = "credits"
)

// CreateCheckout creates a Stripe Checkout Session selling one package to accountID and records
// it as a 'created' purchase. Unknown packages are a validation error on packageId; while card
// payments are not configured the error is 503 CARD_PAYMENTS_NOT_CONFIGURED.
func (s *Service) CreateCheckout(ctx context.Context, accountID, packageID string) (Checkout, error) {
	p, err := lookupPackage(packageID)
	if err != nil {
		return Checkout{}, err
	}
	if m := s.cfg.missing(); len(m) > 0 {
		return Checkout{}, notConfigured("buying credits by card", m)
	}
	meta := map[string]string{metaAccount: accountID, metaPackage: p.ID, metaCredits: p.Credits.String()}
	item := &stripe.CheckoutSessionCreateLineItemParams{Quantity: stripe.Int64(1)}
	if p.StripePriceID != "" {
		item.Price = stripe.String(p.StripePriceID)
	} else {
		item.PriceData = &stripe.CheckoutSessionCreateLineItemPriceDataParams{
			Currency:    stripe.String(p.Currency),
			UnitAmount:  stripe.Int64(p.AmountCents),
			ProductData: &stripe.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripe.String("Arcade: " + p.Name)},
		}
	}
	params := &stripe.CheckoutSessionCreateParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModePayment)),
		LineItems:         []*stripe.CheckoutSessionCreateLineItemParams{item},
		ClientReferenceID: stripe.String(accountID),
		Metadata:          meta,
		PaymentIntentData: &stripe.CheckoutSessionCreatePaymentIntentDataParams{Metadata: meta},
		SuccessURL:        stripe.String(s.cfg.BaseURL + "/dashboard?checkout=success&session_id={CHECKOUT_SESSION_ID}"),
		CancelURL:         stripe.String(s.cfg.BaseURL + "/dashboard?checkout=cancelled"),
	}
	sess, err := s.stripe.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		s.log.Error("stripe: create checkout session", "account", accountID, "package", p.ID, "err", err)
		return Checkout{}, &errs.Error{Kind: errs.Unavailable, Code: "CARD_PAYMENT_PROVIDER_ERROR",
			Message: "the card payment provider could not start a checkout; retry later", Err: err}
	}
	if sess.ID == "" || sess.URL == "" || !validID(sess.ID) {
		return Checkout{}, fmt.Errorf("cardpay: stripe answered a checkout session without a usable id or url (id %q)", sess.ID)
	}
	now := s.now()
	err = s.db.Write(ctx, func(ctx context.Context, q store.Q) error {
		_, err := q.Exec(ctx, `INSERT INTO credit_purchases (id, account_id, package_id, credits, amount_cents, currency, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, sess.ID, accountID, p.ID, int64(p.Credits), p.AmountCents, p.Currency, StatusCreated, now.UnixMicro())
		return err
	})
	if err != nil {
		// The session stays unused on Stripe's side and expires; the customer never saw its URL.
		return Checkout{}, fmt.Errorf("cardpay: record purchase %s: %w", sess.ID, err)
	}
	return Checkout{ID: sess.ID, URL: sess.URL}, nil
}

// GetPurchase reads one purchase by its session id.
func (s *Service) GetPurchase(ctx context.Context, id string) (Purchase, error) {
	var p Purchase
	err := s.db.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
		p, err = getPurchase(ctx, q, id)
		return err
	})
	return p, err
}

func getPurchase(ctx context.Context, q store.Q, id string) (Purchase, error) {
	var p Purchase
	var credits, created int64
	var event sql.NullString
	var paid sql.NullInt64
	err := q.QueryRow(ctx, `SELECT id, account_id, package_id, credits, amount_cents, currency, status, event_id, created_at, paid_at
		FROM credit_purchases WHERE id = ?`, id).Scan(&p.ID, &p.AccountID, &p.PackageID, &credits, &p.AmountCents, &p.Currency,
		&p.Status, &event, &created, &paid)
	if errors.Is(err, sql.ErrNoRows) {
		return Purchase{}, errs.NotFoundf("no such purchase")
	}
	if err != nil {
		return Purchase{}, fmt.Errorf("cardpay: read purchase: %w", err)
	}
	p.Credits, p.EventID, p.CreatedAt = money.Amount(credits), event.String, time.UnixMicro(created).UTC()
	if paid.Valid {
		t := time.UnixMicro(paid.Int64).UTC()
		p.PaidAt = &t
	}
	return p, nil
}

// validID accepts Stripe object ids ("evt_1Nx…", "cs_test_a1…"): 1 to 255 characters of
// [A-Za-z0-9_-]. Anything else is not from Stripe, and is kept out of the database (PostgreSQL
// text refuses NUL, for one).
func validID(id string) bool {
	if id == "" || len(id) > 255 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
