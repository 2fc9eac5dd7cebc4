package cardpay

import (
	"time"

	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// SignatureHeader is the header Stripe signs webhook payloads in.
const SignatureHeader = "Stripe-Signature"

// outcome says what a webhook delivery did (for the log and the tests).
type outcome string

const (
	credited    outcome = "credited"     // the purchase was paid and its credits posted
	duplicate   outcome = "duplicate"    // the event was handled before: nothing changed
	alreadyPaid outcome = "already_paid" // another event paid this session before: nothing changed
	ignored     outcome = "ignored"      // pays nothing: another event type, not paid yet, or a session not ours
)

// session is the part of a Checkout Session object the webhook reads. It is decoded by hand
// rather than into stripe.CheckoutSession so that the few fields used stay readable whatever API
// version the webhook endpoint renders events in.
type session struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Mode              string            `json:"mode"`
	PaymentStatus     string            `json:"payment_status"`
	ClientReferenceID string            `json:"client_reference_id"`
	Metadata          map[string]string `json:"metadata"`
}

// HandleWebhook verifies and applies one Stripe webhook delivery. A checkout.session.completed
// (or checkout.session.async_payment_succeeded) event whose session is paid credits that
// purchase's credits exactly once; every other verified event is acknowledged and ignored.
//
// Errors: no webhook secret configured → 503 CARD_PAYMENTS_NOT_CONFIGURED; missing, malformed,
// wrong or stale signature → validation error on Stripe-Signature; a verified payload that is not
// an event → validation error on body; an event that contradicts the stored purchase (another
// account or package) → conflict, and nothing moves.
func (s *Service) HandleWebhook(ctx context.Context, payload []byte, sigHeader string) error {
	_, err := s.handleWebhook(ctx, payload, sigHeader)
	return err
}

func (s *Service) handleWebhook(ctx context.Context, payload []byte, sigHeader string) (outcome, error) {
	if s.cfg.WebhookSecret == "" {
		return "", notConfigured("the Stripe webhook", []string{"ARCADE_STRIPE_WEBHOOK_SECRET"})
	}
	// The signature covers the exact bytes; stripe-go checks it (HMAC-SHA256, constant time) and
	// that its timestamp is within 5 minutes. The event's API version is not checked: only the
	// fields of session are read, and those are stable across versions.
	ev, err := webhook.ConstructEventWithOptions(payload, sigHeader, s.cfg.WebhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
	if err != nil {
		return "", webhookError(err)
	}
	if !validID(ev.ID) {
		return "", errs.Invalid("body", "not a Stripe event: missing or malformed id")
	}
	switch ev.Type {
	case stripe.EventTypeCheckoutSessionCompleted, stripe.EventTypeCheckoutSessionAsyncPaymentSucceeded:
	default:
		return ignored, nil
	}
	if ev.Data == nil || len(ev.Data.Raw) == 0 {
		return "", errs.Invalid("body", "event %s has no data.object", ev.Type)
	}
	var cs session
	if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
		return "", errs.Invalid("body", "event %s: data.object is not a checkout session", ev.Type)
	}
	if cs.Object != "checkout.session" || !validID(cs.ID) {
		return "", errs.Invalid("body", "event %s: data.object is not a checkout session", ev.Type)
	}
	if cs.PaymentStatus != string(stripe.CheckoutSessionPaymentStatusPaid) {
		// Completed but not paid yet (a delayed payment method): async_payment_succeeded follows.
		s.log.Info("stripe: checkout completed, payment pending", "event", ev.ID, "session", cs.ID, "payment_status", cs.PaymentStatus)
		return ignored, nil
	}
	var out outcome
	now := s.now() // once per write, not once per run of its function
	err = s.db.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
		out, err = s.applyPaid(ctx, q, now, string(ev.Type), ev.ID, cs)
		return err
	})
	if err != nil {
		return "", err
	}
	s.log.Info("stripe: webhook", "event", ev.ID, "type", ev.Type, "session", cs.ID, "outcome", out)
	return out, nil
}

// applyPaid is the one transaction that pays a purchase: event id first (a redelivery stops
// here), then the guarded status change (a second event for the session stops here), then the
// ledger transfer of the purchase's own credits.
func (s *Service) applyPaid(ctx context.Context, q store.Q, now time.Time, typ, eventID string, cs session) (outcome, error) {
	res, err := q.Exec(ctx, `INSERT INTO stripe_webhook_events (id, type, object_id, received_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (id) DO NOTHING`, eventID, typ, cs.ID, now.UnixMicro())
	if err != nil {
		return "", fmt.Errorf("cardpay: record event: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("cardpay: record event: %w", err)
	} else if n == 0 {
		return duplicate, nil
	}
	p, err := getPurchase(ctx, q, cs.ID)
	if errors.Is(err, errs.ErrNotFound) {
		// Not a session Arcade created (another integration on the same Stripe account): nothing
		// to credit. The event stays recorded, so its redeliveries are no-ops too.
		s.log.Warn("stripe: paid checkout session unknown to Arcade", "event", eventID, "session", cs.ID)
		return ignored, nil
	}
	if err != nil {
		return "", err
	}
	if err := consistent(p, cs); err != nil {
		s.log.Error("stripe: checkout session contradicts its purchase", "event", eventID, "session", cs.ID, "err", err)
		return "", err
	}
	res, err = q.Exec(ctx, `UPDATE credit_purchases SET status = ?, paid_at = ?, event_id = ? WHERE id = ? AND status = ?`,
		StatusPaid, now.UnixMicro(), eventID, p.ID, StatusCreated)
	if err != nil {
		return "", fmt.Errorf("cardpay: mark purchase paid: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return "", fmt.Errorf("cardpay: mark purchase paid: %w", err)
	} else if n == 0 {
		return alreadyPaid, nil
	}
	if err := ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.Credit, From: ledger.SystemAccount(ledger.External, money.Credit),
		To: ledger.UserAccount(p.AccountID, money.Credit), Amount: p.Credits, Kind: "purchase", Ref: p.ID}); err != nil {
		return "", err
	}
	return credited, nil
}

// consistent checks a paid session against the purchase recorded when it was created: the same
// buyer and package (and, when the event carries it, the same number of credits). The credits
// posted are always the purchase's.
func consistent(p Purchase, cs session) error {
	bad := func(what string) error {
		return errs.Conflictf("checkout session %s does not match its purchase: %s differs", cs.ID, what)
	}
	switch {
	case cs.ClientReferenceID != p.AccountID:
		return bad("client_reference_id")
	case cs.Metadata[metaAccount] != "" && cs.Metadata[metaAccount] != p.AccountID:
		return bad("metadata.account_id")
	case cs.Metadata[metaPackage] != p.PackageID:
		return bad("metadata.package_id")
	case cs.Metadata[metaCredits] != "" && cs.Metadata[metaCredits] != p.Credits.String():
		return bad("metadata.credits")
	case cs.Mode != "" && cs.Mode != string(stripe.CheckoutSessionModePayment):
		return bad("mode")
	}
	return nil
}

// webhookError turns stripe-go's verification failures into validation errors: a bad signature
// names the Stripe-Signature header, a verified body that does not parse names the body.
func webhookError(err error) error {
	switch {
	case errors.Is(err, webhook.ErrNotSigned):
		return errs.Invalid(SignatureHeader, "missing: Stripe signs every webhook delivery with this header")
	case errors.Is(err, webhook.ErrInvalidHeader):
		return errs.Invalid(SignatureHeader, "malformed header")
	case errors.Is(err, webhook.ErrNoValidSignature):
		return errs.Invalid(SignatureHeader, "no valid signature for this payload and webhook secret")
	case errors.Is(err, webhook.ErrTooOld):
		return errs.Invalid(SignatureHeader, "timestamp outside the 5-minute tolerance")
	}
	// Past the signature check, the only failure left is the payload's JSON.
	return &errs.Error{Kind: errs.Validation, Field: "body", Message: "not a Stripe event (invalid JSON)", Err: err}
}
