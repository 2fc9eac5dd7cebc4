package bets

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	netmail "net/mail"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"

	"github.com/arcadehq/arcade/internal/casino"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/mail"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/store"
)

// The dashboard (spec 001's /api/v1/dashboard/*) is the wallet owner's view, signed in with
// SIWE (ops.Session): the caller's account is the signed-in wallet's, the same account its x402
// payments use.

// Page sizes of the dashboard lists.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// BetQuery filters and pages a wallet's bets. Zero values mean "any"; Page counts from 1.
type BetQuery struct {
	Game     string
	Status   string
	Result   string // win | loss
	From, To time.Time
	Page     int
	PageSize int
}

// Paging is a page of a list.
type Paging struct {
	Page, PageSize int
	Total          int
}

// BetPage is one page of a wallet's bets, newest first.
type BetPage struct {
	Bets []Bet
	Paging
}

// PageQuery pages a list.
type PageQuery struct{ Page, PageSize int }

func (p *PageQuery) normalize() error {
	if p.Page == 0 {
		p.Page = 1
	}
	if p.PageSize == 0 {
		p.PageSize = DefaultPageSize
	}
	if p.Page < 1 {
		return errs.Invalid("page", "must be at least 1")
	}
	if p.PageSize < 1 || p.PageSize > MaxPageSize {
		return errs.Invalid("pageSize", "must be from 1 to %d", MaxPageSize)
	}
	return nil
}

// Validate checks the filters (each refusal names its query parameter).
func (q *BetQuery) Validate() error {
	if q.Game != "" && !slices.Contains(casino.GameList(), casino.Game(q.Game)) {
		return errs.Invalid("game", "unknown game %q: coinflip, dice, roulette or slots", q.Game)
	}
	if q.Status != "" && q.Status != Settling && q.Status != Settled && q.Status != Voided {
		return errs.Invalid("status", "want settling, settled or voided")
	}
	if q.Result != "" && q.Result != "win" && q.Result != "loss" {
		return errs.Invalid("result", "want win or loss")
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return errs.Invalid("to", "is before from")
	}
	p := PageQuery{q.Page, q.PageSize}
	if err := p.normalize(); err != nil {
		return err
	}
	q.Page, q.PageSize = p.Page, p.PageSize
	return nil
}

// dashboardBetsSQL builds the dashboard's count and listing of account's bets with filters
// (" AND ..." conditions on b, with their args): one part per status, each reading
// v1_bets_account_status in created_at order, merged newest first. The table keeps one index by
// account, not also (account_id, created_at): every index is one more page written per bet, and
// a bet's write is the hot path of the paid surface (migration 0031).
func dashboardBetsSQL(account, status, filters string, filterArgs []any) (count, list string, args []any) {
	statuses := []string{Settling, Settled, Voided}
	if status != "" {
		statuses = []string{status}
	}
	var counts, lists []string
	for _, st := range statuses {
		cond := "b.account_id = ? AND b.status = ?" + filters
		counts = append(counts, `SELECT COUNT(*) AS n FROM v1_bets b WHERE `+cond)
		lists = append(lists, `SELECT `+betColumns+` FROM v1_bets b JOIN server_seeds s ON s.id = b.seed_id WHERE `+cond)
		args = append(append(args, account, st), filterArgs...)
	}
	count = `SELECT COALESCE(SUM(n), 0) FROM (` + strings.Join(counts, " UNION ALL ") + `) c`
	list = strings.Join(lists, " UNION ALL ") + ` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`
	return count, list, args
}

func sessionAccount(c ops.Caller) (string, error) {
	if c.Account.ID == "" {
		return "", errs.Unauthenticated("sign in with Ethereum first")
	}
	return c.Account.ID, nil
}

// DashboardBets lists the signed-in wallet's bets, newest first, filtered and paged. A win is a
// bet that paid out (payout > 0); from and to bound its creation time (inclusive).
func (s *Service) DashboardBets(ctx context.Context, c ops.Caller, in BetQuery) (out BetPage, err error) {
	if err := in.Validate(); err != nil {
		return out, err
	}
	acc, err := sessionAccount(c)
	if err != nil {
		return out, err
	}
	var where string
	var args []any
	if in.Game != "" {
		where, args = where+" AND b.game = ?", append(args, in.Game)
	}
	switch in.Result {
	case "win":
		where += " AND b.payout > 0"
	case "loss":
		where += " AND b.payout = 0"
	}
	if !in.From.IsZero() {
		where, args = where+" AND b.created_at >= ?", append(args, in.From.UnixMicro())
	}
	if !in.To.IsZero() {
		where, args = where+" AND b.created_at <= ?", append(args, in.To.UnixMicro())
	}
	count, list, args := dashboardBetsSQL(acc, in.Status, where, args)
	out.Paging = Paging{Page: in.Page, PageSize: in.PageSize}
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		if err := q.QueryRow(ctx, count, args...).Scan(&out.Total); err != nil {
			return fmt.Errorf("bets: dashboard count: %w", err)
		}
		rows, err := q.Query(ctx, list, append(args, in.PageSize, (in.Page-1)*in.PageSize)...)
		if err != nil {
			return fmt.Errorf("bets: dashboard bets: %w", err)
		}
		defer rows.Close()
		out.Bets = []Bet{}
		for rows.Next() {
			b, err := scanBet(rows)
			if err != nil {
				return err
			}
			out.Bets = append(out.Bets, b)
		}
		return rows.Err()
	})
	return out, err
}

// WithdrawalPage is one page of a wallet's withdrawals, newest first.
type WithdrawalPage struct {
	Withdrawals []Withdrawal
	Paging
}

// DashboardWithdrawals lists the signed-in wallet's withdrawals, newest first.
func (s *Service) DashboardWithdrawals(ctx context.Context, c ops.Caller, in PageQuery) (out WithdrawalPage, err error) {
	if err := in.normalize(); err != nil {
		return out, err
	}
	acc, err := sessionAccount(c)
	if err != nil {
		return out, err
	}
	out.Paging = Paging{Page: in.Page, PageSize: in.PageSize}
	out.Withdrawals = []Withdrawal{}
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM v1_withdrawals WHERE account_id = ?`, acc).Scan(&out.Total); err != nil {
			return fmt.Errorf("bets: withdrawals count: %w", err)
		}
		rows, err := q.Query(ctx, `SELECT id, address, amount, network, status, COALESCE(tx_hash, ''), created_at FROM v1_withdrawals
			WHERE account_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, acc, in.PageSize, (in.Page-1)*in.PageSize)
		if err != nil {
			return fmt.Errorf("bets: withdrawals: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var w Withdrawal
			var created int64
			if err := rows.Scan(&w.ID, &w.Address, &w.AmountMic, &w.Network, &w.Status, &w.Tx, &created); err != nil {
				return err
			}
			w.CreatedAt = time.UnixMicro(created).UTC()
			out.Withdrawals = append(out.Withdrawals, w)
		}
		return rows.Err()
	})
	return out, err
}

// DashboardWithdraw pays amountMicro of the signed-in wallet's in-house USDC out to that wallet
// (the only destination), free of the x402 withdrawal fee: the session proves the owner. Over
// the balance is errs.InsufficientBalance and nothing moves.
func (s *Service) DashboardWithdraw(ctx context.Context, c ops.Caller, amountMicro int64) (w Withdrawal, err error) {
	if amountMicro < 1 {
		return w, errs.Invalid("amount_micro", "must be a whole number of micro-USDC, at least 1")
	}
	acc, err := sessionAccount(c)
	if err != nil {
		return w, err
	}
	if len(s.Networks) == 0 {
		return w, errs.Unavailablef("no payout network is configured")
	}
	id, err := uuid.NewV7()
	if err != nil {
		return w, fmt.Errorf("bets: withdrawal id: %w", err)
	}
	net := s.Networks[0]
	w = Withdrawal{ID: id.String(), Address: strings.ToLower(c.Account.WalletAddress), AmountMic: amountMicro, Network: net.ID, Status: "completed"}
	if !net.Sandbox {
		// The same payout as POST /api/v1/withdraw on a chain (recorded, sent, reconciled), with no fee.
		return s.withdrawOnChain(ctx, c, acc, nil, w)
	}
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		return payOut(ctx, q, store.Now(ctx), net, acc, &w)
	})
	return w, err
}

// Summary is the signed-in wallet's key figures. Lifetime figures count settled bets only (a
// settling bet has not paid out yet; a voided one never happened).
type Summary struct {
	Wallet          string
	BalanceMicro    int64
	Bets            int64 // settled
	Wins            int64
	WinRate         float64 // wins / settled bets (0 with none)
	WageredMicro    int64
	PaidOutMicro    int64
	PnLMicro        int64 // paid out − wagered: the wallet's lifetime profit
	WithdrawnMicro  int64
	Settling        int64
	LastBetAt       time.Time
	BalanceAsOfTime time.Time
}

// DashboardSummary reads the signed-in wallet's balance and lifetime figures.
func (s *Service) DashboardSummary(ctx context.Context, c ops.Caller) (out Summary, err error) {
	acc, err := sessionAccount(c)
	if err != nil {
		return out, err
	}
	out.Wallet = common.HexToAddress(c.Account.WalletAddress).Hex()
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		out.BalanceAsOfTime = time.UnixMicro(store.Now(ctx).UnixMicro()).UTC()
		h, err := ledger.HoldingsOf(ctx, q, acc, money.USDC)
		if err != nil {
			return err
		}
		out.BalanceMicro = int64(h.Available)
		var last int64
		if err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN payout > 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(stake), 0),
			COALESCE(SUM(payout), 0), COALESCE(MAX(created_at), 0) FROM v1_bets WHERE account_id = ? AND status = ?`, acc, Settled).
			Scan(&out.Bets, &out.Wins, &out.WageredMicro, &out.PaidOutMicro, &last); err != nil {
			return fmt.Errorf("bets: summary: %w", err)
		}
		if last > 0 {
			out.LastBetAt = time.UnixMicro(last).UTC()
		}
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM v1_bets WHERE account_id = ? AND status = ?`, acc, Settling).Scan(&out.Settling); err != nil {
			return fmt.Errorf("bets: summary: %w", err)
		}
		return q.QueryRow(ctx, `SELECT COALESCE(SUM(amount), 0) FROM v1_withdrawals WHERE account_id = ?`, acc).Scan(&out.WithdrawnMicro)
	})
	out.PnLMicro = out.PaidOutMicro - out.WageredMicro
	if out.Bets > 0 {
		out.WinRate = float64(out.Wins) / float64(out.Bets)
	}
	return out, err
}

// NotificationEvents are the events a wallet may opt in to by email.
var NotificationEvents = []string{"bet_settled", "big_win", "withdrawal_completed", "seed_rotated", "weekly_summary"}

// Notifications are a wallet's email preferences.
type Notifications struct {
	Email    string
	Events   map[string]bool // every NotificationEvents key
	Verified bool
	// VerificationSent is set by an upsert that mailed a verification code.
	VerificationSent bool
}

// NotificationsInput upserts the preferences; Code confirms the address with the code mailed.
type NotificationsInput struct {
	Email  string
	Events map[string]bool
	Code   string
}

// VerificationTTL is how long a mailed code confirms the address.
const VerificationTTL = 24 * time.Hour

func hashCode(code string) string {
	h := sha256.Sum256([]byte(strings.TrimSpace(code)))
	return hex.EncodeToString(h[:])
}

// DashboardNotifications reads the wallet's preferences (every event off and no email if none).
func (s *Service) DashboardNotifications(ctx context.Context, c ops.Caller) (out Notifications, err error) {
	acc, err := sessionAccount(c)
	if err != nil {
		return out, err
	}
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
		out, err = readNotifications(ctx, q, acc)
		return err
	})
	return out, err
}

func readNotifications(ctx context.Context, q store.Q, acc string) (Notifications, error) {
	out := Notifications{Events: map[string]bool{}}
	for _, e := range NotificationEvents {
		out.Events[e] = false
	}
	var events string
	var verified *int64
	err := q.QueryRow(ctx, `SELECT email, events, verified_at FROM v1_notifications WHERE account_id = ?`, acc).Scan(&out.Email, &events, &verified)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("bets: notifications: %w", err)
	}
	var stored map[string]bool
	if err := json.Unmarshal([]byte(events), &stored); err != nil {
		return out, fmt.Errorf("bets: notifications events: %w", err)
	}
	for k, v := range stored {
		if _, known := out.Events[k]; known {
			out.Events[k] = v
		}
	}
	out.Verified = verified != nil
	return out, nil
}

// DashboardSetNotifications upserts the wallet's preferences. A new or unconfirmed address is
// sent a verification code (by SMTP, or into the outbox), after the preferences are stored; the
// same call with that code confirms the address. Events not named keep their value; an unknown
// event is refused.
func (s *Service) DashboardSetNotifications(ctx context.Context, c ops.Caller, in NotificationsInput) (out Notifications, err error) {
	acc, err := sessionAccount(c)
	if err != nil {
		return out, err
	}
	addr, perr := netmail.ParseAddress(in.Email)
	if in.Email == "" {
		return out, errs.Missing("email")
	}
	if perr != nil || addr.Name != "" || len(in.Email) > 254 || strings.ContainsAny(in.Email, "\r\n") {
		return out, errs.Invalid("email", "want one email address, like name@example.com")
	}
	email := strings.ToLower(addr.Address)
	for k := range in.Events {
		if !slices.Contains(NotificationEvents, k) {
			return out, errs.Invalid("events", "unknown event %q: %s", k, strings.Join(NotificationEvents, ", "))
		}
	}
	if len(in.Code) > 64 {
		return out, errs.Invalid("code", "too long")
	}
	// The code is drawn before the write: a write function runs twice and must not draw entropy.
	code, err := newCode(s)
	if err != nil {
		return out, err
	}
	send := false
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		send = false
		now := store.Now(ctx).UnixMicro()
		cur, err := readNotifications(ctx, q, acc)
		if err != nil {
			return err
		}
		var verifiedAt, codeExp *int64
		var codeHash *string
		if cur.Email != "" {
			if err := q.QueryRow(ctx, `SELECT verified_at, code_hash, code_expires_at FROM v1_notifications WHERE account_id = ?`, acc).
				Scan(&verifiedAt, &codeHash, &codeExp); err != nil {
				return fmt.Errorf("bets: notifications: %w", err)
			}
		}
		for _, k := range NotificationEvents {
			if v, ok := in.Events[k]; ok {
				cur.Events[k] = v
			}
		}
		ev, _ := json.Marshal(cur.Events) // map keys are sorted: deterministic
		if cur.Email != email {
			verifiedAt, codeHash, codeExp = nil, nil, nil // a new address starts unconfirmed
		}
		switch {
		case verifiedAt != nil: // confirmed already: nothing to send or check
		case in.Code != "":
			if codeHash == nil || codeExp == nil || *codeExp < now || *codeHash != hashCode(in.Code) {
				return errs.Invalid("code", "wrong or expired verification code; post without a code to get a new one")
			}
			verifiedAt, codeHash, codeExp = &now, nil, nil
		default:
			h, exp := hashCode(code), now+VerificationTTL.Microseconds()
			codeHash, codeExp, send = &h, &exp, true
		}
		if cur.Email == "" {
			_, err = q.Exec(ctx, `INSERT INTO v1_notifications (account_id, email, events, verified_at, code_hash, code_expires_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, acc, email, string(ev), val(verifiedAt), val(codeHash), val(codeExp), now)
		} else {
			_, err = q.Exec(ctx, `UPDATE v1_notifications SET email = ?, events = ?, verified_at = ?, code_hash = ?, code_expires_at = ?,
				updated_at = ? WHERE account_id = ?`, email, string(ev), val(verifiedAt), val(codeHash), val(codeExp), now, acc)
		}
		if err != nil {
			return fmt.Errorf("bets: notifications: %w", err)
		}
		out = Notifications{Email: email, Events: cur.Events, Verified: verifiedAt != nil}
		return nil
	})
	if err != nil || !send {
		return out, err
	}
	// Mailed after the commit (a write function has no side effects); a failure leaves the
	// preferences stored and is errs.Unavailable: posting again sends a new code.
	if s.Mail == nil {
		return out, errs.Unavailablef("no mail sender is configured")
	}
	msg := mail.Message{To: email, Subject: "Confirm your Arcade notification address",
		Body: "Your Arcade wallet " + common.HexToAddress(c.Account.WalletAddress).Hex() + " asked to send its notifications here.\n\n" +
			"Verification code: " + code + "\n\nConfirm with POST /api/v1/dashboard/notifications {\"email\": \"" + email + "\", \"code\": \"" + code +
			"\"} while signed in. The code is valid for 24 hours. If this was not you, ignore this message.\n"}
	if err := s.Mail.Send(ctx, msg); err != nil {
		s.Log.Warn("notification verification email", "err", err)
		return out, errs.Unavailablef("the preferences are saved but the verification email could not be sent; post again to retry")
	}
	out.VerificationSent = true
	return out, nil
}

// newCode is an 8-digit verification code.
func newCode(s *Service) (string, error) {
	b := make([]byte, 8)
	if _, err := s.Rand.Read(b); err != nil {
		return "", fmt.Errorf("bets: verification code: %w", err)
	}
	var n uint64
	for _, x := range b {
		n = n<<8 | uint64(x)
	}
	return fmt.Sprintf("%08d", n%100_000_000), nil
}

// val is a nullable column's argument: the value, or NULL (never a pointer, which the
// double-run check would compare by address).
func val[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
