package creditsapi

import (
	"net/http"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/cardpay"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
)

// PackageData is one credit package, in the fields of spec 000's reference system.
type PackageData struct {
	ID            string       `json:"id"`
	Name          string       `json:"name"`
	Credits       money.Amount `json:"credits"`
	AmountCents   int64        `json:"amountCents"`
	StripePriceID *string      `json:"stripePriceId" jsonschema:"nullable"`
}

// CheckoutRequest is POST /api/credits/checkout's body.
type CheckoutRequest struct {
	PackageID string `json:"packageId" jsonschema:"description=a package id from GET /api/credits/packages"`
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
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/credits/packages", ID: "listCreditPackages", Tag: "credits",
		Summary: "Credit packages for sale by card (no auth).", Resp: []PackageData{}},
		func(*http.Request, account.Account) (int, any, error) {
			ps := cardpay.Packages()
			out := make([]PackageData, len(ps))
			for i, p := range ps {
				out[i] = PackageData{ID: p.ID, Name: p.Name, Credits: p.Credits, AmountCents: p.AmountCents, StripePriceID: optional(p.StripePriceID)}
			}
			return 0, out, nil
		})
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/credits/checkout", ID: "createCreditCheckout", Tag: "credits", Auth: httpapi.AuthBearer,
		Summary: "Start buying a credit package by card: answers a Stripe Checkout URL to send the buyer to.",
		Description: "The credits arrive once Stripe reports the payment (webhook), exactly once per checkout. " +
			"503 CARD_PAYMENTS_NOT_CONFIGURED when this server does not sell by card.",
		Body: CheckoutRequest{}, Resp: CheckoutData{}, Errors: []int{400, 503}},
		func(r *http.Request, me account.Account) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			var req CheckoutRequest
			if err := httpapi.DecodeJSON(raw, &req); err != nil {
				return 0, nil, err
			}
			c, err := a.Card.CreateCheckout(r.Context(), me.ID, req.PackageID)
			if err != nil {
				return 0, nil, err
			}
			return 0, CheckoutData{URL: c.URL, SessionID: c.ID}, nil
		})
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/credits/webhook", ID: "stripeWebhook", Tag: "credits",
		Summary: "Stripe's webhook: verifies the Stripe-Signature header and credits paid checkouts once.",
		Description: "For Stripe only. Redelivered and unrelated events are acknowledged and change nothing. " +
			"400 on a missing or bad signature; 503 CARD_PAYMENTS_NOT_CONFIGURED without a webhook secret.",
		Params: []httpapi.Param{{Name: cardpay.SignatureHeader, In: "header", Required: true, Description: "Stripe's signature of the raw body"}},
		Resp:   WebhookAck{}, Errors: []int{400, 409, 503}},
		func(r *http.Request, _ account.Account) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			if err := a.Card.HandleWebhook(r.Context(), raw, r.Header.Get(cardpay.SignatureHeader)); err != nil {
				return 0, nil, err
			}
			return 0, WebhookAck{Received: true}, nil
		})
}
