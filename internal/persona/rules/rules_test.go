package rules

import (
	"context"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/turn"
)

// def is a one-machine definition whose first transition carries the matcher under test.
func def(m *persona.Match, vars ...persona.Variable) *persona.Definition {
	return &persona.Definition{
		Name: "T", PersonaIdentityPrompt: "p", Variables: vars,
		Machines: []persona.Machine{{
			MachineKey: "m", Name: "M",
			States: []persona.State{
				{StateKey: "a", Label: "A", IsInitialState: true,
					Extract: []persona.Extraction{{Key: "offer", Pattern: `(\d+) gold`}, {Key: "name", Pattern: `(?i)i am (\w+)`}}},
				{StateKey: "z", Label: "Z", IsTerminalState: true},
			},
			Transitions: []persona.Transition{
				{FromStateKey: "a", ToStateKey: "z", DecisionType: persona.Pass, Match: m},
				{FromStateKey: "a", DecisionType: persona.Redirect, Priority: 9},
			},
		}},
	}
}

var numberOffer = persona.Variable{Key: "offer", Type: persona.TypeNumber}
var boolVIP = persona.Variable{Key: "vip", Type: persona.TypeBoolean, Default: "false"}

// matchCases feed TestMatch and seed FuzzMatch.
var matchCases = []struct {
	name    string
	match   persona.Match
	message string
	vars    map[string]string
	score   int
	want    bool
}{
	{"keyword", persona.Match{Keywords: []string{"hello"}}, "Well, HELLO there", nil, 0, true},
	{"keyword is a whole word", persona.Match{Keywords: []string{"hi"}}, "this thing", nil, 0, false},
	{"keyword at the end with punctuation", persona.Match{Keywords: []string{"yes"}}, "Oh... yes!", nil, 0, true},
	{"phrase across spaces", persona.Match{Keywords: []string{"good day"}}, "a GOOD    day to you", nil, 0, true},
	{"any keyword", persona.Match{Keywords: []string{"no", "never"}}, "never ever", nil, 0, true},
	{"unicode word boundary", persona.Match{Keywords: []string{"café"}}, "un cafés", nil, 0, false},
	{"unicode keyword", persona.Match{Keywords: []string{"café"}}, "un Café noir", nil, 0, true},
	{"pattern", persona.Match{Patterns: []string{`(?i)my name is \w+`}}, "My name is Ada", nil, 0, true},
	{"pattern is case-sensitive by default", persona.Match{Patterns: []string{`my name`}}, "My name", nil, 0, false},
	{"keyword and pattern both needed", persona.Match{Keywords: []string{"buy"}, Patterns: []string{`\d+`}}, "buy it", nil, 0, false},
	{"when on an extracted number", persona.Match{When: "offer >= 50"}, "I offer 60 gold", nil, 0, true},
	{"when on a low number", persona.Match{When: "offer >= 50"}, "I offer 6 gold", nil, 0, false},
	{"when on a stored number", persona.Match{When: "offer >= 50"}, "deal", map[string]string{"offer": "75"}, 0, true},
	{"this message's extraction wins", persona.Match{When: "offer >= 50"}, "no, 10 gold", map[string]string{"offer": "75"}, 0, false},
	{"when on the score", persona.Match{When: "score > 2 && turn == 1"}, "x", nil, 3, true},
	{"when on the message", persona.Match{When: `message contains "please" or lower(message) startsWith "pls"`}, "PLS help", nil, 0, true},
	{"when with matches on a literal", persona.Match{When: `message matches "^[0-9]+$"`}, "12345", nil, 0, true},
	{"when on a boolean default", persona.Match{When: "!vip"}, "x", nil, 0, true},
	{"when on a boolean set", persona.Match{When: "vip"}, "x", map[string]string{"vip": "true"}, 0, true},
	{"unset string is empty", persona.Match{When: `name == ""`}, "hello", nil, 0, true},
	{"extracted string", persona.Match{When: `name == "Ada"`}, "I am Ada", nil, 0, true},
	{"runtime error is false", persona.Match{When: "turn % (score - score) == 0"}, "x", nil, 0, false},
	{"bad stored number is its zero", persona.Match{When: "offer == 0"}, "x", map[string]string{"offer": "lots"}, 0, true},
	{"always", persona.Match{Always: true}, "anything", nil, 0, true},
	{"all criteria", persona.Match{Keywords: []string{"buy"}, Patterns: []string{`\d+ gold`}, When: "offer > 5"}, "buy for 9 gold", nil, 0, true},
}

func TestMatch(t *testing.T) {
	for _, c := range matchCases {
		t.Run(c.name, func(t *testing.T) {
			m := c.match
			d := def(&m, numberOffer, boolVIP)
			if err := persona.Validate(d, Check); err != nil {
				t.Fatal(err)
			}
			got := decide(t, d, c.message, c.vars, c.score)
			if (got.Kind == turn.TakeTransition && got.Index == 0) != c.want {
				t.Fatalf("decision %+v, want match=%v", got, c.want)
			}
		})
	}
}

func decide(t testing.TB, d *persona.Definition, msg string, vars map[string]string, score int) turn.Decision {
	e, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	m := &d.Machines[0]
	var cands []turn.Candidate
	for _, i := range m.Outgoing("a") {
		cands = append(cands, turn.Candidate{Index: i, Transition: m.Transitions[i]})
	}
	got, err := e.Evaluate(context.Background(), turn.Input{Persona: d, Machine: m, State: &m.States[0],
		Candidates: cands, Message: msg, Vars: vars, Score: score, Turn: 1})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// The sandbox: what an expression may not do, each refused when the definition is validated.
var sandboxCases = []struct{ when, msg string }{
	{"offer >", "does not parse"},
	{"unknown_var > 1", "does not compile"},
	{"offer", "does not compile"}, // not a boolean
	{`offer == "x"`, "does not compile"},
	{"len(1..100000000) > 0", "ranges are not allowed"},
	{"all([1,2], {# > 0})", "not allowed"},
	{`type(1) == "int"`, "function type is not allowed"},
	{`repeat("x", 1000000) == ""`, "function repeat is not allowed"},
	{"now() != nil", "function now is not allowed"},
	{`let x = 1; x > 0`, "let"},
	{`message matches message`, "string literal"},
	{`{"a": 1}.a == 1`, "map literal"},
	{`message[0:1] == "a"`, "slicing"},
	{"foo(1)", "may be called"},
	{strings.Repeat("1 + ", 100) + "1 > 0", "does not compile"}, // too many nodes
	{strings.Repeat("x", persona.MaxExprLen+1), "longer than"},
}

func TestSandbox(t *testing.T) {
	for _, c := range sandboxCases {
		t.Run(c.when, func(t *testing.T) {
			d := def(&persona.Match{When: c.when}, numberOffer)
			err := persona.Validate(d, Check)
			if err == nil || !strings.Contains(err.Error(), "machines[0].transitions[0].match.when") || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("got %v, want …%s…", err, c.msg)
			}
		})
	}
}

func TestTemplateChecks(t *testing.T) {
	for _, c := range []struct{ reply, msg string }{
		{"Hi {{ nobody }}", `unknown variable "nobody"`},
		{"Hi {{player_name", "{{ without }}"},
		{"Hi player_name}}", "}} without {{"},
		{"Score {{message}}", `unknown variable "message"`},
	} {
		d := def(&persona.Match{Always: true})
		d.Machines[0].States[0].Reply = c.reply
		err := persona.Validate(d, Check)
		if err == nil || !strings.Contains(err.Error(), "machines[0].states[0].reply") || !strings.Contains(err.Error(), c.msg) {
			t.Fatalf("%q: %v", c.reply, err)
		}
	}
}

func TestReplies(t *testing.T) {
	d := def(&persona.Match{Keywords: []string{"go"}})
	d.Machines[0].States[0].Reply = "Hi {{ player_name }}, {{name}} in {{state}} of {{machine}} at {{score}} with {{persona}}."
	e, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	m := &d.Machines[0]
	in := turn.ReplyInput{Persona: d, Machine: m, Kind: turn.Opening, To: &m.States[0],
		Vars: map[string]string{"name": "Ada"}, Player: turn.Player{Name: "Bo"}, Score: 2}
	got, _ := e.Reply(context.Background(), in)
	if got != "Hi Bo, Ada in A of M at 2 with T." {
		t.Fatalf("opening %q", got)
	}
	in = turn.ReplyInput{Persona: d, Machine: m, Kind: turn.Stayed, From: &m.States[0], To: &m.States[0]}
	if got, _ := e.Reply(context.Background(), in); got != DefaultFallback {
		t.Fatalf("fallback %q", got)
	}
	in = turn.ReplyInput{Persona: d, Machine: m, Kind: turn.Ended, From: &m.States[0], To: &m.States[0], Outcome: persona.KickOutOut}
	if got, _ := e.Reply(context.Background(), in); got != DefaultEnding[persona.KickOutOut] {
		t.Fatalf("ending %q", got)
	}
	other := def(&persona.Match{Always: true})
	if _, err := e.Reply(context.Background(), turn.ReplyInput{Persona: other, Machine: &other.Machines[0]}); err == nil {
		t.Fatal("a definition it was not compiled for")
	}
}

func TestNoMatcherNeverChosen(t *testing.T) {
	d := def(nil)
	if got := decide(t, d, "anything", nil, 0); got.Kind != turn.NoMatch {
		t.Fatalf("decision %+v", got)
	}
}

// Deterministic: the same input gives the same decision every time.
func TestDeterministic(t *testing.T) {
	d := def(&persona.Match{Keywords: []string{"a", "b"}, When: "offer > 1"}, numberOffer)
	first := decide(t, d, "a 5 gold", nil, 0)
	for range 50 {
		if got := decide(t, d, "a 5 gold", nil, 0); got.Kind != first.Kind || got.Index != first.Index || got.Vars["offer"] != first.Vars["offer"] {
			t.Fatalf("%+v then %+v", first, got)
		}
	}
}

func FuzzMatch(f *testing.F) {
	for _, c := range matchCases {
		kw := ""
		if len(c.match.Keywords) > 0 {
			kw = c.match.Keywords[0]
		}
		pat := ""
		if len(c.match.Patterns) > 0 {
			pat = c.match.Patterns[0]
		}
		f.Add(kw, pat, c.match.When, c.message, "75")
	}
	for _, c := range sandboxCases {
		f.Add("", "", c.when, "x", "")
	}
	f.Fuzz(func(t *testing.T, kw, pat, when, msg, offer string) {
		m := &persona.Match{When: when, Always: kw == "" && pat == "" && when == ""}
		if kw != "" {
			m.Keywords = []string{kw}
		}
		if pat != "" {
			m.Patterns = []string{pat}
		}
		d := def(m, numberOffer, boolVIP)
		if persona.Validate(d, Check) != nil {
			return // refused at save time: never run
		}
		e, err := New(d)
		if err != nil {
			t.Fatalf("validated but does not compile: %v", err)
		}
		mc := &d.Machines[0]
		in := turn.Input{Persona: d, Machine: mc, State: &mc.States[0], Message: msg,
			Vars: map[string]string{"offer": offer}, Candidates: []turn.Candidate{{Index: 0, Transition: mc.Transitions[0]}}}
		a, err := e.Evaluate(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := e.Evaluate(context.Background(), in)
		if a.Kind != b.Kind || a.Index != b.Index {
			t.Fatalf("not deterministic: %+v %+v", a, b)
		}
	})
}
