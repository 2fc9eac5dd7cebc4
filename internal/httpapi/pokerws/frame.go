// Package pokerws is the Open Poker bot protocol over WebSocket at /poker/ws (docs/poker-ws.md):
// it authenticates the API key of the handshake, decodes client frames into the poker
// operations of the registry (internal/poker/table), and renders the tables' updates as JSON
// frames with dollar amounts. It holds no rules and runs no SQL.
package pokerws

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/poker/table"
)

// MaxFrame is the largest client frame decoded; a larger one is answered with an
// invalid_message error and dropped (the connection stays open up to HardLimit).
const (
	MaxFrame  = 4096
	HardLimit = 1 << 20
)

// Frame is a decoded client frame.
type Frame struct {
	Type           string
	BuyIn          money.Amount
	Action         string
	Amount         money.Amount
	ClientActionID string
	HandID         string
	TurnToken      string
	TableID        string
	LastTableSeq   int64
}

// wire is a client frame as JSON; amounts are dollars as JSON numbers, read exactly.
type wire struct {
	Type           *string         `json:"type"`
	BuyIn          json.RawMessage `json:"buy_in"`
	Action         string          `json:"action"`
	Amount         json.RawMessage `json:"amount"`
	ClientActionID json.RawMessage `json:"client_action_id"`
	HandID         string          `json:"hand_id"`
	TurnToken      string          `json:"turn_token"`
	TableID        string          `json:"table_id"`
	LastTableSeq   *int64          `json:"last_table_seq"`
}

// FrameError is a frame the server refuses: Code is the protocol's error code.
type FrameError struct {
	Code    string
	Message string
}

func (e *FrameError) Error() string { return e.Code + ": " + e.Message }

func invalid(format string, a ...any) *FrameError {
	return &FrameError{Code: "invalid_message", Message: fmt.Sprintf(format, a...)}
}

// known client message types.
var known = map[string]bool{"join_lobby": true, "action": true, "rebuy": true, "leave_table": true,
	"resync_request": true, "table_state_request": true, "ping": true, "spectate": true, "stop_spectating": true}

// maxString bounds identifiers a client sends.
const maxString = 128

// Decode reads one client frame. It never panics; every refusal is a *FrameError.
func Decode(b []byte) (Frame, error) {
	if len(b) > MaxFrame {
		return Frame{}, invalid("frame is %d bytes; at most %d", len(b), MaxFrame)
	}
	var w wire
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&w); err != nil {
		return Frame{}, invalid("not a JSON object with the fields of a message: %v", shorten(err.Error()))
	}
	if d.More() {
		return Frame{}, invalid("one JSON object per frame")
	}
	if w.Type == nil || *w.Type == "" {
		return Frame{}, invalid("type is required")
	}
	f := Frame{Type: *w.Type, Action: w.Action, HandID: w.HandID, TurnToken: w.TurnToken, TableID: w.TableID}
	if !known[f.Type] {
		return f, &FrameError{Code: "unknown_message", Message: fmt.Sprintf("unknown message type %q", shorten(f.Type))}
	}
	for name, s := range map[string]string{"action": w.Action, "hand_id": w.HandID, "turn_token": w.TurnToken, "table_id": w.TableID} {
		if len(s) > maxString {
			return f, invalid("%s is longer than %d characters", name, maxString)
		}
	}
	var err error
	if f.BuyIn, err = dollars("buy_in", w.BuyIn); err != nil {
		return f, err
	}
	if f.Amount, err = dollars("amount", w.Amount); err != nil {
		return f, err
	}
	if len(w.ClientActionID) > 0 && string(w.ClientActionID) != "null" {
		if w.ClientActionID[0] != '"' || json.Unmarshal(w.ClientActionID, &f.ClientActionID) != nil {
			return f, invalid("client_action_id must be a string")
		}
		if len(f.ClientActionID) > maxString {
			return f, invalid("client_action_id is longer than %d characters", maxString)
		}
	}
	if w.LastTableSeq != nil {
		f.LastTableSeq = *w.LastTableSeq
	}
	switch f.Type {
	case "action":
		switch f.Action {
		case "fold", "check", "call", "all_in":
		case "raise", "bet":
			if f.Amount <= 0 {
				return f, invalid("raise needs amount: the raise-to total in dollars")
			}
		case "":
			return f, invalid("action is required")
		default:
			return f, &FrameError{Code: "invalid_action", Message: fmt.Sprintf("unknown action %q", shorten(f.Action))}
		}
	case "rebuy":
		if f.Amount <= 0 {
			return f, invalid("rebuy needs amount in dollars")
		}
	case "spectate":
		if f.TableID == "" {
			return f, invalid("spectate needs table_id")
		}
	case "resync_request":
		if f.LastTableSeq < 0 {
			return f, invalid("last_table_seq must not be negative")
		}
	}
	return f, nil
}

// dollars reads a JSON number of dollars exactly (at most six decimals, no exponent).
func dollars(field string, n json.RawMessage) (money.Amount, error) {
	if len(n) == 0 || string(n) == "null" {
		return 0, nil
	}
	if c := n[0]; c != '-' && (c < '0' || c > '9') {
		return 0, invalid("%s must be a number of dollars", field)
	}
	a, err := money.Parse(string(n))
	if err != nil || a < 0 {
		return 0, invalid("%s must be a non-negative number of dollars with at most six decimals", field)
	}
	return a, nil
}

func shorten(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// Encode renders a table update as a frame: the update's body with the envelope fields type,
// table_id, hand_id (when the body lacks them) and table_seq.
func Encode(u table.Update) ([]byte, error) {
	m, err := object(u.Body)
	if err != nil {
		return nil, err
	}
	if u.Type == "resync_response" {
		if r, ok := u.Body.(*table.Resync); ok {
			ev := make([]json.RawMessage, 0, len(r.Replayed))
			for _, e := range r.Replayed {
				b, err := Encode(e)
				if err != nil {
					return nil, err
				}
				ev = append(ev, b)
			}
			m["replayed_events"], _ = json.Marshal(ev)
		}
	}
	m["type"], _ = json.Marshal(u.Type)
	if u.Seq > 0 {
		m["table_seq"], _ = json.Marshal(u.Seq)
	}
	if _, ok := m["table_id"]; !ok && u.TableID != "" {
		m["table_id"], _ = json.Marshal(u.TableID)
	}
	if _, ok := m["hand_id"]; !ok && u.HandID != "" {
		m["hand_id"], _ = json.Marshal(u.HandID)
	}
	return json.Marshal(m)
}

func object(v any) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if v == nil {
		return m, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, errors.New("pokerws: frame body is not an object")
	}
	return m, nil
}

// message builds a server frame that is not a table update.
func message(typ string, body any) []byte {
	b, err := Encode(table.Update{Type: typ, Body: body})
	if err != nil {
		return []byte(`{"type":"error","code":"internal_error","message":"could not render a frame"}`)
	}
	return b
}

func errorFrame(code, msg string) []byte {
	return message("error", map[string]string{"code": code, "message": strings.TrimSpace(msg)})
}
