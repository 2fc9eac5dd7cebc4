// Package httpapi holds what every HTTP surface shares: the operation registry from which routes
// and /openapi.json are both derived, request decoding, per-request logging, metrics and request
// ids, draining, and the health probes. Each surface (creditsapi for /api, later the x402, poker
// and persona surfaces) declares its operations and maps domain errors to its own shape in one
// place.
package httpapi

import (
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Auth says how an operation authenticates its caller.
type Auth int

const (
	AuthNone   Auth = iota // public
	AuthBearer             // Authorization: Bearer <api key>
	AuthAdmin              // bearer key of the platform account
)

// Param documents a query or path parameter.
type Param struct {
	Name        string
	In          string // "query" (default) or "path" or "header"
	Type        string // "string" (default), "integer", "boolean", "number"
	Required    bool
	Description string
	Enum        []string
}

// Op is one HTTP operation: the single declaration from which the route is served and documented.
type Op struct {
	Method      string
	Path        string // net/http pattern path, e.g. "/api/me/rounds/{id}"
	ID          string // OpenAPI operationId
	Summary     string
	Description string
	Tag         string
	Auth        Auth
	Params      []Param
	Body        any // a value of the request body type, or nil
	Resp        any // a value of the success body type (inside the surface's envelope), or nil
	RespStatus  int // default 200
	RespType    string
	Errors      []int // documented error statuses
	// Wrap turns the reflected response schema into the surface's full body schema (the /api
	// envelope); nil leaves it as is.
	Wrap    func(data map[string]any) map[string]any
	ErrBody map[string]any // schema of the surface's error body
	// Heavy marks CPU-heavy work (simulations, long strategy runs): at most SetHeavyLimit of
	// them run at once; past it they answer 503 with Retry-After (documented automatically).
	Heavy   bool
	Handler http.HandlerFunc
}

// Router serves and records operations. Every route the server answers is registered here, so
// the OpenAPI document can never miss one.
type Router struct {
	mux     *http.ServeMux
	ops     []Op
	log     *slog.Logger
	metrics *Metrics
	heavy   chan struct{} // slots for Heavy ops (nil: unbounded)
}

// NewRouter returns an empty router.
func NewRouter(log *slog.Logger, m *Metrics) *Router {
	return &Router{mux: http.NewServeMux(), log: log, metrics: m}
}

// Handle registers op. It panics on a malformed or duplicate pattern, a programming error that
// the first test run catches.
func (rt *Router) Handle(op Op) {
	if op.Method == "" || !strings.HasPrefix(op.Path, "/") || op.Handler == nil || op.ID == "" {
		panic("httpapi: incomplete op " + op.Method + " " + op.Path)
	}
	pattern := op.Method + " " + op.Path
	h := op.Handler
	if op.Heavy {
		h = rt.bounded(h)
		if !slices.Contains(op.Errors, http.StatusServiceUnavailable) {
			op.Errors = append(slices.Clone(op.Errors), http.StatusServiceUnavailable)
		}
	}
	rt.mux.Handle(pattern, rt.instrument(pattern, h))
	rt.ops = append(rt.ops, op)
}

// Ops returns the registered operations sorted by path and method.
func (rt *Router) Ops() []Op {
	out := append([]Op(nil), rt.ops...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Patterns lists every pattern handed to the mux.
func (rt *Router) Patterns() []string {
	var out []string
	for _, op := range rt.ops {
		out = append(out, op.Method+" "+op.Path)
	}
	sort.Strings(out)
	return out
}

// ServeHTTP serves the registered routes. Unknown paths get a JSON 404 rather than the mux's
// plain text, in the shape of the surface the path belongs to.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt.mux.ServeHTTP(w, r)
}
