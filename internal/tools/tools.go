// Package tools is the agent-tool binding of the operation registry: the 31 tools of the xpersona
// OpenClaw skill (spec 000's tools endpoint and its real executor; Credits), the persona tools
// (Personas) and the poker tools (Poker), each mapped onto one registered operation with its own
// parameter type (snake_case, as the skill sends them) and the real executor's result shape.
// The /api/openclaw/tools route and MCP both serve this one set, so a tool cannot drift from the
// REST route over the same operation: they call the same Invoke.
//
// Where the real executor is a placeholder or reads the wrong field, these tools do the real work
// in the same shape; where it answers 500 for a caller's mistake, they answer a 4xx. Each choice
// is listed in docs/credits-api.md.
package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ops"
)

// Tool is one agent tool.
type Tool struct {
	Name        string
	Description string
	// Op is the registry operation the tool runs (its access rule, errors and money flag).
	Op     ops.Op
	params reflect.Type
	// Returns documents the result's top-level fields.
	Returns []string
	call    func(ctx context.Context, env Env, c ops.Caller, raw []byte) (any, error)
}

// Env is what a call may need beyond its caller: the agent token's identity, and a way to turn a
// key named in the parameters (auth_guest's login) into a caller.
type Env struct {
	AgentID string
	Resolve func(ctx context.Context, key string) (ops.Caller, error)
}

// NoAuth reports whether the tool runs without an API key.
func (t *Tool) NoAuth() bool { return t.Op.Desc().Access == ops.Public }

// Schema is the JSON Schema of the tool's parameters, with required fields, enums and ranges.
func (t *Tool) Schema() map[string]any {
	refl := &jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, Anonymous: true, AllowAdditionalProperties: true,
		RequiredFromJSONSchemaTags: true}
	b, _ := json.Marshal(refl.ReflectFromType(t.params))
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	delete(m, "$schema")
	delete(m, "$id")
	if m["properties"] == nil {
		m["properties"] = map[string]any{}
	}
	return m
}

// Set is the tool set over one registry.
type Set struct {
	list   []*Tool
	byName map[string]*Tool
}

// Tools lists the tools in the skill's order.
func (s *Set) Tools() []*Tool { return s.list }

// Get returns the tool named name.
func (s *Set) Get(name string) (*Tool, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// Names lists every tool name.
func (s *Set) Names() []string {
	out := make([]string, len(s.list))
	for i, t := range s.list {
		out[i] = t.Name
	}
	return out
}

// Call decodes raw parameters into the tool's parameter type (naming the parameter at fault),
// checks the operation's access rule, and runs the tool.
func (s *Set) Call(ctx context.Context, env Env, c ops.Caller, t *Tool, raw []byte) (any, error) {
	if err := ops.Check(t.Op.Desc(), c); err != nil {
		return nil, err
	}
	out, err := t.call(ctx, env, c, raw)
	return out, param(err, "")
}

// add registers a tool whose parameters decode into P.
func add[P any](s *Set, name, desc string, op ops.Op, returns []string,
	run func(ctx context.Context, env Env, c ops.Caller, p P) (any, error)) {
	var p P
	t := &Tool{Name: name, Description: desc, Op: op, params: reflect.TypeOf(p), Returns: returns}
	t.call = func(ctx context.Context, env Env, c ops.Caller, raw []byte) (any, error) {
		var p P
		if err := decodeParams(raw, &p); err != nil {
			return nil, err
		}
		return run(ctx, env, c, p)
	}
	if _, dup := s.byName[name]; dup {
		panic("tools: duplicate tool " + name)
	}
	s.list = append(s.list, t)
	s.byName[name] = t
}

// MaxParams bounds a tool call's parameters.
const MaxParams = 256 << 10

// decodeParams decodes a parameters object. Unknown parameters are ignored (the real executor
// ignores them too); a parameter of the wrong type is a validation error naming
// "parameters.<name>".
func decodeParams(raw []byte, v any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		raw = []byte("{}")
	}
	if len(raw) > MaxParams {
		return &errs.Error{Kind: errs.TooLarge, Field: "parameters", Message: fmt.Sprintf("must be at most %d bytes", MaxParams)}
	}
	if raw[0] != '{' {
		return errs.Invalid("parameters", "must be an object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return errs.Invalid("parameters."+te.Field, "must be %s", kind(te.Type))
		case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
			return errs.Invalid("parameters", "malformed JSON")
		}
		var de *errs.Error
		if errors.As(err, &de) {
			if de.Field != "" && !strings.HasPrefix(de.Field, "parameters") {
				de.Field = "parameters." + de.Field
			}
			return de
		}
		return errs.Invalid("parameters", "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

func kind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Slice:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "a " + t.Kind().String()
}

// Bound checks that every registered operation meant for agents has a tool, and that every
// tool's operation is registered: the test of the binding's completeness calls it.
func (s *Set) Bound(r *ops.Registry, notTools map[string]string) []string {
	var problems []string
	have := map[string]bool{}
	for _, t := range s.list {
		if got, ok := r.Get(t.Op.Desc().Name); !ok || got != t.Op {
			problems = append(problems, fmt.Sprintf("tool %s binds %s, which is not in the registry", t.Name, t.Op.Desc().Name))
		}
		have[t.Op.Desc().Name] = true
	}
	for _, op := range r.All() {
		n := op.Desc().Name
		if !have[n] && notTools[n] == "" {
			problems = append(problems, fmt.Sprintf("operation %s has no tool (and no reason not to)", n))
		}
	}
	sort.Strings(problems)
	return problems
}
