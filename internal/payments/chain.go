package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/x402"
)

// Book books a payment settled on a chain after it was recorded (Record, in the transaction of
// what it paid for), once: only the first call for a payment neither settled nor refused posts
// the transfers (as Settled does) and sets its transaction; later ones report false.
func Book(ctx context.Context, q store.Q, now time.Time, p *x402.Payment, account, kind, ref, tx string) (booked bool, err error) {
	args := append([]any{tx}, keyArgs(p.Nonce)...)
	res, err := q.Exec(ctx, `UPDATE x402_payments SET tx_hash = ? WHERE network = ? AND asset = ? AND payer = ? AND nonce = ?
		AND tx_hash IS NULL AND refused IS NULL`, args...)
	if err != nil {
		return false, fmt.Errorf("payments: book: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	return true, post(ctx, q, now, p, account, kind, ref)
}

// Refuse marks a recorded payment the network refused (reason), once; it is never booked.
func Refuse(ctx context.Context, q store.Q, p *x402.Payment, reason x402.Reason) (marked bool, err error) {
	args := append([]any{string(reason)}, keyArgs(p.Nonce)...)
	res, err := q.Exec(ctx, `UPDATE x402_payments SET refused = ? WHERE network = ? AND asset = ? AND payer = ? AND nonce = ?
		AND tx_hash IS NULL AND refused IS NULL`, args...)
	if err != nil {
		return false, fmt.Errorf("payments: refuse: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// PendingPayment is a recorded payment neither settled nor refused.
type PendingPayment struct{ Ref, Kind, Account string }

// Pending lists up to limit payments recorded before `before` that are neither settled nor
// refused, but for those of kind except (bets, which their own rows track), oldest first.
func Pending(ctx context.Context, q store.Q, before time.Time, except string, limit int) ([]PendingPayment, error) {
	rows, err := q.Query(ctx, `SELECT ref, kind, account_id FROM x402_payments WHERE tx_hash IS NULL AND refused IS NULL
		AND created_at <= ? AND kind <> ? ORDER BY created_at, ref LIMIT ?`, before.UnixMicro(), except, limit)
	if err != nil {
		return nil, fmt.Errorf("payments: pending: %w", err)
	}
	defer rows.Close()
	var out []PendingPayment
	for rows.Next() {
		var p PendingPayment
		if err := rows.Scan(&p.Ref, &p.Kind, &p.Account); err != nil {
			return nil, fmt.Errorf("payments: pending: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
