package creditsapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
)

// intParam reads an optional integer query parameter within [lo, hi].
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errs.Invalid(name, "must be an integer from %d to %d", lo, hi)
	}
	return n, nil
}

// wholeCredits reads a JSON number that must be a whole number of credits (no fraction, no
// exponent, no quotes): spec 000's strict "amount int".
func wholeCredits(field string, n httpapi.Number) (money.Amount, error) {
	s := n.String()
	if s == "" {
		return 0, errs.Missing(field)
	}
	if strings.ContainsAny(s, ".eE") {
		if a, err := money.Parse(s); err == nil && a%money.Micro == 0 {
			return a, nil // 10.0 is still ten
		}
		return 0, errs.Invalid(field, "must be a whole number of credits")
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errs.Invalid(field, "must be a whole number of credits")
	}
	a, err := money.FromUnits(v)
	if err != nil {
		return 0, errs.Invalid(field, "is out of range")
	}
	return a, nil
}

// creditsAmount reads a JSON number of credits with up to six decimals.
func creditsAmount(field string, n httpapi.Number) (money.Amount, error) {
	if n == "" {
		return 0, errs.Missing(field)
	}
	a, err := money.Parse(n.String())
	if err != nil {
		return 0, errs.Invalid(field, "must be a number of credits with at most 6 decimals")
	}
	return a, nil
}
