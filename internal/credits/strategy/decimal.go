package strategy

import (
	"errors"
	"math"
	"strconv"

	"github.com/arcadehq/arcade/internal/money"
)

// Dec is an exact decimal with six fractional digits: the value times 10^6. Rule values (counts,
// credit amounts, percentages, multipliers, target steps) are carried in it so that no float
// ever decides a bet. A credit amount held in a Dec is also its count of micro-units.
type Dec int64

// DecScale is the number of units of a Dec in 1.
const DecScale = 1_000_000

// D returns the Dec for the whole number n.
func D(n int64) Dec { return Dec(n * DecScale) }

// String formats d as a plain decimal without trailing zeros ("5", "0.25", "-20").
func (d Dec) String() string { return money.Amount(d).String() }

// MarshalJSON renders d as an exact JSON number.
func (d Dec) MarshalJSON() ([]byte, error) { return []byte(d.String()), nil }

// Whole reports whether d is a whole number.
func (d Dec) Whole() bool { return d%DecScale == 0 }

// Int returns the whole part of d, truncated toward zero.
func (d Dec) Int() int64 { return int64(d / DecScale) }

// decPtr returns a pointer to d, for building rules in Go.
func decPtr(d Dec) *Dec { return &d }

// Hundredths is a non-negative decimal with two fractional digits, carried as an integer count
// of hundredths: a dice target X is Hundredths(100·X) (49.5 is 4950), and so is a roll.
type Hundredths int

// String formats h as a decimal without trailing zeros ("49.5", "50", "0.01").
func (h Hundredths) String() string {
	v := int64(h)
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v/100, 10)
	if f := v % 100; f != 0 {
		if f%10 == 0 {
			s += "." + strconv.FormatInt(f/10, 10)
		} else {
			s += "." + string([]byte{byte('0' + f/10), byte('0' + f%10)})
		}
	}
	if neg {
		return "-" + s
	}
	return s
}

// MarshalJSON renders h as an exact JSON number.
func (h Hundredths) MarshalJSON() ([]byte, error) { return []byte(h.String()), nil }

// Errors of parseFixed; callers turn them into errs.Invalid naming the field.
var (
	errNotNumber = errors.New("must be a number")
	errPrecision = errors.New("has too many decimal places")
	errRange     = errors.New("is out of range")
)

// parseFixed reads the JSON number literal raw exactly and returns its value times 10^scale.
// It accepts the whole JSON number grammar (sign, fraction, exponent) and fails with
// errNotNumber for anything else (a string, a boolean, an object), errPrecision when the value
// has more than scale decimals (trailing zeros do not count) and errRange when the result does
// not fit in an int64. No float is involved.
func parseFixed(raw []byte, scale int) (int64, error) {
	i, n := 0, len(raw)
	neg := false
	if i < n && raw[i] == '-' {
		neg = true
		i++
	}
	intStart := i
	for i < n && isDigit(raw[i]) {
		i++
	}
	intEnd := i
	if intEnd == intStart || (raw[intStart] == '0' && intEnd-intStart > 1) {
		return 0, errNotNumber
	}
	fracStart, fracEnd := i, i
	if i < n && raw[i] == '.' {
		i++
		fracStart = i
		for i < n && isDigit(raw[i]) {
			i++
		}
		fracEnd = i
		if fracEnd == fracStart {
			return 0, errNotNumber
		}
	}
	exp := 0
	if i < n && (raw[i] == 'e' || raw[i] == 'E') {
		i++
		eneg := false
		if i < n && (raw[i] == '+' || raw[i] == '-') {
			eneg = raw[i] == '-'
			i++
		}
		if i == n {
			return 0, errNotNumber
		}
		for i < n && isDigit(raw[i]) {
			if exp < 10000 {
				exp = exp*10 + int(raw[i]-'0')
			}
			i++
		}
		if eneg {
			exp = -exp
		}
	}
	if i != n {
		return 0, errNotNumber
	}
	// The value is digits(int ++ frac) × 10^shift.
	shift := exp - (fracEnd - fracStart) + scale
	digit := func(k int) byte { // k-th significant digit over int ++ frac
		if k < intEnd-intStart {
			return raw[intStart+k]
		}
		return raw[fracStart+k-(intEnd-intStart)]
	}
	total := (intEnd - intStart) + (fracEnd - fracStart)
	keep := total
	if shift < 0 {
		// The last -shift digits are below the scale: they must all be zero.
		drop := -shift
		if drop > total {
			drop = total
		}
		for k := total - drop; k < total; k++ {
			if digit(k) != '0' {
				return 0, errPrecision
			}
		}
		keep = total - drop
		shift = 0
	}
	var v uint64
	for k := 0; k < keep; k++ {
		d := uint64(digit(k) - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, errRange
		}
		v = v*10 + d
	}
	if v != 0 {
		for ; shift > 0; shift-- {
			if v > math.MaxInt64/10 {
				return 0, errRange
			}
			v *= 10
		}
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
