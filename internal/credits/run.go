package credits

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/arcadehq/arcade/internal/credits/strategy"
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

// RunStrategy plays a whole strategy run inside the caller's store.Write: every round in this one
// transaction. Service.Run cuts runs into chunks instead (runchunks.go); this is the same play
// with one chunk as large as the run, for callers that own the transaction.
//
// Every round is derived from the player's committed seed with consecutive nonces; the rounds
// are stored packed in the run's own strategy_runs row (pack.go: round i used nonce
// first_nonce + i − 1 of seed_id with client_seed, so each verifies on its own, and reads list it
// as round "<runId>.<i>"). The money moves as two ledger transfers per chunk (payouts
// house→user, then stakes user→house, ref = run id), which sum exactly to the rounds' amounts.
// The session decides from the true balance read in the transaction and never bets more than
// it, so the balance cannot go negative at any round; the database constraint holds the final
// word.
func RunStrategy(ctx context.Context, q store.Q, now time.Time, sd seeds.Engine, account, strategyID string,
	st strategy.Strategy, maxRounds int64) (RunResult, error) {
	lr, out, err := startRun(ctx, q, now, sd, account, strategyID, st, maxRounds, int(maxRounds))
	if err != nil {
		return RunResult{}, err
	}
	if !out.done {
		return RunResult{}, fmt.Errorf("credits: run %s did not finish in one chunk", lr.id)
	}
	return lr.after(out).result()
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
