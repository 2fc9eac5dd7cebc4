package v1api

import (
	"encoding/json"
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

// PaidResources are the payable resources with the offers their 402 answers make: what every
// discovery file (/.well-known/x402, api-catalog, ucp, skill.json, the x402 agent skill) lists.
func (a *API) PaidResources(r *http.Request) []WellKnownResource { return a.wellKnown(r).Items }

// LinksetType is the media type of /.well-known/api-catalog (RFC 9727 §4: a linkset, RFC 9264).
const LinksetType = `application/linkset+json; profile="https://www.rfc-editor.org/info/rfc9727"`

// Link is a link target of a linkset (RFC 9264 §4.2): href and target attributes; extension
// attributes are arrays.
type Link struct {
	Href  string   `json:"href"`
	Type  string   `json:"type,omitempty"`
	Title string   `json:"title,omitempty"`
	Price []string `json:"price_usd,omitempty"`
	Verb  []string `json:"method,omitempty"`
}

// LinkContext is one context (anchor) of a linkset with its links by relation type.
type LinkContext struct {
	Anchor      string `json:"anchor"`
	Item        []Link `json:"item,omitempty"`
	ServiceDesc []Link `json:"service-desc,omitempty"`
	ServiceDoc  []Link `json:"service-doc,omitempty"`
	ServiceMeta []Link `json:"service-meta,omitempty"`
	Status      []Link `json:"status,omitempty"`
}

// Linkset is /.well-known/api-catalog.
type Linkset struct {
	Linkset []LinkContext `json:"linkset"`
}

// apiCatalog is RFC 9727's catalog: the catalog lists Arcade's APIs as items; the /api/v1 API
// is described by /openapi.json and documented by the agent skill, and each payable resource is
// an item of it with its method and price from the price table.
func (a *API) apiCatalog(r *http.Request) Linkset {
	b := a.base(r)
	v1 := LinkContext{Anchor: b + "/api/v1",
		ServiceDesc: []Link{{Href: b + "/openapi.json", Type: "application/vnd.oai.openapi+json;version=3.1"}},
		ServiceDoc:  []Link{{Href: b + "/.well-known/agent-skills/arcade-x402/SKILL.md", Type: "text/markdown", Title: "How to pay and play with x402"}},
		ServiceMeta: []Link{{Href: b + "/.well-known/x402", Type: "application/json", Title: "x402 payable resources"},
			{Href: b + "/.well-known/ucp", Type: "application/json", Title: "UCP profile"}},
		Status: []Link{{Href: b + "/healthz", Type: "application/json"}}}
	for _, it := range a.PaidResources(r) {
		v1.Item = append(v1.Item, Link{Href: it.Resource, Type: "application/json", Title: it.Description, Price: []string{it.PriceUSD}, Verb: []string{it.Method}})
	}
	return Linkset{Linkset: []LinkContext{
		{Anchor: b + "/.well-known/api-catalog", Item: []Link{{Href: b + "/api/v1", Title: "Pay-per-play casino (x402)"},
			{Href: b + "/api", Title: "Free Credits games (API key)"}, {Href: b + "/mcp", Title: "MCP server"}}},
		v1,
		{Anchor: b + "/api", ServiceDesc: []Link{{Href: b + "/openapi.json", Type: "application/vnd.oai.openapi+json;version=3.1"}},
			ServiceDoc: []Link{{Href: b + "/agent-skill.md", Type: "text/markdown"}}},
	}}
}

// UCPVersion is the Universal Commerce Protocol profile version /.well-known/ucp follows.
const UCPVersion = "2026-04-08"

// ucp is the UCP business profile: Arcade's own service (reverse-domain named, REST, described
// by /openapi.json), its play capability with the priced resources, and x402 as the payment
// handler with each network's offer.
func (a *API) ucp(r *http.Request) map[string]any {
	b := a.base(r)
	var resources []any
	for _, it := range a.PaidResources(r) {
		resources = append(resources, map[string]any{"method": it.Method, "resource": it.Resource, "price_usd": it.PriceUSD, "amount": it.Accepts[0].Amount})
	}
	var handlers []any
	for _, o := range a.Paywall.Offers(1) {
		handlers = append(handlers, map[string]any{"id": "x402-" + o.Network, "name": "org.x402.exact", "version": "2",
			"spec": "https://github.com/coinbase/x402/blob/main/specs/x402-specification-v2.md",
			"config": map[string]any{"scheme": o.Scheme, "network": o.Network, "asset": o.Asset, "pay_to": o.PayTo, "extra": o.Extra,
				"headers": map[string]any{"required": x402.HeaderPaymentRequired, "payment": x402.HeaderPaymentSignature, "response": x402.HeaderPaymentResponse}}})
	}
	return map[string]any{"ucp": map[string]any{"version": UCPVersion,
		"services": map[string]any{"dev.arcade.casino": []any{map[string]any{"version": UCPVersion, "transport": "rest",
			"endpoint": b + "/api/v1", "schema": b + "/openapi.json", "spec": b + "/.well-known/agent-skills/arcade-x402/SKILL.md"}}},
		"capabilities": map[string]any{
			"dev.arcade.casino.play": []any{map[string]any{"version": UCPVersion, "schema": b + "/openapi.json",
				"config": map[string]any{"resources": resources}}},
			"dev.ucp.common.identity_linking": []any{map[string]any{"version": UCPVersion,
				"config": map[string]any{"method": "siwe", "nonce": b + "/api/auth/siwe/nonce", "verify": b + "/api/auth/siwe/verify"}}},
		},
		"payment_handlers": handlers,
	}}
}

// SkillMarkdown is the x402 agent skill (an Agent Skills SKILL.md), generated from the same
// routes and price table as the 402 answers.
func (a *API) SkillMarkdown(r *http.Request) string {
	b := a.base(r)
	var sb strings.Builder
	sb.WriteString("---\nname: arcade-x402\ndescription: Play Arcade's provably-fair casino paid per call with x402 (USDC, EIP-3009): coinflip, dice, roulette, slots; balance, withdrawals, fairness.\n---\n\n")
	sb.WriteString("# Arcade pay-per-play (x402)\n\nCall a paid resource without payment: the answer is 402 with PAYMENT-REQUIRED (base64 JSON; the same JSON is the body). " +
		"Sign an EIP-3009 TransferWithAuthorization for one of `accepts` and resend with PAYMENT-SIGNATURE (X-PAYMENT works too). " +
		"The settlement comes back in PAYMENT-RESPONSE. The payer is the wallet that signed; payouts go to its in-house USDC balance.\n\n")
	sb.WriteString("1. `GET " + b + "/api/v1/seed/commit` (free): snapshot the server seed's commitment.\n" +
		"2. `POST " + b + "/api/v1/games/{game}?stake=micro|standard|whale` with `{client_seed, nonce, ...}` (nonce increasing): pay the 402.\n" +
		"3. `GET " + b + "/api/v1/seed/reveal?seed_id=...` once rotated: recompute every bet offline.\n\n")
	sb.WriteString("## Paid resources\n\n| method | resource | price (USD) | amount (micro-USDC) |\n|---|---|---|---|\n")
	for _, it := range a.PaidResources(r) {
		sb.WriteString("| " + it.Method + " | " + it.Resource + " | " + it.PriceUSD + " | " + it.Accepts[0].Amount + " |\n")
	}
	sb.WriteString("\n## Networks\n\n")
	for _, o := range a.Paywall.Offers(1) {
		sb.WriteString("- `" + o.Network + "`: asset " + o.Asset + ", pay to " + o.PayTo + "\n")
	}
	sb.WriteString("\nFree: `GET " + b + "/api/v1/games` (rules, payouts, return to player). Every route: " + b + "/openapi.json.\n")
	return sb.String()
}

func (a *API) registerWellKnown(rt *httpapi.Router) {
	rt.Handle(httpapi.Op{Method: "GET", Path: "/.well-known/x402", ID: "wellKnownX402", Tag: "discovery",
		Summary: "Every payable resource with its x402 offers, from the same price table as the 402 answers.", Resp: WellKnown{},
		Handler: func(w http.ResponseWriter, r *http.Request) { httpapi.WriteJSON(w, http.StatusOK, a.wellKnown(r)) }})
	rt.Handle(httpapi.Op{Method: "GET", Path: "/.well-known/api-catalog", ID: "wellKnownAPICatalog", Tag: "discovery",
		Summary: "The API catalog (RFC 9727): a linkset of Arcade's APIs, their descriptions, and each payable resource with its price.",
		Resp:    Linkset{}, RespType: "application/linkset+json",
		Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", LinksetType)
			w.Header().Set("Link", "<"+a.base(r)+"/.well-known/api-catalog>; rel=\"api-catalog\"")
			w.WriteHeader(http.StatusOK)
			if r.Method != http.MethodHead {
				_ = json.NewEncoder(w).Encode(a.apiCatalog(r))
			}
		}})
	rt.Handle(httpapi.Op{Method: "GET", Path: "/.well-known/ucp", ID: "wellKnownUCP", Tag: "discovery",
		Summary: "The Universal Commerce Protocol profile: the casino service, its priced resources and x402 as the payment handler.",
		Resp:    map[string]any{},
		Handler: func(w http.ResponseWriter, r *http.Request) { httpapi.WriteJSON(w, http.StatusOK, a.ucp(r)) }})
}
