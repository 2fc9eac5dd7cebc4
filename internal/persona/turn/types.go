package turn

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/arcadehq/arcade/internal/persona"
)

// Roles of a message.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Limits of play.
const (
	MaxMessageBytes = 4000 // one player message
	MaxHistory      = 50   // most recent messages handed to an evaluator
	MaxTurns        = 500  // player messages per machine session
	MaxSessionVars  = 64   // variables one session may hold
)

// Message is one line of a conversation, as the caller stores it (the SDK's history item).
type Message struct {
	Role       string    `json:"role"`
	Content    string    `json:"content"`
	MachineKey string    `json:"machine_key"`
	StateKey   string    `json:"state_key_at_time"`
	Score      int       `json:"score_at_time"`
	Decision   string    `json:"decision,omitempty"`
	FollowUp   bool      `json:"follow_up_triggered"`
	At         time.Time `json:"created_at"`
}

// Player describes who plays, as init-session gives it.
type Player struct {
	Name   string `json:"player_name"`
	Gender string `json:"player_gender"`
}

// Session is one conversation with one machine.
type Session struct {
	MachineKey    string            `json:"machine_key"`
	StateKey      string            `json:"current_state"`
	Score         int               `json:"score"`
	RedirectCount int               `json:"redirect_count"`
	Turns         int               `json:"turns"`
	Outcome       string            `json:"outcome,omitempty"` // "" while the conversation is open
	Vars          map[string]string `json:"vars,omitempty"`    // extracted during this session
	Player        Player            `json:"player"`
	StartedAt     time.Time         `json:"started_at"`
	LastMessageAt time.Time         `json:"last_message_at"`
}

// Ended reports whether the conversation has an outcome.
func (s *Session) Ended() bool { return s.Outcome != "" }

// Completion records how a machine last ended.
type Completion struct {
	MachineKey  string    `json:"machine_key"`
	Outcome     string    `json:"outcome"`
	Score       int       `json:"score"`
	CompletedAt time.Time `json:"completed_at"`
}

// State is everything one player has done with one persona: the caller stores it (as JSON, or in
// columns) and passes it back on the next call.
type State struct {
	CurrentMachine string             `json:"current_machine_key,omitempty"`
	Sessions       map[string]Session `json:"sessions,omitempty"` // by machine_key
	// Completed holds the latest completion of each machine, in the order they happened.
	Completed []Completion `json:"completed_machines,omitempty"`
	// RoutePath lists the machines entered, in order (a re-entry right after itself is not repeated).
	RoutePath []string `json:"route_path,omitempty"`
	// Vars are the cross-machine variables: output variables of completed machines.
	Vars map[string]string `json:"cross_machine_vars,omitempty"`
	// Unlocked lists machines opened by a satisfied link, in the order they opened.
	Unlocked []string `json:"unlocked_machines,omitempty"`
}

// Clone returns a deep copy, so a turn can work on it and commit only on success.
func (s State) Clone() State {
	c := s
	c.Sessions = make(map[string]Session, len(s.Sessions))
	for k, v := range s.Sessions {
		v.Vars = maps.Clone(v.Vars)
		c.Sessions[k] = v
	}
	c.Completed = slices.Clone(s.Completed)
	c.RoutePath = slices.Clone(s.RoutePath)
	c.Vars = maps.Clone(s.Vars)
	c.Unlocked = slices.Clone(s.Unlocked)
	return c
}

// Choice is what an evaluator decided about a message.
type Choice int

const (
	NoMatch        Choice = iota // nothing applies: the engine treats it as a redirect
	TakeTransition               // Decision.Index names one of Input.Candidates
	AskFollowUp                  // Decision.Index names one of Input.FollowUps
)

// Candidate is a transition leaving the current state, with its index in Machine.Transitions.
type Candidate struct {
	Index int
	persona.Transition
}

// Input is what an evaluator judges.
type Input struct {
	Persona      *persona.Definition
	Machine      *persona.Machine
	MachineIndex int
	State        *persona.State
	Candidates   []Candidate        // in the order they are tried: priority, then listing order
	FollowUps    []persona.FollowUp // the state's follow-up conditions
	Message      string
	History      []Message         // this machine's most recent messages, oldest first
	Vars         map[string]string // persona defaults, then cross-machine, then session values
	Score        int
	Turn         int // 1 for the first player message of the session
	Redirects    int
	Player       Player
}

// Decision is an evaluator's answer. Index is into Input.Candidates or Input.FollowUps as Kind
// says; Vars are variables extracted from the message.
type Decision struct {
	Kind  Choice
	Index int
	Vars  map[string]string
}

// ReplyKind says why the NPC speaks.
type ReplyKind int

const (
	Opening  ReplyKind = iota // a session starts in the initial state
	Moved                     // a transition took the conversation to another state
	Stayed                    // a redirect (or nothing matched): the player tries again
	FollowUp                  // a follow-up condition held: ask the clarifying question
	Ended                     // the conversation ended with Outcome
)

// ReplyInput is what an evaluator needs to write the NPC's line.
type ReplyInput struct {
	Persona    *persona.Definition
	Machine    *persona.Machine
	Kind       ReplyKind
	From       *persona.State      // the state the message was judged in (nil for Opening)
	To         *persona.State      // the state the conversation is in now
	Transition *persona.Transition // the transition taken, if any
	FollowUp   *persona.FollowUp   // the follow-up asked, if any
	Outcome    string              // for Ended
	Message    string              // the player's message ("" for Opening)
	History    []Message
	Vars       map[string]string
	Score      int
	Player     Player
}

// ExtractInput is what an evaluator reads to fill a finished machine's output variables.
type ExtractInput struct {
	Persona *persona.Definition
	Machine *persona.Machine
	History []Message // the machine's messages, this turn's included
	Vars    map[string]string
	Outcome string
	Score   int
}

// Evaluator judges messages and writes replies. The rule-based evaluator answers from the
// definition's matchers and templates; a language model answers from the prompts. Name labels
// every answer it shapes (Result.Evaluator), e.g. "rule-based".
type Evaluator interface {
	Name() string
	Evaluate(ctx context.Context, in Input) (Decision, error)
	Reply(ctx context.Context, in ReplyInput) (string, error)
	// Extract returns values for some or all of Machine.OutputVariables (other keys are ignored).
	Extract(ctx context.Context, in ExtractInput) (map[string]string, error)
}

// Unlock is a machine opened by a link.
type Unlock struct {
	MachineKey    string `json:"machine_key"`
	Name          string `json:"name"`
	IsAutoAdvance bool   `json:"is_auto_advance"`
}

// Started is the answer to Start: the new session and the NPC's opening line.
type Started struct {
	MachineKey string
	Session    Session
	Reply      string
	Evaluator  string
	Messages   []Message // to append to the history: the opening line
}

// Result is the answer to one player message (the SDK's ChatResponse, minus ids).
type Result struct {
	Reply            string
	MachineKey       string
	StateKey         string
	Score            int
	Outcome          string // "" while open
	Decision         string // pass, redirect, reject, kick_out; "" for a follow-up
	FollowUp         bool
	ScoringMode      string
	RedirectCount    int
	MachineCompleted bool
	Unlocked         []Unlock // newly unlocked machines
	// Advanced is the session an auto-advance link started, with its opening line.
	Advanced  *Started
	Evaluator string
	// Messages are to append to the history: the player's message and the reply (and, after an
	// auto-advance, the next machine's opening line).
	Messages []Message
	// Extracted are the output variables this completion carried on.
	Extracted map[string]string
}
