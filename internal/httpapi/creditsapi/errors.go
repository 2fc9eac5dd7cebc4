package creditsapi

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
)

// statusOf is the one table from domain error kinds to this surface's HTTP status and error code
// (spec 000: e.g. 400 VALIDATION_ERROR, 400 INSUFFICIENT_BALANCE, 429 FAUCET_COOLDOWN).
var statusOf = httpapi.StatusTable{
	errs.Internal:            {Status: http.StatusInternalServerError, Code: "INTERNAL_ERROR"},
	errs.Validation:          {Status: http.StatusBadRequest, Code: "VALIDATION_ERROR"},
	errs.Unauthorized:        {Status: http.StatusUnauthorized, Code: "UNAUTHORIZED"},
	errs.Forbidden:           {Status: http.StatusForbidden, Code: "FORBIDDEN"},
	errs.NotFound:            {Status: http.StatusNotFound, Code: "NOT_FOUND"},
	errs.Conflict:            {Status: http.StatusConflict, Code: "CONFLICT"},
	errs.InsufficientBalance: {Status: http.StatusBadRequest, Code: "INSUFFICIENT_BALANCE"},
	errs.RateLimited:         {Status: http.StatusTooManyRequests, Code: "RATE_LIMITED"},
	errs.Locked:              {Status: http.StatusLocked, Code: "LOCKED"},
	errs.PaymentRequired:     {Status: http.StatusPaymentRequired, Code: "PAYMENT_REQUIRED"},
	errs.Unavailable:         {Status: http.StatusServiceUnavailable, Code: "SERVICE_UNAVAILABLE"},
	errs.TooLarge:            {Status: http.StatusRequestEntityTooLarge, Code: "PAYLOAD_TOO_LARGE"},
}

// errorBody is the envelope's failure shape: {success:false, error:CODE, message, field?, ...}.
func errorBody(log *slog.Logger, r *http.Request, err error) (int, map[string]any) {
	e := errs.As(err)
	if e == nil || e.Kind == errs.Internal {
		log.Error("internal error", "request_id", httpapi.RequestID(r.Context()), "route", r.Pattern, "err", err)
		return http.StatusInternalServerError, map[string]any{"success": false, "error": "INTERNAL_ERROR",
			"message": "internal error; retry later", "request_id": httpapi.RequestID(r.Context())}
	}
	m := statusOf[e.Kind]
	code := m.Code
	if e.Code != "" {
		code = e.Code
	}
	body := map[string]any{"success": false, "error": code}
	msg := e.Message
	if e.Field != "" {
		body["field"] = e.Field
		msg = e.Field + ": " + msg
	}
	if msg != "" {
		body["message"] = msg
	}
	if e.Kind == errs.Unauthorized {
		body["recovery_url"] = "/api/auth/guest"
		body["llm_guidance"] = "Send Authorization: Bearer <API key>. Get a key with POST /api/auth/guest (no auth) or POST /api/me/api-key."
	}
	for k, v := range e.Data {
		body[k] = v
	}
	if len(e.Data) > 0 {
		body["data"] = e.Data
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

// errSchema documents the failure body.
var errSchema = map[string]any{"type": "object", "required": []string{"success", "error"}, "properties": map[string]any{
	"success": map[string]any{"const": false},
	"error":   map[string]any{"type": "string", "description": "machine-readable code, e.g. VALIDATION_ERROR, INSUFFICIENT_BALANCE, UNAUTHORIZED"},
	"message": map[string]any{"type": "string"},
	"field":   map[string]any{"type": "string", "description": "the request field at fault, for VALIDATION_ERROR"},
}}

// wrap documents the success envelope around a data schema.
func wrap(data map[string]any) map[string]any {
	return map[string]any{"type": "object", "required": []string{"success"}, "properties": map[string]any{
		"success": map[string]any{"const": true}, "data": data}}
}

// statusesOf documents the statuses an operation's error kinds answer with on this surface.
func statusesOf(d *ops.Desc) []int { return statusOf.Documented(d.AllErrors()) }

// StatusOf is this surface's status for an error kind (for the completeness test).
func StatusOf(k errs.Kind) (int, bool) { return statusOf.StatusOf(k) }
