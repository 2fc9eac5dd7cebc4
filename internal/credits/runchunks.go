package credits

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
)

// A strategy run of up to MaxRunRounds rounds is cut into chunks, each one store write that plays
// at most a chunk's worth of session steps and commits them with their money, so a long run never
// holds the writer (SQLite's only one) for more than one chunk: other players' bets wait behind
// one chunk, not behind the run.
//
// The run's row (strategy_runs, migration 0020) records its progress: the rounds, wins, wagered
// and returned of the committed chunks, how many chunks, and status 'running' until the last.
// Each chunk's write checks that the row is where its player left it (rounds and chunks, status
// running) in the same UPDATE that records the new progress, so two processes playing the same
// run (the caller and a resumer, or two instances) never both commit a chunk: the second's write
// changes nothing and is rolled back. The session is not stored: it is deterministic given its
// outcomes, so whoever plays on rebuilds it from the stored strategy (spec), starting balance and
// the committed rounds, outside any write.
//
// Nonces: the first chunk of a run that does not finish in it reserves maxRounds nonces of the
// seed (bets in between use the nonces after them), so the run's rounds stay one consecutive
// sequence; its last chunk gives back the unused ones if nothing drew after them. The player's
// seed cannot be rotated (and so revealed) while a run on it is still playing.
//
// Money: the session bets from its own accounting (the start balance plus the run's net). Each
// chunk also reads the account's true balance and stops the run (insufficient_balance) before a
// bet that balance could not cover, in case the player spent elsewhere between chunks.

// DefaultRunChunk is how many session steps one chunk plays (ARCADE_RUN_CHUNK_ROUNDS).
const DefaultRunChunk = 1000

// Run statuses.
const (
	runRunning = "running"
	runDone    = "done"
)

// liveRun is a run after its last committed chunk. A chunk's write reads it and never changes it
// (it plays a clone of the session), so the write may run more than once; after the commit the
// caller moves on to lr.after(out).
type liveRun struct {
	id, account, kind, strategyID, spec string
	st                                  strategy.Strategy
	sess                                *strategy.Session
	seed                                fairness.Seed
	seedID, commitment, clientSeed      string
	firstNonce                          uint64
	maxRounds                           int64
	start                               money.Amount
	created                             time.Time
	rounds, chunks, wins                int
	wagered, returned                   money.Amount
	done                                bool
	stopReason                          string
	played                              []RunRound // every committed round, in play order
}

// chunkOut is what one chunk's write played.
type chunkOut struct {
	sess              *strategy.Session
	rounds            []RunRound
	wins              int
	wagered, returned money.Amount
	done              bool
	stopReason        string
}

// errRunMoved: another process committed a chunk of this run first; reload it and play on.
var errRunMoved = errors.New("credits: the run moved on under this chunk")

// startRun creates a run and plays its first chunk (at most budget steps) in the caller's write.
func startRun(ctx context.Context, q store.Q, now time.Time, sd seeds.Engine, account, strategyID string,
	st strategy.Strategy, maxRounds int64, budget int) (*liveRun, chunkOut, error) {
	if maxRounds < 1 || maxRounds > MaxRunRounds {
		return nil, chunkOut{}, errs.Invalid("maxRounds", "must be from 1 to %d", MaxRunRounds)
	}
	balance, err := ledger.Balance(ctx, q, ledger.UserAccount(account, money.Credit))
	if err != nil {
		return nil, chunkOut{}, err
	}
	sess, err := strategy.NewSession(st, balance, strategy.Options{MaxRounds: maxRounds})
	if err != nil {
		return nil, chunkOut{}, err
	}
	d, err := sd.Reserve(ctx, q, now, account, SeedScope)
	if err != nil {
		return nil, chunkOut{}, err
	}
	runID, err := newID(ctx)
	if err != nil {
		return nil, chunkOut{}, err
	}
	kind := "basic"
	if _, ok := st.(*strategy.Advanced); ok {
		kind = "advanced"
	}
	spec, err := json.Marshal(st)
	if err != nil {
		return nil, chunkOut{}, fmt.Errorf("credits: encode run strategy: %w", err)
	}
	lr := &liveRun{id: runID, account: account, kind: kind, strategyID: strategyID, spec: string(spec), st: st, sess: sess,
		seed: d.Seed, seedID: d.SeedID, commitment: d.Commitment, clientSeed: d.ClientSeed, firstNonce: d.Nonce,
		maxRounds: maxRounds, start: balance, created: micros(now)}
	out, err := lr.play(ctx, q, now, budget)
	if err != nil {
		return nil, chunkOut{}, err
	}
	return lr, out, nil
}

// play plays the run's next chunk (at most budget steps) and commits it with its money, in the
// caller's write. The first chunk inserts the run's row; later ones move it on only from where
// lr left it (errRunMoved otherwise).
func (lr *liveRun) play(ctx context.Context, q store.Q, now time.Time, budget int) (chunkOut, error) {
	user, house := ledger.UserAccount(lr.account, money.Credit), ledger.SystemAccount(ledger.House, money.Credit)
	real, err := ledger.Balance(ctx, q, user)
	if err != nil {
		return chunkOut{}, err
	}
	out := chunkOut{sess: lr.sess.Clone()}
	sess := out.sess
	if budget < 1 {
		budget = 1
	}
	size := min(budget, 1<<14)
	out.rounds = make([]RunRound, 0, size)
	gen := fairness.NewGenerator(lr.seed)
	nonce := lr.firstNonce + uint64(lr.rounds)
	balance := lr.start - lr.wagered + lr.returned // the session's balance after the committed rounds
	pk := roundPacker{body: make([]byte, 0, 4*size)}
	var executed []string
	for steps := 0; ; {
		if steps >= budget {
			// The chunk is spent; a run whose session would stop now ends with this chunk.
			if _, stop, reason := sess.Next(); stop {
				out.done, out.stopReason = true, reason
			}
			break
		}
		bet, stop, reason := sess.Next()
		if stop {
			out.done, out.stopReason = true, reason
			break
		}
		steps++
		if bet.Skip {
			continue
		}
		db := DiceBet{Amount: bet.Amount, Target: int(bet.Target), Over: bet.Over()}
		if db.Amount > real-out.wagered+out.returned {
			// The account holds less than the session thinks: the player spent elsewhere.
			out.done, out.stopReason = true, strategy.ReasonInsufficientBalance
			break
		}
		roll, win, payout, err := Resolve(db, gen.First(lr.clientSeed, nonce))
		if err != nil {
			return chunkOut{}, err
		}
		if err := sess.Record(strategy.Outcome{Win: win, Payout: payout, Roll: strategy.Hundredths(roll)}); err != nil {
			return chunkOut{}, fmt.Errorf("credits: run: %w", err)
		}
		n := lr.rounds + len(out.rounds) + 1
		if err := pk.add(db, roll, win, payout); err != nil {
			return chunkOut{}, fmt.Errorf("credits: run round %d: %w", n, err)
		}
		out.wagered += db.Amount
		out.returned += payout
		if win {
			out.wins++
		}
		executed = sess.ExecutedRules(executed[:0])
		out.rounds = append(out.rounds, RunRound{Round: n, Bet: db, Roll: roll, Win: win, Payout: payout,
			Balance: balance - out.wagered + out.returned, Nonce: nonce, Executed: append([]string(nil), executed...)})
		nonce++
	}
	final := balance - out.wagered + out.returned
	if final != sess.Stats().Balance.Amount() || final < 0 {
		return chunkOut{}, fmt.Errorf("credits: run balance %d disagrees with the session's %d", final, sess.Stats().Balance)
	}
	var ts []ledger.Transfer
	if out.returned > 0 {
		ts = append(ts, ledger.Transfer{Asset: money.Credit, From: house, To: user, Amount: out.returned, Kind: "strategy_payouts", Ref: lr.id})
	}
	if out.wagered > 0 {
		ts = append(ts, ledger.Transfer{Asset: money.Credit, From: user, To: house, Amount: out.wagered, Kind: "strategy_stakes", Ref: lr.id})
	}
	if err := ledger.Post(ctx, q, now, ts...); err != nil {
		return chunkOut{}, err
	}
	status := runRunning
	if out.done {
		status = runDone
	}
	rounds, wins := lr.rounds+len(out.rounds), lr.wins+out.wins
	wagered, returned := lr.wagered+out.wagered, lr.returned+out.returned
	if lr.chunks == 0 {
		// The first chunk: a run that goes on reserves the nonces of all its possible rounds.
		used := uint64(len(out.rounds))
		if !out.done {
			used = uint64(lr.maxRounds)
		}
		if err := seeds.Advance(ctx, q, seeds.Draw{SeedID: lr.seedID, Nonce: lr.firstNonce}, used); err != nil {
			return chunkOut{}, err
		}
		var sid any
		if lr.strategyID != "" {
			sid = lr.strategyID
		}
		if _, err := q.Exec(ctx, `INSERT INTO strategy_runs (id, account_id, kind, strategy_id, rounds, wins, wagered, returned,
			stop_reason, seed_id, client_seed, first_nonce, rounds_data, created_at, status, chunks, spec, start_balance, max_rounds,
			updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			lr.id, lr.account, lr.kind, sid, rounds, wins, int64(wagered), int64(returned), out.stopReason,
			lr.seedID, lr.clientSeed, int64(lr.firstNonce), pk.encode(), lr.created.UnixMicro(), status, 1, lr.spec,
			int64(lr.start), lr.maxRounds, now.UnixMicro()); err != nil {
			return chunkOut{}, fmt.Errorf("credits: record run: %w", err)
		}
		return out, nil
	}
	chunks := lr.chunks
	if len(out.rounds) > 0 {
		chunks++
		if _, err := q.Exec(ctx, `INSERT INTO strategy_run_chunks (run_id, seq, rounds, rounds_data) VALUES (?, ?, ?, ?)`,
			lr.id, chunks, len(out.rounds), pk.encode()); err != nil {
			if store.IsUnique(err) {
				return chunkOut{}, errRunMoved
			}
			return chunkOut{}, fmt.Errorf("credits: record run chunk: %w", err)
		}
	}
	res, err := q.Exec(ctx, `UPDATE strategy_runs SET rounds = ?, wins = ?, wagered = ?, returned = ?, stop_reason = ?, status = ?,
		chunks = ?, updated_at = ? WHERE id = ? AND rounds = ? AND chunks = ? AND status = 'running'`,
		rounds, wins, int64(wagered), int64(returned), out.stopReason, status, chunks, now.UnixMicro(), lr.id, lr.rounds, lr.chunks)
	if err != nil {
		return chunkOut{}, fmt.Errorf("credits: record run progress: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return chunkOut{}, errRunMoved
	}
	if out.done {
		// Give back the reserved nonces no round used, unless something drew after them.
		if _, err := q.Exec(ctx, `UPDATE server_seeds SET next_nonce = ? WHERE id = ? AND next_nonce = ? AND active = 1`,
			int64(lr.firstNonce)+int64(rounds), lr.seedID, int64(lr.firstNonce)+lr.maxRounds); err != nil {
			return chunkOut{}, fmt.Errorf("credits: return run nonces: %w", err)
		}
	}
	return out, nil
}

// after is the run once out has committed.
func (lr *liveRun) after(out chunkOut) *liveRun {
	n := *lr
	n.sess = out.sess
	if len(out.rounds) > 0 || lr.chunks == 0 {
		n.chunks++
	}
	n.rounds += len(out.rounds)
	n.wins += out.wins
	n.wagered += out.wagered
	n.returned += out.returned
	n.done, n.stopReason = out.done, out.stopReason
	n.played = append(lr.played[:len(lr.played):len(lr.played)], out.rounds...)
	return &n
}

// result is the finished run as the operation answers it.
func (lr *liveRun) result() (RunResult, error) {
	setRoundIDs(lr.id, lr.played)
	res := RunResult{RunID: lr.id, Rounds: lr.played, Stats: lr.sess.Stats(), StopReason: lr.stopReason,
		FinalBalance: lr.start - lr.wagered + lr.returned, SeedID: lr.seedID, Commitment: lr.commitment, ClientSeed: lr.clientSeed}
	if res.FinalBalance != res.Stats.Balance.Amount() || res.FinalBalance < 0 {
		return RunResult{}, fmt.Errorf("credits: run balance %d disagrees with the session's %d", res.FinalBalance, res.Stats.Balance)
	}
	return res, nil
}

// storedLive is a run's row and packed rounds as a resumer reads them.
type storedLive struct {
	lr     liveRun
	seed   string
	status string
	data   []string
}

// loadLive reads one of account's runs (sql.ErrNoRows if there is none) in a Read or a Write.
func loadLive(ctx context.Context, q store.Q, account, id string) (storedLive, error) {
	var s storedLive
	lr := &s.lr
	lr.id, lr.account = id, account
	var sid, spec sql.NullString
	var start, maxRounds sql.NullInt64
	var first, wagered, returned, created int64
	var data string
	err := q.QueryRow(ctx, `SELECT r.kind, r.strategy_id, r.spec, r.start_balance, r.max_rounds, r.seed_id, s.seed, s.commitment,
		r.client_seed, r.first_nonce, r.rounds, r.chunks, r.wins, r.wagered, r.returned, r.stop_reason, r.status, r.created_at,
		r.rounds_data FROM strategy_runs r JOIN server_seeds s ON s.id = r.seed_id
		WHERE r.id = ? AND r.account_id = ? AND r.rounds_data IS NOT NULL`, id, account).Scan(&lr.kind, &sid, &spec, &start,
		&maxRounds, &lr.seedID, &s.seed, &lr.commitment, &lr.clientSeed, &first, &lr.rounds, &lr.chunks, &lr.wins, &wagered,
		&returned, &lr.stopReason, &s.status, &created, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return s, err
	}
	if err != nil {
		return s, fmt.Errorf("credits: run %s: %w", id, err)
	}
	if !spec.Valid || !start.Valid || !maxRounds.Valid {
		return s, fmt.Errorf("credits: run %s predates resumable runs", id)
	}
	lr.strategyID, lr.spec, lr.start, lr.maxRounds = sid.String, spec.String, money.Amount(start.Int64), maxRounds.Int64
	lr.firstNonce, lr.wagered, lr.returned, lr.created = uint64(first), money.Amount(wagered), money.Amount(returned), time.UnixMicro(created).UTC()
	s.data = []string{data}
	if lr.chunks > 1 {
		rows, err := q.Query(ctx, `SELECT seq, rounds_data FROM strategy_run_chunks WHERE run_id = ? ORDER BY seq`, id)
		if err != nil {
			return s, fmt.Errorf("credits: run %s chunks: %w", id, err)
		}
		defer rows.Close()
		for rows.Next() {
			var seq int
			var d string
			if err := rows.Scan(&seq, &d); err != nil {
				return s, fmt.Errorf("credits: run %s chunks: %w", id, err)
			}
			if seq != len(s.data)+1 {
				return s, fmt.Errorf("credits: run %s: chunk %d where %d was due", id, seq, len(s.data)+1)
			}
			s.data = append(s.data, d)
		}
		if err := rows.Err(); err != nil {
			return s, fmt.Errorf("credits: run %s chunks: %w", id, err)
		}
	}
	if len(s.data) != lr.chunks {
		return s, fmt.Errorf("credits: run %s records %d chunks, %d stored", id, lr.chunks, len(s.data))
	}
	return s, nil
}

// rebuild replays the stored rounds through a new session of the stored strategy (outside any
// write: it is all computation), checking that the session asks for every stored bet, and
// returns the run as it stood after its last committed chunk.
func (s storedLive) rebuild() (*liveRun, error) {
	lr := s.lr
	var err error
	if lr.seed, err = fairness.ParseSeed(s.seed); err != nil {
		return nil, fmt.Errorf("credits: run %s seed: %w", lr.id, err)
	}
	if lr.kind == "advanced" {
		lr.st, err = strategy.DecodeAdvanced([]byte(lr.spec), "strategy")
	} else {
		lr.st, err = strategy.DecodeConfig([]byte(lr.spec), "config")
	}
	if err != nil {
		return nil, fmt.Errorf("credits: run %s strategy: %w", lr.id, err)
	}
	if lr.sess, err = strategy.NewSession(lr.st, lr.start, strategy.Options{MaxRounds: lr.maxRounds}); err != nil {
		return nil, fmt.Errorf("credits: run %s session: %w", lr.id, err)
	}
	sess := lr.sess
	lr.played = make([]RunRound, 0, lr.rounds)
	balance := lr.start
	var executed []string
	var failed error
	for _, d := range s.data {
		err := unpackRounds(d, -1, func(_ int, p packedRound) {
			if failed != nil {
				return
			}
			n := len(lr.played) + 1
			for {
				bet, stop, _ := sess.Next()
				if stop {
					failed = fmt.Errorf("credits: run %s: the session stops before stored round %d", lr.id, n)
					return
				}
				if bet.Skip {
					continue
				}
				if bet.Amount != p.Bet.Amount || int(bet.Target) != p.Bet.Target || bet.Over() != p.Bet.Over {
					failed = fmt.Errorf("credits: run %s: round %d stores %+v, the session bets %+v", lr.id, n, p.Bet, bet)
					return
				}
				break
			}
			if err := sess.Record(strategy.Outcome{Win: p.Win, Payout: p.Payout, Roll: strategy.Hundredths(p.Roll)}); err != nil {
				failed = fmt.Errorf("credits: run %s round %d: %w", lr.id, n, err)
				return
			}
			balance += p.Payout - p.Bet.Amount
			executed = sess.ExecutedRules(executed[:0])
			lr.played = append(lr.played, RunRound{Round: n, Bet: p.Bet, Roll: p.Roll, Win: p.Win, Payout: p.Payout,
				Balance: balance, Nonce: lr.firstNonce + uint64(n-1), Executed: append([]string(nil), executed...)})
		})
		if err == nil {
			err = failed
		}
		if err != nil {
			return nil, fmt.Errorf("credits: run %s: %w", lr.id, err)
		}
	}
	if len(lr.played) != lr.rounds || balance != lr.start-lr.wagered+lr.returned {
		return nil, fmt.Errorf("credits: run %s: %d stored rounds ending at %d, the row records %d ending at %d",
			lr.id, len(lr.played), balance, lr.rounds, lr.start-lr.wagered+lr.returned)
	}
	if s.status == runDone {
		lr.done = true
		sess.Next() // the run's last look, as its last chunk took it
	}
	return &lr, nil
}

// runChunk returns the configured chunk size.
func (s *Service) runChunk() int {
	if s.RunChunk > 0 {
		return s.RunChunk
	}
	return DefaultRunChunk
}

// playOn plays lr's remaining chunks, each its own write, and returns the finished run.
func (s *Service) playOn(ctx context.Context, lr *liveRun) (RunResult, error) {
	wctx := context.WithoutCancel(ctx) // a run the caller stops waiting for still finishes
	budget := s.runChunk()
	for tries := 0; !lr.done; {
		if s.afterChunk != nil {
			if err := s.afterChunk(lr.chunks); err != nil {
				return RunResult{}, err
			}
		}
		var out chunkOut
		err := s.DB.WriteFor(wctx, lr.account, func(ctx context.Context, q store.Q) (err error) {
			out, err = lr.play(ctx, q, store.Now(ctx), budget)
			return err
		})
		switch {
		case err == nil:
			lr, tries = lr.after(out), 0
			continue
		case tries >= 3:
			return RunResult{}, fmt.Errorf("credits: run %s after %d rounds: %w", lr.id, lr.rounds, err)
		case errors.Is(err, errRunMoved), errs.KindOf(err) == errs.InsufficientBalance:
			// Someone else played a chunk, or spent from the account under this one: read it again.
			tries++
			if lr, err = s.loadRun(ctx, lr.account, lr.id); err != nil {
				return RunResult{}, err
			}
		default:
			return RunResult{}, fmt.Errorf("credits: run %s after %d rounds: %w", lr.id, lr.rounds, err)
		}
	}
	return lr.result()
}

// loadRun reads a run and rebuilds its session.
func (s *Service) loadRun(ctx context.Context, account, runID string) (*liveRun, error) {
	var st storedLive
	err := s.read(ctx, func(ctx context.Context, q store.Q) (err error) {
		st, err = loadLive(ctx, q, account, runID)
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errs.NotFoundf("run not found")
	}
	if err != nil {
		return nil, err
	}
	return st.rebuild()
}

// finishRun answers a run by id: a finished one rebuilt from storage, one still running played
// to its end first.
func (s *Service) finishRun(ctx context.Context, account, runID string) (RunResult, error) {
	lr, err := s.loadRun(ctx, account, runID)
	if err != nil {
		return RunResult{}, err
	}
	return s.playOn(ctx, lr)
}

// ResumeRuns finishes the runs still marked running whose last chunk committed more than
// idle ago (their process died, or gave up between chunks), and returns how many it finished.
// Several resumers at once are safe: each chunk commits once.
func (s *Service) ResumeRuns(ctx context.Context, idle time.Duration) (int, error) {
	type ref struct{ id, account string }
	var runs []ref
	cutoff := int64(math.MaxInt64) // idle 0: every running run
	if idle > 0 {
		cutoff = s.Now().Add(-idle).UnixMicro()
	}
	err := s.read(ctx, func(ctx context.Context, q store.Q) error {
		runs = runs[:0]
		rows, err := q.Query(ctx, `SELECT id, account_id FROM strategy_runs WHERE status = 'running' AND updated_at <= ?
			ORDER BY updated_at, id LIMIT 1000`, cutoff)
		if err != nil {
			return fmt.Errorf("credits: running runs: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r ref
			if err := rows.Scan(&r.id, &r.account); err != nil {
				return err
			}
			runs = append(runs, r)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, err
	}
	done := 0
	for _, r := range runs {
		if ctx.Err() != nil {
			break
		}
		res, err := s.finishRun(ctx, r.account, r.id)
		if err != nil {
			if s.Log != nil {
				s.Log.Warn("resume strategy run", "run", r.id, "err", err)
			}
			continue
		}
		done++
		s.publish(r.account, Event{Kind: "run", Run: &res})
	}
	return done, nil
}

// ResumeEvery resumes abandoned runs now and then every period until ctx ends.
func (s *Service) ResumeEvery(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.ResumeRuns(ctx, every); err != nil && s.Log != nil {
			s.Log.Warn("resume strategy runs", "err", err)
		} else if n > 0 && s.Log != nil {
			s.Log.Info("resumed strategy runs", "runs", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refuseWhileRunning refuses to rotate (and so reveal) the player's seed while one of their
// runs is still playing on it: knowing the seed, a player could stop the run before its losses.
func refuseWhileRunning(ctx context.Context, q store.Q, account string) error {
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM strategy_runs WHERE account_id = ? AND status = 'running' LIMIT 1`, account).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("credits: running runs: %w", err)
	}
	return &errs.Error{Kind: errs.Conflict, Code: "RUN_IN_PROGRESS",
		Message: "a strategy run is still playing on this seed; retry when it has finished"}
}
