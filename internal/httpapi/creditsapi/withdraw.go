package creditsapi

import (
	"net/http"
	"time"

	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
)

// WithdrawRequest is POST /api/me/withdraw's body.
type WithdrawRequest struct {
	Amount    httpapi.Number `json:"amount" jsonschema:"type=number,minimum=10000"`
	WiseEmail string         `json:"wiseEmail,omitempty" jsonschema:"maxLength=254"`
	FullName  string         `json:"fullName,omitempty" jsonschema:"maxLength=200"`
	Currency  string         `json:"currency,omitempty" jsonschema:"maxLength=8"`
}

// WithdrawalData describes a withdrawal.
type WithdrawalData struct {
	ID        string         `json:"id"`
	Amount    money.Decimal  `json:"amount"`
	Status    string         `json:"status" jsonschema:"enum=pending,enum=approved,enum=rejected"`
	Currency  string         `json:"currency,omitempty"`
	Note      string         `json:"note,omitempty"`
	AccountID string         `json:"accountId"`
	CreatedAt time.Time      `json:"createdAt"`
	DecidedAt *time.Time     `json:"decidedAt,omitempty"`
	Message   string         `json:"message,omitempty"`
	Balance   *money.Decimal `json:"balance,omitempty"`
}

func withdrawalData(w credits.Withdrawal) WithdrawalData {
	return WithdrawalData{ID: w.ID, Amount: w.Amount.Decimal(), Status: w.Status, Currency: w.Currency, Note: w.Note, AccountID: w.AccountID,
		CreatedAt: w.CreatedAt, DecidedAt: w.DecidedAt}
}

// WithdrawalList lists withdrawals.
type WithdrawalList struct {
	Withdrawals []WithdrawalData `json:"withdrawals"`
}

func withdrawalList(ws []credits.Withdrawal) WithdrawalList {
	out := WithdrawalList{Withdrawals: []WithdrawalData{}}
	for _, w := range ws {
		out.Withdrawals = append(out.Withdrawals, withdrawalData(w))
	}
	return out
}

// DecisionRequest is an operator's note on approve/reject.
type DecisionRequest struct {
	Note string `json:"note,omitempty" jsonschema:"maxLength=1000"`
}

func (a *API) registerWithdraw(rt *httpapi.Router) {
	a.handle(rt, a.Ops.Withdraw, httpapi.Op{Method: "POST", Path: "/api/me/withdraw", ID: "withdraw", Tag: "account",
		Body: WithdrawRequest{}, Resp: WithdrawalData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var req WithdrawRequest
			if _, err := decodeBody(r, &req); err != nil {
				return 0, nil, err
			}
			amt, err := creditsAmount("amount", req.Amount)
			if err != nil {
				return 0, nil, err
			}
			w, err := a.Ops.Withdraw.Invoke(r.Context(), c, credits.WithdrawalRequest{Amount: amt,
				WiseEmail: req.WiseEmail, FullName: req.FullName, Currency: req.Currency})
			if err != nil {
				return 0, nil, err
			}
			d := withdrawalData(w)
			d.Message = "Withdrawal requested; it is pending review."
			return 0, d, nil
		})
	a.handle(rt, a.Ops.Withdrawals, httpapi.Op{Method: "GET", Path: "/api/me/withdrawals", ID: "listWithdrawals", Tag: "account",
		Params: []httpapi.Param{{Name: "limit", Type: "integer", Description: "1–200, default 50"}}, Resp: WithdrawalList{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			limit, err := intParam(r, "limit", credits.DefaultListLimit, 1, 200)
			if err != nil {
				return 0, nil, err
			}
			ws, err := a.Ops.Withdrawals.Invoke(r.Context(), c, credits.WithdrawalsQuery{Limit: limit})
			return 0, withdrawalList(ws), err
		})
	a.handle(rt, a.Ops.Withdrawal, httpapi.Op{Method: "GET", Path: "/api/me/withdrawals/{id}", ID: "getWithdrawal", Tag: "account",
		Resp: WithdrawalData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			w, err := a.Ops.Withdrawal.Invoke(r.Context(), c, credits.ByID{ID: r.PathValue("id")})
			return 0, withdrawalData(w), err
		})
	a.handle(rt, a.Ops.AdminWithdrawals, httpapi.Op{Method: "GET", Path: "/api/admin/withdrawals", ID: "adminListWithdrawals", Tag: "admin",
		Params: []httpapi.Param{{Name: "status", Enum: []string{"pending", "approved", "rejected"}},
			{Name: "limit", Type: "integer", Description: "1–200, default 50"}},
		Resp: WithdrawalList{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			limit, err := intParam(r, "limit", credits.DefaultListLimit, 1, 200)
			if err != nil {
				return 0, nil, err
			}
			ws, err := a.Ops.AdminWithdrawals.Invoke(r.Context(), c, credits.WithdrawalsQuery{Status: r.URL.Query().Get("status"), Limit: limit})
			return 0, withdrawalList(ws), err
		})
	for _, d := range []struct {
		verb    string
		approve bool
	}{{"approve", true}, {"reject", false}} {
		a.handle(rt, a.Ops.Decide, httpapi.Op{Method: "POST", Path: "/api/admin/withdrawals/{id}/" + d.verb, ID: "adminWithdrawal_" + d.verb,
			Tag: "admin", Summary: "Platform only: " + d.verb + " a pending withdrawal (money moves once).",
			Body: DecisionRequest{}, Resp: WithdrawalData{}},
			func(r *http.Request, c ops.Caller) (int, any, error) {
				var req DecisionRequest
				if _, err := decodeOptional(r, &req); err != nil {
					return 0, nil, err
				}
				w, err := a.Ops.Decide.Invoke(r.Context(), c, credits.Decision{ID: r.PathValue("id"), Approve: d.approve, Note: req.Note})
				return 0, withdrawalData(w), err
			})
	}
}

// decodeBody reads and decodes a required JSON body.
func decodeBody(r *http.Request, v any) ([]byte, error) {
	raw, err := httpapi.ReadBody(r)
	if err != nil {
		return nil, err
	}
	return raw, httpapi.DecodeJSON(raw, v)
}

// decodeOptional decodes a JSON body that may be absent.
func decodeOptional(r *http.Request, v any) ([]byte, error) {
	raw, err := httpapi.ReadBody(r)
	if err != nil || len(raw) == 0 {
		return raw, err
	}
	return raw, httpapi.DecodeJSON(raw, v)
}

var _ = errs.Missing
