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

const roundCols = `r.id, r.account_id, r.game, r.amount, r.target, r.condition, r.roll, r.win, r.payout, r.seed_id,
	s.commitment, r.client_seed, r.nonce, COALESCE(r.run_id, ''), r.created_at`

// The two reads of single rounds. On SQLite both follow migration 0012's layout (the listing reads
// the primary key in order, the lookup uses the id index); TestRoundQueriesUseIndexes checks it.
const (
	listRoundsSQL = `SELECT ` + roundCols + ` FROM credit_rounds r JOIN server_seeds s ON s.id = r.seed_id
		WHERE r.account_id = ? AND (? = '' OR r.game = ?) ORDER BY r.created_at DESC, r.id DESC LIMIT ?`
	roundByIDSQL = `SELECT ` + roundCols + ` FROM credit_rounds r JOIN server_seeds s ON s.id = r.seed_id
		WHERE r.id = ? AND r.account_id = ?`
)

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

// Rounds lists account's rounds, newest first: single rounds and the rounds of strategy runs,
// merged by (created_at DESC, id DESC), a run's rounds sharing its created_at and listed last
// played first. total counts all of them.
func Rounds(ctx context.Context, q store.Q, account, game string, limit, offset int) ([]Round, int, error) {
	offset, limit = max(offset, 0), max(limit, 0)
	runs, err := packedRuns(ctx, q, account, game, offset+limit)
	if err != nil {
		return nil, 0, err
	}
	m := merger{runs: runs, lo: offset, hi: offset + limit}
	var singles []Round
	if !m.complete() {
		rows, err := q.Query(ctx, listRoundsSQL, account, game, game, offset+limit)
		if err != nil {
			return nil, 0, fmt.Errorf("credits: rounds: %w", err)
		}
		for rows.Next() {
			r, err := scanRound(rows)
			if err != nil {
				rows.Close()
				return nil, 0, fmt.Errorf("credits: rounds: %w", err)
			}
			if m.item(r.CreatedAt.UnixMicro(), r.ID) {
				singles = append(singles, r)
			}
			if m.complete() {
				break
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, fmt.Errorf("credits: rounds: %w", err)
		}
	}
	m.finish()
	expanded, err := m.expand(ctx, q, account)
	if err != nil {
		return nil, 0, err
	}
	out := make([]Round, 0, len(m.slots))
	for _, sl := range m.slots {
		if sl.other >= 0 {
			out = append(out, singles[sl.other])
		} else {
			out = append(out, expanded[sl.run][sl.index])
		}
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM credit_rounds WHERE account_id = ? AND (? = '' OR game = ?)`,
		account, game, game).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("credits: count rounds: %w", err)
	}
	if runsCount(game) {
		var n int
		if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(rounds), 0) FROM strategy_runs WHERE account_id = ? AND rounds_data IS NOT NULL`,
			account).Scan(&n); err != nil {
			return nil, 0, fmt.Errorf("credits: count run rounds: %w", err)
		}
		total += n
	}
	return out, total, nil
}

func errRoundNotFound() error {
	return &errs.Error{Kind: errs.NotFound, Code: "NOT_FOUND", Message: "Round not found"}
}

// GetRound reads one of account's rounds, a single round or a run's round ("<runId>.<i>");
// another account's round is not found.
func GetRound(ctx context.Context, q store.Q, account, id string) (Round, error) {
	if runID, i, ok := parseRunRoundID(id); ok {
		run, err := loadRun(ctx, q, account, runID)
		if errors.Is(err, sql.ErrNoRows) || err == nil && i > run.rounds {
			return Round{}, errRoundNotFound()
		}
		if err != nil {
			return Round{}, err
		}
		var r Round
		if err := run.unpack(ctx, i, i, func(_ int, x Round) { r = x }); err != nil {
			return Round{}, err
		}
		return r, nil
	}
	r, err := scanRound(q.QueryRow(ctx, roundByIDSQL, id, account))
	if errors.Is(err, sql.ErrNoRows) {
		return Round{}, errRoundNotFound()
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

// RoundTotals aggregates all of account's rounds of game ("" for all games): the single rounds
// and the runs' rounds (from each run's own aggregates).
func RoundTotals(ctx context.Context, q store.Q, account, game string) (Totals, error) {
	var t Totals
	var wagered, returned int64
	err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(win), 0), COALESCE(SUM(amount), 0), COALESCE(SUM(payout), 0)
		FROM credit_rounds WHERE account_id = ? AND (? = '' OR game = ?)`, account, game, game).Scan(&t.Rounds, &t.Wins, &wagered, &returned)
	if err != nil {
		return t, fmt.Errorf("credits: totals: %w", err)
	}
	if runsCount(game) {
		var n, w int
		var rw, rr int64
		err := q.QueryRow(ctx, `SELECT COALESCE(SUM(rounds), 0), COALESCE(SUM(wins), 0), COALESCE(SUM(wagered), 0), COALESCE(SUM(returned), 0)
			FROM strategy_runs WHERE account_id = ? AND rounds_data IS NOT NULL`, account).Scan(&n, &w, &rw, &rr)
		if err != nil {
			return t, fmt.Errorf("credits: run totals: %w", err)
		}
		t.Rounds, t.Wins, wagered, returned = t.Rounds+n, t.Wins+w, wagered+rw, returned+rr
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

// The history listings, newest first. The parts are a compound SELECT with the ORDER BY of its
// own, not a subquery sorted outside: so the planner merges the three parts, each read in order
// from its account index (credit_rounds's primary key, faucet_claims_account,
// credit_withdrawals_account). Sorted outside, "all" collected and sorted every round the
// account ever played for each page (TestHistoryUsesIndexes).
const (
	historyBetsPart        = `SELECT id, 'bet' AS type, game, amount, payout, win, '' AS status, created_at FROM credit_rounds WHERE account_id = ?`
	historyFaucetPart      = `SELECT id, 'faucet' AS type, '' AS game, amount, 0 AS payout, 0 AS win, '' AS status, created_at FROM faucet_claims WHERE account_id = ?`
	historyWithdrawalsPart = `SELECT id, 'withdrawal' AS type, '' AS game, amount, 0 AS payout, 0 AS win, status, created_at FROM credit_withdrawals WHERE account_id = ?`
	historyOrder           = ` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`

	historyAllSQL         = historyBetsPart + ` UNION ALL ` + historyFaucetPart + ` UNION ALL ` + historyWithdrawalsPart + historyOrder
	historyBetsSQL        = historyBetsPart + historyOrder
	historyFaucetSQL      = historyFaucetPart + historyOrder
	historyWithdrawalsSQL = historyWithdrawalsPart + historyOrder
)

// Transactions lists account's history of kind ("all", "round"/"bet", "faucet", "withdrawal"),
// newest first. The rounds of strategy runs are "bet" entries like single rounds, merged in as
// Rounds does.
func Transactions(ctx context.Context, q store.Q, account, kind string, limit, offset int) ([]Entry, error) {
	var sqlText string
	var args []any
	withRuns := true
	switch kind {
	case "all":
		sqlText, args = historyAllSQL, []any{account, account, account}
	case "round", "bet":
		sqlText, args = historyBetsSQL, []any{account}
	case "faucet":
		sqlText, args, withRuns = historyFaucetSQL, []any{account}, false
	case "withdrawal":
		sqlText, args, withRuns = historyWithdrawalsSQL, []any{account}, false
	default:
		return nil, errs.Invalid("type", "must be one of all, round, bet, faucet, withdrawal")
	}
	offset, limit = max(offset, 0), max(limit, 0)
	var runs []runMeta
	if withRuns {
		var err error
		if runs, err = packedRuns(ctx, q, account, GameDice, offset+limit); err != nil {
			return nil, err
		}
	}
	// Without runs the database pages; with them it lists the newest offset+limit entries and
	// the merge pages.
	m := merger{runs: runs, lo: offset, hi: offset + limit}
	pageOffset := 0
	if !withRuns {
		m.lo, m.hi, pageOffset = 0, limit, offset
	}
	var others []Entry
	if !m.complete() {
		rows, err := q.Query(ctx, sqlText, append(args, m.hi, pageOffset)...)
		if err != nil {
			return nil, fmt.Errorf("credits: transactions: %w", err)
		}
		for rows.Next() {
			var e Entry
			var amount, payout, created int64
			var win int
			if err := rows.Scan(&e.ID, &e.Type, &e.Game, &amount, &payout, &win, &e.Status, &created); err != nil {
				rows.Close()
				return nil, fmt.Errorf("credits: transactions: %w", err)
			}
			e.Amount, e.Payout, e.Win, e.CreatedAt = money.Amount(amount), money.Amount(payout), win == 1, time.UnixMicro(created).UTC()
			if m.item(created, e.ID) {
				others = append(others, e)
			}
			if m.complete() {
				break
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("credits: transactions: %w", err)
		}
	}
	m.finish()
	expanded, err := m.expand(ctx, q, account)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(m.slots))
	for _, sl := range m.slots {
		if sl.other >= 0 {
			out = append(out, others[sl.other])
			continue
		}
		r := expanded[sl.run][sl.index]
		out = append(out, Entry{ID: r.ID, Type: "bet", Game: r.Game, Amount: r.Bet.Amount, Payout: r.Payout, Win: r.Win, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// runsCount reports whether strategy runs' rounds belong to a listing of game (they are dice).
func runsCount(game string) bool { return game == "" || game == GameDice }

// runMeta is a strategy run with packed rounds, as a listing needs it before reading its rounds.
type runMeta struct {
	id      string
	created int64
	rounds  int
}

// newerThan reports whether the run sorts before (is newer than) an entry (created, id) in the
// order created_at DESC, id DESC. Ids compare bytewise, as SQLite does; on PostgreSQL the
// ids compared are lowercase UUIDs, which every collation orders the same way.
func (r runMeta) newerThan(created int64, id string) bool {
	return r.created > created || r.created == created && r.id > id
}

// packedRuns lists account's runs with packed rounds, newest first, just enough of them to hold
// need rounds.
func packedRuns(ctx context.Context, q store.Q, account, game string, need int) ([]runMeta, error) {
	if need <= 0 || !runsCount(game) {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT id, created_at, rounds FROM strategy_runs
		WHERE account_id = ? AND rounds > 0 AND rounds_data IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT ?`, account, need)
	if err != nil {
		return nil, fmt.Errorf("credits: runs: %w", err)
	}
	defer rows.Close()
	var out []runMeta
	held := 0
	for held < need && rows.Next() {
		var r runMeta
		if err := rows.Scan(&r.id, &r.created, &r.rounds); err != nil {
			return nil, fmt.Errorf("credits: runs: %w", err)
		}
		out = append(out, r)
		held += r.rounds
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("credits: runs: %w", err)
	}
	return out, nil
}

// slot is one position of a merged listing: the other-th item kept from the other source, or
// round index (1-based) of runs[run].
type slot struct {
	other int // -1 for a run's round
	run   int
	index int
}

// merger lays run blocks and the items of another source (both newest first) on one sequence
// and keeps the positions in [lo, hi). A run's rounds are contiguous: they share its
// (created_at, id), and within it the last played round comes first.
type merger struct {
	runs   []runMeta
	next   int // the first run not laid yet
	pos    int // the position of the next thing laid
	lo, hi int
	slots  []slot
	kept   int
}

// complete reports whether every position up to hi is laid.
func (m *merger) complete() bool { return m.pos >= m.hi }

// item lays the next item of the other source, after the runs newer than it, and reports
// whether the caller keeps it (it falls in the window).
func (m *merger) item(created int64, id string) bool {
	for m.next < len(m.runs) && !m.complete() && m.runs[m.next].newerThan(created, id) {
		m.layRun()
	}
	if m.complete() {
		return false
	}
	keep := m.pos >= m.lo
	if keep {
		m.slots = append(m.slots, slot{other: m.kept, run: -1})
		m.kept++
	}
	m.pos++
	return keep
}

// finish lays the remaining runs, once the other source is exhausted.
func (m *merger) finish() {
	for m.next < len(m.runs) && !m.complete() {
		m.layRun()
	}
}

func (m *merger) layRun() {
	r := m.runs[m.next]
	for p := max(m.pos, m.lo); p < min(m.pos+r.rounds, m.hi); p++ {
		m.slots = append(m.slots, slot{other: -1, run: m.next, index: r.rounds - (p - m.pos)})
	}
	m.pos += r.rounds
	m.next++
}

// expand reads the rounds the slots refer to: for each run, its rounds by index.
func (m *merger) expand(ctx context.Context, q store.Q, account string) (map[int]map[int]Round, error) {
	want := map[int][2]int{} // run → [lowest, highest] index needed
	for _, sl := range m.slots {
		if sl.other >= 0 {
			continue
		}
		w, ok := want[sl.run]
		if !ok {
			w = [2]int{sl.index, sl.index}
		}
		want[sl.run] = [2]int{min(w[0], sl.index), max(w[1], sl.index)}
	}
	out := make(map[int]map[int]Round, len(want))
	for k, w := range want {
		run, err := loadRun(ctx, q, account, m.runs[k].id)
		if err != nil {
			return nil, err
		}
		rs := make(map[int]Round, w[1]-w[0]+1)
		if err := run.unpack(ctx, w[0], w[1], func(i int, r Round) { rs[i] = r }); err != nil {
			return nil, err
		}
		out[k] = rs
	}
	return out, nil
}

// storedRun is a run with packed rounds as stored: the first chunk's in its row, the others in
// strategy_run_chunks (a run cut into chunks, runchunks.go).
type storedRun struct {
	id, account, seedID, commitment, clientSeed string
	firstNonce                                  uint64
	rounds, chunks                              int
	data                                        string
	created                                     time.Time
	q                                           store.Q
}

// loadRun reads one of account's runs with packed rounds (sql.ErrNoRows if there is none).
func loadRun(ctx context.Context, q store.Q, account, id string) (storedRun, error) {
	r := storedRun{id: id, account: account, q: q}
	var first, created int64
	err := q.QueryRow(ctx, `SELECT r.seed_id, s.commitment, r.client_seed, r.first_nonce, r.rounds, r.chunks, r.rounds_data, r.created_at
		FROM strategy_runs r JOIN server_seeds s ON s.id = r.seed_id
		WHERE r.id = ? AND r.account_id = ? AND r.rounds_data IS NOT NULL`, id, account).
		Scan(&r.seedID, &r.commitment, &r.clientSeed, &first, &r.rounds, &r.chunks, &r.data, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, err
	}
	if err != nil {
		return r, fmt.Errorf("credits: run %s: %w", id, err)
	}
	r.firstNonce, r.created = uint64(first), time.UnixMicro(created).UTC()
	return r, nil
}

// unpack decodes the run's chunks that hold rounds from..to (1-based), validating each chunk
// read, and hands those rounds over.
func (s storedRun) unpack(ctx context.Context, from, to int, fn func(i int, r Round)) error {
	emit := func(base int) func(int, packedRound) {
		return func(j int, p packedRound) {
			i := base + j
			if i < from || i > to {
				return
			}
			fn(i, Round{ID: RunRoundID(s.id, i), AccountID: s.account, Game: GameDice, Bet: p.Bet, Roll: p.Roll, Win: p.Win,
				Payout: p.Payout, SeedID: s.seedID, Commitment: s.commitment, ClientSeed: s.clientSeed,
				Nonce: s.firstNonce + uint64(i-1), RunID: s.id, CreatedAt: s.created})
		}
	}
	if s.chunks <= 1 {
		if err := unpackRounds(s.data, s.rounds, emit(0)); err != nil {
			return fmt.Errorf("credits: run %s: %w", s.id, err)
		}
		return nil
	}
	// The first chunk's count is in its header; the others' in their rows.
	n1 := 0
	if err := unpackRounds(s.data, -1, func(j int, p packedRound) { n1 = j; emit(0)(j, p) }); err != nil {
		return fmt.Errorf("credits: run %s: %w", s.id, err)
	}
	if to <= n1 {
		return nil
	}
	rows, err := s.q.Query(ctx, `SELECT seq, rounds, rounds_data FROM strategy_run_chunks WHERE run_id = ? ORDER BY seq`, s.id)
	if err != nil {
		return fmt.Errorf("credits: run %s chunks: %w", s.id, err)
	}
	defer rows.Close()
	base, seq := n1, 1
	for rows.Next() && base < to {
		var k, n int
		var data string
		if err := rows.Scan(&k, &n, &data); err != nil {
			return fmt.Errorf("credits: run %s chunks: %w", s.id, err)
		}
		if seq++; k != seq {
			return fmt.Errorf("credits: run %s: %w: chunk %d where %d was due", s.id, errCorruptRounds, k, seq)
		}
		if base+n >= from {
			if err := unpackRounds(data, n, emit(base)); err != nil {
				return fmt.Errorf("credits: run %s chunk %d: %w", s.id, k, err)
			}
		}
		base += n
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("credits: run %s chunks: %w", s.id, err)
	}
	if base < min(to, s.rounds) {
		return fmt.Errorf("credits: run %s: %w: %d rounds stored, the run records %d", s.id, errCorruptRounds, base, s.rounds)
	}
	return nil
}

// FaucetGranted is the total the faucet account ever paid this account: Free Credits, the agent
// sign-up grant and any later grant alike. It is read from the ledger, not from the claims table,
// so no new way of granting play credits can escape the withdrawal rule. The faucet account's id
// is written into the SQL so the planner can use the partial index of migration 0013.
func FaucetGranted(ctx context.Context, q store.Q, account string) (money.Amount, error) {
	var s int64
	err := q.QueryRow(ctx, `SELECT COALESCE(SUM(amount), 0) FROM ledger_transfers
		WHERE from_account = '`+faucetCredit+`' AND to_account = ?`, ledger.UserAccount(account, money.Credit)).Scan(&s)
	if err != nil {
		return 0, fmt.Errorf("credits: faucet grants: %w", err)
	}
	return money.Amount(s), nil
}

// faucetCredit is the faucet's CREDIT ledger account, as migration 0013's index names it.
var faucetCredit = ledger.SystemAccount(ledger.Faucet, money.Credit)
