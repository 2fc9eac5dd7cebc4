package strategy

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
)

// object is a decoded JSON object whose members are read one by one with strict types, each
// error naming the member as the client spells it (prefix.key).
type object struct {
	prefix string
	m      map[string]json.RawMessage
}

// join returns the field name of key under prefix.
func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// index returns the field name of element i of the array named prefix.
func index(prefix string, i int) string { return prefix + "[" + strconv.Itoa(i) + "]" }

// isNull reports whether raw is absent or the JSON null.
func isNull(raw []byte) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// readObject decodes data, which must be a JSON object, for the field named field ("" for the
// top level). An absent or null object is reported as missing.
func readObject(data []byte, field string) (object, error) {
	data = bytes.TrimSpace(data)
	name := field
	if name == "" {
		name = "body"
	}
	if isNull(data) {
		return object{}, errs.Missing(name)
	}
	if data[0] != '{' {
		return object{}, errs.Invalid(name, "must be an object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return object{}, errs.Invalid(name, "is not valid JSON")
	}
	return object{prefix: field, m: m}, nil
}

func (o object) name(key string) string { return join(o.prefix, key) }

// raw returns the member key, or false when it is absent or null.
func (o object) raw(key string) ([]byte, bool) {
	r, ok := o.m[key]
	if !ok || isNull(r) {
		return nil, false
	}
	return bytes.TrimSpace(r), true
}

// fixed reads a number as value × 10^scale; what names the precision in messages.
func (o object) fixed(key string, scale int, precision string) (int64, bool, error) {
	r, ok := o.raw(key)
	if !ok {
		return 0, false, nil
	}
	v, err := fixedField(r, scale, precision, o.name(key))
	return v, err == nil, err
}

// fixedField parses r as a number × 10^scale and names field in any error.
func fixedField(r []byte, scale int, precision, field string) (int64, error) {
	v, err := parseFixed(r, scale)
	switch {
	case err == nil:
		return v, nil
	case errors.Is(err, errPrecision):
		return 0, errs.Invalid(field, "must be %s", precision)
	case errors.Is(err, errRange):
		return 0, errs.Invalid(field, "is out of range")
	case len(r) > 0 && r[0] == '"':
		return 0, errs.Invalid(field, "must be a number, not a string")
	default:
		return 0, errs.Invalid(field, "must be a number")
	}
}

// integer reads a whole number.
func (o object) integer(key string) (int64, bool, error) {
	return o.fixed(key, 0, "a whole number")
}

// amount reads a credit amount with at most six decimals, as micro-units.
func (o object) amount(key string) (money.Amount, bool, error) {
	v, ok, err := o.fixed(key, 6, "a number of credits with at most 6 decimals")
	return money.Amount(v), ok, err
}

// wholeCredits reads a whole number of credits, as micro-units.
func (o object) wholeCredits(key string) (money.Amount, bool, error) {
	v, ok, err := o.fixed(key, 0, "a whole number of credits")
	if err != nil || !ok {
		return 0, ok, err
	}
	a, ferr := money.FromUnits(v)
	if ferr != nil {
		return 0, false, errs.Invalid(o.name(key), "is out of range")
	}
	return a, true, nil
}

// hundredths reads a number with at most two decimals.
func (o object) hundredths(key string) (Hundredths, bool, error) {
	v, ok, err := o.fixed(key, 2, "a number with at most two decimals")
	if err != nil || !ok {
		return 0, ok, err
	}
	if v < -1<<31 || v > 1<<31 {
		return 0, false, errs.Invalid(o.name(key), "is out of range")
	}
	return Hundredths(v), true, nil
}

// dec reads a number with at most six decimals.
func (o object) dec(key string) (*Dec, error) {
	v, ok, err := o.fixed(key, 6, "a number with at most 6 decimals")
	if err != nil || !ok {
		return nil, err
	}
	d := Dec(v)
	return &d, nil
}

// str reads a string.
func (o object) str(key string) (string, bool, error) {
	r, ok := o.raw(key)
	if !ok {
		return "", false, nil
	}
	if r[0] != '"' {
		return "", false, errs.Invalid(o.name(key), "must be a string")
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return "", false, errs.Invalid(o.name(key), "must be a string")
	}
	return s, true, nil
}

// boolean reads true or false.
func (o object) boolean(key string) (bool, bool, error) {
	r, ok := o.raw(key)
	if !ok {
		return false, false, nil
	}
	switch string(r) {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, false, errs.Invalid(o.name(key), "must be true or false")
}

// array reads a JSON array into its raw elements.
func (o object) array(key string) ([]json.RawMessage, bool, error) {
	r, ok := o.raw(key)
	if !ok {
		return nil, false, nil
	}
	if r[0] != '[' {
		return nil, false, errs.Invalid(o.name(key), "must be an array")
	}
	var a []json.RawMessage
	if err := json.Unmarshal(r, &a); err != nil {
		return nil, false, errs.Invalid(o.name(key), "must be an array")
	}
	return a, true, nil
}

// stringsOf reads an array of strings.
func (o object) stringsOf(key string) ([]string, error) {
	a, ok, err := o.array(key)
	if err != nil || !ok {
		return nil, err
	}
	var out []string
	for i, r := range a {
		r = bytes.TrimSpace(r)
		var s string
		if len(r) == 0 || r[0] != '"' || json.Unmarshal(r, &s) != nil {
			return nil, errs.Invalid(index(o.name(key), i), "must be a string")
		}
		out = append(out, s)
	}
	return out, nil
}
