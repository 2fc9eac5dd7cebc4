package turn

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/persona"
)

// script is an evaluator that answers from a queue, to test the rules without matchers.
type script struct {
	decisions []Decision
	extract   map[string]string
	err       error
}

func (s *script) Name() string { return "script" }

func (s *script) Evaluate(_ context.Context, in Input) (Decision, error) {
	if s.err != nil {
		return Decision{}, s.err
	}
	d := s.decisions[0]
	s.decisions = s.decisions[1:]
	return d, nil
}

func (s *script) Reply(_ context.Context, in ReplyInput) (string, error) {
	return in.To.StateKey, nil
}

func (s *script) Extract(context.Context, ExtractInput) (map[string]string, error) {
	return s.extract, nil
}

func take(i int) Decision { return Decision{Kind: TakeTransition, Index: i} }

// machine builds a definition: states a (initial), b, and terminals; transitions from a as given.
func machine(mode string, ts ...persona.Transition) *persona.Definition {
	return &persona.Definition{Name: "T", PersonaIdentityPrompt: "p", Machines: []persona.Machine{
		{MachineKey: "m", Name: "M", ScoringMode: mode, IsEntryMachine: true,
			OutputVariables: []persona.OutputVariable{{Key: "k", ExtractionPrompt: "?"}},
			States: []persona.State{
				{StateKey: "a", Label: "A", IsInitialState: true,
					FollowUpConditions: []persona.FollowUp{{Condition: "vague", Question: "Which?"}}},
				{StateKey: "b", Label: "B"},
				{StateKey: "win", Label: "W", IsTerminalState: true},
				{StateKey: "lose", Label: "L", IsTerminalState: true, TerminalOutcome: persona.RejectOut},
			},
			Transitions: ts},
		{MachineKey: "n", Name: "N", States: []persona.State{
			{StateKey: "a", Label: "A", IsInitialState: true}, {StateKey: "z", Label: "Z", IsTerminalState: true}},
			Transitions: []persona.Transition{{FromStateKey: "a", ToStateKey: "z", DecisionType: persona.Pass}}},
	}}
}

func tr(from, to, decision string, delta, priority int) persona.Transition {
	return persona.Transition{FromStateKey: from, ToStateKey: to, DecisionType: decision, ScoreDelta: delta, Priority: priority}
}

func TestRules(t *testing.T) {
	clock := func() time.Time { return time.Unix(0, 0) }
	cases := []struct {
		name      string
		def       *persona.Definition
		decisions []Decision
		state     string
		score     int
		outcome   string
		redirects int
	}{
		{"pass moves and scores", machine("", tr("a", "b", "pass", 2, 0)), []Decision{take(0)}, "b", 2, "", 0},
		{"pass into a terminal at the threshold accepts", machine("", tr("a", "win", "pass", 3, 0)), []Decision{take(0)}, "win", 3, "ACCEPT", 0},
		{"pass into a terminal under the threshold rejects", machine("", tr("a", "win", "pass", 2, 0)), []Decision{take(0)}, "win", 2, "REJECT", 0},
		{"a REJECT terminal rejects whatever the score", machine("", tr("a", "lose", "pass", 9, 0)), []Decision{take(0)}, "lose", 9, "REJECT", 0},
		{"redirect stays and may score", machine("", tr("a", "", "redirect", -1, 0)), []Decision{take(0), take(0)}, "a", -2, "", 2},
		{"no match is a redirect", machine("", tr("a", "b", "pass", 1, 0)), []Decision{{}}, "a", 0, "", 1},
		{"follow-up changes nothing", machine("", tr("a", "b", "pass", 1, 0)), []Decision{{Kind: AskFollowUp}}, "a", 0, "", 0},
		{"scoring reject follows the first pass transition",
			machine("", tr("a", "win", "pass", 5, 2), tr("a", "b", "pass", 1, 1), tr("a", "lose", "reject", -1, 0)),
			[]Decision{take(0)}, "b", -1, "", 0},
		{"scoring reject without a pass uses its own target", machine("", tr("a", "b", "reject", -1, 0)), []Decision{take(0)}, "b", -1, "", 0},
		{"scoring reject without any target stays", machine("", tr("a", "", "reject", -1, 0)), []Decision{take(0)}, "a", -1, "", 0},
		{"early-fail bound rejects at once", machine("", tr("a", "", "reject", -3, 0)), []Decision{take(0)}, "a", -3, "REJECT", 0},
		{"early-fail wins over a terminal", machine("", tr("a", "win", "pass", -4, 0)), []Decision{take(0)}, "win", -4, "REJECT", 0},
		{"kick_out ends and scores", machine("", tr("a", "", "kick_out", -1, 0)), []Decision{take(0)}, "a", -1, "KICK_OUT", 0},
		{"pass/fail reject ends", machine("pass_fail", tr("a", "b", "reject", 0, 0)), []Decision{take(0)}, "a", 0, "REJECT", 0},
		{"pass/fail untagged terminal accepts", machine("pass_fail", tr("a", "win", "pass", 0, 0)), []Decision{take(0)}, "win", 0, "ACCEPT", 0},
		{"pass/fail REJECT terminal rejects", machine("pass_fail", tr("a", "lose", "pass", 0, 0)), []Decision{take(0)}, "lose", 0, "REJECT", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := New(c.def, &script{decisions: c.decisions}, clock)
			var st State
			if _, err := e.Start(context.Background(), &st, "", Player{}); err != nil {
				t.Fatal(err)
			}
			var r Result
			for range c.decisions {
				var err error
				if r, err = e.Turn(context.Background(), &st, "", "msg", nil); err != nil {
					t.Fatal(err)
				}
			}
			if r.StateKey != c.state || r.Score != c.score || r.Outcome != c.outcome || r.RedirectCount != c.redirects {
				t.Fatalf("got state=%s score=%d outcome=%q redirects=%d", r.StateKey, r.Score, r.Outcome, r.RedirectCount)
			}
			if r.Reply != c.state {
				t.Fatalf("reply %q", r.Reply)
			}
		})
	}
}

func TestEvaluatorCannotLeaveTheMachine(t *testing.T) {
	for _, d := range []Decision{take(1), take(-1), {Kind: AskFollowUp, Index: 1}, {Kind: 7}} {
		e := New(machine("", tr("a", "b", "pass", 1, 0)), &script{decisions: []Decision{d}}, time.Now)
		var st State
		if _, err := e.Start(context.Background(), &st, "", Player{}); err != nil {
			t.Fatal(err)
		}
		before, _ := json.Marshal(st)
		if _, err := e.Turn(context.Background(), &st, "", "msg", nil); err == nil || !strings.Contains(err.Error(), "does not leave state") {
			t.Fatalf("%+v: %v", d, err)
		}
		if after, _ := json.Marshal(st); string(after) != string(before) {
			t.Fatal("state changed")
		}
	}
	boom := errors.New("model down")
	e := New(machine("", tr("a", "b", "pass", 1, 0)), &script{err: boom}, time.Now)
	var st State
	e.Start(context.Background(), &st, "", Player{})
	if _, err := e.Turn(context.Background(), &st, "", "msg", nil); !errors.Is(err, boom) {
		t.Fatalf("evaluator error %v", err)
	}
}

func TestExtractedVariables(t *testing.T) {
	long := strings.Repeat("é", persona.MaxValueLen) // 2 bytes a rune: clipped on a rune boundary
	ev := &script{decisions: []Decision{{Vars: map[string]string{"k": "session", "Bad Key": "x", "score": "9", "long": long}}, take(0)}}
	e := New(machine("", tr("a", "win", "pass", 3, 0)), ev, time.Now)
	var st State
	e.Start(context.Background(), &st, "", Player{})
	e.Turn(context.Background(), &st, "", "one", nil)
	s := st.Sessions["m"]
	if len(s.Vars) != 2 || s.Vars["k"] != "session" || len(s.Vars["long"]) != persona.MaxValueLen {
		t.Fatalf("vars %v", s.Vars)
	}
	r, err := e.Turn(context.Background(), &st, "", "two", nil)
	if err != nil {
		t.Fatal(err)
	}
	// No value from Extract: the session's value of the same key carries on.
	if r.Extracted["k"] != "session" || st.Vars["k"] != "session" {
		t.Fatalf("extracted %v vars %v", r.Extracted, st.Vars)
	}
	// A value from Extract wins.
	ev.extract = map[string]string{"k": "model"}
	ev.decisions = []Decision{take(0)}
	e.Start(context.Background(), &st, "m", Player{})
	if r, _ := e.Turn(context.Background(), &st, "", "three", nil); r.Extracted["k"] != "model" {
		t.Fatalf("extracted %v", r.Extracted)
	}
}

func TestTurnLimit(t *testing.T) {
	ds := make([]Decision, MaxTurns+1)
	e := New(machine("", tr("a", "b", "pass", 0, 0), tr("b", "win", "pass", 3, 0)), &script{decisions: ds}, time.Now)
	var st State
	e.Start(context.Background(), &st, "", Player{})
	for range MaxTurns {
		if _, err := e.Turn(context.Background(), &st, "", "x", nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.Turn(context.Background(), &st, "", "x", nil)
	if e := errs.As(err); e == nil || e.Code != CodeTurnLimit {
		t.Fatalf("got %v", err)
	}
}

func TestSatisfied(t *testing.T) {
	cases := []struct {
		l       persona.Link
		outcome string
		score   int
		want    bool
	}{
		{persona.Link{ConditionType: persona.LinkAlways}, "KICK_OUT", -9, true},
		{persona.Link{ConditionType: persona.LinkOutcome, ConditionValue: persona.OutcomeValue("ACCEPT")}, "ACCEPT", 0, true},
		{persona.Link{ConditionType: persona.LinkOutcome, ConditionValue: persona.OutcomeValue("ACCEPT")}, "REJECT", 9, false},
		{persona.Link{ConditionType: persona.LinkScoreGTE, ConditionValue: persona.ScoreValue(3)}, "REJECT", 3, true},
		{persona.Link{ConditionType: persona.LinkScoreGTE, ConditionValue: persona.ScoreValue(3)}, "ACCEPT", 2, false},
		{persona.Link{ConditionType: persona.LinkScoreLTE, ConditionValue: persona.ScoreValue(0)}, "REJECT", 0, true},
		{persona.Link{ConditionType: persona.LinkScoreLTE, ConditionValue: persona.ScoreValue(0)}, "REJECT", 1, false},
		{persona.Link{ConditionType: "bogus"}, "ACCEPT", 0, false},
	}
	for i, c := range cases {
		if got := Satisfied(c.l, c.outcome, c.score); got != c.want {
			t.Errorf("case %d: %v", i, got)
		}
	}
}

func TestRelationshipLevel(t *testing.T) {
	cases := []struct {
		outcomes []string
		want     int
	}{
		{nil, 0},
		{[]string{"ACCEPT"}, 1},
		{[]string{"ACCEPT", "REJECT", "ACCEPT"}, 2},
		{[]string{"ACCEPT", "KICK_OUT"}, 0},
		{[]string{"KICK_OUT", "KICK_OUT"}, 0},
		{[]string{"ACCEPT", "ACCEPT", "ACCEPT", "KICK_OUT"}, 2},
	}
	for _, c := range cases {
		var cs []Completion
		for _, o := range c.outcomes {
			cs = append(cs, Completion{Outcome: o, Score: 1})
		}
		if got := RelationshipLevel(cs); got != c.want {
			t.Errorf("%v: %d, want %d", c.outcomes, got, c.want)
		}
		if TotalScore(cs) != len(cs) {
			t.Errorf("total score")
		}
	}
}
