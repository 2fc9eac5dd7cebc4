package creditsapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
)

// RecoveryData answers POST /api/me/recovery-link (the real system's fields, plus expiresAt).
type RecoveryData struct {
	URL           string    `json:"url"`
	ExpiresInDays float64   `json:"expiresInDays"`
	ExpiresAt     time.Time `json:"expiresAt"`
	Message       string    `json:"message"`
}

// Session cookies the recover route sets, by account kind, as the real system names them. Their
// value is the new API key, for the web pages of this origin (HttpOnly: scripts cannot read it).
const (
	agentCookie = "xp_agent_session"
	guestCookie = "xp_guest_session"
)

func (a *API) registerAccount(rt *httpapi.Router) {
	a.handle(rt, a.Ops.RecoveryLink, httpapi.Op{Method: "POST", Path: "/api/me/recovery-link", ID: "createRecoveryLink", Tag: "account",
		Description: "Open the link (or GET it with Accept: application/json) within the hour to replace the account's keys with a new one. Single use.",
		Resp:        RecoveryData{}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			l, err := a.Ops.RecoveryLink.Invoke(r.Context(), c, ops.None{})
			if err != nil {
				return 0, nil, err
			}
			u := a.baseURL(r) + "/api/auth/recover?token=" + url.QueryEscape(l.Token)
			return 0, RecoveryData{URL: u, ExpiresAt: l.ExpiresAt, ExpiresInDays: account.RecoveryTTL.Hours() / 24,
				Message: "Keep this link secret: it replaces your API key. It works once, for one hour."}, nil
		})
	a.handle(rt, a.Ops.Recover, httpapi.Op{Method: "GET", Path: "/api/auth/recover", ID: "recoverAccount", Tag: "auth",
		Description: "Browsers are redirected (302) to /dashboard with the new key in an HttpOnly session cookie, or to /?error=recovery_missing|recovery_expired|recovery_invalid; " +
			"with Accept: application/json the answer is the new key in the envelope.",
		Params: []httpapi.Param{{Name: "token", Required: true, Description: "the token of a recovery link"}},
		Resp:   KeyData{}, Errors: []int{302}},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			su, err := a.Ops.Recover.Invoke(r.Context(), c, credits.RecoverInput{Token: r.URL.Query().Get("token")})
			if wantsJSON(r) {
				return 0, KeyData{APIKey: su.Key.Secret, APIKeyPrefix: su.Key.Prefix}, err
			}
			return 0, nil, redirect{err: err, su: su}
		})
	a.handle(rt, a.Ops.LiveFeed, httpapi.Op{Method: "GET", Path: "/api/me/live-feed", ID: "liveFeed", Tag: "account",
		Description: "Server-sent events, one JSON object per data: line: {type:\"bet\", bet:{...}} after each round, " +
			"{type:\"faucet\", faucet:{...}}, {type:\"run\", run:{...}} after a strategy run, {type:\"deposit_alert\", deposit_url, deposit_alert_message}; " +
			"a \": heartbeat\" comment every 15 s.",
		Resp: FeedEvent{}, RespType: "text/event-stream"},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			sub, err := a.Ops.LiveFeed.Invoke(r.Context(), c, ops.None{})
			if err != nil {
				return 0, nil, err
			}
			return 0, nil, stream{sub: sub, ch: sub.C}
		})
}

func wantsJSON(r *http.Request) bool {
	acc := r.Header.Get("Accept")
	return strings.Contains(acc, "application/json") && !strings.Contains(acc, "text/html")
}

// baseURL is the configured public URL or, without one, the request's own origin.
func (a *API) baseURL(r *http.Request) string {
	if a.BaseURL != "" {
		return strings.TrimRight(a.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// redirect and stream are answers a handler hands back in place of data: ok renders them.
type redirect struct {
	err error
	su  credits.SignUp
}

func (d redirect) serve(w http.ResponseWriter, r *http.Request) {
	if d.err != nil {
		code := "recovery_invalid"
		msg := "This recovery link is not valid."
		if e := errs.As(d.err); e != nil && e.Code != "" {
			code, msg = e.Code, e.Message
		}
		http.Redirect(w, r, "/?error="+url.QueryEscape(code)+"&message="+url.QueryEscape(msg), http.StatusFound)
		return
	}
	name := guestCookie
	if d.su.Account.Kind == account.Agent {
		name = agentCookie
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: d.su.Key.Secret, Path: "/", MaxAge: 7 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/dashboard", http.StatusFound)
}

type stream struct {
	sub interface{ Close() }
	ch  <-chan credits.Event
}

func (redirect) Error() string { return "redirect" }
func (stream) Error() string   { return "stream" }

// FeedEvent documents one live-feed event.
type FeedEvent struct {
	Type                string         `json:"type" jsonschema:"enum=bet,enum=faucet,enum=run,enum=deposit_alert"`
	Bet                 map[string]any `json:"bet,omitempty"`
	Faucet              map[string]any `json:"faucet,omitempty"`
	Run                 map[string]any `json:"run,omitempty"`
	DepositURL          string         `json:"deposit_url,omitempty"`
	DepositAlertMessage string         `json:"deposit_alert_message,omitempty"`
}

// Heartbeat is how often an idle live feed sends a comment, so proxies keep it open.
var Heartbeat = 15 * time.Second

func feedEvent(ev credits.Event) FeedEvent {
	switch ev.Kind {
	case "bet":
		r := ev.Round
		return FeedEvent{Type: "bet", Bet: map[string]any{"result": hundredths(r.Roll), "win": r.Win, "payout": r.Payout.Decimal(), "balance": r.Balance.Decimal(),
			"amount": r.Bet.Amount.Decimal(), "target": hundredths(r.Bet.Target), "condition": r.Bet.Condition(), "betId": r.ID, "agentId": r.AccountID}}
	case "faucet":
		c := ev.Claim
		return FeedEvent{Type: "faucet", Faucet: map[string]any{"granted": c.Granted.Decimal(), "balance": c.Balance.Decimal(), "nextFaucetAt": c.NextFaucetAt}}
	case "run":
		res := ev.Run
		return FeedEvent{Type: "run", Run: map[string]any{"runId": res.RunID, "roundsPlayed": len(res.Rounds), "finalBalance": res.FinalBalance.Decimal(),
			"sessionPnl": res.Stats.PnL, "stoppedReason": res.StopReason}}
	}
	return FeedEvent{Type: "deposit_alert", DepositURL: "/api/credits/packages",
		DepositAlertMessage: "A strategy run stopped: the balance cannot cover the next bet. Claim Free Credits (POST /api/faucet) or buy a credit package."}
}

func writeSSE(w http.ResponseWriter, r *http.Request, ch <-chan credits.Event) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a feed outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	_ = rc.Flush()
	tick := time.NewTicker(Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return
			}
		case ev, ok := <-ch:
			if !ok {
				return
			}
			b, _ := json.Marshal(feedEvent(ev))
			if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
				return
			}
		}
		if rc.Flush() != nil {
			return
		}
	}
}
