package pokerapi

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
)

// statusOf is the one table from domain error kinds to spec 002's statuses. Validation is 422
// (FastAPI's answer to a bad body or query), except on the payment routes, whose document says
// 400 (see badRequest).
var statusOf = httpapi.StatusTable{
	errs.Internal:            {Status: http.StatusInternalServerError, Code: "internal_error"},
	errs.Validation:          {Status: http.StatusUnprocessableEntity, Code: "validation_error"},
	errs.Unauthorized:        {Status: http.StatusUnauthorized, Code: "unauthorized"},
	errs.Forbidden:           {Status: http.StatusForbidden, Code: "forbidden"},
	errs.NotFound:            {Status: http.StatusNotFound, Code: "not_found"},
	errs.Conflict:            {Status: http.StatusConflict, Code: "conflict"},
	errs.InsufficientBalance: {Status: http.StatusPaymentRequired, Code: "insufficient_funds"},
	errs.RateLimited:         {Status: http.StatusTooManyRequests, Code: "rate_limited"},
	errs.Locked:              {Status: http.StatusLocked, Code: "locked"},
	errs.PaymentRequired:     {Status: http.StatusPaymentRequired, Code: "payment_required"},
	errs.Unavailable:         {Status: http.StatusServiceUnavailable, Code: "service_unavailable"},
	errs.TooLarge:            {Status: http.StatusRequestEntityTooLarge, Code: "payload_too_large"},
}

// StatusOf is this surface's status for an error kind (for the completeness test).
func StatusOf(k errs.Kind) (int, bool) { return statusOf.StatusOf(k) }

// statusesOf documents the statuses an operation's error kinds answer with on a route.
func statusesOf(d *ops.Desc, badRequest bool) []int {
	out := statusOf.Documented(d.AllErrors())
	if badRequest {
		for i, s := range out {
			if s == http.StatusUnprocessableEntity {
				out[i] = http.StatusBadRequest
			}
		}
	}
	return out
}

// Problem is spec 002's error body: detail, plus Arcade's machine-readable code and the field
// at fault (a bot reading only detail is unaffected).
type Problem struct {
	Detail    string `json:"detail"`
	Code      string `json:"code,omitempty"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

var errSchema = map[string]any{"type": "object", "required": []string{"detail"}, "properties": map[string]any{
	"detail":     map[string]any{"type": "string", "description": "what went wrong; for bad input, prefixed by the field at fault"},
	"code":       map[string]any{"type": "string"},
	"field":      map[string]any{"type": "string", "description": "the field or parameter at fault"},
	"request_id": map[string]any{"type": "string"},
}}

// problem renders err. Internal causes are logged, never shown.
func problem(log *slog.Logger, r *http.Request, err error, badRequest bool) (int, Problem) {
	e := errs.As(err)
	if e == nil || e.Kind == errs.Internal {
		log.Error("internal error", "request_id", httpapi.RequestID(r.Context()), "route", r.Pattern, "err", err)
		return http.StatusInternalServerError, Problem{Detail: "internal error; retry later", Code: "internal_error",
			RequestID: httpapi.RequestID(r.Context())}
	}
	m := statusOf[e.Kind]
	p := Problem{Detail: e.Message, Code: m.Code, Field: e.Field}
	if e.Code != "" {
		p.Code = e.Code
	}
	if e.Field != "" {
		p.Detail = e.Field + ": " + e.Message
	}
	status := m.Status
	if badRequest && e.Kind == errs.Validation {
		status = http.StatusBadRequest
	}
	return status, p
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error, badRequest bool) {
	status, body := problem(a.Log, r, err, badRequest)
	if e := errs.As(err); e != nil && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+999_999_999)/1_000_000_000)))
	}
	httpapi.WriteJSON(w, status, body)
}

// miss answers an unknown path or method under /poker/api in the {detail} shape.
func miss(w http.ResponseWriter, r *http.Request, status int, allow []string) {
	p := Problem{Detail: "no route " + r.Method + " " + r.URL.Path + " (GET /openapi.json lists every route)", Code: "not_found"}
	if status == http.StatusMethodNotAllowed {
		p = Problem{Detail: r.Method + " is not allowed on " + r.URL.Path, Code: "method_not_allowed"}
		if len(allow) > 0 {
			w.Header().Set("Allow", joinAllow(allow))
		}
	}
	httpapi.WriteJSON(w, status, p)
}

func joinAllow(allow []string) string {
	s := ""
	for i, m := range allow {
		if i > 0 {
			s += ", "
		}
		s += m
	}
	return s
}
