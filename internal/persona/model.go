package persona

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
)

// Scoring modes of a machine.
const (
	// ScoringMode keeps a running score: transitions add their score_delta, the early-fail bound
	// ends the conversation with REJECT, and a terminal state reached with score ≥ the pass
	// threshold ends it with ACCEPT (below it, REJECT).
	ScoringMode = "scoring"
	// PassFailMode keeps no score: the terminal state reached decides the outcome, and a reject
	// decision ends the conversation with REJECT.
	PassFailMode = "pass_fail"
)

// Decision types of a transition.
const (
	Pass     = "pass"     // move to to_state_key and add score_delta
	Redirect = "redirect" // stay; the player tries again
	Reject   = "reject"   // scoring: penalise and move on along the pass transition; pass/fail: end with REJECT
	KickOut  = "kick_out" // end the conversation with KICK_OUT
)

// Outcomes of a finished machine.
const (
	Accept     = "ACCEPT"
	RejectOut  = "REJECT"
	KickOutOut = "KICK_OUT"
)

// Link condition types.
const (
	LinkOutcome  = "outcome"   // the source ended with condition_value (ACCEPT, REJECT or KICK_OUT)
	LinkScoreGTE = "score_gte" // the source ended with score ≥ condition_value
	LinkScoreLTE = "score_lte" // the source ended with score ≤ condition_value
	LinkAlways   = "always"    // the source ended, whichever way
)

// Variable types. Values are carried as strings (what a pattern or a language model extracts);
// the type says how the rule-based evaluator's expressions see them.
const (
	TypeString  = "string"
	TypeNumber  = "number"
	TypeBoolean = "boolean"
)

// Defaults of a scoring machine, as the real system's editor sets them.
const (
	DefaultPassThreshold  = 3
	DefaultEarlyFailBound = -3
)

// Persona is a stored persona: the creator's definition plus what the server owns (id, owner,
// publication). Timestamps are set by the caller's clock; this package never reads one.
type Persona struct {
	ID       string `json:"id"`
	UserID   string `json:"user_id"`
	IsPublic bool   `json:"is_public"`
	Definition
}

// Definition is the whole persona as a creator submits it (spec 003's PersonaCreate, extended
// with persona-level variables and machine links, which its /full answer returns).
type Definition struct {
	Name                  string `json:"name" jsonschema:"minLength=1,maxLength=200"`
	Description           string `json:"description,omitempty" jsonschema:"maxLength=2000"`
	PersonaIdentityPrompt string `json:"persona_identity_prompt" jsonschema:"minLength=1,maxLength=8000"`
	// Variables are persona-level variables: typed, with an optional default, visible to every
	// machine's matchers and reply templates.
	Variables    []Variable `json:"variables,omitempty" jsonschema:"maxItems=32"`
	Machines     []Machine  `json:"machines" jsonschema:"minItems=1,maxItems=16"`
	MachineLinks []Link     `json:"machine_links,omitempty" jsonschema:"maxItems=64"`
}

// Variable is a persona-level variable.
type Variable struct {
	Key         string `json:"key" jsonschema:"pattern=^[a-z_][a-z0-9_]*$,maxLength=64"`
	Type        string `json:"type,omitempty" jsonschema:"enum=string,enum=number,enum=boolean,default=string"`
	Description string `json:"description,omitempty" jsonschema:"maxLength=2000"`
	Default     string `json:"default,omitempty" jsonschema:"maxLength=500"`
}

// TypeOrDefault is the variable's type, "string" when unset.
func (v Variable) TypeOrDefault() string {
	if v.Type == "" {
		return TypeString
	}
	return v.Type
}

// Machine is one state machine (a "scenario" in the real system's editor).
type Machine struct {
	MachineKey    string `json:"machine_key" jsonschema:"pattern=^[a-z0-9][a-z0-9_-]*$,maxLength=64"`
	Name          string `json:"name" jsonschema:"minLength=1,maxLength=200"`
	Description   string `json:"description,omitempty" jsonschema:"maxLength=2000"`
	Objective     string `json:"objective,omitempty" jsonschema:"maxLength=2000"`
	WinCondition  string `json:"win_condition,omitempty" jsonschema:"maxLength=2000"`
	LoseCondition string `json:"lose_condition,omitempty" jsonschema:"maxLength=2000"`
	// ScoringMode is "scoring" (the default) or "pass_fail".
	ScoringMode string `json:"scoring_mode,omitempty" jsonschema:"enum=scoring,enum=pass_fail,default=scoring"`
	// PassThreshold and EarlyFailBound apply in scoring mode; absent means 3 and −3.
	PassThreshold   *int             `json:"pass_threshold,omitempty" jsonschema:"default=3"`
	EarlyFailBound  *int             `json:"early_fail_bound,omitempty" jsonschema:"default=-3"`
	IsEntryMachine  bool             `json:"is_entry_machine,omitempty"`
	OutputVariables []OutputVariable `json:"output_variables,omitempty" jsonschema:"maxItems=16"`
	States          []State          `json:"states" jsonschema:"minItems=2,maxItems=32"`
	Transitions     []Transition     `json:"transitions" jsonschema:"minItems=1,maxItems=128"`
}

// Mode is the machine's scoring mode, "scoring" when unset.
func (m *Machine) Mode() string {
	if m.ScoringMode == "" {
		return ScoringMode
	}
	return m.ScoringMode
}

// Threshold is the pass threshold, 3 when unset.
func (m *Machine) Threshold() int {
	if m.PassThreshold == nil {
		return DefaultPassThreshold
	}
	return *m.PassThreshold
}

// FailBound is the early-fail bound, −3 when unset.
func (m *Machine) FailBound() int {
	if m.EarlyFailBound == nil {
		return DefaultEarlyFailBound
	}
	return *m.EarlyFailBound
}

// State returns the state with key k and its index, or nil and −1.
func (m *Machine) State(k string) (*State, int) {
	for i := range m.States {
		if m.States[i].StateKey == k {
			return &m.States[i], i
		}
	}
	return nil, -1
}

// Initial returns the initial state (nil if the machine has none: an invalid definition).
func (m *Machine) Initial() *State {
	for i := range m.States {
		if m.States[i].IsInitialState {
			return &m.States[i]
		}
	}
	return nil
}

// Outgoing returns the indexes (into Transitions) of the transitions leaving state k, in the
// order they are tried: priority ascending, then listing order.
func (m *Machine) Outgoing(k string) []int {
	var out []int
	for i := range m.Transitions {
		if m.Transitions[i].FromStateKey == k {
			out = append(out, i)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		return m.Transitions[out[a]].Priority < m.Transitions[out[b]].Priority
	})
	return out
}

// OutputVariable is a value extracted when the machine ends and carried to later machines as a
// cross-machine variable.
type OutputVariable struct {
	Key string `json:"key" jsonschema:"pattern=^[a-z_][a-z0-9_]*$,maxLength=64"`
	// ExtractionPrompt is what a language model answers from the transcript.
	ExtractionPrompt string `json:"extraction_prompt" jsonschema:"minLength=1,maxLength=2000"`
	// Pattern is the rule-based extraction: an RE2 pattern applied to the player's messages of
	// the machine, latest match winning; its first capture group (or the whole match) is the value.
	Pattern string `json:"pattern,omitempty" jsonschema:"maxLength=256"`
}

// State is one state of a machine.
type State struct {
	StateKey          string `json:"state_key" jsonschema:"pattern=^[a-z0-9][a-z0-9_-]*$,maxLength=64"`
	Label             string `json:"label" jsonschema:"minLength=1,maxLength=200"`
	PromptInstruction string `json:"prompt_instruction,omitempty" jsonschema:"maxLength=8000"`
	IsInitialState    bool   `json:"is_initial_state,omitempty"`
	IsTerminalState   bool   `json:"is_terminal_state,omitempty"`
	// TerminalOutcome tags a terminal state ACCEPT or REJECT. In pass/fail mode it is the outcome
	// of reaching the state (ACCEPT when unset); in scoring mode a REJECT terminal always rejects
	// and an ACCEPT (or untagged) terminal leaves the decision to the pass threshold.
	TerminalOutcome string `json:"terminal_outcome,omitempty" jsonschema:"enum=ACCEPT,enum=REJECT"`
	DisplayOrder    int    `json:"display_order,omitempty"`
	// FollowUpConditions are tried before the transitions: when one holds, the NPC asks its
	// clarifying question instead of deciding.
	FollowUpConditions []FollowUp `json:"follow_up_conditions,omitempty" jsonschema:"maxItems=8"`
	// Reply is the rule-based NPC line said on arriving in this state (the opening line of an
	// initial state). Templates substitute {{name}} with a variable or built-in value.
	Reply string `json:"reply,omitempty" jsonschema:"maxLength=2000"`
	// FallbackReply is the rule-based line when no transition matched (an implicit redirect).
	FallbackReply string `json:"fallback_reply,omitempty" jsonschema:"maxLength=2000"`
	// Extract are rule-based per-turn extractions from the player's message in this state.
	Extract []Extraction `json:"extract,omitempty" jsonschema:"maxItems=16"`
}

// Extraction sets a variable from the player's message when Pattern matches: the first capture
// group, or the whole match.
type Extraction struct {
	Key     string `json:"key" jsonschema:"pattern=^[a-z_][a-z0-9_]*$,maxLength=64"`
	Pattern string `json:"pattern" jsonschema:"minLength=1,maxLength=256"`
}

// FollowUp is a follow-up condition of a state.
type FollowUp struct {
	// Condition is the free-text condition a language model judges.
	Condition string `json:"condition" jsonschema:"minLength=1,maxLength=2000"`
	// Question is the clarifying question (the rule-based reply; a hint for a language model).
	Question string `json:"question" jsonschema:"minLength=1,maxLength=2000"`
	// Match is the rule-based form of Condition; without it the rule-based evaluator never
	// triggers this follow-up.
	Match *Match `json:"match,omitempty"`
}

// Transition leaves FromStateKey with a decision.
type Transition struct {
	FromStateKey string `json:"from_state_key" jsonschema:"pattern=^[a-z0-9][a-z0-9_-]*$,maxLength=64"`
	// ToStateKey is required for pass; optional for the others (see docs/personas.md).
	ToStateKey string `json:"to_state_key,omitempty" jsonschema:"pattern=^[a-z0-9][a-z0-9_-]*$,maxLength=64"`
	// Condition is the free-text condition a language model judges.
	Condition    string `json:"condition" jsonschema:"maxLength=2000"`
	DecisionType string `json:"decision_type" jsonschema:"enum=pass,enum=redirect,enum=reject,enum=kick_out"`
	ScoreDelta   int    `json:"score_delta,omitempty" jsonschema:"minimum=-1000,maximum=1000"`
	// Priority orders the transitions of a state: lower first; ties keep listing order.
	Priority int `json:"priority,omitempty"`
	// Match is the rule-based form of Condition; without it the rule-based evaluator never
	// chooses this transition.
	Match *Match `json:"match,omitempty"`
	// Reply is the rule-based NPC line when this transition is taken (overrides the target
	// state's reply).
	Reply string `json:"reply,omitempty" jsonschema:"maxLength=2000"`
}

// Match is a rule-based matcher. Its criteria are ANDed; within keywords and within patterns any
// one suffices. Always matches every message (a catch-all, best given the lowest priority).
type Match struct {
	// Keywords match whole words or phrases, case-insensitively.
	Keywords []string `json:"keywords,omitempty" jsonschema:"maxItems=32"`
	// Patterns are RE2 regular expressions (add (?i) for case-insensitive).
	Patterns []string `json:"patterns,omitempty" jsonschema:"maxItems=8"`
	// When is a boolean expression over variables and built-ins (docs/personas.md).
	When   string `json:"when,omitempty" jsonschema:"maxLength=512"`
	Always bool   `json:"always,omitempty"`
}

// Empty reports a matcher with no criterion at all (refused by the validator).
func (m *Match) Empty() bool {
	return len(m.Keywords) == 0 && len(m.Patterns) == 0 && m.When == "" && !m.Always
}

// Link unlocks Target when Source ends and the condition holds.
type Link struct {
	SourceMachineKey string    `json:"source_machine_key" jsonschema:"pattern=^[a-z0-9][a-z0-9_-]*$,maxLength=64"`
	TargetMachineKey string    `json:"target_machine_key" jsonschema:"pattern=^[a-z0-9][a-z0-9_-]*$,maxLength=64"`
	ConditionType    string    `json:"condition_type" jsonschema:"enum=outcome,enum=score_gte,enum=score_lte,enum=always"`
	ConditionValue   LinkValue `json:"condition_value,omitempty,omitzero"`
	// IsAutoAdvance takes the player straight into the target when the link fires.
	IsAutoAdvance bool `json:"is_auto_advance,omitempty"`
}

// LinkValue is a link's condition value: an outcome name (a JSON string) for "outcome", an
// integer score for "score_gte" and "score_lte", absent for "always".
type LinkValue struct {
	Set     bool
	IsInt   bool
	Str     string
	Integer int
}

// OutcomeValue returns a link value naming an outcome.
func OutcomeValue(s string) LinkValue { return LinkValue{Set: true, Str: s} }

// ScoreValue returns a link value holding a score.
func ScoreValue(n int) LinkValue { return LinkValue{Set: true, IsInt: true, Integer: n} }

// IsZero lets encoding/json omit an unset value.
func (v LinkValue) IsZero() bool { return !v.Set }

// MarshalJSON writes the string or the integer.
func (v LinkValue) MarshalJSON() ([]byte, error) {
	switch {
	case !v.Set:
		return []byte("null"), nil
	case v.IsInt:
		return []byte(strconv.Itoa(v.Integer)), nil
	}
	return json.Marshal(v.Str)
}

// UnmarshalJSON reads a string or an integer (never a fraction).
func (v *LinkValue) UnmarshalJSON(b []byte) error {
	*v = LinkValue{}
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		v.Set = true
		return json.Unmarshal(b, &v.Str)
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return fmt.Errorf("condition_value: must be a string or an integer")
	}
	v.Set, v.IsInt, v.Integer = true, true, n
	return nil
}

// String is the value as shown in messages.
func (v LinkValue) String() string {
	switch {
	case !v.Set:
		return "(none)"
	case v.IsInt:
		return strconv.Itoa(v.Integer)
	}
	return strconv.Quote(v.Str)
}

// Machine returns the machine with key k and its index, or nil and −1.
func (d *Definition) Machine(k string) (*Machine, int) {
	for i := range d.Machines {
		if d.Machines[i].MachineKey == k {
			return &d.Machines[i], i
		}
	}
	return nil, -1
}

// Primary is the machine played when none is named: the first entry machine, else the first.
func (d *Definition) Primary() *Machine {
	for i := range d.Machines {
		if d.Machines[i].IsEntryMachine {
			return &d.Machines[i]
		}
	}
	if len(d.Machines) == 0 {
		return nil
	}
	return &d.Machines[0]
}

// Linked reports whether machine k is the target of any link (so it starts locked unless it is
// an entry machine).
func (d *Definition) Linked(k string) bool {
	for _, l := range d.MachineLinks {
		if l.TargetMachineKey == k {
			return true
		}
	}
	return false
}

// AlwaysAvailable reports whether machine k needs no unlock: entry machines and machines no
// link points at.
func (d *Definition) AlwaysAvailable(k string) bool {
	m, _ := d.Machine(k)
	return m != nil && (m.IsEntryMachine || !d.Linked(k))
}
