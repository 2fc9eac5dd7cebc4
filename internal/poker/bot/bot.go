// Package bot is Arcade's reference poker bot: a client of the Open Poker WebSocket protocol at
// /poker/ws (docs/poker-ws.md) that joins the lobby, plays a simple seeded strategy, rebuys or
// leaves when busted, and leaves after a number of hands. The tests play several of them against
// each other; cmd/pokerbot runs one against any server.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"
)

// Pace keeps a bot under the server's 20 messages a second per connection.
const Pace = 15

// Bot is one player.
type Bot struct {
	URL   string // ws://host/poker/ws
	Key   string // API key
	BuyIn string // dollars, e.g. "1.00"; "" for the server's default
	Hands int    // leave after this many hand results (0: play until ctx ends)
	Seed  uint64 // the strategy's randomness
	// Rebuy after busting ("" leaves instead).
	Rebuy string
	// OnFrame sees every server frame (for logs and tests).
	OnFrame func(typ string, raw []byte)
	// OnSend is called just before each frame is written, with its type (the load generator
	// times an action from here to its player_action broadcast).
	OnSend func(typ string)
}

// Stats is what a bot saw.
type Stats struct {
	AgentID  string
	TableID  string
	HandIDs  []string
	Actions  int
	Rejected int
	Errors   []string
	Returned json.Number // left_table's returned stack
	LastSeq  int64
	Busted   int
}

// frame is the subset of server fields the bot reads.
type frame struct {
	Type         string          `json:"type"`
	AgentID      string          `json:"agent_id"`
	TableID      string          `json:"table_id"`
	HandID       string          `json:"hand_id"`
	TableSeq     int64           `json:"table_seq"`
	Code         string          `json:"code"`
	Message      string          `json:"message"`
	Reason       string          `json:"reason"`
	TurnToken    string          `json:"turn_token"`
	ValidActions []validAction   `json:"valid_actions"`
	Returned     json.Number     `json:"returned"`
	Options      []string        `json:"options"`
	Waiting      string          `json:"waiting_reason"`
	Raw          json.RawMessage `json:"-"`
}

type validAction struct {
	Action string      `json:"action"`
	Amount json.Number `json:"amount"`
	Min    json.Number `json:"min"`
	Max    json.Number `json:"max"`
}

// Action is what the bot sends.
type Action struct {
	Type           string      `json:"type"`
	Action         string      `json:"action"`
	Amount         json.Number `json:"amount,omitempty"`
	HandID         string      `json:"hand_id,omitempty"`
	TurnToken      string      `json:"turn_token,omitempty"`
	ClientActionID string      `json:"client_action_id,omitempty"`
}

// Decide is the reference strategy: mostly check or call, sometimes a minimum raise, rarely a
// fold when facing a bet.
func Decide(r *rand.Rand, valid []validAction) (string, json.Number) {
	has := map[string]validAction{}
	for _, v := range valid {
		has[v.Action] = v
	}
	x := r.IntN(100)
	if v, ok := has["raise"]; ok && x < 15 {
		return "raise", v.Min
	}
	if _, ok := has["check"]; ok {
		return "check", ""
	}
	if _, ok := has["call"]; ok && x < 90 {
		return "call", ""
	}
	if _, ok := has["fold"]; ok {
		return "fold", ""
	}
	return valid[0].Action, ""
}

// Play connects, plays and leaves. It returns what it saw; an error means the protocol broke
// (a close it did not ask for, an undecodable frame).
func (b *Bot) Play(ctx context.Context) (*Stats, error) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+b.Key)
	c, _, err := websocket.Dial(ctx, b.URL, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, fmt.Errorf("bot: dial: %w", err)
	}
	defer c.CloseNow()
	st := &Stats{}
	r := rand.New(rand.NewPCG(b.Seed, 17))
	pace := rate.NewLimiter(Pace, 5)
	var last []byte
	send := func(v any) error {
		bs, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := pace.Wait(ctx); err != nil {
			return err
		}
		last = bs
		if b.OnSend != nil {
			var t struct {
				Type string `json:"type"`
			}
			_ = json.Unmarshal(bs, &t)
			b.OnSend(t.Type)
		}
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return c.Write(wctx, websocket.MessageText, bs)
	}
	leaving := false
	n := 0
	for {
		_, raw, err := c.Read(ctx)
		if err != nil {
			return st, fmt.Errorf("bot: read: %w", err)
		}
		var f frame
		if err := json.Unmarshal(raw, &f); err != nil {
			return st, fmt.Errorf("bot: frame %s: %w", raw, err)
		}
		if b.OnFrame != nil {
			b.OnFrame(f.Type, raw)
		}
		if f.TableSeq > st.LastSeq {
			st.LastSeq = f.TableSeq
		}
		switch f.Type {
		case "connected":
			st.AgentID = f.AgentID
			j := map[string]any{"type": "join_lobby"}
			if b.BuyIn != "" {
				j["buy_in"] = json.Number(b.BuyIn)
			}
			if err := send(j); err != nil {
				return st, err
			}
		case "table_state":
			// Alone at the table after playing: nobody left to play with.
			if f.Waiting == "insufficient_players" && n > 0 && !leaving {
				leaving = true
				if err := send(map[string]string{"type": "leave_table"}); err != nil {
					return st, err
				}
			}
		case "table_joined":
			st.TableID = f.TableID
		case "hand_start":
			st.HandIDs = append(st.HandIDs, f.HandID)
		case "your_turn":
			if leaving {
				continue
			}
			act, amt := Decide(r, f.ValidActions)
			st.Actions++
			if err := send(Action{Type: "action", Action: act, Amount: amt, HandID: f.HandID, TurnToken: f.TurnToken,
				ClientActionID: "c-" + strconv.Itoa(st.Actions)}); err != nil {
				return st, err
			}
		case "action_rejected":
			st.Rejected++
			st.Errors = append(st.Errors, "rejected "+f.Code+": "+f.Reason)
		case "error":
			if f.Code == "rate_limited" && last != nil {
				// The message was dropped: send it again, slower.
				time.Sleep(200 * time.Millisecond)
				if err := send(json.RawMessage(last)); err != nil {
					return st, err
				}
				continue
			}
			st.Errors = append(st.Errors, f.Code+": "+f.Message)
			if f.Code == "auth_failed" {
				return st, errors.New("bot: auth_failed")
			}
		case "hand_result":
			n++
			if b.Hands > 0 && n >= b.Hands && !leaving {
				leaving = true
				if err := send(map[string]string{"type": "leave_table"}); err != nil {
					return st, err
				}
			}
		case "busted":
			st.Busted++
			if b.Rebuy != "" && !leaving {
				if err := send(map[string]any{"type": "rebuy", "amount": json.Number(b.Rebuy)}); err != nil {
					return st, err
				}
			} else if !leaving {
				leaving = true
				if err := send(map[string]string{"type": "leave_table"}); err != nil {
					return st, err
				}
			}
		case "left_table":
			st.Returned = f.Returned
			_ = c.Close(websocket.StatusNormalClosure, "bye")
			return st, nil
		}
	}
}
