package casino

import (
	"fmt"

	"github.com/arcadehq/arcade/fairness"
)

// Game names a /api/v1 game.
type Game string

// The games.
const (
	Coinflip Game = "coinflip"
	Dice     Game = "dice"
	Roulette Game = "roulette"
	Slots    Game = "slots"
)

// GameList returns the games in the order the manifest lists them.
func GameList() []Game { return []Game{Coinflip, Dice, Roulette, Slots} }

// Bet is one wager: the game and its parameters (exactly one of the game's fields is used).
type Bet struct {
	Game     Game
	Coinflip CoinflipBet
	Dice     DiceBet
	Roulette RouletteBet
}

// Validate reports an unknown game or bad parameters, as a *ParamError naming the field.
func (b Bet) Validate() error {
	switch b.Game {
	case Coinflip:
		return b.Coinflip.Validate()
	case Dice:
		return b.Dice.Validate()
	case Roulette:
		return b.Roulette.Validate()
	case Slots:
		return nil
	}
	return &ParamError{"game", "must be coinflip, dice, roulette or slots"}
}

// Outcome is what a bet drew and what it pays. Exactly the game's outcome field is set.
type Outcome struct {
	Game         Game     `json:"game"`
	Side         string   `json:"side,omitempty"`   // coinflip: heads | tails
	Roll         int      `json:"roll,omitempty"`   // dice: 1–100
	Pocket       *int     `json:"pocket,omitempty"` // roulette: 0–36 (a pointer: 0 is a pocket)
	Color        string   `json:"color,omitempty"`  // roulette: green | red | black
	Reels        []int    `json:"reels,omitempty"`  // slots: symbol indexes
	Symbols      []string `json:"symbols,omitempty"`
	Win          bool     `json:"win"`
	MultiplierBP int64    `json:"multiplier_bp"`
	StakeMicro   int64    `json:"stake_micro"`
	PayoutMicro  int64    `json:"payout_micro"` // floor(stake × multiplier / 10000); 0 on a loss
}

// Play settles bet at stake stakeMicro on the stream of (clientSeed, nonce) from g: the outcome
// by DESIGN §5 (fairness), the payout by this package's pay tables.
func Play(g *fairness.Generator, clientSeed string, nonce uint64, bet Bet, stakeMicro int64) (Outcome, error) {
	if err := bet.Validate(); err != nil {
		return Outcome{}, err
	}
	if stakeMicro <= 0 {
		return Outcome{}, fmt.Errorf("casino: play: stake %d: %w", stakeMicro, ErrAmount)
	}
	o := Outcome{Game: bet.Game, StakeMicro: stakeMicro}
	switch bet.Game {
	case Coinflip:
		o.Side = fairness.CoinflipSide(g.First(clientSeed, nonce))
		o.Win, o.MultiplierBP = CoinflipPayout(o.Side, bet.Coinflip)
	case Dice:
		o.Roll = fairness.DiceRoll(g.First(clientSeed, nonce))
		o.Win, o.MultiplierBP = DicePayout(o.Roll, bet.Dice)
	case Roulette:
		p := fairness.RoulettePocket(g.First(clientSeed, nonce))
		o.Pocket, o.Color = &p, RouletteColor(p)
		o.Win, o.MultiplierBP = RoulettePayout(p, bet.Roulette)
	case Slots:
		r := g.Slots(clientSeed, nonce)
		names := SlotsSymbols()
		o.Reels = r[:]
		o.Symbols = []string{names[r[0]], names[r[1]], names[r[2]]}
		o.Win, o.MultiplierBP = SlotsPayout(r)
	}
	pay, err := Payout(stakeMicro, o.MultiplierBP)
	if err != nil {
		return Outcome{}, fmt.Errorf("casino: play %s: %w", bet.Game, err)
	}
	o.PayoutMicro = pay
	return o, nil
}
