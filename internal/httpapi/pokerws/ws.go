package pokerws

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/httpapi"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/poker/table"
)

// Close codes besides the standard ones.
const (
	CloseAuthFailed = 4001 // the handshake's API key is missing or wrong
	CloseReplaced   = 4002 // a newer connection of the same agent took over
)

// PerSecond is the message rate a connection may send (burst the same); extra messages are
// dropped with a rate_limited error.
const PerSecond = 20

// Server serves /poker/ws.
type Server struct {
	Ops  *table.Ops
	Gate *ops.Gate
	Log  *slog.Logger
}

// Register adds GET /poker/ws to the router.
func (s *Server) Register(rt *httpapi.Router) {
	rt.Handle(httpapi.Op{Method: "GET", Path: "/poker/ws", ID: "pokerWebSocket", Tag: "poker", Operation: s.Ops.Connect.Desc().Name,
		Summary:     "The Open Poker bot protocol over WebSocket (docs/poker-ws.md).",
		Description: "Upgrade with Authorization: Bearer <API key>; a bad key gets an auth_failed error frame and close code 4001.",
		Handler:     s.serve})
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	key := bearer(r)
	caller, err := s.Gate.Resolve(ctx, key, "ws", r.RemoteAddr)
	c, aerr := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if aerr != nil {
		return
	}
	defer c.CloseNow()
	c.SetReadLimit(HardLimit)
	if key == "" || err != nil {
		msg := "send Authorization: Bearer <API key> in the handshake"
		if err != nil {
			msg = "the API key is not valid"
		}
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = c.Write(wctx, websocket.MessageText, errorFrame("auth_failed", msg))
		cancel()
		_ = c.Close(CloseAuthFailed, "auth_failed")
		return
	}
	conn, err := s.Ops.Connect.Invoke(ctx, caller, ops.None{})
	if err != nil {
		_ = c.Close(websocket.StatusInternalError, "unavailable")
		return
	}
	defer conn.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	replies := make(chan []byte, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.write(ctx, c, conn, replies)
		cancel()
	}()
	reply := func(b []byte) {
		select {
		case replies <- b:
		case <-ctx.Done():
		}
	}
	reply(message("connected", map[string]string{"agent_id": caller.Account.ID, "name": conn.Player.Name}))
	lim := rate.NewLimiter(PerSecond, PerSecond)
	for {
		b, err := read(ctx, c)
		if err != nil {
			if errors.Is(err, errTooBig) {
				reply(errorFrame("invalid_message", "frame larger than 4096 bytes"))
				continue
			}
			break
		}
		if !lim.Allow() {
			reply(errorFrame("rate_limited", "more than 20 messages a second; message dropped"))
			continue
		}
		f, err := Decode(b)
		if err != nil {
			var fe *FrameError
			errors.As(err, &fe)
			if f.Type == "action" {
				reply(message("action_rejected", map[string]any{"client_action_id": f.ClientActionID, "code": fe.Code,
					"reason": fe.Message, "details": map[string]string{"code": fe.Code}}))
			} else {
				reply(errorFrame(fe.Code, fe.Message))
			}
			continue
		}
		if out := s.handle(ctx, caller, f); out != nil {
			reply(out)
		}
	}
	cancel()
	<-done
}

var errTooBig = errors.New("frame too big")

// read reads one message; one larger than MaxFrame is drained and reported as errTooBig.
func read(ctx context.Context, c *websocket.Conn) ([]byte, error) {
	_, rd, err := c.Reader(ctx)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(rd, MaxFrame+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFrame {
		if _, err := io.Copy(io.Discard, rd); err != nil {
			return nil, err
		}
		return nil, errTooBig
	}
	return b, nil
}

// write is the connection's only writer: replies to the client's frames and the table updates,
// in the order they are produced. A newer connection of the agent closes this one with 4002.
func (s *Server) write(ctx context.Context, c *websocket.Conn, conn *table.Conn, replies <-chan []byte) {
	send := func(b []byte) bool {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return c.Write(wctx, websocket.MessageText, b) == nil
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-conn.Replaced:
			_ = c.Close(CloseReplaced, "replaced by a newer connection")
			return
		case b := <-replies:
			if !send(b) {
				return
			}
		case <-conn.Ready:
			for _, u := range conn.Take() {
				b, err := Encode(u)
				if err != nil {
					s.Log.Error("encode frame", "type", u.Type, "err", err)
					continue
				}
				if !send(b) {
					return
				}
			}
		}
	}
}

// handle runs one client frame; it returns a direct reply, or nil when the answer comes as
// table updates.
func (s *Server) handle(ctx context.Context, c ops.Caller, f Frame) []byte {
	switch f.Type {
	case "ping":
		return message("pong", nil)
	case "join_lobby":
		if _, err := s.Ops.Join.Invoke(ctx, c, table.JoinInput{BuyIn: f.BuyIn}); err != nil {
			return s.fail(err)
		}
		return nil // lobby_joined and table_joined come as updates
	case "action":
		_, err := s.Ops.Act.Invoke(ctx, c, table.Act{Action: f.Action, Amount: f.Amount, HandID: f.HandID,
			TurnToken: f.TurnToken, ClientActionID: f.ClientActionID})
		if err == nil || errors.Is(err, table.ErrRejected) {
			return nil
		}
		code, msg := codeOf(err, s.Log)
		return message("action_rejected", map[string]any{"client_action_id": f.ClientActionID, "code": code,
			"reason": msg, "details": map[string]string{"code": code}})
	case "rebuy":
		if _, err := s.Ops.Rebuy.Invoke(ctx, c, table.RebuyInput{Amount: f.Amount}); err != nil {
			return s.fail(err)
		}
		return nil
	case "leave_table":
		if _, err := s.Ops.Leave.Invoke(ctx, c, ops.None{}); err != nil {
			return s.fail(err)
		}
		return nil
	case "spectate":
		if _, err := s.Ops.Spectate.Invoke(ctx, c, table.SpectateInput{TableID: f.TableID}); err != nil {
			return s.fail(err)
		}
		return nil // a table_state follows
	case "stop_spectating":
		if _, err := s.Ops.Unwatch.Invoke(ctx, c, ops.None{}); err != nil {
			return s.fail(err)
		}
		return message("spectating_stopped", nil)
	case "table_state_request":
		st, err := s.Ops.State.Invoke(ctx, c, ops.None{})
		if err != nil {
			return s.fail(err)
		}
		b, _ := Encode(table.Update{Type: "table_state", TableID: st.TableID, Body: &st})
		return b
	case "resync_request":
		r, err := s.Ops.Resync.Invoke(ctx, c, table.ResyncInput{TableID: f.TableID, LastSeq: f.LastTableSeq})
		if err != nil && errs.KindOf(err) != errs.NotFound {
			return s.fail(err)
		}
		if err != nil {
			r = table.Resync{Role: "spectator", FromSeq: f.LastTableSeq}
		}
		b, _ := Encode(table.Update{Type: "resync_response", Body: &r})
		return b
	}
	return errorFrame("unknown_message", "unknown message type")
}

func (s *Server) fail(err error) []byte {
	code, msg := codeOf(err, s.Log)
	return errorFrame(code, msg)
}

// codeOf is the one table from domain errors to the protocol's error codes.
func codeOf(err error, log *slog.Logger) (string, string) {
	e := errs.As(err)
	if e == nil {
		if log != nil {
			log.Error("poker ws", "err", err)
		}
		return "internal_error", "something went wrong; retry"
	}
	switch e.Kind {
	case errs.Validation:
		return "invalid_message", e.Error()
	case errs.InsufficientBalance:
		return "insufficient_funds", "your USDC balance does not cover the buy-in"
	case errs.RateLimited:
		return "rate_limited", e.Message
	}
	if e.Code != "" {
		return strings.ToLower(e.Code), e.Message
	}
	switch e.Kind {
	case errs.NotFound:
		return "not_found", e.Message
	case errs.Conflict:
		return "conflict", e.Message
	case errs.Unauthorized, errs.Forbidden:
		return "auth_failed", e.Message
	case errs.Unavailable:
		return "unavailable", e.Message
	case errs.Locked:
		return "locked", e.Message
	case errs.TooLarge:
		return "invalid_message", e.Message
	case errs.PaymentRequired:
		return "insufficient_funds", e.Message
	}
	return "internal_error", "something went wrong; retry"
}
