package v1api

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
)

// statusOf is the one table from domain error kinds to this surface's status and error code.
// Spec 001 documents 402 (the x402 body, answered by paymentRequired), 403, 404, 409 (a replayed
// nonce) and 423 (an active seed); its other failures share the same {error, message, field?}
// shape.
var statusOf = httpapi.StatusTable{
	errs.Internal:            {Status: http.StatusInternalServerError, Code: "internal_error"},
	errs.Validation:          {Status: http.StatusBadRequest, Code: "invalid_request"},
	errs.Unauthorized:        {Status: http.StatusUnauthorized, Code: "unauthorized"},
	errs.Forbidden:           {Status: http.StatusForbidden, Code: "forbidden"},
	errs.NotFound:            {Status: http.StatusNotFound, Code: "not_found"},
	errs.Conflict:            {Status: http.StatusConflict, Code: "conflict"},
	errs.InsufficientBalance: {Status: http.StatusBadRequest, Code: "insufficient_balance"},
	errs.RateLimited:         {Status: http.StatusTooManyRequests, Code: "rate_limited"},
	errs.Locked:              {Status: http.StatusLocked, Code: "locked"},
	errs.PaymentRequired:     {Status: http.StatusPaymentRequired, Code: "payment_required"},
	errs.Unavailable:         {Status: http.StatusServiceUnavailable, Code: "unavailable"},
	errs.TooLarge:            {Status: http.StatusRequestEntityTooLarge, Code: "payload_too_large"},
}

// errorBody renders err: {error: code, message, field?}; internal causes are logged, not shown.
func errorBody(log *slog.Logger, r *http.Request, err error) (int, map[string]any) {
	e := errs.As(err)
	if e == nil || e.Kind == errs.Internal {
		log.Error("internal error", "request_id", httpapi.RequestID(r.Context()), "route", r.Pattern, "err", err)
		return http.StatusInternalServerError, map[string]any{"error": "internal_error", "message": "internal error; retry later",
			"request_id": httpapi.RequestID(r.Context())}
	}
	m := statusOf[e.Kind]
	code := m.Code
	if e.Kind == errs.Conflict && e.Field == "nonce" {
		code = "nonce_replay"
	}
	body := map[string]any{"error": code}
	msg := e.Message
	if e.Field != "" {
		body["field"] = e.Field
		msg = e.Field + ": " + msg
	}
	if msg != "" {
		body["message"] = msg
	}
	return m.Status, body
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := errorBody(a.Log, r, err)
	if e := errs.As(err); e != nil && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+999_999_999)/1_000_000_000)))
	}
	httpapi.WriteJSON(w, status, body)
}

// miss answers an unknown /api/v1 path or a wrong method in this surface's shape.
func miss(w http.ResponseWriter, r *http.Request, status int, allow []string) {
	body := map[string]any{"error": "not_found", "message": "no route " + r.Method + " " + r.URL.Path,
		"hint": "GET /api/v1/games lists the games (free); GET /openapi.json lists every route"}
	if status == http.StatusMethodNotAllowed {
		body["error"] = "method_not_allowed"
		body["message"] = r.Method + " is not allowed on " + r.URL.Path
		body["allow"] = allow
	}
	httpapi.WriteJSON(w, status, body)
}

var errSchema = map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{
	"error":   map[string]any{"type": "string", "description": "machine-readable code: invalid_request, not_found, forbidden, nonce_replay, locked, ..."},
	"message": map[string]any{"type": "string"},
	"field":   map[string]any{"type": "string", "description": "the request field at fault"},
}}

// statusesOf documents the statuses an operation's error kinds answer with on this surface.
func statusesOf(d *ops.Desc) []int { return statusOf.Documented(d.AllErrors()) }

// StatusOf is this surface's status for an error kind (for the completeness test).
func StatusOf(k errs.Kind) (int, bool) { return statusOf.StatusOf(k) }
