package v1api

import (
	"net/http"
	"strings"

	"github.com/arcadehq/arcade/internal/casino"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/x402"
)

// error402Schema is spec 001's Error402: the x402 PAYMENT-REQUIRED body.
var error402Schema = map[string]any{
	"type": "object", "required": []string{"x402Version", "accepts"},
	"description": "x402 PAYMENT-REQUIRED body; the same payload, base64-encoded, is the PAYMENT-REQUIRED header.",
	"properties": map[string]any{
		"x402Version": map[string]any{"type": "integer", "const": 2},
		"error":       map[string]any{"type": "string", "description": "why: the header is missing, or the x402 reason the payment was refused for"},
		"resource": map[string]any{"type": "object", "properties": map[string]any{
			"url": map[string]any{"type": "string", "format": "uri"}, "description": map[string]any{"type": "string"},
			"mimeType": map[string]any{"type": "string"}}},
		"accepts": map[string]any{"type": "array", "items": map[string]any{
			"type": "object", "required": []string{"scheme", "network", "amount", "asset", "payTo"},
			"properties": map[string]any{
				"scheme":            map[string]any{"type": "string", "const": "exact"},
				"network":           map[string]any{"type": "string", "examples": []string{"eip155:31337", "eip155:8453"}},
				"amount":            map[string]any{"type": "string", "description": "micro-USDC, an integer string"},
				"asset":             map[string]any{"type": "string", "description": "the token contract"},
				"payTo":             map[string]any{"type": "string"},
				"maxTimeoutSeconds": map[string]any{"type": "integer"},
				"extra":             map[string]any{"type": "object", "description": "the token's EIP-712 name and version; sandbox: true on the built-in sandbox"},
			}}},
		"extensions": map[string]any{"type": "object", "properties": map[string]any{"bazaar": map[string]any{"type": "object"}}},
	},
}

// paymentInfo is a route's x-payment-info from the price table: fixed for one item, dynamic
// (min, max) for the stake tiers.
func paymentInfo(items []casino.Item) map[string]any {
	protocols := []any{map[string]any{"x402": map[string]any{}}}
	if len(items) == 1 {
		m, _ := casino.PriceOf(items[0])
		return map[string]any{"price": map[string]any{"mode": "fixed", "currency": "USD", "amount": casino.USD(m)}, "protocols": protocols}
	}
	lo, hi := int64(-1), int64(0)
	for _, it := range items {
		m, _ := casino.PriceOf(it)
		if lo < 0 || m < lo {
			lo = m
		}
		hi = max(hi, m)
	}
	return map[string]any{"price": map[string]any{"mode": "dynamic", "currency": "USD", "min": casino.USD(lo), "max": casino.USD(hi)},
		"protocols": protocols}
}

// WellKnownResource is one payable resource of /.well-known/x402.
type WellKnownResource struct {
	Resource    string              `json:"resource"`
	Method      string              `json:"method"`
	Description string              `json:"description"`
	PriceUSD    string              `json:"price_usd"`
	Accepts     []x402.Requirements `json:"accepts"`
}

// WellKnown is /.well-known/x402: every payable resource with its offers.
type WellKnown struct {
	Version      int                 `json:"version"`
	X402Version  int                 `json:"x402Version"`
	Resources    []string            `json:"resources"`
	Items        []WellKnownResource `json:"items"`
	Instructions string              `json:"instructions"`
}

// wellKnown lists each paid route once per price-table item (the games once per stake), with the
// offers a 402 would make.
func (a *API) wellKnown(r *http.Request) WellKnown {
	base := a.base(r)
	doc := WellKnown{Version: 1, X402Version: x402.Version,
		Instructions: "Call a resource without payment to get its 402 (PAYMENT-REQUIRED); pay with an EIP-3009 authorization " +
			"in PAYMENT-SIGNATURE. GET /api/v1/games is free; /openapi.json documents every route."}
	for _, p := range a.paid {
		for _, it := range p.items {
			m, _ := casino.PriceOf(it)
			url := base + p.http.Path
			if strings.HasPrefix(string(it), "bet:") {
				url += "?stake=" + strings.TrimPrefix(string(it), "bet:")
			}
			doc.Resources = append(doc.Resources, url)
			doc.Items = append(doc.Items, WellKnownResource{Resource: url, Method: p.http.Method, Description: p.http.Summary,
				PriceUSD: casino.USD(m), Accepts: a.Paywall.Offers(m)})
		}
	}
	return doc
}

func (a *API) registerWellKnown(rt *httpapi.Router) {
	rt.Handle(httpapi.Op{Method: "GET", Path: "/.well-known/x402", ID: "wellKnownX402", Tag: "discovery",
		Summary: "Every payable resource with its x402 offers, from the same price table as the 402 answers.", Resp: WellKnown{},
		Handler: func(w http.ResponseWriter, r *http.Request) { httpapi.WriteJSON(w, http.StatusOK, a.wellKnown(r)) }})
}
