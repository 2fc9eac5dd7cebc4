package turn

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/persona"
)

// Error codes of the engine's domain errors (errs.Error.Code).
const (
	CodeMachineLocked = "MACHINE_LOCKED"
	CodeNoSession     = "NO_SESSION"
	CodeSessionEnded  = "SESSION_ENDED"
	CodeTurnLimit     = "TURN_LIMIT"
)

// Engine plays one validated definition with one evaluator.
type Engine struct {
	def  *persona.Definition
	eval Evaluator
	now  func() time.Time
}

// New returns an engine for def, which must have passed persona.Validate; now is the clock
// (stamps on sessions, messages and completions).
func New(def *persona.Definition, eval Evaluator, now func() time.Time) *Engine {
	return &Engine{def: def, eval: eval, now: now}
}

// Evaluator returns the evaluator the engine asks.
func (e *Engine) Evaluator() Evaluator { return e.eval }

// Definition returns the definition the engine plays.
func (e *Engine) Definition() *persona.Definition { return e.def }

// machine resolves a machine key: "" is the current machine, else the primary one.
func (e *Engine) machine(st *State, key string) (*persona.Machine, int, error) {
	if key == "" {
		key = st.CurrentMachine
	}
	if key == "" {
		if p := e.def.Primary(); p != nil {
			key = p.MachineKey
		}
	}
	m, i := e.def.Machine(key)
	if m == nil {
		return nil, -1, errs.NotFoundf("no machine %q in this persona", key)
	}
	return m, i, nil
}

// IsAvailable reports whether the player may enter machine key: entry machines, machines no link
// points at, and machines a satisfied link has unlocked.
func (e *Engine) IsAvailable(st State, key string) bool {
	if e.def.AlwaysAvailable(key) {
		return true
	}
	for _, k := range st.Unlocked {
		if k == key {
			return true
		}
	}
	return false
}

// Start begins a new session with machine key ("" → the primary machine), replacing any earlier
// session with it, and returns the NPC's opening line.
func (e *Engine) Start(ctx context.Context, st *State, key string, p Player) (Started, error) {
	if key == "" {
		if pm := e.def.Primary(); pm != nil {
			key = pm.MachineKey
		}
	}
	next := st.Clone()
	out, err := e.start(ctx, &next, key, p)
	if err != nil {
		return Started{}, fmt.Errorf("start session: %w", err)
	}
	*st = next
	return out, nil
}

func (e *Engine) start(ctx context.Context, st *State, key string, p Player) (Started, error) {
	m, _, err := e.machine(st, key)
	if err != nil {
		return Started{}, err
	}
	if !e.IsAvailable(*st, m.MachineKey) {
		return Started{}, &errs.Error{Kind: errs.Forbidden, Code: CodeMachineLocked,
			Message: fmt.Sprintf("machine %q is locked: complete the machine that unlocks it first", m.MachineKey)}
	}
	init := m.Initial()
	if init == nil {
		return Started{}, fmt.Errorf("machine %q has no initial state", m.MachineKey)
	}
	now := e.now()
	s := Session{MachineKey: m.MachineKey, StateKey: init.StateKey, Player: p, StartedAt: now, LastMessageAt: now}
	reply, err := e.eval.Reply(ctx, ReplyInput{Persona: e.def, Machine: m, Kind: Opening, To: init,
		Vars: e.vars(st, &s), Player: p})
	if err != nil {
		return Started{}, fmt.Errorf("opening line: %w", err)
	}
	if st.Sessions == nil {
		st.Sessions = map[string]Session{}
	}
	st.Sessions[m.MachineKey] = s
	st.CurrentMachine = m.MachineKey
	if n := len(st.RoutePath); n == 0 || st.RoutePath[n-1] != m.MachineKey {
		st.RoutePath = append(st.RoutePath, m.MachineKey)
	}
	return Started{MachineKey: m.MachineKey, Session: s, Reply: reply, Evaluator: e.eval.Name(),
		Messages: []Message{{Role: RoleAssistant, Content: reply, MachineKey: m.MachineKey,
			StateKey: init.StateKey, At: now}}}, nil
}

// vars merges, lowest precedence first: persona variable defaults, cross-machine variables, the
// session's own variables.
func (e *Engine) vars(st *State, s *Session) map[string]string {
	out := make(map[string]string, len(e.def.Variables)+len(st.Vars)+len(s.Vars))
	for _, v := range e.def.Variables {
		if v.Default != "" {
			out[v.Key] = v.Default
		}
	}
	for k, v := range st.Vars {
		out[k] = v
	}
	for k, v := range s.Vars {
		out[k] = v
	}
	return out
}

// Turn judges one player message in machine key's session ("" → the current machine) and applies
// the rules (docs/personas.md):
//   - transitions are tried in priority order by the evaluator; follow-ups come first;
//   - pass moves to to_state_key and adds score_delta;
//   - redirect stays (redirect_count + 1); a message nothing matches is a redirect too;
//   - reject: in scoring mode adds score_delta and moves along the state's first pass transition
//     (persona.RejectTarget); in pass/fail mode ends the conversation with REJECT;
//   - kick_out ends it with KICK_OUT;
//   - scoring mode: score ≤ early_fail_bound ends it with REJECT at once; reaching a terminal ends
//     it with ACCEPT if score ≥ pass_threshold (and the terminal is not tagged REJECT), else REJECT;
//   - pass/fail mode: reaching a terminal ends it with the terminal's tag (ACCEPT when untagged);
//   - a follow-up asks its question and changes nothing else.
//
// When the machine ends, output variables are extracted into the cross-machine variables, the
// completion is recorded, links from the machine are checked in listing order (each satisfied one
// unlocks its target) and the first satisfied auto-advance link starts the target's session.
// history is the stored conversation with this machine (the engine hands the evaluator the last
// MaxHistory messages).
func (e *Engine) Turn(ctx context.Context, st *State, key, message string, history []Message) (Result, error) {
	if strings.TrimSpace(message) == "" {
		return Result{}, errs.Missing("message")
	}
	if len(message) > MaxMessageBytes {
		return Result{}, &errs.Error{Kind: errs.TooLarge, Field: "message",
			Message: fmt.Sprintf("a message is at most %d bytes", MaxMessageBytes)}
	}
	if !utf8.ValidString(message) {
		return Result{}, errs.Invalid("message", "must be valid UTF-8")
	}
	next := st.Clone()
	res, err := e.turn(ctx, &next, key, message, history)
	if err != nil {
		return Result{}, fmt.Errorf("turn: %w", err)
	}
	*st = next
	return res, nil
}

func (e *Engine) turn(ctx context.Context, st *State, key, message string, history []Message) (Result, error) {
	m, mi, err := e.machine(st, key)
	if err != nil {
		return Result{}, err
	}
	s, ok := st.Sessions[m.MachineKey]
	if !ok {
		return Result{}, &errs.Error{Kind: errs.NotFound, Code: CodeNoSession,
			Message: fmt.Sprintf("no session with machine %q: start one first", m.MachineKey)}
	}
	if s.Ended() {
		return Result{}, &errs.Error{Kind: errs.Conflict, Code: CodeSessionEnded,
			Message: fmt.Sprintf("the conversation with machine %q has ended (%s): reset it or start another", m.MachineKey, s.Outcome)}
	}
	if s.Turns >= MaxTurns {
		return Result{}, &errs.Error{Kind: errs.Conflict, Code: CodeTurnLimit,
			Message: fmt.Sprintf("a session holds at most %d messages: reset it", MaxTurns)}
	}
	from, _ := m.State(s.StateKey)
	if from == nil {
		return Result{}, fmt.Errorf("session state %q is not in machine %q", s.StateKey, m.MachineKey)
	}
	now := e.now()
	s.Turns++
	s.LastMessageAt = now
	if len(history) > MaxHistory {
		history = history[len(history)-MaxHistory:]
	}
	outgoing := m.Outgoing(from.StateKey)
	cands := make([]Candidate, len(outgoing))
	for i, ti := range outgoing {
		cands[i] = Candidate{Index: ti, Transition: m.Transitions[ti]}
	}
	in := Input{Persona: e.def, Machine: m, MachineIndex: mi, State: from, Candidates: cands,
		FollowUps: from.FollowUpConditions, Message: message, History: history, Vars: e.vars(st, &s),
		Score: s.Score, Turn: s.Turns, Redirects: s.RedirectCount, Player: s.Player}
	d, err := e.eval.Evaluate(ctx, in)
	if err != nil {
		return Result{}, fmt.Errorf("evaluate: %w", err)
	}
	switch {
	case d.Kind == TakeTransition && (d.Index < 0 || d.Index >= len(cands)),
		d.Kind == AskFollowUp && (d.Index < 0 || d.Index >= len(in.FollowUps)),
		d.Kind < NoMatch || d.Kind > AskFollowUp:
		return Result{}, fmt.Errorf("evaluator %s chose %d/%d, which does not leave state %q", e.eval.Name(), d.Kind, d.Index, from.StateKey)
	}
	mergeVars(&s, d.Vars)

	scoring := m.Mode() == persona.ScoringMode
	res := Result{MachineKey: m.MachineKey, ScoringMode: m.Mode(), Evaluator: e.eval.Name()}
	rin := ReplyInput{Persona: e.def, Machine: m, From: from, To: from, Message: message, History: history, Player: s.Player}
	var taken *persona.Transition
	switch d.Kind {
	case AskFollowUp:
		res.FollowUp = true
		rin.Kind = FollowUp
		rin.FollowUp = &in.FollowUps[d.Index]
	case NoMatch:
		res.Decision = persona.Redirect
		s.RedirectCount++
		rin.Kind = Stayed
	case TakeTransition:
		taken = &m.Transitions[cands[d.Index].Index]
		t := *taken
		rin.Transition = taken
		res.Decision = t.DecisionType
		if scoring {
			s.Score += t.ScoreDelta
		}
		rin.Kind = Stayed
		switch t.DecisionType {
		case persona.Pass:
			s.StateKey = t.ToStateKey
		case persona.Redirect:
			s.RedirectCount++
		case persona.Reject:
			if !scoring {
				s.Outcome = persona.RejectOut
			} else if to := persona.RejectTarget(m, t); to != "" {
				s.StateKey = to
			}
		case persona.KickOut:
			s.Outcome = persona.KickOutOut
		default:
			return Result{}, fmt.Errorf("transition %d has decision type %q", cands[d.Index].Index, t.DecisionType)
		}
	}
	to, _ := m.State(s.StateKey)
	if to == nil {
		return Result{}, fmt.Errorf("state %q is not in machine %q", s.StateKey, m.MachineKey)
	}
	if to != from {
		rin.Kind = Moved
	}
	if s.Outcome == "" {
		switch {
		case scoring && s.Score <= m.FailBound():
			s.Outcome = persona.RejectOut
		case to.IsTerminalState && to.TerminalOutcome == persona.RejectOut:
			s.Outcome = persona.RejectOut
		case to.IsTerminalState && !scoring:
			s.Outcome = persona.Accept
		case to.IsTerminalState && s.Score >= m.Threshold():
			s.Outcome = persona.Accept
		case to.IsTerminalState:
			s.Outcome = persona.RejectOut
		}
	}
	if s.Outcome != "" {
		rin.Kind = Ended
		rin.Outcome = s.Outcome
	}
	rin.To = to
	rin.Score = s.Score
	rin.Vars = e.vars(st, &s)
	if f, ok := ctx.Value(previewKey{}).(func(Result)); ok {
		pre := res
		pre.StateKey, pre.Score, pre.Outcome, pre.RedirectCount = s.StateKey, s.Score, s.Outcome, s.RedirectCount
		if s.Outcome != "" {
			pre.MachineCompleted = true
			pre.Unlocked, _ = e.fired(*st, m.MachineKey, s.Outcome, s.Score)
		}
		f(pre)
	}
	reply, err := e.eval.Reply(ctx, rin)
	if err != nil {
		return Result{}, fmt.Errorf("reply: %w", err)
	}
	st.Sessions[m.MachineKey] = s
	st.CurrentMachine = m.MachineKey
	res.Reply = reply
	res.StateKey = s.StateKey
	res.Score = s.Score
	res.Outcome = s.Outcome
	res.RedirectCount = s.RedirectCount
	res.Messages = []Message{
		{Role: RoleUser, Content: message, MachineKey: m.MachineKey, StateKey: from.StateKey, Score: in.Score, At: now},
		{Role: RoleAssistant, Content: reply, MachineKey: m.MachineKey, StateKey: s.StateKey, Score: s.Score,
			Decision: res.Decision, FollowUp: res.FollowUp, At: now},
	}
	if s.Outcome == "" {
		return res, nil
	}
	res.MachineCompleted = true
	if err := e.complete(ctx, st, m, &s, slices.Concat(history, res.Messages), &res); err != nil {
		return Result{}, err
	}
	return res, nil
}

// mergeVars stores extracted variables, skipping malformed keys and clipping long values, within
// MaxSessionVars.
func mergeVars(s *Session, vars map[string]string) {
	for k, v := range vars {
		if !validVarKey(k) {
			continue
		}
		if _, ok := s.Vars[k]; !ok && len(s.Vars) >= MaxSessionVars {
			continue
		}
		if s.Vars == nil {
			s.Vars = map[string]string{}
		}
		s.Vars[k] = clip(v)
	}
}

func validVarKey(k string) bool {
	if k == "" || len(k) > persona.MaxKeyLen || persona.IsReserved(k) {
		return false
	}
	for i, c := range k {
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// clip cuts v to persona.MaxValueLen bytes on a rune boundary.
func clip(v string) string {
	if len(v) <= persona.MaxValueLen {
		return v
	}
	v = v[:persona.MaxValueLen]
	for len(v) > 0 && !utf8.ValidString(v) {
		v = v[:len(v)-1]
	}
	return v
}

// complete records a finished machine: output variables, the completion, links and auto-advance.
func (e *Engine) complete(ctx context.Context, st *State, m *persona.Machine, s *Session, history []Message, res *Result) error {
	vars := e.vars(st, s)
	got, err := e.eval.Extract(ctx, ExtractInput{Persona: e.def, Machine: m, History: history, Vars: vars,
		Outcome: s.Outcome, Score: s.Score})
	if err != nil {
		return fmt.Errorf("extract output variables: %w", err)
	}
	for _, o := range m.OutputVariables {
		v, ok := got[o.Key]
		if !ok {
			v, ok = s.Vars[o.Key] // a value the session already extracted carries on as is
		}
		if !ok {
			continue
		}
		if st.Vars == nil {
			st.Vars = map[string]string{}
		}
		if res.Extracted == nil {
			res.Extracted = map[string]string{}
		}
		st.Vars[o.Key] = clip(v)
		res.Extracted[o.Key] = clip(v)
	}
	c := Completion{MachineKey: m.MachineKey, Outcome: s.Outcome, Score: s.Score, CompletedAt: e.now()}
	kept := st.Completed[:0]
	for _, x := range st.Completed {
		if x.MachineKey != m.MachineKey {
			kept = append(kept, x)
		}
	}
	st.Completed = append(kept, c)

	unlocked, advance := e.fired(*st, m.MachineKey, c.Outcome, c.Score)
	for _, u := range unlocked {
		st.Unlocked = append(st.Unlocked, u.MachineKey)
	}
	res.Unlocked = unlocked
	if advance == nil {
		return nil
	}
	started, err := e.start(ctx, st, advance.TargetMachineKey, s.Player)
	if err != nil {
		return fmt.Errorf("auto-advance to %q: %w", advance.TargetMachineKey, err)
	}
	res.Advanced = &started
	res.Messages = append(res.Messages, started.Messages...)
	return nil
}

// fired checks the links from machine key, which ended with outcome and score, in listing order:
// the machines they newly unlock, and the first satisfied auto-advance link. st is not changed.
func (e *Engine) fired(st State, key, outcome string, score int) ([]Unlock, *persona.Link) {
	var (
		out     []Unlock
		advance *persona.Link
	)
	for i := range e.def.MachineLinks {
		l := &e.def.MachineLinks[i]
		if l.SourceMachineKey != key || !Satisfied(*l, outcome, score) {
			continue
		}
		opened := slices.ContainsFunc(out, func(u Unlock) bool { return u.MachineKey == l.TargetMachineKey })
		if !opened && !e.IsAvailable(st, l.TargetMachineKey) {
			tm, _ := e.def.Machine(l.TargetMachineKey)
			out = append(out, Unlock{MachineKey: l.TargetMachineKey, Name: tm.Name, IsAutoAdvance: l.IsAutoAdvance})
		}
		if l.IsAutoAdvance && advance == nil {
			advance = l
		}
	}
	return out, advance
}

type previewKey struct{}

// WithPreview asks Turn to hand f, just before the reply step, the result as it will be answered
// without what the reply step and what follows it make: Reply, Messages, Extracted and Advanced
// are empty. A stream sends it as its first event while the reply is still being written.
func WithPreview(ctx context.Context, f func(Result)) context.Context {
	return context.WithValue(ctx, previewKey{}, f)
}

// Satisfied reports whether a link's condition holds for a machine that ended with outcome and
// score.
func Satisfied(l persona.Link, outcome string, score int) bool {
	switch l.ConditionType {
	case persona.LinkAlways:
		return true
	case persona.LinkOutcome:
		return l.ConditionValue.Str == outcome
	case persona.LinkScoreGTE:
		return score >= l.ConditionValue.Integer
	case persona.LinkScoreLTE:
		return score <= l.ConditionValue.Integer
	}
	return false
}

// Reset deletes the session with machine key; progress (completions, unlocks, variables) stays.
func (e *Engine) Reset(st *State, key string) error {
	m, _, err := e.machine(st, key)
	if err != nil {
		return fmt.Errorf("reset session: %w", err)
	}
	delete(st.Sessions, m.MachineKey)
	return nil
}

// ResetProgress clears everything the player has done with the persona.
func ResetProgress(st *State) { *st = State{} }

// With returns a copy of the engine that plays with evaluator ev (same definition and clock).
func (e *Engine) With(ev Evaluator) *Engine {
	c := *e
	c.eval = ev
	return &c
}
