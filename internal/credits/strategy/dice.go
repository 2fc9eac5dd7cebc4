package strategy

import (
	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/money"
)

// Condition is the side of a dice bet: "over" or "under".
type Condition string

// The two conditions. Under X wins iff roll < X; over X wins iff roll ≥ X (DESIGN §5).
const (
	Over  Condition = "over"
	Under Condition = "under"
)

func conditionOf(over bool) Condition {
	if over {
		return Over
	}
	return Under
}

// Limits of the credit dice (spec 000).
const (
	MinStakeCredits = 1     // smallest stake, in whole credits
	MaxStakeCredits = 10000 // largest stake, in whole credits
	MaxTarget       = Hundredths(fairness.CreditDiceRolls - 1)
	// returnBP is the return to player in basis points: payout = floor(amount × 9700 / W).
	returnBP = fairness.CreditDiceReturnBP
	micro    = int64(money.Micro)
)

// winningRolls returns W, the number of winning rolls out of 10000.
func winningRolls(t Hundredths, over bool) int64 {
	return int64(fairness.CreditDiceWinningRolls(int(t), over))
}

// clampTarget keeps t within 0.00–99.99 and, for under, at 0.01 or more, so that the bet always
// has a winning roll (W > 0).
func clampTarget(t Hundredths, over bool) Hundredths {
	lo := Hundredths(0)
	if !over {
		lo = 1
	}
	return max(lo, min(t, MaxTarget))
}

// validTarget reports whether t is in range and has a winning roll.
func validTarget(t Hundredths, over bool) bool {
	return t >= 0 && t <= MaxTarget && winningRolls(t, over) > 0
}

// Bet is one round's decision: a stake in whole credits (as micro-units), a target and a side.
// Skip means this round places no bet (a pause): the caller asks for the next one and does not
// call Record.
type Bet struct {
	Amount    money.Amount `json:"amount"`
	Target    Hundredths   `json:"target"`
	Condition Condition    `json:"condition"`
	Skip      bool         `json:"skip,omitempty"`
}

// Over reports whether b is an over bet.
func (b Bet) Over() bool { return b.Condition == Over }

// Credits returns the stake in whole credits.
func (b Bet) Credits() int64 { return int64(b.Amount) / micro }

// Outcome is the result of a settled Bet, handed back to Session.Record.
type Outcome struct {
	Win    bool
	Payout money.Amount // what the bet paid back: 0 on a loss, floor(amount × 9700 / W) on a win
	Roll   Hundredths   // the roll, 0.00–99.99 (informational)
}

// Resolve settles b against a roll in hundredths (fairness.CreditDiceRoll), with the platform's
// exact payout rule.
func (b Bet) Resolve(roll int) (Outcome, error) {
	over := b.Over()
	win := fairness.CreditDiceWins(roll, int(b.Target), over)
	o := Outcome{Win: win, Roll: Hundredths(roll)}
	if win {
		p, err := fairness.CreditDicePayout(int64(b.Amount), int(b.Target), over)
		if err != nil {
			return Outcome{}, err
		}
		o.Payout = money.Amount(p)
	}
	return o, nil
}
