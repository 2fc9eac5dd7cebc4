// Package pokerapi is spec 002's REST surface under /poker/api: registration, profile and keys,
// balance and transactions, hand history, on-chain deposits and withdrawals, the tables, the
// platform's accounting and revenue, and the public configuration. Errors are {detail} with the
// spec's statuses (errors.go). Each route binds one operation of the registry (agents.Ops); the
// bot protocol itself is /poker/ws (internal/httpapi/pokerws).
package pokerapi

import (
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/poker/agents"
	"github.com/arcadehq/arcade/internal/poker/table"
)

// Prefix is where spec 002's base URL (its /api) lives on Arcade.
const Prefix = "/poker/api"

// API serves the routes. It holds no transaction, SQL or rule.
type API struct {
	Ops  *agents.Ops
	Play *table.Ops // the tables' operations, for the REST play routes (Arcade's addition)
	Gate *ops.Gate
	Log  *slog.Logger
}

type handlerFunc func(r *http.Request, c ops.Caller) (status int, body any, err error)

// route options beyond httpapi.Op.
type opt struct {
	badRequest bool // validation answers 400, as the payment routes document
	noIdem     bool // the operation has its own retry rule (client_action_id, the deposit's hash), not Idempotency-Key
}

// handle binds op to a route: the shared gate resolves the key and applies the per-key rate
// limit, the operation's access rule runs before the body is read, and the answer or the error
// is rendered.
func (a *API) handle(rt *httpapi.Router, op ops.Op, route httpapi.Op, o opt, h handlerFunc) {
	d := op.Desc()
	route.ErrBody, route.Operation, route.Tag = errSchema, d.Name, "poker"
	route.Path = Prefix + route.Path
	route.Auth = httpapi.AuthOf(d.Access)
	if route.Summary == "" {
		route.Summary = d.Summary
	}
	if route.Description == "" {
		route.Description = d.Description
	}
	route.Errors = append(route.Errors, statusesOf(d, o.badRequest)...)
	if d.MovesMoney && d.Access != ops.Public && !o.noIdem {
		route.Params = append(route.Params, httpapi.Param{Name: "Idempotency-Key", In: "header",
			Description: "retries with the same key and the same request replay the first answer; money moves once"})
	}
	route.Handler = func(w http.ResponseWriter, r *http.Request) {
		if err := httpapi.CheckRequestText(r); err != nil {
			a.fail(w, r, err, o.badRequest)
			return
		}
		c, err := a.Gate.Resolve(r.Context(), httpapi.BearerKey(r), "rest", httpapi.ClientAddr(r))
		c.IdempotencyKey = r.Header.Get("Idempotency-Key")
		if err == nil {
			err = ops.Check(d, c)
		}
		if err != nil {
			a.fail(w, r, err, o.badRequest)
			return
		}
		status, body, err := h(r, c)
		if err != nil {
			a.fail(w, r, err, o.badRequest)
			return
		}
		if status == 0 {
			status = http.StatusOK
		}
		if doc, ok := body.(phhAnswer); ok {
			w.Header().Set("Content-Type", PHHContentType)
			w.Header().Set("Content-Disposition", `inline; filename="`+doc.name+`"`)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, doc.text)
			return
		}
		httpapi.WriteJSON(w, status, body)
	}
	rt.Handle(route)
}

// PHHContentType is how hand histories in PHH are served: PHH is TOML, which browsers and curl
// show as text (no media type is registered for PHH).
const PHHContentType = "text/plain; charset=utf-8"

// phhAnswer is a handler's answer in PHH: written as text, not JSON.
type phhAnswer struct{ name, text string }

// decode reads the request's JSON body into v.
func decode(r *http.Request, v any) error {
	raw, err := httpapi.ReadBody(r)
	if err != nil {
		return err
	}
	return httpapi.DecodeJSON(raw, v)
}

// page reads limit and offset.
func page(r *http.Request) (agents.Page, error) {
	var p agents.Page
	for _, f := range []struct {
		name string
		v    *int
	}{{"limit", &p.Limit}, {"offset", &p.Offset}} {
		s := r.URL.Query().Get(f.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return p, errs.Invalid(f.name, "must be an integer")
		}
		*f.v = n
	}
	if r.URL.Query().Has("limit") && p.Limit == 0 {
		return p, errs.Invalid("limit", "must be an integer from 1 to %d", agents.MaxLimit)
	}
	return p, nil
}

var pageParams = []httpapi.Param{
	{Name: "limit", Type: "integer", Description: "at most this many (default 50, max 200)"},
	{Name: "offset", Type: "integer", Description: "skip this many (default 0)"},
}

var formatParam = httpapi.Param{Name: "format", Enum: []string{"json", "phh"},
	Description: "json (default) or phh: the page as one multi-hand PHH file"}

// HandPHH is one hand in PHH inside a JSON answer (the poker_hand_phh tool).
type HandPHH struct {
	HandID string `json:"hand_id"`
	PHH    string `json:"phh"`
}

// format reads ?format=: whether the answer is PHH.
func format(r *http.Request) (bool, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "", "json":
		return false, nil
	case "phh":
		return true, nil
	}
	return false, errs.Invalid("format", "must be json or phh")
}

// Register adds every route of spec 002 under /poker/api.
func (a *API) Register(rt *httpapi.Router) {
	rt.OnMiss(Prefix+"/", miss)
	o := a.Ops
	a.handle(rt, o.Register, httpapi.Op{Method: "POST", Path: "/register", ID: "pokerRegister", Body: RegisterBody{},
		Resp: Registered{}, RespStatus: http.StatusCreated}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var b RegisterBody
			if err := decode(r, &b); err != nil {
				return 0, nil, err
			}
			su, err := o.Register.Invoke(r.Context(), c, agents.Registration{Email: b.Email, Name: b.Name,
				WalletAddress: b.WalletAddress, AvatarURL: b.AvatarURL})
			if err != nil {
				return 0, nil, err
			}
			return http.StatusCreated, Registered{AgentID: su.Account.ID, APIKey: su.Key.Secret, Email: su.Account.Email,
				Name: su.Account.Name, WalletAddress: optional(su.Account.PayoutAddress), AvatarURL: optional(su.Account.AvatarURL),
				SandboxBalance: sandboxBalance(su.Sandbox)}, nil
		})
	a.handle(rt, o.Me, httpapi.Op{Method: "GET", Path: "/me", ID: "pokerMe", Resp: Me{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			p, err := o.Me.Invoke(r.Context(), c, ops.None{})
			return 0, meOf(p), err
		})
	a.handle(rt, o.UpdateMe, httpapi.Op{Method: "PATCH", Path: "/me", ID: "pokerUpdateMe", Body: PatchBody{}, Resp: Me{},
		Description: "Every field is optional; an empty wallet_address or avatar_url clears it. The wallet is a payout address only."}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var b PatchBody
			if err := decode(r, &b); err != nil {
				return 0, nil, err
			}
			p, err := o.UpdateMe.Invoke(r.Context(), c, agents.Patch{Name: b.Name, WalletAddress: b.WalletAddress, AvatarURL: b.AvatarURL})
			return 0, meOf(p), err
		})
	a.handle(rt, o.RegenerateKey, httpapi.Op{Method: "POST", Path: "/me/regenerate-key", ID: "pokerRegenerateKey", Resp: NewKey{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			k, err := o.RegenerateKey.Invoke(r.Context(), c, ops.None{})
			return 0, NewKey{APIKey: k.Secret}, err
		})
	a.handle(rt, o.ActiveGame, httpapi.Op{Method: "GET", Path: "/me/active-game", ID: "pokerActiveGame", Resp: ActiveGame{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			g, err := o.ActiveGame.Invoke(r.Context(), c, ops.None{})
			return 0, activeOf(g), err
		})
	a.handle(rt, o.Hands, httpapi.Op{Method: "GET", Path: "/me/hand-history", ID: "pokerHandHistory",
		Params: append([]httpapi.Param{formatParam}, pageParams...), Resp: HandHistory{},
		Description: "With format=phh the same page is one multi-hand PHH file (.phhs, text/plain) with your hole cards shown (docs/poker-api.md)."}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			p, err := page(r)
			if err != nil {
				return 0, nil, err
			}
			asPHH, err := format(r)
			if err != nil {
				return 0, nil, err
			}
			h, err := o.Hands.Invoke(r.Context(), c, agents.HandsInput{Page: p, PHH: asPHH})
			if err != nil {
				return 0, nil, err
			}
			if h.PHH != nil {
				return 0, phhAnswer{name: "hand-history.phhs", text: h.PHH.Text}, nil
			}
			return 0, HandHistoryOf(h), nil
		})
	a.handle(rt, o.HandPHH, httpapi.Op{Method: "GET", Path: "/hands/{hand_id}", ID: "pokerHandPHH", Resp: "", RespType: "text/plain",
		Description: "The hand_id may end in .phh (GET /hands/{hand_id}.phh). PHH (TOML) as text/plain; the hole cards of players who did not show are " +
			"????, except your own with a key; _arcade_* fields carry the deck's fairness data (server_seed once the table's seed is revealed) and the rake."}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			id := strings.TrimSuffix(r.PathValue("hand_id"), ".phh")
			doc, err := o.HandPHH.Invoke(r.Context(), c, agents.ByID{ID: id})
			if err != nil {
				return 0, nil, err
			}
			return 0, phhAnswer{name: id + ".phh", text: doc.Text}, nil
		})
	a.handle(rt, o.TablePHH, httpapi.Op{Method: "GET", Path: "/tables/{table_id}/hands.phhs", ID: "pokerTableHandsPHH", Params: pageParams,
		Resp: "", RespType: "text/plain",
		Description: "A multi-hand PHH file (phh-std's .phhs: hands under [1], [2], ...), newest first, hidden as GET /hands/{hand_id} hides them. " +
			"A table with no settled hand yet gives an empty file; an unknown table is 404."}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			p, err := page(r)
			if err != nil {
				return 0, nil, err
			}
			id := r.PathValue("table_id")
			doc, err := o.TablePHH.Invoke(r.Context(), c, agents.TableHands{TableID: id, Page: p})
			if err != nil {
				return 0, nil, err
			}
			return 0, phhAnswer{name: id + ".phhs", text: doc.Text}, nil
		})
	a.handle(rt, o.Deposit, httpapi.Op{Method: "POST", Path: "/deposit/onchain", ID: "pokerDeposit", Body: DepositBody{}, Resp: DepositResponse{}},
		opt{badRequest: true, noIdem: true}, // the hash is the key: each is credited once, then 400
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var b DepositBody
			if err := decode(r, &b); err != nil {
				return 0, nil, err
			}
			d, err := o.Deposit.Invoke(r.Context(), c, agents.DepositInput{TxHash: b.TxHash})
			return 0, DepositResponse{DepositID: d.ID, TxHash: d.TxHash, Status: d.Status, AmountCents: cents(d.Amount),
				AmountUcents: ucents(d.Amount), ConfirmationsSeen: d.Confirmations, ConfirmationsRequired: d.Required}, err
		})
	a.handle(rt, o.Withdraw, httpapi.Op{Method: "POST", Path: "/withdraw", ID: "pokerWithdraw", Body: WithdrawBody{}, Resp: WithdrawResponse{},
		Description: "The amount leaves the balance at once (to pending) and is paid to the registered wallet; on the sandbox it confirms at once. " +
			"From 1.00 to 10000.00 USDC."}, opt{badRequest: true},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var b WithdrawBody
			if err := decode(r, &b); err != nil {
				return 0, nil, err
			}
			if b.Amount == "" {
				return 0, nil, errs.Missing("amount")
			}
			amt, err := money.Parse(b.Amount.String())
			if err != nil {
				return 0, nil, errs.Invalid("amount", "must be a number of USDC with at most 6 decimals")
			}
			w, err := o.Withdraw.Invoke(r.Context(), c, agents.WithdrawInput{Amount: amt})
			if err != nil {
				return 0, nil, err
			}
			id, st := w.ID, w.Status
			return 0, WithdrawResponse{TransactionID: w.TransferID, Type: "withdraw", Amount: w.Amount.Decimal(),
				BalanceAfter: w.BalanceAfter.Decimal(), WithdrawalID: &id, WithdrawalStatus: &st}, nil
		})
	a.handle(rt, o.Withdrawal, httpapi.Op{Method: "GET", Path: "/withdrawal/{withdrawal_id}", ID: "pokerWithdrawal",
		Resp: WithdrawalStatus{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			w, err := o.Withdrawal.Invoke(r.Context(), c, agents.ByID{ID: r.PathValue("withdrawal_id")})
			return 0, withdrawalOf(w), err
		})
	a.handle(rt, o.Balance, httpapi.Op{Method: "GET", Path: "/balance", ID: "pokerBalance", Resp: BalanceResponse{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			b, err := o.Balance.Invoke(r.Context(), c, ops.None{})
			return 0, BalanceResponse{AgentID: b.AccountID, Balance: b.Available.Decimal(), LockedInPlay: b.InPlay.Decimal(),
				PendingWithdrawal: b.Pending.Decimal(), Total: b.Total().Decimal(), Sandbox: b.Sandbox}, err
		})
	a.handle(rt, o.Transactions, httpapi.Op{Method: "GET", Path: "/transactions", ID: "pokerTransactions", Params: pageParams,
		Resp: Transactions{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			p, err := page(r)
			if err != nil {
				return 0, nil, err
			}
			t, err := o.Transactions.Invoke(r.Context(), c, p)
			return 0, txsOf(t), err
		})
	a.handle(rt, o.Tables, httpapi.Op{Method: "GET", Path: "/tables", ID: "pokerTables", Resp: []TableItem{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			ts, err := o.Tables.Invoke(r.Context(), c, ops.None{})
			out := make([]TableItem, 0, len(ts))
			for _, t := range ts {
				out = append(out, TableItem{TableID: t.ID, Seats: t.Seats, Players: t.Players, SmallBlind: t.SmallBlind.Decimal(),
					BigBlind: t.BigBlind.Decimal(), HandNumber: t.HandNumber})
			}
			return 0, out, err
		})
	a.handle(rt, o.Table, httpapi.Op{Method: "GET", Path: "/tables/{table_id}", ID: "pokerTable",
		Resp: table.State{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			st, err := o.Table.Invoke(r.Context(), c, agents.ByID{ID: r.PathValue("table_id")})
			if st.Seats == nil {
				st.Seats = []table.Seat{}
			}
			return 0, st, err
		})
	a.handle(rt, o.Accounting, httpapi.Op{Method: "GET", Path: "/accounting", ID: "pokerAccounting", Resp: AccountingResponse{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			x, err := o.Accounting.Invoke(r.Context(), c, ops.None{})
			return 0, AccountingResponse{TotalDepositedUcents: ucents(x.Deposited), TotalBalanceUcents: ucents(x.Balance),
				TotalInPlayUcents: ucents(x.InPlay), TotalRakeUcents: ucents(x.Rake), TotalWithdrawnUcents: ucents(x.Withdrawn),
				TotalPendingUcents: ucents(x.Pending), TotalHouseUcents: ucents(x.House), InvariantHolds: x.Holds, DriftUcents: ucents(x.Drift)}, err
		})
	a.handle(rt, o.Revenue, httpapi.Op{Method: "GET", Path: "/platform/revenue", ID: "pokerRevenue", Resp: RevenueResponse{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			x, err := o.Revenue.Invoke(r.Context(), c, ops.None{})
			return 0, RevenueResponse{TotalRakeCents: cents(x.Total), TodayRakeCents: cents(x.Today), TotalRakeUcents: ucents(x.Total),
				TodayRakeUcents: ucents(x.Today), HandCount: x.Hands}, err
		})
	a.registerPlay(rt)
	a.handle(rt, o.Config, httpapi.Op{Method: "GET", Path: "/public-config", ID: "pokerPublicConfig", Resp: PublicConfig{}}, opt{},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			x, err := o.Config.Invoke(r.Context(), c, ops.None{})
			return 0, configOf(x), err
		})
}
