package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/arcadehq/arcade/internal/errs"
)

type sample struct {
	Amount    json.Number       `json:"amount"`
	Target    int               `json:"target"`
	Condition string            `json:"condition"`
	Config    *struct{ N int }  `json:"config"`
	Tags      []string          `json:"tags"`
	Extra     map[string]string `json:"extra"`
}

var decodeCases = []struct {
	body  string
	field string // "" = accepted
}{
	{`{"amount": 10, "target": 50, "condition": "over"}`, ""},
	{`{"amount": 10, "unknown": true}`, ""},
	{``, "body"},
	{`   `, "body"},
	{`{`, "body"},
	{`{"amount": 10,}`, "body"},
	{`[1,2]`, "body"},
	{`"x"`, "body"},
	{`{"target": "50"}`, "target"},
	{`{"target": 50.5}`, "target"},
	{`{"condition": 1}`, "condition"},
	{`{"config": {"N": "x"}}`, "config.N"},
	{`{"tags": "a"}`, "tags"},
	{`{"amount": 1} {"amount": 2}`, "body"},
	{`{"amount": 1} x`, "body"},
	{`{"extra": {"a": 1}}`, "extra"},
}

func TestDecodeJSON(t *testing.T) {
	for _, c := range decodeCases {
		var v sample
		err := DecodeJSON([]byte(c.body), &v)
		if c.field == "" {
			if err != nil {
				t.Errorf("%q: unexpected error %v", c.body, err)
			}
			continue
		}
		e := errs.As(err)
		if e == nil || e.Kind != errs.Validation || e.Field != c.field {
			t.Errorf("%q: got %v (%+v), want validation error on %q", c.body, err, e, c.field)
		}
	}
}

// FuzzDecodeJSON: whatever the body, decoding returns nil or a validation error naming a field;
// it never panics and never yields an internal error.
func FuzzDecodeJSON(f *testing.F) {
	for _, c := range decodeCases {
		f.Add([]byte(c.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v sample
		err := DecodeJSON(body, &v)
		if err == nil {
			return
		}
		e := errs.As(err)
		if e == nil || e.Kind != errs.Validation || e.Field == "" {
			t.Fatalf("body %q: error %v is not a validation error naming a field", body, err)
		}
	})
}

func TestOversizedBodyAndPanic(t *testing.T) {
	rt := NewRouter(slog.New(slog.NewTextHandler(io.Discard, nil)), NewMetrics())
	var got error
	rt.Handle(Op{Method: "POST", Path: "/echo", ID: "echo", Handler: func(w http.ResponseWriter, r *http.Request) {
		_, got = ReadBody(r)
		w.WriteHeader(204)
	}})
	rt.Handle(Op{Method: "GET", Path: "/boom", ID: "boom", Handler: func(w http.ResponseWriter, r *http.Request) { panic("boom") }})
	srv := httptest.NewServer(rt)
	defer srv.Close()
	res, err := http.Post(srv.URL+"/echo", "application/json", bytes.NewReader(bytes.Repeat([]byte("a"), MaxBody+1)))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if e := errs.As(got); e == nil || e.Kind != errs.TooLarge {
		t.Fatalf("oversized body: %v", got)
	}
	res, err = http.Get(srv.URL + "/boom")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 500 || !strings.Contains(string(b), "internal error") || res.Header.Get("X-Request-Id") == "" {
		t.Fatalf("panic: %d %s", res.StatusCode, b)
	}
}

func TestBearerKey(t *testing.T) {
	for h, want := range map[string]string{"Bearer abc": "abc", "bearer  abc ": "abc", "Basic abc": "", "": "", "Bearer": ""} {
		r := httptest.NewRequest("GET", "/", nil)
		if h != "" {
			r.Header.Set("Authorization", h)
		}
		if got := BearerKey(r); got != want {
			t.Errorf("BearerKey(%q) = %q, want %q", h, got, want)
		}
	}
}

func TestStrictNumber(t *testing.T) {
	var v struct {
		Amount Number `json:"amount"`
	}
	for body, field := range map[string]string{`{"amount":"10"}`: "amount", `{"amount":true}`: "amount", `{"amount":[1]}`: "amount", `{"amount":10.5}`: ""} {
		v.Amount = ""
		err := DecodeJSON([]byte(body), &v)
		e := errs.As(err)
		if field == "" {
			if err != nil || v.Amount != "10.5" {
				t.Errorf("%s: %v %q", body, err, v.Amount)
			}
			continue
		}
		if e == nil || e.Field != field {
			t.Errorf("%s: got %v, want a validation error on %s", body, err, field)
		}
	}
}

// FuzzCheckJSONText: the text check never panics, and JSON it accepts decodes to strings that
// are valid UTF-8 without NUL characters.
func FuzzCheckJSONText(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":"\u0000"}`, "{\"a\":\"\xff\"}", `{"k\u0000":1}`, `[{"a":["x","\u0000"]}]`, `"x"`, `{`, `{"a":{"b":[1,{"c":"\u0000"}]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if CheckJSONText(raw) != nil {
			return
		}
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		var walk func(any)
		walk = func(v any) {
			switch x := v.(type) {
			case string:
				if !validText(x) || strings.ContainsRune(x, utf8.RuneError) && !strings.Contains(string(raw), "\uFFFD") && !strings.Contains(string(raw), `\ufffd`) && !strings.Contains(string(raw), `\uFFFD`) {
					t.Fatalf("accepted %q holding %q", raw, x)
				}
			case map[string]any:
				for k, e := range x {
					walk(k)
					walk(e)
				}
			case []any:
				for _, e := range x {
					walk(e)
				}
			}
		}
		walk(v)
	})
}
