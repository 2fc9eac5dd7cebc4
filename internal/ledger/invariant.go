package ledger

import (
	"context"
	"fmt"

	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// Report is the result of the ledger invariant check (DESIGN §4): for each asset the ledger sums
// to zero, every stored balance equals the sum of its transfers, no transfer mixes assets, and no
// account that may not go negative has.
type Report struct {
	OK        bool                                  `json:"ok"`
	Sums      map[money.Asset]money.Amount          `json:"sums"`    // must be 0 per asset
	ByKind    map[money.Asset]map[Kind]money.Amount `json:"by_kind"` // totals per asset and kind
	Drift     []Drift                               `json:"drift"`   // accounts whose balance ≠ Σ transfers
	Mixed     int64                                 `json:"mixed_asset_transfers"`
	Negative  []string                              `json:"negative"` // accounts below zero that may not be
	Transfers int64                                 `json:"transfers"`
}

// Drift is one account whose stored balance disagrees with its transfers.
type Drift struct {
	Account  string       `json:"account"`
	Stored   money.Amount `json:"stored"`
	Computed money.Amount `json:"computed"`
}

// DriftTotal is the sum of |stored − computed| over all drifting accounts.
func (r Report) DriftTotal() money.Amount {
	var d money.Amount
	for _, x := range r.Drift {
		if x.Stored > x.Computed {
			d += x.Stored - x.Computed
		} else {
			d += x.Computed - x.Stored
		}
	}
	return d
}

// Err returns nil when the invariant holds, otherwise an error describing the first breach.
func (r Report) Err() error {
	if r.OK {
		return nil
	}
	for a, s := range r.Sums {
		if s != 0 {
			return fmt.Errorf("ledger invariant: %s sums to %d, not 0", a, s)
		}
	}
	if len(r.Drift) > 0 {
		return fmt.Errorf("ledger invariant: %d accounts drift, first %+v", len(r.Drift), r.Drift[0])
	}
	if r.Mixed > 0 {
		return fmt.Errorf("ledger invariant: %d transfers mix assets", r.Mixed)
	}
	return fmt.Errorf("ledger invariant: accounts below zero: %v", r.Negative)
}

// Check computes the Report. It reads every transfer, so it is for tests, audits and a cached
// /health, not for hot paths. Run it inside one Read so the snapshot is consistent.
func Check(ctx context.Context, q store.Q) (Report, error) {
	r := Report{Sums: map[money.Asset]money.Amount{}, ByKind: map[money.Asset]map[Kind]money.Amount{}}
	for _, a := range []money.Asset{money.Credit, money.USDC} {
		r.Sums[a] = 0
		r.ByKind[a] = map[Kind]money.Amount{}
	}
	// One pass over the transfers (grouped by account on each side), joined to the accounts.
	rows, err := q.Query(ctx, `SELECT a.id, a.asset, a.kind, a.balance, COALESCE(i.s, 0) - COALESCE(o.s, 0)
		FROM ledger_accounts a
		LEFT JOIN (SELECT to_account AS id, SUM(amount) AS s FROM ledger_transfers GROUP BY to_account) i ON i.id = a.id
		LEFT JOIN (SELECT from_account AS id, SUM(amount) AS s FROM ledger_transfers GROUP BY from_account) o ON o.id = a.id`)
	if err != nil {
		return r, fmt.Errorf("ledger: check: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, asset, kind string
		var bal, computed int64
		if err := rows.Scan(&id, &asset, &kind, &bal, &computed); err != nil {
			return r, fmt.Errorf("ledger: check: %w", err)
		}
		a := money.Asset(asset)
		if r.ByKind[a] == nil {
			r.ByKind[a] = map[Kind]money.Amount{}
		}
		r.Sums[a] += money.Amount(bal)
		r.ByKind[a][Kind(kind)] += money.Amount(bal)
		if bal != computed {
			r.Drift = append(r.Drift, Drift{Account: id, Stored: money.Amount(bal), Computed: money.Amount(computed)})
		}
		switch Kind(kind) {
		case House, Faucet, External:
		default:
			if bal < 0 {
				r.Negative = append(r.Negative, id)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("ledger: check: %w", err)
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_transfers t
		JOIN ledger_accounts f ON f.id = t.from_account JOIN ledger_accounts o ON o.id = t.to_account
		WHERE f.asset <> t.asset OR o.asset <> t.asset`).Scan(&r.Mixed); err != nil {
		return r, fmt.Errorf("ledger: check mixed assets: %w", err)
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_transfers`).Scan(&r.Transfers); err != nil {
		return r, fmt.Errorf("ledger: count transfers: %w", err)
	}
	r.OK = len(r.Drift) == 0 && r.Mixed == 0 && len(r.Negative) == 0
	for _, s := range r.Sums {
		if s != 0 {
			r.OK = false
		}
	}
	return r, nil
}
