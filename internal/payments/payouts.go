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
// poker_withdrawals) created at or before before whose payout is tracked, oldest first.
func PendingPayouts(ctx context.Context, db *store.DB, table string, before time.Time, limit int) (out []chain.Pending, err error) {
	err = db.Read(ctx, func(ctx context.Context, q store.Q) error {
		out = nil
		rows, err := q.Query(ctx, `SELECT id, payout_state, payout_tx, payout_nonce, payout_raw, created_at FROM `+table+`
			WHERE status = 'pending' AND payout_state IS NOT NULL AND created_at <= ? ORDER BY created_at, id LIMIT ?`, before.UnixMicro(), limit)
		if err != nil {
			return fmt.Errorf("payments: pending %s: %w", table, err)
		}
		defer rows.Close()
		for rows.Next() {
			var p chain.Pending
			var state string
			var tx, raw sql.NullString
			var nonce sql.NullInt64
			var at int64
			if err := rows.Scan(&p.ID, &state, &tx, &nonce, &raw, &at); err != nil {
				return fmt.Errorf("payments: pending %s: %w", table, err)
			}
			p.CreatedAt = time.UnixMicro(at).UTC()
			if state == PayoutSigned {
				p.Signed = &chain.Signed{Tx: tx.String, Nonce: uint64(nonce.Int64), Raw: raw.String}
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}
