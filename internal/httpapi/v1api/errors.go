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
var statusOf = map[errs.Kind]struct {
	status int
	code   string
}{
	errs.Internal:            {http.StatusInternalServerError, "internal_error"},
	errs.Validation:          {http.StatusBadRequest, "invalid_request"},
	errs.Unauthorized:        {http.StatusUnauthorized, "unauthorized"},
	errs.Forbidden:           {http.StatusForbidden, "forbidden"},
	errs.NotFound:            {http.StatusNotFound, "not_found"},
	errs.Conflict:            {http.StatusConflict, "conflict"},
	errs.InsufficientBalance: {http.StatusBadRequest, "insufficient_balance"},
	errs.RateLimited:         {http.StatusTooManyRequests, "rate_limited"},
	errs.Locked:              {http.StatusLocked, "locked"},
	errs.PaymentRequired:     {http.StatusPaymentRequired, "payment_required"},
	errs.Unavailable:         {http.StatusServiceUnavailable, "unavailable"},
	errs.TooLarge:            {http.StatusRequestEntityTooLarge, "payload_too_large"},
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
	code := m.code
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
	return m.status, body
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
func statusesOf(d *ops.Desc) []int {
	var out []int
	for _, k := range d.AllErrors() {
		if m, ok := statusOf[k]; ok {
			out = append(out, m.status)
		}
	}
	return out
}

// StatusOf is this surface's status for an error kind (for the completeness test).
func StatusOf(k errs.Kind) (int, bool) {
	m, ok := statusOf[k]
	return m.status, ok
}
