// Package money holds Arcade's one representation of an amount: an int64 count of micro-units
// (10^-6 of a credit or of a USDC), and exact conversions to and from the decimal strings the
// surfaces show. No float64 ever touches an amount.
package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Asset names one of the two currencies of the ledger. They never mix.
type Asset string

const (
	Credit Asset = "CREDIT" // play credits: faucet, credit packages
	USDC   Asset = "USDC"   // x402 payments, poker, on-chain deposits and withdrawals
)

// Valid reports whether a is a known asset.
func (a Asset) Valid() bool { return a == Credit || a == USDC }

// Amount is a count of micro-units of some asset.
type Amount int64

// Micro is the number of micro-units in one whole unit.
const Micro Amount = 1_000_000

// ErrOverflow is returned when a conversion would not fit in an int64.
var ErrOverflow = errors.New("amount out of range")

// FromUnits converts a whole number of units (credits, USDC) to micro-units.
func FromUnits(n int64) (Amount, error) {
	if n > math.MaxInt64/int64(Micro) || n < math.MinInt64/int64(Micro) {
		return 0, ErrOverflow
	}
	return Amount(n) * Micro, nil
}

// Units returns the whole units of a, truncated toward zero.
func (a Amount) Units() int64 { return int64(a / Micro) }

// String formats a as a plain decimal with up to six fractional digits and no trailing zeros
// ("12", "0.5", "-3.000001").
func (a Amount) String() string {
	neg := a < 0
	u := uint64(a)
	if neg {
		u = uint64(-(a + 1)) + 1 // safe for MinInt64
	}
	whole, frac := u/1_000_000, u%1_000_000
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	b.WriteString(strconv.FormatUint(whole, 10))
	if frac != 0 {
		f := fmt.Sprintf("%06d", frac)
		b.WriteByte('.')
		b.WriteString(strings.TrimRight(f, "0"))
	}
	return b.String()
}

// Amount has no JSON methods on purpose: money leaves the domain as int64 micro-units, and each
// surface chooses its document's form at the edge (whole units as Decimal, spec 001's *_micro
// integers, spec 002's cents and ucents). An Amount marshalled by accident is a plain integer of
// micro-units, never silently a number 10^6 times too large.

// Decimal is an amount written in JSON as a number of whole units with up to six decimals (the
// form spec 000 shows credits in, and spec 002 dollars). The text is exact: built from integers,
// never from a float; reading it back is exact too.
type Decimal Amount

// Decimal is a's whole-unit JSON form.
func (a Amount) Decimal() Decimal { return Decimal(a) }

// DecimalPtr is a's whole-unit JSON form, for optional fields (nil for nil).
func DecimalPtr(a *Amount) *Decimal {
	if a == nil {
		return nil
	}
	d := Decimal(*a)
	return &d
}

// Amount is d's value in micro-units.
func (d Decimal) Amount() Amount { return Amount(d) }

// String formats d like Amount.String.
func (d Decimal) String() string { return Amount(d).String() }

// MarshalJSON writes d as a JSON number of whole units.
func (d Decimal) MarshalJSON() ([]byte, error) { return []byte(Amount(d).String()), nil }

// UnmarshalJSON reads a JSON number of whole units with at most six decimals, exactly.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	a, err := Parse(string(b))
	if err != nil {
		return fmt.Errorf("money: %w", err)
	}
	*d = Decimal(a)
	return nil
}

// Parse reads a decimal string with at most six fractional digits ("10", "0.25", "-1.5") into
// micro-units, exactly. Exponents, more digits and anything else are refused.
func Parse(s string) (Amount, error) {
	if s == "" {
		return 0, errors.New("empty amount")
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("invalid amount %q", s)
	}
	if hasDot && frac == "" {
		return 0, fmt.Errorf("invalid amount %q", s)
	}
	if len(frac) > 6 {
		return 0, fmt.Errorf("amount %q has more than 6 decimal places", s)
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, fmt.Errorf("invalid amount %q", s)
			}
		}
	}
	var w uint64
	if whole != "" {
		var err error
		w, err = strconv.ParseUint(whole, 10, 64)
		if err != nil || w > math.MaxInt64/1_000_000 {
			return 0, ErrOverflow
		}
	}
	var f uint64
	if frac != "" {
		f, _ = strconv.ParseUint(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	v := w*1_000_000 + f
	if v > math.MaxInt64 {
		return 0, ErrOverflow
	}
	if neg {
		return -Amount(v), nil
	}
	return Amount(v), nil
}
