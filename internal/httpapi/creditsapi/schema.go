package creditsapi

import (
	"encoding/json"

	"github.com/invopop/jsonschema"

	"github.com/arcadehq/arcade/internal/credits/strategy"
)

// ConfigJSON is a basic strategy's config as sent and stored: raw JSON for the one decoder in
// package strategy, with a typed schema for /openapi.json.
type ConfigJSON json.RawMessage

// StrategyJSON is an advanced strategy as sent and stored, likewise.
type StrategyJSON json.RawMessage

// MarshalJSON writes the JSON as it is.
func (c ConfigJSON) MarshalJSON() ([]byte, error) { return json.RawMessage(c).MarshalJSON() }

// UnmarshalJSON keeps the JSON as it came.
func (c *ConfigJSON) UnmarshalJSON(b []byte) error { return (*json.RawMessage)(c).UnmarshalJSON(b) }

// MarshalJSON writes the JSON as it is.
func (s StrategyJSON) MarshalJSON() ([]byte, error) { return json.RawMessage(s).MarshalJSON() }

// UnmarshalJSON keeps the JSON as it came.
func (s *StrategyJSON) UnmarshalJSON(b []byte) error { return (*json.RawMessage)(s).UnmarshalJSON(b) }

func num(n string) json.Number { return json.Number(n) }

// JSONSchema documents a basic strategy's config (docs/strategies.md has the rules).
func (ConfigJSON) JSONSchema() *jsonschema.Schema {
	props := jsonschema.NewProperties()
	set := func(name string, s *jsonschema.Schema) { props.Set(name, s) }
	set("amount", &jsonschema.Schema{Type: "integer", Minimum: num("1"), Maximum: num("10000"), Description: "whole credits per round"})
	set("target", &jsonschema.Schema{Type: "number", Minimum: num("0"), Maximum: num("99.99")})
	set("condition", &jsonschema.Schema{Type: "string", Enum: []any{"over", "under"}})
	prog := []any{}
	for _, p := range strategy.Progressions {
		prog = append(prog, string(p))
	}
	set("progressionType", &jsonschema.Schema{Type: "string", Enum: prog, Default: "flat"})
	set("maxBet", &jsonschema.Schema{Type: "integer", Minimum: num("1"), Maximum: num("10000"), Description: "cap on any stake (alias maxPlay)"})
	set("maxPlay", &jsonschema.Schema{Type: "integer", Minimum: num("1"), Maximum: num("10000")})
	set("maxConsecutiveLosses", &jsonschema.Schema{Type: "integer", Minimum: num("1")})
	set("maxConsecutiveWins", &jsonschema.Schema{Type: "integer", Minimum: num("1")})
	set("unitStep", &jsonschema.Schema{Type: "number", Description: "d'Alembert step"})
	set("stopAfterRounds", &jsonschema.Schema{Type: "integer", Minimum: num("1")})
	set("stopIfBalanceBelow", &jsonschema.Schema{Type: "number", Minimum: num("0")})
	set("stopIfBalanceAbove", &jsonschema.Schema{Type: "number", Minimum: num("0")})
	set("labouchereLine", &jsonschema.Schema{Type: "array", Items: &jsonschema.Schema{Type: "integer", Minimum: num("1")}})
	return &jsonschema.Schema{Type: "object", Properties: props, Required: []string{"amount", "target", "condition"}}
}

// JSONSchema documents an advanced strategy.
func (StrategyJSON) JSONSchema() *jsonschema.Schema {
	r := &jsonschema.Reflector{DoNotReference: true, ExpandedStruct: true, RequiredFromJSONSchemaTags: true, AllowAdditionalProperties: true}
	s := r.Reflect(AdvancedBody{})
	s.Version, s.ID = "", ""
	// Stored strategies come back with their id and times.
	s.Properties.Set("id", &jsonschema.Schema{Type: "string", Description: "set by the server"})
	s.Properties.Set("createdAt", &jsonschema.Schema{Type: "string", Format: "date-time"})
	s.Properties.Set("updatedAt", &jsonschema.Schema{Type: "string", Format: "date-time"})
	return s
}
