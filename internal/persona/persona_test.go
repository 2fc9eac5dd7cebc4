package persona

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/pb33f/jsonschema/v6"
)

// minimal is the smallest valid definition: two machines, the second unlocked by the first.
const minimal = `{
  "name": "Tess",
  "persona_identity_prompt": "You are Tess.",
  "variables": [{"key": "mood", "type": "string", "default": "calm"}],
  "machines": [
    {"machine_key": "m1", "name": "One", "is_entry_machine": true,
     "output_variables": [{"key": "out", "extraction_prompt": "What?"}],
     "states": [
       {"state_key": "a", "label": "A", "is_initial_state": true},
       {"state_key": "b", "label": "B"},
       {"state_key": "z", "label": "Z", "is_terminal_state": true}
     ],
     "transitions": [
       {"from_state_key": "a", "to_state_key": "b", "decision_type": "pass", "score_delta": 2, "condition": "c"},
       {"from_state_key": "a", "decision_type": "kick_out", "condition": "c"},
       {"from_state_key": "b", "to_state_key": "z", "decision_type": "pass", "score_delta": 1, "condition": "c"},
       {"from_state_key": "b", "decision_type": "reject", "score_delta": -1, "condition": "c", "priority": 2},
       {"from_state_key": "b", "decision_type": "redirect", "condition": "c", "priority": 3}
     ]},
    {"machine_key": "m2", "name": "Two", "scoring_mode": "pass_fail",
     "states": [
       {"state_key": "a", "label": "A", "is_initial_state": true},
       {"state_key": "win", "label": "W", "is_terminal_state": true}
     ],
     "transitions": [{"from_state_key": "a", "to_state_key": "win", "decision_type": "pass", "condition": "c"}]}
  ],
  "machine_links": [{"source_machine_key": "m1", "target_machine_key": "m2", "condition_type": "outcome", "condition_value": "ACCEPT"}]
}`

func decodeMinimal(t *testing.T) *Definition {
	t.Helper()
	d, err := Decode([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMinimalIsValid(t *testing.T) {
	d := decodeMinimal(t)
	if err := Validate(d); err != nil {
		t.Fatal(err)
	}
	if d.Machines[0].Threshold() != 3 || d.Machines[0].FailBound() != -3 || d.Machines[0].Mode() != ScoringMode {
		t.Fatalf("defaults %+v", d.Machines[0])
	}
	if d.MachineLinks[0].ConditionValue != OutcomeValue("ACCEPT") {
		t.Fatalf("link value %+v", d.MachineLinks[0].ConditionValue)
	}
	// Encoding and decoding again gives the same definition.
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := Decode(raw)
	if err != nil {
		t.Fatalf("re-decode: %v\n%s", err, raw)
	}
	raw2, _ := json.Marshal(d2)
	if !bytes.Equal(raw, raw2) {
		t.Fatalf("round trip differs:\n%s\n%s", raw, raw2)
	}
}

// decodeCases feed TestDecodeRefuses and seed FuzzDecode.
var decodeCases = []struct {
	name, json, field string
	kind              errs.Kind
}{
	{"empty", ``, "body", errs.Validation},
	{"not an object", `[]`, "body", errs.Validation},
	{"malformed", `{"name": }`, "name", errs.Validation},
	{"truncated", `{"name": "x"`, "body", errs.Validation},
	{"trailing data", `{"name":"x","persona_identity_prompt":"p","machines":[]} {}`, "body", errs.Validation},
	{"unknown top-level field", `{"name":"x","colour":"red"}`, "colour", errs.Validation},
	{"unknown nested field", `{"machines":[{"machine_key":"m"},{"states":[{"state_key":"a","initial":true}]}]}`, "machines[1].states[0].initial", errs.Validation},
	{"duplicate key", `{"name":"x","name":"y"}`, "name", errs.Validation},
	{"float for an integer", `{"machines":[{"transitions":[{"score_delta":2.0}]}]}`, "machines[0].transitions[0].score_delta", errs.Validation},
	{"huge integer", `{"machines":[{"pass_threshold":99999999999}]}`, "machines[0].pass_threshold", errs.Validation},
	{"string for a bool", `{"machines":[{"is_entry_machine":"yes"}]}`, "machines[0].is_entry_machine", errs.Validation},
	{"null string", `{"name":null}`, "name", errs.Validation},
	{"object for a string", `{"name":{}}`, "name", errs.Validation},
	{"bool link value", `{"machine_links":[{"condition_value":true}]}`, "machine_links[0].condition_value", errs.Validation},
	{"fraction link value", `{"machine_links":[{"condition_value":2.5}]}`, "machine_links[0].condition_value", errs.Validation},
	{"too many machines", `{"machines":[` + strings.Repeat(`{},`, MaxMachines) + `{}]}`, "machines", errs.Validation},
	{"too many keywords", `{"machines":[{"transitions":[{"match":{"keywords":[` + strings.Repeat(`"a",`, MaxKeywords) + `"a"]}}]}]}`, "machines[0].transitions[0].match.keywords", errs.Validation},
	{"string too long", `{"name":"` + strings.Repeat("x", MaxPromptLen+1) + `"}`, "name", errs.Validation},
	{"too many bytes", `{"name":"` + strings.Repeat(" ", MaxBytes) + `"}`, "body", errs.TooLarge},
}

func TestDecodeRefuses(t *testing.T) {
	for _, c := range decodeCases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode([]byte(c.json))
			e := errs.As(err)
			if e == nil || e.Kind != c.kind || e.Field != c.field {
				t.Fatalf("got %v (field %q), want %s at %q", err, fieldOf(e), c.kind, c.field)
			}
		})
	}
}

func fieldOf(e *errs.Error) string {
	if e == nil {
		return ""
	}
	return e.Field
}

// validateCases break the minimal definition one way each; path names the first problem.
var validateCases = []struct {
	name   string
	change func(d *Definition)
	path   string
	msg    string
}{
	{"blank name", func(d *Definition) { d.Name = " " }, "name", "is required"},
	{"no machines", func(d *Definition) { d.Machines = nil; d.MachineLinks = nil }, "machines", "at least 1"},
	{"bad machine key", func(d *Definition) { d.Machines[0].MachineKey = "M 1" }, "machines[0].machine_key", "a-z"},
	{"duplicate machine key", func(d *Definition) { d.Machines[1].MachineKey = "m1" }, "machines[1].machine_key", "duplicate"},
	{"duplicate state key", func(d *Definition) { d.Machines[0].States[1].StateKey = "a" }, "machines[0].states[1].state_key", "duplicate"},
	{"duplicate variable", func(d *Definition) { d.Variables = append(d.Variables, Variable{Key: "mood"}) }, "variables[1].key", "duplicate"},
	{"reserved variable", func(d *Definition) { d.Variables[0].Key = "score" }, "variables[0].key", "reserved"},
	{"bad variable type", func(d *Definition) { d.Variables[0].Type = "date" }, "variables[0].type", "string, number or boolean"},
	{"default of the wrong type", func(d *Definition) { d.Variables[0].Type = TypeNumber }, "variables[0].default", "not a number"},
	{"bad scoring mode", func(d *Definition) { d.Machines[0].ScoringMode = "points" }, "machines[0].scoring_mode", "scoring or pass_fail"},
	{"threshold under the bound", func(d *Definition) { n := -5; d.Machines[0].PassThreshold = &n }, "machines[0].pass_threshold", "greater than early_fail_bound"},
	{"threshold in pass/fail", func(d *Definition) { n := 1; d.Machines[1].PassThreshold = &n }, "machines[1].pass_threshold", "only to scoring"},
	{"no initial state", func(d *Definition) { d.Machines[0].States[0].IsInitialState = false }, "machines[0].states", "exactly one initial state"},
	{"two initial states", func(d *Definition) { d.Machines[0].States[1].IsInitialState = true }, "machines[0].states[1].is_initial_state", "exactly one initial state"},
	{"no terminal state", func(d *Definition) { d.Machines[1].States[1].IsTerminalState = false }, "machines[1].states", "at least one terminal"},
	{"initial and terminal", func(d *Definition) { d.Machines[1].States[0].IsTerminalState = true }, "machines[1].states[0].is_terminal_state", "cannot be terminal"},
	{"tag on a non-terminal", func(d *Definition) { d.Machines[0].States[1].TerminalOutcome = Accept }, "machines[0].states[1].terminal_outcome", "only to terminal"},
	{"transition to an unknown state", func(d *Definition) { d.Machines[0].Transitions[0].ToStateKey = "q" }, "machines[0].transitions[0].to_state_key", `unknown state "q"`},
	{"transition from an unknown state", func(d *Definition) { d.Machines[0].Transitions[1].FromStateKey = "q" }, "machines[0].transitions[1].from_state_key", `unknown state "q"`},
	{"transition from a terminal", func(d *Definition) { d.Machines[0].Transitions[1].FromStateKey = "z" }, "machines[0].transitions[1].from_state_key", "terminal"},
	{"pass without a target", func(d *Definition) { d.Machines[0].Transitions[0].ToStateKey = "" }, "machines[0].transitions[0].to_state_key", "required for a pass"},
	{"bad decision type", func(d *Definition) { d.Machines[0].Transitions[0].DecisionType = "maybe" }, "machines[0].transitions[0].decision_type", "pass, redirect"},
	{"score in pass/fail", func(d *Definition) { d.Machines[1].Transitions[0].ScoreDelta = 1 }, "machines[1].transitions[0].score_delta", "keeps no score"},
	{"huge score delta", func(d *Definition) { d.Machines[0].Transitions[0].ScoreDelta = 5000 }, "machines[0].transitions[0].score_delta", "between"},
	{"unreachable terminal", func(d *Definition) {
		d.Machines[0].States = append(d.Machines[0].States, State{StateKey: "y", Label: "Y", IsTerminalState: true})
	}, "machines[0].states[3]", "cannot be reached"},
	{"dead end", func(d *Definition) {
		d.Machines[0].Transitions = d.Machines[0].Transitions[:2]
		d.Machines[0].Transitions = append(d.Machines[0].Transitions, Transition{FromStateKey: "a", ToStateKey: "z", DecisionType: Pass, Priority: 5})
	}, "machines[0].states[1]", "no transition leaves it"},
	{"empty matcher", func(d *Definition) { d.Machines[0].Transitions[0].Match = &Match{} }, "machines[0].transitions[0].match", "needs keywords"},
	{"bad pattern", func(d *Definition) { d.Machines[0].Transitions[0].Match = &Match{Patterns: []string{"(a"}} }, "machines[0].transitions[0].match.patterns[0]", "RE2"},
	{"blank keyword", func(d *Definition) { d.Machines[0].Transitions[0].Match = &Match{Keywords: []string{""}} }, "machines[0].transitions[0].match.keywords[0]", "required"},
	{"link to an unknown machine", func(d *Definition) { d.MachineLinks[0].TargetMachineKey = "m9" }, "machine_links[0].target_machine_key", `unknown machine "m9"`},
	{"link to itself", func(d *Definition) { d.MachineLinks[0].TargetMachineKey = "m1" }, "machine_links[0].target_machine_key", "itself"},
	{"bad link type", func(d *Definition) { d.MachineLinks[0].ConditionType = "maybe" }, "machine_links[0].condition_type", "outcome, score_gte"},
	{"outcome link with a score", func(d *Definition) { d.MachineLinks[0].ConditionValue = ScoreValue(3) }, "machine_links[0].condition_value", "ACCEPT, REJECT or KICK_OUT"},
	{"score link with a name", func(d *Definition) { d.MachineLinks[0].ConditionType = LinkScoreGTE }, "machine_links[0].condition_value", "integer score"},
	{"always link with a value", func(d *Definition) { d.MachineLinks[0].ConditionType = LinkAlways }, "machine_links[0].condition_value", "absent"},
	{"duplicate link", func(d *Definition) { d.MachineLinks = append(d.MachineLinks, d.MachineLinks[0]) }, "machine_links[1]", "duplicates machine_links[0]"},
	{"score above the maximum", func(d *Definition) {
		d.MachineLinks[0] = Link{SourceMachineKey: "m1", TargetMachineKey: "m2", ConditionType: LinkScoreGTE, ConditionValue: ScoreValue(4)}
	}, "machine_links[0].condition_value", "at most 3"},
	{"score below the minimum", func(d *Definition) {
		d.Machines[0].Transitions[3].ScoreDelta = 0 // reject no longer lowers the score
		d.Machines[0].Transitions = append(d.Machines[0].Transitions[:1], d.Machines[0].Transitions[2:]...)
		d.MachineLinks[0] = Link{SourceMachineKey: "m1", TargetMachineKey: "m2", ConditionType: LinkScoreLTE, ConditionValue: ScoreValue(1)}
	}, "machine_links[0].condition_value", "at least 2"},
	{"kick-out the source cannot produce", func(d *Definition) {
		d.MachineLinks[0] = Link{SourceMachineKey: "m2", TargetMachineKey: "m1", ConditionType: LinkOutcome, ConditionValue: OutcomeValue(KickOutOut)}
	}, "machine_links[0].condition_value", `"m2" can never end with KICK_OUT`},
	{"pass/fail reject the source cannot produce", func(d *Definition) {
		d.MachineLinks[0] = Link{SourceMachineKey: "m2", TargetMachineKey: "m1", ConditionType: LinkOutcome, ConditionValue: OutcomeValue(RejectOut)}
	}, "machine_links[0].condition_value", "can never end with REJECT"},
	{"source never unlocked", func(d *Definition) {
		d.Machines = append(d.Machines, Machine{MachineKey: "m3", Name: "Three", States: d.Machines[1].States, Transitions: d.Machines[1].Transitions, ScoringMode: PassFailMode})
		d.MachineLinks = []Link{
			{SourceMachineKey: "m2", TargetMachineKey: "m3", ConditionType: LinkAlways},
			{SourceMachineKey: "m3", TargetMachineKey: "m2", ConditionType: LinkAlways},
		}
	}, "machine_links[0].source_machine_key", `"m2" can never be unlocked`},
}

func TestValidateNamesThePath(t *testing.T) {
	for _, c := range validateCases {
		t.Run(c.name, func(t *testing.T) {
			d := decodeMinimal(t)
			c.change(d)
			err := Validate(d)
			e := errs.As(err)
			if e == nil || e.Kind != errs.Validation {
				t.Fatalf("got %v, want a validation error at %s", err, c.path)
			}
			if e.Field != c.path || !strings.Contains(e.Message, c.msg) {
				t.Fatalf("got %s: %s\nwant %s: …%s…", e.Field, e.Message, c.path, c.msg)
			}
			if ps, ok := e.Data["errors"].([]Problem); !ok || len(ps) == 0 || ps[0].Path != c.path {
				t.Fatalf("problems %v", e.Data["errors"])
			}
			if !errors.Is(err, errs.ErrValidation) {
				t.Fatal("not errs.ErrValidation")
			}
		})
	}
}

// Every problem is reported, not just the first.
func TestValidateListsEveryProblem(t *testing.T) {
	d := decodeMinimal(t)
	d.Name = ""
	d.Machines[0].Transitions[0].ToStateKey = "q"
	d.Machines[1].ScoringMode = "x"
	e := errs.As(Validate(d))
	ps, _ := e.Data["errors"].([]Problem)
	var paths []string
	for _, p := range ps {
		paths = append(paths, p.Path)
	}
	want := "name machines[0].transitions[0].to_state_key machines[1].scoring_mode"
	if strings.Join(paths, " ") != want {
		t.Fatalf("paths %v", paths)
	}
}

func TestOutgoingOrder(t *testing.T) {
	m := Machine{Transitions: []Transition{
		{FromStateKey: "a", Priority: 2}, {FromStateKey: "b"}, {FromStateKey: "a", Priority: 1}, {FromStateKey: "a", Priority: 2},
	}}
	got := m.Outgoing("a")
	if len(got) != 3 || got[0] != 2 || got[1] != 0 || got[2] != 3 {
		t.Fatalf("order %v", got)
	}
}

// The schema is valid JSON Schema, and every example and the minimal definition satisfy it.
func TestSchemaAcceptsTheExamples(t *testing.T) {
	raw, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("examples/*.json")
	if len(files) < 2 {
		t.Fatalf("examples: %v", files)
	}
	docs := map[string][]byte{"minimal": []byte(minimal)}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		docs[f] = b
	}
	for name, b := range docs {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// And it refuses what the decoder refuses: an unknown field.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(strings.Replace(minimal, `"name": "Tess"`, `"name": "Tess", "colour": "red"`, 1)))
	if err := sch.Validate(bad); err == nil {
		t.Fatal("schema accepts an unknown field")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(minimal))
	for _, c := range decodeCases {
		if len(c.json) < 4096 {
			f.Add([]byte(c.json))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode(data)
		if err != nil {
			if errs.As(err) == nil {
				t.Fatalf("not a domain error: %v", err)
			}
			return
		}
		// Whatever decodes must validate without panicking, and a valid definition must
		// survive a round trip.
		if Validate(d) != nil {
			return
		}
		raw, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(raw); err != nil {
			t.Fatalf("re-decode of a valid definition: %v", err)
		}
	})
}

// Links the analysis must accept: possible, if only through a loop.
func TestValidateAcceptsPossibleLinks(t *testing.T) {
	cases := []struct {
		name   string
		change func(d *Definition)
	}{
		{"score without bound through a paying redirect", func(d *Definition) {
			d.Machines[0].Transitions[4].ScoreDelta = 1
			d.MachineLinks[0] = Link{SourceMachineKey: "m1", TargetMachineKey: "m2", ConditionType: LinkScoreGTE, ConditionValue: ScoreValue(1000)}
		}},
		{"kick-out score", func(d *Definition) {
			d.Machines[0].Transitions[1].ScoreDelta = -9
			d.MachineLinks[0] = Link{SourceMachineKey: "m1", TargetMachineKey: "m2", ConditionType: LinkScoreLTE, ConditionValue: ScoreValue(-9)}
		}},
		{"reject through the pass transition", func(d *Definition) {
			d.MachineLinks[0] = Link{SourceMachineKey: "m1", TargetMachineKey: "m2", ConditionType: LinkScoreLTE, ConditionValue: ScoreValue(1)}
		}},
		{"kick-out outcome", func(d *Definition) {
			d.MachineLinks[0].ConditionValue = OutcomeValue(KickOutOut)
		}},
		{"always", func(d *Definition) {
			d.MachineLinks[0] = Link{SourceMachineKey: "m1", TargetMachineKey: "m2", ConditionType: LinkAlways, IsAutoAdvance: true}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := decodeMinimal(t)
			c.change(d)
			if err := Validate(d); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLinkValueJSON(t *testing.T) {
	for _, c := range []struct {
		l    Link
		want string
	}{
		{Link{ConditionType: LinkAlways}, `"condition_type":"always"}`},
		{Link{ConditionType: LinkScoreGTE, ConditionValue: ScoreValue(-2)}, `"condition_value":-2}`},
		{Link{ConditionType: LinkOutcome, ConditionValue: OutcomeValue(Accept)}, `"condition_value":"ACCEPT"}`},
	} {
		b, err := json.Marshal(c.l)
		if err != nil || !strings.Contains(string(b), c.want) || (c.l.ConditionType == LinkAlways && strings.Contains(string(b), "condition_value")) {
			t.Fatalf("%s (%v)", b, err)
		}
		var back Link
		if err := json.Unmarshal(b, &back); err != nil || back != c.l {
			t.Fatalf("round trip %+v (%v)", back, err)
		}
	}
}
