package pokerapi

import (
	"strconv"
	"time"

	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/poker/agents"
	"github.com/arcadehq/arcade/internal/poker/table"
)

// Spec 002's units: plain amounts are dollars (money.Decimal), *_cents are cents and *_ucents
// hundredths of a cent (1 ucent = 100 micro-USDC, DESIGN §4), both rounded down.
func cents(a money.Amount) int64  { return int64(a) / 10_000 }
func ucents(a money.Amount) int64 { return int64(a) / 100 }

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func sandboxBalance(a money.Amount) *money.Decimal {
	if a == 0 {
		return nil
	}
	d := a.Decimal()
	return &d
}

// RegisterBody is POST /register's body.
type RegisterBody struct {
	Email         string `json:"email" jsonschema:"required"`
	Name          string `json:"name" jsonschema:"required"`
	WalletAddress string `json:"wallet_address,omitempty" jsonschema:"description=a 0x address: where withdrawals go (a payout address, never a login)"`
	AvatarURL     string `json:"avatar_url,omitempty"`
}

// Registered answers POST /register (201). The key is shown once.
type Registered struct {
	AgentID       string  `json:"agent_id"`
	APIKey        string  `json:"api_key"`
	Email         string  `json:"email"`
	Name          string  `json:"name"`
	WalletAddress *string `json:"wallet_address" jsonschema:"nullable"`
	AvatarURL     *string `json:"avatar_url" jsonschema:"nullable"`
	// SandboxBalance is the sandbox USDC the agent starts with (null with a real chain).
	SandboxBalance *money.Decimal `json:"sandbox_balance" jsonschema:"nullable"`
}

// Me is GET /me.
type Me struct {
	AgentID       string        `json:"agent_id"`
	Email         *string       `json:"email" jsonschema:"nullable"`
	Name          string        `json:"name"`
	WalletAddress *string       `json:"wallet_address" jsonschema:"nullable"`
	AvatarURL     *string       `json:"avatar_url" jsonschema:"nullable"`
	Balance       money.Decimal `json:"balance"`
	// Sandbox labels the balance as sandbox money (the embedded network; no real USDC).
	Sandbox   bool      `json:"sandbox"`
	CreatedAt time.Time `json:"created_at"`
}

func meOf(p agents.Profile) Me {
	a := p.Account
	return Me{AgentID: a.ID, Email: optional(a.Email), Name: a.Name, WalletAddress: optional(a.PayoutAddress),
		AvatarURL: optional(a.AvatarURL), Balance: p.Balance.Decimal(), Sandbox: p.Sandbox, CreatedAt: a.CreatedAt}
}

// PatchBody is PATCH /me's body; absent fields stay as they are.
type PatchBody struct {
	Name          *string `json:"name,omitempty"`
	WalletAddress *string `json:"wallet_address,omitempty"`
	AvatarURL     *string `json:"avatar_url,omitempty"`
}

// NewKey answers POST /me/regenerate-key.
type NewKey struct {
	APIKey string `json:"api_key"`
}

// ActiveGame is GET /me/active-game.
type ActiveGame struct {
	Playing    bool           `json:"playing"`
	TableID    *string        `json:"table_id" jsonschema:"nullable"`
	Seat       *int           `json:"seat" jsonschema:"nullable"`
	StackCents *int64         `json:"stack_cents" jsonschema:"nullable"`
	Stack      *money.Decimal `json:"stack" jsonschema:"nullable"`
}

func activeOf(g table.Seated) ActiveGame {
	if !g.Playing {
		return ActiveGame{}
	}
	id, seat, c, d := g.TableID, g.Seat, cents(g.Stack), g.Stack.Decimal()
	return ActiveGame{Playing: true, TableID: &id, Seat: &seat, StackCents: &c, Stack: &d}
}

// Hand is one hand of the history.
type Hand struct {
	HandID     string               `json:"hand_id"`
	TableID    string               `json:"table_id"`
	HandNumber int64                `json:"hand_number"`
	Seat       int                  `json:"seat"`
	StackStart money.Decimal        `json:"stack_start"`
	StackEnd   money.Decimal        `json:"stack_end"`
	Profit     money.Decimal        `json:"profit"`
	Actions    []table.ActionRecord `json:"actions"`
	StartedAt  time.Time            `json:"started_at"`
	EndedAt    time.Time            `json:"ended_at"`
}

// HandHistory is GET /me/hand-history.
type HandHistory struct {
	Hands  []Hand `json:"hands"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
}

// HandHistoryOf renders a page of the hand history.
func HandHistoryOf(p agents.HandPage) HandHistory {
	out := HandHistory{Hands: []Hand{}, Limit: p.Limit, Offset: p.Offset}
	for _, h := range p.Hands {
		out.Hands = append(out.Hands, Hand{HandID: h.HandID, TableID: h.TableID, HandNumber: h.HandNumber, Seat: h.Seat,
			StackStart: h.StackStart.Decimal(), StackEnd: h.StackEnd.Decimal(), Profit: (h.StackEnd - h.StackStart).Decimal(),
			Actions: h.Actions, StartedAt: h.StartedAt, EndedAt: h.EndedAt})
	}
	return out
}

// DepositBody is POST /deposit/onchain's body.
type DepositBody struct {
	TxHash string `json:"tx_hash" jsonschema:"required"`
}

// DepositResponse answers a credited deposit.
type DepositResponse struct {
	DepositID             string `json:"deposit_id"`
	TxHash                string `json:"tx_hash"`
	Status                string `json:"status"`
	AmountCents           int64  `json:"amount_cents"`
	AmountUcents          int64  `json:"amount_ucents"`
	ConfirmationsSeen     int    `json:"confirmations_seen"`
	ConfirmationsRequired int    `json:"confirmations_required"`
}

// WithdrawBody is POST /withdraw's body.
type WithdrawBody struct {
	Amount httpapi.Number `json:"amount" jsonschema:"required,type=number,description=USDC in dollars (at most 6 decimals)"`
}

// WithdrawResponse answers a queued withdrawal.
type WithdrawResponse struct {
	TransactionID    string        `json:"transaction_id"`
	Type             string        `json:"type"`
	Amount           money.Decimal `json:"amount"`
	BalanceAfter     money.Decimal `json:"balance_after"`
	WithdrawalID     *string       `json:"withdrawal_id" jsonschema:"nullable"`
	WithdrawalStatus *string       `json:"withdrawal_status" jsonschema:"nullable"`
}

// WithdrawalStatus is GET /withdrawal/{withdrawal_id}.
type WithdrawalStatus struct {
	WithdrawalID      string    `json:"withdrawal_id"`
	AgentID           string    `json:"agent_id"`
	ToAddress         string    `json:"to_address"`
	AmountCents       int64     `json:"amount_cents"`
	AmountUcents      int64     `json:"amount_ucents"`
	Status            string    `json:"status" jsonschema:"enum=pending,enum=confirmed,enum=failed"`
	TxHash            *string   `json:"tx_hash" jsonschema:"nullable"`
	ConfirmationsSeen int       `json:"confirmations_seen"`
	ErrorMessage      *string   `json:"error_message" jsonschema:"nullable"`
	CreatedAt         time.Time `json:"created_at"`
}

func withdrawalOf(w agents.Withdrawal) WithdrawalStatus {
	return WithdrawalStatus{WithdrawalID: w.ID, AgentID: w.AccountID, ToAddress: w.ToAddress, AmountCents: cents(w.Amount),
		AmountUcents: ucents(w.Amount), Status: w.Status, TxHash: optional(w.TxHash), ConfirmationsSeen: w.Confirmations,
		ErrorMessage: optional(w.Error), CreatedAt: w.CreatedAt}
}

// BalanceResponse is GET /balance.
type BalanceResponse struct {
	AgentID      string        `json:"agent_id"`
	Balance      money.Decimal `json:"balance"`
	LockedInPlay money.Decimal `json:"locked_in_play"`
	// PendingWithdrawal is on its way to the wallet (Arcade's addition; part of total).
	PendingWithdrawal money.Decimal `json:"pending_withdrawal"`
	Total             money.Decimal `json:"total"`
	Sandbox           bool          `json:"sandbox"`
}

// Transaction is one movement of the balance.
type Transaction struct {
	TransactionID string        `json:"transaction_id"`
	Type          string        `json:"type" jsonschema:"enum=sandbox,enum=deposit,enum=withdraw,enum=withdraw_refund,enum=buy_in,enum=cash_out"`
	Amount        money.Decimal `json:"amount" jsonschema:"description=signed: positive into the balance"`
	Reference     string        `json:"reference"`
	CreatedAt     time.Time     `json:"created_at"`
}

// Transactions is GET /transactions.
type Transactions struct {
	Transactions []Transaction `json:"transactions"`
	Limit        int           `json:"limit"`
	Offset       int           `json:"offset"`
}

func txsOf(p agents.TxPage) Transactions {
	out := Transactions{Transactions: []Transaction{}, Limit: p.Limit, Offset: p.Offset}
	for _, t := range p.Transactions {
		out.Transactions = append(out.Transactions, Transaction{TransactionID: "tx-" + itoa(t.ID), Type: t.Type,
			Amount: t.Amount.Decimal(), Reference: t.Reference, CreatedAt: t.CreatedAt})
	}
	return out
}

// TableItem is one table of GET /tables.
type TableItem struct {
	TableID    string        `json:"table_id"`
	Seats      int           `json:"seats"`
	Players    int           `json:"players"`
	SmallBlind money.Decimal `json:"small_blind"`
	BigBlind   money.Decimal `json:"big_blind"`
	HandNumber uint64        `json:"hand_number"`
}

// AccountingResponse is GET /accounting.
type AccountingResponse struct {
	TotalDepositedUcents int64 `json:"total_deposited_ucents"`
	TotalBalanceUcents   int64 `json:"total_balance_ucents"`
	TotalInPlayUcents    int64 `json:"total_in_play_ucents"`
	TotalRakeUcents      int64 `json:"total_rake_ucents"`
	TotalWithdrawnUcents int64 `json:"total_withdrawn_ucents"`
	// Arcade's additions: withdrawals on their way out, and the x402 casino's USDC house.
	TotalPendingUcents int64 `json:"total_pending_ucents"`
	TotalHouseUcents   int64 `json:"total_house_ucents"`
	InvariantHolds     bool  `json:"invariant_holds"`
	DriftUcents        int64 `json:"drift_ucents"`
}

// RevenueResponse is GET /platform/revenue.
type RevenueResponse struct {
	TotalRakeCents  int64 `json:"total_rake_cents"`
	TodayRakeCents  int64 `json:"today_rake_cents"`
	TotalRakeUcents int64 `json:"total_rake_ucents"`
	TodayRakeUcents int64 `json:"today_rake_ucents"`
	HandCount       int64 `json:"hand_count"`
}

// PublicConfig is GET /public-config.
type PublicConfig struct {
	// BetterAuthURL is null: Arcade has no separate auth server; the API key is the login.
	BetterAuthURL       *string       `json:"better_auth_url" jsonschema:"nullable"`
	Network             *string       `json:"network" jsonschema:"nullable"`
	Sandbox             bool          `json:"sandbox"`
	Seats               int           `json:"seats"`
	SmallBlind          money.Decimal `json:"small_blind"`
	BigBlind            money.Decimal `json:"big_blind"`
	MinBuyIn            money.Decimal `json:"min_buy_in"`
	MaxBuyIn            money.Decimal `json:"max_buy_in"`
	DefaultBuyIn        money.Decimal `json:"default_buy_in"`
	RakePercent         float64       `json:"rake_percent"`
	RakeCap             money.Decimal `json:"rake_cap"`
	ActionTimeoutSecs   float64       `json:"action_timeout_seconds"`
	ReconnectWindowSecs float64       `json:"reconnect_window_seconds"`
	SandboxGrant        money.Decimal `json:"sandbox_grant"`
	MinWithdrawal       money.Decimal `json:"min_withdrawal"`
	MaxWithdrawal       money.Decimal `json:"max_withdrawal"`
}

func configOf(c agents.Config) PublicConfig {
	t := c.Table
	return PublicConfig{Network: optional(c.Network), Sandbox: c.Sandbox, Seats: t.Seats, SmallBlind: t.SmallBlind.Decimal(),
		BigBlind: t.BigBlind.Decimal(), MinBuyIn: t.MinBuyIn.Decimal(), MaxBuyIn: t.MaxBuyIn.Decimal(), DefaultBuyIn: t.DefaultBuyIn.Decimal(),
		RakePercent: float64(t.RakeBasisPoints) / 100, RakeCap: t.RakeCap.Decimal(), ActionTimeoutSecs: t.ActionTimeout.Seconds(),
		ReconnectWindowSecs: t.ReconnectWindow.Seconds(), SandboxGrant: t.SandboxGrant.Decimal(),
		MinWithdrawal: agents.MinWithdrawal.Decimal(), MaxWithdrawal: agents.MaxWithdrawal.Decimal()}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
