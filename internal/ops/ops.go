// Package ops is the one registry of Arcade's operations. Each operation is declared once, by the
// domain that owns it, with its name, the callers it accepts, its input and output types, the
// error kinds it may return, whether it moves money, and the service call that runs it. Every
// binding (the REST surfaces and /openapi.json, the tools endpoint, MCP, the agent guide) is
// derived from these declarations and calls the operation through Invoke, so access rules and
// input checks are the same whichever door a caller comes through.
//
// The package knows nothing of HTTP: a binding resolves its own credentials into a Caller
// (Gate does that for API keys) and decodes its own wire format into the operation's input.
package ops

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/errs"
)

// Access says who may call an operation.
type Access uint8

const (
	// Public operations need no credentials (sign-up, discovery, odds).
	Public Access = iota
	// Player operations need an account: an API key (Authorization: Bearer or X-API-Key).
	Player
	// Platform operations are for the platform account only (operator routes).
	Platform
	// Payer operations are paid per call with x402: the caller is the wallet recovered from a
	// verified payment of exactly the operation's price (Desc.Price), and that wallet's account.
	Payer
	// Session operations belong to a wallet's owner signed in with Sign-In With Ethereum (the
	// siwe-session cookie of spec 001's dashboard): the caller is that wallet's account.
	Session
)

func (a Access) String() string {
	switch a {
	case Public:
		return "public"
	case Player:
		return "player"
	case Platform:
		return "platform"
	case Payer:
		return "payer"
	case Session:
		return "session"
	}
	return fmt.Sprintf("Access(%d)", a)
}

// Caller is who is calling, as a binding resolved it. Account is zero for anonymous callers.
type Caller struct {
	Account account.Account
	// IdempotencyKey, when set, makes a money-moving call replay its first answer.
	IdempotencyKey string
	// Addr is the client's network address (sign-up limits are per address).
	Addr string
	// Via names the binding ("rest", "tools", "mcp"), for logs.
	Via string
	// Payment is the verified x402 payment of a Payer call (nil otherwise); Account is then the
	// payer's account.
	Payment *Payment
}

// ID is the caller's account id ("" when anonymous).
func (c Caller) ID() string { return c.Account.ID }

// Desc is what every binding needs to know about an operation.
type Desc struct {
	// Name is stable and dotted by domain: "credits.dice.play".
	Name        string
	Summary     string
	Description string
	Access      Access
	// MovesMoney operations accept an idempotency key and must keep the ledger invariant.
	MovesMoney bool
	// Heavy operations are CPU-heavy (simulations, long strategy runs): bindings bound how many
	// run at once and answer 503 with Retry-After past it.
	Heavy bool
	// Errors lists the kinds the operation may return besides Validation (always possible)
	// and, for non-public operations, Unauthorized/Forbidden.
	Errors []errs.Kind
	In     reflect.Type // nil when the operation takes no input
	Out    reflect.Type
	// Price is what a Payer operation costs for an input, in micro-USDC (set by Add from the
	// Def's typed Price; nil for every other access).
	Price func(in any) (int64, error)
}

// AllErrors is Errors plus the kinds every operation of this access may return.
func (d *Desc) AllErrors() []errs.Kind {
	seen := map[errs.Kind]bool{errs.Validation: true}
	if d.Access == Payer {
		seen[errs.PaymentRequired] = true
	} else if d.Access != Public {
		seen[errs.Unauthorized] = true
	}
	if d.Access == Platform {
		seen[errs.Forbidden] = true
	}
	if d.Access != Public && d.Access != Payer && d.Access != Session {
		seen[errs.RateLimited] = true
	}
	for _, k := range d.Errors {
		seen[k] = true
	}
	out := make([]errs.Kind, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Op is the type-erased view of a declared operation.
type Op interface {
	Desc() *Desc
	// InvokeAny runs the operation with an input of its In type (or nil when it takes none).
	InvokeAny(ctx context.Context, c Caller, in any) (any, error)
}

// None is the input of operations that take none.
type None struct{}

// Def declares an operation with typed input and output.
type Def[In, Out any] struct {
	D   Desc
	Run func(ctx context.Context, c Caller, in In) (Out, error)
	// Price is the price of a Payer operation for an input, in micro-USDC (required for Payer).
	Price func(in In) (int64, error)
}

// Desc returns the operation's description.
func (d *Def[In, Out]) Desc() *Desc { return &d.D }

// Invoke checks the caller's access, then runs the operation.
func (d *Def[In, Out]) Invoke(ctx context.Context, c Caller, in In) (Out, error) {
	var zero Out
	if err := Check(&d.D, c); err != nil {
		return zero, err
	}
	if d.D.Access == Payer {
		price, err := d.Price(in)
		if err != nil {
			return zero, err
		}
		if c.Payment.AmountMicro() != price {
			return zero, &errs.Error{Kind: errs.PaymentRequired, Code: "PRICE_MISMATCH",
				Message: fmt.Sprintf("this call costs %d micro-USDC; the payment was for %d", price, c.Payment.AmountMicro())}
		}
	}
	return d.Run(ctx, c, in)
}

// InvokeAny implements Op.
func (d *Def[In, Out]) InvokeAny(ctx context.Context, c Caller, in any) (any, error) {
	var v In
	if in != nil {
		var ok bool
		if v, ok = in.(In); !ok {
			if p, isPtr := in.(*In); isPtr && p != nil {
				v = *p
			} else {
				return nil, fmt.Errorf("ops: %s: input is %T, want %T", d.D.Name, in, v)
			}
		}
	}
	return d.Invoke(ctx, c, v)
}

// Check applies an operation's access rule to a caller.
func Check(d *Desc, c Caller) error {
	switch d.Access {
	case Player:
		if c.Account.ID == "" {
			return errs.Unauthenticated("this operation needs an API key: send Authorization: Bearer <API key>")
		}
	case Platform:
		if c.Account.ID == "" {
			return errs.Unauthenticated("this operation needs the platform account's API key")
		}
		if !c.Account.IsPlatform() {
			return errs.Forbiddenf("platform account only")
		}
	case Session:
		if c.Account.ID == "" || c.Account.WalletAddress == "" {
			return errs.Unauthenticated("this operation needs a Sign-In With Ethereum session: GET /api/auth/siwe/nonce, then POST /api/auth/siwe/verify sets the siwe-session cookie")
		}
	case Payer:
		if c.Payment == nil || c.Account.ID == "" {
			return &errs.Error{Kind: errs.PaymentRequired, Code: "PAYMENT_REQUIRED",
				Message: "this operation is paid per call with x402: send PAYMENT-SIGNATURE (or X-PAYMENT)"}
		}
	}
	return nil
}

// Registry holds every declared operation by name.
type Registry struct {
	byName map[string]Op
	order  []string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byName: map[string]Op{}} }

// Add declares op in r and returns it, so the declaring package can keep the typed value. A
// duplicate or malformed declaration panics: it is a programming error every test run catches.
func Add[In, Out any](r *Registry, op *Def[In, Out]) *Def[In, Out] {
	d := &op.D
	if d.Name == "" || strings.ContainsAny(d.Name, " /") || op.Run == nil || d.Summary == "" ||
		(d.Access == Payer) != (op.Price != nil) {
		panic("ops: incomplete declaration " + d.Name)
	}
	if op.Price != nil {
		price := op.Price
		d.Price = func(in any) (int64, error) {
			v, ok := in.(In)
			if !ok {
				if p, isPtr := in.(*In); isPtr && p != nil {
					v = *p
				} else if in != nil {
					return 0, fmt.Errorf("ops: %s: price of a %T, want %T", d.Name, in, v)
				}
			}
			return price(v)
		}
	}
	if _, dup := r.byName[d.Name]; dup {
		panic("ops: duplicate operation " + d.Name)
	}
	var in In
	if _, none := any(in).(None); !none {
		d.In = reflect.TypeOf(in)
	}
	var out Out
	d.Out = reflect.TypeOf(out)
	if d.Out == nil {
		d.Out = reflect.TypeOf((*Out)(nil)).Elem()
	}
	r.byName[d.Name] = op
	r.order = append(r.order, d.Name)
	return op
}

// Get returns the operation named name.
func (r *Registry) Get(name string) (Op, bool) {
	op, ok := r.byName[name]
	return op, ok
}

// All returns every operation in declaration order.
func (r *Registry) All() []Op {
	out := make([]Op, len(r.order))
	for i, n := range r.order {
		out[i] = r.byName[n]
	}
	return out
}
