// Package personaapi is the persona surface: spec 003's routes under /api/v1 (personas,
// creator; errors {detail}) and the play API its SDK calls under /api/v1/sdk/ and the web chat
// under /api/v1/chat/ (errors {"error": {"message"}}, Retry-After on 429). Each route binds one
// operation of the registry (service.Ops); the mapping from domain errors to the two shapes lives
// only in errors.go.
package personaapi

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/persona/llm"
	"github.com/arcadehq/arcade/internal/persona/service"
)

// API serves the persona routes. It holds no transaction, SQL or rule.
type API struct {
	Ops  *service.Ops
	Gate *ops.Gate
	Log  *slog.Logger
}

// handlerFunc is a route's handler: the body to answer with, or an error.
type handlerFunc func(r *http.Request, c ops.Caller) (status int, body any, err error)

// live is a body that answers by itself as it goes (a streamed turn); fail answers an error
// before anything was written.
type live func(w http.ResponseWriter, fail func(error))

// events is a body answered as server-sent events.
type events []event

type event struct {
	name string
	data any
}

// handle binds op to a route: the shared gate resolves the key (Authorization: Bearer or
// X-API-Key) and applies the per-key rate limit, the operation's access rule runs before the
// body is read, and the answer or the error is rendered in the route's shape.
func (a *API) handle(rt *httpapi.Router, op ops.Op, sh shape, route httpapi.Op, h handlerFunc) {
	d := op.Desc()
	route.ErrBody, route.Operation = errSchemas[sh], d.Name
	route.Auth = httpapi.AuthOf(d.Access)
	route.KeyHeader = sh == sdkShape && route.Auth != httpapi.AuthNone
	if route.Tag == "" {
		route.Tag = "personas"
	}
	if route.Summary == "" {
		route.Summary = d.Summary
	}
	route.Errors = append(route.Errors, statusesOf(d)...)
	route.Handler = func(w http.ResponseWriter, r *http.Request) {
		if err := httpapi.CheckRequestText(r); err != nil {
			a.fail(w, r, sh, err)
			return
		}
		c, err := a.Gate.Resolve(r.Context(), httpapi.BearerKey(r), "rest", httpapi.ClientAddr(r))
		if err == nil {
			err = ops.Check(d, c)
		}
		if err != nil {
			a.fail(w, r, sh, err)
			return
		}
		// A client's language-model keys (X-LLM-*) ride on the request's context for this
		// request only: never stored, never logged.
		if k := llm.KeysFromHeader(r.Header); k != (llm.Keys{}) {
			r = r.WithContext(llm.WithKeys(r.Context(), k))
		}
		status, body, err := h(r, c)
		if f, ok := body.(live); ok {
			f(w, func(err error) { a.fail(w, r, sh, err) })
			return
		}
		if err != nil {
			a.fail(w, r, sh, err)
			return
		}
		if ev, ok := body.(events); ok {
			writeEvents(w, ev)
			return
		}
		if status == 0 {
			status = http.StatusOK
		}
		httpapi.WriteJSON(w, status, body)
	}
	rt.Handle(route)
}

// Register adds every persona route to rt.
func (a *API) Register(rt *httpapi.Router) {
	rt.OnMiss("/api/v1/personas", miss(detailShape))
	rt.OnMiss("/api/v1/creator/", miss(detailShape))
	rt.OnMiss("/api/v1/sdk/", miss(sdkShape))
	rt.OnMiss("/api/v1/chat/", miss(sdkShape))
	rt.OnMiss("/api/v1/auth/", miss(detailShape))
	a.registerPersonas(rt)
	a.registerAuth(rt)
	a.registerPlay(rt)
}

// boolParam reads an optional boolean query parameter.
func boolParam(r *http.Request, name string, def bool) (bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(strings.ToLower(s))
	if err != nil {
		return false, errs.Invalid(name, "must be true or false")
	}
	return b, nil
}

// intParam reads an optional integer query parameter within [lo, hi].
func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, errs.Invalid(name, "must be an integer from %d to %d", lo, hi)
	}
	return n, nil
}

// optional is nil for "".
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

var (
	pidParam   = httpapi.Param{Name: "persona_id", In: "path", Required: true, Description: "the persona's id (a shipped example's id is its slug, e.g. merchant-kael)"}
	usidParam  = httpapi.Param{Name: "user_session_id", Required: true, Description: "your game's id for this player (the player is your API key's account plus this id)"}
	machineOpt = httpapi.Param{Name: "machine_id", Description: "the machine's machine_key; absent: the current machine (the primary one before any)"}
	personaOpt = httpapi.Param{Name: "persona_id", Description: "update this persona; absent: create one"}
	personaReq = httpapi.Param{Name: "persona_id", Required: true, Description: "the persona"}
	publicOnly = httpapi.Param{Name: "public_only", Type: "boolean", Description: "only published personas (default true)"}
	myPersonas = httpapi.Param{Name: "my_personas", Type: "boolean", Description: "only the caller's own personas (needs the key)"}
	limitParam = httpapi.Param{Name: "limit", Type: "integer", Description: "at most this many (default 20, max 100)"}
)
