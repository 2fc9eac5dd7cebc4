package phh

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Errors, matched with errors.Is.
var (
	ErrSyntax      = errors.New("phh: not a valid PHH file")
	ErrField       = errors.New("phh: bad field")
	ErrUnsupported = errors.New("phh: unsupported")
	ErrAction      = errors.New("phh: bad action")
)

// maxInput bounds what Parse reads: a hand history is a few kilobytes.
const maxInput = 1 << 20

// Field is one top-level key of the file and its value as TOML decoded it (int64, float64,
// string, bool, time.Time, []any, map[string]any).
type Field struct {
	Key   string
	Value any
}

// Number is a numeric field entry: an integer, or a float when the file wrote one (finishing
// stacks with half chips, "inf" for an unknown stack).
type Number struct {
	Int     int64
	Float   float64
	IsFloat bool
}

// Value is the number as a float64.
func (n Number) Value() float64 {
	if n.IsFloat {
		return n.Float
	}
	return float64(n.Int)
}

// Integer returns the number as an int64 if it is a whole number.
func (n Number) Integer() (int64, bool) {
	if !n.IsFloat {
		return n.Int, true
	}
	if n.Float != math.Trunc(n.Float) || math.IsInf(n.Float, 0) || math.Abs(n.Float) > 1<<62 {
		return 0, false
	}
	return int64(n.Float), true
}

func (n Number) toml() any {
	if n.IsFloat {
		return n.Float
	}
	return n.Int
}

// Hand is one PHH hand: the fields the replay uses, typed, and every field in file order.
type Hand struct {
	Variant         string
	Antes           []Number
	Blinds          []Number // blinds_or_straddles
	MinBet          Number
	StartingStacks  []Number
	Actions         []string
	FinishingStacks []Number // nil when the file has none

	// Fields holds every top-level key in file order. Write takes the typed fields above for
	// the keys they cover, so changing them changes the output.
	Fields []Field
	// ActionLines gives, for each action, the line of the file it was read from (0 if unknown).
	ActionLines []int
}

// Parse reads one PHH hand (a .phh file).
func Parse(r io.Reader) (*Hand, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, fmt.Errorf("phh: read: %w", err)
	}
	if len(data) > maxInput {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrSyntax, maxInput)
	}
	var m map[string]any
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSyntax, err)
	}
	h := &Hand{}
	seen := map[string]bool{}
	for _, k := range md.Keys() {
		if len(k) != 1 || seen[k[0]] { // an array of tables lists its key once per table
			continue
		}
		seen[k[0]] = true
		h.Fields = append(h.Fields, Field{Key: k[0], Value: m[k[0]]})
	}
	for _, f := range h.Fields {
		switch f.Key {
		case "variant":
			s, ok := f.Value.(string)
			if !ok {
				return nil, fmt.Errorf("%w: variant is not a string", ErrField)
			}
			h.Variant = s
		case "antes":
			h.Antes, err = numbers(f)
		case "blinds_or_straddles":
			h.Blinds, err = numbers(f)
		case "min_bet":
			h.MinBet, err = number(f.Key, f.Value)
		case "starting_stacks":
			h.StartingStacks, err = numbers(f)
		case "finishing_stacks":
			h.FinishingStacks, err = numbers(f)
		case "actions":
			list, ok := f.Value.([]any)
			if !ok {
				return nil, fmt.Errorf("%w: actions is not an array", ErrField)
			}
			h.Actions = make([]string, len(list))
			for i, v := range list {
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("%w: action %d is not a string", ErrField, i+1)
				}
				h.Actions[i] = s
			}
		}
		if err != nil {
			return nil, err
		}
	}
	h.ActionLines = actionLines(data, h.Actions)
	return h, nil
}

func number(key string, v any) (Number, error) {
	switch x := v.(type) {
	case int64:
		return Number{Int: x}, nil
	case float64:
		return Number{Float: x, IsFloat: true}, nil
	}
	return Number{}, fmt.Errorf("%w: %s: %v is not a number", ErrField, key, v)
}

func numbers(f Field) ([]Number, error) {
	list, ok := f.Value.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not an array", ErrField, f.Key)
	}
	out := make([]Number, len(list))
	for i, v := range list {
		n, err := number(f.Key, v)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// actionLines finds the line of each action string in the file: the actions appear in order
// after the "actions" key, each quoted.
func actionLines(data []byte, actions []string) []int {
	lines := make([]int, len(actions))
	start := bytes.Index(data, []byte("actions"))
	if start < 0 {
		return lines
	}
	pos := start
	for i, a := range actions {
		j := bytes.Index(data[pos:], []byte(a))
		if j < 0 {
			return lines
		}
		pos += j
		lines[i] = 1 + bytes.Count(data[:pos], []byte("\n"))
		pos += len(a)
	}
	return lines
}

func numbersValue(ns []Number) []any {
	out := make([]any, len(ns))
	for i, n := range ns {
		out[i] = n.toml()
	}
	return out
}

// Write writes the hand as a PHH file: every field in its original order (the typed fields
// taking their current values), then finishing_stacks if it is set and was not in the file.
func Write(w io.Writer, h *Hand) error {
	var b bytes.Buffer
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	seen := map[string]bool{}
	var tables []Field
	write := func(key string, v any) error {
		if v == nil {
			return nil
		}
		if isTable(v) {
			tables = append(tables, Field{key, v}) // after every plain key: TOML scopes keys by table
			return nil
		}
		if err := enc.Encode(map[string]any{key: v}); err != nil {
			return fmt.Errorf("phh: write %s: %w", key, err)
		}
		return nil
	}
	for _, f := range h.Fields {
		seen[f.Key] = true
		if err := write(f.Key, h.value(f)); err != nil {
			return err
		}
	}
	for _, key := range []string{"variant", "antes", "blinds_or_straddles", "min_bet",
		"starting_stacks", "actions", "finishing_stacks"} {
		if !seen[key] {
			if err := write(key, h.value(Field{Key: key})); err != nil {
				return err
			}
		}
	}
	for _, t := range tables {
		if err := enc.Encode(map[string]any{t.Key: t.Value}); err != nil {
			return fmt.Errorf("phh: write %s: %w", t.Key, err)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// value is what Write writes for a field: the typed value for the keys Hand covers.
func (h *Hand) value(f Field) any {
	switch f.Key {
	case "variant":
		if h.Variant == "" {
			return nil
		}
		return h.Variant
	case "antes":
		return nilIfEmpty(h.Antes)
	case "blinds_or_straddles":
		return nilIfEmpty(h.Blinds)
	case "min_bet":
		if f.Value == nil && h.MinBet == (Number{}) {
			return nil
		}
		return h.MinBet.toml()
	case "starting_stacks":
		return nilIfEmpty(h.StartingStacks)
	case "finishing_stacks":
		if h.FinishingStacks == nil {
			return nil
		}
		return numbersValue(h.FinishingStacks)
	case "actions":
		if h.Actions == nil {
			return nil
		}
		out := make([]any, len(h.Actions))
		for i, a := range h.Actions {
			out[i] = a
		}
		return out
	}
	return f.Value
}

func nilIfEmpty(ns []Number) any {
	if ns == nil {
		return nil
	}
	return numbersValue(ns)
}

// Ints returns whole numbers as int64s, or an error naming the field.
func Ints(key string, ns []Number) ([]int64, error) {
	out := make([]int64, len(ns))
	for i, n := range ns {
		v, ok := n.Integer()
		if !ok {
			return nil, fmt.Errorf("%w: %s[%d] = %s is not a whole number of chips", ErrUnsupported, key, i,
				strconv.FormatFloat(n.Float, 'g', -1, 64))
		}
		out[i] = v
	}
	return out, nil
}

// String renders the hand as PHH text.
func (h *Hand) String() string {
	var sb strings.Builder
	if err := Write(&sb, h); err != nil {
		return "# " + err.Error()
	}
	return sb.String()
}

// isTable reports whether v is written as a table or an array of tables.
func isTable(v any) bool {
	switch x := v.(type) {
	case map[string]any, []map[string]any:
		return true
	case []any:
		if len(x) == 0 {
			return false
		}
		for _, e := range x {
			if _, ok := e.(map[string]any); !ok {
				return false
			}
		}
		return true
	}
	return false
}
