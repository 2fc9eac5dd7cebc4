package persona

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
)

// Problem is one thing wrong with a definition, at a JSON path such as
// "machines[0].transitions[2].to_state_key".
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Check is an extra validation pass over a well-formed definition (persona/rules adds one that
// compiles matchers and templates). It runs only when the structural checks found nothing.
type Check func(*Definition) []Problem

// reserved names cannot be variable keys: expressions and templates use them for built-ins.
var reserved = map[string]bool{
	"score": true, "turn": true, "redirect_count": true, "message": true, "player_name": true,
	"player_gender": true, "persona": true, "machine": true, "state": true, "true": true,
	"false": true, "nil": true, "in": true, "not": true, "and": true, "or": true, "matches": true,
	"contains": true, "startswith": true, "endswith": true, "let": true, "if": true, "else": true,
}

var (
	keyRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	varRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,63}$`)
)

// Validate checks a decoded definition and returns nil or an *errs.Error of kind Validation
// whose Field is the path of the first problem and whose Data["errors"] lists every problem
// ([]Problem) in document order. The checks: sizes and lengths, keys (format, uniqueness, no
// reserved variable names), enums, exactly one initial state and at least one terminal state per
// machine, transitions between known states, every terminal state reachable from the initial
// one, no dead-end states, links between known machines whose condition can hold given what the
// source machine can actually produce, and a source machine that can itself become available.
func Validate(d *Definition, checks ...Check) error {
	v := &validator{}
	v.definition(d)
	if len(v.problems) == 0 {
		for _, c := range checks {
			v.problems = append(v.problems, c(d)...)
		}
	}
	return Problems(v.problems)
}

// IsReserved reports whether k is a built-in name that no variable may take.
func IsReserved(k string) bool { return reserved[k] }

// Parse decodes and validates a definition in one step: Decode, then Validate with checks.
func Parse(data []byte, checks ...Check) (*Definition, error) {
	d, err := Decode(data)
	if err != nil {
		return nil, err
	}
	if err := Validate(d, checks...); err != nil {
		return nil, err
	}
	return d, nil
}

// Problems converts a list of problems into the error Validate returns (nil when empty).
func Problems(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return fmt.Errorf("validate persona: %w", &errs.Error{Kind: errs.Validation, Field: ps[0].Path,
		Message: ps[0].Message, Data: map[string]any{"errors": ps}})
}

type validator struct {
	problems []Problem
}

func (v *validator) add(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) text(path, s string, min, max int) {
	switch {
	case len(strings.TrimSpace(s)) < min:
		v.add(path, "is required")
	case len(s) > max:
		v.add(path, "is longer than %d bytes", max)
	}
}

func (v *validator) count(path string, n, min, max int) {
	switch {
	case n < min:
		v.add(path, "needs at least %d item(s)", min)
	case n > max:
		v.add(path, "has more than %d items", max)
	}
}

func (v *validator) key(path, k string) {
	if !keyRE.MatchString(k) {
		v.add(path, "must be 1-64 characters of a-z, 0-9, _ and -, starting with a letter or digit")
	}
}

func (v *validator) varKey(path, k string) {
	switch {
	case !varRE.MatchString(k):
		v.add(path, "must be 1-64 characters of a-z, 0-9 and _, not starting with a digit")
	case reserved[k]:
		v.add(path, "%q is a reserved name", k)
	}
}

func (v *validator) pattern(path, p string) {
	if len(p) > MaxPatternLen {
		v.add(path, "is longer than %d bytes", MaxPatternLen)
		return
	}
	if _, err := regexp.Compile(p); err != nil {
		v.add(path, "is not a valid RE2 pattern: %v", err)
	}
}

func (v *validator) match(path string, m *Match) {
	if m == nil {
		return
	}
	if m.Empty() {
		v.add(path, "needs keywords, patterns, when or always")
	}
	v.count(join(path, "keywords"), len(m.Keywords), 0, MaxKeywords)
	for i, k := range m.Keywords {
		v.text(index(join(path, "keywords"), i), k, 1, MaxKeywordLen)
	}
	v.count(join(path, "patterns"), len(m.Patterns), 0, MaxPatterns)
	for i, p := range m.Patterns {
		v.pattern(index(join(path, "patterns"), i), p)
	}
	v.text(join(path, "when"), m.When, 0, MaxExprLen)
}

func (v *validator) definition(d *Definition) {
	v.text("name", d.Name, 1, MaxNameLen)
	v.text("description", d.Description, 0, MaxTextLen)
	v.text("persona_identity_prompt", d.PersonaIdentityPrompt, 1, MaxPromptLen)

	v.count("variables", len(d.Variables), 0, MaxVariables)
	seenVar := map[string]bool{}
	for i, x := range d.Variables {
		p := index("variables", i)
		v.varKey(join(p, "key"), x.Key)
		if seenVar[x.Key] {
			v.add(join(p, "key"), "duplicate variable %q", x.Key)
		}
		seenVar[x.Key] = true
		switch x.TypeOrDefault() {
		case TypeString, TypeNumber, TypeBoolean:
			if x.Default != "" {
				if _, err := ParseValue(x.TypeOrDefault(), x.Default); err != nil {
					v.add(join(p, "default"), "%v", err)
				}
			}
		default:
			v.add(join(p, "type"), "must be string, number or boolean")
		}
		v.text(join(p, "description"), x.Description, 0, MaxTextLen)
		v.text(join(p, "default"), x.Default, 0, MaxValueLen)
	}

	v.count("machines", len(d.Machines), 1, MaxMachines)
	seenMachine := map[string]bool{}
	total := 0
	outcomes := make([]outcomeSet, len(d.Machines))
	for i := range d.Machines {
		m := &d.Machines[i]
		p := index("machines", i)
		v.key(join(p, "machine_key"), m.MachineKey)
		if seenMachine[m.MachineKey] {
			v.add(join(p, "machine_key"), "duplicate machine_key %q", m.MachineKey)
		}
		seenMachine[m.MachineKey] = true
		total += len(m.Transitions)
		outcomes[i] = v.machine(p, m)
	}
	if total > MaxTransitions {
		v.add("machines", "has %d transitions in all, more than %d", total, MaxTransitions)
	}
	v.links(d, outcomes)
}

func (v *validator) machine(p string, m *Machine) outcomeSet {
	before := len(v.problems)
	v.text(join(p, "name"), m.Name, 1, MaxNameLen)
	v.text(join(p, "description"), m.Description, 0, MaxTextLen)
	v.text(join(p, "objective"), m.Objective, 0, MaxTextLen)
	v.text(join(p, "win_condition"), m.WinCondition, 0, MaxTextLen)
	v.text(join(p, "lose_condition"), m.LoseCondition, 0, MaxTextLen)
	switch m.Mode() {
	case ScoringMode:
		if m.Threshold() <= m.FailBound() {
			v.add(join(p, "pass_threshold"), "must be greater than early_fail_bound (%d)", m.FailBound())
		}
	case PassFailMode:
		if m.PassThreshold != nil {
			v.add(join(p, "pass_threshold"), "applies only to scoring mode")
		}
		if m.EarlyFailBound != nil {
			v.add(join(p, "early_fail_bound"), "applies only to scoring mode")
		}
	default:
		v.add(join(p, "scoring_mode"), "must be scoring or pass_fail")
	}

	v.count(join(p, "output_variables"), len(m.OutputVariables), 0, MaxOutputVariables)
	seenOut := map[string]bool{}
	for i, o := range m.OutputVariables {
		op := index(join(p, "output_variables"), i)
		v.varKey(join(op, "key"), o.Key)
		if seenOut[o.Key] {
			v.add(join(op, "key"), "duplicate output variable %q", o.Key)
		}
		seenOut[o.Key] = true
		v.text(join(op, "extraction_prompt"), o.ExtractionPrompt, 1, MaxTextLen)
		if o.Pattern != "" {
			v.pattern(join(op, "pattern"), o.Pattern)
		}
	}

	sp := join(p, "states")
	v.count(sp, len(m.States), 2, MaxStatesPerMachine)
	seenState := map[string]bool{}
	initial := -1
	terminals := 0
	for i := range m.States {
		s := &m.States[i]
		p := index(sp, i)
		v.key(join(p, "state_key"), s.StateKey)
		if seenState[s.StateKey] {
			v.add(join(p, "state_key"), "duplicate state_key %q", s.StateKey)
		}
		seenState[s.StateKey] = true
		v.text(join(p, "label"), s.Label, 1, MaxNameLen)
		v.text(join(p, "prompt_instruction"), s.PromptInstruction, 0, MaxPromptLen)
		v.text(join(p, "reply"), s.Reply, 0, MaxTextLen)
		v.text(join(p, "fallback_reply"), s.FallbackReply, 0, MaxTextLen)
		if s.IsInitialState {
			if initial >= 0 {
				v.add(join(p, "is_initial_state"), "a machine has exactly one initial state; %s is one already", index(sp, initial))
			} else {
				initial = i
			}
			if s.IsTerminalState {
				v.add(join(p, "is_terminal_state"), "the initial state cannot be terminal")
			}
		}
		if s.IsTerminalState {
			terminals++
		}
		switch s.TerminalOutcome {
		case "":
		case Accept, RejectOut:
			if !s.IsTerminalState {
				v.add(join(p, "terminal_outcome"), "applies only to terminal states")
			}
		default:
			v.add(join(p, "terminal_outcome"), "must be ACCEPT or REJECT")
		}
		fp := join(p, "follow_up_conditions")
		v.count(fp, len(s.FollowUpConditions), 0, MaxFollowUps)
		for j, f := range s.FollowUpConditions {
			q := index(fp, j)
			v.text(join(q, "condition"), f.Condition, 1, MaxTextLen)
			v.text(join(q, "question"), f.Question, 1, MaxTextLen)
			v.match(join(q, "match"), f.Match)
		}
		ep := join(p, "extract")
		v.count(ep, len(s.Extract), 0, MaxExtractions)
		for j, x := range s.Extract {
			q := index(ep, j)
			v.varKey(join(q, "key"), x.Key)
			v.text(join(q, "pattern"), x.Pattern, 1, MaxPatternLen)
			v.pattern(join(q, "pattern"), x.Pattern)
		}
	}
	if len(m.States) > 0 {
		if initial < 0 {
			v.add(sp, "a machine needs exactly one initial state; none has is_initial_state")
		}
		if terminals == 0 {
			v.add(sp, "a machine needs at least one terminal state; none has is_terminal_state")
		}
	}

	tp := join(p, "transitions")
	v.count(tp, len(m.Transitions), 1, MaxTransitionsPerMachine)
	for i := range m.Transitions {
		t := &m.Transitions[i]
		q := index(tp, i)
		from, _ := m.State(t.FromStateKey)
		switch {
		case t.FromStateKey == "":
			v.add(join(q, "from_state_key"), "is required")
		case from == nil:
			v.add(join(q, "from_state_key"), "unknown state %q", t.FromStateKey)
		case from.IsTerminalState:
			v.add(join(q, "from_state_key"), "state %q is terminal: nothing leaves it", t.FromStateKey)
		}
		if t.ToStateKey != "" {
			if to, _ := m.State(t.ToStateKey); to == nil {
				v.add(join(q, "to_state_key"), "unknown state %q", t.ToStateKey)
			}
		}
		switch t.DecisionType {
		case Pass:
			if t.ToStateKey == "" {
				v.add(join(q, "to_state_key"), "is required for a pass transition")
			}
		case Redirect, Reject, KickOut:
		case "":
			v.add(join(q, "decision_type"), "is required")
		default:
			v.add(join(q, "decision_type"), "must be pass, redirect, reject or kick_out")
		}
		if t.ScoreDelta < -MaxScoreDelta || t.ScoreDelta > MaxScoreDelta {
			v.add(join(q, "score_delta"), "must be between %d and %d", -MaxScoreDelta, MaxScoreDelta)
		}
		if m.Mode() == PassFailMode && t.ScoreDelta != 0 {
			v.add(join(q, "score_delta"), "a pass_fail machine keeps no score")
		}
		v.text(join(q, "condition"), t.Condition, 0, MaxTextLen)
		v.text(join(q, "reply"), t.Reply, 0, MaxTextLen)
		v.match(join(q, "match"), t.Match)
	}
	if len(v.problems) > before {
		return outcomeSet{} // the graph checks need a well-formed machine
	}
	return v.graph(p, m)
}

// outcomeSet is what a machine can end with (an over-approximation: a link is refused only when
// its condition is impossible, never because it is merely unlikely).
type outcomeSet struct {
	accept, reject, kickOut bool
	lo, hi                  bound // final score range
}

// bound is a score bound; inf means unbounded in its direction.
type bound struct {
	n   int
	inf bool
}

// graph checks reachability and computes the outcomes and score range a machine can produce.
func (v *validator) graph(p string, m *Machine) outcomeSet {
	n := len(m.States)
	idx := make(map[string]int, n)
	for i, s := range m.States {
		idx[s.StateKey] = i
	}
	type edge struct{ from, to, w int }
	var edges []edge
	var kicks []edge // to = from
	out := outcomeSet{}
	scoring := m.Mode() == ScoringMode
	for _, ti := range sortedAll(m) {
		t := m.Transitions[ti]
		from := idx[t.FromStateKey]
		w := t.ScoreDelta
		switch t.DecisionType {
		case Pass:
			edges = append(edges, edge{from, idx[t.ToStateKey], w})
		case Redirect:
			edges = append(edges, edge{from, from, w})
		case Reject:
			if !scoring {
				kicks = append(kicks, edge{from, -1, 0}) // ends with REJECT
				continue
			}
			to := from
			if k := RejectTarget(m, t); k != "" {
				to = idx[k]
			}
			edges = append(edges, edge{from, to, w})
		case KickOut:
			kicks = append(kicks, edge{from, from, w})
		}
	}
	// Reachability from the initial state.
	reach := make([]bool, n)
	start := 0
	for i, s := range m.States {
		if s.IsInitialState {
			start = i
		}
	}
	reach[start] = true
	for changed := true; changed; {
		changed = false
		for _, e := range edges {
			if reach[e.from] && !reach[e.to] {
				reach[e.to], changed = true, true
			}
		}
	}
	hasOut := make([]bool, n)
	for _, t := range m.Transitions {
		hasOut[idx[t.FromStateKey]] = true
	}
	for i, s := range m.States {
		sp := index(join(p, "states"), i)
		switch {
		case s.IsTerminalState && !reach[i]:
			v.add(sp, "terminal state %q cannot be reached from the initial state", s.StateKey)
		case !s.IsTerminalState && reach[i] && !hasOut[i]:
			v.add(sp, "state %q is not terminal and no transition leaves it", s.StateKey)
		}
	}

	// Score range: longest and shortest paths, unbounded through a positive (negative) cycle.
	hi := paths(n, start, len(edges), func(i int) (int, int, int) { e := edges[i]; return e.from, e.to, e.w })
	lo := paths(n, start, len(edges), func(i int) (int, int, int) { e := edges[i]; return e.from, e.to, -e.w })
	first := true
	widen := func(h, l bound) {
		if first {
			out.hi, out.lo, first = h, bound{-l.n, l.inf}, false
			return
		}
		if h.inf || (!out.hi.inf && h.n > out.hi.n) {
			out.hi = h
		}
		ll := bound{-l.n, l.inf}
		if ll.inf || (!out.lo.inf && ll.n < out.lo.n) {
			out.lo = ll
		}
	}
	for i, s := range m.States {
		if !reach[i] {
			continue
		}
		if s.IsTerminalState {
			widen(hi[i], lo[i])
			switch {
			case !scoring:
				if s.TerminalOutcome == RejectOut {
					out.reject = true
				} else {
					out.accept = true
				}
			case s.TerminalOutcome == RejectOut:
				out.reject = true
			default:
				if hi[i].inf || hi[i].n >= m.Threshold() {
					out.accept = true
				}
				if lo[i].inf || -lo[i].n < m.Threshold() {
					out.reject = true
				}
			}
		} else if scoring && (lo[i].inf || -lo[i].n <= m.FailBound()) {
			// The early-fail bound can end the conversation here, at a score at most the bound.
			h := hi[i]
			if h.inf || h.n > m.FailBound() {
				h = bound{n: m.FailBound()}
			}
			widen(h, lo[i])
			out.reject = true
		}
	}
	for _, k := range kicks {
		if !reach[k.from] {
			continue
		}
		if k.to == -1 {
			out.reject = true
			widen(hi[k.from], lo[k.from])
			continue
		}
		out.kickOut = true
		h, l := hi[k.from], lo[k.from]
		h.n += k.w
		l.n -= k.w
		widen(h, l)
	}
	if !scoring {
		out.lo, out.hi = bound{}, bound{}
	}
	return out
}

// paths computes the longest path weight from start to every node (Bellman-Ford on negated
// weights), marking nodes reachable through a positive cycle unbounded.
func paths(n, start, m int, edge func(int) (from, to, w int)) []bound {
	const unset = -1 << 62
	d := make([]int, n)
	for i := range d {
		d[i] = unset
	}
	d[start] = 0
	for range n {
		for i := range m {
			f, t, w := edge(i)
			if d[f] != unset && d[f]+w > d[t] {
				d[t] = d[f] + w
			}
		}
	}
	inf := make([]bool, n)
	for i := range m {
		f, t, w := edge(i)
		if d[f] != unset && d[f]+w > d[t] {
			inf[t] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for i := range m {
			f, t, _ := edge(i)
			if inf[f] && !inf[t] {
				inf[t], changed = true, true
			}
		}
	}
	out := make([]bound, n)
	for i := range out {
		out[i] = bound{n: d[i], inf: inf[i]}
	}
	return out
}

// sortedAll returns every transition index in the order the engine tries them state by state.
func sortedAll(m *Machine) []int {
	var out []int
	for _, s := range m.States {
		out = append(out, m.Outgoing(s.StateKey)...)
	}
	return out
}

// RejectTarget is where a reject transition leads in scoring mode: the target of its state's
// first pass transition (the notes' "advance along the state's pass transition"), else its own
// to_state_key; "" means it stays.
func RejectTarget(m *Machine, t Transition) string {
	for _, i := range m.Outgoing(t.FromStateKey) {
		if m.Transitions[i].DecisionType == Pass {
			return m.Transitions[i].ToStateKey
		}
	}
	return t.ToStateKey
}

func (v *validator) links(d *Definition, outcomes []outcomeSet) {
	v.count("machine_links", len(d.MachineLinks), 0, MaxLinks)
	type sig struct {
		s, t, c string
		val     LinkValue
	}
	seen := map[sig]int{}
	ok := make([]bool, len(d.MachineLinks))
	for i, l := range d.MachineLinks {
		p := index("machine_links", i)
		src, si := d.Machine(l.SourceMachineKey)
		tgt, _ := d.Machine(l.TargetMachineKey)
		if src == nil {
			v.add(join(p, "source_machine_key"), "unknown machine %q", l.SourceMachineKey)
		}
		if tgt == nil {
			v.add(join(p, "target_machine_key"), "unknown machine %q", l.TargetMachineKey)
		}
		if src != nil && src == tgt {
			v.add(join(p, "target_machine_key"), "a machine cannot link to itself")
		}
		if j, dup := seen[sig{l.SourceMachineKey, l.TargetMachineKey, l.ConditionType, l.ConditionValue}]; dup {
			v.add(p, "duplicates %s", index("machine_links", j))
		}
		seen[sig{l.SourceMachineKey, l.TargetMachineKey, l.ConditionType, l.ConditionValue}] = i
		vp := join(p, "condition_value")
		val := l.ConditionValue
		shapeOK := true
		switch l.ConditionType {
		case LinkOutcome:
			if !val.Set || val.IsInt || (val.Str != Accept && val.Str != RejectOut && val.Str != KickOutOut) {
				v.add(vp, "must be ACCEPT, REJECT or KICK_OUT for an outcome link")
				shapeOK = false
			}
		case LinkScoreGTE, LinkScoreLTE:
			if !val.Set || !val.IsInt {
				v.add(vp, "must be an integer score for a %s link", l.ConditionType)
				shapeOK = false
			}
		case LinkAlways:
			if val.Set {
				v.add(vp, "must be absent for an always link")
				shapeOK = false
			}
		default:
			v.add(join(p, "condition_type"), "must be outcome, score_gte, score_lte or always")
			shapeOK = false
		}
		if src == nil || si >= len(outcomes) || !shapeOK || len(v.problems) > 0 {
			continue
		}
		o := outcomes[si]
		never := ""
		switch l.ConditionType {
		case LinkOutcome:
			if (val.Str == Accept && !o.accept) || (val.Str == RejectOut && !o.reject) || (val.Str == KickOutOut && !o.kickOut) {
				never = fmt.Sprintf("machine %q can never end with %s", src.MachineKey, val.Str)
			}
		case LinkScoreGTE:
			if !o.hi.inf && o.hi.n < val.Integer {
				never = fmt.Sprintf("machine %q ends with a score of at most %d", src.MachineKey, o.hi.n)
			}
		case LinkScoreLTE:
			if !o.lo.inf && o.lo.n > val.Integer {
				never = fmt.Sprintf("machine %q ends with a score of at least %d", src.MachineKey, o.lo.n)
			}
		}
		if never != "" {
			v.add(vp, "can never be satisfied: %s", never)
			continue
		}
		ok[i] = true
	}
	if len(v.problems) > 0 {
		return
	}
	// A link whose source can never become available never fires either.
	avail := map[string]bool{}
	for _, m := range d.Machines {
		if d.AlwaysAvailable(m.MachineKey) {
			avail[m.MachineKey] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for i, l := range d.MachineLinks {
			if ok[i] && avail[l.SourceMachineKey] && !avail[l.TargetMachineKey] {
				avail[l.TargetMachineKey], changed = true, true
			}
		}
	}
	for i, l := range d.MachineLinks {
		if !avail[l.SourceMachineKey] {
			v.add(index("machine_links", i)+".source_machine_key",
				"can never be satisfied: machine %q can never be unlocked", l.SourceMachineKey)
		}
	}
}

// ParseValue checks a variable value against its type and returns it as the rule-based
// evaluator's expressions see it: string, float64 or bool.
func ParseValue(typ, s string) (any, error) {
	switch typ {
	case TypeNumber:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%q is not a number", s)
		}
		return f, nil
	case TypeBoolean:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "yes", "1":
			return true, nil
		case "false", "no", "0":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not a boolean (true or false)", s)
	}
	return s, nil
}
