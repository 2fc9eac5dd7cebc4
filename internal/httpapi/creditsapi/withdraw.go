package creditsapi

import (
	"context"
	"net/http"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// WithdrawRequest is POST /api/me/withdraw's body.
type WithdrawRequest struct {
	Amount    httpapi.Number `json:"amount" jsonschema:"type=number,minimum=10000"`
	WiseEmail string         `json:"wiseEmail,omitempty"`
	FullName  string         `json:"fullName,omitempty"`
	Currency  string         `json:"currency,omitempty"`
}

// WithdrawalData describes a withdrawal.
type WithdrawalData struct {
	ID        string        `json:"id"`
	Amount    money.Amount  `json:"amount"`
	Status    string        `json:"status" jsonschema:"enum=pending,enum=approved,enum=rejected"`
	Currency  string        `json:"currency,omitempty"`
	Note      string        `json:"note,omitempty"`
	AccountID string        `json:"accountId"`
	CreatedAt time.Time     `json:"createdAt"`
	DecidedAt *time.Time    `json:"decidedAt,omitempty"`
	Message   string        `json:"message,omitempty"`
	Balance   *money.Amount `json:"balance,omitempty"`
}

func withdrawalData(w credits.Withdrawal) WithdrawalData {
	return WithdrawalData{ID: w.ID, Amount: w.Amount, Status: w.Status, Currency: w.Currency, Note: w.Note, AccountID: w.AccountID,
		CreatedAt: w.CreatedAt, DecidedAt: w.DecidedAt}
}

// WithdrawalList lists withdrawals.
type WithdrawalList struct {
	Withdrawals []WithdrawalData `json:"withdrawals"`
}

// DecisionRequest is an operator's note on approve/reject.
type DecisionRequest struct {
	Note string `json:"note,omitempty"`
}

func (a *API) registerWithdraw(rt *httpapi.Router) {
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/me/withdraw", ID: "withdraw", Tag: "account", Auth: httpapi.AuthBearer,
		Summary: "Request a withdrawal (minimum 10,000 credits; Free Credits are not withdrawable). The amount is held as pending until an operator approves or rejects it.",
		Params:  []httpapi.Param{{Name: "Idempotency-Key", In: "header"}},
		Body:    WithdrawRequest{}, Resp: WithdrawalData{}, Errors: []int{400, 409, 429}},
		func(r *http.Request, me account.Account) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			var req WithdrawRequest
			if err := httpapi.DecodeJSON(raw, &req); err != nil {
				return 0, nil, err
			}
			amt, err := creditsAmount("amount", req.Amount)
			if err != nil {
				return 0, nil, err
			}
			if len(req.WiseEmail) > 254 || len(req.FullName) > 200 || len(req.Currency) > 8 {
				return 0, nil, errs.Invalid("body", "wiseEmail, fullName or currency is too long")
			}
			return a.moneyMove(r, me, "withdraw", raw, func(ctx context.Context, q store.Q, now time.Time) (any, error) {
				w, err := credits.RequestWithdrawal(ctx, q, now, me.ID, credits.WithdrawalRequest{Amount: amt,
					WiseEmail: req.WiseEmail, FullName: req.FullName, Currency: req.Currency})
				if err != nil {
					return nil, err
				}
				d := withdrawalData(w)
				d.Message = "Withdrawal requested; it is pending review."
				return d, nil
			})
		})
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/withdrawals", ID: "listWithdrawals", Tag: "account", Auth: httpapi.AuthBearer,
		Summary: "Your withdrawals and their status.", Resp: WithdrawalList{}},
		func(r *http.Request, me account.Account) (int, any, error) {
			return a.listWithdrawals(r, me.ID, "")
		})
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/me/withdrawals/{id}", ID: "getWithdrawal", Tag: "account", Auth: httpapi.AuthBearer,
		Summary: "One of your withdrawals.", Resp: WithdrawalData{}, Errors: []int{404}},
		func(r *http.Request, me account.Account) (int, any, error) {
			var w credits.Withdrawal
			err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) {
				w, err = credits.GetWithdrawal(ctx, q, me.ID, r.PathValue("id"))
				return err
			})
			return 0, withdrawalData(w), err
		})
	a.handle(rt, httpapi.Op{Method: "GET", Path: "/api/admin/withdrawals", ID: "adminListWithdrawals", Tag: "admin", Auth: httpapi.AuthAdmin,
		Summary: "Platform only: withdrawals by status (default pending).",
		Params:  []httpapi.Param{{Name: "status", Enum: []string{"pending", "approved", "rejected"}}},
		Resp:    WithdrawalList{}, Errors: []int{400}},
		func(r *http.Request, _ account.Account) (int, any, error) {
			st := r.URL.Query().Get("status")
			switch st {
			case "":
				st = credits.WithdrawalPending
			case credits.WithdrawalPending, credits.WithdrawalApproved, credits.WithdrawalRejected:
			default:
				return 0, nil, errs.Invalid("status", "must be pending, approved or rejected")
			}
			return a.listWithdrawals(r, "", st)
		})
	for _, d := range []struct {
		verb    string
		approve bool
	}{{"approve", true}, {"reject", false}} {
		a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/admin/withdrawals/{id}/" + d.verb, ID: "adminWithdrawal_" + d.verb,
			Tag: "admin", Auth: httpapi.AuthAdmin, Summary: "Platform only: " + d.verb + " a pending withdrawal (money moves once).",
			Resp: WithdrawalData{}, Errors: []int{400, 404, 409}},
			func(r *http.Request, _ account.Account) (int, any, error) {
				raw, err := httpapi.ReadBody(r)
				if err != nil {
					return 0, nil, err
				}
				var req DecisionRequest
				if len(raw) > 0 {
					if err := httpapi.DecodeJSON(raw, &req); err != nil {
						return 0, nil, err
					}
				}
				var w credits.Withdrawal
				err = a.DB.Write(r.Context(), func(ctx context.Context, q store.Q) (err error) {
					w, err = credits.DecideWithdrawal(ctx, q, store.Now(ctx), r.PathValue("id"), d.approve, req.Note)
					return err
				})
				return 0, withdrawalData(w), err
			})
	}
}

func (a *API) listWithdrawals(r *http.Request, account, status string) (int, any, error) {
	limit, err := intParam(r, "limit", 50, 1, 200)
	if err != nil {
		return 0, nil, err
	}
	var ws []credits.Withdrawal
	if err := a.DB.Read(r.Context(), func(ctx context.Context, q store.Q) (err error) {
		ws, err = credits.Withdrawals(ctx, q, account, status, limit, 0)
		return err
	}); err != nil {
		return 0, nil, err
	}
	out := WithdrawalList{Withdrawals: []WithdrawalData{}}
	for _, w := range ws {
		out.Withdrawals = append(out.Withdrawals, withdrawalData(w))
	}
	return 0, out, nil
}
