package x402

import (
	"encoding/json"
	"fmt"
)

// BazaarHTTP describes a paid HTTP resource for the bazaar discovery extension, which
// facilitators and agent marketplaces read to list the resource and learn how to call it.
type BazaarHTTP struct {
	Method string // GET, HEAD, DELETE (inputs are query parameters) or POST, PUT, PATCH (a JSON body)
	// Input is an example of the query parameters or the body; InputSchema its JSON Schema
	// (an object schema; nil means any object).
	Input       any
	InputSchema json.RawMessage
	// OutputExample, when set, is an example answer; OutputSchema its JSON Schema.
	OutputExample any
	OutputSchema  json.RawMessage
}

// Bazaar returns the bazaar extension entry of d: info with input {type "http", method,
// queryParams | bodyType "json" + body} and optional output {type "json", example}, and the
// JSON Schema (draft 2020-12) that info satisfies.
func Bazaar(d BazaarHTTP) (Extension, error) {
	query := false
	switch d.Method {
	case "GET", "HEAD", "DELETE":
		query = true
	case "POST", "PUT", "PATCH":
	default:
		return Extension{}, fmt.Errorf("x402: bazaar: method %q", d.Method)
	}
	inSchema := d.InputSchema
	if inSchema == nil {
		inSchema = json.RawMessage(`{"type":"object"}`)
	}
	input := map[string]any{"type": "http", "method": d.Method}
	inputProps := map[string]any{
		"type":   map[string]any{"type": "string", "const": "http"},
		"method": map[string]any{"type": "string", "enum": []string{d.Method}},
	}
	required := []string{"type", "method"}
	example := d.Input
	if example == nil {
		example = map[string]any{}
	}
	if query {
		input["queryParams"] = example
		inputProps["queryParams"] = inSchema
	} else {
		input["bodyType"] = "json"
		input["body"] = example
		inputProps["bodyType"] = map[string]any{"type": "string", "enum": []string{"json"}}
		inputProps["body"] = inSchema
		required = append(required, "bodyType", "body")
	}
	info := map[string]any{"input": input}
	props := map[string]any{"input": map[string]any{
		"type": "object", "properties": inputProps, "required": required, "additionalProperties": false,
	}}
	if d.OutputExample != nil {
		info["output"] = map[string]any{"type": "json", "example": d.OutputExample}
		ex := json.RawMessage(`{}`)
		if d.OutputSchema != nil {
			ex = d.OutputSchema
		}
		props["output"] = map[string]any{
			"type":       "object",
			"properties": map[string]any{"type": map[string]any{"type": "string"}, "example": ex},
			"required":   []string{"type"},
		}
	}
	schema := map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
		"properties": props, "required": []string{"input"},
	}
	ij, err := json.Marshal(info)
	if err != nil {
		return Extension{}, fmt.Errorf("x402: bazaar info: %w", err)
	}
	sj, err := json.Marshal(schema)
	if err != nil {
		return Extension{}, fmt.Errorf("x402: bazaar schema: %w", err)
	}
	return Extension{Info: ij, Schema: sj}, nil
}

// NewPaymentRequired returns the 402 answer for a resource: version 2, the offers, and the
// extensions given (typically the bazaar entry). The sandbox label travels in each offer's
// extra.
func NewPaymentRequired(resource Resource, offers []Requirements, extensions map[string]Extension) PaymentRequired {
	return PaymentRequired{X402Version: Version, Error: "payment required", Resource: &resource,
		Accepts: offers, Extensions: extensions}
}
