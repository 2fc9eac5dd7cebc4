// Package creditsapi is the /api surface: spec 000 (the credits dice platform) with its envelope
// {success, data?, error?}. Handlers decode and validate the wire, call the domain, and render;
// the mapping from domain errors to this surface's shape lives only in errors.go.
package creditsapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/cardpay"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/idem"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
)

// API serves /api.
type API struct {
	DB       *store.DB
	Accounts *account.Service
	Seeds    seeds.Engine
	Card     *cardpay.Service
	// PerKey limits each account's authenticated /api requests; SignUp limits account creation
	// per client address. Both answer 429 RATE_LIMITED with Retry-After.
	PerKey, SignUp *ratelimit.Limiter
	Now            func() time.Time
	Rand           io.Reader
	Log            *slog.Logger
}

// handlerFunc is a /api handler: it returns the data to put in the envelope, or an error.
type handlerFunc func(r *http.Request, me account.Account) (status int, data any, err error)

// handle registers op with h, adding authentication, the envelope and the error mapping.
func (a *API) handle(rt *httpapi.Router, op httpapi.Op, h handlerFunc) {
	op.Wrap, op.ErrBody = wrap, errSchema
	if op.Tag == "" {
		op.Tag = "credits"
	}
	auth := op.Auth
	op.Handler = func(w http.ResponseWriter, r *http.Request) {
		var me account.Account
		if auth != httpapi.AuthNone {
			key := httpapi.BearerKey(r)
			if key == "" {
				a.fail(w, r, errs.Unauthenticated("missing API key: send Authorization: Bearer <API key>"))
				return
			}
			var err error
			if me, err = a.Accounts.Authenticate(r.Context(), key); err != nil {
				a.fail(w, r, err)
				return
			}
			if auth == httpapi.AuthAdmin && !me.IsPlatform() {
				a.fail(w, r, errs.Forbiddenf("platform account only"))
				return
			}
			if ok, wait := a.PerKey.Allow(me.ID, a.Now()); !ok {
				a.fail(w, r, errs.Limited("RATE_LIMITED", "too many requests for this API key; retry after the Retry-After header's seconds", wait))
				return
			}
		}
		status, data, err := h(r, me)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		a.ok(w, status, data)
	}
	rt.Handle(op)
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

// moneyMove runs fn in one store.Write as a money-moving request: with an Idempotency-Key header
// the first successful answer is stored in the same transaction and replayed for retries of the
// same request, so the money moves once.
func (a *API) moneyMove(r *http.Request, me account.Account, scope string, raw []byte,
	fn func(ctx context.Context, q store.Q, now time.Time) (any, error)) (int, any, error) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		var out any
		now := a.Now() // once per write, not once per run of its function
		err := a.DB.WriteFor(r.Context(), me.ID, func(ctx context.Context, q store.Q) (err error) {
			out, err = fn(ctx, q, now)
			return err
		})
		return http.StatusOK, out, err
	}
	if err := idem.ValidateKey(key); err != nil {
		return 0, nil, err
	}
	hash := idem.Hash([]byte(r.Method), []byte(r.URL.Path), []byte(r.URL.RawQuery), raw)
	var out json.RawMessage
	now := a.Now()
	err := a.DB.WriteFor(r.Context(), me.ID, func(ctx context.Context, q store.Q) error {
		prev, err := idem.Lookup(ctx, q, me.ID, scope, key, hash)
		if err != nil {
			return err
		}
		if prev != nil {
			out = prev.Body
			return nil
		}
		v, err := fn(ctx, q, now)
		if err != nil {
			return err
		}
		if out, err = json.Marshal(v); err != nil {
			return err
		}
		return idem.Save(ctx, q, now, me.ID, scope, key, hash, idem.Answer{Status: http.StatusOK, Body: out})
	})
	return http.StatusOK, out, err
}

// Register adds every /api route to rt.
func (a *API) Register(rt *httpapi.Router) {
	a.registerAuth(rt)
	a.registerFaucet(rt)
	a.registerDice(rt)
	a.registerHistory(rt)
	a.registerWithdraw(rt)
	a.registerCheckout(rt)
	a.registerStrategies(rt)
	a.registerTools(rt)
}

// Me is GET /api/me's data: spec 000 documents id, email, credits, apiKeyPrefix.
type Me struct {
	ID           string       `json:"id"`
	Email        *string      `json:"email" jsonschema:"nullable"`
	Name         *string      `json:"name" jsonschema:"nullable"`
	AccountType  string       `json:"accountType"`
	Credits      money.Amount `json:"credits"`
	Balance      money.Amount `json:"balance"`
	USDC         money.Amount `json:"usdc"`
	APIKeyPrefix string       `json:"apiKeyPrefix"`
	CreatedAt    time.Time    `json:"createdAt"`
}

// KeyData answers key creation: the key is shown once.
type KeyData struct {
	APIKey       string `json:"apiKey"`
	APIKeyPrefix string `json:"apiKeyPrefix"`
}

// GuestData answers guest sign-up.
type GuestData struct {
	KeyData
	ID      string       `json:"id"`
	UserID  string       `json:"userId"`
	Credits money.Amount `json:"credits"`
}

// AgentRegisterRequest optionally names the agent.
type AgentRegisterRequest struct {
	Name string `json:"name,omitempty"`
}

// AgentData answers agent registration with the real system's field names.
type AgentData struct {
	APIKey       string       `json:"apiKey"`
	APIKeyPrefix string       `json:"apiKeyPrefix"`
	AgentID      string       `json:"agentId"`
	UserID       string       `json:"userId"`
	Credits      money.Amount `json:"credits"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// allowSignUp applies the per-address sign-up limit.
func (a *API) allowSignUp(r *http.Request) error {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if ok, wait := a.SignUp.Allow(host, a.Now()); !ok {
		return errs.Limited("RATE_LIMITED", "too many sign-ups from this address; retry later", wait)
	}
	return nil
}

func (a *API) registerAuth(rt *httpapi.Router) {
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/auth/guest", ID: "authGuest", Tag: "auth",
		Summary:    "Create a guest account and its API key (returned once).",
		RespStatus: http.StatusCreated, Resp: GuestData{}},
		func(r *http.Request, _ account.Account) (int, any, error) {
			if err := a.allowSignUp(r); err != nil {
				return 0, nil, err
			}
			acct, key, err := a.Accounts.SignUp(r.Context(), account.New{Kind: account.Guest}, account.PrefixCredits)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, GuestData{KeyData: KeyData{APIKey: key.Secret, APIKeyPrefix: key.Prefix},
				ID: acct.ID, UserID: acct.ID}, nil
		})
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/auth/agent/register", ID: "registerAgent", Tag: "auth",
		Summary: "Register an AI agent: a new account with its API key (returned once) and 100 starting credits.",
		Body:    AgentRegisterRequest{}, RespStatus: http.StatusCreated, Resp: AgentData{}, Errors: []int{400, 409, 429}},
		func(r *http.Request, _ account.Account) (int, any, error) {
			if err := a.allowSignUp(r); err != nil {
				return 0, nil, err
			}
			var req AgentRegisterRequest
			if raw, err := httpapi.ReadBody(r); err != nil {
				return 0, nil, err
			} else if len(raw) > 0 {
				if err := httpapi.DecodeJSON(raw, &req); err != nil {
					return 0, nil, err
				}
			}
			if len(req.Name) > 64 {
				return 0, nil, errs.Invalid("name", "must be at most 64 characters")
			}
			var acct account.Account
			var key account.Key
			var bal money.Amount
			now := a.Now() // once per write, not once per run of its function
			err := a.DB.Write(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				if acct, err = account.Create(ctx, q, now, account.New{Kind: account.Agent, Name: req.Name}); err != nil {
					return err
				}
				if key, err = account.IssueKey(ctx, q, now, a.Rand, acct.ID, account.PrefixCredits); err != nil {
					return err
				}
				bal, err = credits.GrantSignUpCredits(ctx, q, now, acct.ID)
				return err
			})
			if err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, AgentData{APIKey: key.Secret, APIKeyPrefix: key.Prefix, AgentID: acct.ID, UserID: acct.ID, Credits: bal}, nil
		})
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me", ID: "getMe", Tag: "account", Auth: httpapi.AuthBearer,
		Summary: "Current account: id, email, credits, apiKeyPrefix.", Resp: Me{}},
		func(r *http.Request, me account.Account) (int, any, error) {
			var credits, usdc ledger.Holdings
			err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				if credits, err = ledger.HoldingsOf(ctx, q, me.ID, money.Credit); err != nil {
					return err
				}
				usdc, err = ledger.HoldingsOf(ctx, q, me.ID, money.USDC)
				return err
			})
			if err != nil {
				return 0, nil, err
			}
			return 0, Me{ID: me.ID, Email: optional(me.Email), Name: optional(me.Name), AccountType: string(me.Kind),
				Credits: credits.Available, Balance: credits.Available, USDC: usdc.Available,
				APIKeyPrefix: me.KeyPrefix, CreatedAt: me.CreatedAt}, nil
		})
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/me/api-key", ID: "createApiKey", Tag: "account", Auth: httpapi.AuthBearer,
		Summary: "Generate a new API key (returned once); the previous key stops working at once.", Resp: KeyData{}},
		func(r *http.Request, me account.Account) (int, any, error) {
			k, err := a.Accounts.Regenerate(r.Context(), me.ID, account.PrefixCredits)
			if err != nil {
				return 0, nil, err
			}
			return 0, KeyData{APIKey: k.Secret, APIKeyPrefix: k.Prefix}, nil
		})
}
