package table

import (
	"context"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
)

// Ops are the poker table operations of the bot protocol, declared once in the registry the
// WebSocket surface (/poker/ws) calls them through. Spec 002's REST operations (registration,
// profile, money, listings) are declared by internal/poker/agents in the main registry.
type Ops struct {
	Connect  *ops.Def[ops.None, *Conn]
	Join     *ops.Def[JoinInput, Lobby]
	Act      *ops.Def[Act, ops.None]
	State    *ops.Def[ops.None, State]
	Resync   *ops.Def[ResyncInput, Resync]
	Rebuy    *ops.Def[RebuyInput, ops.None]
	Leave    *ops.Def[ops.None, LeaveResult]
	Spectate *ops.Def[SpectateInput, ops.None]
	Unwatch  *ops.Def[ops.None, ops.None]
}

// SpectateInput names the table to watch.
type SpectateInput struct{ TableID string }

// JoinInput is join_lobby's buy-in (0: the default).
type JoinInput struct{ BuyIn money.Amount }

// ResyncInput is a resync_request.
type ResyncInput struct {
	TableID string
	LastSeq int64
}

// RebuyInput is a rebuy's amount.
type RebuyInput struct{ Amount money.Amount }

// LeaveResult says whether the player stands up at the end of the current hand.
type LeaveResult struct{ Pending bool }

// Declare adds the poker operations to r.
func (s *Service) Declare(r *ops.Registry) *Ops {
	o := &Ops{}
	pl := func(c ops.Caller) *Player { return s.player(c.Account) }
	o.Connect = ops.Add(r, &ops.Def[ops.None, *Conn]{D: ops.Desc{Name: "poker.connect", Access: ops.Player,
		Summary: "Attach a connection that receives the caller's table updates; a newer connection replaces it."},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (*Conn, error) { return s.Connect(c.Account), nil }})
	o.Join = ops.Add(r, &ops.Def[JoinInput, Lobby]{D: ops.Desc{Name: "poker.lobby.join", Access: ops.Player, MovesMoney: true,
		Summary: "Join the lobby with a buy-in: the buy-in moves to in-play and the caller is seated at a 6-max table.",
		Errors:  []errs.Kind{errs.InsufficientBalance, errs.Conflict, errs.Unavailable}},
		Run: func(ctx context.Context, c ops.Caller, in JoinInput) (Lobby, error) {
			return s.JoinLobby(ctx, pl(c), in.BuyIn)
		}})
	o.Act = ops.Add(r, &ops.Def[Act, ops.None]{D: ops.Desc{Name: "poker.act", Access: ops.Player, MovesMoney: true,
		Summary: "Act at the caller's table: fold, check, call, raise (to a total) or all_in.",
		Errors:  []errs.Kind{errs.NotFound, errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, in Act) (ops.None, error) {
			return ops.None{}, s.Act(ctx, pl(c), in)
		}})
	o.State = ops.Add(r, &ops.Def[ops.None, State]{D: ops.Desc{Name: "poker.table.state", Access: ops.Player,
		Summary: "The caller's table as the caller sees it (its own hole cards and, on its turn, its valid actions).",
		Errors:  []errs.Kind{errs.NotFound}},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (State, error) { return s.State(ctx, pl(c)) }})
	o.Resync = ops.Add(r, &ops.Def[ResyncInput, Resync]{D: ops.Desc{Name: "poker.table.resync", Access: ops.Player,
		Summary: "The table's public events after a table_seq, then a snapshot.",
		Errors:  []errs.Kind{errs.NotFound}},
		Run: func(ctx context.Context, c ops.Caller, in ResyncInput) (Resync, error) {
			return s.Resync(ctx, pl(c), in.TableID, in.LastSeq)
		}})
	o.Rebuy = ops.Add(r, &ops.Def[RebuyInput, ops.None]{D: ops.Desc{Name: "poker.rebuy", Access: ops.Player, MovesMoney: true,
		Summary: "Buy back in after busting.",
		Errors:  []errs.Kind{errs.NotFound, errs.Conflict, errs.InsufficientBalance}},
		Run: func(ctx context.Context, c ops.Caller, in RebuyInput) (ops.None, error) {
			return ops.None{}, s.Rebuy(ctx, pl(c), in.Amount)
		}})
	o.Leave = ops.Add(r, &ops.Def[ops.None, LeaveResult]{D: ops.Desc{Name: "poker.leave", Access: ops.Player, MovesMoney: true,
		Summary: "Leave the table; the stack goes back to the balance (at the end of the hand when in one).",
		Errors:  []errs.Kind{errs.NotFound}},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (LeaveResult, error) {
			p, err := s.Leave(ctx, pl(c))
			return LeaveResult{Pending: p}, err
		}})
	o.Spectate = ops.Add(r, &ops.Def[SpectateInput, ops.None]{D: ops.Desc{Name: "poker.spectate", Access: ops.Player,
		Summary: "Watch a running table without a seat: its public events, never hole cards.",
		Errors:  []errs.Kind{errs.NotFound, errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, in SpectateInput) (ops.None, error) {
			return ops.None{}, s.Spectate(ctx, pl(c), in.TableID)
		}})
	o.Unwatch = ops.Add(r, &ops.Def[ops.None, ops.None]{D: ops.Desc{Name: "poker.spectate.stop", Access: ops.Player,
		Summary: "Stop watching a table."},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (ops.None, error) {
			s.StopSpectating(ctx, pl(c))
			return ops.None{}, nil
		}})
	return o
}
