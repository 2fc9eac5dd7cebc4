package rules

import (
	"fmt"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/arcadehq/arcade/internal/persona"
)

// Builtins are the only functions an expression may call: pure, cheap, bounded by their input.
// Everything else expr offers (closures such as map and filter, ranges, variables, date and time,
// JSON, repeat) is refused when the definition is validated.
var Builtins = []string{"len", "abs", "int", "float", "string", "trim", "upper", "lower",
	"hasPrefix", "hasSuffix", "indexOf", "max", "min", "round", "floor", "ceil"}

// maxExprNodes bounds an expression's syntax tree; with no loops in the language, evaluation cost
// is linear in it and in the (bounded) lengths of the message and variables.
const maxExprNodes = 64

// builtinVars are the names every expression and template sees, with their types.
func builtinVars() map[string]any {
	return map[string]any{
		"score": 0, "turn": 0, "redirect_count": 0,
		"message": "", "player_name": "", "player_gender": "",
	}
}

// envTypes is the compile-time environment of a definition's expressions: the built-ins, every
// persona variable with its declared type, and every other variable the definition can set
// (output variables, extractions) as a string. A name outside it is a compile error, so a typo
// is caught when the persona is saved, not when a player reaches the state.
func envTypes(d *persona.Definition) map[string]any {
	env := builtinVars()
	for _, k := range stringVars(d) {
		env[k] = ""
	}
	for _, v := range d.Variables {
		switch v.TypeOrDefault() {
		case persona.TypeNumber:
			env[v.Key] = 0.0
		case persona.TypeBoolean:
			env[v.Key] = false
		default:
			env[v.Key] = ""
		}
	}
	return env
}

// stringVars lists the variables a definition sets besides its declared persona variables.
func stringVars(d *persona.Definition) []string {
	var out []string
	for _, m := range d.Machines {
		for _, o := range m.OutputVariables {
			out = append(out, o.Key)
		}
		for _, s := range m.States {
			for _, x := range s.Extract {
				out = append(out, x.Key)
			}
		}
	}
	return out
}

var allowedBuiltin = func() map[string]bool {
	m := map[string]bool{}
	for _, b := range Builtins {
		m[b] = true
	}
	return m
}()

// guard walks a parsed (unoptimised) expression and records the first construct outside the
// sandbox. It runs before expr's optimiser, which would otherwise fold a constant range such as
// 1..100000000 into an array at compile time.
type guard struct{ err error }

func (g *guard) Visit(n *ast.Node) {
	if g.err != nil {
		return
	}
	switch x := (*n).(type) {
	case *ast.NilNode, *ast.IdentifierNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode,
		*ast.StringNode, *ast.UnaryNode, *ast.ConditionalNode, *ast.ArrayNode:
	case *ast.BinaryNode:
		switch x.Operator {
		case "..":
			g.err = fmt.Errorf("ranges are not allowed")
		case "matches":
			if _, ok := x.Right.(*ast.StringNode); !ok {
				g.err = fmt.Errorf("the pattern of matches must be a string literal")
			}
		}
	case *ast.BuiltinNode:
		if !allowedBuiltin[x.Name] {
			g.err = fmt.Errorf("function %s is not allowed (allowed: %s)", x.Name, strings.Join(Builtins, ", "))
		}
	case *ast.CallNode:
		g.err = fmt.Errorf("only the built-in functions %s may be called", strings.Join(Builtins, ", "))
	default:
		g.err = fmt.Errorf("%s is not allowed in a matcher expression", nodeName(x))
	}
}

func nodeName(n ast.Node) string {
	switch n.(type) {
	case *ast.MemberNode, *ast.ChainNode:
		return "member access"
	case *ast.SliceNode:
		return "slicing"
	case *ast.PredicateNode, *ast.PointerNode:
		return "a predicate"
	case *ast.VariableDeclaratorNode:
		return "let"
	case *ast.SequenceNode:
		return "a sequence"
	case *ast.MapNode, *ast.PairNode:
		return "a map literal"
	}
	return fmt.Sprintf("%T", n)
}

// compileExpr checks an expression against the sandbox and compiles it to a boolean program.
func compileExpr(src string, env map[string]any) (*vm.Program, error) {
	if len(src) > persona.MaxExprLen {
		return nil, fmt.Errorf("is longer than %d bytes", persona.MaxExprLen)
	}
	tree, err := parser.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("does not parse: %s", firstLine(err))
	}
	g := &guard{}
	ast.Walk(&tree.Node, g)
	if g.err != nil {
		return nil, g.err
	}
	opts := []expr.Option{expr.Env(env), expr.AsBool(), expr.DisableAllBuiltins(), expr.MaxNodes(maxExprNodes)}
	for _, b := range Builtins {
		opts = append(opts, expr.EnableBuiltin(b))
	}
	p, err := expr.Compile(src, opts...)
	if err != nil {
		return nil, fmt.Errorf("does not compile: %s", firstLine(err))
	}
	return p, nil
}

// run evaluates a compiled expression; any runtime error (a division by zero, say) counts as
// false, so a bad value never fails a turn.
func run(p *vm.Program, env map[string]any) bool {
	var machine vm.VM
	machine.MemoryBudget = 1 << 16
	out, err := machine.Run(p, env)
	if err != nil {
		return false
	}
	b, _ := out.(bool)
	return b
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
