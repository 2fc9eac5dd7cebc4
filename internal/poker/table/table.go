package table

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/poker/card"
	"github.com/arcadehq/arcade/internal/poker/engine"
	"github.com/arcadehq/arcade/internal/poker/eval"
)

// Clock is the table's time: the action clock and the pause between hands. Tests use short
// durations or a fake.
type Clock interface {
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) AfterFunc(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }

// Deal is a hand's deck and where it came from.
type Deal struct {
	HandID    string
	SeedID    string
	StartedAt time.Time // when the deck was drawn (the hand history's started_at)
	Fairness  Fairness
	Deck      [52]card.Card
}

// Settlement is a complete hand as the ledger needs it.
type Settlement struct {
	TableID  string
	Deal     Deal
	Accounts [engine.MaxSeats]string // the account at each seat dealt in ("" otherwise)
	Result   *engine.Result
	Actions  []ActionRecord // every action of the hand, in order (the hand history's)
	PHH      string         // the hand as PHH with every hole card (served hidden per viewer)
}

// Bank is what a table needs from the service (consumer-owned): decks, and money moves, each in
// its own transaction.
type Bank interface {
	Deal(ctx context.Context, tableID string) (Deal, error)
	Settle(ctx context.Context, s Settlement) error
	CashOut(ctx context.Context, tableID, accountID string, amount money.Amount) error
	BuyIn(ctx context.Context, tableID, accountID string, amount money.Amount) (money.Amount, error)
	Closed(ctx context.Context, t *Table)
	Commitment(ctx context.Context, tableID string) (commitment, clientSeed string)
}

// ErrClosed is a command to a table that has closed.
var ErrClosed = errs.NotFoundf("table_not_found: the table has closed")

const historySize = 512

type seat struct {
	p       *Player
	stack   money.Amount
	busted  bool
	leaving bool
	missed  int
	dealt   bool // dealt into the current hand
}

type actRecord struct {
	payload string
	ack     ActionAck
}

// Table is one running table. Its fields after cmds are owned by its goroutine.
type Table struct {
	ID    string
	cfg   Config
	bank  Bank
	clock Clock
	log   *slog.Logger
	cmds  chan func()
	done  chan struct{}

	mu      sync.Mutex // guards players and listedHand for the listing
	players int
	listed  uint64 // the hand number of the latest hand dealt

	closed   bool
	seats    []*seat
	hand     *engine.Hand
	inHand   bool
	starting bool
	deal     Deal
	handNo   uint64
	button   int
	evDone   int
	seq      int64
	turn     string
	turnSeat int
	turnN    int
	stop     func() bool
	history  []Update
	actions  []ActionRecord
	acted    map[string]actRecord // this hand's actions by player and client_action_id
	watchers map[*Player]bool     // spectators: public frames only
	accounts [engine.MaxSeats]string
}

func newTable(id string, cfg Config, bank Bank, clock Clock, log *slog.Logger) (*Table, error) {
	h, err := engine.New(engine.Config{Seats: cfg.Seats, SmallBlind: int64(cfg.SmallBlind), BigBlind: int64(cfg.BigBlind),
		RakeBasisPoints: cfg.RakeBasisPoints, RakeCap: int64(cfg.RakeCap)})
	if err != nil {
		return nil, err
	}
	t := &Table{ID: id, cfg: cfg, bank: bank, clock: clock, log: log.With("table", id), cmds: make(chan func(), 64),
		done: make(chan struct{}), seats: make([]*seat, cfg.Seats), hand: h, button: -1, turnSeat: -1}
	go t.run()
	return t, nil
}

func (t *Table) run() {
	defer close(t.done)
	for f := range t.cmds {
		f()
		if t.closed {
			return
		}
	}
}

// call runs f on the table goroutine and waits for it.
func (t *Table) call(ctx context.Context, f func() error) error {
	errc := make(chan error, 1)
	g := func() {
		if t.closed {
			errc <- ErrClosed
			return
		}
		errc <- f()
	}
	select {
	case t.cmds <- g:
	case <-t.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-errc:
		return err
	case <-t.done:
		select {
		case err := <-errc:
			return err
		default:
			return ErrClosed
		}
	}
}

// post queues f without waiting (timers); dropped once the table has closed.
func (t *Table) post(f func()) {
	go func() {
		select {
		case t.cmds <- func() {
			if !t.closed {
				f()
			}
		}:
		case <-t.done:
		}
	}()
}

// Players is how many seats are taken.
func (t *Table) Players() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.players
}

// HandNumber is the number of the latest hand dealt (0 before the first).
func (t *Table) HandNumber() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.listed
}

func (t *Table) countPlayers() {
	n := 0
	for _, s := range t.seats {
		if s != nil {
			n++
		}
	}
	t.mu.Lock()
	t.players = n
	t.mu.Unlock()
}

func (t *Table) bg() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// --- sending ---

func (t *Table) next() int64 { t.seq++; return t.seq }

func (t *Table) handID() string {
	if !t.inHand {
		return ""
	}
	return t.deal.HandID
}

// send gives one player a private frame.
func (t *Table) send(p *Player, typ string, body any) {
	p.deliver(Update{Type: typ, TableID: t.ID, HandID: t.handID(), Seq: t.next(), Body: body})
}

// broadcast gives every seated player the same frame and keeps it for resyncs.
func (t *Table) broadcast(typ string, body any) {
	u := Update{Type: typ, TableID: t.ID, HandID: t.handID(), Seq: t.next(), Body: body}
	t.history = append(t.history, u)
	if len(t.history) > historySize {
		t.history = append(t.history[:0:0], t.history[len(t.history)-historySize/2:]...)
	}
	for _, s := range t.seats {
		if s != nil {
			s.p.deliver(u)
		}
	}
	for p := range t.watchers {
		p.deliver(u)
	}
}

// watch adds a spectator: it gets the public frames (never hole cards) and a table_state.
func (t *Table) watch(p *Player) error {
	if _, s := t.seatOf(p); s != nil {
		return &errs.Error{Kind: errs.Conflict, Code: "already_seated", Message: "you are seated at this table"}
	}
	if t.watchers == nil {
		t.watchers = map[*Player]bool{}
	}
	t.watchers[p] = true
	p.setWatching(t)
	st := t.state(nil)
	t.send(p, "table_state", &st)
	return nil
}

func (t *Table) unwatch(p *Player) {
	delete(t.watchers, p)
	p.setWatching(nil)
}

func (t *Table) sendState(p *Player) {
	st := t.state(p)
	t.send(p, "table_state", &st)
}

func (t *Table) name(i int) string {
	if s := t.seats[i]; s != nil {
		return s.p.Name
	}
	return ""
}

func (t *Table) stackOf(i int) money.Amount {
	s := t.seats[i]
	if s == nil {
		return 0
	}
	if t.inHand && s.dealt {
		return money.Amount(t.hand.Stack(i))
	}
	return s.stack
}

func cardsOf(cs []card.Card) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

func amt(v int64) *money.Amount { a := money.Amount(v); return &a }

// --- state ---

func (t *Table) infos() []PlayerInfo {
	out := []PlayerInfo{}
	for i, s := range t.seats {
		if s != nil {
			out = append(out, PlayerInfo{Seat: i, Name: s.p.Name, Stack: t.stackOf(i).Decimal()})
		}
	}
	return out
}

func (t *Table) state(hero *Player) State {
	st := State{TableID: t.ID, HandID: t.handID(), HandNumber: t.handNo, Street: "idle", DealerSeat: t.button,
		SmallBlind: t.cfg.SmallBlind.Decimal(), BigBlind: t.cfg.BigBlind.Decimal(), Board: []string{}}
	ctx, cancel := t.bg()
	st.SeedCommitment, st.ClientSeed = t.bank.Commitment(ctx, t.ID)
	cancel()
	if t.inHand {
		st.Street = t.hand.Street().String()
		st.Pot = money.Amount(t.hand.Pot()).Decimal()
		st.Board = cardsOf(t.hand.Board())
		if a := t.hand.Legal(); a.Seat >= 0 {
			seat := a.Seat
			st.ActorSeat = &seat
			st.ToCall = money.DecimalPtr(amt(a.CallAmount))
			if a.CanRaise {
				st.MinRaiseTo, st.MaxRaiseTo = money.DecimalPtr(amt(a.MinRaiseTo)), money.DecimalPtr(amt(a.MaxRaiseTo))
			}
		}
	} else {
		st.WaitingReason = "insufficient_players"
		if t.ready() >= 2 {
			st.WaitingReason = "between_hands_delay"
		}
	}
	for i, s := range t.seats {
		v := Seat{Seat: i, Status: "empty"}
		if s != nil {
			v.Name, v.Stack, v.Status = s.p.Name, t.stackOf(i).Decimal(), "active"
			if s.busted {
				v.Status = "busted"
			}
			if t.inHand && s.dealt {
				v.InHand = true
				v.Folded = t.hand.Folded(i)
				v.Bet = money.Amount(t.hand.Bet(i)).Decimal()
			}
			if hero != nil && s.p == hero {
				h := &Hero{Seat: i, HoleCards: []string{}}
				if t.inHand && s.dealt {
					hc := t.hand.Hole(i)
					h.HoleCards = cardsOf(hc[:])
					if t.turnSeat == i {
						h.ValidActions = t.valid(t.hand.Legal())
						h.TurnToken = t.turn
					}
				}
				st.Hero = h
			}
		}
		st.Seats = append(st.Seats, v)
	}
	return st
}

func (t *Table) valid(a engine.Actions) []ValidAction {
	var out []ValidAction
	if a.CanFold {
		out = append(out, ValidAction{Action: "fold"})
	}
	if a.CanCheck {
		out = append(out, ValidAction{Action: "check"})
	}
	if a.CanCall {
		out = append(out, ValidAction{Action: "call", Amount: money.DecimalPtr(amt(a.CallAmount))})
	}
	if a.CanRaise && a.MinRaiseTo < a.MaxRaiseTo {
		out = append(out, ValidAction{Action: "raise", Min: money.DecimalPtr(amt(a.MinRaiseTo)), Max: money.DecimalPtr(amt(a.MaxRaiseTo))})
	}
	switch {
	case a.CanRaise:
		out = append(out, ValidAction{Action: "all_in", Amount: money.DecimalPtr(amt(a.MaxRaiseTo))})
	case a.CanCall && a.CallAmount == t.hand.Stack(a.Seat):
		out = append(out, ValidAction{Action: "all_in", Amount: money.DecimalPtr(amt(a.CallAmount))})
	}
	return out
}

// --- seating ---

// seatPlayer seats p with a stack already moved to in-play.
func (t *Table) seatPlayer(p *Player, stack money.Amount) error {
	free := -1
	for i, s := range t.seats {
		if s == nil {
			free = i
			break
		}
	}
	if free < 0 {
		return errs.Conflictf("table_full: the table is full")
	}
	t.seats[free] = &seat{p: p, stack: stack}
	t.countPlayers()
	p.setTable(t, free)
	t.send(p, "table_joined", &TableJoined{TableID: t.ID, Seat: free, Players: t.infos()})
	for i, s := range t.seats {
		if s != nil && i != free {
			t.send(s.p, "player_joined", &PlayerJoined{Seat: free, Name: p.Name, Stack: stack.Decimal()})
		}
	}
	t.sendState(p)
	t.maybeStart()
	return nil
}

func (t *Table) seatOf(p *Player) (int, *seat) {
	for i, s := range t.seats {
		if s != nil && s.p == p {
			return i, s
		}
	}
	return -1, nil
}

// remove cashes a seat out and empties it.
func (t *Table) remove(i int, reason string) {
	s := t.seats[i]
	ctx, cancel := t.bg()
	defer cancel()
	returned := s.stack
	if returned > 0 {
		if err := t.bank.CashOut(ctx, t.ID, s.p.ID, returned); err != nil {
			t.log.Error("cash out", "account", s.p.ID, "err", err)
			returned = 0
		}
	}
	t.send(s.p, "left_table", &LeftTable{TableID: t.ID, Returned: returned.Decimal(), Reason: reason})
	t.seats[i] = nil
	t.countPlayers()
	s.p.setTable(nil, -1)
	t.broadcast("player_left", &PlayerLeft{Seat: i, Name: s.p.Name, Reason: reason})
	if !t.inHand {
		for _, o := range t.seats {
			if o != nil {
				t.sendState(o.p)
			}
		}
	}
	empty := true
	for _, o := range t.seats {
		if o != nil {
			empty = false
		}
	}
	if empty && !t.inHand {
		t.close(ctx)
	}
}

// abandon stops a table whose instance lost its lease: the hand in play is not settled and no
// stack is paid (the recovery returned what the ledger held for each seat); players and
// spectators are told with table_closed, reason "lease_lost".
func (t *Table) abandon() {
	t.inHand = false
	if t.stop != nil {
		t.stop()
	}
	for i, s := range t.seats {
		if s == nil {
			continue
		}
		t.send(s.p, "table_closed", map[string]string{"table_id": t.ID, "reason": "lease_lost"})
		t.seats[i] = nil
		s.p.setTable(nil, -1)
	}
	t.countPlayers()
	for p := range t.watchers {
		t.send(p, "table_closed", map[string]string{"table_id": t.ID, "reason": "lease_lost"})
		t.unwatch(p)
	}
	t.closed = true
}

// close retires the empty table; its spectators are told.
func (t *Table) close(ctx context.Context) {
	for p := range t.watchers {
		t.send(p, "table_closed", map[string]string{"table_id": t.ID, "reason": "empty"})
		t.unwatch(p)
	}
	t.closed = true
	t.bank.Closed(ctx, t)
}

func (t *Table) leave(p *Player, reason string) (bool, error) {
	i, s := t.seatOf(p)
	if s == nil {
		return false, errs.NotFoundf("not_at_table: you are not seated at this table")
	}
	if t.inHand && s.dealt && !t.hand.Folded(i) && t.hand.InHand(i) {
		s.leaving = true
		if t.turnSeat == i {
			t.autoAct(i, "left")
		}
		return true, nil
	}
	t.remove(i, reason)
	return false, nil
}

func (t *Table) rebuy(ctx context.Context, p *Player, amount money.Amount) error {
	_, s := t.seatOf(p)
	if s == nil {
		return errs.NotFoundf("not_at_table: you are not seated at this table")
	}
	if !s.busted {
		return errs.Conflictf("not_busted: rebuy is offered after busting")
	}
	bal, err := t.bank.BuyIn(ctx, t.ID, p.ID, amount)
	if err != nil {
		return err
	}
	s.stack, s.busted, s.missed = amount, false, 0
	t.send(p, "rebuy_confirmed", &RebuyConfirmed{NewStack: amount.Decimal(), Balance: bal.Decimal()})
	t.maybeStart()
	return nil
}

// --- hands ---

func (t *Table) ready() int {
	n := 0
	for _, s := range t.seats {
		if s != nil && s.stack > 0 && !s.leaving {
			n++
		}
	}
	return n
}

func (t *Table) maybeStart() {
	if t.inHand || t.starting || t.ready() < 2 {
		return
	}
	t.starting = true
	t.clock.AfterFunc(t.cfg.HandDelay, func() { t.post(t.startHand) })
}

func (t *Table) startHand() {
	t.starting = false
	if t.inHand || t.ready() < 2 {
		return
	}
	ctx, cancel := t.bg()
	d, err := t.bank.Deal(ctx, t.ID)
	cancel()
	if err != nil {
		t.log.Error("deal", "err", err)
		t.maybeStartLater()
		return
	}
	stacks := make([]int64, t.cfg.Seats)
	t.accounts = [engine.MaxSeats]string{}
	for i, s := range t.seats {
		if s != nil {
			s.dealt = s.stack > 0 && !s.leaving
			if s.dealt {
				stacks[i] = int64(s.stack)
				t.accounts[i] = s.p.ID
			}
		}
	}
	button := engine.NextButton(stacks, t.button)
	if err := t.hand.Start(stacks, button, &d.Deck); err != nil {
		t.log.Error("start hand", "err", err)
		return
	}
	t.deal, t.handNo, t.button, t.inHand, t.evDone = d, d.Fairness.Nonce, button, true, 0
	t.mu.Lock()
	t.listed = t.handNo
	t.mu.Unlock()
	t.actions, t.acted, t.turnN = nil, map[string]actRecord{}, 0
	sb, bb := t.hand.Blinds()
	for i, s := range t.seats {
		if s != nil {
			t.send(s.p, "hand_start", &HandStart{HandID: d.HandID, HandNumber: d.Fairness.Nonce, Seat: i, DealerSeat: button,
				SmallSeat: sb, BigSeat: bb, Blinds: Blinds{t.cfg.SmallBlind.Decimal(), t.cfg.BigBlind.Decimal()}, Fairness: d.Fairness})
		}
	}
	for i, s := range t.seats {
		if s != nil && s.dealt {
			hc := t.hand.Hole(i)
			t.send(s.p, "hole_cards", &HoleCards{HandID: d.HandID, Cards: cardsOf(hc[:])})
		}
	}
	t.step()
}

func (t *Table) maybeStartLater() {
	t.starting = true
	t.clock.AfterFunc(time.Second, func() { t.post(t.startHand) })
}

// step broadcasts the engine's new events, then prompts the next actor or finishes the hand.
func (t *Table) step() {
	evs := t.hand.Events()
	for _, e := range evs[t.evDone:] {
		t.event(e)
	}
	t.evDone = len(evs)
	if t.hand.Phase() == engine.Complete {
		t.finish()
		return
	}
	a := t.hand.Legal()
	if a.Seat < 0 {
		return
	}
	t.prompt(a)
}

func (t *Table) event(e engine.Event) {
	i := int(e.Seat)
	var kind string
	var amount *money.Amount
	switch e.Kind {
	case engine.EvFold:
		kind = "fold"
	case engine.EvCheck:
		kind = "check"
	case engine.EvCall:
		kind, amount = "call", amt(e.Amount)
	case engine.EvBet, engine.EvRaise:
		kind, amount = "raise", amt(e.To)
	case engine.EvBoard:
		board := t.hand.Board()
		n := int(e.N)
		end := 3
		switch e.Street {
		case engine.Turn:
			end = 4
		case engine.River:
			end = 5
		}
		t.broadcast("community_cards", &CommunityCards{HandID: t.deal.HandID, Street: e.Street.String(),
			Cards: cardsOf(e.Cards[:n]), Board: cardsOf(board[:min(end, len(board))])})
		return
	default:
		return
	}
	t.actions = append(t.actions, ActionRecord{Seat: i, Action: kind, Amount: money.DecimalPtr(amount), Street: e.Street.String()})
	pa := &PlayerAction{HandID: t.deal.HandID, Seat: i, Name: t.name(i), Action: kind, Amount: money.DecimalPtr(amount), AllIn: e.AllIn,
		Street: e.Street.String(), Stack: money.Amount(t.hand.Stack(i)).Decimal(), Pot: money.Amount(t.hand.Pot()).Decimal()}
	if t.seats[i] != nil && t.seats[i].p.pendingReason != "" {
		pa.Reason, t.seats[i].p.pendingReason = t.seats[i].p.pendingReason, ""
	}
	t.broadcast("player_action", pa)
}

func (t *Table) prompt(a engine.Actions) {
	t.turnN++
	t.turnSeat = a.Seat
	t.turn = "tt-" + strconv.FormatUint(t.handNo, 10) + "-" + strconv.Itoa(t.turnN)
	s := t.seats[a.Seat]
	if s.leaving {
		t.autoAct(a.Seat, "left")
		return
	}
	t.sendState(s.p)
	yt := &YourTurn{HandID: t.deal.HandID, Seat: a.Seat, ValidActions: t.valid(a), Pot: money.Amount(t.hand.Pot()).Decimal(),
		CommunityCards: cardsOf(t.hand.Board()), Players: t.infos(), ToCall: money.Amount(a.CallAmount).Decimal(),
		TurnToken: t.turn, TimeoutSeconds: t.cfg.ActionTimeout.Seconds()}
	if a.CanRaise {
		yt.MinRaise, yt.MaxRaise = money.DecimalPtr(amt(a.MinRaiseTo)), money.DecimalPtr(amt(a.MaxRaiseTo))
	}
	t.send(s.p, "your_turn", yt)
	token := t.turn
	t.stop = t.clock.AfterFunc(t.cfg.ActionTimeout, func() {
		t.post(func() {
			if t.inHand && t.turn == token {
				t.autoAct(a.Seat, "timeout")
			}
		})
	})
}

// autoAct checks or folds for a seat that timed out or left.
func (t *Table) autoAct(i int, reason string) {
	s := t.seats[i]
	if reason == "timeout" {
		s.missed++
	}
	s.p.pendingReason = reason
	t.apply(i, t.hand.Legal().Default())
}

func (t *Table) apply(i int, a engine.Action) error {
	if err := t.hand.Act(i, a); err != nil {
		return err
	}
	if t.stop != nil {
		t.stop()
		t.stop = nil
	}
	t.turnSeat, t.turn = -1, ""
	t.step()
	return nil
}

// Act is a player's decision as the protocol carries it.
type Act struct {
	Action         string
	Amount         money.Amount // raise: the raise-to total
	HandID         string
	TurnToken      string
	ClientActionID string
}

func (a Act) payload() string {
	return a.Action + "|" + a.Amount.String() + "|" + a.HandID + "|" + a.TurnToken
}

func (t *Table) reject(p *Player, a Act, code, reason string) error {
	t.send(p, "action_rejected", &ActionRejected{ClientActionID: a.ClientActionID, Code: code, Reason: reason,
		Details: map[string]string{"code": code}})
	return &errs.Error{Kind: errs.Conflict, Code: code, Message: reason, Err: ErrRejected}
}

// ErrRejected marks an action refusal already sent to the player as action_rejected.
var ErrRejected = errors.New("action rejected")

func (t *Table) act(p *Player, a Act) error {
	i, s := t.seatOf(p)
	if s == nil {
		return t.reject(p, a, "not_at_table", "you are not seated at this table")
	}
	if a.ClientActionID != "" {
		if r, ok := t.acted[p.ID+"\x00"+a.ClientActionID]; ok {
			if r.payload != a.payload() {
				return t.reject(p, a, "action_id_conflict", "client_action_id was used for another action")
			}
			t.send(p, "action_ack", &r.ack)
			return nil
		}
	}
	switch {
	case !t.inHand:
		return t.reject(p, a, "no_hand_in_progress", "no hand is in progress")
	case a.HandID != "" && a.HandID != t.deal.HandID:
		return t.reject(p, a, "stale_hand_action", "hand_id is not the current hand")
	case t.turnSeat != i:
		return t.reject(p, a, "not_your_turn", "it is not your turn")
	case a.TurnToken != "" && a.TurnToken != t.turn:
		return t.reject(p, a, "stale_turn_token", "turn_token is not the current turn's")
	}
	legal := t.hand.Legal()
	var ea engine.Action
	switch a.Action {
	case "fold":
		ea = engine.Action{Kind: engine.Fold}
	case "check":
		ea = engine.Action{Kind: engine.Check}
	case "call":
		ea = engine.Action{Kind: engine.Call}
	case "raise", "bet":
		ea = engine.Action{Kind: engine.Raise, Amount: int64(a.Amount)}
	case "all_in":
		switch {
		case legal.CanRaise:
			ea = engine.Action{Kind: engine.Raise, Amount: legal.MaxRaiseTo}
		case legal.CanCall:
			ea = engine.Action{Kind: engine.Call}
		default:
			return t.reject(p, a, "invalid_action", "all_in is not offered now")
		}
	default:
		return t.reject(p, a, "invalid_action", fmt.Sprintf("unknown action %q", a.Action))
	}
	if ea.Kind == engine.Raise && legal.CanRaise && (ea.Amount < legal.MinRaiseTo || ea.Amount > legal.MaxRaiseTo) {
		return t.reject(p, a, "invalid_action", fmt.Sprintf("raise must be to between %s and %s",
			money.Amount(legal.MinRaiseTo), money.Amount(legal.MaxRaiseTo)))
	}
	ack := ActionAck{ClientActionID: a.ClientActionID, Status: "accepted", HandID: t.deal.HandID, TurnToken: t.turn}
	if err := t.hand.Act(i, ea); err != nil {
		var ae *engine.ActionError
		if errors.As(err, &ae) {
			return t.reject(p, a, "invalid_action", ae.Err.Error())
		}
		return t.reject(p, a, "invalid_action", err.Error())
	}
	if a.ClientActionID != "" {
		t.acted[p.ID+"\x00"+a.ClientActionID] = actRecord{payload: a.payload(), ack: ack}
	}
	s.missed = 0
	t.send(p, "action_ack", &ack)
	if t.stop != nil {
		t.stop()
		t.stop = nil
	}
	t.turnSeat, t.turn = -1, ""
	t.step()
	return nil
}

func (t *Table) finish() {
	r := t.hand.Result()
	ctx, cancel := t.bg()
	defer cancel()
	settled := true
	doc, err := t.record()
	if err != nil {
		t.log.Error("record hand", "hand", t.deal.HandID, "err", err) // the hand still settles, without its PHH
	}
	if err := t.bank.Settle(ctx, Settlement{TableID: t.ID, Deal: t.deal, Accounts: t.accounts, Result: r, Actions: t.actions, PHH: doc}); err != nil {
		// The ledger kept the stacks of before the hand; so does the table.
		t.log.Error("settle hand", "hand", t.deal.HandID, "err", err)
		settled = false
	}
	res := &HandResult{HandID: t.deal.HandID, Rake: money.Amount(r.Rake).Decimal(), FinalStacks: map[string]money.Decimal{},
		ShownCards: map[string][]string{}, Board: cardsOf(r.Board), Actions: t.actions, Fairness: t.deal.Fairness}
	if res.Actions == nil {
		res.Actions = []ActionRecord{}
	}
	for _, p := range r.Pots {
		res.Pot += money.Decimal(p.Amount)
	}
	if !settled {
		// Nothing moved: the hand is void and every stack stays as it was before it.
		res.Void, res.Rake, r = true, 0, &engine.Result{Start: r.Start, Final: r.Start, Board: r.Board}
	}
	for i, s := range t.seats {
		if s == nil || !s.dealt {
			continue
		}
		if settled {
			s.stack = money.Amount(r.Final[i])
		}
		key := strconv.Itoa(i)
		res.FinalStacks[key] = s.stack.Decimal()
		if r.Shown[i] {
			res.ShownCards[key] = cardsOf(r.Hole[i][:])
		}
		if r.Won[i] > 0 {
			w := Winner{Seat: i, Name: s.p.Name, Stack: s.stack.Decimal(), Amount: money.Amount(r.Won[i]).Decimal()}
			if r.Shown[i] && r.Ranks[i] != 0 {
				w.HandDescription = eval.Rank(r.Ranks[i]).String()
			}
			res.Winners = append(res.Winners, w)
			res.Payouts = append(res.Payouts, Payout{Seat: i, Amount: money.Amount(r.Won[i]).Decimal()})
		}
	}
	t.inHand, t.turnSeat, t.turn = false, -1, ""
	for _, s := range t.seats {
		if s != nil {
			t.sendState(s.p)
		}
	}
	t.broadcast("hand_result", res)
	for i, s := range t.seats {
		if s == nil {
			continue
		}
		dealt := s.dealt
		s.dealt = false
		switch {
		case s.leaving:
			t.remove(i, "left")
		case t.cfg.MaxMissed > 0 && s.missed >= t.cfg.MaxMissed:
			t.remove(i, "missed_hands")
		case dealt && s.stack == 0:
			s.busted = true
			t.send(s.p, "busted", &Busted{TableID: t.ID, Seat: i, Options: []string{"rebuy", "leave"}})
			// A busted seat that neither rebuys nor leaves within the action time is stood up,
			// so it does not hold a seat others could use.
			p := s.p
			t.clock.AfterFunc(t.cfg.ActionTimeout, func() {
				t.post(func() {
					if j, s := t.seatOf(p); s != nil && s.busted {
						t.remove(j, "busted")
					}
				})
			})
		}
	}
	if !t.closed && t.ready() == 0 && t.Players() == 0 {
		t.close(ctx)
		return
	}
	t.maybeStart()
}

func (t *Table) resync(p *Player, last int64) Resync {
	r := Resync{Role: "spectator", FromSeq: last, ToSeq: t.seq}
	if _, s := t.seatOf(p); s != nil {
		r.Role = "player"
	}
	for _, u := range t.history {
		if u.Seq > last {
			r.Replayed = append(r.Replayed, u)
		}
	}
	st := t.state(p)
	r.Snapshot = &st
	return r
}
