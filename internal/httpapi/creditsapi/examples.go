package creditsapi

import (
	_ "embed"
	"encoding/json"
)

// examples.json holds one real success answer per /api operation, recorded by the app tests
// (go test ./internal/app -run TestOpenAPIExamples -update-examples, with stripe-mock running).
//
//go:embed examples.json
var examplesJSON []byte

// Examples returns the recorded answers by operationId.
func Examples() map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(examplesJSON, &m); err != nil {
		panic("creditsapi: examples.json: " + err.Error())
	}
	return m
}
