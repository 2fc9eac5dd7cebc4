// Package playpage is the browser surface of personas: GET /play/{persona_id}, the play link that
// publish answers, renders a chat page (html/template) on which a person plays the persona, with
// the score, the current state and the machines it has unlocked in view. The page's small script
// talks to the web chat routes (/api/v1/chat/{persona_id}/…) and the progress route with an API
// key it keeps in the browser: a visitor without an account gets a guest one from POST
// /api/auth/guest on first visit. The CSS and the script are embedded in the binary; nothing is
// built.
//
// Who may open a page: a public persona (the shipped examples included) is open to anyone; an
// unpublished one only to its owner, recognised by the key the page keeps in the arcade_key cookie
// (Path=/play, SameSite=Strict), and 404 to everyone else, so its existence does not leak.
package playpage

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/service"
)

//go:embed assets
var assets embed.FS

// KeyCookie carries the page's API key on navigation to /play/… (the script sets it; requests to
// the API send the key in Authorization instead, so no API route reads this cookie).
const KeyCookie = "arcade_key"

// CSP allows the page its own script, style and API calls and nothing else: no inline script or
// style, no framing, no other origin.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

var pages = template.Must(template.ParseFS(assets, "assets/*.html"))

// Page serves the play page.
type Page struct {
	Ops  *service.Ops
	Gate *ops.Gate
	Log  *slog.Logger
}

// Machine is a machine as the page shows it.
type Machine struct {
	Key         string            `json:"key"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	ScoringMode string            `json:"scoring_mode"`
	Threshold   int               `json:"pass_threshold"`
	FailBound   int               `json:"early_fail_bound"`
	States      map[string]string `json:"states"` // state_key → label
}

// View is what the page template renders; Data goes to the script as JSON.
type View struct {
	Name, Description string
	Unpublished       bool
	Example           bool
	Machines          []Machine
	Data              Data
}

// Data is the JSON the script reads from the page.
type Data struct {
	PersonaID string    `json:"persona_id"`
	Name      string    `json:"name"`
	Primary   string    `json:"primary"`
	Machines  []Machine `json:"machines"`
}

// Register adds the page and its assets.
func (p *Page) Register(rt *httpapi.Router) {
	rt.Handle(httpapi.Op{Method: "GET", Path: "/play/{persona_id}", ID: "playPage", Tag: "personas", Operation: "persona.get",
		Summary: "The chat page of a persona (its play link): play it in a browser.",
		Description: "HTML. Public personas for anyone (the page obtains a guest key with POST /api/auth/guest and keeps it in " +
			"the browser); an unpublished persona for its owner only (the key in the arcade_key cookie), 404 otherwise.",
		Resp: "", RespType: "text/html", Errors: []int{http.StatusNotFound}, Handler: p.serve})
	rt.Handle(httpapi.Op{Method: "GET", Path: "/play/assets/{file}", ID: "playAsset", Tag: "personas",
		Summary: "The play page's stylesheet (play.css) and script (play.js).", Resp: "", RespType: "text/plain",
		Errors: []int{http.StatusNotFound}, Handler: serveAsset})
}

func securityHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

var assetTypes = map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	name := r.PathValue("file")
	typ, ok := assetTypes[path.Ext(name)]
	b, err := assets.ReadFile("assets/" + name)
	if !ok || strings.ContainsAny(name, "/\\") || err != nil {
		render(w, http.StatusNotFound, "notfound.html", nil)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(b)
}

// caller is the cookie's key holder, or anonymous when there is none or it is not a valid key
// (the script then gets a fresh guest key).
func (p *Page) caller(r *http.Request) ops.Caller {
	key := httpapi.BearerKey(r)
	if ck, err := r.Cookie(KeyCookie); key == "" && err == nil {
		key = ck.Value
	}
	c, err := p.Gate.Resolve(r.Context(), key, "web", httpapi.ClientAddr(r))
	if err != nil {
		return ops.Caller{Via: "web", Addr: httpapi.ClientAddr(r)}
	}
	return c
}

func (p *Page) serve(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w)
	w.Header().Set("Cache-Control", "no-store")
	st, err := p.Ops.Get.Invoke(r.Context(), p.caller(r), service.ByID{ID: r.PathValue("persona_id")})
	if err != nil {
		status := http.StatusInternalServerError
		switch errs.KindOf(err) {
		case errs.NotFound, errs.Validation:
			status = http.StatusNotFound
		default:
			p.Log.Error("play page", "persona_id", r.PathValue("persona_id"), "err", err)
		}
		render(w, status, "notfound.html", nil)
		return
	}
	render(w, http.StatusOK, "play.html", viewOf(st))
}

func viewOf(st service.Stored) View {
	v := View{Name: st.Name, Description: st.Description, Unpublished: !st.IsPublic, Example: st.Example}
	for _, m := range st.Machines {
		pm := Machine{Key: m.MachineKey, Name: m.Name, Description: m.Description, ScoringMode: m.ScoringMode,
			Threshold: persona.DefaultPassThreshold, FailBound: persona.DefaultEarlyFailBound, States: map[string]string{}}
		if pm.ScoringMode == "" {
			pm.ScoringMode = persona.ScoringMode
		}
		if m.PassThreshold != nil {
			pm.Threshold = *m.PassThreshold
		}
		if m.EarlyFailBound != nil {
			pm.FailBound = *m.EarlyFailBound
		}
		for _, s := range m.States {
			pm.States[s.StateKey] = s.Label
		}
		v.Machines = append(v.Machines, pm)
	}
	v.Data = Data{PersonaID: st.ID, Name: st.Name, Machines: v.Machines}
	if pr := st.Definition.Primary(); pr != nil {
		v.Data.Primary = pr.MachineKey
	}
	return v
}

func render(w http.ResponseWriter, status int, name string, v any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, v); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
