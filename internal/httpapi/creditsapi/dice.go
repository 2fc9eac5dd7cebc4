package creditsapi

import (
	"encoding/json"
	"net/http"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
)

// DiceRequest is POST /api/games/dice/round's body.
type DiceRequest struct {
	Amount    httpapi.Number `json:"amount" jsonschema:"type=integer,minimum=1,maximum=10000"`
	Target    httpapi.Number `json:"target" jsonschema:"type=number,minimum=0,exclusiveMaximum=100"`
	Condition string         `json:"condition" jsonschema:"enum=over,enum=under"`
	// ClientSeed, when it differs from your active client seed, starts a fresh server seed (the
	// one whose commitment GET /api/me/seed showed as next) with it before the round.
	ClientSeed string `json:"clientSeed,omitempty" jsonschema:"minLength=1,maxLength=128"`
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
	BetID        string        `json:"betId"`
	RoundID      string        `json:"roundId"`
	Balance      money.Decimal `json:"balance"`
	Result       json.Number   `json:"result" jsonschema:"type=number"`
	Win          bool          `json:"win"`
	Payout       money.Decimal `json:"payout"`
	Amount       money.Decimal `json:"amount"`
	Target       json.Number   `json:"target" jsonschema:"type=number"`
	Condition    string        `json:"condition"`
	Multiplier   json.Number   `json:"multiplier" jsonschema:"type=number"`
	PnL          money.Decimal `json:"pnl"`
	Verification Verification  `json:"verification"`
}

const formula = "roll = floor(u0 × 10000) / 100 where u0 is the big-endian uint32 of the first 4 bytes of " +
	"HMAC-SHA256(key = server seed bytes, message = clientSeed + \":\" + nonce) / 2^32; serverSeedHash = hex(SHA-256(server seed bytes)); under X wins iff roll < X, " +
	"over X wins iff roll ≥ X; payout = floor(amount × 9700 / W), W = 100·X (under) or 10000 − 100·X (over). " +
	"Check with: arcade verify --game credit-dice --server-seed HEX --client-seed C --nonce N --target X --condition over|under"

// hundredths renders 4950 as 49.5 (the one hundredths formatter, strategy.Hundredths).
func hundredths(h int) json.Number { return json.Number(strategy.Hundredths(h).String()) }

// multiplier renders 9700/W with six decimals, for display only (payouts are computed exactly).
func multiplier(b credits.DiceBet) json.Number {
	w := int64(fairness.CreditDiceWinningRolls(b.Target, b.Over))
	m := 9700 * 1_000_000 / w
	return json.Number(money.Amount(m).String())
}

func diceData(r credits.Round) DiceData {
	return DiceData{BetID: r.ID, RoundID: r.ID, Balance: r.Balance.Decimal(), Result: hundredths(r.Roll), Win: r.Win, Payout: r.Payout.Decimal(),
		Amount: r.Bet.Amount.Decimal(), Target: hundredths(r.Bet.Target), Condition: r.Bet.Condition(), Multiplier: multiplier(r.Bet),
		PnL: r.PnL().Decimal(), Verification: Verification{ServerSeedHash: r.Commitment, ServerSeedID: r.SeedID, ClientSeed: r.ClientSeed, Nonce: r.Nonce}}
}

func (a *API) registerDice(rt *httpapi.Router) {
	play := func(r *http.Request, c ops.Caller) (int, any, error) {
		var req DiceRequest
		if _, err := decodeBody(r, &req); err != nil {
			return 0, nil, err
		}
		bet, err := parseDiceBet(req.Amount, req.Target, req.Condition, "")
		if err != nil {
			return 0, nil, err
		}
		round, err := a.Ops.Play.Invoke(r.Context(), c, credits.DicePlay{Bet: bet, ClientSeed: req.ClientSeed})
		if err != nil {
			return 0, nil, err
		}
		return 0, diceData(round), nil
	}
	for _, p := range []struct{ path, id string }{{"/api/games/dice/round", "playDiceRound"}, {"/api/games/dice/bet", "playDiceBet"}} {
		a.handle(rt, a.Ops.Play, httpapi.Op{Method: "POST", Path: p.path, ID: p.id, Tag: "dice",
			Description: "Win probability: under X → X/100, over X → (100−X)/100; multiplier 0.97 / probability (3% cost). " +
				"400 VALIDATION_ERROR names the field; 400 INSUFFICIENT_BALANCE when the balance cannot cover it. Accepts Idempotency-Key. " +
				"Send clientSeed to play on your own client seed (see GET /api/me/seed).",
			Body: DiceRequest{}, Resp: DiceData{}}, play)
	}
	a.handle(rt, a.Ops.Seed, httpapi.Op{Method: "GET", Path: "/api/me/seed", ID: "getSeed", Tag: "fairness", Resp: SeedData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			st, err := a.Ops.Seed.Invoke(r.Context(), c, ops.None{})
			return 0, seedData(st), err
		})
	a.handle(rt, a.Ops.SetClientSeed, httpapi.Op{Method: "POST", Path: "/api/me/seed", ID: "setClientSeed", Tag: "fairness",
		Body: ClientSeedRequest{}, Resp: SeedData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var req ClientSeedRequest
			if _, err := decodeBody(r, &req); err != nil {
				return 0, nil, err
			}
			if req.ClientSeed == "" {
				return 0, nil, errs.Missing("clientSeed")
			}
			st, err := a.Ops.SetClientSeed.Invoke(r.Context(), c, credits.ClientSeedInput{ClientSeed: req.ClientSeed})
			return 0, seedData(st), err
		})
}

// ClientSeedRequest sets the player's client seed.
type ClientSeedRequest struct {
	ClientSeed string `json:"clientSeed" jsonschema:"required,minLength=1,maxLength=128,description=any printable text without ':'"`
}

// RevealedSeed is a retired server seed shown in full.
type RevealedSeed struct {
	ServerSeedID   string `json:"serverSeedId"`
	ServerSeed     string `json:"serverSeed"`
	ServerSeedHash string `json:"serverSeedHash"`
	ClientSeed     string `json:"clientSeed"`
	NoncesUsed     uint64 `json:"noncesUsed"`
}

// SeedData is the player's seed pair: what will decide the next round, readable before it.
type SeedData struct {
	ServerSeedID       string        `json:"serverSeedId"`
	ServerSeedHash     string        `json:"serverSeedHash"`
	ClientSeed         string        `json:"clientSeed"`
	Nonce              uint64        `json:"nonce" jsonschema:"description=the nonce of the next round"`
	NextServerSeedHash string        `json:"nextServerSeedHash" jsonschema:"description=commitment of the seed that becomes active when you set a client seed or reveal"`
	Previous           *RevealedSeed `json:"previous,omitempty" jsonschema:"description=the seed this call retired, revealed"`
	VerificationNote   string        `json:"verificationNote"`
}

func seedData(st credits.SeedState) SeedData {
	d := SeedData{ServerSeedID: st.Current.ID, ServerSeedHash: st.Current.Commitment, ClientSeed: st.Current.ClientSeed,
		Nonce: st.Current.NextNonce, NextServerSeedHash: st.Current.NextCommitment,
		VerificationNote: "serverSeedHash = hex(SHA-256(server seed bytes)); once the seed is retired its rounds verify with " +
			"arcade verify --game credit-dice --server-seed HEX --client-seed C --nonce N, and arcade verify --commitment HASH checks the seed."}
	if p := st.Previous; p != nil {
		d.Previous = &RevealedSeed{ServerSeedID: p.ID, ServerSeed: p.Seed, ServerSeedHash: p.Commitment, ClientSeed: p.ClientSeed, NoncesUsed: p.Nonces}
	}
	return d
}
