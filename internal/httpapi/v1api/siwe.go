package v1api

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/casino/bets"
	"github.com/arcadehq/arcade/internal/httpapi"
)

// Cookie names: the session (spec 001) and the nonce this browser was issued.
const (
	SessionCookie = "siwe-session"
	NonceCookie   = "siwe-nonce"
)

// SIWEVerifyBody is POST /api/auth/siwe/verify's body.
type SIWEVerifyBody struct {
	Message   string `json:"message"`
	Signature string `json:"signature"`
}

// SIWEVerifyResponse answers a sign-in.
type SIWEVerifyResponse struct {
	OK        bool      `json:"ok"`
	Address   string    `json:"address"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SIWEMeResponse is the current session.
type SIWEMeResponse struct {
	Authenticated bool       `json:"authenticated"`
	Address       string     `json:"address,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
}

// domain is the EIP-4361 domain a message must name: the public base URL's host, else the
// request's Host.
func (a *API) domain(r *http.Request) string {
	if u, err := url.Parse(a.BaseURL); err == nil && u.Host != "" {
		return u.Host
	}
	return r.Host
}

func (a *API) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(a.BaseURL, "https://")
}

func (a *API) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: a.secure(r)}
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	} else {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

func cookie(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

func (a *API) registerSIWE(rt *httpapi.Router) {
	a.handle(rt, route{op: a.Ops.SIWENonce, http: httpapi.Op{Method: "GET", Path: "/api/auth/siwe/nonce", ID: "siweNonce", Tag: "auth",
		Summary: "Issue a SIWE nonce (10-min cookie). Step 1 of dashboard sign-in.", Resp: "", RespType: "text/plain"},
		decode: func(*http.Request) (any, error) { return nil, nil },
		write: func(w http.ResponseWriter, r *http.Request, out any) {
			a.setCookie(w, r, NonceCookie, out.(string), account.SIWENonceTTL)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write([]byte(out.(string)))
		}})
	a.handle(rt, route{op: a.Ops.SIWEVerify, http: httpapi.Op{Method: "POST", Path: "/api/auth/siwe/verify", ID: "siweVerify", Tag: "auth",
		Summary: "Verify EIP-4361 SIWE message and signature; sets the siwe-session cookie (7 days).",
		Body:    SIWEVerifyBody{}, Resp: SIWEVerifyResponse{}},
		decode: func(r *http.Request) (any, error) {
			raw, err := httpapi.ReadBody(r)
			if err != nil {
				return nil, err
			}
			var b SIWEVerifyBody
			if err := httpapi.DecodeJSON(raw, &b); err != nil {
				return nil, err
			}
			return account.SIWESignIn{Message: b.Message, Signature: b.Signature, Domain: a.domain(r), CookieNonce: cookie(r, NonceCookie)}, nil
		},
		write: func(w http.ResponseWriter, r *http.Request, out any) {
			s := out.(account.Session)
			a.setCookie(w, r, SessionCookie, s.Token, account.SIWESessionTTL)
			a.setCookie(w, r, NonceCookie, "", 0)
			httpapi.WriteJSON(w, http.StatusOK, SIWEVerifyResponse{OK: true, Address: s.Address, ExpiresAt: s.ExpiresAt})
		}})
	token := func(r *http.Request) (any, error) { return bets.Token{Token: cookie(r, SessionCookie)}, nil }
	a.handle(rt, route{op: a.Ops.SIWEMe, http: httpapi.Op{Method: "GET", Path: "/api/auth/siwe/me", ID: "siweMe", Tag: "auth",
		Summary: "Return the current SIWE session (or { authenticated: false }).", Resp: SIWEMeResponse{}},
		decode: token,
		render: func(out any) any {
			m := out.(bets.SIWEMe)
			if !m.Authenticated {
				return SIWEMeResponse{}
			}
			return SIWEMeResponse{Authenticated: true, Address: m.Address, ExpiresAt: &m.ExpiresAt}
		}})
	a.handle(rt, route{op: a.Ops.SIWELogout, http: httpapi.Op{Method: "POST", Path: "/api/auth/siwe/logout", ID: "siweLogout", Tag: "auth",
		Summary: "Clear the SIWE session cookie.", Resp: map[string]bool{}},
		decode: token,
		write: func(w http.ResponseWriter, r *http.Request, _ any) {
			a.setCookie(w, r, SessionCookie, "", 0)
			httpapi.WriteJSON(w, http.StatusOK, map[string]bool{"ok": true})
		}})
}
