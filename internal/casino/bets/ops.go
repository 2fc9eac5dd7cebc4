package bets

import (
	"context"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/casino"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/seeds"
)

// Ops are spec 001's operations, declared once in the registry.
type Ops struct {
	Manifest *ops.Def[ops.None, Manifest]
	Games    *ops.Def[ops.None, Games]
	Play     *ops.Def[Play, Bet]
	Bet      *ops.Def[ByID, Bet]
	Balance  *ops.Def[ops.None, Balance]
	Withdraw *ops.Def[WithdrawInput, Withdrawal]
	Commit   *ops.Def[ops.None, SeedCommit]
	Reveal   *ops.Def[ByID, seeds.Revealed]
	Rotate   *ops.Def[ops.None, Rotation]

	SIWENonce  *ops.Def[ops.None, string]
	SIWEVerify *ops.Def[account.SIWESignIn, account.Session]
	SIWEMe     *ops.Def[Token, SIWEMe]
	SIWELogout *ops.Def[Token, ops.None]

	// The wallet owner's dashboard (ops.Session: the siwe-session cookie).
	DashBets             *ops.Def[BetQuery, BetPage]
	DashWithdrawals      *ops.Def[PageQuery, WithdrawalPage]
	DashWithdraw         *ops.Def[WithdrawInput, Withdrawal]
	DashSummary          *ops.Def[ops.None, Summary]
	DashNotifications    *ops.Def[ops.None, Notifications]
	DashSetNotifications *ops.Def[NotificationsInput, Notifications]
}

// Token is a siwe-session cookie's value.
type Token struct{ Token string }

// SIWEMe is the current SIWE session, if any.
type SIWEMe struct {
	Authenticated bool
	Address       string
	ExpiresAt     time.Time
}

// ByID names one object.
type ByID struct{ ID string }

// WithdrawInput is the amount to withdraw in micro-USDC.
type WithdrawInput struct{ AmountMicro int64 }

// Games is the free game manifest: pay tables, stake tiers and prices.
type Games struct {
	Tables casino.PayTables
	Stakes []casino.Stake
	Prices []casino.Price
}

// Rotation is the retired seed, revealed, and the new active seed.
type Rotation struct {
	Retired seeds.Revealed
	Active  SeedCommit
}

// fixed is the price of a fixed-price item.
func fixed[In any](item casino.Item) func(In) (int64, error) {
	return func(In) (int64, error) {
		m, ok := casino.PriceOf(item)
		if !ok {
			return 0, errs.Invalid("item", "no price for %s", item)
		}
		return m, nil
	}
}

// Declare adds spec 001's operations to r.
func (s *Service) Declare(r *ops.Registry) *Ops {
	o := &Ops{}
	none := []errs.Kind{}
	o.Manifest = ops.Add(r, &ops.Def[ops.None, Manifest]{D: ops.Desc{Name: "v1.manifest", Access: ops.Payer,
		Summary: "The agent-facing discovery manifest: games, prices, network, asset and pay-to address (paid, $0.01).", Errors: none},
		Price: fixed[ops.None](casino.ItemManifest),
		Run:   func(ctx context.Context, c ops.Caller, _ ops.None) (Manifest, error) { return s.Manifest(ctx, c) }})
	o.Games = ops.Add(r, &ops.Def[ops.None, Games]{D: ops.Desc{Name: "v1.games", Access: ops.Public,
		Summary: "The games with their rules, payouts and return to player, the stake tiers and the price table (free).", Errors: none},
		Run: func(context.Context, ops.Caller, ops.None) (Games, error) {
			return Games{Tables: casino.Games(), Stakes: casino.Stakes(), Prices: casino.Prices()}, nil
		}})
	o.Play = ops.Add(r, &ops.Def[Play, Bet]{D: ops.Desc{Name: "v1.play", Access: ops.Payer, MovesMoney: true,
		Summary: "Play one provably-fair bet, paid with x402 at its stake ($0.10 / $1.00 / $10.00); the payout goes to your in-house USDC balance.",
		Errors:  []errs.Kind{errs.Conflict}},
		Price: func(in Play) (int64, error) {
			st, err := casino.ParseStake(string(in.Stake))
			if err != nil {
				return 0, Invalid(err)
			}
			return st.Micro(), nil
		},
		Run: func(ctx context.Context, c ops.Caller, in Play) (Bet, error) { return s.Play(ctx, c, in) }})
	o.Bet = ops.Add(r, &ops.Def[ByID, Bet]{D: ops.Desc{Name: "v1.bets.get", Access: ops.Payer,
		Summary: "One of your bets with its status and verification data (paid, $0.01).", Errors: []errs.Kind{errs.NotFound, errs.Forbidden}},
		Price: fixed[ByID](casino.ItemBetStatus),
		Run:   func(ctx context.Context, c ops.Caller, in ByID) (Bet, error) { return s.Get(ctx, c, in.ID) }})
	o.Balance = ops.Add(r, &ops.Def[ops.None, Balance]{D: ops.Desc{Name: "v1.balance", Access: ops.Payer,
		Summary: "Your in-house USDC balance (paid, $0.01).", Errors: none},
		Price: fixed[ops.None](casino.ItemBalance),
		Run:   func(ctx context.Context, c ops.Caller, _ ops.None) (Balance, error) { return s.Balance(ctx, c) }})
	o.Withdraw = ops.Add(r, &ops.Def[WithdrawInput, Withdrawal]{D: ops.Desc{Name: "v1.withdraw", Access: ops.Payer, MovesMoney: true,
		Summary: "Withdraw in-house USDC to the payer address, the only destination (fee $0.05).",
		Errors:  []errs.Kind{errs.InsufficientBalance, errs.Unavailable}},
		Price: fixed[WithdrawInput](casino.ItemWithdrawFee),
		Run: func(ctx context.Context, c ops.Caller, in WithdrawInput) (Withdrawal, error) {
			return s.Withdraw(ctx, c, in.AmountMicro)
		}})
	o.Commit = ops.Add(r, &ops.Def[ops.None, SeedCommit]{D: ops.Desc{Name: "v1.seed.commit", Access: ops.Public,
		Summary: "The active server seed's SHA-256 commitment: snapshot it before betting (free).", Errors: none},
		Run: func(ctx context.Context, _ ops.Caller, _ ops.None) (SeedCommit, error) { return s.Commit(ctx) }})
	o.Reveal = ops.Add(r, &ops.Def[ByID, seeds.Revealed]{D: ops.Desc{Name: "v1.seed.reveal", Access: ops.Public,
		Summary: "Reveal a rotated server seed; the active one is locked (423).", Errors: []errs.Kind{errs.NotFound, errs.Locked}},
		Run: func(ctx context.Context, _ ops.Caller, in ByID) (seeds.Revealed, error) { return s.Reveal(ctx, in.ID) }})
	o.Rotate = ops.Add(r, &ops.Def[ops.None, Rotation]{D: ops.Desc{Name: "v1.seed.rotate", Access: ops.Platform,
		Summary: "Platform only: rotate the /api/v1 server seed (the retired one becomes revealable).", Errors: none},
		Run: func(ctx context.Context, _ ops.Caller, _ ops.None) (Rotation, error) {
			rv, next, err := s.Rotate(ctx)
			return Rotation{rv, next}, err
		}})
	o.SIWENonce = ops.Add(r, &ops.Def[ops.None, string]{D: ops.Desc{Name: "auth.siwe.nonce", Access: ops.Public,
		Summary: "Issue a single-use Sign-In With Ethereum nonce (valid ten minutes).", Errors: none},
		Run: func(ctx context.Context, _ ops.Caller, _ ops.None) (string, error) { return s.Accounts.SIWENonce(ctx) }})
	o.SIWEVerify = ops.Add(r, &ops.Def[account.SIWESignIn, account.Session]{D: ops.Desc{Name: "auth.siwe.verify", Access: ops.Public,
		Summary: "Verify an EIP-4361 message and its signature; the wallet's account gets a seven-day session.",
		Errors:  []errs.Kind{errs.Unauthorized, errs.Forbidden}},
		Run: func(ctx context.Context, _ ops.Caller, in account.SIWESignIn) (account.Session, error) {
			return s.Accounts.SignInWithEthereum(ctx, in, s.Blocked)
		}})
	o.SIWEMe = ops.Add(r, &ops.Def[Token, SIWEMe]{D: ops.Desc{Name: "auth.siwe.me", Access: ops.Public,
		Summary: "The current SIWE session, or authenticated: false.", Errors: none},
		Run: func(ctx context.Context, _ ops.Caller, in Token) (SIWEMe, error) {
			ses, err := s.Accounts.SIWESession(ctx, in.Token)
			if errs.KindOf(err) == errs.Unauthorized {
				return SIWEMe{}, nil
			}
			return SIWEMe{Authenticated: err == nil, Address: ses.Address, ExpiresAt: ses.ExpiresAt}, err
		}})
	o.SIWELogout = ops.Add(r, &ops.Def[Token, ops.None]{D: ops.Desc{Name: "auth.siwe.logout", Access: ops.Public,
		Summary: "End the SIWE session.", Errors: none},
		Run: func(ctx context.Context, _ ops.Caller, in Token) (ops.None, error) {
			return ops.None{}, s.Accounts.SIWELogout(ctx, in.Token)
		}})
	s.declareDashboard(r, o)
	return o
}

func (s *Service) declareDashboard(r *ops.Registry, o *Ops) {
	o.DashBets = ops.Add(r, &ops.Def[BetQuery, BetPage]{D: ops.Desc{Name: "v1.dashboard.bets", Access: ops.Session,
		Summary: "Your bets, newest first, filtered by game, status, result and time, a page at a time.", Errors: []errs.Kind{}},
		Run: s.DashboardBets})
	o.DashWithdrawals = ops.Add(r, &ops.Def[PageQuery, WithdrawalPage]{D: ops.Desc{Name: "v1.dashboard.withdrawals", Access: ops.Session,
		Summary: "Your withdrawals, newest first, a page at a time.", Errors: []errs.Kind{}},
		Run: s.DashboardWithdrawals})
	o.DashWithdraw = ops.Add(r, &ops.Def[WithdrawInput, Withdrawal]{D: ops.Desc{Name: "v1.dashboard.withdraw", Access: ops.Session, MovesMoney: true,
		Summary: "Withdraw in-house USDC to your signed-in wallet, the only destination; no fee for the session owner.",
		Errors:  []errs.Kind{errs.InsufficientBalance, errs.Unavailable}},
		Run: func(ctx context.Context, c ops.Caller, in WithdrawInput) (Withdrawal, error) {
			return s.DashboardWithdraw(ctx, c, in.AmountMicro)
		}})
	o.DashSummary = ops.Add(r, &ops.Def[ops.None, Summary]{D: ops.Desc{Name: "v1.dashboard.summary", Access: ops.Session,
		Summary: "Your balance, lifetime profit and loss, and win rate.", Errors: []errs.Kind{}},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (Summary, error) {
			return s.DashboardSummary(ctx, c)
		}})
	o.DashNotifications = ops.Add(r, &ops.Def[ops.None, Notifications]{D: ops.Desc{Name: "v1.dashboard.notifications.get", Access: ops.Session,
		Summary: "Your email notification preferences.", Errors: []errs.Kind{}},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (Notifications, error) {
			return s.DashboardNotifications(ctx, c)
		}})
	o.DashSetNotifications = ops.Add(r, &ops.Def[NotificationsInput, Notifications]{D: ops.Desc{Name: "v1.dashboard.notifications.set", Access: ops.Session,
		Summary: "Set your notification email and events; a new address is mailed a verification code, which the same call with code confirms.",
		Errors:  []errs.Kind{errs.Unavailable}},
		Run: s.DashboardSetNotifications})
}
