package creditsapi

import (
	"context"
	"net/http"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// FaucetData answers POST /api/faucet.
type FaucetData struct {
	Balance      money.Amount `json:"balance"`
	Granted      money.Amount `json:"granted"`
	NextFaucetAt time.Time    `json:"nextFaucetAt"`
	ClaimID      string       `json:"claimId"`
}

func (a *API) registerFaucet(rt *httpapi.Router) {
	a.handle(rt, httpapi.Op{Method: "POST", Path: "/api/faucet", ID: "claimFaucet", Tag: "credits", Auth: httpapi.AuthBearer,
		Summary:     "Claim hourly Free Credits (100 credits, one claim per hour).",
		Description: "429 FAUCET_COOLDOWN with nextFaucetAt (top level and in data) while cooling down. Accepts Idempotency-Key.",
		Params:      []httpapi.Param{{Name: "Idempotency-Key", In: "header", Description: "retries with the same key replay the first answer"}},
		Resp:        FaucetData{}, Errors: []int{400, 409, 429}},
		func(r *http.Request, me account.Account) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			return a.moneyMove(r, me, "faucet", raw, func(ctx context.Context, q store.Q, now time.Time) (any, error) {
				c, err := credits.ClaimFaucet(ctx, q, now, me.ID)
				if err != nil {
					return nil, err
				}
				return FaucetData{Balance: c.Balance, Granted: c.Granted, NextFaucetAt: c.NextFaucetAt, ClaimID: c.ID}, nil
			})
		})
}
