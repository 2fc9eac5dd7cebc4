package tools

import (
	"encoding/json"
	"testing"

	"github.com/arcadehq/arcade/internal/errs"
)

// TestDecodeParamsNamesTheField: every ill-typed parameter is a validation error naming it,
// including a string for a number (which encoding/json reports without the field).
func TestDecodeParamsNamesTheField(t *testing.T) {
	type params struct {
		Amount    json.Number `json:"amount"`
		Condition string      `json:"condition"`
		Limit     *int        `json:"limit,omitempty"`
		Tags      []string    `json:"tags,omitempty"`
	}
	for raw, field := range map[string]string{
		`{"amount":"abc"}`:                 "parameters.amount",
		`{"amount":true}`:                  "parameters.amount",
		`{"amount":1,"condition":2}`:       "parameters.condition",
		`{"condition":"over","limit":"x"}`: "parameters.limit",
		`{"condition":"over","limit":1.5}`: "parameters.limit",
		`{"tags":"a"}`:                     "parameters.tags",
		`{"amount":1,"tags":[1]}`:          "parameters.tags",
		`[1]`:                              "parameters",
		`{"amount":`:                       "parameters",
	} {
		var p params
		err := decodeParams([]byte(raw), &p)
		if e := errs.As(err); e == nil || e.Kind != errs.Validation || e.Field != field {
			t.Errorf("%s: %v, want a validation error naming %s", raw, err, field)
		}
	}
	var p params
	if err := decodeParams([]byte(`{"amount":10,"condition":"over","unknown":1}`), &p); err != nil || p.Amount != "10" {
		t.Fatalf("good parameters: %v %+v", err, p)
	}
}
