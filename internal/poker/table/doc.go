// Package table runs poker tables: one goroutine per table owns its seats, stacks and the engine
// hand, and drives the pure engine (internal/poker/engine) with the players' actions, the action
// clock and the fairness engine's decks. Service is the domain entry point: it registers poker
// agents (with a sandbox balance on the embedded sandbox), queues them in the lobby, seats them at
// 6-max tables, and owns every transaction: the buy-in (balance to in-play), each hand's
// settlement (chip movements between in-play accounts and the rake, with the hand row, in one
// transaction), and the cash-out when a player leaves.
//
// Invariants: a seated player's stack equals what the table holds for them in the ledger's
// in_play account (plus, during a hand, what they have put in the pot); a hand's settlement
// moves exactly the engine's net results, so chips are conserved and the rake is the only money
// that leaves the players. Updates to the players are never blocking: a slow reader loses frames
// (the table_seq gap shows it) and resynchronises.
package table
