package table

import (
	"github.com/arcadehq/arcade/internal/money"
)

// Update is one message from a table to one player. Type is the protocol's message type
// ("hand_start", "your_turn", ...); Body is its payload, whose JSON field names are the bot
// protocol's (docs/poker-ws.md). Amounts are money.Amount: micro-USDC inside, whole dollars with
// up to six decimals when a surface renders them as JSON numbers.
type Update struct {
	Type    string
	TableID string
	HandID  string
	Seq     int64 // table_seq: rises per table, may skip for one player (private frames of others)
	Body    any
}

// Seat is a seat as the players see it.
type Seat struct {
	Seat   int           `json:"seat"`
	Name   string        `json:"name"`
	Stack  money.Decimal `json:"stack"`
	Bet    money.Decimal `json:"bet"`
	Status string        `json:"status"` // active, busted, empty
	InHand bool          `json:"in_hand"`
	Folded bool          `json:"folded"`
}

// Player is a seat in short form (table_joined, your_turn).
type PlayerInfo struct {
	Seat  int           `json:"seat"`
	Name  string        `json:"name"`
	Stack money.Decimal `json:"stack"`
}

// ValidAction is one entry of your_turn's valid_actions.
type ValidAction struct {
	Action string         `json:"action"`
	Amount *money.Decimal `json:"amount,omitempty"` // call: chips to add; all_in: the raise-to (or call) total
	Min    *money.Decimal `json:"min,omitempty"`    // raise: smallest raise-to
	Max    *money.Decimal `json:"max,omitempty"`    // raise: largest raise-to
}

// Fairness is what a hand's deck came from (DESIGN §5): the table's committed server seed, the
// client seed the table publishes, and the nonce (the hand number).
type Fairness struct {
	Commitment string `json:"server_seed_hash"`
	ClientSeed string `json:"client_seed"`
	Nonce      uint64 `json:"nonce"`
	ServerSeed string `json:"server_seed,omitempty"` // once revealed
}

// Blinds are the table's forced bets.
type Blinds struct {
	SmallBlind money.Decimal `json:"small_blind"`
	BigBlind   money.Decimal `json:"big_blind"`
}

// TableJoined tells a player where it sits.
type TableJoined struct {
	TableID string       `json:"table_id"`
	Seat    int          `json:"seat"`
	Players []PlayerInfo `json:"players"`
}

// HandStart opens a hand.
type HandStart struct {
	HandID     string   `json:"hand_id"`
	HandNumber uint64   `json:"hand_number"`
	Seat       int      `json:"seat"`
	DealerSeat int      `json:"dealer_seat"`
	SmallSeat  int      `json:"small_blind_seat"`
	BigSeat    int      `json:"big_blind_seat"`
	Blinds     Blinds   `json:"blinds"`
	Fairness   Fairness `json:"fairness"`
}

// HoleCards are the receiver's two cards.
type HoleCards struct {
	HandID string   `json:"hand_id"`
	Cards  []string `json:"cards"`
}

// YourTurn asks the receiver to act.
type YourTurn struct {
	HandID         string         `json:"hand_id"`
	Seat           int            `json:"seat"`
	ValidActions   []ValidAction  `json:"valid_actions"`
	Pot            money.Decimal  `json:"pot"`
	CommunityCards []string       `json:"community_cards"`
	Players        []PlayerInfo   `json:"players"`
	ToCall         money.Decimal  `json:"to_call"`
	MinRaise       *money.Decimal `json:"min_raise"`
	MaxRaise       *money.Decimal `json:"max_raise"`
	TurnToken      string         `json:"turn_token"`
	TimeoutSeconds float64        `json:"timeout_seconds"`
}

// ActionAck accepts an action.
type ActionAck struct {
	ClientActionID string `json:"client_action_id,omitempty"`
	Status         string `json:"status"`
	HandID         string `json:"hand_id"`
	TurnToken      string `json:"turn_token,omitempty"`
}

// ActionRejected refuses an action; the player must still act before the deadline.
type ActionRejected struct {
	ClientActionID string            `json:"client_action_id,omitempty"`
	Code           string            `json:"code"`
	Reason         string            `json:"reason"`
	Details        map[string]string `json:"details"`
}

// PlayerAction broadcasts what a seat did.
type PlayerAction struct {
	HandID string         `json:"hand_id"`
	Seat   int            `json:"seat"`
	Name   string         `json:"name"`
	Action string         `json:"action"`                       // fold, check, call, raise (opening bets too)
	Amount *money.Decimal `json:"amount" jsonschema:"nullable"` // call: chips added; raise: the raise-to total; null otherwise
	AllIn  bool           `json:"all_in"`
	Street string         `json:"street"`
	Stack  money.Decimal  `json:"stack"`
	Pot    money.Decimal  `json:"pot"`
	Reason string         `json:"reason,omitempty"` // "timeout", "left"
}

// CommunityCards deals to the board: cards are the new cards, board the whole board so far.
type CommunityCards struct {
	HandID string   `json:"hand_id"`
	Street string   `json:"street"`
	Cards  []string `json:"cards"`
	Board  []string `json:"board"`
}

// Winner is one seat that collected chips.
type Winner struct {
	Seat            int           `json:"seat"`
	Name            string        `json:"name"`
	Stack           money.Decimal `json:"stack"`
	Amount          money.Decimal `json:"amount"`
	HandDescription string        `json:"hand_description,omitempty"`
}

// Payout is what a seat collected.
type Payout struct {
	Seat   int           `json:"seat"`
	Amount money.Decimal `json:"amount"`
}

// ActionRecord is one action of a hand's history.
type ActionRecord struct {
	Seat   int            `json:"seat"`
	Action string         `json:"action"`
	Amount *money.Decimal `json:"amount" jsonschema:"nullable"`
	Street string         `json:"street"`
}

// HandResult closes a hand.
type HandResult struct {
	HandID      string                   `json:"hand_id"`
	Winners     []Winner                 `json:"winners"`
	Pot         money.Decimal            `json:"pot"`
	Rake        money.Decimal            `json:"rake"`
	Payouts     []Payout                 `json:"payouts"`
	FinalStacks map[string]money.Decimal `json:"final_stacks"`
	ShownCards  map[string][]string      `json:"shown_cards"`
	Board       []string                 `json:"board"`
	Actions     []ActionRecord           `json:"actions"`
	Fairness    Fairness                 `json:"fairness"`
	// Void is set when the hand could not be settled: no chips moved.
	Void bool `json:"void,omitempty"`
}

// Busted tells a player its stack is gone.
type Busted struct {
	TableID string   `json:"table_id"`
	Seat    int      `json:"seat"`
	Options []string `json:"options"`
}

// RebuyConfirmed answers a rebuy.
type RebuyConfirmed struct {
	NewStack money.Decimal `json:"new_stack"`
	Balance  money.Decimal `json:"chip_balance"`
}

// PlayerJoined and PlayerLeft tell the table about seat changes.
type PlayerJoined struct {
	Seat  int           `json:"seat"`
	Name  string        `json:"name"`
	Stack money.Decimal `json:"stack"`
}

// PlayerLeft says a seat emptied and why ("left", "busted", "disconnected", "missed_hands").
type PlayerLeft struct {
	Seat   int    `json:"seat"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// LeftTable confirms to the leaver that its stack went back to its balance.
type LeftTable struct {
	TableID  string        `json:"table_id"`
	Returned money.Decimal `json:"returned"`
	Reason   string        `json:"reason"`
}

// Hero is the receiver's own view in a table_state.
type Hero struct {
	Seat         int           `json:"seat"`
	HoleCards    []string      `json:"hole_cards"`
	ValidActions []ValidAction `json:"valid_actions,omitempty"`
	TurnToken    string        `json:"turn_token,omitempty"`
}

// State is a table snapshot (table_state, resync_response's snapshot, GET /tables/{id} later).
type State struct {
	TableID       string         `json:"table_id"`
	HandID        string         `json:"hand_id"`
	HandNumber    uint64         `json:"hand_number"`
	Street        string         `json:"street"` // idle, preflop, flop, turn, river
	WaitingReason string         `json:"waiting_reason,omitempty"`
	DealerSeat    int            `json:"dealer_seat"`
	SmallBlind    money.Decimal  `json:"small_blind"`
	BigBlind      money.Decimal  `json:"big_blind"`
	Pot           money.Decimal  `json:"pot"`
	ActorSeat     *int           `json:"actor_seat" jsonschema:"nullable"`
	ToCall        *money.Decimal `json:"to_call,omitempty"`
	MinRaiseTo    *money.Decimal `json:"min_raise_to,omitempty"`
	MaxRaiseTo    *money.Decimal `json:"max_raise_to,omitempty"`
	Board         []string       `json:"board"`
	Seats         []Seat         `json:"seats"`
	Hero          *Hero          `json:"hero" jsonschema:"nullable"`
	// SeedCommitment is the table's active server seed commitment, ClientSeed its client seed.
	SeedCommitment string `json:"server_seed_hash"`
	ClientSeed     string `json:"client_seed"`
}

// Resync answers a resync_request: the public frames after LastSeq still held, then a snapshot.
type Resync struct {
	Role     string   `json:"role"` // player, spectator
	FromSeq  int64    `json:"from_table_seq"`
	ToSeq    int64    `json:"to_table_seq"`
	Replayed []Update `json:"-"`
	Snapshot *State   `json:"snapshot"`
}
