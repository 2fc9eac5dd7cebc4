package ledger

import (
	"context"
	"database/sql"
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
// 0020) note each balance change and each transfer in ledger_batch_changes, whoever made them
// (ledger.Post or a raw statement); Check takes the transaction's notes back out and verifies
// that every account's balance moved by exactly the net of its transfers in this transaction,
// that no transfer touches an account of another asset, that each asset's balances moved by zero
// in all, and that no account that may not go negative is below zero. If the invariant held
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

type acctAsset struct{ account, asset string }

// Check verifies the transaction's own ledger changes; see BatchCheck. It returns an error only
// when it cannot read them.
func (c *BatchCheck) Check(ctx context.Context, q store.Q) error {
	rows, err := q.Query(ctx, `DELETE FROM ledger_batch_changes RETURNING account, other, asset, delta, balance, kind`)
	if err != nil {
		return fmt.Errorf("ledger: batch check: %w", err)
	}
	defer rows.Close()
	var moved, legs map[acctAsset]int64 // balance changes; transfers' nets
	var perAsset map[string]int64
	var negative []string
	n := 0
	for rows.Next() {
		var account, asset string
		var other, kind sql.NullString
		var delta int64
		var balance sql.NullInt64
		if err := rows.Scan(&account, &other, &asset, &delta, &balance, &kind); err != nil {
			return fmt.Errorf("ledger: batch check: %w", err)
		}
		if n == 0 {
			moved, legs, perAsset = map[acctAsset]int64{}, map[acctAsset]int64{}, map[string]int64{}
		}
		n++
		if other.Valid {
			legs[acctAsset{account, asset}] += delta
			legs[acctAsset{other.String, asset}] -= delta
			continue
		}
		moved[acctAsset{account, asset}] += delta
		perAsset[asset] += delta
		switch Kind(kind.String) {
		case House, Faucet, External:
		default:
			if balance.Int64 < 0 {
				negative = append(negative, account)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ledger: batch check: %w", err)
	}
	if n == 0 {
		return nil
	}
	c.batches.Add(1)
	c.changes.Add(int64(n))
	var breaches []string
	for k, d := range legs {
		if moved[k] != d {
			breaches = append(breaches, fmt.Sprintf("%s (%s) moved %d, its transfers %d", k.account, k.asset, moved[k], d))
		}
	}
	for k, d := range moved {
		if _, ok := legs[k]; !ok && d != 0 {
			breaches = append(breaches, fmt.Sprintf("%s (%s) moved %d without a transfer", k.account, k.asset, d))
		}
	}
	for a, s := range perAsset {
		if s != 0 {
			breaches = append(breaches, fmt.Sprintf("%s balances moved by %d in all", a, s))
		}
	}
	for _, id := range negative {
		breaches = append(breaches, fmt.Sprintf("%s is below zero", id))
	}
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
