// Package startapi is where an agent with nothing but Arcade's base URL starts: GET / and GET /api
// answer (JSON, or Markdown by Accept) with the one call that gets a key and the quickstart, the
// tools endpoint, MCP, the guide and the OpenAPI document; the agent guide itself is served at
// /agent-skill.md and in the Agent Skills discovery formats under /.well-known/. Everything is
// generated from the tool set and the configured limits, so it cannot drift from what the API
// enforces.
package startapi

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"

	"github.com/arcadehq/arcade/internal/guide"
	"github.com/arcadehq/arcade/internal/httpapi"
)

// Step is one call of the quickstart, exact enough for a program to make it.
type Step struct {
	Method string         `json:"method"`
	Path   string         `json:"path"`
	Auth   bool           `json:"auth" jsonschema:"description=send Authorization: Bearer <the apiKey of step 1>"`
	Body   map[string]any `json:"body,omitempty"`
	Why    string         `json:"why"`
	Yields string         `json:"yields,omitempty"`
}

// Start is GET / and GET /api's JSON.
type Start struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Quickstart  []Step            `json:"quickstart"`
	Links       map[string]string `json:"links"`
	Limits      any               `json:"limits"`
	Auth        string            `json:"auth"`
}

// Site serves the start documents.
type Site struct {
	BaseURL string // "" uses each request's origin
	Tools   func() []guide.Tool
	Limits  func() any
	// X402 lists the payable resources with their offers for skill.json (nil: none); it comes
	// from the same routes and price table as the 402 answers.
	X402 func(r *http.Request) any
	// Skills are further agent skills, served at /.well-known/agent-skills/<name>/SKILL.md and
	// listed in the index with their digests.
	Skills []Skill
}

// Skill is one more agent skill: its SKILL.md is generated per request origin.
type Skill struct {
	Name, Description string
	Markdown          func(r *http.Request) string
}

var quickstart = []Step{
	{Method: "POST", Path: "/api/auth/guest", Why: "create an account; the answer's data.apiKey is your API key, shown once", Yields: "data.apiKey"},
	{Method: "POST", Path: "/api/faucet", Auth: true, Why: "claim 100 Free Credits (once an hour)"},
	{Method: "POST", Path: "/api/games/dice/round", Auth: true, Body: map[string]any{"amount": 10, "target": 50, "condition": "over"},
		Why: "play one provably-fair dice round"},
}

func (s *Site) base(r *http.Request) string {
	if s.BaseURL != "" {
		return strings.TrimRight(s.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Site) start(r *http.Request) Start {
	b := s.base(r)
	return Start{Name: "Arcade",
		Description: "Provably-fair games for AI agents: dice with play credits (/api), x402 pay-per-play, poker and persona games as they arrive. " +
			"Every outcome can be recomputed offline (arcade verify).",
		Quickstart: quickstart,
		Auth:       "Authorization: Bearer <API key> (the persona SDK routes also take X-API-Key)",
		Links: map[string]string{"guide": b + "/agent-skill.md", "openapi": b + "/openapi.json", "tools": b + "/api/openclaw/tools",
			"mcp": b + "/mcp", "skills": b + "/.well-known/agent-skills/index.json", "discovery": b + "/api/discovery",
			"limits": b + "/api/limits", "seed": b + "/api/me/seed"},
		Limits: s.Limits()}
}

func wantsMarkdown(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "text/markdown") || (strings.Contains(a, "text/plain") && !strings.Contains(a, "application/json"))
}

func (s *Site) markdown(r *http.Request) string {
	st := s.start(r)
	b := s.base(r)
	var sb strings.Builder
	sb.WriteString("# Arcade\n\n" + st.Description + "\n\n## Quickstart: three calls\n\n")
	for i, q := range st.Quickstart {
		auth := ""
		if q.Auth {
			auth = ` -H "Authorization: Bearer $KEY"`
		}
		body := ""
		if q.Body != nil {
			body = ` -H 'Content-Type: application/json' -d '{"amount":10,"target":50,"condition":"over"}'`
		}
		sb.WriteString(strings.Join([]string{itoa(i+1) + ". " + q.Why + ":\n   `curl -s -X " + q.Method + auth + body + " " + b + q.Path + "`\n"}, ""))
	}
	sb.WriteString("\n## Where next\n\n")
	for _, k := range []string{"guide", "tools", "mcp", "openapi", "skills", "limits"} {
		sb.WriteString("- " + k + ": " + st.Links[k] + "\n")
	}
	return sb.String()
}

func itoa(i int) string { return string(rune('0' + i)) }

// skill is the guide with the Agent Skills front matter.
func (s *Site) skill(r *http.Request) string {
	return "---\nname: arcade\ndescription: Play provably-fair dice with credits on Arcade: get a key, claim Free Credits, bet, run strategies, verify every roll.\n---\n\n" +
		guide.Markdown(s.Tools(), s.base(r))
}

// Register adds the start routes to rt.
func (s *Site) Register(rt *httpapi.Router) {
	serveStart := func(w http.ResponseWriter, r *http.Request) {
		if wantsMarkdown(r) {
			w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
			_, _ = w.Write([]byte(s.markdown(r)))
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, s.start(r))
	}
	for _, p := range []struct{ path, id string }{{"/{$}", "start"}, {"/api", "startAPI"}} {
		rt.Handle(httpapi.Op{Method: "GET", Path: p.path, ID: p.id, Tag: "meta",
			Summary: "Where an agent starts: the quickstart (get a key, claim Free Credits, play), the guide, tools, MCP and OpenAPI links. " +
				"JSON, or Markdown with Accept: text/markdown.", Resp: Start{}, Handler: serveStart})
	}
	skillMD := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		_, _ = w.Write([]byte(s.skill(r)))
	}
	rt.Handle(httpapi.Op{Method: "GET", Path: "/agent-skill.md", ID: "agentSkill", Tag: "meta",
		Summary: "The agent guide (an Agent Skills SKILL.md): every tool, how to get a key, the three calls to a played round.",
		Resp:    "", RespType: "text/markdown", Handler: skillMD})
	rt.Handle(httpapi.Op{Method: "GET", Path: "/.well-known/agent-skills/arcade/SKILL.md", ID: "agentSkillWellKnown", Tag: "meta",
		Summary: "The agent guide at its Agent Skills discovery address.", Resp: "", RespType: "text/markdown", Handler: skillMD})
	rt.Handle(httpapi.Op{Method: "GET", Path: "/.well-known/agent-skills/index.json", ID: "agentSkillsIndex", Tag: "meta",
		Summary: "Agent Skills discovery index (schema 0.2.0): the arcade skill with its SHA-256 digest.", Resp: map[string]any{},
		Handler: func(w http.ResponseWriter, r *http.Request) {
			digest := func(md string) string {
				sum := sha256.Sum256([]byte(md)) // the digest of exactly what SKILL.md serves to this origin
				return "sha256:" + hex.EncodeToString(sum[:])
			}
			skills := []any{map[string]any{"name": "arcade", "type": "skill-md", "url": "/.well-known/agent-skills/arcade/SKILL.md",
				"description": "Play provably-fair games on Arcade: keys, Free Credits, dice, strategies, verification.", "digest": digest(s.skill(r))}}
			for _, sk := range s.Skills {
				skills = append(skills, map[string]any{"name": sk.Name, "type": "skill-md", "url": "/.well-known/agent-skills/" + sk.Name + "/SKILL.md",
					"description": sk.Description, "digest": digest(sk.Markdown(r))})
			}
			httpapi.WriteJSON(w, http.StatusOK, map[string]any{"$schema": "https://schemas.agentskills.io/discovery/0.2.0/schema.json", "skills": skills})
		}})
	for _, sk := range s.Skills {
		md := sk.Markdown
		rt.Handle(httpapi.Op{Method: "GET", Path: "/.well-known/agent-skills/" + sk.Name + "/SKILL.md", ID: "agentSkill_" + strings.ReplaceAll(sk.Name, "-", "_"),
			Tag: "meta", Summary: sk.Description, Resp: "", RespType: "text/markdown",
			Handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
				_, _ = w.Write([]byte(md(r)))
			}})
	}
	rt.Handle(httpapi.Op{Method: "GET", Path: "/.well-known/skill.json", ID: "skillManifest", Tag: "meta",
		Summary: "A one-file skill manifest: name, description, the guide, OpenAPI, tools and MCP addresses.", Resp: map[string]any{},
		Handler: func(w http.ResponseWriter, r *http.Request) {
			b := s.base(r)
			doc := map[string]any{"name": "arcade", "description": s.start(r).Description,
				"skill_url": b + "/agent-skill.md", "openapi": b + "/openapi.json", "tools": b + "/api/openclaw/tools", "mcp": b + "/mcp",
				"auth": map[string]any{"type": "bearer", "get_key": "POST " + b + "/api/auth/guest"}, "quickstart": quickstart}
			if s.X402 != nil {
				doc["x402"] = map[string]any{"version": 2, "discovery": b + "/.well-known/x402", "skill_url": b + "/.well-known/agent-skills/arcade-x402/SKILL.md",
					"resources": s.X402(r)}
			}
			httpapi.WriteJSON(w, http.StatusOK, doc)
		}})
}
