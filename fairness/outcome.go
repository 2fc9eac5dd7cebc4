package fairness

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// Errors of the credit dice (/api/ dice) rules.
var (
	// ErrNoWinningRolls reports a credit-dice bet that no roll can win (under 0.00), whose
	// multiplier would be infinite.
	ErrNoWinningRolls = errors.New("fairness: credit dice: no roll wins this bet")
	// ErrTarget reports a credit-dice target outside 0.00–99.99 or with more than two decimals.
	ErrTarget = errors.New("fairness: credit dice: target must be 0.00–99.99 with at most two decimals")
	// ErrAmount reports a negative stake.
	ErrAmount = errors.New("fairness: negative amount")
	// ErrOverflow reports a payout that does not fit in an int64 count of micro-units.
	ErrOverflow = errors.New("fairness: payout overflows int64 micro-units")
)

const (
	// CreditDiceRolls is the number of equally likely credit-dice rolls, 0.00 to 99.99.
	CreditDiceRolls = 10000
	// CreditDiceReturnBP is the credit dice's return to player in basis points: a 3% cost at
	// every target (spec 000's 0.97 / win probability).
	CreditDiceReturnBP = 9700
)

// CoinflipSide returns "heads" if f0 < 0.5 and "tails" otherwise.
func CoinflipSide(u0 uint32) string {
	if u0 < 1<<31 {
		return "heads"
	}
	return "tails"
}

// DiceRoll returns the /api/v1 dice roll floor(f0 × 100) + 1, from 1 to 100.
func DiceRoll(u0 uint32) int { return int(scale(u0, 100)) + 1 }

// CreditDiceRoll returns the /api/ dice roll floor(f0 × 10000), from 0 to 9999, in hundredths:
// the roll shown is value / 100, 0.00 to 99.99.
func CreditDiceRoll(u0 uint32) int { return int(scale(u0, CreditDiceRolls)) }

// CreditDiceWins reports whether a credit-dice roll wins against target X (both in hundredths):
// under X wins iff roll < X, over X wins iff roll ≥ X, so over and under are complementary and
// win with probabilities (100 − X)/100 and X/100 exactly.
func CreditDiceWins(rollHundredths, targetHundredths int, over bool) bool {
	if over {
		return rollHundredths >= targetHundredths
	}
	return rollHundredths < targetHundredths
}

// CreditDiceWinningRolls returns W, the number of winning rolls out of 10000: the target in
// hundredths for under, 10000 minus it for over. It does not validate the target.
func CreditDiceWinningRolls(targetHundredths int, over bool) int {
	if over {
		return CreditDiceRolls - targetHundredths
	}
	return targetHundredths
}

// CreditDicePayout returns what a winning credit-dice bet pays back, floor(amount × 9700 / W)
// micro-units, where W = CreditDiceWinningRolls: the multiplier 0.97 / p rounded down to the
// micro-unit, the remainder staying with the house. A losing bet pays 0; this function does not
// look at the roll. It fails on a target outside 0–9999, a negative amount, a bet no roll can win
// (W = 0) and a payout beyond int64. The arithmetic is exact 128-bit integer arithmetic.
func CreditDicePayout(amountMicro int64, targetHundredths int, over bool) (int64, error) {
	if targetHundredths < 0 || targetHundredths >= CreditDiceRolls {
		return 0, fmt.Errorf("%w (got %d hundredths)", ErrTarget, targetHundredths)
	}
	if amountMicro < 0 {
		return 0, ErrAmount
	}
	w := uint64(CreditDiceWinningRolls(targetHundredths, over))
	if w == 0 {
		return 0, ErrNoWinningRolls
	}
	hi, lo := bits.Mul64(uint64(amountMicro), CreditDiceReturnBP)
	if hi >= w {
		return 0, ErrOverflow
	}
	var q uint64
	if hi == 0 {
		q = lo / w // every realistic stake: a 64-bit divide is several times cheaper than Div64
	} else {
		q, _ = bits.Div64(hi, lo, w)
	}
	if q > math.MaxInt64 {
		return 0, ErrOverflow
	}
	return int64(q), nil
}

// RoulettePocket returns the single-zero roulette pocket floor(f0 × 37), from 0 to 36.
func RoulettePocket(u0 uint32) int { return int(scale(u0, RoulettePockets)) }

// SlotsReels returns the three reels' symbol indexes floor(f_i × 6) for i = 0, 1, 2, indexing
// the symbol list GET /api/v1/games publishes. u must hold at least three values.
func SlotsReels(u []uint32) [3]int {
	_ = u[2] // one bounds check: fewer than three values is a programming error
	return [3]int{
		int(scale(u[0], SlotsSymbolCount)),
		int(scale(u[1], SlotsSymbolCount)),
		int(scale(u[2], SlotsSymbolCount)),
	}
}

// Slots derives the reels of the bet (clientSeed, nonce): f0, f1, f2 of block 0.
func (g *Generator) Slots(clientSeed string, nonce uint64) [3]int {
	var u [3]uint32
	g.Uint32s(clientSeed, nonce, u[:])
	return SlotsReels(u[:])
}

// RoulettePockets is the number of pockets of the single-zero wheel, 0 to 36.
const RoulettePockets = 37

// SlotsSymbolCount is the number of symbols on each of the three reels; the symbols' names and
// pay table are the casino's (GET /api/v1/games publishes them).
const SlotsSymbolCount = 6
