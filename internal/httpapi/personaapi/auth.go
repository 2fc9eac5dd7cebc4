package personaapi

import (
	"net/http"

	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/persona/service"
)

// The web family's account routes the notes record (/api/v1/auth/…): who is signed in, and
// moving an earlier player's progress to the signed-in one. Errors {detail}, as spec 003's.

// Me answers GET /api/v1/auth/me.
type Me struct {
	ID          string  `json:"id"`
	Email       *string `json:"email" jsonschema:"nullable"`
	DisplayName *string `json:"display_name" jsonschema:"nullable"`
}

// MigrateRequest is POST /api/v1/auth/migrate-progress's body.
type MigrateRequest struct {
	OldSessionID  string `json:"old_session_id" jsonschema:"description=the user_session_id whose progress moves"`
	UserSessionID string `json:"user_session_id,omitempty" jsonschema:"description=the player that receives it (default web: the play page's player)"`
}

// Migrated answers POST /api/v1/auth/migrate-progress.
type Migrated struct {
	OldSessionID     string   `json:"old_session_id"`
	UserSessionID    string   `json:"user_session_id"`
	MigratedPersonas []string `json:"migrated_personas" jsonschema:"description=personas whose progress moved"`
	SkippedPersonas  []string `json:"skipped_personas" jsonschema:"description=personas the receiving player already had progress with (both kept as they were)"`
	MigratedCount    int      `json:"migrated"`
}

func (a *API) registerAuth(rt *httpapi.Router) {
	o := a.Ops
	a.handle(rt, o.Me, detailShape, httpapi.Op{Method: "GET", Path: "/api/v1/auth/me", ID: "personaAuthMe", Tag: "persona-auth",
		Resp: Me{}, Description: "The account of the key (Authorization: Bearer or X-API-Key): id, email and display name (null when unset)."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			return 0, Me{ID: c.Account.ID, Email: optional(c.Account.Email), DisplayName: optional(c.Account.Name)}, nil
		})
	a.handle(rt, o.Migrate, detailShape, httpapi.Op{Method: "POST", Path: "/api/v1/auth/migrate-progress", ID: "personaMigrateProgress",
		Tag: "persona-auth", Body: MigrateRequest{}, Resp: Migrated{},
		Description: "Moves the progress, sessions and chat history of the caller's player old_session_id, with every persona, to its " +
			"player user_session_id (default \"web\", the play page's). A player is the key's account plus a user_session_id, so only " +
			"the caller's own players move. Personas the receiving player already has progress with are skipped and left as they were."},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var req MigrateRequest
			if err := decodeBody(r, &req); err != nil {
				return 0, nil, err
			}
			m, err := o.Migrate.Invoke(r.Context(), c, service.MigrateInput{OldSessionID: req.OldSessionID, UserSessionID: req.UserSessionID})
			return 0, Migrated{OldSessionID: m.OldSessionID, UserSessionID: m.UserSessionID, MigratedPersonas: nonNil(m.Migrated),
				SkippedPersonas: nonNil(m.Skipped), MigratedCount: len(m.Migrated)}, err
		})
}
