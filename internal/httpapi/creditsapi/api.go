// Package creditsapi is the /api surface: spec 000 (the credits dice platform) with its envelope
// {success, data?, error?}. Each route is a binding of one operation of the registry
// (credits.Ops): it decodes the wire, invokes the operation and renders the result; the mapping
// from domain errors to this surface's shape lives only in errors.go.
package creditsapi

import (
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/invopop/jsonschema"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
)

// API serves /api. It holds no transaction, SQL or rule: every route decodes its wire format,
// calls one registered operation and renders the result.
type API struct {
	Ops  *credits.Ops
	Gate *ops.Gate
	Now  func() time.Time
	Log  *slog.Logger
	// BaseURL is the public base URL for links in answers ("" uses the request's origin).
	BaseURL string
}

// handlerFunc is a /api handler: it returns the data to put in the envelope, or an error.
type handlerFunc func(r *http.Request, c ops.Caller) (status int, data any, err error)

// handle binds op to a route: the caller is resolved by the shared gate (API key, per-key rate
// limit), the operation's access rule is applied before the body is read, and the result or
// error is rendered in the envelope.
func (a *API) handle(rt *httpapi.Router, op ops.Op, route httpapi.Op, h handlerFunc) {
	d := op.Desc()
	route.Wrap, route.ErrBody, route.Operation = wrap, errSchema, d.Name
	route.Auth = httpapi.AuthOf(d.Access)
	route.Heavy = route.Heavy || d.Heavy
	if route.Tag == "" {
		route.Tag = "credits"
	}
	if route.Summary == "" {
		route.Summary = d.Summary
	}
	route.Errors = append(route.Errors, statusesOf(d)...)
	if d.MovesMoney && d.Access != ops.Public {
		route.Params = append(route.Params, httpapi.Param{Name: "Idempotency-Key", In: "header",
			Description: "retries with the same key and the same request replay the first answer; money moves once"})
	}
	route.Handler = func(w http.ResponseWriter, r *http.Request) {
		if err := httpapi.CheckRequestText(r); err != nil {
			a.fail(w, r, err)
			return
		}
		c, err := a.caller(r)
		if err == nil {
			err = ops.Check(d, c)
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		status, data, err := h(r, c)
		switch x := err.(type) {
		case redirect:
			x.serve(w, r)
			return
		case stream:
			defer x.sub.Close()
			writeSSE(w, r, x.ch)
			return
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		a.ok(w, status, data)
	}
	rt.Handle(route)
}

// caller resolves the request's credentials into an ops.Caller.
func (a *API) caller(r *http.Request) (ops.Caller, error) {
	c, err := a.Gate.Resolve(r.Context(), httpapi.BearerKey(r), "rest", httpapi.ClientAddr(r))
	c.IdempotencyKey = r.Header.Get("Idempotency-Key")
	return c, err
}

// miss answers an unknown /api path or a wrong method in the envelope.
func miss(w http.ResponseWriter, r *http.Request, status int, allow []string) {
	body := map[string]any{"success": false, "error": "NOT_FOUND",
		"message": "no route " + r.Method + " " + r.URL.Path,
		"hint":    "GET /api lists where to start; GET /openapi.json lists every route"}
	if status == http.StatusMethodNotAllowed {
		body["error"] = "METHOD_NOT_ALLOWED"
		body["message"] = r.Method + " is not allowed on " + r.URL.Path
		body["allow"] = allow
	}
	httpapi.WriteJSON(w, status, body)
}

func (a *API) ok(w http.ResponseWriter, status int, data any) {
	if status == 0 {
		status = http.StatusOK
	}
	httpapi.WriteJSON(w, status, envelope{Success: true, Data: data})
}

type envelope struct {
	Success bool `json:"success"`
	Data    any  `json:"data,omitempty"`
}

// Register adds every /api route to rt.
func (a *API) Register(rt *httpapi.Router) {
	rt.OnMiss("/api/", miss)
	rt.SchemaFor(reflect.TypeOf(strategy.Hundredths(0)), &jsonschema.Schema{Type: "number", Description: "two decimals at most"})
	a.registerAuth(rt)
	a.registerFaucet(rt)
	a.registerDice(rt)
	a.registerHistory(rt)
	a.registerWithdraw(rt)
	a.registerCheckout(rt)
	a.registerStrategies(rt)
	a.registerAccount(rt)
	a.registerInfo(rt)
}

// Me is GET /api/me's data: spec 000 documents id, email, credits, apiKeyPrefix.
type Me struct {
	ID           string        `json:"id"`
	Email        *string       `json:"email" jsonschema:"nullable"`
	Name         *string       `json:"name" jsonschema:"nullable"`
	AccountType  string        `json:"accountType"`
	Credits      money.Decimal `json:"credits"`
	Balance      money.Decimal `json:"balance"`
	USDC         money.Decimal `json:"usdc"`
	APIKeyPrefix string        `json:"apiKeyPrefix"`
	CreatedAt    time.Time     `json:"createdAt"`
}

// BindWalletBody is POST /api/me/wallet's body: the signed EIP-4361 message.
type BindWalletBody struct {
	Message   string `json:"message"`
	Signature string `json:"signature"`
}

// BoundWallet answers a binding.
type BoundWallet struct {
	ID     string `json:"id"`
	Wallet string `json:"wallet"`
}

// domain is the EIP-4361 domain a message must name: the public base URL's host, else the
// request's Host.
func (a *API) domain(r *http.Request) string {
	if u, err := url.Parse(a.BaseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return r.Host
}

// KeyData answers key creation: the key is shown once.
type KeyData struct {
	APIKey       string `json:"apiKey"`
	APIKeyPrefix string `json:"apiKeyPrefix"`
}

// GuestData answers guest sign-up.
type GuestData struct {
	KeyData
	ID      string        `json:"id"`
	UserID  string        `json:"userId"`
	Credits money.Decimal `json:"credits"`
}

// AgentRegisterRequest optionally names the agent.
type AgentRegisterRequest struct {
	Name string `json:"name,omitempty"`
}

// AgentData answers agent registration with the real system's field names.
type AgentData struct {
	APIKey       string        `json:"apiKey"`
	APIKeyPrefix string        `json:"apiKeyPrefix"`
	AgentID      string        `json:"agentId"`
	UserID       string        `json:"userId"`
	Credits      money.Decimal `json:"credits"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func signUpData(su credits.SignUp) GuestData {
	return GuestData{KeyData: KeyData{APIKey: su.Key.Secret, APIKeyPrefix: su.Key.Prefix}, ID: su.Account.ID, UserID: su.Account.ID,
		Credits: su.Credits.Decimal()}
}

func (a *API) registerAuth(rt *httpapi.Router) {
	a.handle(rt, a.Ops.Guest, httpapi.Op{Method: "POST", Path: "/api/auth/guest", ID: "authGuest", Tag: "auth",
		RespStatus: http.StatusCreated, Resp: GuestData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			su, err := a.Ops.Guest.Invoke(r.Context(), c, credits.AgentSignUp{})
			return http.StatusCreated, signUpData(su), err
		})
	a.handle(rt, a.Ops.Agent, httpapi.Op{Method: "POST", Path: "/api/auth/agent/register", ID: "registerAgent", Tag: "auth",
		Body: AgentRegisterRequest{}, RespStatus: http.StatusCreated, Resp: AgentData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var req AgentRegisterRequest
			if _, err := decodeOptional(r, &req); err != nil {
				return 0, nil, err
			}
			su, err := a.Ops.Agent.Invoke(r.Context(), c, credits.AgentSignUp{Name: req.Name})
			if err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, AgentData{APIKey: su.Key.Secret, APIKeyPrefix: su.Key.Prefix, AgentID: su.Account.ID,
				UserID: su.Account.ID, Credits: su.Credits.Decimal()}, nil
		})
	a.handle(rt, a.Ops.Me, httpapi.Op{Method: "GET", Path: "/api/me", ID: "getMe", Tag: "account", Resp: Me{},
		Summary: "Current account: id, email, credits, apiKeyPrefix."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			p, err := a.Ops.Me.Invoke(r.Context(), c, ops.None{})
			if err != nil {
				return 0, nil, err
			}
			me := p.Account
			return 0, Me{ID: me.ID, Email: optional(me.Email), Name: optional(me.Name), AccountType: string(me.Kind),
				Credits: p.Credits.Available.Decimal(), Balance: p.Credits.Available.Decimal(), USDC: p.USDC.Available.Decimal(),
				APIKeyPrefix: me.KeyPrefix, CreatedAt: me.CreatedAt}, nil
		})
	a.handle(rt, a.Ops.BindWallet, httpapi.Op{Method: "POST", Path: "/api/me/wallet", ID: "bindWallet", Tag: "account",
		Body: BindWalletBody{}, Resp: BoundWallet{},
		Summary: "Bind a wallet you control to this account: sign an EIP-4361 message whose statement is " +
			"\"Bind this wallet to Arcade account <your account id>.\" with a nonce from GET /api/auth/siwe/nonce. " +
			"Its x402 payments then pay from and to this account, and its USDC shows in /api/me."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			var b BindWalletBody
			if err := httpapi.DecodeJSON(raw, &b); err != nil {
				return 0, nil, err
			}
			acc, err := a.Ops.BindWallet.Invoke(r.Context(), c, account.WalletBinding{Message: b.Message, Signature: b.Signature, Domain: a.domain(r)})
			if err != nil {
				return 0, nil, err
			}
			return 0, BoundWallet{ID: acc.ID, Wallet: common.HexToAddress(acc.WalletAddress).Hex()}, nil
		})
	a.handle(rt, a.Ops.RegenerateKey, httpapi.Op{Method: "POST", Path: "/api/me/api-key", ID: "createApiKey", Tag: "account", Resp: KeyData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			k, err := a.Ops.RegenerateKey.Invoke(r.Context(), c, ops.None{})
			return 0, KeyData{APIKey: k.Secret, APIKeyPrefix: k.Prefix}, err
		})
}
