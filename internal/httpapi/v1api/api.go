// Package v1api is the /api/v1 surface: spec 001, the pay-per-play casino. Each route binds one
// operation of the registry (bets.Ops). Paid operations (ops.Payer) answer 402 with the x402
// offers for their price (PAYMENT-REQUIRED, base64, and the same JSON body), take the payment
// from PAYMENT-SIGNATURE or X-PAYMENT, and return the settlement in PAYMENT-RESPONSE and
// X-PAYMENT-RESPONSE. The mapping from domain errors to this surface's shape lives only in
// errors.go.
package v1api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/casino"
	"github.com/arcadehq/arcade/internal/casino/bets"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/x402"
)

// Guidance is spec 001's guidance for agents (the OpenAPI document's info.x-guidance), as
// Arcade serves it.
const Guidance = `Arcade's /api/v1 is a provably-fair casino designed for autonomous AI agents.

PAYMENT MODEL
- Every paid endpoint returns HTTP 402 with a base64 ` + "`PAYMENT-REQUIRED`" + ` header (and the same JSON body) on first call. Pay with an EIP-3009 USDC authorization on the offered network (the built-in sandbox, eip155:31337, by default; Base or Base Sepolia when the operator configures them) and resubmit with a ` + "`PAYMENT-SIGNATURE`" + ` (or ` + "`X-PAYMENT`" + `) header. The payer wallet is recovered cryptographically from the EIP-3009 authorization — never trust wallet fields in request bodies.
- Game prices are dynamic via ` + "`?stake=micro|standard|whale`" + ` ($0.10 / $1.00 / $10.00). Other paid routes (discovery, balance, bet status) are fixed at $0.01; the withdraw fee is $0.05.

PLAY → SETTLE → REVEAL FLOW
1. Snapshot ` + "`GET /api/v1/seed/commit`" + ` (free) before betting — that hash commits the server seed.
2. Pick a game (` + "`POST /api/v1/games/:game?stake=...`" + `) with a ` + "`client_seed`" + ` and strictly increasing ` + "`nonce`" + `. The response includes ` + "`outcome`" + `, ` + "`payout_micro`" + `, and verification fields. Status is ` + "`settling`" + ` until the payment settles.
3. Confirm with ` + "`GET /api/v1/bets/{id}`" + ` — status flips to ` + "`settled`" + ` and the payout is credited to your in-house balance.
4. Cash out with ` + "`POST /api/v1/withdraw`" + ` ({ amount_micro }) to the same payer address.

IDENTITY (SIWE / SIWX)
- The ` + "`/api/v1/dashboard/*`" + ` routes are wallet-owner-only and gated by a SIWE session cookie (` + "`siwe-session`" + `). They are NOT x402-paid. To use them: ` + "`GET /api/auth/siwe/nonce`" + `, sign an EIP-4361 message, then ` + "`POST /api/auth/siwe/verify`" + ` to set the cookie.

FAIRNESS
- Server seeds are committed in advance and revealed via ` + "`GET /api/v1/seed/reveal?seed_id=...`" + ` once rotated. Every bet can be replayed offline with ` + "`arcade verify`" + `.

DISCOVERY
- This OpenAPI document is canonical. ` + "`/.well-known/x402`" + ` lists payable resources. ` + "`/.well-known/api-catalog`" + `, ` + "`/.well-known/ucp`" + `, ` + "`/.well-known/skill.json`" + `, and ` + "`/.well-known/agent-skills/index.json`" + ` are alternative agent-friendly views.`

// API serves /api/v1. It holds no transaction, SQL or rule.
type API struct {
	Ops     *bets.Ops
	Paywall *ops.Paywall
	Gate    *ops.Gate // the platform key for the operator route
	Log     *slog.Logger
	// Sessions resolves the siwe-session cookie of the dashboard's routes (ops.Session).
	Sessions interface {
		SIWESession(ctx context.Context, token string) (account.Session, error)
	}
	// BaseURL is the public base URL for the 402 answers' resource ("" uses the request's origin).
	BaseURL string

	paid []route // the Payer routes, in registration order, for /.well-known/x402
}

// route is one binding: how to read the operation's input from the request and how to render
// its output.
type route struct {
	op     ops.Op
	http   httpapi.Op
	decode func(r *http.Request) (any, error)
	render func(out any) any
	// write, when set, answers instead of render (cookies, plain text).
	write func(w http.ResponseWriter, r *http.Request, out any)
	// bazaar describes the paid resource for the discovery extension (Payer operations).
	bazaar x402.BazaarHTTP
	// items are the price-table lines a Payer route may charge (one, or one per stake tier),
	// for /openapi.json's x-payment-info and /.well-known/x402; the price of a call is always
	// the operation's own Price of its input.
	items []casino.Item
}

// handle binds rt.op: input decoded (a bad request costs nothing: 400 before any payment), the
// caller resolved (x402 payment for Payer operations, the API key otherwise), the operation
// invoked, the result rendered with the settlement headers.
func (a *API) handle(rt *httpapi.Router, b route) {
	d := b.op.Desc()
	op := b.http
	op.Operation, op.ErrBody = d.Name, errSchema
	op.Auth = httpapi.AuthOf(d.Access)
	if op.Tag == "" {
		op.Tag = "x402"
	}
	if op.Summary == "" {
		op.Summary = d.Summary
	}
	op.Errors = append(op.Errors, statusesOf(d)...)
	var ext map[string]x402.Extension
	if d.Access == ops.Payer {
		op.Params = append(op.Params,
			httpapi.Param{Name: x402.HeaderPaymentSignature, In: "header", Description: "the x402 payment (base64 JSON PaymentPayload); X-PAYMENT is accepted too"})
		e, err := x402.Bazaar(b.bazaar)
		if err != nil {
			panic("v1api: bazaar " + op.Path + ": " + err.Error())
		}
		ext = map[string]x402.Extension{x402.ExtensionBazaar: e}
		if len(b.items) == 0 {
			panic("v1api: paid route " + op.Path + " names no price-table item")
		}
		op.ErrBodies = map[int]map[string]any{http.StatusPaymentRequired: error402Schema}
		op.Extensions = map[string]any{"x-payment-info": paymentInfo(b.items)}
		b.http = op
		a.paid = append(a.paid, b)
		op.Description = strings.TrimSpace(op.Description + " Paid with x402: without a payment the answer is 402 with the offers " +
			"(PAYMENT-REQUIRED header, base64, and the same JSON body); pay and resend with PAYMENT-SIGNATURE. The settlement comes back in PAYMENT-RESPONSE.")
	}
	op.Handler = func(w http.ResponseWriter, r *http.Request) {
		if err := httpapi.CheckRequestText(r); err != nil {
			a.fail(w, r, err)
			return
		}
		in, err := b.decode(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		c := ops.Caller{Via: "rest", Addr: httpapi.ClientAddr(r)}
		var offers []x402.Requirements
		switch d.Access {
		case ops.Payer:
			price, err := d.Price(in)
			if err != nil {
				a.fail(w, r, err)
				return
			}
			offers = a.Paywall.Offers(price)
			header := r.Header.Get(x402.HeaderPaymentSignature)
			if header == "" {
				header = r.Header.Get(x402.HeaderXPayment)
			}
			if header == "" {
				a.paymentRequired(w, r, offers, ext, "")
				return
			}
			if c, err = a.Paywall.Resolve(r.Context(), c, header, offers); err != nil {
				a.refused(w, r, offers, ext, err)
				return
			}
		case ops.Session:
			ses, err := a.Sessions.SIWESession(r.Context(), cookie(r, SessionCookie))
			if err != nil {
				a.fail(w, r, err)
				return
			}
			c.Account = ses.Account
		case ops.Platform, ops.Player:
			if c, err = a.Gate.Resolve(r.Context(), httpapi.BearerKey(r), "rest", c.Addr); err != nil {
				a.fail(w, r, err)
				return
			}
		}
		out, err := b.op.InvokeAny(r.Context(), c, in)
		if c.Payment != nil && c.Payment.Receipt != nil {
			if h, herr := x402.EncodeHeader(c.Payment.Receipt); herr == nil {
				w.Header().Set(x402.HeaderPaymentResponse, h)
				w.Header().Set(x402.HeaderXPaymentResponse, h)
			}
		}
		if err != nil {
			a.refused(w, r, offers, ext, err)
			return
		}
		if b.write != nil {
			b.write(w, r, out)
			return
		}
		status := op.RespStatus
		if status == 0 {
			status = http.StatusOK
		}
		httpapi.WriteJSON(w, status, b.render(out))
	}
	rt.Handle(op)
}

// refused answers a failed paid call: a refused payment (an x402 reason) is 402 with the offers
// again and the reason; anything else goes through the error table.
func (a *API) refused(w http.ResponseWriter, r *http.Request, offers []x402.Requirements, ext map[string]x402.Extension, err error) {
	var xe *x402.Error
	if offers != nil && (errors.As(err, &xe) || errs.KindOf(err) == errs.PaymentRequired) {
		reason := "payment_required"
		if xe != nil {
			reason = string(xe.Reason)
		}
		a.paymentRequired(w, r, offers, ext, reason)
		return
	}
	a.fail(w, r, err)
}

// paymentRequired answers 402 with the offers, in the header and the body alike.
func (a *API) paymentRequired(w http.ResponseWriter, r *http.Request, offers []x402.Requirements, ext map[string]x402.Extension, reason string) {
	pr := x402.NewPaymentRequired(x402.Resource{URL: a.resourceURL(r), MimeType: "application/json"}, offers, ext)
	if reason != "" {
		pr.Error = reason
	} else {
		pr.Error = "PAYMENT-SIGNATURE header is required"
	}
	h, raw, err := x402.EncodePaymentRequired(pr)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set(x402.HeaderPaymentRequired, h)
	httpapi.WriteJSONBytes(w, http.StatusPaymentRequired, raw)
}

func (a *API) resourceURL(r *http.Request) string { return a.base(r) + r.URL.RequestURI() }

// base is the public base URL: the configured one, else the request's origin.
func (a *API) base(r *http.Request) string {
	if a.BaseURL != "" {
		return strings.TrimSuffix(a.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// Register adds every /api/v1 route to rt.
func (a *API) Register(rt *httpapi.Router) {
	rt.OnMiss("/api/v1/", miss)
	rt.OnMiss("/api/auth/siwe/", miss)
	a.registerGames(rt)
	a.registerWallet(rt)
	a.registerSeeds(rt)
	a.registerWellKnown(rt)
	a.registerSIWE(rt)
	a.registerDashboard(rt)
}
