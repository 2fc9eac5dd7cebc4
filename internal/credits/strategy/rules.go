package strategy

// The advanced-strategy engine: after every settled round the enabled rules are tried in order;
// sequential runs the first whose trigger matches, all_matching runs every one that matches,
// each action seeing the effect of the ones before. A rule in cooldown or at its execution cap
// is passed over. Global stop limits are checked by Next before every round.

// ruleState is the mutable state of one rule in a session.
type ruleState struct {
	enabled bool
	execs   int64 // executions so far
	last    int64 // rounds played at the last execution; -1 for never
	thr     int64 // balance_percent_* triggers: the balance change (micro-units) the percentage stands for
}

// resetRules restores every rule's enabled state, execution count and cooldown.
func (s *Session) resetRules() {
	for i := range s.rules {
		st := &s.rules[i]
		st.enabled, st.execs, st.last = s.p.enabled[i], 0, -1
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

func (s *Session) runRules() {
	s.executed = s.executed[:0]
	p := s.p
	rules := p.rules[:len(s.rules)]
	for i := range s.rules {
		st, r := &s.rules[i], &rules[i]
		if !st.enabled ||
			(r.maxExec > 0 && st.execs >= r.maxExec) ||
			(st.last >= 0 && s.played-st.last <= r.cooldown) ||
			!s.fires(r, st.thr) {
			continue
		}
		s.executed = append(s.executed, int32(i))
		s.apply(r)
		st.execs++
		st.last = s.played
		if !p.all || s.stopped {
			break
		}
	}
}

// fires evaluates a trigger on the state after the round just recorded.
func (s *Session) fires(r *crule, thr int64) bool {
	v := r.tv
	lastWin := s.hist&1 == 1
	pnl := s.balance - s.start
	switch r.trig {
	case tWin, tLastResultWasWin:
		return lastWin
	case tLoss, tLastResultWasLoss:
		return !lastWin
	case tStreakWin, tStreakWinAtLeast, tLastNWereWins, tNoLossForN:
		return s.streakW >= v
	case tStreakLoss, tStreakLossAtLeast, tLastNWereLosses, tNoWinForN:
		return s.streakL >= v
	case tStreakWinExactly:
		return s.streakW == v
	case tStreakLossExactly:
		return s.streakL == v
	case tEveryNWins:
		return lastWin && s.wins%v == 0
	case tEveryNLosses:
		return !lastWin && s.losses%v == 0
	case tEveryNRounds:
		return s.played%v == 0
	case tProfitAbove:
		return pnl > v
	case tProfitBelow:
		return pnl < v
	case tLossAbove:
		return -pnl > v
	case tLossBelow:
		return -pnl < v
	case tBalanceAbove:
		return s.balance > v
	case tBalanceBelow:
		return s.balance < v
	case tBalancePercentAbove: // (balance − start)/start × 100 > v
		return s.start > 0 && pnl > thr
	case tBalancePercentBelow: // (start − balance)/start × 100 > v
		return s.start > 0 && -pnl > thr
	case tBalancePercentChange: // |balance − start|/start × 100 ≥ v
		return s.start > 0 && max(pnl, -pnl) >= thr
	case tWinRateAbove: // wins/played × 100 > v
		return s.winRateCmp(v) > 0
	case tWinRateBelow:
		return s.winRateCmp(v) < 0
	case tWinRateExactly: // |wins/played × 100 − v| < 0.01
		if s.played >= 1<<32 {
			return false // beyond any real session; keeps the products below in range
		}
		d := s.wins*100*DecScale - v*s.played
		return max(d, -d) < DecScale/100*s.played
	case tPatternWinLoss:
		return s.histLen() >= int64(r.plen) && s.hist&(1<<r.plen-1) == r.pmask
	case tPatternLastN:
		return max(s.streakW, s.streakL) >= v
	case tAlternating: // the last v results alternate: every adjacent pair differs
		return s.histLen() >= v && ^(s.hist^s.hist>>1)&(1<<uint(v-1)-1) == 0
	case tTotalWinsEquals:
		return s.wins == v
	case tTotalLossesEquals:
		return s.losses == v
	case tRoundsEquals:
		return s.played == v
	}
	return false
}

// winRateCmp compares the win rate wins/played × 100 with the percentage v (a Dec).
func (s *Session) winRateCmp(v int64) int {
	if s.played < 1<<32 { // both products fit in an int64: v ≤ 100·10^6 < 2^27
		a, b := s.wins*100*DecScale, v*s.played
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	return cmpProducts(s.wins, 100*DecScale, v, s.played)
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
		s.bet = p.maxStake * micro
	case aMinBet:
		s.bet = p.minStake * micro
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
		s.apply(&p.rules[r.ref])
	case aEnableRule:
		s.rules[r.ref].enabled = true
	case aDisableRule:
		s.rules[r.ref].enabled = false
	}
	s.bet = max(p.minStake*micro, min(s.bet, p.maxStake*micro))
	s.target = clampTarget(s.target, s.over)
}
