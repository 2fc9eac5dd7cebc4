package table

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/poker/card"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
)

// Config is the poker tables' configuration. DefaultConfig gives the dollar era of the Open Poker
// protocol notes: blinds 0.01/0.02 and buy-ins from 1.00.
type Config struct {
	Seats           int
	SmallBlind      money.Amount
	BigBlind        money.Amount
	MinBuyIn        money.Amount
	MaxBuyIn        money.Amount
	DefaultBuyIn    money.Amount // a join_lobby without buy_in
	RakeBasisPoints int64        // of each pot; no flop, no drop (the engine's rule)
	RakeCap         money.Amount // per hand
	ActionTimeout   time.Duration
	HandDelay       time.Duration // pause between hands
	MaxMissed       int           // consecutive timed-out turns before the seat is removed; 0: never
	ReconnectWindow time.Duration // a seat without a connection is kept this long
	SandboxGrant    money.Amount  // USDC a newly registered poker agent starts with; 0: none (a real chain)
	RotateEvery     uint64        // retire (and so reveal) a table's seed every this many hands; 0: only when it closes
	Lease           time.Duration // how long an instance's tables outlive its last lease renewal; 0: DefaultLease
}

// DefaultConfig is the dollar-era table: 6-max, blinds 0.01/0.02, buy-in 1.00 to 5.00 (2.00 by
// default), 5% rake capped at 0.10 a hand, 120 s to act, 3 missed turns, 30 s to reconnect,
// 10.00 sandbox USDC for a new agent, a new deck seed every 100 hands.
func DefaultConfig() Config {
	return Config{Seats: 6, SmallBlind: 10_000, BigBlind: 20_000, MinBuyIn: 1_000_000, MaxBuyIn: 5_000_000,
		DefaultBuyIn: 2_000_000, RakeBasisPoints: 500, RakeCap: 100_000, ActionTimeout: 120 * time.Second,
		HandDelay: 2 * time.Second, MaxMissed: 3, ReconnectWindow: 30 * time.Second, SandboxGrant: 10_000_000,
		RotateEvery: 100}
}

// Player is a poker agent known to the service: its connection's update queue and its seat.
type Player struct {
	ID   string
	Name string

	mu       sync.Mutex
	out      *outbox
	table    *Table
	watching *Table
	seat     int
	gone     func() bool // stops the reconnection timer

	pendingReason string // table goroutine only
}

// outboxSize bounds a connection's queue; a reader that falls this far behind loses frames.
const outboxSize = 1024

// outbox is a connection's queue of updates. It grows with the backlog and holds nothing while
// the connection is idle (a buffered channel of outboxSize would hold ~72 KiB per connection
// from the start: the memory of an idle agent).
type outbox struct {
	mu    sync.Mutex
	q     []Update
	ready chan struct{} // capacity 1: signalled when updates are queued
}

func newOutbox() *outbox { return &outbox{ready: make(chan struct{}, 1)} }

func (o *outbox) push(u Update) {
	o.mu.Lock()
	if len(o.q) >= outboxSize {
		o.mu.Unlock()
		return
	}
	o.q = append(o.q, u)
	o.mu.Unlock()
	select {
	case o.ready <- struct{}{}:
	default:
	}
}

func (o *outbox) take() []Update {
	o.mu.Lock()
	defer o.mu.Unlock()
	q := o.q
	o.q = nil
	return q
}

func (p *Player) deliver(u Update) {
	p.mu.Lock()
	out := p.out
	p.mu.Unlock()
	if out != nil {
		out.push(u)
	}
}

func (p *Player) setTable(t *Table, seat int) {
	p.mu.Lock()
	p.table, p.seat = t, seat
	p.mu.Unlock()
}

func (p *Player) setWatching(t *Table) {
	p.mu.Lock()
	p.watching = t
	p.mu.Unlock()
}

func (p *Player) watched() *Table {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.watching
}

func (p *Player) current() *Table {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.table
}

// Conn is one connection of a player: its updates, until Close or until a newer connection of
// the same player replaces it (Replaced is closed then).
type Conn struct {
	Player *Player
	// Ready receives a signal when updates are queued; Take then returns them in order.
	Ready    <-chan struct{}
	Replaced <-chan struct{}
	replaced chan struct{}
	out      *outbox
	svc      *Service
}

// Take returns the queued updates, oldest first, and empties the queue.
func (c *Conn) Take() []Update { return c.out.take() }

// Close detaches the connection. The seat is kept for the reconnection window.
func (c *Conn) Close() { c.svc.detach(c) }

// Service runs the poker tables and owns their transactions.
type Service struct {
	DB       *store.DB
	Accounts *account.Service
	Seeds    seeds.Engine
	Now      func() time.Time
	Rand     io.Reader
	Log      *slog.Logger
	Cfg      Config
	Clock    Clock // nil: real time

	match    sync.Mutex // one seating at a time: the lobby queue is served in turn
	mu       sync.Mutex
	players  map[string]*Player
	conns    map[string]*Conn
	tables   []*Table
	queue    int    // players being seated (lobby position)
	instance string // the lease this instance holds (lease.go); "" before Start
	renew    sync.Mutex
	renewing atomic.Bool
}

var errNoRows = sql.ErrNoRows

var _ Bank = (*Service)(nil)

func (s *Service) clock() Clock {
	if s.Clock == nil {
		return realClock{}
	}
	return s.Clock
}

func (s *Service) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

// scope is a table's seed chain.
func scope(tableID string) string { return "poker:" + tableID }

// SignUp is a new poker agent: its account, its key (shown once) and its sandbox balance.
type SignUp struct {
	Account account.Account
	Key     account.Key
	Sandbox money.Amount
}

// Register creates a poker agent with a spec-002 key; on the embedded sandbox it starts with
// Cfg.SandboxGrant USDC, a transfer from external:USDC labelled "sandbox".
func (s *Service) Register(ctx context.Context, name string) (SignUp, error) {
	if l := len(name); l == 0 || l > 64 {
		return SignUp{}, errs.Invalid("name", "must be 1 to 64 characters")
	}
	return s.RegisterAgent(ctx, account.New{Kind: account.Agent, Name: name})
}

// RegisterAgent is Register with the whole profile (spec 002's POST /register; the caller has
// validated it).
func (s *Service) RegisterAgent(ctx context.Context, n account.New) (SignUp, error) {
	var out SignUp
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
		now := store.Now(ctx)
		if out.Account, err = account.Create(ctx, q, now, n); err != nil {
			return err
		}
		if out.Key, err = account.IssueKey(ctx, q, now, s.Rand, out.Account.ID, account.PrefixPoker); err != nil {
			return err
		}
		if s.Cfg.SandboxGrant > 0 {
			out.Sandbox = s.Cfg.SandboxGrant
			return ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.USDC, From: ledger.SystemAccount(ledger.External, money.USDC),
				To: ledger.UserAccount(out.Account.ID, money.USDC), Amount: s.Cfg.SandboxGrant, Kind: "sandbox", Ref: out.Account.ID})
		}
		return nil
	})
	out.Account.KeyPrefix = out.Key.Prefix
	return out, err
}

func (s *Service) player(a account.Account) *Player {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.players == nil {
		s.players, s.conns = map[string]*Player{}, map[string]*Conn{}
	}
	p := s.players[a.ID]
	if p == nil {
		name := a.Name
		if name == "" {
			name = "agent-" + a.ID[:8]
		}
		p = &Player{ID: a.ID, Name: name, seat: -1}
		s.players[a.ID] = p
	}
	return p
}

// Connect attaches a connection for the account; a previous connection is replaced (its
// Replaced channel closes) and the reconnection timer stops.
func (s *Service) Connect(a account.Account) *Conn {
	p := s.player(a)
	c := &Conn{Player: p, replaced: make(chan struct{}), svc: s}
	c.Replaced = c.replaced
	out := newOutbox()
	c.out, c.Ready = out, out.ready
	s.mu.Lock()
	if old := s.conns[p.ID]; old != nil {
		close(old.replaced)
	}
	s.conns[p.ID] = c
	s.mu.Unlock()
	p.mu.Lock()
	p.out = out
	if p.gone != nil {
		p.gone()
		p.gone = nil
	}
	p.mu.Unlock()
	return c
}

func (s *Service) detach(c *Conn) {
	s.mu.Lock()
	if s.conns[c.Player.ID] != c {
		s.mu.Unlock()
		return
	}
	delete(s.conns, c.Player.ID)
	s.mu.Unlock()
	p := c.Player
	p.mu.Lock()
	p.out = nil
	if p.table != nil && s.Cfg.ReconnectWindow > 0 {
		p.gone = s.clock().AfterFunc(s.Cfg.ReconnectWindow, func() {
			s.mu.Lock()
			_, back := s.conns[p.ID]
			s.mu.Unlock()
			if !back {
				_, _ = s.leave(context.Background(), p, "disconnected")
			}
		})
	}
	p.mu.Unlock()
}

// Lobby is join_lobby's answer.
type Lobby struct {
	Position      int    `json:"position"`
	EstimatedWait string `json:"estimated_wait"`
}

// JoinLobby queues the player with a buy-in (0: the default), moves the buy-in from its balance
// to in-play, and seats it at the fullest table with a free seat (a new table when none has
// one). lobby_joined and then table_joined are delivered on the player's connection.
func (s *Service) JoinLobby(ctx context.Context, p *Player, buyIn money.Amount) (Lobby, error) {
	if buyIn == 0 {
		buyIn = s.Cfg.DefaultBuyIn
	}
	if buyIn < s.Cfg.MinBuyIn || buyIn > s.Cfg.MaxBuyIn {
		return Lobby{}, errs.Invalid("buy_in", "must be between %s and %s", s.Cfg.MinBuyIn, s.Cfg.MaxBuyIn)
	}
	if t := p.current(); t != nil {
		return Lobby{}, &errs.Error{Kind: errs.Conflict, Code: "already_seated", Message: "already seated at table " + t.ID}
	}
	s.StopSpectating(ctx, p)
	s.mu.Lock()
	s.queue++
	pos := s.queue
	s.mu.Unlock()
	defer func() { s.mu.Lock(); s.queue--; s.mu.Unlock() }()
	if _, err := s.BuyIn(ctx, "", p.ID, buyIn); err != nil {
		return Lobby{}, err
	}
	lobby := Lobby{Position: pos, EstimatedWait: "~0s"}
	// lobby_joined goes through the connection's queue, so it precedes table_joined.
	p.deliver(Update{Type: "lobby_joined", Body: &lobby})
	s.match.Lock()
	defer s.match.Unlock()
	if t := p.current(); t != nil { // a join from another connection got there first
		if err := s.CashOut(ctx, "", p.ID, buyIn); err != nil {
			s.logger().Error("refund buy-in", "account", p.ID, "err", err)
		}
		return Lobby{}, &errs.Error{Kind: errs.Conflict, Code: "already_seated", Message: "already seated at table " + t.ID}
	}
	for range 8 {
		t, err := s.pick(ctx)
		if err != nil {
			break
		}
		err = t.call(ctx, func() error { return t.seatPlayer(p, buyIn) })
		if err == nil {
			return lobby, nil
		}
		if !errors.Is(err, ErrClosed) && errs.KindOf(err) != errs.Conflict {
			break
		}
	}
	if err := s.CashOut(ctx, "", p.ID, buyIn); err != nil {
		s.logger().Error("refund buy-in", "account", p.ID, "err", err)
	}
	return Lobby{}, errs.Unavailablef("no table could seat you; retry")
}

// pick returns the fullest open table with a free seat, or a new one.
func (s *Service) pick(ctx context.Context) (*Table, error) {
	s.mu.Lock()
	var best *Table
	for _, t := range s.tables {
		if n := t.Players(); n < s.Cfg.Seats && (best == nil || n > best.Players()) {
			best = t
		}
	}
	s.mu.Unlock()
	if best != nil {
		return best, nil
	}
	return s.open(ctx)
}

func (s *Service) open(ctx context.Context) (*Table, error) {
	id := "t-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:12]
	owner := s.Instance()
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		if err := s.hold(ctx, q, owner); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO poker_tables (id, small_blind, big_blind, seats, created_at, owner) VALUES (?, ?, ?, ?, ?, ?)`,
			id, int64(s.Cfg.SmallBlind), int64(s.Cfg.BigBlind), s.Cfg.Seats, now.UnixMicro(), owner); err != nil {
			return fmt.Errorf("poker: new table: %w", err)
		}
		_, err := s.Seeds.Current(ctx, q, now, ledger.PlatformID, scope(id))
		return err
	})
	if err != nil {
		return nil, err
	}
	t, err := newTable(id, s.Cfg, s, s.clock(), s.logger())
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.tables = append(s.tables, t)
	s.mu.Unlock()
	return t, nil
}

// seated returns the player's table or not_at_table.
func seated(p *Player) (*Table, error) {
	t := p.current()
	if t == nil {
		return nil, &errs.Error{Kind: errs.NotFound, Code: "not_at_table", Message: "you are not seated at a table; send join_lobby"}
	}
	return t, nil
}

// Spectate watches a running table without a seat: its public frames and a table_state with no
// hero (an Arcade addition; a bot may ignore it).
func (s *Service) Spectate(ctx context.Context, p *Player, tableID string) error {
	if t := p.current(); t != nil {
		return &errs.Error{Kind: errs.Conflict, Code: "already_seated", Message: "already seated at table " + t.ID}
	}
	var t *Table
	s.mu.Lock()
	for _, o := range s.tables {
		if o.ID == tableID {
			t = o
		}
	}
	s.mu.Unlock()
	if t == nil {
		return &errs.Error{Kind: errs.NotFound, Code: "table_not_found", Message: "no running table " + tableID}
	}
	s.StopSpectating(ctx, p)
	return t.call(ctx, func() error { return t.watch(p) })
}

// StopSpectating stops watching the table watched, if any.
func (s *Service) StopSpectating(ctx context.Context, p *Player) {
	if t := p.watched(); t != nil {
		_ = t.call(ctx, func() error { t.unwatch(p); return nil })
		p.setWatching(nil)
	}
}

// Act passes a decision to the player's table. Table-level refusals are also sent to the
// connection as action_rejected; acceptance as action_ack.
func (s *Service) Act(ctx context.Context, p *Player, a Act) error {
	t, err := seated(p)
	if err != nil {
		return err
	}
	return t.call(ctx, func() error { return t.act(p, a) })
}

// State is the player's table snapshot.
func (s *Service) State(ctx context.Context, p *Player) (State, error) {
	t, err := seated(p)
	if err != nil {
		return State{}, err
	}
	var st State
	err = t.call(ctx, func() error { st = t.state(p); return nil })
	return st, err
}

// Resync replays the public frames after last and a snapshot.
func (s *Service) Resync(ctx context.Context, p *Player, tableID string, last int64) (Resync, error) {
	t, err := seated(p)
	if err != nil {
		return Resync{Role: "spectator", FromSeq: last}, err
	}
	if tableID != "" && tableID != t.ID {
		return Resync{}, &errs.Error{Kind: errs.NotFound, Code: "table_not_found", Message: "you are not at table " + tableID}
	}
	var r Resync
	err = t.call(ctx, func() error { r = t.resync(p, last); return nil })
	return r, err
}

// Rebuy buys a busted player back in.
func (s *Service) Rebuy(ctx context.Context, p *Player, amount money.Amount) error {
	if amount < s.Cfg.MinBuyIn || amount > s.Cfg.MaxBuyIn {
		return errs.Invalid("amount", "must be between %s and %s", s.Cfg.MinBuyIn, s.Cfg.MaxBuyIn)
	}
	t, err := seated(p)
	if err != nil {
		return err
	}
	return t.call(ctx, func() error { return t.rebuy(ctx, p, amount) })
}

// Leave stands the player up: at once between hands, at the end of the hand otherwise (folding
// when its turn comes). The stack goes back to the balance.
func (s *Service) Leave(ctx context.Context, p *Player) (pending bool, err error) {
	return s.leave(ctx, p, "left")
}

func (s *Service) leave(ctx context.Context, p *Player, reason string) (bool, error) {
	t, err := seated(p)
	if err != nil {
		return false, err
	}
	var pending bool
	err = t.call(ctx, func() error { var err error; pending, err = t.leave(p, reason); return err })
	return pending, err
}

// TableInfo is a running table in a listing.
type TableInfo struct {
	ID         string
	Seats      int
	Players    int
	SmallBlind money.Amount
	BigBlind   money.Amount
	HandNumber uint64 // the latest hand dealt (0 before the first)
}

// Tables lists the running tables.
func (s *Service) Tables() []TableInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TableInfo, 0, len(s.tables))
	for _, t := range s.tables {
		out = append(out, TableInfo{ID: t.ID, Seats: s.Cfg.Seats, Players: t.Players(), SmallBlind: s.Cfg.SmallBlind,
			BigBlind: s.Cfg.BigBlind, HandNumber: t.HandNumber()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// TableState is a running table's public snapshot (table_state without a hero).
func (s *Service) TableState(ctx context.Context, tableID string) (State, error) {
	var t *Table
	s.mu.Lock()
	for _, o := range s.tables {
		if o.ID == tableID {
			t = o
		}
	}
	s.mu.Unlock()
	if t == nil {
		return State{}, &errs.Error{Kind: errs.NotFound, Code: "table_not_found", Message: "no running table " + tableID}
	}
	var st State
	err := t.call(ctx, func() error { st = t.state(nil); return nil })
	return st, err
}

// Seated is where an agent sits, if anywhere.
type Seated struct {
	Playing bool
	TableID string
	Seat    int
	Stack   money.Amount // its stack now (during a hand: what it has not yet put in)
}

// ActiveGame says whether the account sits at a table, where and with what stack.
func (s *Service) ActiveGame(ctx context.Context, accountID string) (Seated, error) {
	s.mu.Lock()
	p := s.players[accountID]
	s.mu.Unlock()
	if p == nil {
		return Seated{}, nil
	}
	t := p.current()
	if t == nil {
		return Seated{}, nil
	}
	var out Seated
	err := t.call(ctx, func() error {
		if i, st := t.seatOf(p); st != nil {
			out = Seated{Playing: true, TableID: t.ID, Seat: i, Stack: t.stackOf(i)}
		}
		return nil
	})
	if errors.Is(err, ErrClosed) {
		return Seated{}, nil
	}
	return out, err
}

// Stats are the live figures of /health's game block.
type Stats struct {
	ActiveTables      int
	ActiveConnections int
	LobbyQueue        int
}

// Stats counts the running tables, the open connections and the players being seated.
func (s *Service) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{ActiveTables: len(s.tables), ActiveConnections: len(s.conns), LobbyQueue: s.queue}
}

// --- Bank: the transactions ---

// BuyIn moves amount from the account's USDC balance to its in-play account and returns the
// balance left.
func (s *Service) BuyIn(ctx context.Context, tableID, accountID string, amount money.Amount) (money.Amount, error) {
	var bal money.Amount
	owner := s.Instance()
	err := s.DB.WriteFor(ctx, accountID, func(ctx context.Context, q store.Q) (err error) {
		user := ledger.UserAccount(accountID, money.USDC)
		now := store.Now(ctx)
		if err := s.hold(ctx, q, owner); err != nil {
			return err
		}
		bal, err = ledger.PostRead(ctx, q, now, user, ledger.Transfer{Asset: money.USDC, From: user,
			To: ledger.OwnedAccount(ledger.InPlay, money.USDC, accountID), Amount: amount, Kind: "poker_buy_in", Ref: ref(tableID, accountID)})
		if err != nil {
			return err
		}
		return addStack(ctx, q, now, owner, accountID, amount)
	})
	return bal, s.lost(err)
}

// addStack changes what an agent holds at the tables (poker_stacks). The stack belongs to one
// owner (instance) at a time: a buy-in on another instance while chips are in play on the first
// is refused, so a recovery of either returns exactly what that instance's tables hold.
func addStack(ctx context.Context, q store.Q, now time.Time, owner, accountID string, delta money.Amount) error {
	if delta < 0 {
		// An UPDATE: an INSERT's candidate row would fail the CHECK before the upsert applies.
		res, err := q.Exec(ctx, `UPDATE poker_stacks SET amount = amount + ?, updated_at = ? WHERE account_id = ?`,
			int64(delta), now.UnixMicro(), accountID)
		if err != nil {
			return fmt.Errorf("poker: stack of %s: %w", accountID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("poker: no stack recorded for %s", accountID)
		}
		return nil
	}
	res, err := q.Exec(ctx, `INSERT INTO poker_stacks (account_id, amount, updated_at, owner) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET amount = poker_stacks.amount + excluded.amount, updated_at = excluded.updated_at,
		owner = excluded.owner WHERE poker_stacks.amount = 0 OR poker_stacks.owner = excluded.owner`,
		accountID, int64(delta), now.UnixMicro(), owner)
	if err != nil {
		return fmt.Errorf("poker: stack of %s: %w", accountID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &errs.Error{Kind: errs.Conflict, Code: "already_seated", Message: "already playing on another server of this platform"}
	}
	return nil
}

// Recover returns to their balances the stacks of tables that stopped without their players
// leaving (a crash or a kill): tables live in memory, so at start every stack recorded is such a
// stack. It also closes those tables and retires their seeds, so their hands can be verified.
// Run it once at start, before any table opens.
func (s *Service) Recover(ctx context.Context) error {
	return s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		type stack struct {
			id  string
			amt int64
		}
		var stacks []stack
		rows, err := q.Query(ctx, `SELECT account_id, amount FROM poker_stacks WHERE amount > 0 ORDER BY account_id`)
		if err != nil {
			return fmt.Errorf("poker: recover: %w", err)
		}
		for rows.Next() {
			var st stack
			if err := rows.Scan(&st.id, &st.amt); err != nil {
				rows.Close()
				return err
			}
			stacks = append(stacks, st)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, st := range stacks {
			if err := ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.USDC, From: ledger.OwnedAccount(ledger.InPlay, money.USDC, st.id),
				To: ledger.UserAccount(st.id, money.USDC), Amount: money.Amount(st.amt), Kind: "poker_cash_out", Ref: "recover:" + st.id}); err != nil {
				return err
			}
		}
		if _, err := q.Exec(ctx, `DELETE FROM poker_stacks`); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `DELETE FROM poker_leases`); err != nil {
			return err
		}
		var open []string
		rows, err = q.Query(ctx, `SELECT id FROM poker_tables WHERE closed_at IS NULL ORDER BY id`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			open = append(open, id)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		for _, id := range open {
			if _, err := q.Exec(ctx, `UPDATE poker_tables SET closed_at = ? WHERE id = ?`, now.UnixMicro(), id); err != nil {
				return err
			}
			if _, _, err := s.Seeds.Rotate(ctx, q, now, ledger.PlatformID, scope(id)); err != nil {
				return err
			}
		}
		if len(stacks) > 0 || len(open) > 0 {
			s.logger().Info("poker: recovered", "stacks", len(stacks), "tables", len(open))
		}
		return nil
	})
}

// CashOut moves a stack back from in-play to the balance.
func (s *Service) CashOut(ctx context.Context, tableID, accountID string, amount money.Amount) error {
	owner := s.Instance()
	return s.lost(s.DB.WriteFor(ctx, accountID, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		if err := s.hold(ctx, q, owner); err != nil {
			return err
		}
		if err := ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.USDC, From: ledger.OwnedAccount(ledger.InPlay, money.USDC, accountID),
			To: ledger.UserAccount(accountID, money.USDC), Amount: amount, Kind: "poker_cash_out", Ref: ref(tableID, accountID)}); err != nil {
			return err
		}
		return addStack(ctx, q, now, owner, accountID, -amount)
	}))
}

func ref(tableID, accountID string) string {
	if tableID == "" {
		return "lobby:" + accountID
	}
	return tableID
}

// Deal draws the table's next nonce (the hand number) and derives the deck from it.
func (s *Service) Deal(ctx context.Context, tableID string) (Deal, error) {
	var d seeds.Draw
	var started time.Time
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
		now := store.Now(ctx)
		started = now
		if err := s.rotateIfDue(ctx, q, now, tableID); err != nil {
			return err
		}
		d, err = s.Seeds.Next(ctx, q, now, ledger.PlatformID, scope(tableID))
		return err
	})
	if err != nil {
		return Deal{}, err
	}
	deck, err := card.FromDeck(fairness.NewGenerator(d.Seed).Deck(d.ClientSeed, d.Nonce))
	if err != nil {
		return Deal{}, err
	}
	return Deal{HandID: fmt.Sprintf("%s-h%d", tableID, d.Nonce), SeedID: d.SeedID, Deck: deck, StartedAt: started,
		Fairness: Fairness{Commitment: d.Commitment, ClientSeed: d.ClientSeed, Nonce: d.Nonce}}, nil
}

// rotateIfDue retires the table's seed every Cfg.RotateEvery hands, before the next hand is
// drawn (every hand of the old seed is settled by then), so a running table's hands become
// verifiable. The next seed starts at the same nonce, so the nonce stays the hand number.
func (s *Service) rotateIfDue(ctx context.Context, q store.Q, now time.Time, tableID string) error {
	if s.Cfg.RotateEvery == 0 {
		return nil
	}
	pub, ok, err := seeds.Peek(ctx, q, ledger.PlatformID, scope(tableID))
	if err != nil || !ok || pub.NextNonce == 0 || pub.NextNonce%s.Cfg.RotateEvery != 0 {
		return err
	}
	if _, _, err := s.Seeds.Rotate(ctx, q, now, ledger.PlatformID, scope(tableID)); err != nil {
		return err
	}
	d, err := s.Seeds.Reserve(ctx, q, now, ledger.PlatformID, scope(tableID))
	if err != nil {
		return err
	}
	return seeds.Advance(ctx, q, d, pub.NextNonce)
}

// Settle records a complete hand and moves its chips in one transaction: each loser's in-play
// pays the winners' in-play accounts, then the rake account, so that every transfer is between
// two accounts of the same asset and the sums match the engine's results exactly.
func (s *Service) Settle(ctx context.Context, st Settlement) error {
	r := st.Result
	type flow struct {
		to  string
		amt int64
	}
	var gains []flow
	var losers []flow
	for i, acct := range st.Accounts {
		if acct == "" {
			continue
		}
		switch n := r.Net(i); {
		case n > 0:
			gains = append(gains, flow{ledger.OwnedAccount(ledger.InPlay, money.USDC, acct), n})
		case n < 0:
			losers = append(losers, flow{ledger.OwnedAccount(ledger.InPlay, money.USDC, acct), -n})
		}
	}
	if r.Rake > 0 {
		gains = append(gains, flow{ledger.SystemAccount(ledger.Rake, money.USDC), r.Rake})
	}
	var ts []ledger.Transfer
	gi := 0
	for _, l := range losers {
		for l.amt > 0 {
			if gi >= len(gains) {
				return fmt.Errorf("poker: hand %s does not balance", st.Deal.HandID)
			}
			m := min(l.amt, gains[gi].amt)
			kind := "poker_pot"
			if gains[gi].to == ledger.SystemAccount(ledger.Rake, money.USDC) {
				kind = "poker_rake"
			}
			ts = append(ts, ledger.Transfer{Asset: money.USDC, From: l.to, To: gains[gi].to, Amount: money.Amount(m), Kind: kind, Ref: st.Deal.HandID})
			l.amt -= m
			gains[gi].amt -= m
			if gains[gi].amt == 0 {
				gi++
			}
		}
	}
	if gi != len(gains) {
		return fmt.Errorf("poker: hand %s does not balance", st.Deal.HandID)
	}
	var pot int64
	for _, p := range r.Pots {
		pot += p.Amount
	}
	acts := st.Actions
	if acts == nil {
		acts = []ActionRecord{}
	}
	actions, err := json.Marshal(acts)
	if err != nil {
		return fmt.Errorf("poker: hand %s actions: %w", st.Deal.HandID, err)
	}
	owner := s.Instance()
	return s.lost(s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		if err := s.hold(ctx, q, owner); err != nil {
			return err
		}
		started := st.Deal.StartedAt
		if started.IsZero() || started.After(now) {
			started = now
		}
		if _, err := q.Exec(ctx, `INSERT INTO poker_hands (id, table_id, hand_no, seed_id, client_seed, nonce, button, pot, rake, board, created_at, started_at, actions, phh)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, st.Deal.HandID, st.TableID, int64(st.Deal.Fairness.Nonce), st.Deal.SeedID,
			st.Deal.Fairness.ClientSeed, int64(st.Deal.Fairness.Nonce), r.Button, pot, r.Rake, card.Join(r.Board, " "), now.UnixMicro(),
			started.UnixMicro(), string(actions), st.PHH); err != nil {
			return fmt.Errorf("poker: record hand: %w", err)
		}
		for i, acct := range st.Accounts {
			if acct == "" {
				continue
			}
			// Each agent's line of the hand history.
			if _, err := q.Exec(ctx, `INSERT INTO poker_hand_seats (hand_id, account_id, seat, stack_start, stack_end, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, st.Deal.HandID, acct, i, r.Start[i], r.Final[i], now.UnixMicro()); err != nil {
				return fmt.Errorf("poker: record hand seat: %w", err)
			}
			if n := r.Net(i); n != 0 {
				if err := addStack(ctx, q, now, owner, acct, money.Amount(n)); err != nil {
					return err
				}
			}
		}
		return ledger.Post(ctx, q, now, ts...)
	}))
}

// Closed retires an empty table: its seed is rotated, so every hand it dealt can be verified.
func (s *Service) Closed(ctx context.Context, t *Table) {
	s.mu.Lock()
	for i, o := range s.tables {
		if o == t {
			s.tables = append(s.tables[:i], s.tables[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		if _, err := q.Exec(ctx, `UPDATE poker_tables SET closed_at = ? WHERE id = ?`, now.UnixMicro(), t.ID); err != nil {
			return err
		}
		_, _, err := s.Seeds.Rotate(ctx, q, now, ledger.PlatformID, scope(t.ID))
		return err
	})
	if err != nil {
		s.logger().Error("close table", "table", t.ID, "err", err)
	}
}

// Commitment is the table's active seed commitment and client seed.
func (s *Service) Commitment(ctx context.Context, tableID string) (string, string) {
	var p seeds.Public
	_ = s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
		p, _, err = seeds.State(ctx, q, ledger.PlatformID, scope(tableID))
		return err
	})
	return p.Commitment, p.ClientSeed
}

// HandFairness is a hand's deck provenance, with the server seed once the table's seed is
// retired (the table closed).
type HandFairness struct {
	HandID  string
	TableID string
	Fairness
	Board string
}

// Hand reads a hand's fairness record.
func (s *Service) Hand(ctx context.Context, handID string) (HandFairness, error) {
	var h HandFairness
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		var seedID string
		var nonce int64
		err := q.QueryRow(ctx, `SELECT h.table_id, h.seed_id, h.client_seed, h.nonce, h.board, s.commitment FROM poker_hands h
			JOIN server_seeds s ON s.id = h.seed_id WHERE h.id = ?`, handID).Scan(&h.TableID, &seedID, &h.ClientSeed, &nonce, &h.Board, &h.Commitment)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundf("hand not found")
		}
		if err != nil {
			return fmt.Errorf("poker: read hand: %w", err)
		}
		h.HandID, h.Nonce = handID, uint64(nonce)
		rev, err := seeds.Reveal(ctx, q, seedID)
		if err == nil {
			h.ServerSeed = rev.Seed
		} else if errs.KindOf(err) != errs.Locked {
			return err
		}
		return nil
	})
	return h, err
}

// Close stops every table, returning each seated stack to its balance.
func (s *Service) Close(ctx context.Context) {
	s.mu.Lock()
	ts := append([]*Table(nil), s.tables...)
	s.mu.Unlock()
	for _, t := range ts {
		_ = t.call(ctx, func() error {
			// A hand in progress is abandoned: stacks are settled only at a hand's end, so each
			// seat still holds what the ledger holds for it.
			t.inHand = false
			if t.stop != nil {
				t.stop()
			}
			for i, st := range t.seats {
				if st != nil {
					t.remove(i, "table_closed")
				}
			}
			return nil
		})
	}
	// Expire the lease rather than delete it: anything a failed cash-out left in play is then
	// recovered by the next sweep of another instance (or the next start on SQLite).
	if id := s.Instance(); id != "" {
		if err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
			_, err := q.Exec(ctx, `UPDATE poker_leases SET lease_until = 0 WHERE instance_id = ?`, id)
			return err
		}); err != nil {
			s.logger().Error("poker: release lease", "err", err)
		}
	}
}
