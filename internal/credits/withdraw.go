package credits

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// MinWithdrawal is spec 000's minimum ("min 10,000 credits").
const MinWithdrawal = 10_000 * money.Micro

// Withdrawal statuses.
const (
	WithdrawalPending  = "pending"
	WithdrawalApproved = "approved"
	WithdrawalRejected = "rejected"
)

// Withdrawal is a request to cash credits out.
type Withdrawal struct {
	ID        string
	AccountID string
	Amount    money.Amount
	Status    string
	WiseEmail string
	FullName  string
	Currency  string
	Note      string
	CreatedAt time.Time
	DecidedAt *time.Time
}

// WithdrawalRequest is what the player sends.
type WithdrawalRequest struct {
	Amount    money.Amount
	WiseEmail string
	FullName  string
	Currency  string
}

// Withdrawable is the part of a balance that may be cashed out: Free Credits are play money, so
// the balance less everything the faucet ever granted (never below zero).
func Withdrawable(balance, faucetGranted money.Amount) money.Amount {
	if faucetGranted >= balance {
		return 0
	}
	return balance - faucetGranted
}

// RequestWithdrawal holds the amount in the player's pending account and records the request.
func RequestWithdrawal(ctx context.Context, q store.Q, now time.Time, account string, req WithdrawalRequest) (Withdrawal, error) {
	if req.Amount < MinWithdrawal {
		return Withdrawal{}, errs.Invalid("amount", "minimum withdrawal is 10000 credits")
	}
	bal, err := ledger.Balance(ctx, q, ledger.UserAccount(account, money.Credit))
	if err != nil {
		return Withdrawal{}, err
	}
	granted, err := FaucetGranted(ctx, q, account)
	if err != nil {
		return Withdrawal{}, err
	}
	if w := Withdrawable(bal, granted); req.Amount > w {
		return Withdrawal{}, &errs.Error{Kind: errs.InsufficientBalance, Code: "INSUFFICIENT_BALANCE",
			Message: fmt.Sprintf("withdrawable balance is %s credits (Free Credits cannot be withdrawn)", w),
			Data:    map[string]any{"withdrawable": w.Decimal()}}
	}
	id, err := store.NewID(ctx)
	if err != nil {
		return Withdrawal{}, fmt.Errorf("credits: withdrawal id: %w", err)
	}
	w := Withdrawal{ID: id, AccountID: account, Amount: req.Amount, Status: WithdrawalPending,
		WiseEmail: req.WiseEmail, FullName: req.FullName, Currency: req.Currency, CreatedAt: micros(now)}
	_, err = q.Exec(ctx, `INSERT INTO credit_withdrawals (id, account_id, amount, status, wise_email, full_name, currency, created_at)
		VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)`, w.ID, account, int64(w.Amount), nullable(w.WiseEmail), nullable(w.FullName),
		nullable(w.Currency), now.UnixMicro())
	if store.IsUnique(err) {
		return Withdrawal{}, &errs.Error{Kind: errs.RateLimited, Code: "WITHDRAWAL_PENDING",
			Message: "a withdrawal is already pending; wait for it to be decided", RetryAfter: time.Hour}
	}
	if err != nil {
		return Withdrawal{}, fmt.Errorf("credits: record withdrawal: %w", err)
	}
	err = ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.Credit, From: ledger.UserAccount(account, money.Credit),
		To: ledger.OwnedAccount(ledger.Pending, money.Credit, account), Amount: w.Amount, Kind: "withdrawal_hold", Ref: w.ID})
	return w, err
}

// DecideWithdrawal approves (pay out: pending → external) or rejects (return: pending → user) a
// pending withdrawal. Deciding twice is errs.Conflict; the money moves once.
func DecideWithdrawal(ctx context.Context, q store.Q, now time.Time, id string, approve bool, note string) (Withdrawal, error) {
	w, err := GetWithdrawal(ctx, q, "", id)
	if err != nil {
		return Withdrawal{}, err
	}
	status, to, kind := WithdrawalRejected, ledger.UserAccount(w.AccountID, money.Credit), "withdrawal_returned"
	if approve {
		status, to, kind = WithdrawalApproved, ledger.SystemAccount(ledger.External, money.Credit), "withdrawal_paid"
	}
	res, err := q.Exec(ctx, `UPDATE credit_withdrawals SET status = ?, note = ?, decided_at = ? WHERE id = ? AND status = 'pending'`,
		status, nullable(note), now.UnixMicro(), id)
	if err != nil {
		return Withdrawal{}, fmt.Errorf("credits: decide withdrawal: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Withdrawal{}, errs.Conflictf("withdrawal is already %s", w.Status)
	}
	if err := ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.Credit, From: ledger.OwnedAccount(ledger.Pending, money.Credit, w.AccountID),
		To: to, Amount: w.Amount, Kind: kind, Ref: w.ID}); err != nil {
		return Withdrawal{}, err
	}
	t := micros(now)
	w.Status, w.Note, w.DecidedAt = status, note, &t
	return w, nil
}

const withdrawalCols = `id, account_id, amount, status, COALESCE(wise_email, ''), COALESCE(full_name, ''), COALESCE(currency, ''),
	COALESCE(note, ''), created_at, decided_at`

func scanWithdrawal(row interface{ Scan(...any) error }) (Withdrawal, error) {
	var w Withdrawal
	var amount, created int64
	var decided sql.NullInt64
	if err := row.Scan(&w.ID, &w.AccountID, &amount, &w.Status, &w.WiseEmail, &w.FullName, &w.Currency, &w.Note, &created, &decided); err != nil {
		return Withdrawal{}, err
	}
	w.Amount, w.CreatedAt = money.Amount(amount), time.UnixMicro(created).UTC()
	if decided.Valid {
		t := time.UnixMicro(decided.Int64).UTC()
		w.DecidedAt = &t
	}
	return w, nil
}

// GetWithdrawal reads a withdrawal; with account set, only that account's.
func GetWithdrawal(ctx context.Context, q store.Q, account, id string) (Withdrawal, error) {
	w, err := scanWithdrawal(q.QueryRow(ctx, `SELECT `+withdrawalCols+` FROM credit_withdrawals
		WHERE id = ? AND (? = '' OR account_id = ?)`, id, account, account))
	if errors.Is(err, sql.ErrNoRows) {
		return Withdrawal{}, errs.NotFoundf("withdrawal not found")
	}
	return w, err
}

// The listings of withdrawals, newest first. Each reads an index in its order: an account's
// through credit_withdrawals_account, a status's through credit_withdrawals_status, and all of
// them as the merge of the three statuses' runs of that index. The earlier single query, whose
// filters matched anything when their argument was empty, could use no index: every listing, a
// user's own included, read and sorted every withdrawal (TestWithdrawalListingsUseIndexes).
const (
	withdrawalsOrder           = ` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`
	accountWithdrawalsSQL      = `SELECT ` + withdrawalCols + ` FROM credit_withdrawals WHERE account_id = ?` + withdrawalsOrder
	accountStatusWithdrawalSQL = `SELECT ` + withdrawalCols + ` FROM credit_withdrawals WHERE account_id = ? AND status = ?` + withdrawalsOrder
	statusWithdrawalsSQL       = `SELECT ` + withdrawalCols + ` FROM credit_withdrawals WHERE status = ?` + withdrawalsOrder
	// allWithdrawalsSQL names every status of the table's CHECK (migration 0004).
	allWithdrawalsSQL = `SELECT ` + withdrawalCols + ` FROM credit_withdrawals WHERE status = '` + WithdrawalPending + `'
		UNION ALL SELECT ` + withdrawalCols + ` FROM credit_withdrawals WHERE status = '` + WithdrawalApproved + `'
		UNION ALL SELECT ` + withdrawalCols + ` FROM credit_withdrawals WHERE status = '` + WithdrawalRejected + `'` + withdrawalsOrder
)

// Withdrawals lists withdrawals, newest first: one account's (account set), optionally of one
// status, or everyone's, optionally of one status.
func Withdrawals(ctx context.Context, q store.Q, account, status string, limit, offset int) ([]Withdrawal, error) {
	var query string
	var args []any
	switch {
	case account != "" && status != "":
		query, args = accountStatusWithdrawalSQL, []any{account, status}
	case account != "":
		query, args = accountWithdrawalsSQL, []any{account}
	case status != "":
		query, args = statusWithdrawalsSQL, []any{status}
	default:
		query = allWithdrawalsSQL
	}
	rows, err := q.Query(ctx, query, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("credits: withdrawals: %w", err)
	}
	defer rows.Close()
	var out []Withdrawal
	for rows.Next() {
		w, err := scanWithdrawal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
