package credits

import (
	"context"
	"fmt"
	"strconv"
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
// consecutive nonces; the rounds are stored packed in the run's own strategy_runs row (pack.go:
// round i used nonce first_nonce + i − 1 of seed_id with client_seed, so each verifies on its
// own, and reads list it as round "<runId>.<i>"). The money moves as two ledger transfers for the
// run (payouts house→user, then stakes user→house, ref = run id), which sum exactly to the
// rounds' amounts. The session decides from the true balance read in this transaction and never
// bets more than it, so the balance cannot go negative at any round; the database constraint
// holds the final word.
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
	runID, err := newID(ctx)
	if err != nil {
		return RunResult{}, err
	}
	// Sized up front for most runs: regrowing a slice of 10,000 rounds is a visible part of a run.
	size := min(maxRounds, 1<<14)
	res := RunResult{RunID: runID, SeedID: d.SeedID, Commitment: d.Commitment, ClientSeed: d.ClientSeed,
		Rounds: make([]RunRound, 0, size)}
	gen := fairness.NewGenerator(d.Seed)
	nonce := d.Nonce
	var wagered, returned money.Amount
	var wins int
	var executed []string
	pk := roundPacker{body: make([]byte, 0, 8*size)}
	for {
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
		if err := pk.add(db, roll, win, payout); err != nil {
			return RunResult{}, fmt.Errorf("credits: run round %d: %w", len(res.Rounds)+1, err)
		}
		wagered += db.Amount
		returned += payout
		if win {
			wins++
		}
		executed = sess.ExecutedRules(executed[:0])
		n := len(res.Rounds) + 1
		res.Rounds = append(res.Rounds, RunRound{Round: n, Bet: db, Roll: roll, Win: win,
			Payout: payout, Balance: balance - wagered + returned, Nonce: nonce, Executed: append([]string(nil), executed...)})
		nonce++
	}
	setRoundIDs(runID, res.Rounds)
	res.Stats = sess.Stats()
	res.FinalBalance = balance - wagered + returned
	if res.FinalBalance != res.Stats.Balance.Amount() || res.FinalBalance < 0 {
		return RunResult{}, fmt.Errorf("credits: run balance %d disagrees with the session's %d", res.FinalBalance, res.Stats.Balance)
	}
	if err := seeds.Advance(ctx, q, d, uint64(len(res.Rounds))); err != nil {
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
	if _, err := q.Exec(ctx, `INSERT INTO strategy_runs (id, account_id, kind, strategy_id, rounds, wins, wagered, returned,
		stop_reason, seed_id, client_seed, first_nonce, rounds_data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		runID, account, kind, sid, len(res.Rounds), wins, int64(wagered), int64(returned), res.StopReason,
		d.SeedID, d.ClientSeed, int64(d.Nonce), pk.encode(), now.UnixMicro()); err != nil {
		return RunResult{}, fmt.Errorf("credits: record run: %w", err)
	}
	return res, nil
}

// setRoundIDs names the rounds RunRoundID(runID, i), all cut from one string (one allocation
// instead of one per round).
func setRoundIDs(runID string, rs []RunRound) {
	var b strings.Builder
	b.Grow(len(rs) * (len(runID) + 7))
	ends := make([]int, len(rs))
	var num [20]byte
	for i := range rs {
		b.WriteString(runID)
		b.WriteByte('.')
		b.Write(strconv.AppendInt(num[:0], int64(i+1), 10))
		ends[i] = b.Len()
	}
	all, start := b.String(), 0
	for i := range rs {
		rs[i].RoundID, start = all[start:ends[i]], ends[i]
	}
}
