package strategy

import (
	"sort"
)

// Strategy is what a Session plays: a basic Config or an *Advanced strategy.
type Strategy interface {
	// Validate checks the strategy; field prefixes the names in its errors.
	Validate(field string) error
	compile() *program
}

var (
	_ Strategy = Config{}
	_ Strategy = (*Advanced)(nil)
)

// program is the immutable, validated form of a Strategy that sessions run. The simulator
// shares one program between all its sessions.
type program struct {
	advanced bool
	base     int64 // base stake, micro-units (whole credits)
	target   Hundredths
	over     bool
	minStake int64 // whole credits
	maxStake int64 // whole credits
	minBet   int64 // minStake in micro-units
	maxBet   int64 // maxStake in micro-units

	// stop limits; 0 is "not set"
	anyLimit    bool // any limit other than maxRounds is set
	maxRounds   int64
	balBelow    int64
	balAbove    int64
	stopLosses  int64
	stopWins    int64
	profitAbove int64
	lossAbove   int64

	// basic progressions
	prog  Progression
	maxCL int64
	maxCW int64
	unit  int64 // d'Alembert unit, micro-units (whole credits)
	line  []int64
	w     int64 // winning rolls of the (fixed) basic bet

	// advanced rules, sorted by order
	all     bool
	rules   []crule
	enabled []bool // initial enabled state
}

// crule is a compiled rule: codes and values in the units the engine uses.
type crule struct {
	trig     trigCode
	act      actCode
	tv       int64  // counts as integers; credits in micro-units; percentages as Dec
	av       int64  // percentages, factors and credits as Dec; targets in hundredths; rounds as integers
	ref      int    // execute/enable/disable_rule: index of the target rule (sorted order)
	cooldown int64  // rounds skipped after an execution
	maxExec  int64  // execution cap; 0: none
	pmask    uint64 // pattern_win_loss: bit k is the result k rounds ago (1 = win)
	pwin     uint64 // pattern_win_loss: the pattern's window (plen low bits); alternating: v−1 low bits
	plen     int64  // pattern_win_loss: pattern length
	id       string
}

func (c Config) compile() *program {
	p := &program{
		base:     int64(c.Amount),
		target:   c.Target,
		over:     c.Condition == Over,
		minStake: MinStakeCredits,
		maxStake: MaxStakeCredits,
		prog:     c.ProgressionType,
		maxCL:    c.MaxConsecutiveLosses,
		maxCW:    c.MaxConsecutiveWins,

		maxRounds: c.StopAfterRounds,
		balBelow:  int64(c.StopIfBalanceBelow),
		balAbove:  int64(c.StopIfBalanceAbove),
	}
	if p.prog == "" {
		p.prog = Flat
	}
	if c.MaxPlay > 0 {
		p.maxStake = min(p.maxStake, int64(c.MaxPlay)/micro)
	}
	if p.maxCL == 0 {
		p.maxCL = DefaultMaxConsecutiveLosses
	}
	if p.maxCW == 0 {
		p.maxCW = DefaultMaxConsecutiveWins
	}
	step := int64(c.UnitStep)
	if step == 0 {
		step = DecScale
	}
	p.unit = max(1, mulDiv(p.base/micro, step, DecScale)) * micro
	p.line = DefaultLabouchereLine
	if len(c.LabouchereLine) > 0 {
		p.line = c.LabouchereLine
	}
	p.w = winningRolls(p.target, p.over)
	p.minBet, p.maxBet = p.minStake*micro, p.maxStake*micro
	p.setAnyLimit()
	return p
}

func (p *program) setAnyLimit() {
	p.anyLimit = p.balBelow > 0 || p.balAbove > 0 || p.stopLosses > 0 || p.stopWins > 0 ||
		p.profitAbove > 0 || p.lossAbove > 0
}

func (a *Advanced) compile() *program {
	l := a.GlobalLimits
	p := &program{
		advanced: true,
		base:     int64(a.BaseConfig.Amount),
		target:   a.BaseConfig.Target,
		over:     a.BaseConfig.Condition == Over,
		minStake: max(MinStakeCredits, int64(l.MinBet)/micro),
		maxStake: MaxStakeCredits,
		all:      a.ExecutionMode == AllMatching,

		maxRounds:   l.MaxRounds,
		balBelow:    int64(l.StopIfBalanceBelow),
		balAbove:    int64(l.StopIfBalanceAbove),
		stopLosses:  l.StopOnConsecutiveLosses,
		stopWins:    l.StopOnConsecutiveWins,
		profitAbove: int64(l.StopOnProfitAbove),
		lossAbove:   int64(l.StopOnLossAbove),
	}
	if l.MaxBet > 0 {
		p.maxStake = min(p.maxStake, int64(l.MaxBet)/micro)
	}
	p.minStake = min(p.minStake, p.maxStake)
	p.minBet, p.maxBet = p.minStake*micro, p.maxStake*micro
	p.w = winningRolls(p.target, p.over)
	p.setAnyLimit()

	// Rules run by ascending order; equal orders keep their position in the list.
	idx := make([]int, len(a.Rules))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return a.Rules[idx[i]].Order < a.Rules[idx[j]].Order })
	pos := make(map[string]int, len(idx))
	for k, i := range idx {
		pos[a.Rules[i].ID] = k
	}
	p.rules = make([]crule, len(idx))
	p.enabled = make([]bool, len(idx))
	for k, i := range idx {
		r := &a.Rules[i]
		tc, _ := triggerCode(r.Trigger.Type)
		ac, _ := actionCode(r.Action.Type)
		cr := crule{id: r.ID, trig: tc, act: ac, cooldown: r.CooldownRounds, maxExec: r.MaxExecutions, ref: -1}
		if v := r.Trigger.Value; v != nil {
			cr.tv = int64(*v)
			if Triggers[tc].Value.Kind == KindCount {
				cr.tv = v.Int()
			}
		}
		if tc == tAlternating {
			if r.Trigger.Value == nil {
				cr.tv = 4
			}
			cr.pwin = 1<<uint(cr.tv-1) - 1
		}
		if tc == tPatternWinLoss {
			pat := r.Trigger.Pattern
			cr.plen = int64(len(pat))
			cr.pwin = 1<<uint(len(pat)) - 1 // all ones for 64
			for b := 0; b < len(pat); b++ {
				if pat[len(pat)-1-b] == 'W' {
					cr.pmask |= 1 << uint(b)
				}
			}
		}
		if v := r.Action.Value; v != nil {
			cr.av = int64(*v)
			switch Actions[ac].Value.Kind {
			case KindCount:
				cr.av = v.Int()
			case KindTarget:
				cr.av = int64(*v) / (DecScale / 100)
			}
		}
		if Actions[ac].Value.Kind == KindRuleID {
			cr.ref = pos[r.Action.TargetRuleID]
		}
		p.rules[k] = cr
		p.enabled[k] = r.Enabled
	}
	return p
}
