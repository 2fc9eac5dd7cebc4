package rules_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/rules"
	"github.com/arcadehq/arcade/internal/persona/turn"
)

// benchPersona is the measuring persona: 5 machines of 10 transitions each (50 in all),
// chained by auto-advance links of every condition kind, with keyword, pattern and expression
// matchers, a follow-up, an extraction and reply templates.
func benchPersona() *persona.Definition {
	d := &persona.Definition{Name: "Bench", PersonaIdentityPrompt: "p",
		Variables: []persona.Variable{{Key: "offer", Type: persona.TypeNumber}}}
	for i := range 5 {
		key := fmt.Sprintf("m%d", i)
		d.Machines = append(d.Machines, persona.Machine{
			MachineKey: key, Name: "Machine " + key, IsEntryMachine: i == 0,
			OutputVariables: []persona.OutputVariable{{Key: "offer_" + key, ExtractionPrompt: "?", Pattern: `(\d+) gold`}},
			States: []persona.State{
				{StateKey: "s0", Label: "Start", IsInitialState: true, Reply: "Hello {{player_name}}.", FallbackReply: "Say hello."},
				{StateKey: "s1", Label: "Offer", Reply: "Your offer, {{player_name}}?",
					FollowUpConditions: []persona.FollowUp{{Condition: "vague", Question: "How much, {{player_name}}?",
						Match: &persona.Match{Keywords: []string{"maybe", "perhaps"}}}},
					Extract: []persona.Extraction{{Key: "offer", Pattern: `(\d+) gold`}}},
				{StateKey: "s2", Label: "Agree", Reply: "{{offer}} gold. Agreed?"},
				{StateKey: "s3", Label: "Leave", Reply: "Anything else?"},
				{StateKey: "done", Label: "Done", IsTerminalState: true, Reply: "Farewell, {{player_name}}."},
			},
			Transitions: []persona.Transition{
				{FromStateKey: "s0", DecisionType: persona.KickOut, Match: &persona.Match{Keywords: []string{"insult", "curse"}}},
				{FromStateKey: "s0", ToStateKey: "s1", DecisionType: persona.Pass, ScoreDelta: 1, Priority: 1,
					Match: &persona.Match{Keywords: []string{"hello", "greetings", "good day"}}},
				{FromStateKey: "s0", DecisionType: persona.Redirect, Priority: 9, Match: &persona.Match{Always: true}},
				{FromStateKey: "s1", ToStateKey: "s2", DecisionType: persona.Pass, ScoreDelta: 1, Priority: 1,
					Match: &persona.Match{Patterns: []string{`(?i)\b\d+ gold\b`}, When: "offer >= 10 && turn < 100"}},
				{FromStateKey: "s1", DecisionType: persona.Reject, ScoreDelta: -1, Priority: 2,
					Match: &persona.Match{Keywords: []string{"cheap", "nothing"}}},
				{FromStateKey: "s1", DecisionType: persona.Redirect, Priority: 9, Match: &persona.Match{Always: true}},
				{FromStateKey: "s2", DecisionType: persona.KickOut, Match: &persona.Match{Keywords: []string{"never"}}},
				{FromStateKey: "s2", ToStateKey: "s3", DecisionType: persona.Pass, ScoreDelta: 1, Priority: 1,
					Match: &persona.Match{Keywords: []string{"yes", "agree", "deal"}}},
				{FromStateKey: "s3", ToStateKey: "done", DecisionType: persona.Pass, ScoreDelta: 1, Priority: 1,
					Match: &persona.Match{Keywords: []string{"bye", "farewell"}, When: `message != ""`}},
				{FromStateKey: "s3", DecisionType: persona.Redirect, Priority: 9, Match: &persona.Match{Always: true}},
			},
		})
	}
	d.MachineLinks = []persona.Link{
		{SourceMachineKey: "m0", TargetMachineKey: "m1", ConditionType: persona.LinkOutcome, ConditionValue: persona.OutcomeValue(persona.Accept), IsAutoAdvance: true},
		{SourceMachineKey: "m1", TargetMachineKey: "m2", ConditionType: persona.LinkScoreGTE, ConditionValue: persona.ScoreValue(3), IsAutoAdvance: true},
		{SourceMachineKey: "m2", TargetMachineKey: "m3", ConditionType: persona.LinkAlways, IsAutoAdvance: true},
		{SourceMachineKey: "m3", TargetMachineKey: "m4", ConditionType: persona.LinkScoreLTE, ConditionValue: persona.ScoreValue(10), IsAutoAdvance: true},
	}
	return d
}

// conversation wins one machine in 7 messages: a redirect, a pass, a follow-up, a pass on an
// expression, an implicit redirect, two passes to the terminal.
var conversation = []string{"what is this place?", "Hello there", "maybe", "I offer 20 gold",
	"hmm", "yes, deal", "bye for now"}

// player replays the conversation through all five machines, resetting progress at the end, and
// records the time of each Turn call.
type player struct {
	eng     *turn.Engine
	st      turn.State
	history []turn.Message
	next    int
}

func newPlayer(tb testing.TB) *player {
	d := benchPersona()
	if err := persona.Validate(d, rules.Check); err != nil {
		tb.Fatal(err)
	}
	ev, err := rules.New(d)
	if err != nil {
		tb.Fatal(err)
	}
	p := &player{eng: turn.New(d, ev, func() time.Time { return time.Unix(0, 0) })}
	p.restart(tb)
	return p
}

func (p *player) restart(tb testing.TB) {
	turn.ResetProgress(&p.st)
	s, err := p.eng.Start(context.Background(), &p.st, "", turn.Player{Name: "Ada"})
	if err != nil {
		tb.Fatal(err)
	}
	p.history, p.next = s.Messages, 0
}

// turn plays one message and returns how long Turn took.
func (p *player) turn(tb testing.TB) time.Duration {
	msg := conversation[p.next]
	t0 := time.Now()
	r, err := p.eng.Turn(context.Background(), &p.st, "", msg, p.history)
	d := time.Since(t0)
	if err != nil {
		tb.Fatal(err)
	}
	p.next++
	p.history = append(p.history, r.Messages...)
	if len(p.history) > turn.MaxHistory {
		p.history = p.history[len(p.history)-turn.MaxHistory:]
	}
	if r.MachineCompleted {
		if r.Outcome != persona.Accept {
			tb.Fatalf("machine %s ended %s", r.MachineKey, r.Outcome)
		}
		if r.Advanced == nil {
			p.restart(tb) // the last machine: start over
		} else {
			p.next = 0
		}
	}
	return d
}

func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1))]
}

// BenchmarkRuleBasedTurn measures one player message through the engine and the rule-based
// evaluator, state clone and reply included, and reports p50 and p99 per message.
//
//	go test ./internal/persona/rules -run '^$' -bench RuleBasedTurn -benchmem -count 3
func BenchmarkRuleBasedTurn(b *testing.B) {
	p := newPlayer(b)
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		times = append(times, p.turn(b))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(percentile(times, 0.50).Nanoseconds()), "p50-ns/msg")
	b.ReportMetric(float64(percentile(times, 0.99).Nanoseconds()), "p99-ns/msg")
}

// TestTurnLatencyPercentiles prints p50 and p99 of 5000 rule-based turns (a figure to read with
// -v, never a threshold: the machines are shared).
func TestTurnLatencyPercentiles(t *testing.T) {
	p := newPlayer(t)
	n := 5000
	if testing.Short() {
		n = 500
	}
	times := make([]time.Duration, 0, n)
	for range n {
		times = append(times, p.turn(t))
	}
	slices.Sort(times)
	t.Logf("rule-based turn, 5 machines / 50 transitions, %d messages: p50 %v, p99 %v, max %v",
		n, percentile(times, 0.50), percentile(times, 0.99), times[len(times)-1])
}
