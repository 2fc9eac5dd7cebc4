package strategy

import (
	"errors"
	"math"
	"math/bits"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
)

// Stop reasons returned by Session.Next.
const (
	ReasonMaxRounds            = "max_rounds"             // the round budget is spent
	ReasonBalanceBelow         = "balance_below"          // balance < stopIfBalanceBelow
	ReasonBalanceAbove         = "balance_above"          // balance ≥ stopIfBalanceAbove
	ReasonInsufficientBalance  = "insufficient_balance"   // the balance cannot cover the smallest allowed stake
	ReasonMaxConsecutiveLosses = "max_consecutive_losses" // globalLimits.stopOnConsecutiveLosses
	ReasonMaxConsecutiveWins   = "max_consecutive_wins"   // globalLimits.stopOnConsecutiveWins
	ReasonProfitAbove          = "profit_above"           // globalLimits.stopOnProfitAbove
	ReasonLossAbove            = "loss_above"             // globalLimits.stopOnLossAbove
	ReasonStopAction           = "stop_action"            // a rule's stop action
)

// Errors of Session.Record.
var (
	ErrNoPendingBet = errors.New("strategy: Record without a bet from Next")
	ErrBadOutcome   = errors.New("strategy: outcome payout is negative or a loss pays")
)

// Options tune a session beyond its strategy.
type Options struct {
	// MaxRounds caps the rounds of this run (the runner's maxRounds); 0 means no cap beyond the
	// strategy's own. Reaching it stops with ReasonMaxRounds.
	MaxRounds int64
}

// Session is one run of a strategy: the state that decides each next bet. The caller loops
//
//	for {
//		bet, stop, reason := s.Next()
//		if stop { break }           // reason says why
//		if bet.Skip { continue }    // a paused round: no bet
//		outcome := settle(bet)      // move money, roll the dice
//		s.Record(outcome)
//	}
//
// A Session never moves money and has no clock; it is deterministic given its outcomes. It is
// not safe for concurrent use. Next and Record do not allocate.
type Session struct {
	p         *program
	maxRounds int64

	start, balance     int64 // micro-units
	peak, low, maxDD   int64
	turnover           int64
	steps, played      int64 // rounds taken (with pauses) and bets settled
	wins, losses       int64
	streakW, streakL   int64
	longestW, longestL int64
	hist               uint64 // bit k: the result k bets ago, 1 = win
	bet                int64  // working bet, micro-units (exact; the stake is it rounded down)
	target             Hundredths
	over               bool
	pause              int64
	pending            bool
	stake              int64
	stopped            bool
	reason             string
	consL, consW       int64 // martingale, paroli
	fib                int   // fibonacci index
	oscarP             int64 // oscar cycle profit, micro-units
	line               []int64
	lineHead           int
	rules              []ruleState // per rule, in program order
	executed           []int32     // rules run after the last Record (sorted indexes)
	payKey             payKey      // settle's one-entry payout cache
	payout             int64
}

// NewSession starts a session of st with the given balance. The strategy is validated first,
// so a strategy built in Go gets the same checks as a decoded one.
func NewSession(st Strategy, balance money.Amount, opts Options) (*Session, error) {
	if st == nil {
		return nil, errs.Missing("strategy")
	}
	if err := st.Validate(""); err != nil {
		return nil, err
	}
	if balance < 0 {
		return nil, errs.Invalid("balance", "must not be negative")
	}
	if opts.MaxRounds < 0 {
		return nil, errs.Invalid("maxRounds", "must not be negative")
	}
	s := newSession(st.compile())
	s.reset(int64(balance), opts.MaxRounds)
	return s, nil
}

// newSession allocates a session for p; reset starts it.
func newSession(p *program) *Session {
	s := new(Session)
	s.init(p)
	return s
}

// init prepares s, wherever it is allocated, to run p.
func (s *Session) init(p *program) {
	*s = Session{p: p}
	if p.advanced {
		n := len(p.rules)
		s.rules = make([]ruleState, n)
		for i := range s.rules {
			s.rules[i].crule = p.rules[i]
		}
		s.executed = make([]int32, 0, 2*n)
	} else if p.prog == Labouchere {
		s.line = make([]int64, 0, 4*maxRunningLine)
	}
}

// reset restarts the session with a balance, reusing its memory.
func (s *Session) reset(balance, maxRounds int64) {
	p := s.p
	*s = Session{
		p: p, line: s.line[:0], rules: s.rules, executed: s.executed[:0],
		start: balance, balance: balance, peak: balance, low: balance,
		bet: p.base, target: p.target, over: p.over,
	}
	s.maxRounds = p.maxRounds
	if maxRounds > 0 && (s.maxRounds == 0 || maxRounds < s.maxRounds) {
		s.maxRounds = maxRounds
	}
	if p.advanced {
		s.resetRules()
		for i := range s.rules {
			s.rules[i].thr = s.rules[i].threshold(balance)
		}
	}
	if p.prog == Labouchere {
		s.line = append(s.line, p.line...)
		s.bet = s.lineBet()
	}
}

// Clone returns an independent copy of s: a strategy run keeps the session of its last
// committed round and lets each chunk's write play a copy, so a write that runs again (a retry,
// the double-run mode) starts from the same state.
func (s *Session) Clone() *Session {
	c := *s
	c.line = append(make([]int64, 0, cap(s.line)), s.line...)
	c.rules = append([]ruleState(nil), s.rules...)
	c.executed = append(make([]int32, 0, cap(s.executed)), s.executed...)
	return &c
}

// Next returns the next bet, or stop with the reason the session ends. A stopped session stays
// stopped. Called again before Record, it returns the same pending bet.
func (s *Session) Next() (Bet, bool, string) {
	switch s.step() {
	case stepStop:
		return Bet{}, true, s.reason
	case stepSkip:
		return Bet{Target: s.target, Condition: conditionOf(s.over), Skip: true}, false, ""
	}
	return s.pendingBet(), false, ""
}

// Results of step.
const (
	stepBet = iota
	stepSkip
	stepStop
)

// step decides the next round: a bet (s.stake, s.target, s.over), a skipped round or a stop
// (s.reason). It is Next without building a Bet, for the simulator's loop.
func (s *Session) step() int {
	if s.stopped {
		return stepStop
	}
	if s.pending {
		return stepBet
	}
	if r := s.limitReason(); r != "" {
		s.stopped, s.reason = true, r
		return stepStop
	}
	if s.pause > 0 {
		s.pause--
		s.steps++
		return stepSkip
	}
	avail := s.balance / micro
	if avail < s.p.minStake {
		s.stopped, s.reason = true, ReasonInsufficientBalance
		return stepStop
	}
	stake := max(s.p.minStake, min(s.bet/micro, s.p.maxStake, avail))
	s.steps++
	s.pending = true
	s.stake = stake * micro
	return stepBet
}

// settle resolves the pending bet against a roll, as Bet.Resolve does, remembering the last
// payout computed: a strategy's stake and target rarely change, so the 128-bit division is
// mostly skipped. The cached value is the same exact function of the same inputs.
func (s *Session) settle(roll int) (win bool, payout int64, err error) {
	if !fairness.CreditDiceWins(roll, int(s.target), s.over) {
		return false, 0, nil
	}
	if s.payKey != (payKey{s.stake, s.target, s.over}) {
		p, err := fairness.CreditDicePayout(s.stake, int(s.target), s.over)
		if err != nil {
			return false, 0, err
		}
		s.payKey, s.payout = payKey{s.stake, s.target, s.over}, p
	}
	return true, s.payout, nil
}

type payKey struct {
	stake  int64
	target Hundredths
	over   bool
}

func (s *Session) pendingBet() Bet {
	return Bet{Amount: money.Amount(s.stake), Target: s.target, Condition: conditionOf(s.over)}
}

// limitReason checks the stop limits, before every round.
func (s *Session) limitReason() string {
	if s.maxRounds > 0 && s.steps >= s.maxRounds {
		return ReasonMaxRounds
	}
	p := s.p
	if !p.anyLimit {
		return ""
	}
	pnl := s.balance - s.start
	switch {
	case p.balBelow > 0 && s.balance < p.balBelow:
		return ReasonBalanceBelow
	case p.balAbove > 0 && s.balance >= p.balAbove:
		return ReasonBalanceAbove
	case p.stopLosses > 0 && s.streakL >= p.stopLosses:
		return ReasonMaxConsecutiveLosses
	case p.stopWins > 0 && s.streakW >= p.stopWins:
		return ReasonMaxConsecutiveWins
	case p.profitAbove > 0 && pnl >= p.profitAbove:
		return ReasonProfitAbove
	case p.lossAbove > 0 && -pnl >= p.lossAbove:
		return ReasonLossAbove
	}
	return ""
}

// Record settles the bet Next returned with its outcome and decides the following bet.
func (s *Session) Record(o Outcome) error {
	if !s.pending {
		return ErrNoPendingBet
	}
	payout := int64(o.Payout)
	if payout < 0 || (!o.Win && payout != 0) {
		return ErrBadOutcome
	}
	s.record(o.Win, payout)
	return nil
}

// record is Record after its checks.
func (s *Session) record(win bool, payout int64) {
	s.pending = false
	stake := s.stake
	s.balance = satAdd(s.balance-stake, payout)
	s.turnover = satAdd(s.turnover, stake)
	s.played++
	s.hist <<= 1
	if win {
		s.hist |= 1
		s.wins++
		s.streakW++
		s.streakL = 0
		s.longestW = max(s.longestW, s.streakW)
	} else {
		s.losses++
		s.streakL++
		s.streakW = 0
		s.longestL = max(s.longestL, s.streakL)
	}
	if s.balance > s.peak {
		s.peak = s.balance
	}
	if s.balance < s.low {
		s.low = s.balance
	}
	if dd := s.peak - s.balance; dd > s.maxDD {
		s.maxDD = dd
	}
	if s.p.advanced {
		s.runRules()
	} else {
		s.progress(win, stake, payout)
	}
}

// Stats is a snapshot of a session.
type Stats struct {
	Rounds            int64         `json:"rounds"`       // rounds taken, paused ones included
	RoundsPlayed      int64         `json:"roundsPlayed"` // bets settled
	Wins              int64         `json:"wins"`
	Losses            int64         `json:"losses"`
	StartingBalance   money.Decimal `json:"startingBalance"`
	Balance           money.Decimal `json:"balance"`
	PnL               money.Decimal `json:"pnl"`
	PeakBalance       money.Decimal `json:"peakBalance"`
	MinBalance        money.Decimal `json:"minBalance"`
	MaxDrawdown       money.Decimal `json:"maxDrawdown"`
	Turnover          money.Decimal `json:"turnover"`
	WinStreak         int64         `json:"winStreak"`
	LossStreak        int64         `json:"lossStreak"`
	LongestWinStreak  int64         `json:"longestWinStreak"`
	LongestLossStreak int64         `json:"longestLossStreak"`
	Bet               money.Decimal `json:"bet"` // the working bet (exact, before rounding)
	Target            Hundredths    `json:"target"`
	Condition         Condition     `json:"condition"`
	Stopped           bool          `json:"stopped"`
	StopReason        string        `json:"stopReason,omitempty"`
}

// Stats returns a snapshot of the session's state.
func (s *Session) Stats() Stats {
	return Stats{
		Rounds: s.steps, RoundsPlayed: s.played, Wins: s.wins, Losses: s.losses,
		StartingBalance: money.Amount(s.start).Decimal(), Balance: money.Amount(s.balance).Decimal(),
		PnL: (money.Amount(s.balance - s.start)).Decimal(), PeakBalance: money.Amount(s.peak).Decimal(),
		MinBalance: money.Amount(s.low).Decimal(), MaxDrawdown: money.Amount(s.maxDD).Decimal(), Turnover: money.Amount(s.turnover).Decimal(),
		WinStreak: s.streakW, LossStreak: s.streakL, LongestWinStreak: s.longestW, LongestLossStreak: s.longestL,
		Bet: money.Amount(s.bet).Decimal(), Target: s.target, Condition: conditionOf(s.over),
		Stopped: s.stopped, StopReason: s.reason,
	}
}

// ExecutedRules appends to dst the ids of the rules that ran after the last Record, in the
// order they ran (an execute_rule's target follows it).
func (s *Session) ExecutedRules(dst []string) []string {
	for _, i := range s.executed {
		dst = append(dst, s.rules[i].id)
	}
	return dst
}

// Basic progressions. Bets are kept in micro-units but are always whole credits here.

// fibSeq is the Fibonacci sequence 1, 1, 2, 3, 5, … up to the largest term below 2^62.
var fibSeq = func() []int64 {
	f := []int64{1, 1}
	for {
		n := f[len(f)-1] + f[len(f)-2]
		if n > 1<<62 {
			return f
		}
		f = append(f, n)
	}
}()

// maxRunningLine bounds the labouchere line: a line that grows past it is abandoned and the
// cycle restarts, as martingale's loss cap does, so memory stays bounded.
const maxRunningLine = 1024

func (s *Session) progress(win bool, stake, payout int64) {
	p := s.p
	base, limit := p.base, p.maxBet
	switch p.prog {
	case Flat:
		s.bet = base
	case Martingale:
		if win {
			s.bet, s.consL = base, 0
			return
		}
		s.consL++
		if s.consL >= p.maxCL {
			s.bet, s.consL = base, 0
			return
		}
		s.bet = min(satAdd(s.bet, s.bet), limit)
	case Paroli:
		if !win {
			s.bet, s.consW = base, 0
			return
		}
		s.consW++
		if s.consW >= p.maxCW {
			s.bet, s.consW = base, 0
			return
		}
		s.bet = min(satAdd(s.bet, s.bet), limit)
	case DAlembert:
		if win {
			s.bet = max(base, s.bet-p.unit)
		} else {
			s.bet = min(satAdd(s.bet, p.unit), limit)
		}
	case Fibonacci:
		if win {
			s.fib = max(0, s.fib-2)
		} else {
			s.fib = min(s.fib+1, len(fibSeq)-1)
		}
		s.bet = min(mulDiv(base, fibSeq[s.fib], 1), limit)
	case Labouchere:
		s.labouchere(win)
	case Oscar:
		s.oscar(win, stake, payout)
	case Kelly:
		s.kelly()
	}
}

// lineBet is base × (first + last) of the labouchere line (the single entry when it has one).
func (s *Session) lineBet() int64 {
	l := s.line[s.lineHead:]
	units := l[0]
	if len(l) > 1 {
		units += l[len(l)-1]
	}
	return min(mulDiv(s.p.base, units, 1), s.p.maxBet)
}

func (s *Session) labouchere(win bool) {
	l := s.line[s.lineHead:]
	if win {
		if len(l) <= 2 {
			s.lineHead = len(s.line)
		} else {
			s.lineHead++
			s.line = s.line[:len(s.line)-1]
		}
	} else {
		units := l[0]
		if len(l) > 1 {
			units += l[len(l)-1]
		}
		if s.lineHead > 0 && len(s.line) == cap(s.line) {
			n := copy(s.line, s.line[s.lineHead:])
			s.line, s.lineHead = s.line[:n], 0
		}
		s.line = append(s.line, units)
	}
	if n := len(s.line) - s.lineHead; n == 0 || n > maxRunningLine {
		s.line = append(s.line[:0], s.p.line...)
		s.lineHead = 0
	}
	s.bet = s.lineBet()
}

// oscar is Oscar's Grind: one unit is the base bet. After a loss the bet stays. After a win the
// cycle ends if its profit reached one unit; otherwise the bet grows by one unit, but never
// beyond the smallest whole-credit stake whose win would bring the cycle to one unit of profit.
func (s *Session) oscar(win bool, stake, payout int64) {
	p := s.p
	s.oscarP = satAdd(s.oscarP, payout-stake)
	if !win {
		return
	}
	unit := p.base
	if s.oscarP >= unit {
		s.oscarP, s.bet = 0, unit
		return
	}
	next := min(satAdd(s.bet, unit), p.maxBet)
	if need := oscarStake(unit-s.oscarP, p.target, p.over, p.w); need < next {
		next = need
	}
	s.bet = max(next, micro)
}

// oscarStake returns the smallest whole-credit stake (in micro-units) whose win nets at least
// need micro-units at this target, or MaxInt64 when no stake can (the multiplier is at most 1).
func oscarStake(need int64, t Hundredths, over bool, w int64) int64 {
	if w >= returnBP || need <= 0 {
		if need <= 0 {
			return micro
		}
		return math.MaxInt64
	}
	// net(s credits) = floor(s·10^6·9700/W) − s·10^6 ≥ need; start from the real-valued
	// bound ceil(need·W / (10^6·(9700−W))) and step up past the rounding of the payout.
	hi, lo := bits.Mul64(uint64(need), uint64(w))
	den := uint64(micro) * uint64(returnBP-w)
	if hi >= den {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, den)
	if r != 0 {
		q++
	}
	if q > MaxStakeCredits {
		return math.MaxInt64
	}
	st := int64(max(q, 1))
	for range 4 {
		if mulDiv(st*micro, returnBP, w)-st*micro >= need {
			break
		}
		st++
	}
	return st * micro
}

// kelly sizes the bet at a quarter of the Kelly fraction estimated from the last 20 results:
// with k wins in n ≥ 5 results, f = (9700·k − n·W) / (4·n·(9700 − W)), capped at 1/2; the bet is
// max(base, floor(balance × f)) when f > 0, else the base.
func (s *Session) kelly() {
	p := s.p
	s.bet = p.base
	n := min(s.played, kellyWindow)
	if n < kellyMinResults || p.w >= returnBP {
		return
	}
	k := int64(bits.OnesCount64(s.hist & (1<<uint(n) - 1)))
	num := returnBP*k - n*p.w
	if num <= 0 {
		return
	}
	den := 4 * n * (returnBP - p.w)
	var kb int64
	if 2*num >= den {
		kb = s.balance / 2
	} else {
		kb = mulDiv(s.balance, num, den)
	}
	kb = kb / micro * micro
	s.bet = max(p.base, min(kb, p.maxBet))
}

const (
	kellyWindow     = 20
	kellyMinResults = 5
)
