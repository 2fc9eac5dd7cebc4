package x402

import (
	"errors"
	"fmt"
)

// Reason is an x402 error reason, the string sent as invalidReason / errorReason. Arcade uses
// the specification's list and nothing else (the reference implementations' other spellings
// are not emitted).
type Reason string

// The reasons the verifier and codec return.
const (
	ReasonInvalidPayload      Reason = "invalid_payload"              // malformed header or fields
	ReasonInvalidVersion      Reason = "invalid_x402_version"         // x402Version is not 2
	ReasonUnsupportedScheme   Reason = "unsupported_scheme"           // scheme other than exact
	ReasonInvalidNetwork      Reason = "invalid_network"              // a network this server did not offer
	ReasonInvalidRequirements Reason = "invalid_payment_requirements" // accepted matches no offer (asset, amount, payTo, extra)
	ReasonRecipientMismatch   Reason = "invalid_exact_evm_payload_recipient_mismatch"
	ReasonValueMismatch       Reason = "invalid_exact_evm_payload_authorization_value_mismatch"
	ReasonValidAfter          Reason = "invalid_exact_evm_payload_authorization_valid_after"  // not yet valid
	ReasonValidBefore         Reason = "invalid_exact_evm_payload_authorization_valid_before" // expired
	ReasonInvalidSignature    Reason = "invalid_exact_evm_payload_signature"
	ReasonInvalidTxState      Reason = "invalid_transaction_state" // the authorization's nonce was already used
	ReasonInsufficientFunds   Reason = "insufficient_funds"
	ReasonUnexpectedVerify    Reason = "unexpected_verify_error"
	ReasonUnexpectedSettle    Reason = "unexpected_settle_error"
	ReasonInvalidScheme       Reason = "invalid_scheme"
)

// Error is a refused payment: the x402 reason and a message for humans. Compare with errors.Is
// against the Err* sentinels, which match on Reason alone.
type Error struct {
	Reason  Reason
	Message string
	Err     error // the cause, if any
}

func (e *Error) Error() string {
	if e.Message == "" {
		return "x402: " + string(e.Reason)
	}
	return "x402: " + string(e.Reason) + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches any *Error with the same Reason.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Reason == e.Reason
}

// Sentinels for errors.Is, one per reason.
var (
	ErrInvalidPayload      = &Error{Reason: ReasonInvalidPayload}
	ErrInvalidVersion      = &Error{Reason: ReasonInvalidVersion}
	ErrUnsupportedScheme   = &Error{Reason: ReasonUnsupportedScheme}
	ErrInvalidNetwork      = &Error{Reason: ReasonInvalidNetwork}
	ErrInvalidRequirements = &Error{Reason: ReasonInvalidRequirements}
	ErrRecipientMismatch   = &Error{Reason: ReasonRecipientMismatch}
	ErrValueMismatch       = &Error{Reason: ReasonValueMismatch}
	ErrNotYetValid         = &Error{Reason: ReasonValidAfter}
	ErrExpired             = &Error{Reason: ReasonValidBefore}
	ErrInvalidSignature    = &Error{Reason: ReasonInvalidSignature}
	ErrNonceUsed           = &Error{Reason: ReasonInvalidTxState}
	ErrInsufficientFunds   = &Error{Reason: ReasonInsufficientFunds}
	ErrUnexpectedVerify    = &Error{Reason: ReasonUnexpectedVerify}
	ErrUnexpectedSettle    = &Error{Reason: ReasonUnexpectedSettle}
)

// ReasonOf returns the x402 reason of err: its own when it is an *Error, else
// unexpected_verify_error.
func ReasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ReasonUnexpectedVerify
}

func refuse(r Reason, format string, args ...any) *Error {
	return &Error{Reason: r, Message: fmt.Sprintf(format, args...)}
}
