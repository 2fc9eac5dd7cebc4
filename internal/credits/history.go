package credits

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

const roundCols = `r.id, r.account_id, r.game, r.amount, r.target, r.condition, r.roll, r.win, r.payout, r.seed_id,
	s.commitment, r.client_seed, r.nonce, COALESCE(r.run_id, ''), r.created_at`

func scanRound(row interface{ Scan(...any) error }) (Round, error) {
	var r Round
	var amount, payout, nonce, created int64
	var cond string
	var win int
	err := row.Scan(&r.ID, &r.AccountID, &r.Game, &amount, &r.Bet.Target, &cond, &r.Roll, &win, &payout, &r.SeedID,
		&r.Commitment, &r.ClientSeed, &nonce, &r.RunID, &created)
	if err != nil {
		return Round{}, err
	}
	r.Bet.Amount, r.Bet.Over, r.Win, r.Payout = money.Amount(amount), cond == "over", win == 1, money.Amount(payout)
	r.Nonce, r.CreatedAt = uint64(nonce), time.UnixMicro(created).UTC()
	return r, nil
}

// Rounds lists account's rounds, newest first.
func Rounds(ctx context.Context, q store.Q, account, game string, limit, offset int) ([]Round, int, error) {
	rows, err := q.Query(ctx, `SELECT `+roundCols+` FROM credit_rounds r JOIN server_seeds s ON s.id = r.seed_id
		WHERE r.account_id = ? AND (? = '' OR r.game = ?) ORDER BY r.created_at DESC, r.id DESC LIMIT ? OFFSET ?`,
		account, game, game, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("credits: rounds: %w", err)
	}
	defer rows.Close()
	var out []Round
	for rows.Next() {
		r, err := scanRound(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("credits: rounds: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM credit_rounds WHERE account_id = ? AND (? = '' OR game = ?)`,
		account, game, game).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("credits: count rounds: %w", err)
	}
	return out, total, nil
}

// GetRound reads one of account's rounds; another account's round is not found.
func GetRound(ctx context.Context, q store.Q, account, id string) (Round, error) {
	r, err := scanRound(q.QueryRow(ctx, `SELECT `+roundCols+` FROM credit_rounds r JOIN server_seeds s ON s.id = r.seed_id
		WHERE r.id = ? AND r.account_id = ?`, id, account))
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, &errs.Error{Kind: errs.NotFound, Code: "NOT_FOUND", Message: "Round not found"}
	}
	if err != nil {
		return Round{}, fmt.Errorf("credits: round: %w", err)
	}
	return r, nil
}

// Totals are all-time aggregates of an account's rounds.
type Totals struct {
	Rounds   int
	Wins     int
	Wagered  money.Amount
	Returned money.Amount
}

// PnL is the all-time profit and loss.
func (t Totals) PnL() money.Amount { return t.Returned - t.Wagered }

// RoundTotals aggregates all of account's rounds of game ("" for all games).
func RoundTotals(ctx context.Context, q store.Q, account, game string) (Totals, error) {
	var t Totals
	var wagered, returned int64
	err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(win), 0), COALESCE(SUM(amount), 0), COALESCE(SUM(payout), 0)
		FROM credit_rounds WHERE account_id = ? AND (? = '' OR game = ?)`, account, game, game).Scan(&t.Rounds, &t.Wins, &wagered, &returned)
	if err != nil {
		return t, fmt.Errorf("credits: totals: %w", err)
	}
	t.Wagered, t.Returned = money.Amount(wagered), money.Amount(returned)
	return t, nil
}

// Entry is one line of an account's credit history: a round, a faucet claim or a withdrawal.
type Entry struct {
	ID        string
	Type      string // "bet", "faucet", "withdrawal"
	Game      string
	Amount    money.Amount
	Payout    money.Amount
	Win       bool
	Status    string
	CreatedAt time.Time
}

// Transactions lists account's history of kind ("all", "round"/"bet", "faucet", "withdrawal"),
// newest first.
func Transactions(ctx context.Context, q store.Q, account, kind string, limit, offset int) ([]Entry, error) {
	parts := map[string]string{
		"bet":        `SELECT id, 'bet' AS type, game, amount, payout, win, '' AS status, created_at FROM credit_rounds WHERE account_id = ?`,
		"faucet":     `SELECT id, 'faucet' AS type, '' AS game, amount, 0 AS payout, 0 AS win, '' AS status, created_at FROM faucet_claims WHERE account_id = ?`,
		"withdrawal": `SELECT id, 'withdrawal' AS type, '' AS game, amount, 0 AS payout, 0 AS win, status, created_at FROM credit_withdrawals WHERE account_id = ?`,
	}
	var sqlText string
	var args []any
	switch kind {
	case "all":
		sqlText = parts["bet"] + " UNION ALL " + parts["faucet"] + " UNION ALL " + parts["withdrawal"]
		args = []any{account, account, account}
	case "round", "bet":
		sqlText, args = parts["bet"], []any{account}
	case "faucet", "withdrawal":
		sqlText, args = parts[kind], []any{account}
	default:
		return nil, errs.Invalid("type", "must be one of all, round, bet, faucet, withdrawal")
	}
	rows, err := q.Query(ctx, `SELECT id, type, game, amount, payout, win, status, created_at FROM (`+sqlText+
		`) h ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("credits: transactions: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var amount, payout, created int64
		var win int
		if err := rows.Scan(&e.ID, &e.Type, &e.Game, &amount, &payout, &win, &e.Status, &created); err != nil {
			return nil, fmt.Errorf("credits: transactions: %w", err)
		}
		e.Amount, e.Payout, e.Win, e.CreatedAt = money.Amount(amount), money.Amount(payout), win == 1, time.UnixMicro(created).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// FaucetGranted is the total Free Credits an account ever received.
func FaucetGranted(ctx context.Context, q store.Q, account string) (money.Amount, error) {
	var s int64
	err := q.QueryRow(ctx, `SELECT COALESCE(SUM(amount), 0) FROM faucet_claims WHERE account_id = ?`, account).Scan(&s)
	return money.Amount(s), err
}
