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
	Raw   string    // 0x hex of the signed transaction's binary encoding
	At    time.Time // when it was recorded (Book.Pending; zero before)
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

// ErrFeeBound is Tracker.Replace's answer when the configured maximum fee leaves no room for a
// replacement that nodes would take: nothing is signed, the payout waits for the fees to fall.
var ErrFeeBound = errors.New("chain: the payout's fee is at its bound")

// ErrBehind is Tracker.Replace's answer for a payout whose nonce is not the next to be mined: it
// waits for an earlier transaction of the house's, and a higher fee would not move it.
var ErrBehind = errors.New("chain: the payout waits behind an earlier transaction of the house")

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
	// Replace signs a replacement of a payout still unmined, attempts being its recorded
	// transactions (the original first): the same nonce and transfer with higher fees, so at
	// most one of them is ever mined. ErrFeeBound when the fees cannot rise enough within the
	// configured bound, ErrBehind when an earlier nonce is still unmined. Nothing is sent.
	Replace(ctx context.Context, attempts []Signed) (Signed, error)
}

// Pending is a withdrawal left pending by its domain: Signed is nil when it was never signed
// (so never sent: the process stopped, or recording failed, before).
type Pending struct {
	ID     string
	Signed *Signed // the payout's transaction as first recorded (At: the withdrawal's creation)
	// Replacements are the transactions recorded since to replace it (the same nonce, higher
	// fees), oldest first.
	Replacements []Signed
	CreatedAt    time.Time
}

// Attempts are the payout's recorded transactions, the original first: they share one nonce,
// so at most one of them is ever mined.
func (p Pending) Attempts() []Signed {
	if p.Signed == nil {
		return nil
	}
	return append([]Signed{*p.Signed}, p.Replacements...)
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
	// Fail marks it failed and refunds it, provided it still has exactly `replacements`
	// replacements recorded (one recorded since it was read may be mined yet: no booking).
	Fail(ctx context.Context, id, reason string, replacements int) (bool, error)
	// Replace records s, a replacement of the withdrawal's payout, before it is sent, provided
	// the withdrawal is still pending, at s's nonce, with exactly `replacements` recorded: two
	// reconcilers never record two at once, and false (nothing recorded) means send nothing.
	Replace(ctx context.Context, id string, replacements int, s Signed) (bool, error)
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
	// BumpAfter is how long a recorded payout may stay unmined before it is replaced with a
	// higher fee (the same nonce: Tracker.Replace), counted from its newest attempt; 0: never.
	BumpAfter time.Duration
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
			booked, err := r.resolve(ctx, b, p, t, t.Add(-unsigned))
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

func (r *Reconciler) resolve(ctx context.Context, b Book, p Pending, now time.Time, unsignedBefore time.Time) (bool, error) {
	if p.Signed == nil {
		if p.CreatedAt.After(unsignedBefore) {
			return false, nil
		}
		return r.fail(ctx, b, p, "the payout was never sent; refunded")
	}
	attempts := p.Attempts()
	v, err := r.lookup(ctx, attempts)
	if err != nil {
		return false, err
	}
	if v.o == Unsent && !v.mixed {
		newest := attempts[len(attempts)-1]
		if r.BumpAfter > 0 && !newest.At.After(now.Add(-r.BumpAfter)) {
			s, err := r.Tracker.Replace(ctx, attempts)
			switch {
			case errors.Is(err, ErrFeeBound):
				r.log().Warn("withdrawal payout unmined and its fee at the bound; left pending", "book", b.Name(), "withdrawal", p.ID,
					"tx", newest.Tx, "nonce", newest.Nonce, "err", err)
			case errors.Is(err, ErrBehind):
				r.log().Info("withdrawal payout unmined behind an earlier nonce; not replaced", "book", b.Name(), "withdrawal", p.ID,
					"tx", newest.Tx, "nonce", newest.Nonce, "err", err)
			case err != nil:
				return false, err
			default:
				ok, err := b.Replace(ctx, p.ID, len(p.Replacements), s)
				if err != nil || !ok {
					return false, err // booked meanwhile, or another reconciler replaced it: nothing to send
				}
				r.log().Info("withdrawal payout replaced with a higher fee", "book", b.Name(), "withdrawal", p.ID,
					"replaced", newest.Tx, "tx", s.Tx, "nonce", s.Nonce)
				newest, attempts = s, append(attempts, s)
				p.Replacements = append(p.Replacements, s)
			}
		}
		// The newest recorded transaction again: if it lands it is the one payment recorded.
		if berr := r.Tracker.Broadcast(ctx, newest); berr != nil {
			r.log().Info("withdrawal rebroadcast", "book", b.Name(), "withdrawal", p.ID, "tx", newest.Tx, "err", berr)
		}
		if v, err = r.lookup(ctx, attempts); err != nil || v.o == Unsent {
			return false, err
		}
	}
	if v.mixed {
		return false, nil // the nonce moved while the attempts were read: decide next round
	}
	switch v.o {
	case Paid:
		ok, err := b.Complete(ctx, p.ID, v.tx)
		if ok {
			r.log().Info("withdrawal reconciled: paid", "book", b.Name(), "withdrawal", p.ID, "tx", v.tx)
		}
		return ok, err
	case Reverted:
		return r.fail(ctx, b, p, "the payout "+v.tx+" reverted; refunded")
	default: // Dropped
		what := "the payout " + p.Signed.Tx
		if n := len(p.Replacements); n > 0 {
			what += fmt.Sprintf(" (and its %d replacements)", n)
		}
		return r.fail(ctx, b, p, what+" was never mined (its nonce was used by another transaction); refunded")
	}
}

// verdict is what became of a payout's attempts together.
type verdict struct {
	o     Outcome
	tx    string // the mined attempt's (Paid, Reverted)
	mixed bool   // some attempts Unsent, others Dropped: the nonce was used while they were read
}

// lookup reads each attempt's outcome. They share a nonce, so at most one is mined: Paid or
// Reverted with that one's hash; Dropped only when every attempt is (the nonce went to a
// transaction that is none of them: each attempt's lookup reads the nonce before its receipt,
// so an attempt mined before the nonce was seen past has its receipt found).
func (r *Reconciler) lookup(ctx context.Context, attempts []Signed) (verdict, error) {
	dropped := 0
	for _, s := range attempts {
		o, err := r.Tracker.Lookup(ctx, s)
		if err != nil {
			return verdict{}, err
		}
		switch o {
		case Paid, Reverted:
			return verdict{o: o, tx: s.Tx}, nil
		case Dropped:
			dropped++
		}
	}
	switch dropped {
	case 0:
		return verdict{o: Unsent}, nil
	case len(attempts):
		return verdict{o: Dropped}, nil
	}
	return verdict{o: Unsent, mixed: true}, nil
}

func (r *Reconciler) fail(ctx context.Context, b Book, p Pending, reason string) (bool, error) {
	ok, err := b.Fail(ctx, p.ID, reason, len(p.Replacements))
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
