package credits

import (
	"context"
	"fmt"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// Faucet rules (spec 000: "Free Credits: 100 credits, 1h cooldown").
const (
	FaucetAmount   = 100 * money.Micro
	FaucetCooldown = time.Hour
)

// FaucetClaim is a granted claim.
type FaucetClaim struct {
	ID           string
	Granted      money.Amount
	Balance      money.Amount
	NextFaucetAt time.Time
}

// ClaimFaucet grants FaucetAmount credits to account unless it claimed within FaucetCooldown, in
// which case the error is 429 FAUCET_COOLDOWN carrying nextFaucetAt. The cooldown guard is a
// conditional upsert, so concurrent claims can never both pass, on either engine.
func ClaimFaucet(ctx context.Context, q store.Q, now time.Time, account string) (FaucetClaim, error) {
	cutoff := now.Add(-FaucetCooldown).UnixMicro()
	res, err := q.Exec(ctx, `INSERT INTO faucet_state (account_id, last_claim_at) VALUES (?, ?)
		ON CONFLICT (account_id) DO UPDATE SET last_claim_at = excluded.last_claim_at
		WHERE faucet_state.last_claim_at <= ?`, account, now.UnixMicro(), cutoff)
	if err != nil {
		return FaucetClaim{}, fmt.Errorf("credits: faucet guard: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return FaucetClaim{}, fmt.Errorf("credits: faucet guard: %w", err)
	} else if n == 0 {
		var last int64
		if err := q.QueryRow(ctx, `SELECT last_claim_at FROM faucet_state WHERE account_id = ?`, account).Scan(&last); err != nil {
			return FaucetClaim{}, fmt.Errorf("credits: faucet state: %w", err)
		}
		next := time.UnixMicro(last).Add(FaucetCooldown).UTC()
		return FaucetClaim{}, &errs.Error{Kind: errs.RateLimited, Code: "FAUCET_COOLDOWN",
			Message:    "Free Credits can be claimed once per hour; next claim at " + next.Format(time.RFC3339),
			Data:       map[string]any{"nextFaucetAt": next.Format(time.RFC3339)},
			RetryAfter: next.Sub(now)}
	}
	id, err := store.NewID(ctx)
	if err != nil {
		return FaucetClaim{}, fmt.Errorf("credits: claim id: %w", err)
	}
	c := FaucetClaim{ID: id, Granted: FaucetAmount, NextFaucetAt: now.Add(FaucetCooldown).UTC()}
	if _, err := q.Exec(ctx, `INSERT INTO faucet_claims (id, account_id, asset, amount, created_at) VALUES (?, ?, ?, ?, ?)`,
		c.ID, account, string(money.Credit), int64(FaucetAmount), now.UnixMicro()); err != nil {
		return FaucetClaim{}, fmt.Errorf("credits: record claim: %w", err)
	}
	user := ledger.UserAccount(account, money.Credit)
	if c.Balance, err = ledger.PostRead(ctx, q, now, user, ledger.Transfer{Asset: money.Credit,
		From: ledger.SystemAccount(ledger.Faucet, money.Credit), To: user, Amount: FaucetAmount, Kind: "faucet", Ref: c.ID}); err != nil {
		return FaucetClaim{}, err
	}
	return c, nil
}

// SignUpCredits are granted once to an agent registered through POST /api/auth/agent/register
// (the real system's behaviour), from the faucet account.
const SignUpCredits = 100 * money.Micro

// GrantSignUpCredits gives a new agent its starting credits, inside the sign-up's Write.
func GrantSignUpCredits(ctx context.Context, q store.Q, now time.Time, account string) (money.Amount, error) {
	user := ledger.UserAccount(account, money.Credit)
	return ledger.PostRead(ctx, q, now, user, ledger.Transfer{Asset: money.Credit, From: ledger.SystemAccount(ledger.Faucet, money.Credit),
		To: user, Amount: SignUpCredits, Kind: "signup_grant", Ref: "signup-" + account})
}
