package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
)

// ReadBody reads the whole (size-limited) body. Oversized bodies are errs.TooLarge.
func ReadBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &errs.Error{Kind: errs.TooLarge, Field: "body", Message: fmt.Sprintf("request body exceeds %d bytes", mbe.Limit)}
	}
	if err != nil {
		return nil, errs.Invalid("body", "could not read request body")
	}
	return b, nil
}

// DecodeJSON decodes one JSON object from raw into v. Every failure is a validation error that
// names the field at fault (or "body" for malformed JSON), never a 500.
func DecodeJSON(raw []byte, v any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return errs.Invalid("body", "a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return errs.Invalid("body", "unexpected data after the JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var de *errs.Error
	switch {
	case errors.As(err, &de):
		return de
	case errors.As(err, &se):
		return errs.Invalid("body", "malformed JSON at byte %d", se.Offset)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return errs.Invalid("body", "must be a JSON %s", jsonKind(te.Type.Kind().String()))
		}
		return errs.Invalid(field, "must be %s, not %s", jsonKind(te.Type.Kind().String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errs.Invalid("body", "truncated JSON")
	}
	return errs.Invalid("body", "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func jsonKind(goKind string) string {
	switch goKind {
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "a " + goKind
}

// BearerKey extracts the API key from "Authorization: Bearer <key>" (or, for the persona SDK,
// X-API-Key); "" when absent.
func BearerKey(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return strings.TrimSpace(r.Header.Get("X-API-Key"))
}
