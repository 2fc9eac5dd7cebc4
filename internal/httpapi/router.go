// Package httpapi holds what every HTTP surface shares: the router whose routes bind registry
// operations (internal/ops) and from which /openapi.json is derived, request decoding, per-request logging, metrics and request
// ids, draining, and the health probes. Each surface (creditsapi for /api, later the x402, poker
// and persona surfaces) declares its operations and maps domain errors to its own shape in one
// place.
package httpapi

import (
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/arcadehq/arcade/internal/ops"
)

// Auth says how an operation authenticates its caller.
type Auth int

const (
	AuthNone    Auth = iota // public
	AuthBearer              // Authorization: Bearer <api key>
	AuthAdmin               // bearer key of the platform account
	AuthSession             // the siwe-session cookie (Sign-In With Ethereum)
)

// AuthOf is the HTTP auth an operation's access rule needs.
func AuthOf(a ops.Access) Auth {
	switch a {
	case ops.Player:
		return AuthBearer
	case ops.Platform:
		return AuthAdmin
	case ops.Session:
		return AuthSession
	}
	return AuthNone
}

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
	Method string
	Path   string // net/http pattern path, e.g. "/api/me/rounds/{id}"
	ID     string // OpenAPI operationId
	// Operation is the registry operation this route binds ("" for the server's own routes:
	// health, metrics, documents).
	Operation   string
	Summary     string
	Description string
	Tag         string
	Auth        Auth
	// KeyHeader documents that the key may come in X-API-Key instead of Authorization: Bearer
	// (the persona SDK sends it so; BearerKey reads both everywhere).
	KeyHeader  bool
	Params     []Param
	Body       any // a value of the request body type, or nil
	Resp       any // a value of the success body type (inside the surface's envelope), or nil
	RespStatus int // default 200
	RespType   string
	Errors     []int // documented error statuses
	// Wrap turns the reflected response schema into the surface's full body schema (the /api
	// envelope); nil leaves it as is.
	Wrap    func(data map[string]any) map[string]any
	ErrBody map[string]any // schema of the surface's error body
	// ErrBodies overrides ErrBody for some statuses (the x402 body of a 402).
	ErrBodies map[int]map[string]any
	// Extensions are merged into the operation object as OpenAPI x- fields (x-payment-info).
	Extensions map[string]any
	// Heavy marks CPU-heavy work (simulations, long strategy runs): at most SetHeavyLimit of
	// them run at once; past it they answer 503 with Retry-After (documented automatically).
	Heavy   bool
	Handler http.HandlerFunc
}

// Router serves and records operations. Every route the server answers is registered here, so
// the OpenAPI document can never miss one.
type Router struct {
	mux       *http.ServeMux
	ops       []Op
	log       *slog.Logger
	metrics   *Metrics
	fallbacks []fallback
	unmatched http.Handler
	types     map[reflect.Type]*jsonschema.Schema
	heavy     chan struct{} // slots for Heavy ops (nil: unbounded)
}

// Miss renders a request no route matched, in a surface's own error shape: status is 404, or 405
// with allow listing the methods the path has.
type Miss func(w http.ResponseWriter, r *http.Request, status int, allow []string)

type fallback struct {
	prefix string
	miss   Miss
}

// NewRouter returns an empty router.
func NewRouter(log *slog.Logger, m *Metrics) *Router {
	rt := &Router{mux: http.NewServeMux(), log: log, metrics: m}
	rt.unmatched = rt.instrument("unmatched", http.HandlerFunc(rt.miss))
	// The catch-all: every request no route matches (wrong path or wrong method) lands here and
	// is answered in its surface's shape. Any method-and-path pattern is more specific.
	rt.mux.Handle("/", rt.unmatched)
	return rt
}

// OnMiss makes requests under prefix that match no route answer through miss (the longest prefix
// wins; the default is a plain JSON error).
func (rt *Router) OnMiss(prefix string, miss Miss) {
	rt.fallbacks = append(rt.fallbacks, fallback{prefix, miss})
}

var methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

func (rt *Router) miss(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range methods {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := rt.mux.Handler(probe); p != "" && p != "/" {
			allow = append(allow, m)
		}
	}
	status := http.StatusNotFound
	if len(allow) > 0 {
		status = http.StatusMethodNotAllowed
		w.Header().Set("Allow", strings.Join(allow, ", "))
	}
	best := fallback{miss: defaultMiss}
	for _, f := range rt.fallbacks {
		if strings.HasPrefix(r.URL.Path, f.prefix) && len(f.prefix) >= len(best.prefix) {
			best = f
		}
	}
	best.miss(w, r, status, allow)
}

func defaultMiss(w http.ResponseWriter, r *http.Request, status int, allow []string) {
	body := map[string]any{"error": strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_")),
		"message": r.Method + " " + r.URL.Path + ": " + strings.ToLower(http.StatusText(status)),
		"hint":    "GET /openapi.json lists every route; GET / says where to start"}
	if len(allow) > 0 {
		body["allow"] = allow
	}
	WriteJSON(w, status, body)
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

// ServeHTTP serves the registered routes. Unknown paths and wrong methods get a JSON 404 or 405
// in the shape of the surface the path belongs to (OnMiss), never the mux's plain text.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt.mux.ServeHTTP(w, r)
}

// Match returns the operation that serves r, if any route does.
func (rt *Router) Match(r *http.Request) (Op, bool) {
	_, pattern := rt.mux.Handler(r)
	for _, op := range rt.ops {
		if op.Method+" "+op.Path == pattern {
			return op, true
		}
	}
	return Op{}, false
}
