package casino

import (
	"encoding/json"
	"math/big"
	"strconv"
)

// Ratio is an exact non-negative fraction Num/Den, used to publish probabilities and returns to
// player without rounding. The zero Ratio means 0.
type Ratio struct {
	Num, Den int64
}

// newRatio returns num/den in lowest terms.
func newRatio(num, den int64) Ratio {
	a, b := num, den
	for b != 0 {
		a, b = b, a%b
	}
	if a == 0 {
		return Ratio{0, 1}
	}
	return Ratio{num / a, den / a}
}

// Percent returns 100 × Num/Den in decimal with the given number of places, rounded half up.
// It is exact: the division is done on integers.
func (r Ratio) Percent(places int) string {
	if r.Den == 0 {
		return "NaN"
	}
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)
	n := new(big.Int).Mul(big.NewInt(r.Num), big.NewInt(100))
	n.Mul(n, scale)
	d := big.NewInt(r.Den)
	// floor((2n + d) / 2d) rounds half up for non-negative values.
	n.Mul(n, big.NewInt(2)).Add(n, d)
	n.Quo(n, d.Mul(d, big.NewInt(2)))
	s := n.String()
	if places <= 0 {
		return s
	}
	for len(s) <= places {
		s = "0" + s
	}
	return s[:len(s)-places] + "." + s[len(s)-places:]
}

// String returns the fraction as "Num/Den".
func (r Ratio) String() string {
	return strconv.FormatInt(r.Num, 10) + "/" + strconv.FormatInt(r.Den, 10)
}

// MarshalJSON publishes the exact fraction and a percentage rounded to four places:
// {"num":35,"den":36,"percent":97.2222}.
func (r Ratio) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Num     int64       `json:"num"`
		Den     int64       `json:"den"`
		Percent json.Number `json:"percent"`
	}{r.Num, r.Den, json.Number(r.Percent(4))})
}
