package v1api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/arcadehq/arcade/internal/casino"
	"github.com/arcadehq/arcade/internal/casino/bets"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/x402"
)

// CoinflipBody is POST /api/v1/games/coinflip's body.
type CoinflipBody struct {
	ClientSeed string `json:"client_seed" jsonschema:"minLength=1,maxLength=128"`
	Nonce      int64  `json:"nonce" jsonschema:"minimum=0"`
	Choice     string `json:"choice" jsonschema:"enum=heads,enum=tails"`
}

// DiceBody is POST /api/v1/games/dice's body.
type DiceBody struct {
	ClientSeed string `json:"client_seed" jsonschema:"minLength=1,maxLength=128"`
	Nonce      int64  `json:"nonce" jsonschema:"minimum=0"`
	Threshold  int    `json:"threshold" jsonschema:"minimum=2,maximum=99"`
	Direction  string `json:"direction" jsonschema:"enum=over,enum=under"`
}

// RouletteBody is POST /api/v1/games/roulette's body; bet is an integer 0–36, one of red, black,
// even, odd, low, high, or {type, value}.
type RouletteBody struct {
	ClientSeed string `json:"client_seed" jsonschema:"minLength=1,maxLength=128"`
	Nonce      int64  `json:"nonce" jsonschema:"minimum=0"`
	Bet        any    `json:"bet"`
}

// SlotsBody is POST /api/v1/games/slots's body.
type SlotsBody struct {
	ClientSeed string `json:"client_seed" jsonschema:"minLength=1,maxLength=128"`
	Nonce      int64  `json:"nonce" jsonschema:"minimum=0"`
}

// betBody is every game's body read at once; each game reads its own fields.
type betBody struct {
	ClientSeed *string         `json:"client_seed"`
	Nonce      httpapi.Number  `json:"nonce"`
	Choice     string          `json:"choice"`
	Threshold  httpapi.Number  `json:"threshold"`
	Direction  string          `json:"direction"`
	Bet        json.RawMessage `json:"bet"`
}

func decodePlay(game casino.Game) func(r *http.Request) (any, error) {
	return func(r *http.Request) (any, error) {
		q := r.URL.Query()
		if q.Get("stake") == "" {
			return nil, errs.Missing("stake")
		}
		in := bets.Play{Stake: casino.Stake(q.Get("stake")), Bet: casino.Bet{Game: game}}
		if _, err := casino.ParseStake(q.Get("stake")); err != nil {
			return nil, bets.Invalid(err)
		}
		raw, err := httpapi.ReadBody(r)
		if err != nil {
			return nil, err
		}
		var b betBody
		if err := httpapi.DecodeJSON(raw, &b); err != nil {
			return nil, err
		}
		if b.ClientSeed == nil {
			return nil, errs.Missing("client_seed")
		}
		in.ClientSeed = *b.ClientSeed
		if b.Nonce == "" {
			return nil, errs.Missing("nonce")
		}
		if in.Nonce, err = strconv.ParseUint(string(b.Nonce), 10, 63); err != nil {
			return nil, errs.Invalid("nonce", "must be a whole number from 0")
		}
		switch game {
		case casino.Coinflip:
			in.Bet.Coinflip = casino.CoinflipBet{Choice: b.Choice}
		case casino.Dice:
			if b.Threshold == "" {
				return nil, errs.Missing("threshold")
			}
			t, err := strconv.Atoi(string(b.Threshold))
			if err != nil {
				return nil, errs.Invalid("threshold", "must be a whole number from 2 to 99")
			}
			in.Bet.Dice = casino.DiceBet{Threshold: t, Direction: b.Direction}
		case casino.Roulette:
			if len(b.Bet) == 0 {
				return nil, errs.Missing("bet")
			}
			if err := json.Unmarshal(b.Bet, &in.Bet.Roulette); err != nil {
				return nil, bets.Invalid(err)
			}
		}
		return in, in.Validate()
	}
}

// Verification is what a player needs to recompute a bet (DESIGN §5).
type Verification struct {
	ServerSeedHash string `json:"server_seed_hash"`
	ServerSeedID   string `json:"server_seed_id"`
	ClientSeed     string `json:"client_seed"`
	Nonce          uint64 `json:"nonce"`
	Reveal         string `json:"reveal"` // where the seed is revealed once rotated
}

// BetResponse is spec 001's BetResponse, with the settlement and Arcade's sandbox label.
type BetResponse struct {
	BetID        string         `json:"bet_id"`
	Game         string         `json:"game"`
	StakeTier    string         `json:"stake_tier" jsonschema:"enum=micro,enum=standard,enum=whale"`
	StakeMicro   int64          `json:"stake_micro"`
	Outcome      casino.Outcome `json:"outcome"`
	Win          bool           `json:"win"`
	MultiplierBP int64          `json:"multiplier_bp"`
	PayoutMicro  int64          `json:"payout_micro"`
	Status       string         `json:"status" jsonschema:"enum=settling,enum=settled,enum=voided"`
	Network      string         `json:"network"`
	Sandbox      bool           `json:"sandbox"`
	TxHash       string         `json:"tx_hash,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	Verification Verification   `json:"verification"`
}

func sandboxNetwork(id string) bool {
	n, err := x402.NetworkByName(id)
	return err == nil && n.Sandbox
}

func betResponse(out any) any {
	b := out.(bets.Bet)
	return BetResponse{BetID: b.ID, Game: string(b.Game), StakeTier: string(b.Stake), StakeMicro: b.StakeMicro, Outcome: b.Outcome,
		Win: b.Outcome.Win, MultiplierBP: b.Outcome.MultiplierBP, PayoutMicro: b.PayoutMicro, Status: b.Status,
		Network: b.Network, Sandbox: sandboxNetwork(b.Network), TxHash: b.Tx, CreatedAt: b.CreatedAt,
		Verification: Verification{ServerSeedHash: b.Commitment, ServerSeedID: b.SeedID, ClientSeed: b.ClientSeed, Nonce: b.Nonce,
			Reveal: "/api/v1/seed/reveal?seed_id=" + b.SeedID}}
}

// StakeInfo is one stake tier and its price.
type StakeInfo struct {
	Tier        string `json:"tier"`
	AmountMicro int64  `json:"amount_micro"`
	PriceUSD    string `json:"price_usd"`
}

// GamesResponse is GET /api/v1/games: the games' rules, payouts and return to player, the stake
// tiers, and the whole price table.
type GamesResponse struct {
	Games  casino.PayTables `json:"games"`
	Stakes []StakeInfo      `json:"stakes"`
	Prices []casino.Price   `json:"prices"`
	Play   string           `json:"play"`
}

func stakes(ss []casino.Stake) []StakeInfo {
	out := make([]StakeInfo, len(ss))
	for i, s := range ss {
		out[i] = StakeInfo{string(s), s.Micro(), casino.USD(s.Micro())}
	}
	return out
}

func stakeItems() []casino.Item {
	var out []casino.Item
	for _, s := range casino.Stakes() {
		out = append(out, s.Item())
	}
	return out
}

func (a *API) registerGames(rt *httpapi.Router) {
	a.handle(rt, route{op: a.Ops.Games, http: httpapi.Op{Method: "GET", Path: "/api/v1/games", ID: "listGames", Tag: "discovery",
		Summary: "Public game manifest with stakes, descriptions, and payouts.", Resp: GamesResponse{}},
		decode: func(*http.Request) (any, error) { return nil, nil },
		render: func(out any) any {
			g := out.(bets.Games)
			return GamesResponse{Games: g.Tables, Stakes: stakes(g.Stakes), Prices: g.Prices,
				Play: "POST /api/v1/games/{coinflip|dice|roulette|slots}?stake=micro|standard|whale with {client_seed, nonce, ...}; pay the 402 with x402"}
		}})
	stake := httpapi.Param{Name: "stake", In: "query", Required: true, Enum: []string{"micro", "standard", "whale"},
		Description: "Stake tier — also determines the x402 price ($0.10 / $1.00 / $10.00)."}
	for _, g := range []struct {
		game    casino.Game
		id, sum string
		body    any
		example any
	}{
		{casino.Coinflip, "playCoinflip", "Play coin flip (heads/tails).", CoinflipBody{},
			map[string]any{"client_seed": "my-seed", "nonce": 1, "choice": "heads"}},
		{casino.Dice, "playDice", "Bet on a dice roll over/under a threshold (1–100).", DiceBody{},
			map[string]any{"client_seed": "my-seed", "nonce": 1, "threshold": 50, "direction": "over"}},
		{casino.Roulette, "playRoulette", "Play single-zero European roulette (0–36).", RouletteBody{},
			map[string]any{"client_seed": "my-seed", "nonce": 1, "bet": "red"}},
		{casino.Slots, "playSlots", "Play 3-reel slots (6 symbols).", SlotsBody{},
			map[string]any{"client_seed": "my-seed", "nonce": 1}},
	} {
		a.handle(rt, route{op: a.Ops.Play, http: httpapi.Op{Method: "POST", Path: "/api/v1/games/" + string(g.game), ID: g.id, Tag: "games",
			Summary: g.sum, Params: []httpapi.Param{stake}, Body: g.body, Resp: BetResponse{},
			Description: "A nonce not greater than your last one for this server seed and client seed answers 409 and is not charged."},
			decode: decodePlay(g.game), render: betResponse, items: stakeItems(),
			bazaar: x402.BazaarHTTP{Method: "POST", Input: g.example}})
	}
}
