package credits

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
)

// Dice limits (spec 000: "Min/max amount per round: 1 – 10000 credits").
const (
	MinAmount = 1 * money.Micro
	MaxAmount = 10_000 * money.Micro
	// SeedScope is the seed chain of spec 000's games.
	SeedScope = "credits"
	GameDice  = "dice"
)

// DiceBet is a validated dice bet: a whole number of credits, a target in hundredths with at
// least one winning roll, and a side.
type DiceBet struct {
	Amount money.Amount
	Target int // hundredths, 0..9999
	Over   bool
}

// Condition is the bet's side as the wire spells it.
func (b DiceBet) Condition() string {
	if b.Over {
		return "over"
	}
	return "under"
}

// Validate checks the bet against spec 000's rules, naming the offending field.
func (b DiceBet) Validate() error {
	if b.Amount < MinAmount || b.Amount > MaxAmount || b.Amount%money.Micro != 0 {
		return errs.Invalid("amount", "must be a whole number of credits from 1 to 10000")
	}
	if b.Target < 0 || b.Target >= fairness.CreditDiceRolls {
		return errs.Invalid("target", "must be from 0 to 99.99")
	}
	if fairness.CreditDiceWinningRolls(b.Target, b.Over) == 0 {
		return errs.Invalid("target", "under 0 can never win; choose a target above 0")
	}
	return nil
}

// Round is a played dice round.
type Round struct {
	ID         string
	AccountID  string
	Game       string
	Bet        DiceBet
	Roll       int // hundredths
	Win        bool
	Payout     money.Amount
	SeedID     string
	Commitment string
	ClientSeed string
	Nonce      uint64
	RunID      string
	CreatedAt  time.Time
	Balance    money.Amount // the player's balance right after the round
}

// PnL is what the round won or lost.
func (r Round) PnL() money.Amount { return r.Payout - r.Bet.Amount }

// Resolve derives a bet's outcome from the fairness stream (DESIGN §5): roll = floor(f0 × 10000)
// hundredths; under X wins iff roll < X, over X iff roll ≥ X; payout floor(amount × 9700 / W).
func Resolve(b DiceBet, u0 uint32) (roll int, win bool, payout money.Amount, err error) {
	roll = fairness.CreditDiceRoll(u0)
	win = fairness.CreditDiceWins(roll, b.Target, b.Over)
	if win {
		p, err := fairness.CreditDicePayout(int64(b.Amount), b.Target, b.Over)
		if err != nil {
			return 0, false, 0, fmt.Errorf("credits: payout: %w", err)
		}
		payout = money.Amount(p)
	}
	return roll, win, payout, nil
}

// PlayDice plays one round inside the caller's store.Write: it draws the next nonce of the
// player's committed seed, derives the roll, moves the stake to the house and the payout back,
// and records the round — all in the same transaction, or none of it.
func PlayDice(ctx context.Context, q store.Q, now time.Time, sd seeds.Engine, account string, b DiceBet) (Round, error) {
	if err := b.Validate(); err != nil {
		return Round{}, err
	}
	d, err := sd.Next(ctx, q, now, account, SeedScope)
	if err != nil {
		return Round{}, err
	}
	u0 := fairness.NewGenerator(d.Seed).First(d.ClientSeed, d.Nonce)
	roll, win, payout, err := Resolve(b, u0)
	if err != nil {
		return Round{}, err
	}
	id, err := store.NewID(ctx)
	if err != nil {
		return Round{}, fmt.Errorf("credits: round id: %w", err)
	}
	r := Round{ID: id, AccountID: account, Game: GameDice, Bet: b, Roll: roll, Win: win, Payout: payout,
		SeedID: d.SeedID, Commitment: d.Commitment, ClientSeed: d.ClientSeed, Nonce: d.Nonce, CreatedAt: micros(now)}
	user, house := ledger.UserAccount(account, money.Credit), ledger.SystemAccount(ledger.House, money.Credit)
	ts := []ledger.Transfer{{Asset: money.Credit, From: user, To: house, Amount: b.Amount, Kind: "bet", Ref: r.ID}}
	if payout > 0 {
		ts = append(ts, ledger.Transfer{Asset: money.Credit, From: house, To: user, Amount: payout, Kind: "payout", Ref: r.ID})
	}
	if r.Balance, err = ledger.PostRead(ctx, q, now, user, ts...); err != nil {
		if errors.Is(err, errs.ErrInsufficientBalance) {
			return Round{}, &errs.Error{Kind: errs.InsufficientBalance, Code: "INSUFFICIENT_BALANCE",
				Message: "balance cannot cover the amount; claim Free Credits (POST /api/faucet) or buy a credit package",
				Data:    map[string]any{"deposit_url": "/api/credits/packages", "deposit_alert_message": "Balance too low for this round."}}
		}
		return Round{}, err
	}
	if err := insertRound(ctx, q, r); err != nil {
		return Round{}, err
	}
	return r, nil
}

func insertRound(ctx context.Context, q store.Q, r Round) error {
	var run any
	if r.RunID != "" {
		run = r.RunID
	}
	// Nothing reads a round back in the transaction that plays it, so on PostgreSQL its row joins
	// the batch's one multi-row INSERT at commit (store.Q.InsertLater).
	err := q.InsertLater(ctx, "credit_rounds", "id, account_id, game, amount, target, condition, roll, win, payout, seed_id, client_seed, nonce, run_id, created_at", 1,
		r.ID, r.AccountID, r.Game, int64(r.Bet.Amount), r.Bet.Target, r.Bet.Condition(), r.Roll, boolInt(r.Win),
		int64(r.Payout), r.SeedID, r.ClientSeed, int64(r.Nonce), run, r.CreatedAt.UnixMicro())
	if err != nil {
		return fmt.Errorf("credits: record round: %w", err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// micros truncates t to the microsecond, the precision the database keeps.
func micros(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }
