package eval

import (
	"errors"
	"fmt"

	"github.com/arcadehq/arcade/internal/poker/card"
)

// Eval5 returns the rank of five distinct valid cards.
func Eval5(c [5]card.Card) Rank { return eval5(c[0], c[1], c[2], c[3], c[4]) }

// Eval6 returns the rank of the best five of six distinct valid cards.
func Eval6(c [6]card.Card) Rank { return eval6(c[0], c[1], c[2], c[3], c[4], c[5]) }

// Eval7 returns the rank of the best five of seven distinct valid cards.
func Eval7(c [7]card.Card) Rank { return seventh(c[6]).eval7(c[0], c[1], c[2], c[3], c[4], c[5]) }

// Best returns the rank of the best five of 5 to 7 distinct valid cards, or 0 for another count.
func Best(cs ...card.Card) Rank {
	switch len(cs) {
	case 5:
		return Eval5([5]card.Card(cs))
	case 6:
		return Eval6([6]card.Card(cs))
	case 7:
		return Eval7([7]card.Card(cs))
	}
	return 0
}

// Validate reports whether cs can be evaluated: 5 to 7 cards, each valid, none repeated. The
// Eval functions do not check (the engine deals from a deck); callers with untrusted cards do.
func Validate(cs ...card.Card) error {
	if len(cs) < 5 || len(cs) > 7 {
		return fmt.Errorf("%w: %d cards, want 5 to 7", ErrCards, len(cs))
	}
	if _, err := card.SetOf(cs...); err != nil {
		return fmt.Errorf("%w: %w", ErrCards, err)
	}
	return nil
}

// ErrCards reports cards that cannot be evaluated together.
var ErrCards = errors.New("eval: bad cards")
