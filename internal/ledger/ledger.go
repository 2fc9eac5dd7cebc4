// Package ledger is Arcade's double-entry ledger (DESIGN §4). Every movement of money is a
// Transfer between two ledger accounts of the same asset, posted inside the caller's store.Write
// transaction together with the domain row that caused it. Balances are stored for plain reads
// and are always the sum of their transfers; Check proves it.
//
// Ledger account ids are readable: "user:CREDIT:<account id>", "in_play:USDC:<account id>",
// "house:CREDIT". User, in-play, pending and rake balances can never go negative: the database
// refuses it (constraint balance_nonnegative), and Post turns that refusal into
// errs.InsufficientBalance.
package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// Kind is the role of a ledger account.
type Kind string

const (
	User     Kind = "user"     // available to spend
	InPlay   Kind = "in_play"  // poker stacks, unsettled bets
	Pending  Kind = "pending"  // withdrawals awaiting approval or the chain
	House    Kind = "house"    // the casino's side of every bet; may go negative
	Faucet   Kind = "faucet"   // source of Free Credits; negative by what it gave
	Rake     Kind = "rake"     // poker rake collected
	External Kind = "external" // the outside world: deposits in, withdrawals out; negative by what is held
)

// PlatformID is the platform account, owner of every system ledger account (DESIGN §3).
const PlatformID = "00000000-0000-0000-0000-000000000001"

var userKinds = []Kind{User, InPlay, Pending}

// SystemAccount returns the id of a platform-owned account (house, faucet, rake, external).
func SystemAccount(k Kind, a money.Asset) string { return string(k) + ":" + string(a) }

// OwnedAccount returns the id of an account holder's ledger account of kind k.
func OwnedAccount(k Kind, a money.Asset, owner string) string {
	return string(k) + ":" + string(a) + ":" + owner
}

// UserAccount is the available-balance account of owner.
func UserAccount(owner string, a money.Asset) string { return OwnedAccount(User, a, owner) }

// AssetOf reads the asset out of a ledger account id.
func AssetOf(id string) money.Asset {
	_, rest, _ := strings.Cut(id, ":")
	a, _, _ := strings.Cut(rest, ":")
	return money.Asset(a)
}

// Transfer moves Amount of Asset from one ledger account to another.
type Transfer struct {
	Asset  money.Asset
	From   string
	To     string
	Amount money.Amount
	Kind   string // why: "faucet", "bet", "payout", "withdrawal", ...
	Ref    string // the id of the domain row that caused it
}

func (t Transfer) validate() error {
	switch {
	case !t.Asset.Valid():
		return fmt.Errorf("ledger: unknown asset %q", t.Asset)
	case t.Amount <= 0:
		return fmt.Errorf("ledger: transfer amount must be positive, got %d", t.Amount)
	case t.From == t.To:
		return fmt.Errorf("ledger: transfer from %s to itself", t.From)
	case AssetOf(t.From) != t.Asset || AssetOf(t.To) != t.Asset:
		return fmt.Errorf("ledger: %s transfer between %s and %s mixes assets", t.Asset, t.From, t.To)
	case t.Kind == "" || t.Ref == "":
		return fmt.Errorf("ledger: transfer needs a kind and a ref")
	}
	return nil
}

// OpenAccounts creates owner's user, in-play and pending accounts for both assets. It is
// idempotent, so it can run on every sign-up path.
func OpenAccounts(ctx context.Context, q store.Q, owner string) error {
	for _, a := range []money.Asset{money.Credit, money.USDC} {
		for _, k := range userKinds {
			if _, err := q.Exec(ctx, `INSERT INTO ledger_accounts (id, asset, kind, owner_id, balance) VALUES (?, ?, ?, ?, 0)
				ON CONFLICT (id) DO NOTHING`, OwnedAccount(k, a, owner), string(a), string(k), owner); err != nil {
				return fmt.Errorf("ledger: open %s %s account: %w", k, a, err)
			}
		}
	}
	return nil
}

// Post writes the transfers and their balance changes in q, which must be a store.Write
// transaction. If any account would go below what it may, at any point in the sequence of
// transfers, nothing of the call is kept by the caller's savepoint and the error is
// errs.InsufficientBalance.
func Post(ctx context.Context, q store.Q, now time.Time, ts ...Transfer) error {
	_, err := PostRead(ctx, q, now, "", ts...)
	return err
}

// PostRead is Post that also returns the new balance of the account read (0 if read is not
// touched by the transfers, or is a counterparty, whose balance changes at commit), saving the
// caller a query.
//
// Each touched account gets one UPDATE with its net change, guarded in the database so that its
// lowest running balance through the sequence stays at or above zero (for the kinds that may
// not go negative; the CHECK constraint balance_nonnegative also holds the final value). A bet
// and its payout (user→house, house→user) are thus two UPDATEs and one INSERT, not six writes.
func PostRead(ctx context.Context, q store.Q, now time.Time, read string, ts ...Transfer) (money.Amount, error) {
	if len(ts) == 0 {
		return 0, nil
	}
	for _, t := range ts {
		if err := t.validate(); err != nil {
			return 0, err
		}
	}
	type change struct{ net, run, low money.Amount }
	changes := map[string]*change{}
	var ids []string
	leg := func(id string, d money.Amount) {
		c := changes[id]
		if c == nil {
			c = &change{}
			changes[id] = c
			ids = append(ids, id)
		}
		c.net += d
		c.run += d
		c.low = min(c.low, c.run)
	}
	for _, t := range ts {
		leg(t.From, -t.Amount)
		leg(t.To, t.Amount)
	}
	// Updating in id order takes the row locks in id order, so concurrent transactions on
	// PostgreSQL cannot deadlock on each other's balance rows within a Post.
	slices.Sort(ids)
	var readBalance money.Amount
	for _, id := range ids {
		c := changes[id]
		if counterparty(id) {
			// The house, faucet and external accounts are touched by nearly every write and have
			// no floor: their change is applied once per transaction, just before it commits.
			if err := q.Accumulate("ledger", id, int64(c.net), flushCounterparties); err != nil {
				return 0, err
			}
			continue
		}
		bal, err := updateBalance(ctx, q, id, c.net, c.low, id == read)
		if errors.Is(err, sql.ErrNoRows) {
			var n int
			if qerr := q.QueryRow(ctx, `SELECT COUNT(*) FROM ledger_accounts WHERE id = ?`, id).Scan(&n); qerr == nil && n == 0 {
				return 0, fmt.Errorf("ledger: no ledger account %s", id)
			}
			return 0, insufficient(nil)
		}
		if err != nil {
			if store.IsConstraint(err, "balance_nonnegative") {
				return 0, insufficient(err)
			}
			return 0, fmt.Errorf("ledger: update %s: %w", id, err)
		}
		if id == read {
			readBalance = money.Amount(bal)
		}
	}
	if q.Engine() == store.SQLite {
		for _, t := range ts { // see insertTransferSQLite
			if _, err := q.Exec(ctx, insertTransferSQLite, string(t.Asset), t.From, t.To, int64(t.Amount), t.Kind, t.Ref, now.UnixMicro()); err != nil {
				return 0, fmt.Errorf("ledger: record transfer: %w", err)
			}
		}
		return readBalance, nil
	}
	args := make([]any, 0, 7*len(ts))
	for _, t := range ts {
		args = append(args, string(t.Asset), t.From, t.To, int64(t.Amount), t.Kind, t.Ref, now.UnixMicro())
	}
	// Transfer rows are append-only and read back only by reports and the invariant, so on
	// PostgreSQL they join the batch's one multi-row INSERT at commit (store.Q.InsertLater).
	if err := q.InsertLater(ctx, "ledger_transfers", "asset, from_account, to_account, amount, kind, ref, created_at", len(ts), args...); err != nil {
		return 0, fmt.Errorf("ledger: record transfers: %w", err)
	}
	return readBalance, nil
}

// updateBalance adds net to account id if its balance plus low (the lowest running change) stays
// at or above zero, or the account may go negative; sql.ErrNoRows if not. The new balance is
// returned when want is set. SQLite does without RETURNING, which costs it a temporary table per
// statement; a SELECT by primary key is cheaper, and no one else can write in between. (The kinds
// are spelled out with OR for the same reason: SQLite builds a temporary index for an IN list of
// three or more constants on every execution.) OR FAIL spares the statement journal that the
// incremental check's trigger would otherwise cost it; see insertTransferSQLite.
func updateBalance(ctx context.Context, q store.Q, id string, net, low money.Amount, want bool) (int64, error) {
	if q.Engine() != store.SQLite {
		var bal int64
		err := q.QueryRow(ctx, `UPDATE ledger_accounts SET balance = balance + ?
			WHERE id = ? AND (kind = 'house' OR kind = 'faucet' OR kind = 'external' OR balance + ? >= 0) RETURNING balance`,
			int64(net), id, int64(low)).Scan(&bal)
		return bal, err
	}
	res, err := q.Exec(ctx, `UPDATE OR FAIL ledger_accounts SET balance = balance + ?
		WHERE id = ? AND (kind = 'house' OR kind = 'faucet' OR kind = 'external' OR balance + ? >= 0)`, int64(net), id, int64(low))
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, err
	} else if n == 0 {
		return 0, sql.ErrNoRows
	}
	if !want {
		return 0, nil
	}
	var bal int64
	err = q.QueryRow(ctx, `SELECT balance FROM ledger_accounts WHERE id = ?`, id).Scan(&bal)
	return bal, err
}

// counterparty reports whether id is a platform account that may go negative (house, faucet,
// external): their balances are updated at commit (see PostRead).
func counterparty(id string) bool {
	k, rest, _ := strings.Cut(id, ":")
	return !strings.Contains(rest, ":") && (Kind(k) == House || Kind(k) == Faucet || Kind(k) == External)
}

// flushCounterparties applies the accumulated counterparty changes of a transaction.
func flushCounterparties(ctx context.Context, q store.Q, ids []string, deltas []int64) error {
	for i, id := range ids {
		res, err := q.Exec(ctx, `UPDATE ledger_accounts SET balance = balance + ? WHERE id = ?`, deltas[i], id)
		if err != nil {
			return fmt.Errorf("ledger: update %s: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("ledger: no ledger account %s", id)
		}
	}
	return nil
}

func insufficient(cause error) error {
	return &errs.Error{Kind: errs.InsufficientBalance, Code: "INSUFFICIENT_BALANCE", Message: "insufficient balance", Err: cause}
}

// Balance reads one ledger account's balance.
func Balance(ctx context.Context, q store.Q, id string) (money.Amount, error) {
	var b int64
	if err := q.QueryRow(ctx, `SELECT balance FROM ledger_accounts WHERE id = ?`, id).Scan(&b); err != nil {
		return 0, fmt.Errorf("ledger: balance of %s: %w", id, err)
	}
	return money.Amount(b), nil
}

// Holdings is what one account holder has of one asset.
type Holdings struct {
	Available money.Amount // spendable
	InPlay    money.Amount // at tables, in unsettled bets
	Pending   money.Amount // withdrawals on their way out
}

// Total is everything the holder owns of the asset.
func (h Holdings) Total() money.Amount { return h.Available + h.InPlay + h.Pending }

// HoldingsOf reads owner's three balances of asset a in one query.
func HoldingsOf(ctx context.Context, q store.Q, owner string, a money.Asset) (Holdings, error) {
	rows, err := q.Query(ctx, `SELECT kind, balance FROM ledger_accounts WHERE owner_id = ? AND asset = ?`, owner, string(a))
	if err != nil {
		return Holdings{}, fmt.Errorf("ledger: holdings: %w", err)
	}
	defer rows.Close()
	var h Holdings
	for rows.Next() {
		var k string
		var b int64
		if err := rows.Scan(&k, &b); err != nil {
			return Holdings{}, fmt.Errorf("ledger: holdings: %w", err)
		}
		switch Kind(k) {
		case User:
			h.Available = money.Amount(b)
		case InPlay:
			h.InPlay = money.Amount(b)
		case Pending:
			h.Pending = money.Amount(b)
		}
	}
	return h, rows.Err()
}

// insertTransferSQLite records one transfer on SQLite, which inserts at once (it has no round
// trips to save, see store.Q.InsertLater). OR FAIL, as the balance UPDATE: a statement that fires
// a trigger (the incremental check's notes, migration 0021) and may abort first copies every page
// it touches into a statement journal, so that it could undo the trigger's work; FAIL needs none.
// For a single-row statement the two differ only when the trigger itself fails after the row is
// written, and then the error fails the whole write, which is rolled back. Measured in
// BenchmarkCheckCost: the check's share of the writer's CPU fell from 57–61% to 42–44%.
const insertTransferSQLite = `INSERT OR FAIL INTO ledger_transfers (asset, from_account, to_account, amount, kind, ref, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?)`
