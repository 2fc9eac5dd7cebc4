package creditsapi

import (
	"net/http"
	"time"

	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
)

// FaucetData answers POST /api/faucet.
type FaucetData struct {
	Balance      money.Decimal `json:"balance"`
	Granted      money.Decimal `json:"granted"`
	NextFaucetAt time.Time     `json:"nextFaucetAt"`
	ClaimID      string        `json:"claimId"`
}

func (a *API) registerFaucet(rt *httpapi.Router) {
	a.handle(rt, a.Ops.Claim, httpapi.Op{Method: "POST", Path: "/api/faucet", ID: "claimFaucet", Tag: "credits",
		Description: "429 FAUCET_COOLDOWN with nextFaucetAt (top level and in data) while cooling down. Accepts Idempotency-Key.",
		Resp:        FaucetData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			if _, err := httpapi.ReadBody(r); err != nil {
				return 0, nil, err
			}
			cl, err := a.Ops.Claim.Invoke(r.Context(), c, ops.None{})
			return 0, FaucetData{Balance: cl.Balance.Decimal(), Granted: cl.Granted.Decimal(), NextFaucetAt: cl.NextFaucetAt, ClaimID: cl.ID}, err
		})
}
