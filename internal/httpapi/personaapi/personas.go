package personaapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/service"
	"github.com/arcadehq/arcade/internal/persona/turn"
)

// PersonaItem is one persona in a listing.
type PersonaItem struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	IsPublic    bool      `json:"is_public"`
	IsExample   bool      `json:"is_example"`
	UserID      string    `json:"user_id"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Persona is GET /api/v1/personas/{persona_id}.
type Persona struct {
	ID                    string    `json:"id"`
	Name                  string    `json:"name"`
	Description           string    `json:"description"`
	PersonaIdentityPrompt string    `json:"persona_identity_prompt"`
	IsPublic              bool      `json:"is_public"`
	IsExample             bool      `json:"is_example"`
	UserID                string    `json:"user_id"`
	PlayLink              *string   `json:"play_link" jsonschema:"nullable"`
	CreatedAt             time.Time `json:"created_at"`
	UpdatedAt             time.Time `json:"updated_at"`
}

// Full is GET /api/v1/personas/{persona_id}/full: the core fields, then the definition's
// machines, variables and links in the definition format (docs/personas.md).
type Full struct {
	Persona      Persona            `json:"persona"`
	Machines     []persona.Machine  `json:"machines"`
	Variables    []persona.Variable `json:"variables"`
	MachineLinks []persona.Link     `json:"machine_links"`
}

// Deleted answers DELETE /api/v1/personas/{persona_id}.
type Deleted struct {
	PersonaID string `json:"persona_id"`
	Deleted   bool   `json:"deleted"`
}

// Published answers POST /api/v1/creator/publish.
type Published struct {
	PlayLink  string `json:"play_link"`
	PersonaID string `json:"persona_id"`
}

// Completed is one completed machine in a progress answer.
type Completed struct {
	MachineID   string    `json:"machine_id"`
	MachineKey  string    `json:"machine_key"`
	Name        string    `json:"name"`
	Outcome     string    `json:"outcome"`
	Score       int       `json:"score"`
	CompletedAt time.Time `json:"completed_at"`
}

// Progress is GET /api/v1/personas/{persona_id}/progress.
type Progress struct {
	PersonaID         string            `json:"persona_id"`
	CurrentMachineID  *string           `json:"current_machine_id" jsonschema:"nullable"`
	RelationshipLevel int               `json:"relationship_level"`
	TotalScore        int               `json:"total_score"`
	CompletedMachines []Completed       `json:"completed_machines"`
	AvailableMachines []MachineInfo     `json:"available_machines"`
	RoutePath         []string          `json:"route_path"`
	CrossMachineVars  map[string]string `json:"cross_machine_vars"`
	HasLinks          bool              `json:"has_links"`
}

// ProgressReset answers DELETE /api/v1/personas/{persona_id}/progress.
type ProgressReset struct {
	PersonaID string `json:"persona_id"`
	Message   string `json:"message"`
}

// Item renders a persona summary as a listing item.
func Item(s service.Summary) PersonaItem {
	return PersonaItem{ID: s.ID, Name: s.Name, Description: s.Description, IsPublic: s.IsPublic, IsExample: s.Example,
		UserID: s.UserID, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func personaOf(s service.Summary) Persona {
	return Persona{ID: s.ID, Name: s.Name, Description: s.Description, PersonaIdentityPrompt: s.PersonaIdentityPrompt,
		IsPublic: s.IsPublic, IsExample: s.Example, UserID: s.UserID, PlayLink: optional(s.PlayLink),
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func fullOf(p service.Stored) Full {
	return Full{Persona: personaOf(p.Summary()), Machines: nonNil(p.Machines), Variables: nonNil(p.Variables),
		MachineLinks: nonNil(p.MachineLinks)}
}

// ProgressOf renders a player's progress as spec 003's progress answer.
func ProgressOf(p service.Progress) Progress {
	names := map[string]string{}
	for _, m := range p.Machines {
		names[m.MachineKey] = m.Name
	}
	out := Progress{PersonaID: p.PersonaID, CurrentMachineID: optional(p.CurrentMachine), RelationshipLevel: p.RelationshipLevel,
		TotalScore: p.TotalScore, CompletedMachines: []Completed{}, AvailableMachines: []MachineInfo{},
		RoutePath: nonNil(p.RoutePath), CrossMachineVars: p.Vars, HasLinks: p.HasLinks}
	if out.CrossMachineVars == nil {
		out.CrossMachineVars = map[string]string{}
	}
	for _, c := range p.Completed {
		out.CompletedMachines = append(out.CompletedMachines, Completed{MachineID: c.MachineKey, MachineKey: c.MachineKey,
			Name: names[c.MachineKey], Outcome: c.Outcome, Score: c.Score, CompletedAt: c.CompletedAt})
	}
	for _, m := range p.Machines {
		if m.Available {
			out.AvailableMachines = append(out.AvailableMachines, machineInfo(m))
		}
	}
	return out
}

// webRef reads the persona and player of a web progress route.
func webRef(r *http.Request) service.PlayRef {
	return service.PlayRef{PersonaID: r.PathValue("persona_id"), UserSessionID: r.URL.Query().Get("user_session_id"), Web: true}
}

func (a *API) registerPersonas(rt *httpapi.Router) {
	o := a.Ops
	a.handle(rt, o.List, detailShape, httpapi.Op{Method: "GET", Path: "/api/v1/personas", ID: "listPersonas",
		Params: []httpapi.Param{publicOnly, myPersonas, limitParam}, Resp: []PersonaItem{},
		Description: "Without a key: the public personas, the shipped examples first. my_personas=true (with the key): the caller's own. " +
			"public_only=false with a key: the public ones and the caller's own."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var in service.ListQuery
			var err error
			if in.PublicOnly, err = boolParam(r, "public_only", true); err != nil {
				return 0, nil, err
			}
			if in.Mine, err = boolParam(r, "my_personas", false); err != nil {
				return 0, nil, err
			}
			if in.Limit, err = intParam(r, "limit", service.DefaultListLimit, 1, service.MaxListLimit); err != nil {
				return 0, nil, err
			}
			list, err := o.List.Invoke(r.Context(), c, in)
			out := make([]PersonaItem, 0, len(list))
			for _, s := range list {
				out = append(out, Item(s))
			}
			return 0, out, err
		})
	a.handle(rt, o.Get, detailShape, httpapi.Op{Method: "GET", Path: "/api/v1/personas/{persona_id}", ID: "getPersona",
		Resp: Persona{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			p, err := o.Get.Invoke(r.Context(), c, service.ByID{ID: r.PathValue("persona_id")})
			return 0, personaOf(p.Summary()), err
		})
	a.handle(rt, o.Full, detailShape, httpapi.Op{Method: "GET", Path: "/api/v1/personas/{persona_id}/full", ID: "getPersonaFull",
		Resp: Full{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			p, err := o.Full.Invoke(r.Context(), c, service.ByID{ID: r.PathValue("persona_id")})
			return 0, fullOf(p), err
		})
	a.handle(rt, o.Delete, detailShape, httpapi.Op{Method: "DELETE", Path: "/api/v1/personas/{persona_id}", ID: "deletePersona",
		Resp: Deleted{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			d, err := o.Delete.Invoke(r.Context(), c, service.ByID{ID: r.PathValue("persona_id")})
			return 0, Deleted{PersonaID: d.ID, Deleted: true}, err
		})
	a.handle(rt, o.Save, detailShape, httpapi.Op{Method: "POST", Path: "/api/v1/creator/save", ID: "savePersona", Tag: "creator",
		Params: []httpapi.Param{personaOpt}, Body: persona.Definition{}, Resp: Persona{},
		Description: "The body is a persona definition (its JSON Schema: docs/personas.md). 422 names the JSON path of the first " +
			"problem in detail and field, and lists every problem in errors; a body over 256 KiB is 413."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return 0, nil, err
			}
			p, err := o.Save.Invoke(r.Context(), c, service.SaveInput{PersonaID: r.URL.Query().Get("persona_id"), Body: raw})
			return 0, personaOf(p.Summary()), err
		})
	a.handle(rt, o.Schema, detailShape, httpapi.Op{Method: "GET", Path: "/api/v1/creator/schema", ID: "personaSchema", Tag: "creator",
		Resp: map[string]any{}, Description: "The JSON Schema (draft 2020-12) of the definition POST /api/v1/creator/save takes, " +
			"reflected from the types its decoder reads. The graph rules (reachability, links that can hold…) are the validator's: docs/personas.md."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			raw, err := o.Schema.Invoke(r.Context(), c, ops.None{})
			return 0, json.RawMessage(raw), err
		})
	a.handle(rt, o.Publish, detailShape, httpapi.Op{Method: "POST", Path: "/api/v1/creator/publish", ID: "publishPersona", Tag: "creator",
		Params: []httpapi.Param{personaReq}, Resp: Published{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			if _, err := httpapi.ReadBody(r); err != nil {
				return 0, nil, err
			}
			p, err := o.Publish.Invoke(r.Context(), c, service.ByID{ID: r.URL.Query().Get("persona_id")})
			return 0, Published{PlayLink: p.PlayLink, PersonaID: p.PersonaID}, err
		})
	a.handle(rt, o.Progress, detailShape, httpapi.Op{Method: "GET", Path: "/api/v1/personas/{persona_id}/progress", ID: "getPersonaProgress",
		Params: []httpapi.Param{usidParam}, Resp: Progress{},
		Description: "The player is the caller's account plus user_session_id, so the key is required: one key never reads another's players."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			p, err := o.Progress.Invoke(r.Context(), c, webRef(r))
			return 0, ProgressOf(p), err
		})
	a.handle(rt, o.ResetProgress, detailShape, httpapi.Op{Method: "DELETE", Path: "/api/v1/personas/{persona_id}/progress", ID: "resetPersonaProgress",
		Params: []httpapi.Param{usidParam}, Resp: ProgressReset{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			p, err := o.ResetProgress.Invoke(r.Context(), c, webRef(r))
			return 0, ProgressReset{PersonaID: p.PersonaID, Message: p.Message}, err
		})
	a.handle(rt, o.Available, detailShape, httpapi.Op{Method: "GET", Path: "/api/v1/personas/{persona_id}/available-machines", ID: "availableMachines",
		Params: []httpapi.Param{usidParam}, Resp: []MachineInfo{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			ms, err := o.Available.Invoke(r.Context(), c, webRef(r))
			return 0, MachineInfos(ms), err
		})
}

// MachineInfos renders machines as the SDK's MachineInfo list.
func MachineInfos(ms []turn.MachineInfo) []MachineInfo {
	out := make([]MachineInfo, 0, len(ms))
	for _, m := range ms {
		out = append(out, machineInfo(m))
	}
	return out
}
