package credits

import (
	"context"
	"fmt"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/cardpay"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/feed"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
)

// Ops are spec 000's operations, declared once in the registry. Bindings (the /api surface, the
// tools endpoint, MCP) hold this value and call the typed operations through Invoke.
type Ops struct {
	Guest, Agent       *ops.Def[AgentSignUp, SignUp]
	Me                 *ops.Def[ops.None, Profile]
	RegenerateKey      *ops.Def[ops.None, account.Key]
	BindWallet         *ops.Def[account.WalletBinding, account.Account]
	Claim              *ops.Def[ops.None, FaucetClaim]
	Balance            *ops.Def[ops.None, Balance]
	Play               *ops.Def[DicePlay, Round]
	Seed               *ops.Def[ops.None, SeedState]
	SetClientSeed      *ops.Def[ClientSeedInput, SeedState]
	Rounds             *ops.Def[RoundsQuery, RoundPage]
	Round              *ops.Def[RoundGet, RoundView]
	Transactions       *ops.Def[TxQuery, []Entry]
	Stats              *ops.Def[StatsQuery, Stats]
	Withdraw           *ops.Def[WithdrawalRequest, Withdrawal]
	Withdrawals        *ops.Def[WithdrawalsQuery, []Withdrawal]
	Withdrawal         *ops.Def[ByID, Withdrawal]
	AdminWithdrawals   *ops.Def[WithdrawalsQuery, []Withdrawal]
	Decide             *ops.Def[Decision, Withdrawal]
	Strategies         *ops.Def[GameFilter, []Saved]
	Strategy           *ops.Def[ByID, Saved]
	CreateStrategy     *ops.Def[NewStrategy, Saved]
	UpdateStrategy     *ops.Def[StrategyPatch, Saved]
	DeleteStrategy     *ops.Def[ByID, ByID]
	AdvancedStrategies *ops.Def[ops.None, []Saved]
	AdvancedStrategy   *ops.Def[ByID, Saved]
	SaveAdvanced       *ops.Def[SaveAdvanced, Saved]
	DeleteAdvanced     *ops.Def[ByID, ByID]
	Simulate           *ops.Def[SimulateInput, Simulation]
	Run                *ops.Def[RunInput, RunResult]
	RunStatus          *ops.Def[ByID, RunSummary]
	Discovery          *ops.Def[DiscoveryQuery, strategy.DiscoveryDoc]
	Odds               *ops.Def[OddsInput, Odds]
	Limits             *ops.Def[ops.None, Limits]
	Packages           *ops.Def[ops.None, []cardpay.Package]
	Checkout           *ops.Def[ByID, cardpay.Checkout]
	Webhook            *ops.Def[Webhook, ops.None]
	LiveFeed           *ops.Def[ops.None, *feed.Sub[Event]]
	RecoveryLink       *ops.Def[ops.None, account.RecoveryLink]
	Recover            *ops.Def[RecoverInput, SignUp]
}

// RecoverInput is a recovery link's token.
type RecoverInput struct{ Token string }

// AgentSignUp names a new agent (optional).
type AgentSignUp struct{ Name string }

// ClientSeedInput is the player's new client seed.
type ClientSeedInput struct{ ClientSeed string }

// RoundGet asks for one round, optionally revealing its seed.
type RoundGet struct {
	ID     string
	Reveal bool
}

// ByID names one object of the caller's.
type ByID struct{ ID string }

// GameFilter narrows a listing to one game ("" for all).
type GameFilter struct{ Game string }

// DiscoveryQuery asks for the whole discovery document or one section.
type DiscoveryQuery struct{ Section string }

// Webhook is a Stripe delivery: the raw body and its signature header.
type Webhook struct {
	Payload   []byte
	Signature string
}

// Limits are what the server enforces, published so agents can plan (GET /api/discovery's
// platform section, the get_limits tool, the agent guide).
type Limits struct {
	MinBet, MaxBet      money.Amount
	MinWithdrawal       money.Amount
	FaucetAmount        money.Amount
	FaucetCooldown      time.Duration
	MaxRunRounds        int64
	MaxSimRounds        int64
	MaxSimSessions      int64
	PerKeyPerSecond     float64 // 0: off
	PerKeyBurst         int
	SignUpsPerMinute    float64 // per client address; 0: off
	ToolCallsPerMinute  int     // per tool, without an agent_token
	AgentCallsPerMinute int     // per tool, with an agent_token
}

// Declare adds spec 000's operations to r.
func (s *Service) Declare(r *ops.Registry, card *cardpay.Service, limits func() Limits) *Ops {
	o := &Ops{}
	me := func(c ops.Caller) string { return c.ID() }
	none := []errs.Kind{}
	nf := []errs.Kind{errs.NotFound}
	o.Guest = ops.Add(r, &ops.Def[AgentSignUp, SignUp]{D: ops.Desc{Name: "account.guest", Access: ops.Public, MovesMoney: false,
		Summary: "Create a guest account and its API key (returned once).", Errors: []errs.Kind{errs.RateLimited}},
		Run: func(ctx context.Context, c ops.Caller, _ AgentSignUp) (SignUp, error) {
			if err := s.allowSignUp(c.Addr); err != nil {
				return SignUp{}, err
			}
			return s.SignUpGuest(ctx)
		}})
	o.Agent = ops.Add(r, &ops.Def[AgentSignUp, SignUp]{D: ops.Desc{Name: "account.agent", Access: ops.Public, MovesMoney: true,
		Summary: "Register an AI agent: a new account, its API key (returned once) and 100 starting credits.",
		Errors:  []errs.Kind{errs.Conflict, errs.RateLimited}},
		Run: func(ctx context.Context, c ops.Caller, in AgentSignUp) (SignUp, error) {
			if err := s.allowSignUp(c.Addr); err != nil {
				return SignUp{}, err
			}
			return s.RegisterAgent(ctx, in.Name)
		}})
	o.Me = ops.Add(r, &ops.Def[ops.None, Profile]{D: ops.Desc{Name: "account.me", Access: ops.Player,
		Summary: "The current account: id, name, credits, USDC and key prefix.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (Profile, error) { return s.Me(ctx, c.Account) }})
	o.RegenerateKey = ops.Add(r, &ops.Def[ops.None, account.Key]{D: ops.Desc{Name: "account.key.regenerate", Access: ops.Player,
		Summary: "Generate a new API key (returned once); the previous key stops working at once.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (account.Key, error) {
			return s.RegenerateKey(ctx, c.Account)
		}})
	o.BindWallet = ops.Add(r, &ops.Def[account.WalletBinding, account.Account]{D: ops.Desc{Name: "account.wallet.bind", Access: ops.Player,
		Summary: "Bind a wallet to this account with its signature (an EIP-4361 message stating the account), so the wallet's x402 payments, " +
			"SIWE sessions and USDC are this account's.", Errors: []errs.Kind{errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, in account.WalletBinding) (account.Account, error) {
			return s.Accounts.BindWallet(ctx, c.Account, in)
		}})
	o.Claim = ops.Add(r, &ops.Def[ops.None, FaucetClaim]{D: ops.Desc{Name: "credits.faucet.claim", Access: ops.Player, MovesMoney: true,
		Summary: "Claim hourly Free Credits (100 credits, one claim per hour).", Errors: []errs.Kind{errs.RateLimited, errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (FaucetClaim, error) {
			return s.Claim(ctx, me(c), c.IdempotencyKey)
		}})
	o.Balance = ops.Add(r, &ops.Def[ops.None, Balance]{D: ops.Desc{Name: "credits.balance", Access: ops.Player,
		Summary: "Balance in credits, the withdrawable part and what is held for withdrawals.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (Balance, error) { return s.Balance(ctx, me(c)) }})
	o.Play = ops.Add(r, &ops.Def[DicePlay, Round]{D: ops.Desc{Name: "credits.dice.play", Access: ops.Player, MovesMoney: true,
		Summary: "Play one provably-fair dice round: amount 1–10000 credits, target 0–99.99, over or under.",
		Errors:  []errs.Kind{errs.InsufficientBalance, errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, in DicePlay) (Round, error) {
			return s.Play(ctx, me(c), c.IdempotencyKey, in)
		}})
	o.Seed = ops.Add(r, &ops.Def[ops.None, SeedState]{D: ops.Desc{Name: "credits.seed.get", Access: ops.Player,
		Summary: "Your active server seed's commitment, your client seed, the next nonce and the next seed's commitment, readable before any bet.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (SeedState, error) { return s.Seed(ctx, me(c)) }})
	o.SetClientSeed = ops.Add(r, &ops.Def[ClientSeedInput, SeedState]{D: ops.Desc{Name: "credits.seed.set", Access: ops.Player,
		Summary: "Set your client seed: the active server seed is retired and revealed, and the next seed (committed before you chose) becomes active with your client seed.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, in ClientSeedInput) (SeedState, error) {
			return s.SetClientSeed(ctx, me(c), in.ClientSeed)
		}})
	o.Rounds = ops.Add(r, &ops.Def[RoundsQuery, RoundPage]{D: ops.Desc{Name: "credits.rounds.list", Access: ops.Player,
		Summary: "Your rounds, newest first.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, in RoundsQuery) (RoundPage, error) {
			return s.Rounds(ctx, me(c), in)
		}})
	o.Round = ops.Add(r, &ops.Def[RoundGet, RoundView]{D: ops.Desc{Name: "credits.rounds.get", Access: ops.Player,
		Summary: "One round with everything needed to recompute it; reveal rotates your seed if it is still active and reveals the seed that served the round.", Errors: nf},
		Run: func(ctx context.Context, c ops.Caller, in RoundGet) (RoundView, error) {
			return s.Round(ctx, me(c), in.ID, in.Reveal)
		}})
	o.Transactions = ops.Add(r, &ops.Def[TxQuery, []Entry]{D: ops.Desc{Name: "credits.transactions", Access: ops.Player,
		Summary: "Credit history: rounds, Free Credits and withdrawals, newest first.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, in TxQuery) ([]Entry, error) {
			return s.Transactions(ctx, me(c), in)
		}})
	o.Stats = ops.Add(r, &ops.Def[StatsQuery, Stats]{D: ops.Desc{Name: "credits.stats", Access: ops.Player,
		Summary: "Balance, all-time totals, recent rounds, streaks and alerts in one call.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, in StatsQuery) (Stats, error) { return s.Stats(ctx, me(c), in) }})
	o.Withdraw = ops.Add(r, &ops.Def[WithdrawalRequest, Withdrawal]{D: ops.Desc{Name: "credits.withdraw", Access: ops.Player, MovesMoney: true,
		Summary: "Request a withdrawal (minimum 10,000 credits; Free Credits are not withdrawable); held until an operator decides.",
		Errors:  []errs.Kind{errs.InsufficientBalance, errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, in WithdrawalRequest) (Withdrawal, error) {
			return s.Withdraw(ctx, me(c), c.IdempotencyKey, in)
		}})
	o.Withdrawals = ops.Add(r, &ops.Def[WithdrawalsQuery, []Withdrawal]{D: ops.Desc{Name: "credits.withdrawals.list", Access: ops.Player,
		Summary: "Your withdrawals and their status.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, in WithdrawalsQuery) ([]Withdrawal, error) {
			in.Account, in.Status = me(c), ""
			return s.Withdrawals(ctx, in)
		}})
	o.Withdrawal = ops.Add(r, &ops.Def[ByID, Withdrawal]{D: ops.Desc{Name: "credits.withdrawals.get", Access: ops.Player,
		Summary: "One of your withdrawals.", Errors: nf},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (Withdrawal, error) {
			return s.Withdrawal(ctx, me(c), in.ID)
		}})
	o.AdminWithdrawals = ops.Add(r, &ops.Def[WithdrawalsQuery, []Withdrawal]{D: ops.Desc{Name: "admin.withdrawals.list", Access: ops.Platform,
		Summary: "Platform only: withdrawals by status (default pending).", Errors: none},
		Run: func(ctx context.Context, _ ops.Caller, in WithdrawalsQuery) ([]Withdrawal, error) {
			in.Account = ""
			if in.Status == "" {
				in.Status = WithdrawalPending
			}
			return s.Withdrawals(ctx, in)
		}})
	o.Decide = ops.Add(r, &ops.Def[Decision, Withdrawal]{D: ops.Desc{Name: "admin.withdrawals.decide", Access: ops.Platform, MovesMoney: true,
		Summary: "Platform only: approve or reject a pending withdrawal (money moves once).", Errors: []errs.Kind{errs.NotFound, errs.Conflict}},
		Run: func(ctx context.Context, _ ops.Caller, in Decision) (Withdrawal, error) { return s.Decide(ctx, in) }})
	o.Strategies = ops.Add(r, &ops.Def[GameFilter, []Saved]{D: ops.Desc{Name: "credits.strategies.list", Access: ops.Player,
		Summary: "Your basic strategies.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, in GameFilter) ([]Saved, error) {
			return s.Strategies(ctx, me(c), in.Game)
		}})
	o.Strategy = ops.Add(r, &ops.Def[ByID, Saved]{D: ops.Desc{Name: "credits.strategies.get", Access: ops.Player,
		Summary: "One of your basic strategies.", Errors: nf},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (Saved, error) { return s.Strategy(ctx, me(c), in.ID) }})
	o.CreateStrategy = ops.Add(r, &ops.Def[NewStrategy, Saved]{D: ops.Desc{Name: "credits.strategies.create", Access: ops.Player,
		Summary: "Create a basic strategy {gameType, name, config}.", Errors: []errs.Kind{errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, in NewStrategy) (Saved, error) {
			return s.CreateStrategy(ctx, me(c), in)
		}})
	o.UpdateStrategy = ops.Add(r, &ops.Def[StrategyPatch, Saved]{D: ops.Desc{Name: "credits.strategies.update", Access: ops.Player,
		Summary: "Update a basic strategy's name and/or config.", Errors: []errs.Kind{errs.NotFound, errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, in StrategyPatch) (Saved, error) {
			return s.UpdateStrategy(ctx, me(c), in)
		}})
	o.DeleteStrategy = ops.Add(r, &ops.Def[ByID, ByID]{D: ops.Desc{Name: "credits.strategies.delete", Access: ops.Player,
		Summary: "Delete a basic strategy.", Errors: nf},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (ByID, error) {
			return in, s.DeleteStrategy(ctx, me(c), in.ID)
		}})
	o.AdvancedStrategies = ops.Add(r, &ops.Def[ops.None, []Saved]{D: ops.Desc{Name: "credits.advanced.list", Access: ops.Player,
		Summary: "Your advanced (rule-based) strategies.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) ([]Saved, error) {
			return s.AdvancedStrategies(ctx, me(c))
		}})
	o.AdvancedStrategy = ops.Add(r, &ops.Def[ByID, Saved]{D: ops.Desc{Name: "credits.advanced.get", Access: ops.Player,
		Summary: "One of your advanced strategies.", Errors: nf},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (Saved, error) {
			return s.AdvancedStrategy(ctx, me(c), in.ID)
		}})
	o.SaveAdvanced = ops.Add(r, &ops.Def[SaveAdvanced, Saved]{D: ops.Desc{Name: "credits.advanced.save", Access: ops.Player,
		Summary: "Create or replace an advanced strategy; duplicate names are a conflict.", Errors: []errs.Kind{errs.NotFound, errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, in SaveAdvanced) (Saved, error) {
			return s.SaveAdvanced(ctx, me(c), in)
		}})
	o.DeleteAdvanced = ops.Add(r, &ops.Def[ByID, ByID]{D: ops.Desc{Name: "credits.advanced.delete", Access: ops.Player,
		Summary: "Delete an advanced strategy.", Errors: nf},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (ByID, error) {
			return in, s.DeleteAdvanced(ctx, me(c), in.ID)
		}})
	o.Simulate = ops.Add(r, &ops.Def[SimulateInput, Simulation]{D: ops.Desc{Name: "credits.advanced.simulate", Access: ops.Player, Heavy: true,
		Summary: "Simulate an advanced strategy (no money moves).", Errors: []errs.Kind{errs.NotFound, errs.Unavailable}},
		Run: func(ctx context.Context, c ops.Caller, in SimulateInput) (Simulation, error) {
			return s.Simulate(ctx, me(c), in)
		}})
	o.Run = ops.Add(r, &ops.Def[RunInput, RunResult]{D: ops.Desc{Name: "credits.run", Access: ops.Player, MovesMoney: true, Heavy: true,
		Summary: "Run a basic or advanced strategy for real; every round is stored and verifiable.",
		Errors:  []errs.Kind{errs.NotFound, errs.Conflict, errs.Unavailable}},
		Run: func(ctx context.Context, c ops.Caller, in RunInput) (RunResult, error) {
			return s.Run(ctx, me(c), c.IdempotencyKey, in)
		}})
	o.RunStatus = ops.Add(r, &ops.Def[ByID, RunSummary]{D: ops.Desc{Name: "credits.run.status", Access: ops.Player,
		Summary: "A strategy run's (session's) final figures.", Errors: nf},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (RunSummary, error) {
			return s.RunStatus(ctx, me(c), in.ID)
		}})
	o.Discovery = ops.Add(r, &ops.Def[DiscoveryQuery, strategy.DiscoveryDoc]{D: ops.Desc{Name: "credits.discovery", Access: ops.Public,
		Summary: "Strategy-builder schema: triggers, actions, limits, presets, game mechanics, platform limits.", Errors: none},
		Run: func(_ context.Context, _ ops.Caller, in DiscoveryQuery) (strategy.DiscoveryDoc, error) {
			doc := strategy.Discovery()
			l := limits()
			doc.Platform.RateLimits = map[string]any{
				"perApiKey":         map[string]any{"perSecond": l.PerKeyPerSecond, "burst": l.PerKeyBurst, "off": l.PerKeyPerSecond <= 0},
				"signUpsPerAddress": map[string]any{"perMinute": l.SignUpsPerMinute, "off": l.SignUpsPerMinute <= 0},
				"toolsPerMinute":    map[string]any{"perTool": l.ToolCallsPerMinute, "perToolWithAgentToken": l.AgentCallsPerMinute},
				"onLimit":           "429 RATE_LIMITED with a Retry-After header (seconds)",
			}
			if in.Section == "" || in.Section == "all" {
				return doc, nil
			}
			part, ok := doc.Section(in.Section)
			if !ok {
				return doc, errs.Invalid("section", "must be strategy_builder, game_mechanics, platform or all")
			}
			return part, nil
		}})
	o.Odds = ops.Add(r, &ops.Def[OddsInput, Odds]{D: ops.Desc{Name: "credits.dice.odds", Access: ops.Public,
		Summary: "Win probability, multiplier, payout and expected value of a dice bet (nothing is played).", Errors: none},
		Run: func(_ context.Context, _ ops.Caller, in OddsInput) (Odds, error) { return CalculateOdds(in) }})
	o.Limits = ops.Add(r, &ops.Def[ops.None, Limits]{D: ops.Desc{Name: "credits.limits", Access: ops.Public,
		Summary: "The limits this server enforces: stakes, withdrawals, Free Credits, runs, simulations, rate limits.", Errors: none},
		Run: func(context.Context, ops.Caller, ops.None) (Limits, error) { return limits(), nil }})
	o.Packages = ops.Add(r, &ops.Def[ops.None, []cardpay.Package]{D: ops.Desc{Name: "credits.packages", Access: ops.Public,
		Summary: "Credit packages for sale by card.", Errors: none},
		Run: func(context.Context, ops.Caller, ops.None) ([]cardpay.Package, error) { return cardpay.Packages(), nil }})
	o.Checkout = ops.Add(r, &ops.Def[ByID, cardpay.Checkout]{D: ops.Desc{Name: "credits.checkout", Access: ops.Player,
		Summary: "Start buying a credit package by card: a Stripe Checkout URL to send the buyer to.",
		Errors:  []errs.Kind{errs.NotFound, errs.Unavailable}},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (cardpay.Checkout, error) {
			if in.ID == "" {
				return cardpay.Checkout{}, errs.Missing("packageId")
			}
			return card.CreateCheckout(ctx, me(c), in.ID)
		}})
	o.Webhook = ops.Add(r, &ops.Def[Webhook, ops.None]{D: ops.Desc{Name: "credits.checkout.webhook", Access: ops.Public, MovesMoney: true,
		Summary: "Stripe's webhook: verifies the signature and credits each paid checkout once.",
		Errors:  []errs.Kind{errs.Conflict, errs.Unavailable}},
		Run: func(ctx context.Context, _ ops.Caller, in Webhook) (ops.None, error) {
			return ops.None{}, card.HandleWebhook(ctx, in.Payload, in.Signature)
		}})
	o.LiveFeed = ops.Add(r, &ops.Def[ops.None, *feed.Sub[Event]]{D: ops.Desc{Name: "credits.feed", Access: ops.Player,
		Summary: "Follow your rounds, Free Credits, strategy runs and balance alerts as they happen (a stream).", Errors: []errs.Kind{errs.Unavailable}},
		Run: func(_ context.Context, c ops.Caller, _ ops.None) (*feed.Sub[Event], error) { return s.Subscribe(me(c)) }})
	o.RecoveryLink = ops.Add(r, &ops.Def[ops.None, account.RecoveryLink]{D: ops.Desc{Name: "account.recovery.link", Access: ops.Player,
		Summary: "A short-lived, single-use link that gets this account a new API key if the key is lost.", Errors: none},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (account.RecoveryLink, error) {
			return s.Accounts.NewRecoveryLink(ctx, me(c))
		}})
	o.Recover = ops.Add(r, &ops.Def[RecoverInput, SignUp]{D: ops.Desc{Name: "account.recovery.use", Access: ops.Public,
		Summary: "Spend a recovery link: the account's keys are replaced by a new one (shown once).", Errors: []errs.Kind{errs.Unauthorized}},
		Run: func(ctx context.Context, _ ops.Caller, in RecoverInput) (SignUp, error) {
			a, k, err := s.Accounts.Recover(ctx, in.Token, account.PrefixCredits)
			return SignUp{Account: a, Key: k}, err
		}})
	return o
}

// OddsInput is a dice bet to price: target in hundredths, side and amount.
type OddsInput struct {
	Target int
	Over   bool
	Amount money.Amount
}

// Odds prices a dice bet with the same rules a round uses.
type Odds struct {
	WinningRolls int          // of 10000
	Multiplier   money.Amount // 0.97 / probability, to the micro-unit (display)
	Payout       money.Amount // what Amount would pay on a win
	Expected     money.Amount // expected profit, rounded toward zero
}

// CalculateOdds prices in (the odds tools and guides use it; rounds use the same functions).
func CalculateOdds(in OddsInput) (Odds, error) {
	if in.Target < 0 || in.Target >= fairness.CreditDiceRolls {
		return Odds{}, errs.Invalid("target", "must be from 0 to 99.99")
	}
	w := fairness.CreditDiceWinningRolls(in.Target, in.Over)
	if w == 0 {
		return Odds{}, errs.Invalid("target", "under 0 can never win; choose a target above 0")
	}
	if in.Amount <= 0 {
		return Odds{}, errs.Invalid("amount", "must be a positive number of credits")
	}
	p, err := fairness.CreditDicePayout(int64(in.Amount), in.Target, in.Over)
	if err != nil {
		return Odds{}, errs.Invalid("amount", "is too large")
	}
	m, err := fairness.CreditDicePayout(int64(money.Micro), in.Target, in.Over)
	if err != nil {
		return Odds{}, fmt.Errorf("credits: odds: %w", err)
	}
	return Odds{WinningRolls: w, Multiplier: money.Amount(m), Payout: money.Amount(p),
		Expected: money.Amount(p*int64(w)/int64(fairness.CreditDiceRolls)) - in.Amount}, nil
}
