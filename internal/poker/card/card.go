package card

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"

	"github.com/arcadehq/arcade/fairness"
)

// Card is a playing card: rank*4 + suit, rank 0..12 for 2..A, suit 0..3 for c, d, h, s. Values
// 0..51 are cards; anything larger is invalid and every function here rejects it.
type Card uint8

// N is the number of cards in the deck.
const N = 52

// Ranks, in Card.Rank order (Two = 0 … Ace = 12).
const (
	Two uint8 = iota
	Three
	Four
	Five
	Six
	Seven
	Eight
	Nine
	Ten
	Jack
	Queen
	King
	Ace
)

// Suits, in Card.Suit order.
const (
	Clubs uint8 = iota
	Diamonds
	Hearts
	Spades
)

// RankChars and SuitChars are the characters a card is written with, indexed by rank and suit.
const (
	RankChars = "23456789TJQKA"
	SuitChars = "cdhs"
)

// ErrInvalid reports text or a value that is not a card.
var ErrInvalid = errors.New("card: invalid card")

// New returns the card of the given rank (0..12) and suit (0..3).
func New(rank, suit uint8) (Card, error) {
	if rank > Ace || suit > Spades {
		return 0, fmt.Errorf("%w: rank %d suit %d", ErrInvalid, rank, suit)
	}
	return Card(rank<<2 | suit), nil
}

// Rank returns the rank, 0 (two) to 12 (ace).
func (c Card) Rank() uint8 { return uint8(c) >> 2 }

// Suit returns the suit, 0 (clubs) to 3 (spades).
func (c Card) Suit() uint8 { return uint8(c) & 3 }

// Valid reports whether c is one of the 52 cards.
func (c Card) Valid() bool { return c < N }

// String returns the card as text ("As", "Td"); an invalid value prints as "?<value>".
func (c Card) String() string {
	if !c.Valid() {
		return fmt.Sprintf("?%d", uint8(c))
	}
	return string([]byte{RankChars[c.Rank()], SuitChars[c.Suit()]})
}

// Fairness returns the card as the fairness package writes it.
func (c Card) Fairness() fairness.Card { return fairness.Card(c.String()) }

// Parse reads one card written rank then lowercase suit: rank one of "23456789TJQKA" (upper
// case, ten as T) and suit one of "cdhs". Anything else, including surrounding space, is an error.
func Parse(s string) (Card, error) {
	if len(s) != 2 {
		return 0, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	r := strings.IndexByte(RankChars, s[0])
	u := strings.IndexByte(SuitChars, s[1])
	if r < 0 || u < 0 {
		return 0, fmt.Errorf("%w: %q", ErrInvalid, s)
	}
	return Card(r<<2 | u), nil
}

// MustParse is Parse for constants in tests and tables; it panics on bad text.
func MustParse(s string) Card {
	c, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return c
}

// ParseMany reads cards written back to back ("AsKd"), optionally separated by single spaces
// ("As Kd"). It returns an error for any other text; it does not reject repeated cards (see
// SetOf for that).
func ParseMany(s string) ([]Card, error) {
	out := make([]Card, 0, (len(s)+1)/3+1)
	for i := 0; i < len(s); {
		if len(out) > 0 && s[i] == ' ' {
			i++
		}
		if i+2 > len(s) {
			return nil, fmt.Errorf("%w: %q", ErrInvalid, s)
		}
		c, err := Parse(s[i : i+2])
		if err != nil {
			return nil, fmt.Errorf("%w in %q", err, s)
		}
		out = append(out, c)
		i += 2
	}
	return out, nil
}

// MustParseMany is ParseMany for constants; it panics on bad text.
func MustParseMany(s string) []Card {
	cs, err := ParseMany(s)
	if err != nil {
		panic(err)
	}
	return cs
}

// ParseList reads one card per element.
func ParseList(list []string) ([]Card, error) {
	out := make([]Card, len(list))
	for i, s := range list {
		c, err := Parse(s)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// FromFairness converts a card dealt by the fairness package.
func FromFairness(c fairness.Card) (Card, error) { return Parse(string(c)) }

// FromDeck converts a whole fairness deck. Because Card's value is its position in
// fairness.NewDeckOrder, this is the permutation the shuffle produced.
func FromDeck(d [52]fairness.Card) ([52]Card, error) {
	var out [52]Card
	var seen Set
	for i, fc := range d {
		c, err := FromFairness(fc)
		if err != nil {
			return out, err
		}
		if seen.Has(c) {
			return out, fmt.Errorf("%w: %s twice in deck", ErrInvalid, c)
		}
		seen = seen.Add(c)
		out[i] = c
	}
	return out, nil
}

// Join writes cards back to back with the given separator, e.g. Join(cs, " ") = "As Kd".
func Join(cs []Card, sep string) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(c.String())
	}
	return b.String()
}

// Set is a set of cards as a bitmask: bit c is set when card c is in the set.
type Set uint64

// SetOf returns the set of the given cards, or ErrInvalid if one is invalid or repeated.
func SetOf(cs ...Card) (Set, error) {
	var s Set
	for _, c := range cs {
		if !c.Valid() {
			return 0, fmt.Errorf("%w: value %d", ErrInvalid, uint8(c))
		}
		if s.Has(c) {
			return 0, fmt.Errorf("%w: %s repeated", ErrInvalid, c)
		}
		s |= 1 << c
	}
	return s, nil
}

// FullDeck is the set of all 52 cards.
const FullDeck Set = 1<<N - 1

// Add returns s with c added.
func (s Set) Add(c Card) Set { return s | 1<<c }

// Remove returns s without c.
func (s Set) Remove(c Card) Set { return s &^ (1 << c) }

// Has reports whether c is in s.
func (s Set) Has(c Card) bool { return c < N && s&(1<<c) != 0 }

// Len returns the number of cards in s.
func (s Set) Len() int { return bits.OnesCount64(uint64(s & FullDeck)) }

// Cards returns the cards of s in increasing order (2c first).
func (s Set) Cards() []Card {
	s &= FullDeck
	out := make([]Card, 0, bits.OnesCount64(uint64(s)))
	for s != 0 {
		out = append(out, Card(bits.TrailingZeros64(uint64(s))))
		s &= s - 1
	}
	return out
}
