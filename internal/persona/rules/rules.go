package rules

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/expr-lang/expr/vm"

	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/turn"
)

// Name labels every answer the rule-based evaluator shapes.
const Name = "rule-based"

// Default lines when a definition gives none.
const (
	DefaultOpening  = "Hello."
	DefaultFallback = "I don't follow. Try again."
	DefaultMoved    = "Go on."
)

// DefaultEnding is the line for an outcome when neither the transition nor the terminal state
// gives one.
var DefaultEnding = map[string]string{
	persona.Accept:     "Very well. We are done here.",
	persona.RejectOut:  "No. We are done here.",
	persona.KickOutOut: "Get out.",
}

var _ turn.Evaluator = (*Evaluator)(nil)

// Evaluator is the rule-based evaluator of one definition: every matcher, pattern and template
// compiled once by New, then used read-only, so one Evaluator serves any number of turns at once.
type Evaluator struct {
	def      *persona.Definition
	types    map[string]string // declared variable types
	zero     map[string]any    // every expression name at its type's zero value
	machines []machine
}

type machine struct {
	states      map[string]*state
	transitions []*matcher // by index in Machine.Transitions; nil when it has no match
	outputs     []*regexp.Regexp
	replies     []template // by index in Machine.Transitions
}

type state struct {
	followUps []*matcher
	questions []template
	extract   []extraction
	reply     template
	fallback  template
	hasReply  bool
	hasFall   bool
}

type extraction struct {
	key string
	re  *regexp.Regexp
}

type matcher struct {
	keywords []string // lower-cased, spaces collapsed
	patterns []*regexp.Regexp
	when     *vm.Program
	always   bool
}

// Check is the rule-based validation pass for persona.Validate: it compiles every expression,
// pattern and template and reports each failure at its JSON path.
func Check(d *persona.Definition) []persona.Problem {
	_, ps := compile(d)
	return ps
}

// New compiles d, which should have passed persona.Validate(d, rules.Check). Any problem is a
// validation error naming its path.
func New(d *persona.Definition) (*Evaluator, error) {
	e, ps := compile(d)
	if err := persona.Problems(ps); err != nil {
		return nil, fmt.Errorf("rule-based evaluator: %w", err)
	}
	return e, nil
}

func compile(d *persona.Definition) (*Evaluator, []persona.Problem) {
	var ps []persona.Problem
	bad := func(path string, err error) {
		ps = append(ps, persona.Problem{Path: path, Message: err.Error()})
	}
	env := envTypes(d)
	known := map[string]bool{"persona": true, "machine": true, "state": true}
	for k := range env {
		known[k] = true
	}
	delete(known, "message")
	delete(known, "turn")
	delete(known, "redirect_count")
	e := &Evaluator{def: d, types: map[string]string{}, zero: env, machines: make([]machine, len(d.Machines))}
	for _, v := range d.Variables {
		e.types[v.Key] = v.TypeOrDefault()
	}
	tmpl := func(path, s string) template {
		t, err := parseTemplate(s, known)
		if err != nil {
			bad(path, err)
		}
		return t
	}
	re := func(path, s string) *regexp.Regexp {
		r, err := regexp.Compile(s)
		if err != nil {
			bad(path, fmt.Errorf("is not a valid RE2 pattern: %s", firstLine(err)))
		}
		return r
	}
	match := func(path string, m *persona.Match) *matcher {
		if m == nil {
			return nil
		}
		c := &matcher{always: m.Always}
		for _, k := range m.Keywords {
			c.keywords = append(c.keywords, normalize(k))
		}
		for i, p := range m.Patterns {
			c.patterns = append(c.patterns, re(fmt.Sprintf("%s.patterns[%d]", path, i), p))
		}
		if m.When != "" {
			p, err := compileExpr(m.When, env)
			if err != nil {
				bad(path+".when", err)
			}
			c.when = p
		}
		return c
	}
	for mi := range d.Machines {
		m := &d.Machines[mi]
		mp := fmt.Sprintf("machines[%d]", mi)
		cm := machine{states: map[string]*state{}, transitions: make([]*matcher, len(m.Transitions)),
			replies: make([]template, len(m.Transitions)), outputs: make([]*regexp.Regexp, len(m.OutputVariables))}
		for oi, o := range m.OutputVariables {
			if o.Pattern != "" {
				cm.outputs[oi] = re(fmt.Sprintf("%s.output_variables[%d].pattern", mp, oi), o.Pattern)
			}
		}
		for si := range m.States {
			s := &m.States[si]
			sp := fmt.Sprintf("%s.states[%d]", mp, si)
			cs := &state{reply: tmpl(sp+".reply", s.Reply), fallback: tmpl(sp+".fallback_reply", s.FallbackReply),
				hasReply: s.Reply != "", hasFall: s.FallbackReply != ""}
			for fi := range s.FollowUpConditions {
				fp := fmt.Sprintf("%s.follow_up_conditions[%d]", sp, fi)
				cs.questions = append(cs.questions, tmpl(fp+".question", s.FollowUpConditions[fi].Question))
				cs.followUps = append(cs.followUps, match(fp+".match", s.FollowUpConditions[fi].Match))
			}
			for xi, x := range s.Extract {
				cs.extract = append(cs.extract, extraction{key: x.Key, re: re(fmt.Sprintf("%s.extract[%d].pattern", sp, xi), x.Pattern)})
			}
			cm.states[s.StateKey] = cs
		}
		for ti := range m.Transitions {
			t := &m.Transitions[ti]
			tp := fmt.Sprintf("%s.transitions[%d]", mp, ti)
			cm.transitions[ti] = match(tp+".match", t.Match)
			cm.replies[ti] = tmpl(tp+".reply", t.Reply)
		}
		e.machines[mi] = cm
	}
	return e, ps
}

// Name is "rule-based".
func (e *Evaluator) Name() string { return Name }

func (e *Evaluator) machine(d *persona.Definition, m *persona.Machine) (*machine, error) {
	if d != e.def {
		return nil, fmt.Errorf("rule-based evaluator: compiled for another definition")
	}
	for i := range d.Machines {
		if &d.Machines[i] == m {
			return &e.machines[i], nil
		}
	}
	return nil, fmt.Errorf("rule-based evaluator: machine not in the definition")
}

// Evaluate extracts the state's variables from the message, then tries the state's follow-ups
// and then the candidates in order; the first whose matcher holds wins. Transitions and
// follow-ups without a matcher are never chosen.
func (e *Evaluator) Evaluate(_ context.Context, in turn.Input) (turn.Decision, error) {
	cm, err := e.machine(in.Persona, in.Machine)
	if err != nil {
		return turn.Decision{}, err
	}
	cs := cm.states[in.State.StateKey]
	if cs == nil {
		return turn.Decision{}, fmt.Errorf("rule-based evaluator: unknown state %q", in.State.StateKey)
	}
	d := turn.Decision{}
	for _, x := range cs.extract {
		if v, ok := find(x.re, in.Message); ok {
			if d.Vars == nil {
				d.Vars = map[string]string{}
			}
			d.Vars[x.key] = v
		}
	}
	msg := normalize(in.Message)
	var env map[string]any // built on first use: most matchers need no expression
	holds := func(c *matcher) bool {
		if c == nil {
			return false
		}
		if env == nil && c.when != nil {
			env = e.env(in, d.Vars)
		}
		return c.holds(msg, in.Message, env)
	}
	for i, c := range cs.followUps {
		if holds(c) {
			d.Kind, d.Index = turn.AskFollowUp, i
			return d, nil
		}
	}
	for i, cand := range in.Candidates {
		if cand.Index < 0 || cand.Index >= len(cm.transitions) {
			return turn.Decision{}, fmt.Errorf("rule-based evaluator: transition %d out of range", cand.Index)
		}
		if holds(cm.transitions[cand.Index]) {
			d.Kind, d.Index = turn.TakeTransition, i
			return d, nil
		}
	}
	return d, nil
}

// holds applies the criteria, all of which must hold: any keyword, any pattern, the expression.
func (c *matcher) holds(normalized, raw string, env map[string]any) bool {
	if c.always {
		return true
	}
	if len(c.keywords) > 0 {
		ok := false
		for _, k := range c.keywords {
			if containsWord(normalized, k) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if len(c.patterns) > 0 {
		ok := false
		for _, p := range c.patterns {
			if p != nil && p.MatchString(raw) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if c.when != nil && !run(c.when, env) {
		return false
	}
	return true
}

// env is an expression's runtime environment: built-ins, then every variable with its declared
// type (unset ones at their type's zero value, so expressions never see a missing name).
func (e *Evaluator) env(in turn.Input, extracted map[string]string) map[string]any {
	env := maps.Clone(e.zero)
	env["score"] = in.Score
	env["turn"] = in.Turn
	env["redirect_count"] = in.Redirects
	env["message"] = in.Message
	env["player_name"] = in.Player.Name
	env["player_gender"] = in.Player.Gender
	set := func(k, v string) {
		if _, known := env[k]; !known || persona.IsReserved(k) {
			return
		}
		typ := e.types[k]
		if typ == "" {
			typ = persona.TypeString
		}
		if x, err := persona.ParseValue(typ, v); err == nil {
			env[k] = x
		}
	}
	for k, v := range in.Vars {
		set(k, v)
	}
	for k, v := range extracted {
		set(k, v)
	}
	return env
}

// Reply renders the line for what happened (see docs/personas.md for the order of preference).
func (e *Evaluator) Reply(_ context.Context, in turn.ReplyInput) (string, error) {
	cm, err := e.machine(in.Persona, in.Machine)
	if err != nil {
		return "", err
	}
	value := func(k string) string {
		switch k {
		case "player_name":
			return in.Player.Name
		case "player_gender":
			return in.Player.Gender
		case "score":
			return strconv.Itoa(in.Score)
		case "persona":
			return in.Persona.Name
		case "machine":
			return in.Machine.Name
		case "state":
			if in.To != nil {
				return in.To.Label
			}
			return ""
		}
		return in.Vars[k]
	}
	transition := func() (template, bool) {
		if in.Transition == nil {
			return template{}, false
		}
		for i := range in.Machine.Transitions {
			if &in.Machine.Transitions[i] == in.Transition {
				return cm.replies[i], in.Transition.Reply != ""
			}
		}
		return template{}, false
	}
	to := cm.states[in.To.StateKey]
	switch in.Kind {
	case turn.Opening:
		if to != nil && to.hasReply {
			return to.reply.render(value), nil
		}
		return DefaultOpening, nil
	case turn.FollowUp:
		if from := cm.states[in.From.StateKey]; from != nil {
			for i := range in.From.FollowUpConditions {
				if &in.From.FollowUpConditions[i] == in.FollowUp && i < len(from.questions) {
					return from.questions[i].render(value), nil
				}
			}
		}
		return in.FollowUp.Question, nil
	case turn.Moved, turn.Ended:
		if t, ok := transition(); ok {
			return t.render(value), nil
		}
		if to != nil && to.hasReply && (in.Kind == turn.Moved || in.To.IsTerminalState) {
			return to.reply.render(value), nil
		}
		if in.Kind == turn.Ended {
			return DefaultEnding[in.Outcome], nil
		}
		return DefaultMoved, nil
	default: // Stayed
		if t, ok := transition(); ok {
			return t.render(value), nil
		}
		if from := cm.states[in.From.StateKey]; from != nil && from.hasFall {
			return from.fallback.render(value), nil
		}
		return DefaultFallback, nil
	}
}

// Extract fills the output variables that carry a pattern from the player's messages in the
// history, the latest match winning. Variables without a pattern (or without a match) are left
// to the engine, which carries a session value of the same key on.
func (e *Evaluator) Extract(_ context.Context, in turn.ExtractInput) (map[string]string, error) {
	cm, err := e.machine(in.Persona, in.Machine)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for oi, o := range in.Machine.OutputVariables {
		re := cm.outputs[oi]
		if re == nil {
			continue
		}
		for i := len(in.History) - 1; i >= 0; i-- {
			h := in.History[i]
			if h.Role != turn.RoleUser || h.MachineKey != in.Machine.MachineKey {
				continue
			}
			if v, ok := find(re, h.Content); ok {
				out[o.Key] = v
				break
			}
		}
	}
	return out, nil
}

// find returns the first capture group of re's first match in s (or the whole match), trimmed.
func find(re *regexp.Regexp, s string) (string, bool) {
	if re == nil {
		return "", false
	}
	m := re.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	v := m[0]
	if len(m) > 1 {
		v = m[1]
	}
	return strings.TrimSpace(v), true
}

// normalize lower-cases s and collapses every run of white space to one space.
func normalize(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// containsWord reports whether kw occurs in s with no letter or digit directly on either side.
func containsWord(s, kw string) bool {
	if kw == "" {
		return false
	}
	for from := 0; from <= len(s)-len(kw); {
		i := strings.Index(s[from:], kw)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(kw)
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if (i == 0 || !isWord(before)) && (end == len(s) || !isWord(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		from = i + size
	}
	return false
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
