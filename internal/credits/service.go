package credits

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/feed"
	"github.com/arcadehq/arcade/internal/idem"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ratelimit"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
)

// Service runs spec 000's operations. Each method opens its own transaction, applies the rules
// and, for money-moving operations, records the idempotency key in the same transaction; the
// surfaces only translate their wire formats to these inputs and back.
type Service struct {
	DB       *store.DB
	Accounts *account.Service
	Seeds    seeds.Engine
	Now      func() time.Time
	Rand     io.Reader
	Log      *slog.Logger
	// SignUps limits account creation per client address (nil: no limit).
	SignUps *ratelimit.Limiter
	// Feed receives each account's events after they commit (nil: none).
	Feed *feed.Bus[Event]
	// RunChunk is how many session steps one write of a strategy run plays (0: DefaultRunChunk).
	RunChunk int

	afterChunk func(chunks int) error // tests: called before each chunk after the first
}

// Event is one line of an account's live feed: a round, a Free Credits claim, a strategy run, or
// an alert that the balance ran out.
type Event struct {
	Kind  string // "bet", "faucet", "run", "deposit_alert"
	Round *Round
	Claim *FaucetClaim
	Run   *RunResult
}

func (s *Service) publish(id string, ev Event) {
	if s.Feed != nil {
		s.Feed.Publish(id, ev)
	}
}

// Subscribe follows the caller's live feed until the subscription is closed.
func (s *Service) Subscribe(id string) (*feed.Sub[Event], error) {
	if s.Feed == nil {
		return nil, errs.Unavailablef("the live feed is not enabled on this server")
	}
	return s.Feed.Subscribe(id), nil
}

// allowSignUp applies the per-address sign-up limit.
func (s *Service) allowSignUp(addr string) error {
	if ok, wait := s.SignUps.Allow(addr, s.Now()); !ok {
		return errs.Limited("RATE_LIMITED", "too many sign-ups from this address; retry later", wait)
	}
	return nil
}

func (s *Service) read(ctx context.Context, fn func(ctx context.Context, q store.Q) error) error {
	return s.DB.Read(ctx, fn)
}

// SignUp is a new account with its key (shown once) and its starting credits.
type SignUp struct {
	Account account.Account
	Key     account.Key
	Credits money.Amount
}

// SignUpGuest creates a guest account and its first key.
func (s *Service) SignUpGuest(ctx context.Context) (SignUp, error) {
	a, k, err := s.Accounts.SignUp(ctx, account.New{Kind: account.Guest}, account.PrefixCredits)
	return SignUp{Account: a, Key: k}, err
}

// MaxAgentName bounds an agent's name.
const MaxAgentName = 64

// RegisterAgent creates an agent account, its key and its sign-up credits in one transaction.
func (s *Service) RegisterAgent(ctx context.Context, name string) (SignUp, error) {
	if len(name) > MaxAgentName {
		return SignUp{}, errs.Invalid("name", "must be at most %d characters", MaxAgentName)
	}
	var out SignUp
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
		now := store.Now(ctx)
		if out.Account, err = account.Create(ctx, q, now, account.New{Kind: account.Agent, Name: name}); err != nil {
			return err
		}
		if out.Key, err = account.IssueKey(ctx, q, now, s.Rand, out.Account.ID, account.PrefixCredits); err != nil {
			return err
		}
		out.Credits, err = GrantSignUpCredits(ctx, q, now, out.Account.ID)
		return err
	})
	out.Account.KeyPrefix = out.Key.Prefix
	return out, err
}

// Profile is an account with its holdings of both assets.
type Profile struct {
	Account account.Account
	Credits ledger.Holdings
	USDC    ledger.Holdings
}

// Me reads the caller's profile.
func (s *Service) Me(ctx context.Context, me account.Account) (Profile, error) {
	p := Profile{Account: me}
	err := s.read(ctx, func(ctx context.Context, q store.Q) (err error) {
		if p.Credits, err = ledger.HoldingsOf(ctx, q, me.ID, money.Credit); err != nil {
			return err
		}
		p.USDC, err = ledger.HoldingsOf(ctx, q, me.ID, money.USDC)
		return err
	})
	return p, err
}

// RegenerateKey replaces the caller's keys; the old one fails at once.
func (s *Service) RegenerateKey(ctx context.Context, me account.Account) (account.Key, error) {
	return s.Accounts.Regenerate(ctx, me.ID, account.PrefixCredits)
}

// Balance is the caller's credits: what is available, what is held for withdrawals, and how much
// of it the faucet gave (play money, never withdrawable).
type Balance struct {
	Available     money.Amount
	Pending       money.Amount
	FaucetGranted money.Amount
}

// Withdrawable is the part of the balance that may be cashed out.
func (b Balance) Withdrawable() money.Amount { return Withdrawable(b.Available, b.FaucetGranted) }

// FaucetPart is how much of the balance is play money.
func (b Balance) FaucetPart() money.Amount { return min(b.Available, b.FaucetGranted) }

func balanceOf(ctx context.Context, q store.Q, id string) (Balance, error) {
	h, err := ledger.HoldingsOf(ctx, q, id, money.Credit)
	if err != nil {
		return Balance{}, err
	}
	granted, err := FaucetGranted(ctx, q, id)
	if err != nil {
		return Balance{}, err
	}
	return Balance{Available: h.Available, Pending: h.Pending, FaucetGranted: granted}, nil
}

// Balance reads the caller's balance.
func (s *Service) Balance(ctx context.Context, id string) (b Balance, err error) {
	err = s.read(ctx, func(ctx context.Context, q store.Q) error { b, err = balanceOf(ctx, q, id); return err })
	return b, err
}

// Claim claims the hourly Free Credits.
func (s *Service) Claim(ctx context.Context, id, idemKey string) (FaucetClaim, error) {
	c, replayed, err := idem.Do(ctx, s.DB, id, "credits.faucet", idemKey, struct{}{},
		func(ctx context.Context, q store.Q, now time.Time) (FaucetClaim, error) {
			return ClaimFaucet(ctx, q, now, id)
		})
	if err == nil && !replayed {
		s.publish(id, Event{Kind: "faucet", Claim: &c})
	}
	return c, err
}

// DicePlay is one dice round's input: the bet and, optionally, the player's client seed. A client
// seed other than the active one starts a fresh server seed first (SetClientSeed), so the round
// uses the seed whose commitment was published as "next" before the player chose.
type DicePlay struct {
	Bet        DiceBet `json:"bet"`
	ClientSeed string  `json:"clientSeed,omitempty"`
}

// Play plays one dice round.
func (s *Service) Play(ctx context.Context, id, idemKey string, in DicePlay) (Round, error) {
	if err := in.Bet.Validate(); err != nil {
		return Round{}, err
	}
	if in.ClientSeed != "" {
		if err := seeds.ValidateClientSeed("clientSeed", in.ClientSeed); err != nil {
			return Round{}, err
		}
	}
	r, replayed, err := idem.Do(ctx, s.DB, id, "credits.dice", idemKey, in, func(ctx context.Context, q store.Q, now time.Time) (Round, error) {
		if err := s.useClientSeed(ctx, q, now, id, in.ClientSeed); err != nil {
			return Round{}, err
		}
		return PlayDice(ctx, q, now, s.Seeds, id, in.Bet)
	})
	if err == nil && !replayed {
		s.publish(id, Event{Kind: "bet", Round: &r})
	}
	return r, err
}

// useClientSeed switches to the player's client seed when it differs from the active one.
func (s *Service) useClientSeed(ctx context.Context, q store.Q, now time.Time, id, clientSeed string) error {
	if clientSeed == "" {
		return nil
	}
	cur, ok, err := seeds.Peek(ctx, q, id, SeedScope)
	if err != nil {
		return err
	}
	if ok && cur.ClientSeed == clientSeed {
		return nil
	}
	if !ok {
		// No seed yet: the first one is created now, its queued successor with it, and the
		// player's seed goes on the successor, whose commitment the answer shows.
		if _, err := s.Seeds.Current(ctx, q, now, id, SeedScope); err != nil {
			return err
		}
	}
	if err := refuseWhileRunning(ctx, q, id); err != nil {
		return err
	}
	_, _, err = s.Seeds.SetClientSeed(ctx, q, now, id, SeedScope, clientSeed)
	return err
}

// SeedState is the caller's seed pair as the player may see it before betting.
type SeedState struct {
	Current  seeds.Public
	Previous *seeds.Revealed // set by calls that rotate
}

// Seed returns the caller's active seed commitment (creating the first seed pair if needed, so the
// commitment is always there to read before the first bet).
func (s *Service) Seed(ctx context.Context, id string) (SeedState, error) {
	var st SeedState
	err := s.read(ctx, func(ctx context.Context, q store.Q) (err error) {
		var ok bool
		st.Current, ok, err = seeds.State(ctx, q, id, SeedScope)
		if err == nil && !ok {
			err = errNoSeed
		}
		return err
	})
	if err != errNoSeed {
		return st, err
	}
	err = s.DB.WriteFor(ctx, id, func(ctx context.Context, q store.Q) (err error) {
		st.Current, err = s.Seeds.Current(ctx, q, store.Now(ctx), id, SeedScope)
		return err
	})
	return st, err
}

var errNoSeed = fmt.Errorf("credits: no seed yet")

// SetClientSeed sets the player's client seed: the active server seed is retired (and revealed in
// the answer) and the queued one, committed before this call, becomes active.
func (s *Service) SetClientSeed(ctx context.Context, id, clientSeed string) (SeedState, error) {
	if err := seeds.ValidateClientSeed("clientSeed", clientSeed); err != nil {
		return SeedState{}, err
	}
	var st SeedState
	err := s.DB.WriteFor(ctx, id, func(ctx context.Context, q store.Q) error {
		if err := refuseWhileRunning(ctx, q, id); err != nil {
			return err
		}
		rev, pub, err := s.Seeds.SetClientSeed(ctx, q, store.Now(ctx), id, SeedScope, clientSeed)
		st = SeedState{Current: pub, Previous: &rev}
		return err
	})
	return st, err
}

// RoundsQuery pages the caller's rounds.
type RoundsQuery struct {
	Game          string
	Limit, Offset int
}

// RoundPage is a page of rounds, newest first, with the total count.
type RoundPage struct {
	Rounds []Round
	Total  int
}

// Rounds lists the caller's rounds.
func (s *Service) Rounds(ctx context.Context, id string, in RoundsQuery) (RoundPage, error) {
	if err := checkPage(in.Limit, in.Offset, MaxListLimit); err != nil {
		return RoundPage{}, err
	}
	var p RoundPage
	err := s.read(ctx, func(ctx context.Context, q store.Q) (err error) {
		p.Rounds, p.Total, err = Rounds(ctx, q, id, in.Game, in.Limit, in.Offset)
		return err
	})
	return p, err
}

func checkPage(limit, offset, max int) error {
	if limit < 1 || limit > max {
		return errs.Invalid("limit", "must be an integer from 1 to %d", max)
	}
	if offset < 0 {
		return errs.Invalid("offset", "must be 0 or more")
	}
	return nil
}

// RoundView is one round with, when asked for, its revealed seed.
type RoundView struct {
	Round    Round
	Revealed *seeds.Revealed
	// Rotated is set when revealing retired the caller's active seed: the new seed's public state.
	Rotated *seeds.Public
}

// Round reads one of the caller's rounds. With reveal, the seed that served it is revealed; if that
// seed is still active it is rotated first (DESIGN §5: a revealed seed is never used again).
func (s *Service) Round(ctx context.Context, id, roundID string, reveal bool) (RoundView, error) {
	if roundID == "" {
		return RoundView{}, errs.Missing("id")
	}
	var v RoundView
	load := func(ctx context.Context, q store.Q) (err error) {
		v.Round, err = GetRound(ctx, q, id, roundID)
		return err
	}
	if !reveal {
		err := s.read(ctx, load)
		return v, err
	}
	err := s.DB.WriteFor(ctx, id, func(ctx context.Context, q store.Q) error {
		v = RoundView{}
		if err := load(ctx, q); err != nil {
			return err
		}
		cur, ok, err := seeds.Peek(ctx, q, id, SeedScope)
		if err != nil {
			return err
		}
		if ok && cur.ID == v.Round.SeedID {
			if err := refuseWhileRunning(ctx, q, id); err != nil {
				return err
			}
			_, pub, err := s.Seeds.Rotate(ctx, q, store.Now(ctx), id, SeedScope)
			if err != nil {
				return err
			}
			v.Rotated = &pub
		}
		rv, err := seeds.Reveal(ctx, q, v.Round.SeedID)
		if err != nil {
			return err
		}
		v.Revealed = &rv
		return nil
	})
	return v, err
}

// TxQuery pages the caller's credit history.
type TxQuery struct {
	Kind          string
	Limit, Offset int
}

// Transactions lists the caller's credit history.
func (s *Service) Transactions(ctx context.Context, id string, in TxQuery) ([]Entry, error) {
	if err := checkPage(in.Limit, in.Offset, 200); err != nil {
		return nil, err
	}
	switch in.Kind {
	case "", "all":
		in.Kind = "all"
	case "round", "bet", "faucet", "withdrawal":
	default:
		return nil, errs.Invalid("type", "must be all, bet, round, faucet or withdrawal")
	}
	var es []Entry
	err := s.read(ctx, func(ctx context.Context, q store.Q) (err error) {
		es, err = Transactions(ctx, q, id, in.Kind, in.Limit, in.Offset)
		return err
	})
	return es, err
}

// StatsQuery asks for session statistics over the last Limit rounds.
type StatsQuery struct {
	Game  string
	Limit int
}

// Stats is everything "how am I doing?" needs: balance, all-time totals and the recent rounds.
type Stats struct {
	Balance Balance
	Totals  Totals
	Recent  []Round
	// USDC is the account's available in-house USDC (x402 winnings of its bound wallet).
	USDC money.Amount
}

// Stats reads the caller's statistics in one snapshot.
func (s *Service) Stats(ctx context.Context, id string, in StatsQuery) (Stats, error) {
	if in.Limit < 1 || in.Limit > 100 {
		return Stats{}, errs.Invalid("limit", "must be an integer from 1 to 100")
	}
	var st Stats
	err := s.read(ctx, func(ctx context.Context, q store.Q) (err error) {
		if st.Balance, err = balanceOf(ctx, q, id); err != nil {
			return err
		}
		usdc, err := ledger.HoldingsOf(ctx, q, id, money.USDC)
		if err != nil {
			return err
		}
		st.USDC = usdc.Available
		if st.Recent, _, err = Rounds(ctx, q, id, in.Game, in.Limit, 0); err != nil {
			return err
		}
		st.Totals, err = RoundTotals(ctx, q, id, in.Game)
		return err
	})
	return st, err
}

// Withdraw requests a withdrawal; the amount is held until an operator decides.
func (s *Service) Withdraw(ctx context.Context, id, idemKey string, in WithdrawalRequest) (Withdrawal, error) {
	if len(in.WiseEmail) > 254 {
		return Withdrawal{}, errs.Invalid("wiseEmail", "must be at most 254 characters")
	}
	if len(in.FullName) > 200 {
		return Withdrawal{}, errs.Invalid("fullName", "must be at most 200 characters")
	}
	if len(in.Currency) > 8 {
		return Withdrawal{}, errs.Invalid("currency", "must be at most 8 characters")
	}
	w, _, err := idem.Do(ctx, s.DB, id, "credits.withdraw", idemKey, in, func(ctx context.Context, q store.Q, now time.Time) (Withdrawal, error) {
		return RequestWithdrawal(ctx, q, now, id, in)
	})
	return w, err
}

// WithdrawalsQuery lists withdrawals: the caller's own (Account set) or, for the operator, all
// of a status.
type WithdrawalsQuery struct {
	Account string
	Status  string
	Limit   int
}

// Withdrawals lists withdrawals.
func (s *Service) Withdrawals(ctx context.Context, in WithdrawalsQuery) ([]Withdrawal, error) {
	if err := checkPage(in.Limit, 0, 200); err != nil {
		return nil, err
	}
	switch in.Status {
	case "", WithdrawalPending, WithdrawalApproved, WithdrawalRejected:
	default:
		return nil, errs.Invalid("status", "must be pending, approved or rejected")
	}
	var ws []Withdrawal
	err := s.read(ctx, func(ctx context.Context, q store.Q) (err error) {
		ws, err = Withdrawals(ctx, q, in.Account, in.Status, in.Limit, 0)
		return err
	})
	return ws, err
}

// Withdrawal reads one of the caller's withdrawals.
func (s *Service) Withdrawal(ctx context.Context, id, wid string) (w Withdrawal, err error) {
	err = s.read(ctx, func(ctx context.Context, q store.Q) error { w, err = GetWithdrawal(ctx, q, id, wid); return err })
	return w, err
}

// Decision is an operator's verdict on a pending withdrawal.
type Decision struct {
	ID      string
	Approve bool
	Note    string
}

// Decide approves or rejects a pending withdrawal (money moves once).
func (s *Service) Decide(ctx context.Context, in Decision) (w Withdrawal, err error) {
	if len(in.Note) > 1000 {
		return Withdrawal{}, errs.Invalid("note", "must be at most 1000 characters")
	}
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		w, err = DecideWithdrawal(ctx, q, store.Now(ctx), in.ID, in.Approve, in.Note)
		return err
	})
	return w, err
}

// Strategies lists the caller's basic strategies.
func (s *Service) Strategies(ctx context.Context, id, game string) (ss []Saved, err error) {
	err = s.read(ctx, func(ctx context.Context, q store.Q) error { ss, err = ListStrategies(ctx, q, id, game); return err })
	return ss, err
}

// Strategy reads one basic strategy.
func (s *Service) Strategy(ctx context.Context, id, sid string) (st Saved, err error) {
	if sid == "" {
		return Saved{}, errs.Missing("strategy_id")
	}
	err = s.read(ctx, func(ctx context.Context, q store.Q) error { st, err = GetStrategy(ctx, q, id, sid); return err })
	return st, err
}

// NewStrategy is a basic strategy to create.
type NewStrategy struct {
	GameType string
	Name     string
	Config   strategy.Config
}

// CreateStrategy stores a basic strategy.
func (s *Service) CreateStrategy(ctx context.Context, id string, in NewStrategy) (st Saved, err error) {
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		st, err = CreateStrategy(ctx, q, store.Now(ctx), id, in.GameType, in.Name, in.Config)
		return err
	})
	return st, err
}

// StrategyPatch changes a basic strategy's name and/or config.
type StrategyPatch struct {
	ID     string
	Name   *string
	Config *strategy.Config
}

// UpdateStrategy updates a basic strategy.
func (s *Service) UpdateStrategy(ctx context.Context, id string, in StrategyPatch) (st Saved, err error) {
	if in.ID == "" {
		return Saved{}, errs.Missing("strategy_id")
	}
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		st, err = UpdateStrategy(ctx, q, store.Now(ctx), id, in.ID, in.Name, in.Config)
		return err
	})
	return st, err
}

// DeleteStrategy deletes a basic strategy.
func (s *Service) DeleteStrategy(ctx context.Context, id, sid string) error {
	if sid == "" {
		return errs.Missing("strategy_id")
	}
	return s.DB.Write(ctx, func(ctx context.Context, q store.Q) error { return DeleteStrategy(ctx, q, id, sid) })
}

// AdvancedStrategies lists the caller's advanced strategies.
func (s *Service) AdvancedStrategies(ctx context.Context, id string) (ss []Saved, err error) {
	err = s.read(ctx, func(ctx context.Context, q store.Q) error { ss, err = ListAdvanced(ctx, q, id); return err })
	return ss, err
}

// AdvancedStrategy reads one advanced strategy.
func (s *Service) AdvancedStrategy(ctx context.Context, id, sid string) (st Saved, err error) {
	if sid == "" {
		return Saved{}, errs.Missing("strategy_id")
	}
	err = s.read(ctx, func(ctx context.Context, q store.Q) error { st, err = GetAdvanced(ctx, q, id, sid); return err })
	return st, err
}

// SaveAdvanced creates (ID empty) or replaces an advanced strategy.
type SaveAdvanced struct {
	ID       string
	Strategy *strategy.Advanced
}

// SaveAdvanced stores an advanced strategy.
func (s *Service) SaveAdvanced(ctx context.Context, id string, in SaveAdvanced) (st Saved, err error) {
	if in.Strategy == nil {
		return Saved{}, errs.Missing("strategy")
	}
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		if in.ID == "" {
			st, err = CreateAdvanced(ctx, q, store.Now(ctx), id, in.Strategy)
		} else {
			st, err = UpdateAdvanced(ctx, q, store.Now(ctx), id, in.ID, in.Strategy)
		}
		return err
	})
	return st, err
}

// DeleteAdvanced deletes an advanced strategy.
func (s *Service) DeleteAdvanced(ctx context.Context, id, sid string) error {
	if sid == "" {
		return errs.Missing("strategy_id")
	}
	return s.DB.Write(ctx, func(ctx context.Context, q store.Q) error { return DeleteAdvanced(ctx, q, id, sid) })
}

// Simulation limits.
const (
	MaxSimRounds     = 10_000
	MaxSimSessions   = 1000
	MaxSimStart      = 1_000_000_000 * money.Micro
	DefaultSimRounds = 100
	DefaultSimStart  = 1000 * money.Micro
	maxSimSeedLength = 128
	defaultRunRounds = 20
	DefaultRunRounds = defaultRunRounds
	DefaultListLimit = 50
	// MaxListLimit bounds one page of rounds (the legacy /api/me/bets allows 10000).
	MaxListLimit      = 10_000
	DefaultStatsLimit = 50
)

// SimulateInput is a simulation: a saved advanced strategy (StrategyID) or an inline one.
type SimulateInput struct {
	StrategyID      string
	Strategy        *strategy.Advanced
	Rounds          int64
	Sessions        int64
	StartingBalance money.Amount
	Seed            string // replays a simulation exactly; drawn when empty
}

// Simulation is a simulator result with the seed that replays it.
type Simulation struct {
	Result strategy.SimResult
	Seed   string
}

// Simulate runs the simulator (no money moves).
func (s *Service) Simulate(ctx context.Context, id string, in SimulateInput) (Simulation, error) {
	if in.Rounds < 1 || in.Rounds > MaxSimRounds {
		return Simulation{}, errs.Invalid("rounds", "must be an integer from 1 to %d", MaxSimRounds)
	}
	if in.Sessions < 1 || in.Sessions > MaxSimSessions {
		return Simulation{}, errs.Invalid("sessions", "must be an integer from 1 to %d", MaxSimSessions)
	}
	if in.StartingBalance <= 0 || in.StartingBalance > MaxSimStart {
		return Simulation{}, errs.Invalid("startingBalance", "must be above 0 and at most 1000000000 credits")
	}
	if len(in.Seed) > maxSimSeedLength {
		return Simulation{}, errs.Invalid("seed", "must be at most %d characters", maxSimSeedLength)
	}
	st := in.Strategy
	if in.StrategyID != "" {
		saved, err := s.AdvancedStrategy(ctx, id, in.StrategyID)
		if err != nil {
			return Simulation{}, err
		}
		st = saved.Advanced
	}
	if st == nil {
		return Simulation{}, errs.Missing("strategy")
	}
	seed := in.Seed
	if seed == "" {
		b := make([]byte, 8)
		if _, err := io.ReadFull(s.Rand, b); err != nil {
			return Simulation{}, fmt.Errorf("credits: simulation seed: %w", err)
		}
		seed = hex.EncodeToString(b)
	}
	master := sha256.Sum256([]byte(seed))
	res, err := strategy.Simulate(ctx, strategy.SimSpec{Strategy: st, Rounds: in.Rounds, Sessions: int(in.Sessions),
		StartingBalance: in.StartingBalance, Seed: master[:]}, nil)
	if err != nil {
		return Simulation{}, err
	}
	return Simulation{Result: res, Seed: seed}, nil
}

// RunInput runs a strategy for real: a saved one by id or one given inline.
type RunInput struct {
	Advanced   bool
	StrategyID string
	Inline     strategy.Strategy `json:"-"`
	// InlineJSON is the inline strategy as sent: it is part of the idempotency fingerprint.
	InlineJSON []byte
	MaxRounds  int64
	ClientSeed string
}

// Run plays a strategy for real.
func (s *Service) Run(ctx context.Context, id, idemKey string, in RunInput) (RunResult, error) {
	if in.MaxRounds < 1 || in.MaxRounds > MaxRunRounds {
		return RunResult{}, errs.Invalid("maxRounds", "must be an integer from 1 to %d", MaxRunRounds)
	}
	if in.StrategyID == "" && in.Inline == nil {
		if in.Advanced {
			return RunResult{}, errs.Invalid("strategyId", "send strategyId or an inline strategy")
		}
		return RunResult{}, errs.Invalid("strategyId", "send strategyId or an inline config")
	}
	if in.ClientSeed != "" {
		if err := seeds.ValidateClientSeed("clientSeed", in.ClientSeed); err != nil {
			return RunResult{}, err
		}
	}
	// The stored answer is the run's id (runRef); a retry answers the run from its rows, playing
	// it to its end first if it is still running. New scope names: older versions stored the
	// whole result under the old ones.
	scope := "credits.run.2"
	if in.Advanced {
		scope = "credits.run-advanced.2"
	}
	var first *liveRun
	var out chunkOut
	ref, replayed, err := idem.Do(ctx, s.DB, id, scope, idemKey, in, func(ctx context.Context, q store.Q, now time.Time) (runRef, error) {
		first = nil
		st := in.Inline
		if st == nil {
			if in.Advanced {
				saved, err := GetAdvanced(ctx, q, id, in.StrategyID)
				if err != nil {
					return runRef{}, err
				}
				st = saved.Advanced
			} else {
				saved, err := GetStrategy(ctx, q, id, in.StrategyID)
				if err != nil {
					if errs.KindOf(err) == errs.NotFound {
						return runRef{}, &errs.Error{Kind: errs.NotFound, Code: "STRATEGY_NOT_FOUND", Message: "strategy not found"}
					}
					return runRef{}, err
				}
				st = saved.Config
			}
		}
		if err := s.useClientSeed(ctx, q, now, id, in.ClientSeed); err != nil {
			return runRef{}, err
		}
		lr, o, err := startRun(ctx, q, now, s.Seeds, id, in.StrategyID, st, in.MaxRounds, s.runChunk())
		if err != nil {
			return runRef{}, err
		}
		first, out = lr, o
		return runRef{RunID: lr.id}, nil
	})
	if err != nil {
		return RunResult{}, err
	}
	var res RunResult
	if replayed {
		res, err = s.finishRun(ctx, id, ref.RunID)
	} else {
		res, err = s.playOn(ctx, first.after(out))
	}
	if err == nil && !replayed {
		s.publish(id, Event{Kind: "run", Run: &res})
		if res.StopReason == "insufficient_balance" {
			s.publish(id, Event{Kind: "deposit_alert", Run: &res})
		}
	}
	return res, err
}

// runRef is what the idempotency record of a run keeps: its id.
type runRef struct{ RunID string }

// RunSummary is what is kept of a finished strategy run (a "session" to the tools).
type RunSummary struct {
	ID         string
	Rounds     int
	Wagered    money.Amount
	Returned   money.Amount
	StopReason string
	CreatedAt  time.Time
	Running    bool // still playing its chunks (stop_session cannot stop it: it finishes)
}

// RunStatus reads one of the caller's strategy runs.
func (s *Service) RunStatus(ctx context.Context, id, runID string) (RunSummary, error) {
	if runID == "" {
		return RunSummary{}, errs.Missing("session_id")
	}
	if _, err := uuid.Parse(runID); err != nil {
		return RunSummary{}, errs.NotFoundf("session not found")
	}
	var r RunSummary
	err := s.read(ctx, func(ctx context.Context, q store.Q) error {
		var wag, ret, created int64
		var status string
		err := q.QueryRow(ctx, `SELECT id, rounds, wagered, returned, stop_reason, created_at, status FROM strategy_runs
			WHERE id = ? AND account_id = ?`, runID, id).Scan(&r.ID, &r.Rounds, &wag, &ret, &r.StopReason, &created, &status)
		r.Running = status == runRunning
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundf("session not found")
		}
		if err != nil {
			return fmt.Errorf("credits: run status: %w", err)
		}
		r.Wagered, r.Returned, r.CreatedAt = money.Amount(wag), money.Amount(ret), time.UnixMicro(created).UTC()
		return nil
	})
	return r, err
}
