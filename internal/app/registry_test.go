package app_test

import (
	"testing"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi/creditsapi"
	"github.com/arcadehq/arcade/internal/httpapi/personaapi"
	"github.com/arcadehq/arcade/internal/httpapi/pokerapi"
	"github.com/arcadehq/arcade/internal/httpapi/v1api"
	"github.com/arcadehq/arcade/internal/store"
)

// notTools are the operations agents reach through REST only, with the reason.
// dashboardOnly: spec 001's dashboard is the wallet owner's, behind the siwe-session cookie.
const dashboardOnly = "the wallet owner's dashboard: a browser signed in with SIWE (cookie)"

var notTools = map[string]string{
	"credits.feed":                   "a stream: tools answer once",
	"credits.checkout.webhook":       "Stripe's callback, not an agent's",
	"credits.seed.get":               "read through verify_round and the REST seed route",
	"credits.seed.set":               "client seeds are set per round (place_dice_round client_seed)",
	"credits.withdrawals.list":       "the skill has no tool for it",
	"credits.withdrawals.get":        "the skill has no tool for it",
	"admin.withdrawals.list":         "operator route",
	"admin.withdrawals.decide":       "operator route",
	"account.me":                     "get_balance answers it for agents",
	"credits.balance":                "get_balance answers it with the session figures (credits.stats)",
	"account.key.regenerate":         "the skill has no tool for it",
	"account.recovery.link":          "a link for a person's browser",
	"account.recovery.use":           "a link for a person's browser",
	"persona.get":                    "persona_list answers it for agents",
	"persona.full":                   "a creator's editing view, not play",
	"persona.save":                   "creating personas is a creator's job (REST)",
	"persona.delete":                 "creating personas is a creator's job (REST)",
	"persona.publish":                "creating personas is a creator's job (REST)",
	"persona.machines.available":     "persona_progress answers it (available_machines)",
	"persona.sdk.list":               "persona_list answers it for agents",
	"persona.sdk.session":            "persona_message answers the state after every message",
	"persona.sdk.history":            "the agent holds its own conversation",
	"persona.sdk.reset":              "persona_start replaces a machine's session; persona_reset starts over",
	"persona.sdk.machines":           "persona_progress answers it (available_machines)",
	"persona.sdk.keys.create":        "keys are managed by a person (REST)",
	"persona.sdk.keys.list":          "keys are managed by a person (REST)",
	"persona.sdk.keys.revoke":        "keys are managed by a person (REST)",
	"persona.sdk.validate_llm_key":   "for game clients that bring a language-model key",
	"v1.manifest":                    x402Only,
	"v1.games":                       x402Only,
	"v1.play":                        x402Only,
	"v1.bets.get":                    x402Only,
	"v1.balance":                     x402Only,
	"v1.withdraw":                    x402Only,
	"v1.seed.commit":                 x402Only,
	"v1.seed.reveal":                 x402Only,
	"v1.seed.rotate":                 "operator route",
	"auth.siwe.nonce":                "a browser sign-in (cookies)",
	"auth.siwe.verify":               "a browser sign-in (cookies)",
	"auth.siwe.me":                   "a browser sign-in (cookies)",
	"auth.siwe.logout":               "a browser sign-in (cookies)",
	"poker.register":                 pokerREST,
	"poker.me":                       pokerREST,
	"poker.me.update":                pokerREST,
	"poker.key.regenerate":           pokerREST,
	"poker.active_game":              pokerREST,
	"poker.balance":                  pokerREST,
	"poker.transactions":             pokerREST,
	"poker.deposit":                  pokerREST,
	"poker.withdraw":                 pokerREST,
	"poker.withdrawal.get":           pokerREST,
	"poker.tables.list":              pokerREST,
	"poker.tables.get":               pokerREST,
	"poker.table.hands.phh":          "a multi-hand file to download; poker_hand_phh gives one hand",
	"poker.accounting":               "operator route",
	"poker.revenue":                  "operator route",
	"poker.config":                   pokerREST,
	"poker.connect":                  "the /poker/ws connection itself",
	"poker.rebuy":                    pokerREST,
	"poker.table.resync":             wsOnly["poker.table.resync"],
	"poker.spectate":                 wsOnly["poker.spectate"],
	"poker.spectate.stop":            wsOnly["poker.spectate.stop"],
	"account.wallet.bind":            "a wallet's EIP-4361 signature (REST: POST /api/me/wallet)",
	"v1.dashboard.bets":              dashboardOnly,
	"v1.dashboard.withdrawals":       dashboardOnly,
	"v1.dashboard.withdraw":          dashboardOnly,
	"v1.dashboard.summary":           dashboardOnly,
	"v1.dashboard.notifications.get": dashboardOnly,
	"v1.dashboard.notifications.set": dashboardOnly,
	"persona.schema":                 "a creator's reference (REST)",
	"persona.auth.me":                "the web chat's sign-in check; agents read account.me",
	"persona.progress.migrate":       "a web sign-in step; an agent names its own players",
}

// wsOnly are the operations only /poker/ws messages bind: what they deliver are WebSocket
// frames, which a REST answer cannot carry.
var wsOnly = map[string]string{
	"poker.table.resync":  "resync_request: replays the table's WebSocket frames",
	"poker.spectate":      "spectate: subscribes the caller's WebSocket to a table's frames",
	"poker.spectate.stop": "stops a WebSocket subscription",
}

// pokerREST: spec 002's bots call these over REST; the poker tools are the playing ones
// (poker_join, poker_table, poker_act, poker_leave, poker_hand_history).
const pokerREST = "spec 002's bot API over REST; the poker tools cover playing"

// x402Only: spec 001's routes are paid per call with an x402 header, which the tools endpoint and
// MCP do not carry (yet).
const x402Only = "spec 001 over HTTP: paid per call with x402"

// TestRegistryBindings: every route binds a registered operation, every operation is bound by
// REST (or, wsOnly, by /poker/ws messages alone), and every operation is a tool or says why not.
func TestRegistryBindings(t *testing.T) {
	s := newServer(t, store.SQLite)
	reg := s.app.Registry
	bound := map[string]bool{}
	for _, op := range s.app.Router.Ops() {
		if op.Operation == "" {
			continue
		}
		if _, ok := reg.Get(op.Operation); !ok {
			t.Errorf("%s %s binds %q, which is not in the registry", op.Method, op.Path, op.Operation)
		}
		bound[op.Operation] = true
	}
	for _, op := range reg.All() {
		if !bound[op.Desc().Name] && wsOnly[op.Desc().Name] == "" {
			t.Errorf("operation %s has no REST route", op.Desc().Name)
		}
	}
	for name := range wsOnly {
		if _, ok := reg.Get(name); !ok {
			t.Errorf("wsOnly names %s, which is not in the registry", name)
		}
	}
	for _, p := range s.app.Tools.Bound(reg, notTools) {
		t.Error(p)
	}
	for name := range notTools {
		if _, ok := reg.Get(name); !ok {
			t.Errorf("notTools names %s, which is not in the registry", name)
		}
	}
}

// TestEveryErrorKindHasAStatus: a new error kind must be given a status in each surface's table.
func TestEveryErrorKindHasAStatus(t *testing.T) {
	for _, k := range errs.Kinds() {
		if _, ok := creditsapi.StatusOf(k); !ok {
			t.Errorf("error kind %s has no status on /api", k)
		}
		if _, ok := v1api.StatusOf(k); !ok {
			t.Errorf("error kind %s has no status on /api/v1", k)
		}
		if _, ok := personaapi.StatusOf(k); !ok {
			t.Errorf("error kind %s has no status on the persona routes", k)
		}
		if _, ok := pokerapi.StatusOf(k); !ok {
			t.Errorf("error kind %s has no status on /poker/api", k)
		}
	}
}
