package agents

import (
	"context"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/poker/table"
)

// Ops are spec 002's REST operations, declared once in the main registry.
type Ops struct {
	Register      *ops.Def[Registration, table.SignUp]
	Me            *ops.Def[ops.None, Profile]
	UpdateMe      *ops.Def[Patch, Profile]
	RegenerateKey *ops.Def[ops.None, account.Key]
	ActiveGame    *ops.Def[ops.None, table.Seated]
	Hands         *ops.Def[HandsInput, HandPage]
	HandPHH       *ops.Def[ByID, table.PHHDoc]
	TablePHH      *ops.Def[TableHands, table.PHHDoc]
	Balance       *ops.Def[ops.None, Balance]
	Transactions  *ops.Def[Page, TxPage]
	Deposit       *ops.Def[DepositInput, Deposit]
	Withdraw      *ops.Def[WithdrawInput, Withdrawal]
	Withdrawal    *ops.Def[ByID, Withdrawal]
	Tables        *ops.Def[ops.None, []table.TableInfo]
	Table         *ops.Def[ByID, table.State]
	Accounting    *ops.Def[ops.None, Accounting]
	Revenue       *ops.Def[ops.None, Revenue]
	Config        *ops.Def[ops.None, Config]
}

// HandsInput is a page of the hand history, as JSON lines or (PHH) as one .phhs file.
type HandsInput struct {
	Page
	PHH bool
}

// HandPage is a page of the hand history: the lines, or with PHH the hands as a .phhs file.
type HandPage struct {
	Hands []HandLine
	Page
	PHH *table.PHHDoc
}

// TableHands is a page of a table's hands.
type TableHands struct {
	TableID string
	Page
}

// TxPage is a page of transactions.
type TxPage struct {
	Transactions []Tx
	Page
}

// DepositInput names the deposit's transaction.
type DepositInput struct{ TxHash string }

// WithdrawInput is a withdrawal's amount.
type WithdrawInput struct{ Amount money.Amount }

// ByID names a withdrawal or a table.
type ByID struct{ ID string }

// Declare adds the operations to r.
func (s *Service) Declare(r *ops.Registry) *Ops {
	o := &Ops{}
	o.Register = ops.Add(r, &ops.Def[Registration, table.SignUp]{D: ops.Desc{Name: "poker.register", Access: ops.Public, MovesMoney: true,
		Summary:     "Register a poker agent: an account, its API key (shown once) and, on the sandbox, a starting USDC balance.",
		Description: "The wallet is a payout address only (never a way into an account). On the embedded sandbox network the agent starts with 10.00 sandbox USDC (configurable).",
		Errors:      []errs.Kind{errs.Conflict, errs.RateLimited}},
		Run: func(ctx context.Context, c ops.Caller, in Registration) (table.SignUp, error) {
			return s.Register(ctx, c.Addr, in)
		}})
	o.Me = ops.Add(r, &ops.Def[ops.None, Profile]{D: ops.Desc{Name: "poker.me", Access: ops.Player,
		Summary: "The caller's poker profile and available USDC balance."},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (Profile, error) { return s.Me(ctx, c.ID()) }})
	o.UpdateMe = ops.Add(r, &ops.Def[Patch, Profile]{D: ops.Desc{Name: "poker.me.update", Access: ops.Player,
		Summary: "Change the caller's name, payout wallet or avatar.", Errors: []errs.Kind{errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, in Patch) (Profile, error) { return s.UpdateMe(ctx, c.ID(), in) }})
	o.RegenerateKey = ops.Add(r, &ops.Def[ops.None, account.Key]{D: ops.Desc{Name: "poker.key.regenerate", Access: ops.Player,
		Summary: "Issue a new API key; the old one stops working at once."},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (account.Key, error) {
			return s.RegenerateKey(ctx, c.ID())
		}})
	o.ActiveGame = ops.Add(r, &ops.Def[ops.None, table.Seated]{D: ops.Desc{Name: "poker.active_game", Access: ops.Player,
		Summary: "Whether the caller sits at a table: which, at which seat, with what stack."},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (table.Seated, error) {
			return s.Tables.ActiveGame(ctx, c.ID())
		}})
	o.Hands = ops.Add(r, &ops.Def[HandsInput, HandPage]{D: ops.Desc{Name: "poker.hands", Access: ops.Player,
		Summary: "The hands the caller was dealt into, newest first, each with its actions (or as one PHH file)."},
		Run: func(ctx context.Context, c ops.Caller, in HandsInput) (HandPage, error) {
			if in.PHH {
				p, err := in.Page.check()
				if err != nil {
					return HandPage{Page: p}, err
				}
				doc, err := s.Tables.AgentPHH(ctx, c.ID(), p.Limit, p.Offset)
				return HandPage{Page: p, PHH: &doc}, err
			}
			h, p, err := s.Hands(ctx, c.ID(), in.Page)
			return HandPage{Hands: h, Page: p}, err
		}})
	o.HandPHH = ops.Add(r, &ops.Def[ByID, table.PHHDoc]{D: ops.Desc{Name: "poker.hand.phh", Access: ops.Public,
		Summary: "One settled hand in PHH (Poker Hand History): hole cards hidden except those shown at the showdown and, with a key, your own; the deck's fairness fields.",
		Errors:  []errs.Kind{errs.NotFound}},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (table.PHHDoc, error) {
			return s.Tables.HandPHH(ctx, c.ID(), in.ID)
		}})
	o.TablePHH = ops.Add(r, &ops.Def[TableHands, table.PHHDoc]{D: ops.Desc{Name: "poker.table.hands.phh", Access: ops.Public,
		Summary: "A table's settled hands, newest first, as one multi-hand PHH file (.phhs), hidden as for one hand.",
		Errors:  []errs.Kind{errs.NotFound}},
		Run: func(ctx context.Context, c ops.Caller, in TableHands) (table.PHHDoc, error) {
			p, err := in.Page.check()
			if err != nil {
				return table.PHHDoc{}, err
			}
			return s.Tables.TablePHH(ctx, c.ID(), in.TableID, p.Limit, p.Offset)
		}})
	o.Balance = ops.Add(r, &ops.Def[ops.None, Balance]{D: ops.Desc{Name: "poker.balance", Access: ops.Player,
		Summary: "The caller's USDC: available, locked at the tables, and the total."},
		Run: func(ctx context.Context, c ops.Caller, _ ops.None) (Balance, error) { return s.Balance(ctx, c.ID()) }})
	o.Transactions = ops.Add(r, &ops.Def[Page, TxPage]{D: ops.Desc{Name: "poker.transactions", Access: ops.Player,
		Summary: "The movements of the caller's USDC balance (sandbox grant, deposits, withdrawals, buy-ins, cash-outs), newest first."},
		Run: func(ctx context.Context, c ops.Caller, in Page) (TxPage, error) {
			t, p, err := s.Transactions(ctx, c.ID(), in)
			return TxPage{Transactions: t, Page: p}, err
		}})
	o.Deposit = ops.Add(r, &ops.Def[DepositInput, Deposit]{D: ops.Desc{Name: "poker.deposit", Access: ops.Player, MovesMoney: true,
		Summary:     "Credit an on-chain USDC deposit to the platform address, by transaction hash (once per hash).",
		Description: "On the sandbox network any well-formed 0x hash is a deposit of 10.00 sandbox USDC, credited once.",
		Errors:      []errs.Kind{errs.Unavailable}},
		Run: func(ctx context.Context, c ops.Caller, in DepositInput) (Deposit, error) {
			return s.Deposit(ctx, c.ID(), in.TxHash)
		}})
	o.Withdraw = ops.Add(r, &ops.Def[WithdrawInput, Withdrawal]{D: ops.Desc{Name: "poker.withdraw", Access: ops.Player, MovesMoney: true,
		Summary: "Withdraw USDC to the caller's registered wallet.",
		Errors:  []errs.Kind{errs.InsufficientBalance, errs.Unavailable, errs.Conflict}},
		Run: func(ctx context.Context, c ops.Caller, in WithdrawInput) (Withdrawal, error) {
			return s.Withdraw(ctx, c.ID(), c.IdempotencyKey, in.Amount)
		}})
	o.Withdrawal = ops.Add(r, &ops.Def[ByID, Withdrawal]{D: ops.Desc{Name: "poker.withdrawal.get", Access: ops.Player,
		Summary: "One of the caller's withdrawals and its status.", Errors: []errs.Kind{errs.NotFound}},
		Run: func(ctx context.Context, c ops.Caller, in ByID) (Withdrawal, error) {
			return s.Withdrawal(ctx, c.ID(), in.ID)
		}})
	o.Tables = ops.Add(r, &ops.Def[ops.None, []table.TableInfo]{D: ops.Desc{Name: "poker.tables.list", Access: ops.Public,
		Summary: "The running tables."},
		Run: func(context.Context, ops.Caller, ops.None) ([]table.TableInfo, error) { return s.Tables.Tables(), nil }})
	o.Table = ops.Add(r, &ops.Def[ByID, table.State]{D: ops.Desc{Name: "poker.tables.get", Access: ops.Public,
		Summary: "A running table's public snapshot (the table_state message without hole cards).", Errors: []errs.Kind{errs.NotFound}},
		Run: func(ctx context.Context, _ ops.Caller, in ByID) (table.State, error) {
			return s.Tables.TableState(ctx, in.ID)
		}})
	o.Accounting = ops.Add(r, &ops.Def[ops.None, Accounting]{D: ops.Desc{Name: "poker.accounting", Access: ops.Platform,
		Summary: "USDC conservation: deposits equal balances plus in-play stacks, rake and withdrawals (platform account only)."},
		Run: func(ctx context.Context, _ ops.Caller, _ ops.None) (Accounting, error) { return s.Accounting(ctx) }})
	o.Revenue = ops.Add(r, &ops.Def[ops.None, Revenue]{D: ops.Desc{Name: "poker.revenue", Access: ops.Platform,
		Summary: "Rake collected in total and today (UTC), and the hands settled (platform account only)."},
		Run: func(ctx context.Context, _ ops.Caller, _ ops.None) (Revenue, error) { return s.Revenue(ctx) }})
	o.Config = ops.Add(r, &ops.Def[ops.None, Config]{D: ops.Desc{Name: "poker.config", Access: ops.Public,
		Summary: "Non-sensitive runtime configuration: blinds, buy-ins, rake, timings, the network."},
		Run: func(context.Context, ops.Caller, ops.None) (Config, error) { return s.PublicConfig(), nil }})
	return o
}
