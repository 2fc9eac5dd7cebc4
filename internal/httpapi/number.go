package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// Number is a JSON number kept as its exact text. Unlike json.Number it refuses a quoted string
// ("10"): spec 000 wants strict types, and a client sending strings should hear so, by field.
type Number string

// UnmarshalJSON accepts only a JSON number token (or null, which leaves it empty).
func (n *Number) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*n = ""
		return nil
	}
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		kind := "value"
		switch b[0] {
		case '"':
			kind = "string"
		case 't', 'f':
			kind = "bool"
		case '[':
			kind = "array"
		case '{':
			kind = "object"
		}
		return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeFor[float64]()}
	}
	*n = Number(b)
	return nil
}

// MarshalJSON writes the number back as it came.
func (n Number) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("null"), nil
	}
	return []byte(n), nil
}

// String returns the number's text.
func (n Number) String() string { return string(n) }
