package pokerapi

import (
	"net/http"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/poker/table"
)

// The play routes are Arcade's addition to spec 002: the bot protocol's join, state, action,
// rebuy and leave over plain HTTP, for agents that cannot hold a WebSocket (a language model
// calling tools). They run the same operations as the /poker/ws messages; updates are not
// pushed: poll GET /me/table (its hero block carries valid_actions and the turn_token on the
// caller's turn). The action clock runs as for any player.

// JoinBody is POST /lobby/join's body.
type JoinBody struct {
	BuyIn httpapi.Number `json:"buy_in,omitempty" jsonschema:"type=number,description=dollars (default: the server's default buy-in)"`
}

// ActionBody is POST /me/action's body (the WebSocket action message's fields).
type ActionBody struct {
	Action         string         `json:"action" jsonschema:"required,enum=fold,enum=check,enum=call,enum=raise,enum=all_in"`
	Amount         httpapi.Number `json:"amount,omitempty" jsonschema:"type=number,description=raise only: the raise-to total in dollars"`
	HandID         string         `json:"hand_id,omitempty"`
	TurnToken      string         `json:"turn_token,omitempty"`
	ClientActionID string         `json:"client_action_id,omitempty"`
}

// RebuyBody is POST /me/rebuy's body.
type RebuyBody struct {
	Amount httpapi.Number `json:"amount" jsonschema:"required,type=number,description=dollars"`
}

// Accepted answers an accepted action.
type Accepted struct {
	Status string `json:"status"`
}

// Left answers POST /me/leave.
type Left struct {
	// Pending: the player stands up at the end of the hand in progress.
	Pending bool `json:"pending"`
}

// dollars reads an optional dollar amount.
func dollars(field string, n httpapi.Number) (money.Amount, error) {
	if n == "" {
		return 0, nil
	}
	a, err := money.Parse(n.String())
	if err != nil || a <= 0 {
		return 0, errs.Invalid(field, "must be a positive number of dollars with at most 6 decimals")
	}
	return a, nil
}

func (a *API) registerPlay(rt *httpapi.Router) {
	o := a.Play
	a.handle(rt, o.Join, httpapi.Op{Method: "POST", Path: "/lobby/join", ID: "pokerJoinLobby", Body: JoinBody{}, Resp: table.Lobby{},
		Description: "Arcade's addition: join_lobby over HTTP. The buy-in moves to in-play and the caller is seated; poll GET /me/table."}, opt{noIdem: true},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var b JoinBody
			if err := decode(r, &b); err != nil {
				return 0, nil, err
			}
			amt, err := dollars("buy_in", b.BuyIn)
			if err != nil {
				return 0, nil, err
			}
			l, err := o.Join.Invoke(r.Context(), c, table.JoinInput{BuyIn: amt})
			return 0, l, err
		})
	a.handle(rt, o.State, httpapi.Op{Method: "GET", Path: "/me/table", ID: "pokerMyTable", Resp: table.State{},
		Description: "Arcade's addition: the caller's table_state, with its hole cards and, on its turn, valid_actions and turn_token."}, opt{noIdem: true},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			st, err := o.State.Invoke(r.Context(), c, ops.None{})
			return 0, st, err
		})
	a.handle(rt, o.Act, httpapi.Op{Method: "POST", Path: "/me/action", ID: "pokerAct", Body: ActionBody{}, Resp: Accepted{},
		Description: "Arcade's addition: the action message over HTTP. A refusal is 409 with the action_rejected code (not_your_turn, stale_turn_token, invalid_action, ...)."}, opt{noIdem: true},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var b ActionBody
			if err := decode(r, &b); err != nil {
				return 0, nil, err
			}
			if b.Action == "" {
				return 0, nil, errs.Missing("action")
			}
			amt, err := dollars("amount", b.Amount)
			if err != nil {
				return 0, nil, err
			}
			_, err = o.Act.Invoke(r.Context(), c, table.Act{Action: b.Action, Amount: amt, HandID: b.HandID, TurnToken: b.TurnToken,
				ClientActionID: b.ClientActionID})
			return 0, Accepted{Status: "accepted"}, err
		})
	a.handle(rt, o.Rebuy, httpapi.Op{Method: "POST", Path: "/me/rebuy", ID: "pokerRebuy", Body: RebuyBody{}, Resp: Accepted{},
		Description: "Arcade's addition: rebuy after busting."}, opt{noIdem: true},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			var b RebuyBody
			if err := decode(r, &b); err != nil {
				return 0, nil, err
			}
			if b.Amount == "" {
				return 0, nil, errs.Missing("amount")
			}
			amt, err := dollars("amount", b.Amount)
			if err != nil {
				return 0, nil, err
			}
			_, err = o.Rebuy.Invoke(r.Context(), c, table.RebuyInput{Amount: amt})
			return 0, Accepted{Status: "accepted"}, err
		})
	a.handle(rt, o.Leave, httpapi.Op{Method: "POST", Path: "/me/leave", ID: "pokerLeave", Resp: Left{},
		Description: "Arcade's addition: leave_table over HTTP; the stack goes back to the balance (at the end of the hand when in one)."}, opt{noIdem: true},
		func(r *http.Request, c ops.Caller) (int, any, error) {
			l, err := o.Leave.Invoke(r.Context(), c, ops.None{})
			return 0, Left{Pending: l.Pending}, err
		})
}
