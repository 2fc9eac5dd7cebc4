package payments

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/store"
)

// Payout states of a chain withdrawal row (v1_withdrawals and poker_withdrawals, migration 0025):
// the casino and poker record their payouts the same way, so chain.Reconciler resolves both.
const (
	PayoutUnsigned = "unsigned" // nothing sent
	PayoutSigned   = "signed"   // payout_tx, payout_nonce and payout_raw recorded; maybe sent
)

// PendingPayouts lists up to limit pending withdrawals of table (v1_withdrawals or
// poker_withdrawals, whose replacements book names in chain_payout_attempts) created at or
// before before whose payout is tracked, oldest first, each with its recorded replacements.
func PendingPayouts(ctx context.Context, db *store.DB, table, book string, before time.Time, limit int) (out []chain.Pending, err error) {
	err = db.Read(ctx, func(ctx context.Context, q store.Q) error {
		out = nil
		rows, err := q.Query(ctx, `SELECT id, payout_state, payout_tx, payout_nonce, payout_raw, payout_replacements, created_at FROM `+table+`
			WHERE status = 'pending' AND payout_state IS NOT NULL AND created_at <= ? ORDER BY created_at, id LIMIT ?`, before.UnixMicro(), limit)
		if err != nil {
			return fmt.Errorf("payments: pending %s: %w", table, err)
		}
		defer rows.Close()
		var replaced []int // indexes in out of withdrawals with replacements
		for rows.Next() {
			var p chain.Pending
			var state string
			var tx, raw sql.NullString
			var nonce sql.NullInt64
			var n int
			var at int64
			if err := rows.Scan(&p.ID, &state, &tx, &nonce, &raw, &n, &at); err != nil {
				return fmt.Errorf("payments: pending %s: %w", table, err)
			}
			p.CreatedAt = time.UnixMicro(at).UTC()
			if state == PayoutSigned {
				p.Signed = &chain.Signed{Tx: tx.String, Nonce: uint64(nonce.Int64), Raw: raw.String, At: p.CreatedAt}
				if n > 0 {
					replaced = append(replaced, len(out))
				}
			}
			out = append(out, p)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("payments: pending %s: %w", table, err)
		}
		rows.Close()
		for _, i := range replaced {
			if out[i].Replacements, err = replacements(ctx, q, book, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func replacements(ctx context.Context, q store.Q, book, id string) ([]chain.Signed, error) {
	rows, err := q.Query(ctx, `SELECT tx, nonce, raw, created_at FROM chain_payout_attempts WHERE book = ? AND withdrawal_id = ?
		ORDER BY seq`, book, id)
	if err != nil {
		return nil, fmt.Errorf("payments: payout attempts of %s: %w", id, err)
	}
	defer rows.Close()
	var out []chain.Signed
	for rows.Next() {
		var s chain.Signed
		var nonce, at int64
		if err := rows.Scan(&s.Tx, &nonce, &s.Raw, &at); err != nil {
			return nil, fmt.Errorf("payments: payout attempts of %s: %w", id, err)
		}
		s.Nonce, s.At = uint64(nonce), time.UnixMicro(at).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// RecordReplacement records s, a replacement of withdrawal id's payout, in q (the domain's write,
// before s is sent): only while the withdrawal is pending, signed at s's nonce and with exactly
// `replacements` replacements recorded. It reports whether it recorded (false: send nothing).
func RecordReplacement(ctx context.Context, q store.Q, table, book, id string, replacements int, s chain.Signed) (bool, error) {
	res, err := q.Exec(ctx, `UPDATE `+table+` SET payout_replacements = payout_replacements + 1
		WHERE id = ? AND status = 'pending' AND payout_state = ? AND payout_nonce = ? AND payout_replacements = ?`,
		id, PayoutSigned, int64(s.Nonce), replacements)
	if err != nil {
		return false, fmt.Errorf("payments: record payout replacement of %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	if _, err := q.Exec(ctx, `INSERT INTO chain_payout_attempts (book, withdrawal_id, seq, tx, nonce, raw, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, book, id, replacements+1, s.Tx, int64(s.Nonce), s.Raw, store.Now(ctx).UnixMicro()); err != nil {
		return false, fmt.Errorf("payments: record payout replacement of %s: %w", id, err)
	}
	return true, nil
}
