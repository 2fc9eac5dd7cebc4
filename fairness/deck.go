package fairness

import (
	"errors"
	"fmt"
)

// DeckDraws is the number of stream values a shuffle consumes: one per position 51 down to 1.
const DeckDraws = 51

// ErrShortStream reports too few stream values for a shuffle.
var ErrShortStream = errors.New("fairness: too few values for a shuffle")

// Card is a playing card written rank then lowercase suit: ranks 2–9, T, J, Q, K, A and suits
// c, d, h, s, e.g. "Td", "As".
type Card string

// Rank returns the card's rank character (one of "23456789TJQKA").
func (c Card) Rank() byte { return c[0] }

// Suit returns the card's suit character (one of "cdhs").
func (c Card) Suit() byte { return c[1] }

// deckOrder is the unshuffled deck, rank 2..A, and within a rank suit c, d, h, s. Substrings of a
// constant string cost no allocation, so building a deck allocates nothing.
const deckOrder = "2c2d2h2s3c3d3h3s4c4d4h4s5c5d5h5s6c6d6h6s7c7d7h7s8c8d8h8s9c9d9h9s" +
	"TcTdThTsJcJdJhJsQcQdQhQsKcKdKhKsAcAdAhAs"

// NewDeckOrder returns the deck before shuffling: 2c 2d 2h 2s 3c … As.
func NewDeckOrder() [52]Card {
	var d [52]Card
	for i := range d {
		d[i] = Card(deckOrder[2*i : 2*i+2])
	}
	return d
}

// ShuffleDeck shuffles NewDeckOrder with Fisher–Yates: for i = 51 down to 1 it swaps positions i
// and j = floor(f × (i + 1)), taking f0, f1, … in turn. Cards are dealt from position 0 up. It
// needs at least DeckDraws values and uses exactly the first DeckDraws.
func ShuffleDeck(u []uint32) ([52]Card, error) {
	if len(u) < DeckDraws {
		return [52]Card{}, fmt.Errorf("%w: need %d, got %d", ErrShortStream, DeckDraws, len(u))
	}
	d := NewDeckOrder()
	for i := 51; i >= 1; i-- {
		j := scale(u[51-i], uint64(i+1))
		d[i], d[j] = d[j], d[i]
	}
	return d, nil
}

// Deck derives the shuffled deck of the bet (clientSeed, nonce) from blocks 0 to 6 of its stream.
func (g *Generator) Deck(clientSeed string, nonce uint64) [52]Card {
	var u [DeckDraws]uint32
	g.Uint32s(clientSeed, nonce, u[:])
	d, _ := ShuffleDeck(u[:]) // cannot fail: u holds exactly DeckDraws values
	return d
}
