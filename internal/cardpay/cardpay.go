// Package cardpay sells credit packages by card through Stripe Checkout (stripe-go) and credits
// each paid checkout exactly once from Stripe's signed webhook.
package cardpay

import (
	"log/slog"
	"time"

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

// Service is the card-payment service.
type Service struct {
	cfg Config
	db  *store.DB
	now func() time.Time
	log *slog.Logger
}

// New builds the service; it never fails for a missing key (checkout then reports it).
func New(cfg Config, db *store.DB, now func() time.Time, log *slog.Logger) *Service {
	return &Service{cfg: cfg, db: db, now: now, log: log}
}
