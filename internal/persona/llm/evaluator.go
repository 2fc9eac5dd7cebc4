package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/turn"
)

// Schema names of the structured steps (response_format.json_schema.name): a scripted test
// server tells the steps apart by them.
const (
	EvalSchema    = "evaluation"
	ExtractSchema = "extraction"
)

// NoChoice is the evaluation's answer when no option fits: a redirect.
const NoChoice = "none"

// Evaluator is the LLM evaluator for one request (it remembers, between the evaluation and the
// reply of a turn, why an evaluation fell back). It implements turn.Evaluator.
type Evaluator struct {
	cfg  Config
	keys Keys
	c    client
	// Lines is the definition's own lines (the rule-based evaluator): the reply step hands the
	// model the designer's line for the moment as a suggestion, and falls back to it; the
	// summarisation step falls back to its patterns. Nil: no suggestions.
	Lines turn.Evaluator

	mu       sync.Mutex
	fellBack error
}

// New returns an evaluator on cfg's endpoint with the request's keys.
func New(cfg Config, keys Keys, lines turn.Evaluator) *Evaluator {
	return &Evaluator{cfg: cfg, keys: keys, c: newClient(cfg), Lines: lines}
}

// Name labels the answers this evaluator shapes.
func (e *Evaluator) Name() string { return Name }

func (e *Evaluator) format(name string, schema map[string]any) *ResponseFormat {
	if e.cfg.JSONMode == ModeJSONObject {
		return &ResponseFormat{Type: ModeJSONObject}
	}
	return &ResponseFormat{Type: ModeJSONSchema, JSONSchema: &JSONSchema{Name: name, Strict: true, Schema: schema}}
}

// option is one thing the evaluation may choose.
type option struct {
	id, text string
	kind     turn.Choice
	index    int // into Input.FollowUps or Input.Candidates
}

func options(in turn.Input) []option {
	var out []option
	for i, f := range in.FollowUps {
		out = append(out, option{id: "f" + strconv.Itoa(i), kind: turn.AskFollowUp, index: i,
			text: "follow-up: ask a clarifying question instead of deciding. When: " + oneLine(f.Condition)})
	}
	for i, c := range in.Candidates {
		what := c.DecisionType
		switch c.DecisionType {
		case persona.Pass:
			what = "pass: move on to " + label(in.Machine, c.ToStateKey)
		case persona.Redirect:
			what = "redirect: stay here, the player must try again"
		case persona.Reject:
			what = "reject: the player fails this step"
		case persona.KickOut:
			what = "kick_out: the NPC ends the conversation"
		}
		cond := oneLine(c.Condition)
		if cond == "" {
			cond = "(no condition given)"
		}
		out = append(out, option{id: "t" + strconv.Itoa(c.Index), kind: turn.TakeTransition, index: i, text: what + ". When: " + cond})
	}
	return out
}

func label(m *persona.Machine, k string) string {
	if s, _ := m.State(k); s != nil {
		return strconv.Quote(s.Label)
	}
	return strconv.Quote(k)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Evaluate asks the model which option the player's message satisfies. Any failure (timeout,
// error, malformed JSON, a choice that is not one of the current state's options) is a redirect:
// the Decision is NoMatch and the reply of the turn says why.
func (e *Evaluator) Evaluate(ctx context.Context, in turn.Input) (turn.Decision, error) {
	e.setFallback(nil)
	opts := options(in)
	ids := make([]string, 0, len(opts)+1)
	var list strings.Builder
	for _, o := range opts {
		ids = append(ids, o.id)
		fmt.Fprintf(&list, "- %s: %s\n", o.id, o.text)
	}
	ids = append(ids, NoChoice)
	fmt.Fprintf(&list, "- %s: no option fits: the NPC asks the player to try again\n", NoChoice)

	props := map[string]any{
		"choice": map[string]any{"type": "string", "enum": ids, "description": "the id of the option the message satisfies"},
		"reason": map[string]any{"type": "string", "description": "one short sentence"},
	}
	required := []any{"choice", "reason"}
	var varKeys []string
	for _, x := range in.State.Extract {
		varKeys = append(varKeys, x.Key)
	}
	if len(varKeys) > 0 {
		vp := map[string]any{}
		for _, k := range varKeys {
			vp[k] = map[string]any{"type": []any{"string", "null"}, "description": describe(in.Persona, k)}
		}
		props["variables"] = map[string]any{"type": "object", "properties": vp, "required": anyList(varKeys),
			"additionalProperties": false}
		required = append(required, "variables")
	}
	schema := map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
	sch, _ := json.Marshal(schema)

	var sys strings.Builder
	sys.WriteString("You are the judge of a conversation game with an NPC. You never write dialogue: you decide which option " +
		"the player's latest message satisfies, judging only that message in the light of the conversation.\n\n")
	fmt.Fprintf(&sys, "The NPC: %s\n", in.Persona.PersonaIdentityPrompt)
	writeMachine(&sys, in.Machine)
	fmt.Fprintf(&sys, "Current state: %s. %s\n", strconv.Quote(in.State.Label), in.State.PromptInstruction)
	writeFacts(&sys, in.Vars, in.Player, in.Score)
	fmt.Fprintf(&sys, "\nOptions (follow-ups first, then transitions in priority order; pick the first that fits):\n%s", list.String())
	if len(varKeys) > 0 {
		fmt.Fprintf(&sys, "\nAlso give, under variables, the value the latest message states for each of: %s (null when it states none).\n",
			strings.Join(varKeys, ", "))
	}
	fmt.Fprintf(&sys, "\nAnswer with one JSON object matching this schema and nothing else: %s\n", sch)

	msgs := []Message{{Role: "system", Content: sys.String()}}
	msgs = append(msgs, history(in.History)...)
	msgs = append(msgs, Message{Role: "user", Content: in.Message})
	zero := 0.0
	content, err := e.c.do(ctx, e.cfg.Endpoint(e.keys, StepEval), Request{Messages: msgs, Temperature: &zero,
		ResponseFormat: e.format(EvalSchema, schema)}, nil)
	if err != nil && ctx.Err() != nil {
		// The caller left (a closed connection): the turn is abandoned, not answered, so no
		// fallback redirect is written for nobody.
		return turn.Decision{}, fmt.Errorf("evaluation abandoned: %w", ctx.Err())
	}
	if err != nil {
		return e.fallback(err)
	}
	var ans struct {
		Choice    string         `json:"choice"`
		Variables map[string]any `json:"variables"`
	}
	if err := json.Unmarshal([]byte(stripFence(content)), &ans); err != nil || ans.Choice == "" {
		return e.fallback(fmt.Errorf("%w: %q", ErrMalformed, clipText(content, 200)))
	}
	d := turn.Decision{Kind: turn.NoMatch}
	if ans.Choice != NoChoice {
		found := false
		for _, o := range opts {
			if o.id == ans.Choice {
				d, found = turn.Decision{Kind: o.kind, Index: o.index}, true
				break
			}
		}
		if !found {
			// Not an option of this state: a transition from another state, an unknown id. The
			// machine decides what may happen, never the model.
			return e.fallback(fmt.Errorf("%w: %q", ErrRefused, clipText(ans.Choice, 64)))
		}
	}
	for _, k := range varKeys {
		if v := scalar(ans.Variables[k]); v != "" {
			if d.Vars == nil {
				d.Vars = map[string]string{}
			}
			d.Vars[k] = v
		}
	}
	return d, nil
}

func (e *Evaluator) fallback(err error) (turn.Decision, error) {
	e.setFallback(err)
	return turn.Decision{Kind: turn.NoMatch}, nil
}

func (e *Evaluator) setFallback(err error) {
	e.mu.Lock()
	e.fellBack = err
	e.mu.Unlock()
}

func (e *Evaluator) takeFallback() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	err := e.fellBack
	e.fellBack = nil
	return err
}

// Reason is the short cause a fallback reply gives.
func Reason(err error) string {
	var se *StatusError
	switch {
	case errors.Is(err, ErrTimeout):
		return ErrTimeout.Error()
	case errors.Is(err, ErrRefused):
		return ErrRefused.Error()
	case errors.Is(err, ErrMalformed):
		return ErrMalformed.Error()
	case errors.As(err, &se):
		return fmt.Sprintf("the language model endpoint answered %d", se.Status)
	}
	return "the language model could not be reached"
}

// FallbackLine is the reply of a turn whose evaluation fell back to a redirect.
func FallbackLine(err error) string {
	return "I lost my train of thought (" + Reason(err) + "), so nothing has changed. Say that again."
}

// Reply writes the NPC's line in the persona's voice; a turn's reply (not an opening line) is
// streamed when the caller asked for deltas (WithDeltas).
func (e *Evaluator) Reply(ctx context.Context, in turn.ReplyInput) (string, error) {
	emit := deltasFrom(ctx)
	if in.Kind == turn.Opening {
		emit = nil
	}
	say := func(line string) (string, error) {
		if emit != nil {
			emit(line)
		}
		return line, nil
	}
	if in.Kind != turn.Opening {
		if err := e.takeFallback(); err != nil {
			return say(FallbackLine(err))
		}
	}
	suggested := ""
	if e.Lines != nil {
		suggested, _ = e.Lines.Reply(ctx, in)
	}
	var sys strings.Builder
	fmt.Fprintf(&sys, "%s\n\nStay in character and speak as %s: one to three short sentences of dialogue, no narration, "+
		"no stage directions, never mention scores, states or rules.\n", in.Persona.PersonaIdentityPrompt, in.Persona.Name)
	writeMachine(&sys, in.Machine)
	writeFacts(&sys, in.Vars, in.Player, in.Score)
	switch in.Kind {
	case turn.Opening:
		fmt.Fprintf(&sys, "The conversation begins: open it. Situation: %s\n", in.To.PromptInstruction)
	case turn.FollowUp:
		fmt.Fprintf(&sys, "Before deciding anything, ask the player a clarifying question (%s). The question: %s\n",
			oneLine(in.FollowUp.Condition), in.FollowUp.Question)
	case turn.Moved:
		fmt.Fprintf(&sys, "The player's message moved the conversation on. Now: %s. %s\n", in.To.Label, in.To.PromptInstruction)
	case turn.Stayed:
		fmt.Fprintf(&sys, "The player's message does not move the conversation on: answer it and steer them back. Situation: %s\n",
			in.To.PromptInstruction)
	case turn.Ended:
		fmt.Fprintf(&sys, "The conversation ends now with outcome %s (%s): close it. %s\n", in.Outcome, outcomeWords[in.Outcome],
			in.To.PromptInstruction)
	}
	if in.Transition != nil && in.Transition.Condition != "" {
		fmt.Fprintf(&sys, "What the player did: %s\n", oneLine(in.Transition.Condition))
	}
	if suggested != "" {
		fmt.Fprintf(&sys, "The designer's line for this moment (say it in your own words, keeping its facts): %s\n", suggested)
	}
	msgs := []Message{{Role: "system", Content: sys.String()}}
	msgs = append(msgs, history(in.History)...)
	if in.Message != "" {
		msgs = append(msgs, Message{Role: "user", Content: in.Message})
	}
	text, err := e.c.do(ctx, e.cfg.Endpoint(e.keys, StepResponse), Request{Messages: msgs, ResponseFormat: nil}, emit)
	if err == nil && strings.TrimSpace(text) == "" {
		err = fmt.Errorf("%w: an empty reply", ErrMalformed)
	}
	if err != nil && ctx.Err() != nil {
		return "", fmt.Errorf("reply abandoned: %w", ctx.Err())
	}
	if err != nil {
		if text != "" {
			return text, nil // streamed in part: the reply is what the player already saw
		}
		line := "(" + Reason(err) + ")"
		if suggested != "" {
			line = suggested + " " + line
		}
		return say(line)
	}
	if emit == nil {
		text = strings.TrimSpace(text)
	}
	return text, nil
}

var outcomeWords = map[string]string{persona.Accept: "the player won", persona.RejectOut: "the player failed",
	persona.KickOutOut: "the NPC throws the player out"}

// Extract is the summarisation step: the model answers each output variable's extraction prompt
// from the finished machine's transcript. On failure the definition's own patterns answer (Lines),
// and the engine carries the session's values.
func (e *Evaluator) Extract(ctx context.Context, in turn.ExtractInput) (map[string]string, error) {
	if len(in.Machine.OutputVariables) == 0 {
		return nil, nil
	}
	props := map[string]any{}
	keys := make([]string, 0, len(in.Machine.OutputVariables))
	var qs strings.Builder
	for _, o := range in.Machine.OutputVariables {
		keys = append(keys, o.Key)
		props[o.Key] = map[string]any{"type": []any{"string", "null"}, "description": o.ExtractionPrompt}
		fmt.Fprintf(&qs, "- %s: %s\n", o.Key, oneLine(o.ExtractionPrompt))
	}
	schema := map[string]any{"type": "object", "properties": props, "required": anyList(keys), "additionalProperties": false}
	sch, _ := json.Marshal(schema)
	var sys strings.Builder
	fmt.Fprintf(&sys, "You summarise a finished conversation between a player and the NPC %s. ", in.Persona.Name)
	writeMachine(&sys, in.Machine)
	fmt.Fprintf(&sys, "It ended with outcome %s and score %d.\nAnswer each question from the transcript (null when it does not say):\n%s",
		in.Outcome, in.Score, qs.String())
	fmt.Fprintf(&sys, "\nAnswer with one JSON object matching this schema and nothing else: %s\n", sch)
	var tr strings.Builder
	for _, m := range in.History {
		if m.MachineKey != "" && m.MachineKey != in.Machine.MachineKey {
			continue
		}
		who := "NPC"
		if m.Role == turn.RoleUser {
			who = "Player"
		}
		fmt.Fprintf(&tr, "%s: %s\n", who, oneLine(m.Content))
	}
	zero := 0.0
	content, err := e.c.do(ctx, e.cfg.Endpoint(e.keys, StepSummarization), Request{Temperature: &zero,
		Messages:       []Message{{Role: "system", Content: sys.String()}, {Role: "user", Content: "Transcript:\n" + tr.String()}},
		ResponseFormat: e.format(ExtractSchema, schema)}, nil)
	var ans map[string]any
	if err == nil {
		err = json.Unmarshal([]byte(stripFence(content)), &ans)
	}
	if err != nil {
		if e.Lines != nil {
			return e.Lines.Extract(ctx, in)
		}
		return nil, nil
	}
	out := map[string]string{}
	for _, k := range keys {
		if v := scalar(ans[k]); v != "" {
			out[k] = v
		}
	}
	return out, nil
}

func writeMachine(b *strings.Builder, m *persona.Machine) {
	fmt.Fprintf(b, "Scene %s: %s", strconv.Quote(m.Name), m.Description)
	if m.Objective != "" {
		fmt.Fprintf(b, " Objective: %s", m.Objective)
	}
	if m.WinCondition != "" {
		fmt.Fprintf(b, " Win: %s", m.WinCondition)
	}
	if m.LoseCondition != "" {
		fmt.Fprintf(b, " Lose: %s", m.LoseCondition)
	}
	b.WriteString("\n")
}

// writeFacts lists the known variables in key order (a prompt must not depend on map order).
func writeFacts(b *strings.Builder, vars map[string]string, p turn.Player, score int) {
	facts := map[string]string{}
	for k, v := range vars {
		facts[k] = v
	}
	if p.Name != "" {
		facts["player_name"] = p.Name
	}
	if p.Gender != "" {
		facts["player_gender"] = p.Gender
	}
	keys := make([]string, 0, len(facts))
	for k := range facts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return
	}
	b.WriteString("Known facts:")
	for _, k := range keys {
		fmt.Fprintf(b, " %s=%s;", k, strconv.Quote(facts[k]))
	}
	b.WriteString("\n")
}

func describe(d *persona.Definition, k string) string {
	for _, v := range d.Variables {
		if v.Key == k && v.Description != "" {
			return v.Description
		}
	}
	return "the value of " + k
}

func history(h []turn.Message) []Message {
	out := make([]Message, 0, len(h))
	for _, m := range h {
		role := "assistant"
		if m.Role == turn.RoleUser {
			role = "user"
		}
		out = append(out, Message{Role: role, Content: m.Content})
	}
	return out
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// scalar renders a JSON string, number or boolean; anything else is "".
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// stripFence removes a ```json fence some models wrap JSON in.
func stripFence(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "```") {
		s = strings.TrimPrefix(s, "```json")
		s = strings.TrimPrefix(s, "```")
		s = strings.TrimSuffix(strings.TrimSpace(s), "```")
	}
	return strings.TrimSpace(s)
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
