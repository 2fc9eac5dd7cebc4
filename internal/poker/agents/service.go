// Package agents is spec 002's account side of poker: registration of poker agents on the shared
// account system (DESIGN §3), their profile and keys, balances and transactions, hand histories,
// deposits and withdrawals through a Chain, and the platform's accounting and revenue. The
// tables themselves run in internal/poker/table; this package reads them. No net/http here: the
// surface (internal/httpapi/pokerapi) binds the operations Declare adds to the registry.
package agents

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/idem"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/payments"
	"github.com/arcadehq/arcade/internal/poker/table"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/store"
)

// Withdrawal limits: at least 1.00 USDC, at most 10,000.00 a request.
const (
	MinWithdrawal money.Amount = 1_000_000
	MaxWithdrawal money.Amount = 10_000_000_000
)

// Page limits of the hand history and the transactions (spec 002: default 50, max 200).
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Service runs spec 002's account operations.
type Service struct {
	DB       *store.DB
	Accounts *account.Service
	Tables   *table.Service
	// Chain takes deposits and pays withdrawals; nil: neither is offered (503).
	Chain Chain
	Now   func() time.Time
	Rand  io.Reader
	// SignUps limits registrations per client address (shared with the other sign-up routes;
	// nil: no limit).
	SignUps *ratelimit.Limiter
}

// sandbox reports whether the money of this server is sandbox money.
func (s *Service) sandbox() bool { return s.Chain != nil && s.Chain.Sandbox() }

// --- registration and profile ---

// Registration is POST /register's input.
type Registration struct {
	Email         string
	Name          string
	WalletAddress string
	AvatarURL     string
}

var (
	nameRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	walletRE = regexp.MustCompile(`^0x[0-9a-fA-F]{40}$`)
)

func checkName(n string) error {
	if !nameRE.MatchString(n) {
		return errs.Invalid("name", "must be 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit")
	}
	return nil
}

func checkWallet(w string) error {
	if !walletRE.MatchString(w) {
		return errs.Invalid("wallet_address", "must be a 0x address of 40 hex digits")
	}
	return nil
}

func checkAvatar(u string) error {
	if u == "" {
		return nil
	}
	p, err := url.Parse(u)
	if err != nil || len(u) > 2048 || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return errs.Invalid("avatar_url", "must be an http or https URL of at most 2048 characters")
	}
	return nil
}

func checkEmail(e string) error {
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 || a.Name != "" {
		return errs.Invalid("email", "must be an email address such as you@example.com")
	}
	return nil
}

// Register creates a poker agent: an account of kind agent with its email, unique name and
// payout wallet (typed in: a destination, never an identity), its op_live_ key (shown once), and
// on the sandbox a starting balance (table.Config.SandboxGrant, a transfer labelled sandbox).
func (s *Service) Register(ctx context.Context, addr string, in Registration) (table.SignUp, error) {
	if in.Email == "" {
		return table.SignUp{}, errs.Missing("email")
	}
	if err := checkEmail(in.Email); err != nil {
		return table.SignUp{}, err
	}
	if in.Name == "" {
		return table.SignUp{}, errs.Missing("name")
	}
	if err := checkName(in.Name); err != nil {
		return table.SignUp{}, err
	}
	if in.WalletAddress != "" {
		if err := checkWallet(in.WalletAddress); err != nil {
			return table.SignUp{}, err
		}
	}
	if err := checkAvatar(in.AvatarURL); err != nil {
		return table.SignUp{}, err
	}
	if s.SignUps != nil {
		if ok, wait := s.SignUps.Allow(addr, s.Now()); !ok {
			return table.SignUp{}, errs.Limited("rate_limited", "too many sign-ups from this address; retry later", wait)
		}
	}
	return s.Tables.RegisterAgent(ctx, account.New{Kind: account.Agent, Name: in.Name, Email: in.Email,
		PayoutAddress: strings.ToLower(in.WalletAddress), AvatarURL: in.AvatarURL})
}

// Profile is an agent as GET /me shows it.
type Profile struct {
	Account account.Account
	Balance money.Amount // available USDC
	Sandbox bool
}

// Me reads the caller's profile (from the database: a PATCH shows at once).
func (s *Service) Me(ctx context.Context, id string) (Profile, error) {
	var p Profile
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
		if p.Account, err = account.Get(ctx, q, id); err != nil {
			return err
		}
		p.Balance, err = ledger.Balance(ctx, q, ledger.UserAccount(id, money.USDC))
		return err
	})
	p.Sandbox = s.sandbox()
	return p, err
}

// Patch is PATCH /me's input; nil fields stay as they are ("" clears the wallet or avatar).
type Patch struct {
	Name          *string
	WalletAddress *string
	AvatarURL     *string
}

// UpdateMe changes the caller's name, payout wallet or avatar. A name or wallet another agent
// holds is errs.Conflict.
func (s *Service) UpdateMe(ctx context.Context, id string, in Patch) (Profile, error) {
	if in.Name != nil {
		if err := checkName(*in.Name); err != nil {
			return Profile{}, err
		}
	}
	if in.WalletAddress != nil && *in.WalletAddress != "" {
		if err := checkWallet(*in.WalletAddress); err != nil {
			return Profile{}, err
		}
	}
	if in.AvatarURL != nil {
		if err := checkAvatar(*in.AvatarURL); err != nil {
			return Profile{}, err
		}
	}
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		return account.UpdateProfile(ctx, q, id, account.Profile{Name: in.Name, PayoutAddress: in.WalletAddress, AvatarURL: in.AvatarURL})
	})
	if err != nil {
		return Profile{}, err
	}
	return s.Me(ctx, id)
}

// RegenerateKey replaces the caller's keys with a new op_live_ key; the old ones stop at once.
func (s *Service) RegenerateKey(ctx context.Context, id string) (account.Key, error) {
	return s.Accounts.Regenerate(ctx, id, account.PrefixPoker)
}

// --- money ---

// Balance is GET /balance: available, at the tables, and (Arcade's addition) on the way out.
type Balance struct {
	AccountID string
	ledger.Holdings
	Sandbox bool
}

// Balance reads the caller's USDC holdings.
func (s *Service) Balance(ctx context.Context, id string) (Balance, error) {
	var h ledger.Holdings
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
		h, err = ledger.HoldingsOf(ctx, q, id, money.USDC)
		return err
	})
	return Balance{AccountID: id, Holdings: h, Sandbox: s.sandbox()}, err
}

// pokerKinds are the transfer kinds that move an agent's USDC balance for poker. The SQL below
// repeats them as the partial indexes ledger_transfers_poker_from/_to do.
const pokerKinds = `(kind = 'sandbox' OR kind = 'poker_buy_in' OR kind = 'poker_cash_out' OR kind = 'poker_deposit' OR kind = 'poker_withdrawal' OR kind = 'poker_withdrawal_refund')`

// Tx is one movement of the caller's USDC balance.
type Tx struct {
	ID        int64
	Type      string       // sandbox, deposit, withdraw, withdraw_refund, buy_in, cash_out
	Amount    money.Amount // signed: positive into the balance
	Reference string
	CreatedAt time.Time
}

var txTypes = map[string]string{"sandbox": "sandbox", "poker_buy_in": "buy_in", "poker_cash_out": "cash_out",
	"poker_deposit": "deposit", "poker_withdrawal": "withdraw", "poker_withdrawal_refund": "withdraw_refund"}

// Page is a limit and offset, checked.
type Page struct{ Limit, Offset int }

func (p Page) check() (Page, error) {
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit < 1 || p.Limit > MaxLimit {
		return p, errs.Invalid("limit", "must be an integer from 1 to %d", MaxLimit)
	}
	if p.Offset < 0 {
		return p, errs.Invalid("offset", "must be 0 or more")
	}
	return p, nil
}

// Transactions lists the caller's poker movements of USDC, newest first.
func (s *Service) Transactions(ctx context.Context, id string, p Page) ([]Tx, Page, error) {
	p, err := p.check()
	if err != nil {
		return nil, p, err
	}
	user := ledger.UserAccount(id, money.USDC)
	out := []Tx{}
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, `SELECT id, kind, from_account, amount, ref, created_at FROM (
			SELECT id, kind, from_account, amount, ref, created_at FROM ledger_transfers WHERE from_account = ? AND `+pokerKinds+`
			UNION ALL
			SELECT id, kind, from_account, amount, ref, created_at FROM ledger_transfers WHERE to_account = ? AND `+pokerKinds+`
			) t ORDER BY id DESC LIMIT ? OFFSET ?`, user, user, p.Limit, p.Offset)
		if err != nil {
			return fmt.Errorf("poker: transactions: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var t Tx
			var kind, from string
			var amt, at int64
			if err := rows.Scan(&t.ID, &kind, &from, &amt, &t.Reference, &at); err != nil {
				return fmt.Errorf("poker: transactions: %w", err)
			}
			t.Type, t.Amount, t.CreatedAt = txTypes[kind], money.Amount(amt), time.UnixMicro(at).UTC()
			if from == user {
				t.Amount = -t.Amount
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, p, err
}

// --- hands ---

// HandLine is one hand in an agent's history.
type HandLine struct {
	HandID     string
	TableID    string
	HandNumber int64
	Seat       int
	StackStart money.Amount
	StackEnd   money.Amount
	Actions    []table.ActionRecord
	StartedAt  time.Time
	EndedAt    time.Time
}

// Hands lists the hands the caller was dealt into, newest first, each with its actions.
func (s *Service) Hands(ctx context.Context, id string, p Page) ([]HandLine, Page, error) {
	p, err := p.check()
	if err != nil {
		return nil, p, err
	}
	out := []HandLine{}
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, `SELECT h.id, h.table_id, h.hand_no, s.seat, s.stack_start, s.stack_end, h.actions, h.started_at, h.created_at
			FROM poker_hand_seats s JOIN poker_hands h ON h.id = s.hand_id
			WHERE s.account_id = ? ORDER BY s.created_at DESC, h.id DESC LIMIT ? OFFSET ?`, id, p.Limit, p.Offset)
		if err != nil {
			return fmt.Errorf("poker: hand history: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var h HandLine
			var start, end, started, ended int64
			var actions string
			if err := rows.Scan(&h.HandID, &h.TableID, &h.HandNumber, &h.Seat, &start, &end, &actions, &started, &ended); err != nil {
				return fmt.Errorf("poker: hand history: %w", err)
			}
			h.StackStart, h.StackEnd = money.Amount(start), money.Amount(end)
			h.StartedAt, h.EndedAt = time.UnixMicro(started).UTC(), time.UnixMicro(ended).UTC()
			if started == 0 {
				h.StartedAt = h.EndedAt
			}
			if err := json.Unmarshal([]byte(actions), &h.Actions); err != nil {
				return fmt.Errorf("poker: hand %s actions: %w", h.HandID, err)
			}
			if h.Actions == nil {
				h.Actions = []table.ActionRecord{}
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	return out, p, err
}

// --- deposits and withdrawals ---

// Deposit is a credited on-chain deposit.
type Deposit struct {
	ID            string
	TxHash        string
	Status        string
	Amount        money.Amount
	Confirmations int
	Required      int
}

// Deposit verifies the transaction txHash on the chain and credits its USDC to the caller once.
// A hash already credited (to anyone) is a validation error on tx_hash, as spec 002 answers 400.
func (s *Service) Deposit(ctx context.Context, id, txHash string) (Deposit, error) {
	if s.Chain == nil {
		return Deposit{}, errs.Unavailablef("on-chain deposits are not configured on this server")
	}
	if txHash == "" {
		return Deposit{}, errs.Missing("tx_hash")
	}
	if !TxHash.MatchString(txHash) {
		return Deposit{}, errs.Invalid("tx_hash", "must be 0x and 64 hex digits")
	}
	txHash = strings.ToLower(txHash)
	in, err := s.Chain.Incoming(ctx, txHash)
	if err != nil {
		return Deposit{}, err
	}
	if in.Confirmations < in.Required {
		return Deposit{}, errs.Invalid("tx_hash", "the transaction has %d of %d confirmations; submit it again later", in.Confirmations, in.Required)
	}
	if in.Amount <= 0 {
		return Deposit{}, errs.Invalid("tx_hash", "the transaction moves no USDC to the platform")
	}
	d := Deposit{TxHash: txHash, Status: "confirmed", Amount: in.Amount, Confirmations: in.Confirmations, Required: in.Required}
	err = s.DB.WriteFor(ctx, id, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		did, err := uuid.NewRandomFromReader(store.Rand(ctx))
		if err != nil {
			return fmt.Errorf("poker: deposit id: %w", err)
		}
		d.ID = did.String()
		if !s.Chain.Sandbox() {
			// On a chain a deposit belongs to the agent whose registered wallet sent it: a hash
			// seen on the chain cannot be claimed by someone else.
			a, err := account.Get(ctx, q, id)
			if err != nil {
				return err
			}
			if a.PayoutAddress == "" {
				return errs.Invalid("wallet_address", "register the wallet you deposit from first (PATCH /poker/api/me)")
			}
			if !strings.EqualFold(a.PayoutAddress, in.From) {
				return errs.Invalid("tx_hash", "the transfer was sent from %s, not from your registered wallet", in.From)
			}
		}
		var n int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM poker_deposits WHERE tx_hash = ?`, txHash).Scan(&n); err != nil {
			return fmt.Errorf("poker: deposit: %w", err)
		}
		if n > 0 {
			return errs.Invalid("tx_hash", "this transaction was already credited")
		}
		if _, err := q.Exec(ctx, `INSERT INTO poker_deposits (id, account_id, tx_hash, network, amount, confirmations, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, d.ID, id, txHash, s.Chain.Network(), int64(in.Amount), in.Confirmations, now.UnixMicro()); err != nil {
			if store.IsUnique(err) {
				return errs.Invalid("tx_hash", "this transaction was already credited")
			}
			return fmt.Errorf("poker: deposit: %w", err)
		}
		return ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.USDC, From: ledger.SystemAccount(ledger.External, money.USDC),
			To: ledger.UserAccount(id, money.USDC), Amount: in.Amount, Kind: "poker_deposit", Ref: d.ID})
	})
	if err != nil {
		return Deposit{}, err
	}
	return d, nil
}

// Withdrawal is a withdrawal and its state.
type Withdrawal struct {
	ID            string
	AccountID     string
	ToAddress     string
	Amount        money.Amount
	Status        string // pending, confirmed, failed
	TxHash        string
	Confirmations int
	Error         string
	CreatedAt     time.Time
	TransferID    string       // the withdrawal's ledger reference
	BalanceAfter  money.Amount // the caller's balance right after the request
}

// Withdraw moves amount from the caller's balance to pending (at once, in one transaction with
// the withdrawal row), then asks the chain to pay it to the caller's wallet: paid, the pending
// amount leaves to the outside world (confirmed); refused, it comes back to the balance (failed,
// 503); with the outcome unknown it stays pending (200, status pending) until reconciled. With
// an idempotency key a retry replays the first answer and pays once.
func (s *Service) Withdraw(ctx context.Context, id, idemKey string, amount money.Amount) (Withdrawal, error) {
	if s.Chain == nil {
		return Withdrawal{}, errs.Unavailablef("withdrawals are not configured on this server")
	}
	if amount <= 0 {
		return Withdrawal{}, errs.Invalid("amount", "must be a positive amount of USDC")
	}
	if amount < MinWithdrawal || amount > MaxWithdrawal {
		return Withdrawal{}, errs.Invalid("amount", "must be between %s and %s", MinWithdrawal, MaxWithdrawal)
	}
	tracker, tracked := s.Chain.(chain.Tracker)
	var state any // NULL: an untracked payout (the sandbox's, which answers at once)
	if tracked {
		state = payoutUnsigned
	}
	user, pending := ledger.UserAccount(id, money.USDC), ledger.OwnedAccount(ledger.Pending, money.USDC, id)
	w, replayed, err := idem.Do(ctx, s.DB, id, "poker.withdraw.v1", idemKey, amount,
		func(ctx context.Context, q store.Q, now time.Time) (Withdrawal, error) {
			a, err := account.Get(ctx, q, id)
			if err != nil {
				return Withdrawal{}, err
			}
			if a.PayoutAddress == "" {
				return Withdrawal{}, errs.Invalid("wallet_address", "register a wallet first (PATCH /poker/api/me with wallet_address)")
			}
			wid, err := uuid.NewRandomFromReader(store.Rand(ctx))
			if err != nil {
				return Withdrawal{}, fmt.Errorf("poker: withdrawal id: %w", err)
			}
			w := Withdrawal{ID: "wd-" + wid.String(), AccountID: id, ToAddress: a.PayoutAddress, Amount: amount, Status: "pending",
				CreatedAt: time.UnixMicro(now.UnixMicro()).UTC()}
			w.TransferID = w.ID
			if _, err := q.Exec(ctx, `INSERT INTO poker_withdrawals (id, account_id, to_address, network, amount, status, created_at, updated_at, payout_state)
				VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`, w.ID, id, w.ToAddress, s.Chain.Network(), int64(amount), now.UnixMicro(), now.UnixMicro(), state); err != nil {
				return Withdrawal{}, fmt.Errorf("poker: withdrawal: %w", err)
			}
			w.BalanceAfter, err = ledger.PostRead(ctx, q, now, user, ledger.Transfer{Asset: money.USDC, From: user, To: pending,
				Amount: amount, Kind: "poker_withdrawal", Ref: w.ID})
			return w, err
		})
	if err != nil || replayed {
		if err == nil {
			// The first answer, with the withdrawal's status now.
			cur, gerr := s.Withdrawal(ctx, id, w.ID)
			if gerr == nil {
				cur.TransferID, cur.BalanceAfter = w.TransferID, w.BalanceAfter
				w = cur
			}
		}
		return w, err
	}
	to, ref := common.HexToAddress(w.ToAddress), strings.TrimPrefix(w.ID, "wd-")
	var tx string
	var perr error
	if tracked {
		tx, perr = tracker.PayRecorded(ctx, to, int64(amount), ref, func(ctx context.Context, sg chain.Signed) error {
			return s.recordPayout(ctx, id, w.ID, sg)
		})
	} else {
		tx, perr = s.Chain.Pay(ctx, to, int64(amount), ref)
	}
	if perr != nil && !chain.IsRefused(perr) {
		// The outcome is unknown (the transfer may yet land): no refund. The withdrawal stays
		// pending with the money in the pending account until the reconciler reads the chain.
		err = s.DB.WriteFor(ctx, id, func(ctx context.Context, q store.Q) error {
			_, err := q.Exec(ctx, `UPDATE poker_withdrawals SET error_message = ?, updated_at = ? WHERE id = ? AND status = 'pending'`,
				"payout outcome unknown; it will be reconciled with the chain", store.Now(ctx).UnixMicro(), w.ID)
			return err
		})
		return w, err
	}
	if perr != nil {
		if _, err := s.failWithdrawal(ctx, id, w.ID, "the network refused the payout; the amount went back to the balance", anyReplacements); err != nil {
			return w, err
		}
		return w, &errs.Error{Kind: errs.Unavailable, Code: "payout_refused",
			Message: "the network refused the payout; the amount is back in your balance", Err: perr}
	}
	if _, err := s.completeWithdrawal(ctx, id, w.ID, tx); err != nil {
		return w, err
	}
	w.Status, w.TxHash, w.Confirmations = "confirmed", tx, 1
	return w, nil
}

// Payout states of a withdrawal (payout_state; NULL: untracked, or from before tracking).
const (
	payoutUnsigned = payments.PayoutUnsigned
	payoutSigned   = payments.PayoutSigned
)

// recordPayout stores the signed payout on a withdrawal still pending and unsigned, before it is
// sent; any other state (the reconciler failed it meanwhile) is an error and nothing is sent.
func (s *Service) recordPayout(ctx context.Context, account, wid string, sg chain.Signed) error {
	return s.DB.WriteFor(ctx, account, func(ctx context.Context, q store.Q) error {
		res, err := q.Exec(ctx, `UPDATE poker_withdrawals SET payout_state = ?, payout_tx = ?, payout_nonce = ?, payout_raw = ?, updated_at = ?
			WHERE id = ? AND status = 'pending' AND payout_state = ?`, payoutSigned, sg.Tx, int64(sg.Nonce), sg.Raw, store.Now(ctx).UnixMicro(),
			wid, payoutUnsigned)
		if err != nil {
			return fmt.Errorf("poker: record payout: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("poker: record payout: withdrawal %s is no longer pending and unsigned", wid)
		}
		return nil
	})
}

// completeWithdrawal confirms a pending withdrawal paid by tx and moves its amount from pending
// to the outside world, once (the status guard).
func (s *Service) completeWithdrawal(ctx context.Context, account, wid, tx string) (done bool, err error) {
	err = s.DB.WriteFor(ctx, account, func(ctx context.Context, q store.Q) error {
		done = false
		now := store.Now(ctx)
		var amount int64
		if err := q.QueryRow(ctx, `SELECT amount FROM poker_withdrawals WHERE id = ?`, wid).Scan(&amount); err != nil {
			return fmt.Errorf("poker: withdrawal %s: %w", wid, err)
		}
		res, err := q.Exec(ctx, `UPDATE poker_withdrawals SET status = 'confirmed', tx_hash = ?, confirmations = 1, error_message = NULL, updated_at = ?
			WHERE id = ? AND status = 'pending'`, tx, now.UnixMicro(), wid)
		if err != nil {
			return fmt.Errorf("poker: withdrawal: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		done = true
		return ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.USDC, From: ledger.OwnedAccount(ledger.Pending, money.USDC, account),
			To: ledger.SystemAccount(ledger.External, money.USDC), Amount: money.Amount(amount), Kind: "poker_withdrawal_sent", Ref: wid})
	})
	return done, err
}

// anyReplacements fails a withdrawal whatever number of payout replacements it has (the request's
// own refusal: nothing was signed, or its payout reverted on chain, which spends the nonce).
const anyReplacements = -1

// failWithdrawal fails a pending withdrawal (reason) and returns its amount from pending to the
// balance, once; with replacements ≥ 0 only while it has exactly that many payout replacements
// recorded (the reconciler's guard, chain.Book.Fail).
func (s *Service) failWithdrawal(ctx context.Context, account, wid, reason string, replacements int) (done bool, err error) {
	err = s.DB.WriteFor(ctx, account, func(ctx context.Context, q store.Q) error {
		done = false
		now := store.Now(ctx)
		var amount int64
		if err := q.QueryRow(ctx, `SELECT amount FROM poker_withdrawals WHERE id = ?`, wid).Scan(&amount); err != nil {
			return fmt.Errorf("poker: withdrawal %s: %w", wid, err)
		}
		res, err := q.Exec(ctx, `UPDATE poker_withdrawals SET status = 'failed', error_message = ?, updated_at = ? WHERE id = ? AND status = 'pending'
			AND (? < 0 OR payout_replacements = ?)`, reason, now.UnixMicro(), wid, replacements, replacements)
		if err != nil {
			return fmt.Errorf("poker: withdrawal: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		done = true
		return ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.USDC, From: ledger.OwnedAccount(ledger.Pending, money.USDC, account),
			To: ledger.UserAccount(account, money.USDC), Amount: money.Amount(amount), Kind: "poker_withdrawal_refund", Ref: wid})
	})
	return done, err
}

// WithdrawalBook is the poker surface's withdrawals for chain.Reconciler.
func (s *Service) WithdrawalBook() chain.Book { return withdrawalBook{s} }

type withdrawalBook struct{ s *Service }

func (withdrawalBook) Name() string { return "poker" }

func (b withdrawalBook) Pending(ctx context.Context, before time.Time, limit int) (out []chain.Pending, err error) {
	return payments.PendingPayouts(ctx, b.s.DB, "poker_withdrawals", b.Name(), before, limit)
}

func (b withdrawalBook) account(ctx context.Context, wid string) (account string, err error) {
	err = b.s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		return q.QueryRow(ctx, `SELECT account_id FROM poker_withdrawals WHERE id = ?`, wid).Scan(&account)
	})
	if err != nil {
		return "", fmt.Errorf("poker: withdrawal %s: %w", wid, err)
	}
	return account, nil
}

func (b withdrawalBook) Complete(ctx context.Context, wid, tx string) (bool, error) {
	a, err := b.account(ctx, wid)
	if err != nil {
		return false, err
	}
	return b.s.completeWithdrawal(ctx, a, wid, tx)
}

func (b withdrawalBook) Fail(ctx context.Context, wid, reason string, replacements int) (bool, error) {
	a, err := b.account(ctx, wid)
	if err != nil {
		return false, err
	}
	return b.s.failWithdrawal(ctx, a, wid, reason, replacements)
}

func (b withdrawalBook) Replace(ctx context.Context, wid string, replacements int, sg chain.Signed) (ok bool, err error) {
	a, err := b.account(ctx, wid)
	if err != nil {
		return false, err
	}
	err = b.s.DB.WriteFor(ctx, a, func(ctx context.Context, q store.Q) error {
		ok, err = payments.RecordReplacement(ctx, q, "poker_withdrawals", b.Name(), wid, replacements, sg)
		return err
	})
	return ok, err
}

// Withdrawal reads one of the caller's withdrawals; another agent's is not found.
func (s *Service) Withdrawal(ctx context.Context, id, wid string) (Withdrawal, error) {
	var w Withdrawal
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		var tx, msg sql.NullString
		var amt, at int64
		err := q.QueryRow(ctx, `SELECT id, account_id, to_address, amount, status, tx_hash, confirmations, error_message, created_at
			FROM poker_withdrawals WHERE id = ? AND account_id = ?`, wid, id).Scan(&w.ID, &w.AccountID, &w.ToAddress, &amt, &w.Status,
			&tx, &w.Confirmations, &msg, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundf("withdrawal not found")
		}
		if err != nil {
			return fmt.Errorf("poker: withdrawal: %w", err)
		}
		w.Amount, w.TxHash, w.Error, w.CreatedAt = money.Amount(amt), tx.String, msg.String, time.UnixMicro(at).UTC()
		return nil
	})
	return w, err
}

// --- platform ---

// Accounting is the money conservation check over USDC: what came in equals what is held plus
// what went out.
type Accounting struct {
	Deposited, Balance, InPlay, Pending, Rake, House, Withdrawn money.Amount
	Drift                                                       money.Amount
	Holds                                                       bool
}

// Accounting computes the USDC conservation figures from the ledger (the full invariant check
// runs too: a drifting stored balance breaks it).
func (s *Service) Accounting(ctx context.Context) (Accounting, error) {
	var a Accounting
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		rep, err := ledger.Check(ctx, q)
		if err != nil {
			return err
		}
		ext := ledger.SystemAccount(ledger.External, money.USDC)
		var in, out int64
		if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN from_account = ? THEN amount ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN to_account = ? THEN amount ELSE 0 END), 0) FROM ledger_transfers WHERE asset = 'USDC'`,
			ext, ext).Scan(&in, &out); err != nil {
			return fmt.Errorf("poker: accounting: %w", err)
		}
		k := rep.ByKind[money.USDC]
		a = Accounting{Deposited: money.Amount(in), Withdrawn: money.Amount(out), Balance: k[ledger.User], InPlay: k[ledger.InPlay],
			Pending: k[ledger.Pending], Rake: k[ledger.Rake], House: k[ledger.House]}
		a.Drift = a.Deposited - (a.Balance + a.InPlay + a.Pending + a.Rake + a.House + a.Withdrawn)
		if a.Drift < 0 {
			a.Drift = -a.Drift
		}
		a.Drift += rep.DriftTotal()
		a.Holds = rep.OK && a.Drift == 0
		return nil
	})
	return a, err
}

// Revenue is the platform's rake.
type Revenue struct {
	Total, Today money.Amount
	Hands        int64
}

// Revenue sums the rake of every settled hand and of today's (UTC).
func (s *Service) Revenue(ctx context.Context) (Revenue, error) {
	now := s.Now().UTC()
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	var r Revenue
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		var total, today int64
		if err := q.QueryRow(ctx, `SELECT COALESCE(SUM(rake), 0), COALESCE(SUM(CASE WHEN created_at >= ? THEN rake ELSE 0 END), 0), COUNT(*)
			FROM poker_hands`, midnight.UnixMicro()).Scan(&total, &today, &r.Hands); err != nil {
			return fmt.Errorf("poker: revenue: %w", err)
		}
		r.Total, r.Today = money.Amount(total), money.Amount(today)
		return nil
	})
	return r, err
}

// Config is the public configuration.
type Config struct {
	Table   table.Config
	Network string // "" without a chain
	Sandbox bool
}

// PublicConfig is what a bot may read before registering.
func (s *Service) PublicConfig() Config {
	c := Config{Table: s.Tables.Cfg, Sandbox: s.sandbox()}
	if s.Chain != nil {
		c.Network = s.Chain.Network()
	}
	return c
}
