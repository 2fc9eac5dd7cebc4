package persona

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
)

// Size limits of a definition. Decode refuses a document over MaxBytes before parsing it; the
// per-field limits are enforced while walking the tokens (arrays stop at their bound, so a
// hostile document cannot make the decoder allocate past it) and again by Validate for
// definitions built in Go.
const (
	MaxBytes                 = 256 << 10 // whole JSON document
	MaxMachines              = 16
	MaxStatesPerMachine      = 32
	MaxTransitionsPerMachine = 128
	MaxTransitions           = 512 // across all machines
	MaxLinks                 = 64
	MaxVariables             = 32   // persona-level
	MaxOutputVariables       = 16   // per machine
	MaxFollowUps             = 8    // per state
	MaxExtractions           = 16   // per state
	MaxKeywords              = 32   // per matcher
	MaxPatterns              = 8    // per matcher
	MaxKeyLen                = 64   // machine_key, state_key, variable keys
	MaxNameLen               = 200  // names and labels
	MaxTextLen               = 2000 // descriptions, conditions, replies, extraction prompts
	MaxPromptLen             = 8000 // persona_identity_prompt, prompt_instruction
	MaxPatternLen            = 256  // one regular expression
	MaxKeywordLen            = 64
	MaxExprLen               = 512
	MaxValueLen              = 500 // a variable's default (and any variable's value at play time)
	MaxScoreDelta            = 1000
)

// arrayLimits bounds each array field by its JSON name; strings are bounded by stringLimits.
var arrayLimits = map[string]int{
	"machines": MaxMachines, "states": MaxStatesPerMachine, "transitions": MaxTransitionsPerMachine,
	"machine_links": MaxLinks, "variables": MaxVariables, "output_variables": MaxOutputVariables,
	"follow_up_conditions": MaxFollowUps, "extract": MaxExtractions, "keywords": MaxKeywords,
	"patterns": MaxPatterns,
}

// maxStringLen is the longest string any field may hold; the per-field bounds are Validate's.
const maxStringLen = MaxPromptLen

// Decode reads a definition strictly: one JSON object of at most MaxBytes, no unknown fields, no
// duplicate keys, integers written as integers, arrays within their limits. Every failure is an
// *errs.Error (TooLarge or Validation) whose Field is the JSON path of the problem, e.g.
// "machines[1].transitions[3].score_delta". Decode does not validate the graph: call Validate.
func Decode(data []byte) (*Definition, error) {
	if len(data) > MaxBytes {
		return nil, &errs.Error{Kind: errs.TooLarge, Field: "body",
			Message: fmt.Sprintf("a persona definition is at most %d bytes", MaxBytes)}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errs.Invalid("body", "a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := walker{dec: dec}
	if err := w.value(reflect.TypeFor[Definition](), ""); err != nil {
		return nil, fmt.Errorf("decode persona: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("decode persona: %w", errs.Invalid("body", "unexpected data after the JSON object"))
	}
	var d Definition
	if err := json.Unmarshal(data, &d); err != nil {
		// The walk accepted every token, so this is a bug, not bad input.
		return nil, fmt.Errorf("decode persona: %w", err)
	}
	return &d, nil
}

// walker checks a token stream against a Go type before encoding/json sees it, because
// encoding/json names neither the index of a bad element nor the path of an unknown field, and
// silently keeps the last of duplicate keys.
type walker struct {
	dec *json.Decoder
}

var linkValueType = reflect.TypeFor[LinkValue]()

func (w *walker) token(path string) (json.Token, error) {
	t, err := w.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, errs.Invalid(pathOr(path), "malformed JSON at byte %d", se.Offset)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, errs.Invalid(pathOr(path), "truncated JSON")
		}
		return nil, errs.Invalid(pathOr(path), "invalid JSON")
	}
	return t, nil
}

func pathOr(p string) string {
	if p == "" {
		return "body"
	}
	return p
}

func (w *walker) value(t reflect.Type, path string) error {
	tok, err := w.token(path)
	if err != nil {
		return err
	}
	if tok == nil { // JSON null
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice:
			return nil
		}
		if t == linkValueType {
			return nil
		}
		return errs.Invalid(pathOr(path), "must not be null")
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == linkValueType {
		switch v := tok.(type) {
		case string:
			return checkString(v, path)
		case json.Number:
			return checkInt(v, path)
		}
		return errs.Invalid(path, "must be a string or an integer")
	}
	switch t.Kind() {
	case reflect.Struct:
		if tok != json.Delim('{') {
			return errs.Invalid(pathOr(path), "must be an object")
		}
		return w.object(t, path)
	case reflect.Slice:
		if tok != json.Delim('[') {
			return errs.Invalid(path, "must be an array")
		}
		return w.array(t.Elem(), path)
	case reflect.String:
		s, ok := tok.(string)
		if !ok {
			return errs.Invalid(path, "must be a string")
		}
		return checkString(s, path)
	case reflect.Int:
		n, ok := tok.(json.Number)
		if !ok {
			return errs.Invalid(path, "must be an integer")
		}
		return checkInt(n, path)
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return errs.Invalid(path, "must be a boolean")
		}
		return nil
	}
	return fmt.Errorf("persona decoder: no rule for %s at %s", t, path)
}

func checkString(s, path string) error {
	if len(s) > maxStringLen {
		return errs.Invalid(path, "is longer than %d bytes", maxStringLen)
	}
	return nil
}

func checkInt(n json.Number, path string) error {
	v, err := strconv.ParseInt(string(n), 10, 32)
	if err != nil {
		return errs.Invalid(path, "must be an integer between -2147483648 and 2147483647, not %s", string(n))
	}
	_ = v
	return nil
}

func (w *walker) object(t reflect.Type, path string) error {
	fields := jsonFields(t)
	seen := make(map[string]bool, len(fields))
	for w.dec.More() {
		tok, err := w.token(path)
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		at := join(path, key)
		f, ok := fields[key]
		if !ok {
			return errs.Invalid(at, "unknown field")
		}
		if seen[key] {
			return errs.Invalid(at, "duplicate field")
		}
		seen[key] = true
		if err := w.value(f, at); err != nil {
			return err
		}
	}
	_, err := w.token(path) // '}'
	return err
}

func (w *walker) array(elem reflect.Type, path string) error {
	limit := arrayLimits[lastName(path)]
	n := 0
	for w.dec.More() {
		if limit > 0 && n >= limit {
			return errs.Invalid(path, "has more than %d items", limit)
		}
		if err := w.value(elem, path+"["+strconv.Itoa(n)+"]"); err != nil {
			return err
		}
		n++
	}
	_, err := w.token(path) // ']'
	return err
}

// jsonFields maps the JSON names of t's fields (embedded structs flattened) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// join returns the path of key under prefix.
func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// index returns the path of element i of the array at prefix.
func index(prefix string, i int) string { return prefix + "[" + strconv.Itoa(i) + "]" }

// lastName is the last member name of a path: "machines[0].states" → "states".
func lastName(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		path = path[i+1:]
	}
	if i := strings.IndexByte(path, '['); i >= 0 {
		path = path[:i]
	}
	return path
}
