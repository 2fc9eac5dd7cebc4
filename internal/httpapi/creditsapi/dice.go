package creditsapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// DiceRequest is POST /api/games/dice/round's body.
type DiceRequest struct {
	Amount    httpapi.Number `json:"amount" jsonschema:"type=integer,minimum=1,maximum=10000"`
	Target    httpapi.Number `json:"target" jsonschema:"type=number,minimum=0,exclusiveMaximum=100"`
	Condition string         `json:"condition" jsonschema:"enum=over,enum=under"`
}

// parseDiceBet turns the wire bet into a validated domain bet, naming the field at fault.
func parseDiceBet(amount, target httpapi.Number, condition, prefix string) (credits.DiceBet, error) {
	var b credits.DiceBet
	var err error
	if b.Amount, err = wholeCredits(prefix+"amount", amount); err != nil {
		return b, err
	}
	if target == "" {
		return b, errs.Missing(prefix + "target")
	}
	if b.Target, err = fairness.ParseCreditDiceTarget(target.String()); err != nil {
		return b, errs.Invalid(prefix+"target", "must be a number from 0 to 99.99 with at most two decimals")
	}
	switch condition {
	case "over":
		b.Over = true
	case "under":
	case "":
		return b, errs.Missing(prefix + "condition")
	default:
		return b, errs.Invalid(prefix+"condition", `must be "over" or "under"`)
	}
	if err := b.Validate(); err != nil {
		if e := errs.As(err); e != nil && prefix != "" {
			e.Field = prefix + e.Field
		}
		return b, err
	}
	return b, nil
}

// Verification is what a player needs to recompute a roll (DESIGN §5).
type Verification struct {
	ServerSeedHash      string  `json:"serverSeedHash"`
	ServerSeedID        string  `json:"serverSeedId"`
	ClientSeed          string  `json:"clientSeed"`
	Nonce               uint64  `json:"nonce"`
	ServerSeed          *string `json:"serverSeed,omitempty"`
	VerificationFormula string  `json:"verificationFormula,omitempty"`
}

// DiceData answers a dice round (the real system's field names plus Arcade's).
type DiceData struct {
	BetID        string       `json:"betId"`
	RoundID      string       `json:"roundId"`
	Balance      money.Amount `json:"balance"`
	Result       json.Number  `json:"result" jsonschema:"type=number"`
	Win          bool         `json:"win"`
	Payout       money.Amount `json:"payout"`
	Amount       money.Amount `json:"amount"`
	Target       json.Number  `json:"target" jsonschema:"type=number"`
	Condition    string       `json:"condition"`
	Multiplier   json.Number  `json:"multiplier" jsonschema:"type=number"`
	PnL          money.Amount `json:"pnl"`
	Verification Verification `json:"verification"`
}

const formula = "roll = floor(u0 × 10000) / 100 where u0 is the big-endian uint32 of the first 4 bytes of " +
	"HMAC-SHA256(key = server seed bytes, message = clientSeed + \":\" + nonce) / 2^32; under X wins iff roll < X, " +
	"over X wins iff roll ≥ X; payout = floor(amount × 9700 / W), W = 100·X (under) or 10000 − 100·X (over). " +
	"Check with: arcade verify --game credit-dice --server-seed HEX --client-seed C --nonce N --target X --condition over|under"

// hundredths renders 4950 as 49.50.
func hundredths(h int) json.Number {
	return json.Number(strconv.Itoa(h/100) + "." + string(rune('0'+h%100/10)) + string(rune('0'+h%10)))
}

// multiplier renders 9700/W with six decimals, for display only (payouts are computed exactly).
func multiplier(b credits.DiceBet) json.Number {
	w := int64(fairness.CreditDiceWinningRolls(b.Target, b.Over))
	m := 9700 * 1_000_000 / w
	return json.Number(money.Amount(m).String())
}

func diceData(r credits.Round) DiceData {
	return DiceData{BetID: r.ID, RoundID: r.ID, Balance: r.Balance, Result: hundredths(r.Roll), Win: r.Win, Payout: r.Payout,
		Amount: r.Bet.Amount, Target: hundredths(r.Bet.Target), Condition: r.Bet.Condition(), Multiplier: multiplier(r.Bet),
		PnL: r.PnL(), Verification: Verification{ServerSeedHash: r.Commitment, ServerSeedID: r.SeedID, ClientSeed: r.ClientSeed, Nonce: r.Nonce}}
}

func (a *API) registerDice(rt *httpapi.Router) {
	play := func(r *http.Request, me account.Account) (int, any, error) {
		raw, err := httpapi.ReadBody(r)
		if err != nil {
			return 0, nil, err
		}
		var req DiceRequest
		if err := httpapi.DecodeJSON(raw, &req); err != nil {
			return 0, nil, err
		}
		bet, err := parseDiceBet(req.Amount, req.Target, req.Condition, "")
		if err != nil {
			return 0, nil, err
		}
		return a.moneyMove(r, me, "dice", raw, func(ctx context.Context, q store.Q, now time.Time) (any, error) {
			round, err := credits.PlayDice(ctx, q, now, a.Seeds, me.ID, bet)
			if err != nil {
				return nil, err
			}
			return diceData(round), nil
		})
	}
	for _, p := range []struct{ path, id string }{{"/api/games/dice/round", "playDiceRound"}, {"/api/games/dice/bet", "playDiceBet"}} {
		a.handle(rt, httpapi.Op{Method: "POST", Path: p.path, ID: p.id, Tag: "dice", Auth: httpapi.AuthBearer,
			Summary: "Play one provably-fair dice round: amount 1–10000 credits, target 0–99.99, over or under.",
			Description: "Win probability: under X → X/100, over X → (100−X)/100; multiplier 0.97 / probability (3% cost). " +
				"400 VALIDATION_ERROR names the field; 400 INSUFFICIENT_BALANCE when the balance cannot cover it. Accepts Idempotency-Key.",
			Params: []httpapi.Param{{Name: "Idempotency-Key", In: "header"}},
			Body:   DiceRequest{}, Resp: DiceData{}, Errors: []int{400, 409, 429}}, play)
	}
}
