// Package card is the playing card of Arcade's poker: a byte whose value is rank*4 + suit, with
// rank 0..12 for 2..A and suit 0..3 for clubs, diamonds, hearts, spades.
//
// The encoding is chosen so that a card's value is its position in the fairness package's
// unshuffled deck (fairness.NewDeckOrder: 2c 2d 2h 2s 3c … As). A shuffled deck therefore maps to
// cards without a lookup, and the hand evaluator can index small tables by the card itself.
// Cards are written rank then lowercase suit ("As", "Td", "2c"), the same text the fairness
// package and the poker specification use; parsing is strict and accepts nothing else.
package card
