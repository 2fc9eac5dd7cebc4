// Package credits holds the rules of spec 000, the credits dice platform: Free Credits, dice
// rounds, withdrawals, packages. It knows nothing of HTTP; every operation that moves money runs
// inside the caller's store.Write, posting ledger transfers together with its own domain row.
package credits
