package v1api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/arcadehq/arcade/internal/casino/bets"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
)

// The dashboard routes (spec 001, tag dashboard): the wallet owner's view, behind the
// siwe-session cookie (ops.Session; 401 without it), not paid with x402.

// Pagination is a list's page.
type Pagination struct {
	Page       int `json:"page"`
	PageSize   int `json:"pageSize"`
	Total      int `json:"total"`
	TotalPages int `json:"totalPages"`
}

func pagination(p bets.Paging) Pagination {
	return Pagination{Page: p.Page, PageSize: p.PageSize, Total: p.Total, TotalPages: (p.Total + p.PageSize - 1) / p.PageSize}
}

// DashboardBetsResponse is a page of the wallet's bets, newest first.
type DashboardBetsResponse struct {
	Bets       []BetResponse `json:"bets"`
	Pagination Pagination    `json:"pagination"`
}

// WithdrawalView is one withdrawal.
type WithdrawalView struct {
	WithdrawalID string    `json:"withdrawal_id"`
	To           string    `json:"to"`
	AmountMicro  int64     `json:"amount_micro"`
	Status       string    `json:"status"`
	TxHash       string    `json:"tx_hash"`
	Network      string    `json:"network"`
	Sandbox      bool      `json:"sandbox"`
	CreatedAt    time.Time `json:"created_at"`
}

// DashboardWithdrawalsResponse is a page of the wallet's withdrawals, newest first.
type DashboardWithdrawalsResponse struct {
	Withdrawals []WithdrawalView `json:"withdrawals"`
	Pagination  Pagination       `json:"pagination"`
}

// DashboardWithdrawResponse answers a fee-free withdrawal.
type DashboardWithdrawResponse struct {
	WithdrawResponse
	FeeMicro int64 `json:"fee_micro"`
}

// DashboardSummaryResponse is the wallet's key figures (lifetime figures count settled bets).
type DashboardSummaryResponse struct {
	Wallet         string     `json:"wallet"`
	BalanceMicro   int64      `json:"balance_micro"`
	Bets           int64      `json:"bets"`
	Wins           int64      `json:"wins"`
	WinRate        float64    `json:"win_rate" jsonschema:"minimum=0,maximum=1"`
	WageredMicro   int64      `json:"wagered_micro"`
	PaidOutMicro   int64      `json:"paid_out_micro"`
	PnLMicro       int64      `json:"pnl_micro" jsonschema:"description=lifetime profit and loss: paid out minus wagered"`
	WithdrawnMicro int64      `json:"withdrawn_micro"`
	SettlingBets   int64      `json:"settling_bets"`
	LastBetAt      *time.Time `json:"last_bet_at,omitempty"`
	AsOf           time.Time  `json:"as_of"`
}

// NotificationsBody is spec 001's NotificationsBody; code confirms the address with the code
// the verification email carried.
type NotificationsBody struct {
	Email  string          `json:"email" jsonschema:"format=email"`
	Events map[string]bool `json:"events,omitempty" jsonschema:"description=Per-event opt-in flags: bet_settled, big_win, withdrawal_completed, seed_rotated, weekly_summary."`
	Code   string          `json:"code,omitempty" jsonschema:"description=the verification code mailed to email, to confirm it"`
}

// NotificationsResponse is the wallet's notification preferences.
type NotificationsResponse struct {
	Email            string          `json:"email"`
	Events           map[string]bool `json:"events"`
	Verified         bool            `json:"verified"`
	VerificationSent bool            `json:"verification_sent"`
}

// intParam reads an optional integer query parameter.
func intParam(q url.Values, name string, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || (hi > 0 && n > hi) {
		if hi > 0 {
			return 0, errs.Invalid(name, "want an integer from %d to %d", lo, hi)
		}
		return 0, errs.Invalid(name, "want an integer, at least %d", lo)
	}
	return n, nil
}

// timeParam reads an optional RFC 3339 date-time query parameter.
func timeParam(q url.Values, name string) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, errs.Invalid(name, "want an RFC 3339 date-time, like 2026-01-02T15:04:05Z")
	}
	return t, nil
}

func decodePage(r *http.Request) (bets.PageQuery, error) {
	q := r.URL.Query()
	var p bets.PageQuery
	var err error
	if p.Page, err = intParam(q, "page", 1, 0); err != nil {
		return p, err
	}
	p.PageSize, err = intParam(q, "pageSize", 1, bets.MaxPageSize)
	return p, err
}

func withdrawalView(w bets.Withdrawal) WithdrawalView {
	return WithdrawalView{WithdrawalID: w.ID, To: w.Address, AmountMicro: w.AmountMic, Status: w.Status, TxHash: w.Tx,
		Network: w.Network, Sandbox: sandboxNetwork(w.Network), CreatedAt: w.CreatedAt}
}

func notificationsResponse(out any) any {
	n := out.(bets.Notifications)
	return NotificationsResponse{Email: n.Email, Events: n.Events, Verified: n.Verified, VerificationSent: n.VerificationSent}
}

func (a *API) registerDashboard(rt *httpapi.Router) {
	pageParams := []httpapi.Param{
		{Name: "page", Type: "integer", Description: "page number, from 1 (default 1)"},
		{Name: "pageSize", Type: "integer", Description: "items per page, 1–100 (default 20)"},
	}
	none := func(*http.Request) (any, error) { return nil, nil }
	a.handle(rt, route{op: a.Ops.DashBets, http: httpapi.Op{Method: "GET", Path: "/api/v1/dashboard/bets", ID: "dashboardBets", Tag: "dashboard",
		Summary: "Paginated bet history for the authenticated wallet.", Resp: DashboardBetsResponse{},
		Params: append([]httpapi.Param{
			{Name: "game", Enum: []string{"coinflip", "dice", "roulette", "slots"}},
			{Name: "status", Enum: []string{bets.Settling, bets.Settled, bets.Voided}},
			{Name: "result", Enum: []string{"win", "loss"}, Description: "win: the bet paid out"},
			{Name: "from", Description: "RFC 3339 date-time: bets created at or after it"},
			{Name: "to", Description: "RFC 3339 date-time: bets created at or before it"},
		}, pageParams...)},
		decode: func(r *http.Request) (any, error) {
			q := r.URL.Query()
			p, err := decodePage(r)
			if err != nil {
				return nil, err
			}
			in := bets.BetQuery{Game: q.Get("game"), Status: q.Get("status"), Result: q.Get("result"), Page: p.Page, PageSize: p.PageSize}
			if in.From, err = timeParam(q, "from"); err != nil {
				return nil, err
			}
			if in.To, err = timeParam(q, "to"); err != nil {
				return nil, err
			}
			return in, in.Validate()
		},
		render: func(out any) any {
			p := out.(bets.BetPage)
			res := DashboardBetsResponse{Bets: make([]BetResponse, len(p.Bets)), Pagination: pagination(p.Paging)}
			for i, b := range p.Bets {
				res.Bets[i] = betResponse(b).(BetResponse)
			}
			return res
		}})
	a.handle(rt, route{op: a.Ops.DashWithdrawals, http: httpapi.Op{Method: "GET", Path: "/api/v1/dashboard/withdrawals", ID: "dashboardWithdrawals",
		Tag: "dashboard", Summary: "Paginated withdrawal history for the authenticated wallet.", Resp: DashboardWithdrawalsResponse{}, Params: pageParams},
		decode: func(r *http.Request) (any, error) { return decodePage(r) },
		render: func(out any) any {
			p := out.(bets.WithdrawalPage)
			res := DashboardWithdrawalsResponse{Withdrawals: make([]WithdrawalView, len(p.Withdrawals)), Pagination: pagination(p.Paging)}
			for i, w := range p.Withdrawals {
				res.Withdrawals[i] = withdrawalView(w)
			}
			return res
		}})
	a.handle(rt, route{op: a.Ops.DashWithdraw, http: httpapi.Op{Method: "POST", Path: "/api/v1/dashboard/withdraw", ID: "dashboardWithdraw",
		Tag: "dashboard", Summary: "On-chain USDC payout to the authenticated wallet. Free for SIWE session owners.",
		Body: WithdrawBody{}, Resp: DashboardWithdrawResponse{}},
		decode: decodeWithdraw,
		render: func(out any) any {
			w := out.(bets.Withdrawal)
			return DashboardWithdrawResponse{WithdrawResponse: WithdrawResponse{WithdrawalID: w.ID, TxHash: w.Tx, Status: w.Status, To: w.Address,
				AmountMicro: w.AmountMic, Network: w.Network, Sandbox: sandboxNetwork(w.Network), CreatedAt: w.CreatedAt}}
		}})
	a.handle(rt, route{op: a.Ops.DashSummary, http: httpapi.Op{Method: "GET", Path: "/api/v1/dashboard/summary", ID: "dashboardSummary",
		Tag: "dashboard", Summary: "KPI snapshot for the authenticated wallet (balance, lifetime PnL, win rate).", Resp: DashboardSummaryResponse{}},
		decode: none,
		render: func(out any) any {
			s := out.(bets.Summary)
			res := DashboardSummaryResponse{Wallet: s.Wallet, BalanceMicro: s.BalanceMicro, Bets: s.Bets, Wins: s.Wins, WinRate: s.WinRate,
				WageredMicro: s.WageredMicro, PaidOutMicro: s.PaidOutMicro, PnLMicro: s.PnLMicro, WithdrawnMicro: s.WithdrawnMicro,
				SettlingBets: s.Settling, AsOf: s.BalanceAsOfTime}
			if !s.LastBetAt.IsZero() {
				res.LastBetAt = &s.LastBetAt
			}
			return res
		}})
	a.handle(rt, route{op: a.Ops.DashNotifications, http: httpapi.Op{Method: "GET", Path: "/api/v1/dashboard/notifications",
		ID: "dashboardNotificationsGet", Tag: "dashboard", Summary: "Current email notification preferences for the authenticated wallet.",
		Resp: NotificationsResponse{}},
		decode: none, render: notificationsResponse})
	a.handle(rt, route{op: a.Ops.DashSetNotifications, http: httpapi.Op{Method: "POST", Path: "/api/v1/dashboard/notifications",
		ID: "dashboardNotificationsUpsert", Tag: "dashboard", Summary: "Upsert notification preferences; sends a verification email.",
		Body: NotificationsBody{}, Resp: NotificationsResponse{}},
		decode: func(r *http.Request) (any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return nil, err
			}
			var b NotificationsBody
			if err := httpapi.DecodeJSON(raw, &b); err != nil {
				return nil, err
			}
			if b.Email == "" {
				return nil, errs.Missing("email")
			}
			return bets.NotificationsInput{Email: b.Email, Events: b.Events, Code: b.Code}, nil
		},
		render: notificationsResponse})
}
