package ledger

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/arcadehq/arcade/internal/store"
)

// BatchCheck is the incremental invariant: every write transaction checks, just before it
// commits (store.Config.BeforeCommit = c.Check), what it did to the ledger. Triggers (migration
// 0021) note each balance change and each transfer in ledger_batch_changes, whoever made them
// (ledger.Post or a raw statement); Check takes the transaction's notes back out and verifies
// that every account's balance moved by exactly the net of its transfers in this transaction (so
// no transfer touches an account of another asset, and each asset's balances moved by zero in
// all), and that no account that may not go negative is below zero. If the invariant held
// before the transaction, it holds after: so the full audit (Check, reading every transfer) can
// run rarely, while /health reads this running result, which costs the same whatever the
// ledger's size.
//
// A breach is logged, counted and shown on /health, not refused: a breach found in a batch may
// come from a statement outside any write (a manual fix in psql, noted by the triggers and taken
// out by the next transaction), and refusing would then stop every write after it.
type BatchCheck struct {
	Log *slog.Logger
	Now func() time.Time

	batches, changes, violations atomic.Int64
	mu                           sync.Mutex
	last                         string
	lastAt                       time.Time
}

// BatchStatus is the running result of the incremental check.
type BatchStatus struct {
	Batches       int64     `json:"batches_checked"`
	Changes       int64     `json:"changes_checked"` // balance changes and transfers
	Violations    int64     `json:"violations"`
	LastViolation string    `json:"last_violation,omitempty"`
	LastAt        time.Time `json:"last_violation_at,omitzero"`
}

// Status returns the running result.
func (c *BatchCheck) Status() BatchStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	return BatchStatus{Batches: c.batches.Load(), Changes: c.changes.Load(), Violations: c.violations.Load(),
		LastViolation: c.last, LastAt: c.lastAt}
}

// batchBreaches lists the breaches in the transaction's notes, in SQL so that a clean batch (the
// rule) returns no row and costs no allocation per change: accounts whose balance moved by other
// than their transfers' net, and accounts below zero that may not be. (Each asset's balances then
// move by zero in all: every transfer adds and takes the same amount of one asset.)
const batchBreaches = `SELECT account, asset, SUM(moved), SUM(legs), 0 FROM (
		SELECT account, asset, CASE WHEN other IS NULL THEN delta ELSE 0 END AS moved,
			CASE WHEN other IS NULL THEN 0 ELSE delta END AS legs FROM ledger_batch_changes
		UNION ALL
		SELECT other, asset, 0, -delta FROM ledger_batch_changes WHERE other IS NOT NULL) c
	GROUP BY account, asset HAVING SUM(moved) <> SUM(legs)
	UNION ALL
	SELECT account, asset, balance, 0, 1 FROM ledger_batch_changes
	WHERE other IS NULL AND balance < 0 AND kind <> 'house' AND kind <> 'faucet' AND kind <> 'external'`

// Check verifies the transaction's own ledger changes; see BatchCheck. It returns an error only
// when it cannot read them.
func (c *BatchCheck) Check(ctx context.Context, q store.Q) error {
	rows, err := q.Query(ctx, batchBreaches)
	if err != nil {
		return fmt.Errorf("ledger: batch check: %w", err)
	}
	var breaches []string
	for rows.Next() {
		var account, asset string
		var moved, legs int64
		var negative int
		if err := rows.Scan(&account, &asset, &moved, &legs, &negative); err != nil {
			rows.Close()
			return fmt.Errorf("ledger: batch check: %w", err)
		}
		switch {
		case negative == 1:
			breaches = append(breaches, fmt.Sprintf("%s is below zero (%d)", account, moved))
		case legs == 0:
			breaches = append(breaches, fmt.Sprintf("%s (%s) moved %d without a transfer", account, asset, moved))
		default:
			breaches = append(breaches, fmt.Sprintf("%s (%s) moved %d, its transfers %d", account, asset, moved, legs))
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("ledger: batch check: %w", err)
	}
	rows.Close()
	res, err := q.Exec(ctx, `DELETE FROM ledger_batch_changes`)
	if err != nil {
		return fmt.Errorf("ledger: batch check: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("ledger: batch check: %w", err)
	}
	if n == 0 {
		return nil
	}
	c.batches.Add(1)
	c.changes.Add(n)
	if len(breaches) > 0 {
		sort.Strings(breaches)
		c.violations.Add(1)
		msg := "ledger invariant broken by a transaction: " + strings.Join(breaches[:min(4, len(breaches))], "; ")
		if len(breaches) > 4 {
			msg += fmt.Sprintf(" (and %d more)", len(breaches)-4)
		}
		c.mu.Lock()
		c.last, c.lastAt = msg, c.now()
		c.mu.Unlock()
		if c.Log != nil {
			c.Log.Error("ledger batch check", "err", msg)
		}
	}
	return nil
}

func (c *BatchCheck) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
