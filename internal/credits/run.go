package credits

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
)

// MaxRunRounds bounds one strategy run (the real system's cap).
const MaxRunRounds = 100_000

// RunRound is one round of a strategy run.
type RunRound struct {
	Round    int
	RoundID  string
	Bet      DiceBet
	Roll     int
	Win      bool
	Payout   money.Amount
	Balance  money.Amount
	Nonce    uint64
	Executed []string // advanced strategies: the rules that ran after this round
}

// RunResult is a finished strategy run.
type RunResult struct {
	RunID        string
	Rounds       []RunRound
	Stats        strategy.Stats
	StopReason   string
	FinalBalance money.Amount
	SeedID       string
	Commitment   string
	ClientSeed   string
}

// RunStrategy plays a strategy for real, round by round, inside the caller's store.Write: the
// whole run commits or none of it. Every round is derived from the player's committed seed with
// consecutive nonces and stored as its own credit_rounds row (so each verifies on its own); the
// money moves as two ledger transfers for the run (payouts house→user, then stakes user→house,
// ref = run id), which sum exactly to the rounds' amounts. The session decides from the true
// balance read in this transaction and never bets more than it, so the balance cannot go
// negative at any round; the database constraint holds the final word.
func RunStrategy(ctx context.Context, q store.Q, now time.Time, sd seeds.Engine, account, strategyID string,
	st strategy.Strategy, maxRounds int64) (RunResult, error) {
	if maxRounds < 1 || maxRounds > MaxRunRounds {
		return RunResult{}, errs.Invalid("maxRounds", "must be from 1 to %d", MaxRunRounds)
	}
	user, house := ledger.UserAccount(account, money.Credit), ledger.SystemAccount(ledger.House, money.Credit)
	balance, err := ledger.Balance(ctx, q, user)
	if err != nil {
		return RunResult{}, err
	}
	sess, err := strategy.NewSession(st, balance, strategy.Options{MaxRounds: maxRounds})
	if err != nil {
		return RunResult{}, err
	}
	d, err := sd.Reserve(ctx, q, now, account, SeedScope)
	if err != nil {
		return RunResult{}, err
	}
	runID, err := newID()
	if err != nil {
		return RunResult{}, err
	}
	res := RunResult{RunID: runID, SeedID: d.SeedID, Commitment: d.Commitment, ClientSeed: d.ClientSeed}
	gen := fairness.NewGenerator(d.Seed)
	nonce := d.Nonce
	var wagered, returned money.Amount
	var executed []string
	for step := 1; ; step++ {
		bet, stop, reason := sess.Next()
		if stop {
			res.StopReason = reason
			break
		}
		if bet.Skip {
			continue
		}
		db := DiceBet{Amount: bet.Amount, Target: int(bet.Target), Over: bet.Over()}
		roll, win, payout, err := Resolve(db, gen.First(d.ClientSeed, nonce))
		if err != nil {
			return RunResult{}, err
		}
		if err := sess.Record(strategy.Outcome{Win: win, Payout: payout, Roll: strategy.Hundredths(roll)}); err != nil {
			return RunResult{}, fmt.Errorf("credits: run: %w", err)
		}
		wagered += db.Amount
		returned += payout
		id, err := newID()
		if err != nil {
			return RunResult{}, err
		}
		executed = sess.ExecutedRules(executed[:0])
		res.Rounds = append(res.Rounds, RunRound{Round: len(res.Rounds) + 1, RoundID: id, Bet: db, Roll: roll, Win: win,
			Payout: payout, Balance: balance - wagered + returned, Nonce: nonce, Executed: append([]string(nil), executed...)})
		nonce++
	}
	res.Stats = sess.Stats()
	res.FinalBalance = balance - wagered + returned
	if res.FinalBalance != res.Stats.Balance || res.FinalBalance < 0 {
		return RunResult{}, fmt.Errorf("credits: run balance %d disagrees with the session's %d", res.FinalBalance, res.Stats.Balance)
	}
	if err := seeds.Advance(ctx, q, d, uint64(len(res.Rounds))); err != nil {
		return RunResult{}, err
	}
	if err := insertRunRounds(ctx, q, now, account, runID, d, res.Rounds); err != nil {
		return RunResult{}, err
	}
	var ts []ledger.Transfer
	if returned > 0 {
		ts = append(ts, ledger.Transfer{Asset: money.Credit, From: house, To: user, Amount: returned, Kind: "strategy_payouts", Ref: runID})
	}
	if wagered > 0 {
		ts = append(ts, ledger.Transfer{Asset: money.Credit, From: user, To: house, Amount: wagered, Kind: "strategy_stakes", Ref: runID})
	}
	if err := ledger.Post(ctx, q, now, ts...); err != nil {
		return RunResult{}, err
	}
	kind := "basic"
	if _, ok := st.(*strategy.Advanced); ok {
		kind = "advanced"
	}
	var sid any
	if strategyID != "" {
		sid = strategyID
	}
	if _, err := q.Exec(ctx, `INSERT INTO strategy_runs (id, account_id, kind, strategy_id, rounds, wagered, returned, stop_reason, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, runID, account, kind, sid, len(res.Rounds), int64(wagered), int64(returned),
		res.StopReason, now.UnixMicro()); err != nil {
		return RunResult{}, fmt.Errorf("credits: record run: %w", err)
	}
	return res, nil
}

// insertRunRounds writes the run's rounds with multi-row INSERTs (a statement per chunk, not
// per round: this is what keeps a 10,000-round run close to the simulator's speed).
func insertRunRounds(ctx context.Context, q store.Q, now time.Time, account, runID string, d seeds.Draw, rs []RunRound) error {
	const chunk = 200
	const cols = 14
	for start := 0; start < len(rs); start += chunk {
		part := rs[start:min(start+chunk, len(rs))]
		var b strings.Builder
		b.WriteString(`INSERT INTO credit_rounds (id, account_id, game, amount, target, condition, roll, win, payout,
			seed_id, client_seed, nonce, run_id, created_at) VALUES `)
		args := make([]any, 0, len(part)*cols)
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, r.RoundID, account, GameDice, int64(r.Bet.Amount), r.Bet.Target, r.Bet.Condition(), r.Roll,
				boolInt(r.Win), int64(r.Payout), d.SeedID, d.ClientSeed, int64(r.Nonce), runID, now.UnixMicro())
		}
		if _, err := q.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("credits: record run rounds: %w", err)
		}
	}
	return nil
}
