// Package engine is the No-Limit Texas Hold'em rules of an Arcade cash table, as one deterministic
// state machine per hand: forced bets, dealing from a deck the caller supplies, whose turn it is,
// which actions are legal and for how much, side pots, showdown and the split of every pot.
//
// Why it is shaped this way:
//
//   - Pure: no I/O, no clock, no goroutines, no randomness of its own. The deck is an input (the
//     runtime derives it with the public fairness algorithm, DESIGN §5), so a hand is a function of
//     its configuration, stacks, button, deck and action sequence, and any hand can be replayed
//     (package phh replays recorded hands through it).
//   - Integer chips: every amount is an int64 count of the table's unit (micro-USDC at runtime,
//     DESIGN §4). Nothing is ever rounded except where a pot is split (odd chips, below) and the
//     rake (rounded down, in the players' favour).
//   - Conservation is the invariant: after every hand the sum of the final stacks plus the rake
//     equals the sum of the starting stacks, and every pot is paid exactly. Rake is reported on its
//     own so the runtime credits it to the platform account.
//   - One Hand value is reused from hand to hand; the hot path (Legal, Act) does not allocate.
//
// Rules applied, with the Poker TDA rule (2022 numbering) where there is one:
//
//   - Button: the simplified moving button of online cash games (NextButton: the button moves to
//     the next seat with chips; small blind and big blind are the next two seats with chips). TDA
//     Rule 32 (dead button) is a tournament rule that needs the blind history of the table; it is
//     not used.
//   - Heads-up: the button posts the small blind, acts first before the flop and last after it
//     (TDA "Button in Heads-up", the standard two-handed rule).
//   - Forced bets: antes are posted first, then the blinds. A big-blind ante is posted by the big
//     blind before the big blind itself when the stack cannot cover both (the TDA's "ante first"
//     rule since its 2019 summit; PokerKit does the same; the WSOP posts the blind first). A
//     short stack posts what it has and is all in. The amount to call before the flop is the full
//     big blind even when the big blind is all in for less (or posted nothing), as in live
//     cardrooms and the large online sites; PokerKit differs here: it makes the largest blind
//     actually posted the amount to call.
//   - Raises (TDA Rule 43): a bet is at least the minimum bet; a raise is at least the largest
//     previous full bet or raise of the round. A player may always go all in for less.
//   - No pointless raise: a player may raise only if another player still in could put in more
//     than the current bet (otherwise the raise could only come back as an uncalled bet).
//   - Re-opening (TDA Rule 47): an all-in wager, or several short all-ins together, that add up to
//     less than a full raise do not re-open the betting to a player who has already acted; the
//     player may call or fold only, unless facing at least a full raise in total.
//   - Uncalled bets are returned to the bettor before any pot is formed.
//   - Side pots (TDA Rule 21): pots are layered by each player's total contribution; antes form
//     their own layers so that a big-blind ante is dead money every player still in can win.
//   - Odd chips (TDA Rule 20): when a pot is split, each odd chip goes to a winner in turn starting
//     with the first winner clockwise from the button.
//   - Showdown order (TDA Rule 17): the last aggressor of the final betting round shows first,
//     else the first player left of the button; the others follow clockwise. A player may muck
//     instead of showing and so gives up any claim to the pot. With a player all in and the
//     betting over, all hands are tabled (TDA Rule 16); the automatic showdown does that, and
//     otherwise shows a hand only when it can still win or tie a pot it is eligible for.
//   - Rake: a percentage (basis points) of each pot, main pot first, rounded down, up to a cap
//     per hand; no flop, no drop (a hand that ends before the flop is not raked).
//   - Dealing: cards come from the deck from position 0 up: two rounds of one card each to the
//     players clockwise from the first seat left of the button, then flop, turn and river (with one
//     burnt card before each when Config.BurnCards is set).
package engine
