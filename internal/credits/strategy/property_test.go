package strategy

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/arcadehq/arcade/fairness"
)

// randomValue returns a valid value for a vocabulary entry's spec.
func randomValue(r *rand.Rand, s ValueSpec) *Dec {
	var v Dec
	switch s.Kind {
	case KindCount:
		v = D(1 + r.Int64N(8))
	case KindCredits:
		v = Dec(r.Int64N(3000 * DecScale))
	case KindPercent:
		v = Dec(r.Int64N(120 * DecScale))
	case KindFactor:
		v = Dec(1 + r.Int64N(5*DecScale))
	case KindTarget:
		v = Dec(r.Int64N(10000)) * (DecScale / 100)
	default:
		return nil
	}
	if v < s.Min {
		v = s.Min
	}
	if s.Max > 0 && v > s.Max {
		v = s.Max
	}
	if s.Positive && v == 0 {
		v = 1
	}
	return &v
}

// randomAdvanced builds a valid advanced strategy from random rules over the whole vocabulary.
func randomAdvanced(r *rand.Rand) *Advanced {
	n := 1 + r.IntN(8)
	a := &Advanced{
		Name:          "random",
		BaseConfig:    BaseConfig{Amount: credits(1 + r.Int64N(200)), Condition: Over},
		ExecutionMode: Sequential,
	}
	if r.IntN(2) == 0 {
		a.ExecutionMode = AllMatching
	}
	if r.IntN(2) == 0 {
		a.BaseConfig.Condition = Under
	}
	a.BaseConfig.Target = clampTarget(Hundredths(r.IntN(10000)), a.BaseConfig.Condition == Over)
	if r.IntN(3) == 0 {
		a.GlobalLimits.MinBet = credits(1 + r.Int64N(20))
		a.GlobalLimits.MaxBet = a.GlobalLimits.MinBet + credits(r.Int64N(5000))
	}
	if r.IntN(3) == 0 {
		a.GlobalLimits.StopOnConsecutiveLosses = 1 + r.Int64N(20)
	}
	for i := range n {
		tc := Triggers[r.IntN(len(Triggers))]
		ac := Actions[r.IntN(len(Actions))]
		rule := Rule{ID: "r" + strconv.Itoa(i), Order: r.Int64N(5), Enabled: r.IntN(5) != 0,
			Trigger: Trigger{Type: tc.Type, Value: randomValue(r, tc.Value)}, Action: Action{Type: ac.Type, Value: randomValue(r, ac.Value)},
			CooldownRounds: r.Int64N(3), MaxExecutions: r.Int64N(4)}
		if tc.Value.Kind == KindPattern {
			p := make([]byte, 1+r.IntN(6))
			for k := range p {
				p[k] = "WL"[r.IntN(2)]
			}
			rule.Trigger.Pattern = string(p)
		}
		if ac.Value.Kind == KindRuleID {
			// Forward references only, so that execute_rule chains never loop.
			if i == n-1 {
				rule.Action = Action{Type: "halve_bet"}
			} else {
				rule.Action.TargetRuleID = "r" + strconv.Itoa(i+1+r.IntN(n-i-1))
			}
		}
		a.Rules = append(a.Rules, rule)
	}
	return a
}

func randomConfig(r *rand.Rand) Config {
	c := Config{
		Amount: credits(1 + r.Int64N(300)), Condition: Over,
		ProgressionType: Progressions[r.IntN(len(Progressions))],
	}
	if r.IntN(2) == 0 {
		c.Condition = Under
	}
	c.Target = clampTarget(Hundredths(r.IntN(10000)), c.Condition == Over)
	if r.IntN(2) == 0 {
		c.MaxPlay = credits(1 + r.Int64N(10000))
	}
	if r.IntN(2) == 0 {
		c.MaxConsecutiveLosses = 1 + r.Int64N(15)
	}
	if r.IntN(2) == 0 {
		c.UnitStep = Dec(1 + r.Int64N(3*DecScale))
	}
	return c
}

// No session ever bets more than its balance, less than 1 credit or more than 10000 credits, or
// at a target no roll can win; the balance never goes negative; every outcome is settled with
// the platform's payout rule.
func TestPropertyStakesWithinLimits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	strategies := 1000
	if testing.Short() {
		strategies = 60
	}
	g := fairness.NewGenerator(SessionSeed([]byte("property"), 0))
	var nonce uint64
	for i := range strategies {
		var st Strategy
		if i%2 == 0 {
			st = randomConfig(r)
		} else {
			st = randomAdvanced(r)
		}
		if err := st.Validate(""); err != nil {
			t.Fatalf("generator built an invalid strategy: %v\n%+v", err, st)
		}
		balance := 1 + r.Int64N(5000)
		s := mustSession(t, st, balance)
		for round := 0; round < 600; round++ {
			bet, stop, reason := s.Next()
			if stop {
				if reason == "" {
					t.Fatal("stop without a reason")
				}
				break
			}
			if bet.Skip {
				continue
			}
			over := bet.Over()
			stake := bet.Credits()
			switch {
			case bet.Amount%1_000_000 != 0:
				t.Fatalf("stake %s is not whole credits", bet.Amount)
			case stake < MinStakeCredits || stake > MaxStakeCredits:
				t.Fatalf("stake %d out of [1, 10000]: %+v", stake, st)
			case bet.Amount > s.Stats().Balance.Amount():
				t.Fatalf("stake %s above balance %s", bet.Amount, s.Stats().Balance)
			case !validTarget(bet.Target, over):
				t.Fatalf("target %s %s has no winning roll", bet.Condition, bet.Target)
			}
			nonce++
			o, err := bet.Resolve(fairness.CreditDiceRoll(g.First("sim", nonce)))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Record(o); err != nil {
				t.Fatal(err)
			}
			if s.Stats().Balance < 0 {
				t.Fatal("negative balance")
			}
		}
	}
}

// The per-round path of the runner (Next, Resolve, Record) does not allocate, for every
// progression and for a rule-heavy advanced strategy.
func TestRoundDoesNotAllocate(t *testing.T) {
	strategies := []Strategy{benchAdvanced()}
	for _, p := range Progressions {
		strategies = append(strategies, Config{Amount: credits(2), Target: 5000, Condition: Over, ProgressionType: p})
	}
	for _, st := range strategies {
		s := mustSession(t, st, 1_000_000_000)
		roll := 0
		ids := make([]string, 0, 16)
		allocs := testing.AllocsPerRun(2000, func() {
			bet, _, _ := s.Next()
			roll = (roll + 7919) % 10000
			o, _ := bet.Resolve(roll)
			s.Record(o)
			ids = s.ExecutedRules(ids[:0])
		})
		if allocs != 0 {
			t.Errorf("%T: %.2f allocations per round", st, allocs)
		}
	}
}
