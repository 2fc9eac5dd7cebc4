package strategy

import "math"

// The advanced-strategy engine: after every settled round the enabled rules are tried in order;
// sequential runs the first whose trigger matches, all_matching runs every one that matches,
// each action seeing the effect of the ones before. A rule in cooldown or at its execution cap
// is passed over. Global stop limits are checked by Next before every round.

// ruleState is one rule in a session: a copy of the compiled rule, kept next to its mutable
// state so that the per-round loop walks one array.
type ruleState struct {
	crule
	gate    int64 // the rule may run once rounds played ≥ gate; MaxInt64 when disabled or exhausted
	enabled bool
	execs   int64 // executions so far
	last    int64 // rounds played at the last execution; -1 for never
	thr     int64 // balance_percent_* triggers: the balance change (micro-units) the percentage stands for
}

// updateGate folds the enabled flag, the execution cap and the cooldown into one number, so the
// per-round loop tests a rule's eligibility with one comparison.
func (st *ruleState) updateGate() {
	switch {
	case !st.enabled || (st.maxExec > 0 && st.execs >= st.maxExec):
		st.gate = math.MaxInt64
	case st.last < 0:
		st.gate = 0
	default:
		st.gate = st.last + st.cooldown + 1 // cooldown c: skip the c rounds after an execution
	}
}

// resetRules restores every rule's enabled state, execution count and cooldown.
func (s *Session) resetRules() {
	for i := range s.rules {
		st := &s.rules[i]
		st.enabled, st.execs, st.last = s.p.enabled[i], 0, -1
		st.updateGate()
	}
}

// threshold turns a balance-percentage trigger into a balance change in micro-units, once per
// session: with start S and percentage v (a Dec), "change·100 > v·S" holds exactly when
// change > floor(v·S / 10^8), and "change·100 ≥ v·S" when change ≥ ceil(v·S / 10^8).
func (r *crule) threshold(start int64) int64 {
	const hundred = 100 * DecScale
	switch r.trig {
	case tBalancePercentAbove, tBalancePercentBelow:
		return mulDiv(r.tv, start, hundred)
	case tBalancePercentChange:
		q := mulDiv(r.tv, start, hundred)
		if cmpProducts(q, hundred, r.tv, start) < 0 {
			q++ // ceil
		}
		return q
	}
	return 0
}

// runRules runs the rule pass after a settled round (see the file comment).
func (s *Session) runRules() {
	s.executed = s.executed[:0]
	p := s.p
	played, pnl := s.played, s.balance-s.start // actions never move money: fixed for the pass
	lastWin := s.hist&1 == 1
	for i := range s.rules {
		st := &s.rules[i]
		if played < st.gate {
			continue
		}
		// The trigger, evaluated inline: this loop is the advanced simulator's hot path.
		v := st.tv
		var hit bool
		switch st.trig {
		case tWin, tLastResultWasWin:
			hit = lastWin
		case tLoss, tLastResultWasLoss:
			hit = !lastWin
		case tStreakWin, tStreakWinAtLeast, tLastNWereWins, tNoLossForN:
			hit = s.streakW >= v
		case tStreakLoss, tStreakLossAtLeast, tLastNWereLosses, tNoWinForN:
			hit = s.streakL >= v
		case tStreakWinExactly:
			hit = s.streakW == v
		case tStreakLossExactly:
			hit = s.streakL == v
		case tEveryNWins:
			hit = lastWin && s.wins%v == 0
		case tEveryNLosses:
			hit = !lastWin && s.losses%v == 0
		case tEveryNRounds:
			hit = played%v == 0
		case tProfitAbove:
			hit = pnl > v
		case tProfitBelow:
			hit = pnl < v
		case tLossAbove:
			hit = -pnl > v
		case tLossBelow:
			hit = -pnl < v
		case tBalanceAbove:
			hit = s.balance > v
		case tBalanceBelow:
			hit = s.balance < v
		case tBalancePercentAbove: // (balance − start)/start × 100 > v, see threshold
			hit = s.start > 0 && pnl > st.thr
		case tBalancePercentBelow: // (start − balance)/start × 100 > v
			hit = s.start > 0 && -pnl > st.thr
		case tBalancePercentChange: // |balance − start|/start × 100 ≥ v
			hit = s.start > 0 && max(pnl, -pnl) >= st.thr
		case tWinRateAbove: // wins/played × 100 > v
			if played < 1<<32 { // both products fit in an int64: v ≤ 100·10^6 < 2^27
				hit = s.wins*100*DecScale > v*played
			} else {
				hit = cmpProducts(s.wins, 100*DecScale, v, played) > 0
			}
		case tWinRateBelow:
			if played < 1<<32 {
				hit = s.wins*100*DecScale < v*played
			} else {
				hit = cmpProducts(s.wins, 100*DecScale, v, played) < 0
			}
		case tWinRateExactly: // |wins/played × 100 − v| < 0.01
			if played < 1<<32 { // keeps the products in range; beyond any real session
				d := s.wins*100*DecScale - v*played
				hit = max(d, -d) < DecScale/100*played
			}
		case tPatternWinLoss:
			hit = played >= st.plen && s.hist&st.pwin == st.pmask
		case tPatternLastN:
			hit = max(s.streakW, s.streakL) >= v
		case tAlternating: // the last v results alternate: every adjacent pair differs
			hit = played >= v && ^(s.hist^s.hist>>1)&st.pwin == 0
		case tTotalWinsEquals:
			hit = s.wins == v
		case tTotalLossesEquals:
			hit = s.losses == v
		case tRoundsEquals:
			hit = played == v
		}
		if !hit {
			continue
		}
		s.executed = append(s.executed, int32(i))
		s.apply(&st.crule)
		st.execs++
		st.last = played
		st.updateGate()
		if !p.all || s.stopped {
			break
		}
	}
}

// apply runs a rule's action, then keeps the bet and the target within bounds.
func (s *Session) apply(r *crule) {
	p := s.p
	const hundred = 100 * DecScale
	v := r.av
	switch r.act {
	case aIncreaseBetPercent:
		s.bet = mulDiv(s.bet, hundred+v, hundred)
	case aDecreaseBetPercent:
		s.bet = mulDiv(s.bet, hundred-v, hundred)
	case aMultiplyBet:
		s.bet = mulDiv(s.bet, v, DecScale)
	case aDivideBet:
		s.bet = mulDiv(s.bet, DecScale, v)
	case aIncreaseBetAbsolute:
		s.bet = satAdd(s.bet, v)
	case aDecreaseBetAbsolute:
		s.bet = satAdd(s.bet, -v)
	case aSetBetAbsolute:
		s.bet = v
	case aSetBetPercentOfBalance:
		s.bet = mulDiv(s.balance, v, hundred)
	case aSetBetPercentOfBase:
		s.bet = mulDiv(p.base, v, hundred)
	case aResetBet:
		s.bet = p.base
	case aDoubleBet:
		s.bet = satAdd(s.bet, s.bet)
	case aHalveBet:
		s.bet /= 2
	case aTripleBet:
		s.bet = mulDiv(s.bet, 3, 1)
	case aMaxBet:
		s.bet = p.maxBet
	case aMinBet:
		s.bet = p.minBet
	case aSwitchOverUnder:
		s.over = !s.over
		s.target = 10000 - s.target
	case aSetOver:
		s.over = true
	case aSetUnder:
		s.over = false
	case aInvertTarget:
		s.target = 10000 - s.target
	case aSetTargetAbsolute:
		s.target = Hundredths(v)
	case aIncreaseTarget:
		s.target += Hundredths(v)
	case aDecreaseTarget:
		s.target -= Hundredths(v)
	case aDoubleTarget:
		s.target *= 2
	case aHalveTarget:
		s.target /= 2
	case aStop:
		s.stopped, s.reason = true, ReasonStopAction
	case aPauseNRounds:
		s.pause = v
	case aSkipNextBet:
		s.pause = max(s.pause, 1)
	case aResetAllRules:
		s.resetRules()
	case aExecuteRule:
		// Validation refuses loops, so the chain ends within len(rules) steps.
		s.executed = append(s.executed, int32(r.ref))
		s.apply(&s.rules[r.ref].crule)
	case aEnableRule:
		s.rules[r.ref].enabled = true
		s.rules[r.ref].updateGate()
	case aDisableRule:
		s.rules[r.ref].enabled = false
		s.rules[r.ref].updateGate()
	}
	s.bet = max(p.minBet, min(s.bet, p.maxBet))
	s.target = clampTarget(s.target, s.over)
}
