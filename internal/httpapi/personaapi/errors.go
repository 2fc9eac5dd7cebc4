package personaapi

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
)

// statusOf is the one table from domain error kinds to this surface's HTTP status and code.
// Validation is 422 (the real system answers FastAPI's 422 for a bad body).
var statusOf = httpapi.StatusTable{
	errs.Internal:            {Status: http.StatusInternalServerError, Code: "INTERNAL_ERROR"},
	errs.Validation:          {Status: http.StatusUnprocessableEntity, Code: "VALIDATION_ERROR"},
	errs.Unauthorized:        {Status: http.StatusUnauthorized, Code: "UNAUTHORIZED"},
	errs.Forbidden:           {Status: http.StatusForbidden, Code: "FORBIDDEN"},
	errs.NotFound:            {Status: http.StatusNotFound, Code: "NOT_FOUND"},
	errs.Conflict:            {Status: http.StatusConflict, Code: "CONFLICT"},
	errs.InsufficientBalance: {Status: http.StatusPaymentRequired, Code: "INSUFFICIENT_BALANCE"},
	errs.RateLimited:         {Status: http.StatusTooManyRequests, Code: "RATE_LIMITED"},
	errs.Locked:              {Status: http.StatusLocked, Code: "LOCKED"},
	errs.PaymentRequired:     {Status: http.StatusPaymentRequired, Code: "PAYMENT_REQUIRED"},
	errs.Unavailable:         {Status: http.StatusServiceUnavailable, Code: "SERVICE_UNAVAILABLE"},
	errs.TooLarge:            {Status: http.StatusRequestEntityTooLarge, Code: "PAYLOAD_TOO_LARGE"},
}

// shape is which error body a route answers with.
type shape int

const (
	// detailShape: spec 003's web and creator routes, {"detail": "...", "code", "field", "errors"}.
	detailShape shape = iota
	// sdkShape: the play API, {"error": {"message", "code", "field", "errors"}}, as its SDK reads it.
	sdkShape
)

// problem renders err: status and body in the route's shape. Internal causes are logged, never shown.
func problem(log *slog.Logger, r *http.Request, sh shape, err error) (int, any) {
	e := errs.As(err)
	status, fields := http.StatusInternalServerError, map[string]any{}
	msg := "internal error; retry later"
	if e == nil || e.Kind == errs.Internal {
		log.Error("internal error", "request_id", httpapi.RequestID(r.Context()), "route", r.Pattern, "err", err)
		fields["code"], fields["request_id"] = "INTERNAL_ERROR", httpapi.RequestID(r.Context())
	} else {
		m := statusOf[e.Kind]
		status, fields["code"], msg = m.Status, m.Code, e.Message
		if e.Code != "" {
			fields["code"] = e.Code
		}
		if e.Field != "" {
			fields["field"] = e.Field
			msg = e.Field + ": " + msg
		}
		if list, ok := e.Data["errors"]; ok {
			fields["errors"] = list
		}
		if e.Kind == errs.Unauthorized {
			msg += " (get a key with POST /api/auth/guest)"
		}
	}
	if sh == sdkShape {
		fields["message"] = msg
		return status, map[string]any{"error": fields}
	}
	fields["detail"] = msg
	return status, fields
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, sh shape, err error) {
	status, body := problem(a.Log, r, sh, err)
	if e := errs.As(err); e != nil && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+999_999_999)/1_000_000_000)))
	}
	httpapi.WriteJSON(w, status, body)
}

// errSchemas document the two error bodies.
var errSchemas = map[shape]map[string]any{
	detailShape: {"type": "object", "required": []string{"detail"}, "properties": map[string]any{
		"detail": map[string]any{"type": "string", "description": "what went wrong; for validation, prefixed by the JSON path at fault"},
		"code":   map[string]any{"type": "string"},
		"field":  map[string]any{"type": "string", "description": "the JSON path at fault, e.g. machines[1].transitions[3].to_state_key"},
		"errors": map[string]any{"type": "array", "description": "every validation problem as {path, message}"},
	}},
	sdkShape: {"type": "object", "required": []string{"error"}, "properties": map[string]any{
		"error": map[string]any{"type": "object", "required": []string{"message"}, "properties": map[string]any{
			"message": map[string]any{"type": "string"},
			"code":    map[string]any{"type": "string"},
			"field":   map[string]any{"type": "string"},
			"errors":  map[string]any{"type": "array"},
		}},
	}},
}

// statusesOf documents the statuses an operation's error kinds answer with on this surface.
func statusesOf(d *ops.Desc) []int { return statusOf.Documented(d.AllErrors()) }

// StatusOf is this surface's status for an error kind (for the completeness test).
func StatusOf(k errs.Kind) (int, bool) { return statusOf.StatusOf(k) }

// miss answers an unknown path under this surface's prefixes in the surface's shape.
func miss(sh shape) httpapi.Miss {
	return func(w http.ResponseWriter, r *http.Request, status int, allow []string) {
		msg := "no route " + r.Method + " " + r.URL.Path + " (GET /openapi.json lists every route)"
		code := "NOT_FOUND"
		if status == http.StatusMethodNotAllowed {
			msg, code = r.Method+" is not allowed on "+r.URL.Path, "METHOD_NOT_ALLOWED"
		}
		fields := map[string]any{"code": code}
		if len(allow) > 0 {
			fields["allow"] = allow
		}
		if sh == sdkShape {
			fields["message"] = msg
			httpapi.WriteJSON(w, status, map[string]any{"error": fields})
			return
		}
		fields["detail"] = msg
		httpapi.WriteJSON(w, status, fields)
	}
}
