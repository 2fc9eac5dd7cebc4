package chain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// Signed identifies a payout transaction before it is sent: its hash, the sending account's
// nonce it uses, and the signed transaction itself (so it can be broadcast again, unchanged:
// the same hash, never a second payment).
type Signed struct {
	Tx    string // 0x hash of the signed transaction
	Nonce uint64
	Raw   string // 0x hex of the signed transaction's binary encoding
}

// Outcome is what became of a signed payout.
type Outcome int

// Outcomes of a signed payout (Tracker.Lookup).
const (
	// Unsent: no transaction with its hash is known and its nonce is still unused: it can be
	// mined yet (broadcast it again).
	Unsent   Outcome = iota
	Paid             // mined and succeeded: the tokens moved
	Reverted         // mined and reverted: nothing moved
	Dropped          // not found, and the account's nonce is past it: it can never be mined
)

func (o Outcome) String() string {
	return [...]string{"unsent", "paid", "reverted", "dropped"}[o]
}

// Tracker is a Payout whose transactions are recorded before they are sent and can be
// reconciled with the chain afterwards (internal/chain/evm's Payout).
type Tracker interface {
	Payout
	// PayRecorded signs the transfer, calls record with what identifies it (the caller stores
	// it, guarded by the withdrawal's status: an error sends nothing), then broadcasts it and
	// waits for its receipt. Errors as Pay's: *Refused when nothing left the house; any other
	// error after record succeeded leaves the outcome to the Reconciler.
	PayRecorded(ctx context.Context, to common.Address, amountMicro int64, ref string, record func(context.Context, Signed) error) (tx string, err error)
	// Lookup reads the chain: what became of s.
	Lookup(ctx context.Context, s Signed) (Outcome, error)
	// Broadcast sends s again (a node that already has it may answer an error; Lookup tells).
	Broadcast(ctx context.Context, s Signed) error
}

// Pending is a withdrawal left pending by its domain: Signed is nil when it was never signed
// (so never sent: the process stopped, or recording failed, before).
type Pending struct {
	ID        string
	Signed    *Signed
	CreatedAt time.Time
}

// Book is one domain's withdrawals (the casino's, the poker surface's). Complete and Fail are
// guarded by the withdrawal's status (pending → completed or failed, once), so resolvers racing
// on several instances book a withdrawal once; each reports whether it booked.
type Book interface {
	Name() string
	// Pending lists withdrawals pending since before `before`, oldest first, up to limit. Only
	// those the reconciler may touch: a withdrawal from before payouts were recorded is left to
	// an operator.
	Pending(ctx context.Context, before time.Time, limit int) ([]Pending, error)
	// Complete marks the withdrawal paid by tx.
	Complete(ctx context.Context, id, tx string) (bool, error)
	// Fail marks it failed and refunds it.
	Fail(ctx context.Context, id, reason string) (bool, error)
}

// Reconciler resolves pending withdrawals with the chain. Every instance may run it: each
// decision is read from the chain and booked under the status guard.
type Reconciler struct {
	Tracker Tracker
	Books   []Book
	Log     *slog.Logger
	Now     func() time.Time // nil: time.Now
	// UnsignedAfter is how old a never-signed pending withdrawal must be before it is failed and
	// refunded (default 15 minutes: longer than any request that may still sign it; a late
	// signer finds it failed and sends nothing).
	UnsignedAfter time.Duration
}

// Resolve reconciles the withdrawals pending for at least olderThan, up to limit per book, and
// answers how many it booked (completed or failed).
func (r *Reconciler) Resolve(ctx context.Context, olderThan time.Duration, limit int) (done int, err error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	unsigned := r.UnsignedAfter
	if unsigned <= 0 {
		unsigned = 15 * time.Minute
	}
	var errs []error
	for _, b := range r.Books {
		t := now()
		ps, err := b.Pending(ctx, t.Add(-olderThan), limit)
		if err != nil {
			errs = append(errs, fmt.Errorf("chain: %s withdrawals: %w", b.Name(), err))
			continue
		}
		for _, p := range ps {
			booked, err := r.resolve(ctx, b, p, t.Add(-unsigned))
			if err != nil {
				errs = append(errs, fmt.Errorf("chain: %s withdrawal %s: %w", b.Name(), p.ID, err))
			}
			if booked {
				done++
			}
		}
	}
	return done, errors.Join(errs...)
}

func (r *Reconciler) resolve(ctx context.Context, b Book, p Pending, unsignedBefore time.Time) (bool, error) {
	if p.Signed == nil {
		if p.CreatedAt.After(unsignedBefore) {
			return false, nil
		}
		return r.fail(ctx, b, p, "the payout was never sent; refunded")
	}
	o, err := r.Tracker.Lookup(ctx, *p.Signed)
	if err != nil {
		return false, err
	}
	if o == Unsent {
		// The same signed transaction again: if it lands it is the one payment recorded.
		if berr := r.Tracker.Broadcast(ctx, *p.Signed); berr != nil {
			r.log().Info("withdrawal rebroadcast", "book", b.Name(), "withdrawal", p.ID, "tx", p.Signed.Tx, "err", berr)
		}
		if o, err = r.Tracker.Lookup(ctx, *p.Signed); err != nil || o == Unsent {
			return false, err
		}
	}
	switch o {
	case Paid:
		ok, err := b.Complete(ctx, p.ID, p.Signed.Tx)
		if ok {
			r.log().Info("withdrawal reconciled: paid", "book", b.Name(), "withdrawal", p.ID, "tx", p.Signed.Tx)
		}
		return ok, err
	case Reverted:
		return r.fail(ctx, b, p, "the payout "+p.Signed.Tx+" reverted; refunded")
	default: // Dropped
		return r.fail(ctx, b, p, "the payout "+p.Signed.Tx+" was never mined (its nonce was used by another transaction); refunded")
	}
}

func (r *Reconciler) fail(ctx context.Context, b Book, p Pending, reason string) (bool, error) {
	ok, err := b.Fail(ctx, p.ID, reason)
	if ok {
		r.log().Warn("withdrawal reconciled: failed", "book", b.Name(), "withdrawal", p.ID, "reason", reason)
	}
	return ok, err
}

func (r *Reconciler) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}

// Every runs Resolve every period until ctx ends (withdrawals pending for longer than a period,
// 100 per book at a time).
func (r *Reconciler) Every(ctx context.Context, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := r.Resolve(ctx, period, 100); err != nil && ctx.Err() == nil {
				r.log().Warn("withdrawal reconciliation", "err", err)
			}
		}
	}
}
