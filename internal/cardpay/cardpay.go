// Package cardpay sells credit packages by card through Stripe Checkout (stripe-go) and credits
// each paid checkout exactly once from Stripe's signed webhook.
//
// The flow: CreateCheckout creates a Checkout Session for one package of the fixed catalogue and
// records it in credit_purchases (status 'created'); the customer pays on Stripe's page; Stripe
// calls the webhook with checkout.session.completed; HandleWebhook verifies the signature and, in
// one store.Write, records the event id (a redelivery finds it taken and does nothing), turns the
// purchase 'paid' with a conditional UPDATE (a second, distinct event for the same session finds
// it paid and does nothing) and posts the purchase's credits from the external account to the
// buyer. How many credits arrive is read from our own purchase row, never from the event.
//
// The package holds no HTTP handlers: creditsapi serves the routes.
package cardpay

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/store"
)

// Config configures card payments. With no SecretKey, card payments are off and checkout answers
// a clear error saying so.
type Config struct {
	SecretKey     string // ARCADE_STRIPE_SECRET_KEY
	WebhookSecret string // ARCADE_STRIPE_WEBHOOK_SECRET
	APIBase       string // ARCADE_STRIPE_API_BASE: e.g. the local stripe-mock in tests
	BaseURL       string // ARCADE_BASE_URL: for success and cancel URLs
}

// missing names the settings card payments cannot work without. All three are needed to sell:
// without the webhook secret a paid checkout could never be credited, and without the base URL
// Stripe has nowhere to send the customer back to.
func (c Config) missing() []string {
	var out []string
	if c.SecretKey == "" {
		out = append(out, "ARCADE_STRIPE_SECRET_KEY")
	}
	if c.WebhookSecret == "" {
		out = append(out, "ARCADE_STRIPE_WEBHOOK_SECRET")
	}
	if c.BaseURL == "" {
		out = append(out, "ARCADE_BASE_URL")
	}
	return out
}

// Service is the card-payment service.
type Service struct {
	cfg    Config
	db     *store.DB
	now    func() time.Time
	log    *slog.Logger
	stripe *stripe.Client // nil without a SecretKey
}

// requestTimeout bounds one call to Stripe (stripe-go retries a failed call twice, with the same
// idempotency key, inside the caller's context).
const requestTimeout = 30 * time.Second

// New builds the service; it never fails for a missing key (checkout then reports it).
func New(cfg Config, db *store.DB, now func() time.Time, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Service{cfg: cfg, db: db, now: now, log: log}
	if cfg.SecretKey != "" {
		bc := &stripe.BackendConfig{
			HTTPClient:    &http.Client{Timeout: requestTimeout},
			LeveledLogger: stripeLogger{log},
		}
		// The API base override: every backend (API, Connect, Uploads, MeterEvents) of this client
		// talks to APIBase instead of api.stripe.com. The client is local to the service: the
		// package-level stripe.Key and backends are never touched.
		if cfg.APIBase != "" {
			bc.URL = stripe.String(cfg.APIBase)
		}
		s.stripe = stripe.NewClient(cfg.SecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(bc)))
	}
	if m := cfg.missing(); len(m) > 0 {
		log.Info("card payments are off", "missing", strings.Join(m, ", "))
	}
	return s
}

// Configured reports whether card payments can be sold: a Stripe secret key, a webhook signing
// secret and the public base URL are all set.
func (s *Service) Configured() bool { return len(s.cfg.missing()) == 0 }

// notConfigured is the 503 an entry point answers while a setting it needs is missing.
func notConfigured(what string, missing []string) *errs.Error {
	return &errs.Error{Kind: errs.Unavailable, Code: "CARD_PAYMENTS_NOT_CONFIGURED",
		Message: fmt.Sprintf("card payments are not configured on this server, so %s is unavailable (the operator must set %s)",
			what, strings.Join(missing, ", "))}
}

// stripeLogger sends stripe-go's own log lines to the service's logger.
type stripeLogger struct{ l *slog.Logger }

func (s stripeLogger) Debugf(string, ...any)     {}
func (s stripeLogger) Infof(f string, v ...any)  { s.l.Debug("stripe: " + fmt.Sprintf(f, v...)) }
func (s stripeLogger) Warnf(f string, v ...any)  { s.l.Warn("stripe: " + fmt.Sprintf(f, v...)) }
func (s stripeLogger) Errorf(f string, v ...any) { s.l.Error("stripe: " + fmt.Sprintf(f, v...)) }
