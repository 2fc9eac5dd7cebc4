// Package errs is Arcade's one error model. Domain packages return *Error values (or wrap them
// with %w); every surface maps a Kind to its own status code and shape in exactly one place
// (the /api envelope, the poker API's {detail}, x402's body, MCP errors). Anything that is not an
// *Error is an internal failure: surfaces answer 500 with a generic text and log the cause.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a domain error independently of any wire format.
type Kind int

const (
	Internal            Kind = iota // not a domain error: a bug or an unavailable dependency
	Validation                      // bad input; Field names the offending field
	Unauthorized                    // no or bad credentials
	Forbidden                       // authenticated but not allowed
	NotFound                        // no such thing (or not visible to the caller)
	Conflict                        // duplicate name, reused idempotency key with another body, stale nonce
	InsufficientBalance             // the account cannot cover the amount
	RateLimited                     // too many requests or a cooldown; RetryAfter says when to retry
	Locked                          // exists but not yet available (e.g. an active seed's reveal)
	PaymentRequired                 // x402: pay first
	Unavailable                     // a dependency is down or the server is draining
	TooLarge                        // request body over the limit
)

var kindNames = [...]string{"internal", "validation", "unauthorized", "forbidden", "not_found",
	"conflict", "insufficient_balance", "rate_limited", "locked", "payment_required", "unavailable", "too_large"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Kinds lists every kind, so surfaces can test that their mapping is total.
func Kinds() []Kind {
	out := make([]Kind, len(kindNames))
	for i := range out {
		out[i] = Kind(i)
	}
	return out
}

// Error is a domain error. Code is an optional machine-readable code for surfaces that show one
// (spec 000's "FAUCET_COOLDOWN"); when empty the surface derives one from Kind.
type Error struct {
	Kind       Kind
	Code       string
	Field      string         // for Validation: the request field at fault, as the client spells it
	Message    string         // safe to show to the caller
	Data       map[string]any // extra fields a surface may merge into its body (e.g. nextFaucetAt)
	RetryAfter time.Duration  // for RateLimited
	Err        error          // the cause, never shown to the caller
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.String()
	}
	if e.Field != "" {
		msg = e.Field + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, errs.ErrNotFound) and friends match any *Error of the same Kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Code == "" && t.Field == "" && t.Message == ""
}

// Sentinels for errors.Is matching by kind.
var (
	ErrValidation          = &Error{Kind: Validation}
	ErrUnauthorized        = &Error{Kind: Unauthorized}
	ErrForbidden           = &Error{Kind: Forbidden}
	ErrNotFound            = &Error{Kind: NotFound}
	ErrConflict            = &Error{Kind: Conflict}
	ErrInsufficientBalance = &Error{Kind: InsufficientBalance}
	ErrRateLimited         = &Error{Kind: RateLimited}
	ErrLocked              = &Error{Kind: Locked}
	ErrUnavailable         = &Error{Kind: Unavailable}
)

// As returns the *Error inside err, or nil when err is not a domain error.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// KindOf returns the Kind of err (Internal for non-domain errors and nil).
func KindOf(err error) Kind {
	if e := As(err); e != nil {
		return e.Kind
	}
	return Internal
}

// Invalid reports bad input in the named field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Kind: Validation, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Missing reports a required field that is absent.
func Missing(field string) *Error {
	return &Error{Kind: Validation, Field: field, Message: "is required"}
}

// NotFoundf reports that the named thing does not exist for the caller.
func NotFoundf(format string, args ...any) *Error {
	return &Error{Kind: NotFound, Message: fmt.Sprintf(format, args...)}
}

// Conflictf reports a request that clashes with the current state.
func Conflictf(format string, args ...any) *Error {
	return &Error{Kind: Conflict, Message: fmt.Sprintf(format, args...)}
}

// Forbiddenf reports a caller who may not do this.
func Forbiddenf(format string, args ...any) *Error {
	return &Error{Kind: Forbidden, Message: fmt.Sprintf(format, args...)}
}

// Unauthenticated reports missing or bad credentials.
func Unauthenticated(msg string) *Error { return &Error{Kind: Unauthorized, Message: msg} }

// Insufficient reports a balance that cannot cover an amount.
func Insufficient(msg string) *Error { return &Error{Kind: InsufficientBalance, Message: msg} }

// Limited reports a rate limit or cooldown lasting retryAfter.
func Limited(code, msg string, retryAfter time.Duration) *Error {
	return &Error{Kind: RateLimited, Code: code, Message: msg, RetryAfter: retryAfter}
}

// Unavailablef is an Unavailable error: a dependency or feature this server does not offer now.
func Unavailablef(format string, args ...any) *Error {
	return &Error{Kind: Unavailable, Message: fmt.Sprintf(format, args...)}
}
