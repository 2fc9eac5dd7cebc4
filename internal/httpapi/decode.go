package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

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
	if err := CheckJSONText(raw); err != nil {
		return err
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

// CheckJSONText refuses JSON whose strings (keys or values) hold invalid UTF-8 or a NUL
// character, naming the field. Such text cannot be stored on PostgreSQL and is never meaningful,
// so it is refused once here for every surface and both engines. The common case (valid UTF-8,
// no \u0000 escape) costs one pass over the bytes.
func CheckJSONText(raw []byte) error {
	if utf8.Valid(raw) && !bytes.Contains(raw, []byte(`\u0000`)) && bytes.IndexByte(raw, 0) < 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var path []string
	var inObj []bool
	expectKey := false
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		// The decoder replaces invalid UTF-8 with U+FFFD, so a string's own bytes are checked.
		seg := raw[start:dec.InputOffset()]
		bad := !utf8.Valid(seg) || bytes.Contains(seg, []byte(`\u0000`))
		if err != nil {
			// Malformed JSON: the decoder proper reports it; raw NULs and bad bytes land here.
			return errs.Invalid("body", "must be valid UTF-8 JSON without NUL characters")
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				inObj = append(inObj, true)
				path = append(path, "")
				expectKey = true
				continue
			case '[':
				inObj = append(inObj, false)
				path = append(path, "[]")
			case '}', ']':
				inObj, path = inObj[:len(inObj)-1], path[:len(path)-1]
				if len(inObj) == 0 {
					return nil
				}
			}
		case string:
			if expectKey {
				path[len(path)-1] = t
				if bad || !validText(t) {
					return errs.Invalid(fieldPath(path[:len(path)-1]), "keys must be valid UTF-8 without NUL characters")
				}
				expectKey = false
				continue
			}
			if bad || !validText(t) {
				return errs.Invalid(fieldPath(path), "must be valid UTF-8 without NUL characters")
			}
		}
		if len(inObj) > 0 && inObj[len(inObj)-1] {
			expectKey = true
		}
	}
}

func validText(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

func fieldPath(p []string) string {
	var b strings.Builder
	for _, s := range p {
		if s == "[]" {
			b.WriteString("[]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// CheckRequestText refuses a path or query holding invalid UTF-8 or a NUL character (an id such
// as /api/me/rounds/a%00b), naming the path or the query parameter.
func CheckRequestText(r *http.Request) error {
	if !validText(r.URL.Path) {
		return errs.Invalid("path", "must be valid UTF-8 without NUL characters")
	}
	if r.URL.RawQuery == "" {
		return nil
	}
	for k, vs := range r.URL.Query() {
		if !validText(k) {
			return errs.Invalid("query", "parameter names must be valid UTF-8 without NUL characters")
		}
		for _, v := range vs {
			if !validText(v) {
				return errs.Invalid(k, "must be valid UTF-8 without NUL characters")
			}
		}
	}
	return nil
}

// ClientAddr is the client's address without the port.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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
