package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/arcadehq/arcade/internal/money"
)

// DocInfo is the top of the OpenAPI document.
type DocInfo struct {
	Title       string
	Version     string
	Description string
	// ServerURL is the public base URL ("/" when unknown: relative to the document).
	ServerURL string
	// Examples are real answers by operationId (recorded by the tests), shown as each
	// operation's success example.
	Examples map[string]json.RawMessage
	// Guidance is info's x-guidance: how an agent uses the API, in prose.
	Guidance string
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)\}`)

// OpenAPI builds the OpenAPI 3.1 document of every registered operation. It is derived from the
// same Op values that register the routes, so the two cannot disagree.
func (rt *Router) OpenAPI(info DocInfo) map[string]any {
	refl := &jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, Anonymous: true,
		AllowAdditionalProperties: true, Mapper: func(t reflect.Type) *jsonschema.Schema {
			if s, ok := rt.types[t]; ok {
				c := *s
				return &c
			}
			return mapType(t)
		}}
	paths := map[string]any{}
	for _, op := range rt.Ops() {
		item, _ := paths[op.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.Path] = item
		}
		o := map[string]any{"operationId": op.ID, "summary": op.Summary}
		if op.Description != "" {
			o["description"] = op.Description
		}
		if op.Tag != "" {
			o["tags"] = []string{op.Tag}
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, p := range op.Params {
			in := p.In
			if in == "" {
				in = "query"
			}
			typ := p.Type
			if typ == "" {
				typ = "string"
			}
			s := map[string]any{"type": typ}
			if len(p.Enum) > 0 {
				s["enum"] = p.Enum
			}
			pm := map[string]any{"name": p.Name, "in": in, "required": p.Required || in == "path", "schema": s}
			if p.Description != "" {
				pm["description"] = p.Description
			}
			params = append(params, pm)
		}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Body != nil {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": schemaOf(refl, op.Body)}}}
		}
		status := op.RespStatus
		if status == 0 {
			status = http.StatusOK
		}
		var body map[string]any
		if op.Resp != nil {
			body = schemaOf(refl, op.Resp)
		} else {
			body = map[string]any{"type": "object"}
		}
		if op.Wrap != nil {
			body = op.Wrap(body)
		}
		ct := op.RespType
		if ct == "" {
			ct = "application/json"
		}
		responses := map[string]any{strconv.Itoa(status): map[string]any{
			"description": http.StatusText(status), "content": map[string]any{ct: map[string]any{"schema": body}}}}
		errStatuses := append([]int(nil), op.Errors...)
		if op.Auth != AuthNone {
			errStatuses = append(errStatuses, http.StatusUnauthorized)
		}
		if op.Auth == AuthAdmin {
			errStatuses = append(errStatuses, http.StatusForbidden)
		}
		sort.Ints(errStatuses)
		for _, s := range errStatuses {
			r := map[string]any{"description": http.StatusText(s)}
			if eb, ok := op.ErrBodies[s]; ok {
				r["content"] = map[string]any{"application/json": map[string]any{"schema": eb}}
			} else if op.ErrBody != nil {
				r["content"] = map[string]any{"application/json": map[string]any{"schema": op.ErrBody}}
			}
			responses[strconv.Itoa(s)] = r
		}
		o["responses"] = responses
		if op.Auth == AuthSession {
			o["security"] = []any{map[string]any{"siwx": []string{}}}
		} else if op.Auth != AuthNone && op.KeyHeader {
			o["security"] = []any{map[string]any{"apiKeyHeader": []string{}}, map[string]any{"bearerAuth": []string{}}}
		} else if op.Auth != AuthNone {
			o["security"] = []any{map[string]any{"bearerAuth": []string{}}}
		} else {
			o["security"] = []any{} // public: no credentials
		}
		for k, v := range op.Extensions {
			o[k] = v
		}
		if op.Operation != "" {
			o["x-operation"] = op.Operation // the registry operation this route binds
		}
		if ex, ok := info.Examples[op.ID]; ok {
			if c, ok := responses[strconv.Itoa(status)].(map[string]any)["content"].(map[string]any)[ct].(map[string]any); ok {
				c["example"] = ex
			}
		}
		item[strings.ToLower(op.Method)] = o
	}
	server := info.ServerURL
	if server == "" {
		server = "/"
	}
	return map[string]any{
		"openapi": "3.1.0",
		"servers": []any{map[string]any{"url": server, "description": "this Arcade server"}},
		"info":    infoOf(info),
		"paths":   paths,
		"components": map[string]any{"securitySchemes": map[string]any{
			"bearerAuth": map[string]any{"type": "http", "scheme": "bearer", "description": "API key from POST /api/auth/guest"},
			"apiKeyHeader": map[string]any{"type": "apiKey", "in": "header", "name": "X-API-Key",
				"description": "the same API key in X-API-Key, as the persona SDK sends it"},
			"siwx": map[string]any{"type": "apiKey", "in": "cookie", "name": "siwe-session",
				"description": "Sign-In With X (EIP-4361). Obtain via GET /api/auth/siwe/nonce → POST /api/auth/siwe/verify. Cookie lifetime is 7 days."},
		}},
	}
}

var (
	amountType  = reflect.TypeOf(money.Amount(0))
	decimalType = reflect.TypeOf(money.Decimal(0))
)

// SchemaFor documents values of type t with schema s wherever they appear (a surface's own
// wire types whose JSON differs from their Go kind, e.g. hundredths written as decimals).
func (rt *Router) SchemaFor(t reflect.Type, s *jsonschema.Schema) {
	if rt.types == nil {
		rt.types = map[reflect.Type]*jsonschema.Schema{}
	}
	rt.types[t] = s
}

// mapType renders money.Decimal as a JSON number of whole units, money.Amount as an integer of
// micro-units, and json.RawMessage as any value.
func mapType(t reflect.Type) *jsonschema.Schema {
	switch t {
	case decimalType:
		return &jsonschema.Schema{Type: "number", Description: "amount in whole units, exact to 6 decimals"}
	case amountType:
		return &jsonschema.Schema{Type: "integer", Description: "amount in micro-units (10^-6 of a unit)"}
	case reflect.TypeOf(json.RawMessage(nil)):
		return &jsonschema.Schema{}
	case reflect.TypeOf(json.Number("")):
		return &jsonschema.Schema{Type: "number"}
	}
	return nil
}

func schemaOf(refl *jsonschema.Reflector, v any) map[string]any {
	s := refl.Reflect(v)
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	delete(m, "$schema")
	delete(m, "$id")
	return m
}

func infoOf(info DocInfo) map[string]any {
	m := map[string]any{"title": info.Title, "version": info.Version, "description": info.Description}
	if info.Guidance != "" {
		m["x-guidance"] = info.Guidance
	}
	return m
}
