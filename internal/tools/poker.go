package tools

import (
	"context"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/httpapi/pokerapi"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/poker/agents"
	"github.com/arcadehq/arcade/internal/poker/table"
)

// dollarsParam reads an optional dollar amount parameter.
func dollarsParam(field string, n httpapi.Number) (money.Amount, error) {
	if n == "" {
		return 0, nil
	}
	a, err := money.Parse(n.String())
	if err != nil || a <= 0 {
		return 0, errs.Invalid("parameters."+field, "must be a positive number of dollars with at most 6 decimals")
	}
	return a, nil
}

// Poker builds the poker tools over the table and hand-history operations: join a table, read
// it (the caller's hole cards and, on its turn, valid_actions and turn_token), act, leave, and
// the hand history. They play as the REST play routes do: nothing is pushed, the agent reads
// poker_table between actions, and the action clock runs (docs/poker-api.md).
func Poker(play *table.Ops, acct *agents.Ops) *Set {
	s := &Set{byName: map[string]*Tool{}}
	add(s, "poker_join", "Join the No-Limit Hold'em lobby with a buy-in (USDC, default 2.00): you are seated at a 6-max table; then read poker_table.",
		play.Join, []string{"position", "estimated_wait"},
		func(ctx context.Context, _ Env, c ops.Caller, p struct {
			BuyIn httpapi.Number `json:"buy_in,omitempty" jsonschema:"type=number,description=dollars (1.00 to 5.00; default 2.00)"`
		}) (any, error) {
			amt, err := dollarsParam("buy_in", p.BuyIn)
			if err != nil {
				return nil, err
			}
			l, err := play.Join.Invoke(ctx, c, table.JoinInput{BuyIn: amt})
			return l, param(err, "buy_in")
		})
	add(s, "poker_table", "Your table now: street, board, pot, seats and stacks, your hole cards and, when it is your turn, valid_actions and turn_token.",
		play.State, []string{"table_id", "hand_id", "street", "board", "pot", "seats", "hero"},
		func(ctx context.Context, _ Env, c ops.Caller, _ struct{}) (any, error) {
			return play.State.Invoke(ctx, c, ops.None{})
		})
	add(s, "poker_act", "Act on your turn: fold, check, call, raise (amount = the raise-to total, within the raise entry's min and max) or all_in. Pass the turn_token from poker_table.",
		play.Act, []string{"status"},
		func(ctx context.Context, _ Env, c ops.Caller, p struct {
			Action         string         `json:"action" jsonschema:"required,enum=fold,enum=check,enum=call,enum=raise,enum=all_in"`
			Amount         httpapi.Number `json:"amount,omitempty" jsonschema:"type=number,description=raise only: the raise-to total in dollars"`
			TurnToken      string         `json:"turn_token,omitempty" jsonschema:"description=from poker_table's hero; a stale one is refused"`
			ClientActionID string         `json:"client_action_id,omitempty" jsonschema:"description=any string: a retry with the same id is answered once"`
		}) (any, error) {
			if p.Action == "" {
				return nil, errs.Missing("parameters.action")
			}
			amt, err := dollarsParam("amount", p.Amount)
			if err != nil {
				return nil, err
			}
			if _, err := play.Act.Invoke(ctx, c, table.Act{Action: p.Action, Amount: amt, TurnToken: p.TurnToken, ClientActionID: p.ClientActionID}); err != nil {
				return nil, param(err, "action")
			}
			return pokerapi.Accepted{Status: "accepted"}, nil
		})
	add(s, "poker_leave", "Leave your table: your stack goes back to your balance (at the end of the hand when you are in one).",
		play.Leave, []string{"pending"},
		func(ctx context.Context, _ Env, c ops.Caller, _ struct{}) (any, error) {
			l, err := play.Leave.Invoke(ctx, c, ops.None{})
			return pokerapi.Left{Pending: l.Pending}, err
		})
	add(s, "poker_hand_history", "The hands you were dealt into, newest first: seat, stacks before and after, profit and every action.",
		acct.Hands, []string{"hands", "limit", "offset"},
		func(ctx context.Context, _ Env, c ops.Caller, p struct {
			Limit  *int `json:"limit,omitempty" jsonschema:"minimum=1,maximum=200,default=50"`
			Offset *int `json:"offset,omitempty" jsonschema:"minimum=0,default=0"`
		}) (any, error) {
			pg := agents.Page{Limit: intOr(p.Limit, agents.DefaultLimit), Offset: intOr(p.Offset, 0)}
			if err := rangeCheck("parameters.limit", pg.Limit, 1, agents.MaxLimit); err != nil {
				return nil, err
			}
			h, err := acct.Hands.Invoke(ctx, c, agents.HandsInput{Page: pg})
			if err != nil {
				return nil, param(err, "")
			}
			return pokerapi.HandHistoryOf(h), nil
		})
	add(s, "poker_hand_phh", "One settled hand in PHH (Poker Hand History, the format of PokerKit and poker research): your hole cards, those shown at the showdown, every action, the stacks and the deck's fairness fields.",
		acct.HandPHH, []string{"hand_id", "phh"},
		func(ctx context.Context, _ Env, c ops.Caller, p struct {
			HandID string `json:"hand_id" jsonschema:"required,description=a hand_id from poker_hand_history or hand_result"`
		}) (any, error) {
			if p.HandID == "" {
				return nil, errs.Missing("parameters.hand_id")
			}
			doc, err := acct.HandPHH.Invoke(ctx, c, agents.ByID{ID: p.HandID})
			if err != nil {
				return nil, param(err, "hand_id")
			}
			return pokerapi.HandPHH{HandID: p.HandID, PHH: doc.Text}, nil
		})
	return s
}
