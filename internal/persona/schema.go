package persona

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/invopop/jsonschema"
)

// SchemaID is the $id of the definition schema; the server serves Schema() at this path.
const SchemaID = "https://arcade.local/schemas/persona-definition.json"

// JSONSchema describes a link's condition value: an outcome name or an integer score.
func (LinkValue) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Description: "ACCEPT, REJECT or KICK_OUT for an outcome link; an integer score for score_gte and score_lte; absent for always",
		OneOf: []*jsonschema.Schema{
			{Type: "string", Enum: []any{Accept, RejectOut, KickOutOut}},
			{Type: "integer"},
		},
	}
}

var schemaOnce = sync.OnceValues(func() ([]byte, error) {
	r := &jsonschema.Reflector{
		BaseSchemaID:              SchemaID,
		AllowAdditionalProperties: false,
	}
	s := r.Reflect(&Definition{})
	s.ID = SchemaID
	s.Title = "Arcade persona definition"
	s.Description = "A persona, its state machines and the links between them (docs/personas.md). " +
		"The schema states shapes and per-field limits; graph rules (one initial state, reachable terminals, satisfiable links) are checked by the server."
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("persona schema: %w", err)
	}
	return b, nil
})

// Schema returns the JSON Schema (draft 2020-12) of the definition format, reflected from the Go
// types that Decode reads, so the served schema and the decoder cannot drift apart.
func Schema() ([]byte, error) { return schemaOnce() }
