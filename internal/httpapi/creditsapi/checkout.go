package creditsapi

import (
	"net/http"

	"github.com/arcadehq/arcade/internal/cardpay"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
)

// PackageData is one credit package, in the fields of spec 000's reference system.
type PackageData struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	Credits       money.Decimal `json:"credits"`
	AmountCents   int64         `json:"amountCents"`
	StripePriceID *string       `json:"stripePriceId" jsonschema:"nullable"`
}

// CheckoutRequest is POST /api/credits/checkout's body.
type CheckoutRequest struct {
	PackageID string `json:"packageId" jsonschema:"required,description=a package id from GET /api/credits/packages"`
}

// CheckoutData answers POST /api/credits/checkout: send the buyer to url.
type CheckoutData struct {
	URL       string `json:"url"`
	SessionID string `json:"sessionId"`
}

// WebhookAck answers a webhook delivery Stripe may stop retrying.
type WebhookAck struct {
	Received bool `json:"received"`
}

func (a *API) registerCheckout(rt *httpapi.Router) {
	a.handle(rt, a.Ops.Packages, httpapi.Op{Method: "GET", Path: "/api/credits/packages", ID: "listCreditPackages", Tag: "credits",
		Summary: "Credit packages for sale by card (no auth).", Resp: []PackageData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			ps, err := a.Ops.Packages.Invoke(r.Context(), c, ops.None{})
			out := make([]PackageData, len(ps))
			for i, p := range ps {
				out[i] = PackageData{ID: p.ID, Name: p.Name, Credits: p.Credits.Decimal(), AmountCents: p.AmountCents, StripePriceID: optional(p.StripePriceID)}
			}
			return 0, out, err
		})
	a.handle(rt, a.Ops.Checkout, httpapi.Op{Method: "POST", Path: "/api/credits/checkout", ID: "createCreditCheckout", Tag: "credits",
		Description: "The credits arrive once Stripe reports the payment (webhook), exactly once per checkout. " +
			"503 CARD_PAYMENTS_NOT_CONFIGURED when this server does not sell by card.",
		Body: CheckoutRequest{}, Resp: CheckoutData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var req CheckoutRequest
			if _, err := decodeBody(r, &req); err != nil {
				return 0, nil, err
			}
			ch, err := a.Ops.Checkout.Invoke(r.Context(), c, credits.ByID{ID: req.PackageID})
			return 0, CheckoutData{URL: ch.URL, SessionID: ch.ID}, err
		})
	a.handle(rt, a.Ops.Webhook, httpapi.Op{Method: "POST", Path: "/api/credits/webhook", ID: "stripeWebhook", Tag: "credits",
		Description: "For Stripe only. Redelivered and unrelated events are acknowledged and change nothing. " +
			"400 on a missing or bad signature; 503 CARD_PAYMENTS_NOT_CONFIGURED without a webhook secret.",
		Params: []httpapi.Param{{Name: cardpay.SignatureHeader, In: "header", Required: true, Description: "Stripe's signature of the raw body"}},
		Resp:   WebhookAck{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			_, err = a.Ops.Webhook.Invoke(r.Context(), c, credits.Webhook{Payload: raw, Signature: r.Header.Get(cardpay.SignatureHeader)})
			return 0, WebhookAck{Received: err == nil}, err
		})
}
