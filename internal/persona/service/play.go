package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/rules"
	"github.com/arcadehq/arcade/internal/persona/turn"
	"github.com/arcadehq/arcade/internal/store"
)

// PlayRef names a player's conversation: the persona, the player (the caller's account plus the
// user_session_id its game gives the player) and the machine ("" → the current machine, the
// primary one before any). Web is true on the web chat and progress routes: any visible persona
// may be played there, while the SDK plays the shipped examples and the key owner's published
// personas only (another creator's persona is 403, as the real system answers).
type PlayRef struct {
	PersonaID     string
	UserSessionID string
	MachineID     string
	Web           bool
}

// StartInput starts a session.
type StartInput struct {
	PlayRef
	PlayerName   string
	PlayerGender string
}

// MessageInput is one player message.
type MessageInput struct {
	PlayRef
	Message string
}

// SessionInit answers Start.
type SessionInit struct {
	SessionID          string
	UserSessionID      string
	PersonaName        string
	PersonaDescription string
	Player             turn.Player
	Message            string
	MachineKey         string
	Evaluator          string
}

// Reply answers Message: the engine's result and the session it happened in.
type Reply struct {
	SessionID string
	turn.Result
}

// SessionStatus is one session's standing.
type SessionStatus struct {
	SessionID  string
	PersonaID  string
	MachineKey string
	Session    turn.Session
}

// Msg is one stored line of a conversation.
type Msg struct {
	ID string
	turn.Message
	seq int64
}

// History is a session with its messages, oldest first.
type History struct {
	SessionStatus
	Messages []Msg
}

// ResetResult answers the resets.
type ResetResult struct {
	PersonaID string
	SessionID string
	Message   string
}

// Progress is a player's standing with a persona.
type Progress struct {
	PersonaID string
	turn.Progress
	Machines []turn.MachineInfo
}

func (r PlayRef) check() error {
	if r.UserSessionID == "" {
		return errs.Missing("user_session_id")
	}
	if len(r.UserSessionID) > MaxUserSession || !utf8.ValidString(r.UserSessionID) {
		return errs.Invalid("user_session_id", "must be valid UTF-8 of at most %d bytes", MaxUserSession)
	}
	return nil
}

// playable reads the persona ref names if the caller may play it.
func (s *Service) playable(ctx context.Context, q store.Q, me string, ref PlayRef) (Stored, error) {
	p, err := s.visible(ctx, q, me, ref.PersonaID)
	if err != nil || p.Example || ref.Web {
		return p, err
	}
	if p.UserID != me {
		return Stored{}, &errs.Error{Kind: errs.Forbidden, Code: "NOT_OWNER",
			Message: "an SDK key plays the shipped examples and its own account's published personas only"}
	}
	if !p.IsPublic {
		return Stored{}, &errs.Error{Kind: errs.Forbidden, Code: "NOT_PUBLISHED",
			Message: "publish the persona first (POST /api/v1/creator/publish)"}
	}
	return p, nil
}

// engine returns an engine for p with the rule-based evaluator, compiled once per version.
// engine is p's turn engine with clock now (store.Now of the write when it runs inside one, so
// every run of the write function stamps the same times).
func (s *Service) engine(p Stored, now func() time.Time) (*turn.Engine, error) {
	c, err := s.compiled(p)
	if err != nil {
		return nil, err
	}
	return turn.New(c.def, c.eval, now), nil
}

// compiled is p's definition with its rule-based evaluator, compiled once per version.
func (s *Service) compiled(p Stored) (*cached, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.engines[p.ID]
	if c == nil || !c.updated.Equal(p.UpdatedAt) {
		def := p.Definition
		ev, err := rules.New(&def)
		if err != nil {
			return nil, fmt.Errorf("persona %s: %w", p.ID, err)
		}
		if s.engines == nil {
			s.engines = map[string]*cached{}
		}
		if len(s.engines) > 1000 {
			clear(s.engines)
		}
		c = &cached{updated: p.UpdatedAt, def: &def, eval: ev}
		s.engines[p.ID] = c
	}
	return c, nil
}

// machineKey resolves ref's machine as the engine does: named, else current, else primary.
func machineKey(def *persona.Definition, st turn.State, named string) (string, error) {
	k := named
	if k == "" {
		k = st.CurrentMachine
	}
	if k == "" {
		if p := def.Primary(); p != nil {
			k = p.MachineKey
		}
	}
	if m, _ := def.Machine(k); m == nil {
		return "", &errs.Error{Kind: errs.NotFound, Code: "NO_MACHINE", Message: fmt.Sprintf("no machine %q in this persona", k)}
	}
	return k, nil
}

// progressDoc is what persona_progress.state holds: the engine's state and, beside it, the
// player's session rows by machine key (id and last history seq), so that a turn reads one row
// instead of three and writes the history without reading it. Every change of a session row
// or of its history happens in a write that also saves this document (and bumps its version),
// so the two agree. A row written before the refs existed has none: refOf falls back to
// the tables once, and the next save stores them.
type progressDoc struct {
	turn.State
	Refs map[string]sessionRef `json:"session_refs,omitempty"`
}

// sessionRef is one session row: its id and the seq of its last stored message.
type sessionRef struct {
	ID  string `json:"id"`
	Seq int64  `json:"seq"`
}

// clone copies d deeply enough for a write function to change it (it may run twice).
func (d progressDoc) clone() progressDoc {
	return progressDoc{State: d.State.Clone(), Refs: maps.Clone(d.Refs)}
}

// loadState reads the player's state and its version (0: none stored yet).
func loadState(ctx context.Context, q store.Q, pid, me, usid string) (progressDoc, int64, error) {
	var (
		raw string
		v   int64
		st  progressDoc
	)
	err := q.QueryRow(ctx, `SELECT state, version FROM persona_progress WHERE persona_id = ? AND account_id = ? AND user_session_id = ?`,
		pid, me, usid).Scan(&raw, &v)
	if errors.Is(err, sql.ErrNoRows) {
		return st, 0, nil
	}
	if err != nil {
		return st, 0, fmt.Errorf("read progress: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return st, 0, fmt.Errorf("decode progress: %w", err)
	}
	return st, v, nil
}

// fit drops from st what def no longer has (a shipped example changed by an upgrade): sessions
// with unknown machines or states, completions, unlocks and the current machine of unknown
// machines. What remains can be played.
func fit(def *persona.Definition, st *turn.State) {
	known := func(k string) bool { m, _ := def.Machine(k); return m != nil }
	for k, sess := range st.Sessions {
		if m, _ := def.Machine(k); m == nil {
			delete(st.Sessions, k)
		} else if s, _ := m.State(sess.StateKey); s == nil {
			delete(st.Sessions, k)
		}
	}
	st.Completed = slices.DeleteFunc(st.Completed, func(c turn.Completion) bool { return !known(c.MachineKey) })
	st.Unlocked = slices.DeleteFunc(st.Unlocked, func(k string) bool { return !known(k) })
	if st.CurrentMachine != "" && !known(st.CurrentMachine) {
		st.CurrentMachine = ""
	}
}

var errConcurrent = &errs.Error{Kind: errs.Conflict, Code: "CONCURRENT_TURN",
	Message: "another request changed this player's progress at the same time; retry"}

// saveState writes the player's state if nobody else did since version was read, and returns
// the new version. A new row starts at its creation time in microseconds, so a player's versions
// never repeat, even across a deleted and recreated row (progressCache relies on it).
func (s *Service) saveState(ctx context.Context, q store.Q, pid, me, usid string, st progressDoc, version int64) (int64, error) {
	raw, err := json.Marshal(st)
	if err != nil {
		return 0, fmt.Errorf("encode progress: %w", err)
	}
	now := micros(store.Now(ctx))
	var res sql.Result
	next := version + 1
	if version == 0 {
		next = max(now, 1)
		res, err = q.Exec(ctx, `INSERT INTO persona_progress (persona_id, account_id, user_session_id, state, version, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, pid, me, usid, string(raw), next, now)
	} else {
		res, err = q.Exec(ctx, `UPDATE persona_progress SET state = ?, version = ?, updated_at = ?
			WHERE persona_id = ? AND account_id = ? AND user_session_id = ? AND version = ?`, string(raw), next, now, pid, me, usid, version)
	}
	if err != nil {
		return 0, fmt.Errorf("write progress: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return 0, errConcurrent
	}
	return next, nil
}

var errNoSession = &errs.Error{Kind: errs.NotFound, Code: turn.CodeNoSession,
	Message: "no session with this machine for this user_session_id: start one with init-session"}

// refOf gives the player's session with machine key: from the document, else (a row
// stored before the document kept them) from the tables, remembered in d for its next save.
func refOf(ctx context.Context, q store.Q, pid, me, usid, key string, d *progressDoc) (sessionRef, error) {
	if r, ok := d.Refs[key]; ok {
		return r, nil
	}
	var r sessionRef
	err := q.QueryRow(ctx, `SELECT id FROM persona_sessions WHERE persona_id = ? AND account_id = ? AND user_session_id = ? AND machine_key = ?`,
		pid, me, usid, key).Scan(&r.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, errNoSession
	}
	if err != nil {
		return r, fmt.Errorf("read session: %w", err)
	}
	if err := q.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM persona_messages WHERE session_id = ?`, r.ID).Scan(&r.Seq); err != nil {
		return r, fmt.Errorf("read history: %w", err)
	}
	if d.Refs == nil {
		d.Refs = map[string]sessionRef{}
	}
	d.Refs[key] = r
	return r, nil
}

// dropSessions deletes the player's sessions (one machine's, or all with key "") and their
// history, and forgets them in d.
func dropSessions(ctx context.Context, q store.Q, pid, me, usid, key string, d *progressDoc) error {
	if key == "" {
		d.Refs = nil
	} else {
		delete(d.Refs, key)
	}
	where := `persona_id = ? AND account_id = ? AND user_session_id = ? AND (machine_key = ? OR ? = '')`
	args := []any{pid, me, usid, key, key}
	if _, err := q.Exec(ctx, `DELETE FROM persona_messages WHERE session_id IN (SELECT id FROM persona_sessions WHERE `+where+`)`, args...); err != nil {
		return fmt.Errorf("delete history: %w", err)
	}
	if _, err := q.Exec(ctx, `DELETE FROM persona_sessions WHERE `+where, args...); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}

// newSession replaces the player's session with machine key by a fresh one, recorded in d.
func (s *Service) newSession(ctx context.Context, q store.Q, pid, me, usid, key string, d *progressDoc) (string, error) {
	id, err := s.newID(ctx)
	if err != nil {
		return "", err
	}
	if err := insertSession(ctx, q, pid, me, usid, key, id, d); err != nil {
		return "", err
	}
	if d.Refs == nil {
		d.Refs = map[string]sessionRef{}
	}
	d.Refs[key] = sessionRef{ID: id}
	return id, nil
}

// insertSession drops the player's session with machine key and inserts session id in its place.
func insertSession(ctx context.Context, q store.Q, pid, me, usid, key, id string, d *progressDoc) error {
	if err := dropSessions(ctx, q, pid, me, usid, key, d); err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `INSERT INTO persona_sessions (id, persona_id, account_id, user_session_id, machine_key, status, created_at)
		VALUES (?, ?, ?, ?, ?, 'active', ?)`, id, pid, me, usid, key, micros(store.Now(ctx))); err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// appendMessages appends msgs to session sid's history after seq last, in one statement.
func appendMessages(ctx context.Context, q store.Q, sid string, last int64, msgs []turn.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO persona_messages (session_id, seq, role, content, state_key, score, decision, follow_up, created_at) VALUES `)
	args := make([]any, 0, 9*len(msgs))
	for i, m := range msgs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
		fu := 0
		if m.FollowUp {
			fu = 1
		}
		args = append(args, sid, last+int64(i)+1, m.Role, m.Content, m.StateKey, m.Score, m.Decision, fu, micros(m.At))
	}
	if _, err := q.Exec(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	return nil
}

// messages reads a session's history, oldest first; last > 0 keeps only the most recent ones.
func messages(ctx context.Context, q store.Q, sid, key string, last int) ([]Msg, error) {
	query := `SELECT seq, role, content, state_key, score, decision, follow_up, created_at FROM persona_messages
		WHERE session_id = ? ORDER BY seq DESC`
	args := []any{sid}
	if last > 0 {
		query += ` LIMIT ?`
		args = append(args, last)
	}
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer rows.Close()
	out := []Msg{}
	for rows.Next() {
		var (
			m        Msg
			seq, at  int64
			followUp int64
		)
		if err := rows.Scan(&seq, &m.Role, &m.Content, &m.StateKey, &m.Score, &m.Decision, &followUp, &at); err != nil {
			return nil, fmt.Errorf("read history: %w", err)
		}
		m.ID, m.MachineKey, m.FollowUp, m.At, m.seq = sid+"-"+strconv.FormatInt(seq, 10), key, followUp == 1, fromMicros(at), seq
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}

// play runs fn on the player's state inside one write: the persona is checked, the state read,
// and fn's changes saved only if it succeeds.
func (s *Service) play(ctx context.Context, me string, ref PlayRef,
	fn func(ctx context.Context, q store.Q, p Stored, eng *turn.Engine, d *progressDoc) error) error {
	if err := ref.check(); err != nil {
		return err
	}
	var (
		saved progressDoc
		next  int64
		pid   string
	)
	err := s.DB.WriteFor(ctx, me, func(ctx context.Context, q store.Q) error {
		p, eng, d, v, err := s.loadTurn(ctx, q, me, ref)
		if err != nil {
			return err
		}
		if err := fn(ctx, q, p, eng, &d); err != nil {
			return err
		}
		if next, err = s.saveState(ctx, q, p.ID, me, ref.UserSessionID, d, v); err != nil {
			return err
		}
		saved, pid = d, p.ID
		return nil
	})
	if err == nil {
		s.players.put(playerKey{pid, me, ref.UserSessionID}, saved, next)
	}
	return err
}

// Start opens a session with a machine (replacing an earlier one) and gives the opening line.
func (s *Service) Start(ctx context.Context, me string, in StartInput) (SessionInit, error) {
	if !genders[in.PlayerGender] {
		return SessionInit{}, errs.Invalid("player_gender", "must be female, male or non-binary")
	}
	if len(in.PlayerName) > MaxPlayerName || !utf8.ValidString(in.PlayerName) {
		return SessionInit{}, errs.Invalid("player_name", "must be valid UTF-8 of at most %d bytes", MaxPlayerName)
	}
	if s.llmOn() {
		var err error
		if ctx, err = s.openingLine(ctx, me, in); err != nil {
			return SessionInit{}, err
		}
	}
	var out SessionInit
	err := s.play(ctx, me, in.PlayRef, func(ctx context.Context, q store.Q, p Stored, eng *turn.Engine, d *progressDoc) error {
		if in.MachineID != "" {
			if m, _ := p.Definition.Machine(in.MachineID); m == nil {
				return &errs.Error{Kind: errs.NotFound, Code: "NO_MACHINE", Message: fmt.Sprintf("no machine %q in this persona", in.MachineID)}
			}
		}
		started, err := eng.Start(ctx, &d.State, in.MachineID, turn.Player{Name: in.PlayerName, Gender: in.PlayerGender})
		if err != nil {
			return err
		}
		sid, err := s.newSession(ctx, q, p.ID, me, in.UserSessionID, started.MachineKey, d)
		if err != nil {
			return err
		}
		if err := appendMessages(ctx, q, sid, 0, started.Messages); err != nil {
			return err
		}
		d.Refs[started.MachineKey] = sessionRef{ID: sid, Seq: int64(len(started.Messages))}
		out = SessionInit{SessionID: sid, UserSessionID: in.UserSessionID, PersonaName: p.Name, PersonaDescription: p.Description,
			Player: started.Session.Player, Message: started.Reply, MachineKey: started.MachineKey, Evaluator: started.Evaluator}
		return nil
	})
	return out, err
}

// Message plays one player message.
func (s *Service) Message(ctx context.Context, me string, in MessageInput) (out Reply, err error) {
	if err := in.check(); err != nil {
		return Reply{}, err
	}
	// Optimistic: the turn is judged on a snapshot read outside the write, and the write applies
	// it only if the player's state is still the one judged (any change of sessions or progress
	// bumps its version); otherwise it is judged again on the new state. So the single writer
	// only writes, and the evaluator never runs inside a transaction.
	for i := range maxAttempts {
		out, err = s.message(ctx, me, in, i > 0)
		// The store may join errConcurrent with a savepoint's release; a turn whose stream has
		// started is not played again (its client already has the first reply).
		if !errors.Is(err, errConcurrent) || streamStarted(ctx) {
			break
		}
	}
	return out, err
}

// maxAttempts bounds the retries of a turn that raced another change of the same player.
const maxAttempts = 4

// historyAtEndOnly reports whether eng's evaluator reads the history only when a machine ends
// (the rule-based one: its output-variable patterns): a turn then reads no history unless it
// completes the machine. Any other evaluator (a language model reads the conversation every
// turn) gets it on every turn.
func historyAtEndOnly(eng *turn.Engine) bool {
	_, ok := eng.Evaluator().(*rules.Evaluator)
	return ok
}

// cachedTurn is message's snapshot from the cache: a shipped example (served from the binary)
// and the player's last saved state, when this instance saved it and it names the session.
func (s *Service) cachedTurn(ctx context.Context, me string, in MessageInput) (p Stored, eng *turn.Engine, doc progressDoc, v int64,
	key string, sess sessionRef, ok bool) {
	if _, ex := s.example(in.PersonaID); !ex {
		return
	}
	if doc, v, ok = s.players.get(playerKey{in.PersonaID, me, in.UserSessionID}); !ok {
		return
	}
	var err error
	if p, err = s.playable(ctx, nil, me, in.PlayRef); err != nil { // an example: no query
		return p, nil, doc, 0, "", sess, false
	}
	if eng, err = s.engine(p, s.Now); err != nil {
		return p, nil, doc, 0, "", sess, false
	}
	fit(&p.Definition, &doc.State)
	if key, err = machineKey(&p.Definition, doc.State, in.MachineID); err != nil {
		return p, nil, doc, 0, "", sess, false
	}
	_, open := doc.Sessions[key]
	sess, known := doc.Refs[key]
	return p, eng, doc, v, key, sess, open && known
}

// message plays one message; fresh reads the player's state from the database, not the cache.
func (s *Service) message(ctx context.Context, me string, in MessageInput, fresh bool) (Reply, error) {
	var (
		p    Stored
		eng  *turn.Engine
		doc  progressDoc
		v    int64
		key  string
		sess sessionRef
		hist []turn.Message
		lazy bool
		hit  bool
	)
	pk := playerKey{in.PersonaID, me, in.UserSessionID}
	if !fresh {
		p, eng, doc, v, key, sess, hit = s.cachedTurn(ctx, me, in)
	}
	if hit {
		if lazy = !s.llmOn() && historyAtEndOnly(eng); !lazy {
			if err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
				hist, err = history(ctx, q, sess.ID, key)
				return err
			}); err != nil {
				return Reply{}, err
			}
		}
	}
	read := func(ctx context.Context, q store.Q) (err error) {
		if p, err = s.playable(ctx, q, me, in.PlayRef); err != nil {
			return err
		}
		if eng, err = s.engine(p, s.Now); err != nil {
			return err
		}
		if doc, v, err = loadState(ctx, q, p.ID, me, in.UserSessionID); err != nil {
			return err
		}
		fit(&p.Definition, &doc.State)
		if key, err = machineKey(&p.Definition, doc.State, in.MachineID); err != nil {
			return err
		}
		if _, ok := doc.Sessions[key]; !ok {
			return errNoSession
		}
		if sess, err = refOf(ctx, q, p.ID, me, in.UserSessionID, key, &doc); err != nil {
			return err
		}
		if lazy = !s.llmOn() && historyAtEndOnly(eng); !lazy {
			hist, err = history(ctx, q, sess.ID, key)
		}
		return err
	}
	if !hit {
		if err := s.DB.Read(ctx, read); err != nil {
			return Reply{}, err
		}
	}
	tctx := ctx
	if s.llmOn() {
		var err error
		if eng, err = s.llmEngine(ctx, p, eng); err != nil {
			return Reply{}, err
		}
		tctx = streaming(ctx, sess.ID)
	}
	before := doc.State // Turn replaces the state it is given; it never changes it in place
	res, err := eng.Turn(tctx, &doc.State, key, in.Message, hist)
	if err == nil && lazy && res.MachineCompleted {
		// The machine ended: its output variables are extracted from the history, so play the
		// turn again on the same state, with it.
		if err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
			hist, err = history(ctx, q, sess.ID, key)
			return err
		}); err != nil {
			return Reply{}, err
		}
		doc.State = before
		res, err = eng.Turn(ctx, &doc.State, key, in.Message, hist)
	}
	if err != nil && hit {
		// Refused on the cached state (an ended session, say): that state may be stale (another
		// instance may have reset the session), so the verdict comes from the stored one.
		return s.message(ctx, me, in, true)
	}
	if err != nil {
		return Reply{}, err
	}
	var (
		saved progressDoc
		next  int64
	)
	err = s.DB.WriteFor(ctx, me, func(ctx context.Context, q store.Q) (err error) {
		// d is this run's copy of what it changes (the refs): a write function may run twice and
		// must not change its inputs.
		d := progressDoc{State: doc.State, Refs: maps.Clone(doc.Refs)}
		if d.Refs == nil {
			d.Refs = map[string]sessionRef{}
		}
		d.Refs[key] = sess
		var advanced string
		if res.Advanced != nil {
			id, err := s.newID(ctx)
			if err != nil {
				return err
			}
			advanced = id
		}
		// Messages grouped by machine in the order they come (a write function must do the same
		// statements in the same order on every run: no map order), each group after its session's
		// last seq, which the document holds.
		type batch struct {
			key  string
			ref  sessionRef
			msgs []turn.Message
		}
		var batches []*batch
		byKey := map[string]*batch{}
		for _, m := range res.Messages {
			b := byKey[m.MachineKey]
			if b == nil {
				switch {
				case m.MachineKey == key:
					b = &batch{key: key, ref: sess}
				case res.Advanced != nil && m.MachineKey == res.Advanced.MachineKey:
					b = &batch{key: m.MachineKey, ref: sessionRef{ID: advanced}}
				default:
					continue
				}
				byKey[m.MachineKey] = b
				batches = append(batches, b)
			}
			b.msgs = append(b.msgs, m)
		}
		if res.Advanced != nil {
			d.Refs[res.Advanced.MachineKey] = sessionRef{ID: advanced}
		}
		for _, b := range batches {
			d.Refs[b.key] = sessionRef{ID: b.ref.ID, Seq: b.ref.Seq + int64(len(b.msgs))}
		}
		// The compare-and-set first: if another change won, nothing below runs (its history rows
		// would collide with the winner's).
		if next, err = s.saveState(ctx, q, p.ID, me, in.UserSessionID, d, v); err != nil {
			return err
		}
		saved = d
		if res.Advanced != nil {
			scratch := d.clone()
			if err := insertSession(ctx, q, p.ID, me, in.UserSessionID, res.Advanced.MachineKey, advanced, &scratch); err != nil {
				return err
			}
		}
		for _, b := range batches {
			if err := appendMessages(ctx, q, b.ref.ID, b.ref.Seq, b.msgs); err != nil {
				return err
			}
		}
		if res.MachineCompleted {
			if _, err := q.Exec(ctx, `UPDATE persona_sessions SET status = 'completed' WHERE id = ?`, sess.ID); err != nil {
				return fmt.Errorf("complete session: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		s.players.drop(pk)
		return Reply{}, err
	}
	s.players.put(pk, saved, next)
	return Reply{SessionID: sess.ID, Result: res}, nil
}

// history reads the last turn.MaxHistory messages of session sid, as the engine takes them.
func history(ctx context.Context, q store.Q, sid, key string) ([]turn.Message, error) {
	msgs, err := messages(ctx, q, sid, key, turn.MaxHistory)
	if err != nil {
		return nil, err
	}
	h := make([]turn.Message, len(msgs))
	for i, m := range msgs {
		h[i] = m.Message
	}
	return h, nil
}

// read runs fn on the player's state without changing it.
func (s *Service) read(ctx context.Context, me string, ref PlayRef,
	fn func(q store.Q, p Stored, eng *turn.Engine, d progressDoc) error) error {
	if err := ref.check(); err != nil {
		return err
	}
	return s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		p, eng, d, _, err := s.loadTurn(ctx, q, me, ref)
		if err != nil {
			return err
		}
		return fn(q, p, eng, d)
	})
}

// loadTurn reads what a turn needs inside the caller's transaction: the playable persona, its engine
// (on the transaction's clock), and the player's state trimmed to the definition with its version.
func (s *Service) loadTurn(ctx context.Context, q store.Q, me string, ref PlayRef) (Stored, *turn.Engine, progressDoc, int64, error) {
	p, err := s.playable(ctx, q, me, ref)
	if err != nil {
		return Stored{}, nil, progressDoc{}, 0, err
	}
	eng, err := s.engine(p, func() time.Time { return store.Now(ctx) })
	if err != nil {
		return Stored{}, nil, progressDoc{}, 0, err
	}
	eng = precomputed(ctx, eng)
	d, v, err := loadState(ctx, q, p.ID, me, ref.UserSessionID)
	if err != nil {
		return Stored{}, nil, progressDoc{}, 0, err
	}
	fit(&p.Definition, &d.State)
	return p, eng, d, v, nil
}

func (s *Service) status(ctx context.Context, q store.Q, me string, ref PlayRef, p Stored, d progressDoc) (SessionStatus, error) {
	key, err := machineKey(&p.Definition, d.State, ref.MachineID)
	if err != nil {
		return SessionStatus{}, err
	}
	sess, ok := d.Sessions[key]
	if !ok {
		return SessionStatus{}, errNoSession
	}
	r, err := refOf(ctx, q, p.ID, me, ref.UserSessionID, key, &d)
	if err != nil {
		return SessionStatus{}, err
	}
	return SessionStatus{SessionID: r.ID, PersonaID: p.ID, MachineKey: key, Session: sess}, nil
}

// Session reads one session's standing.
func (s *Service) Session(ctx context.Context, me string, ref PlayRef) (out SessionStatus, err error) {
	err = s.read(ctx, me, ref, func(q store.Q, p Stored, _ *turn.Engine, d progressDoc) error {
		out, err = s.status(ctx, q, me, ref, p, d)
		return err
	})
	return out, err
}

// History reads one session with its messages.
func (s *Service) History(ctx context.Context, me string, ref PlayRef) (out History, err error) {
	err = s.read(ctx, me, ref, func(q store.Q, p Stored, _ *turn.Engine, d progressDoc) error {
		if out.SessionStatus, err = s.status(ctx, q, me, ref, p, d); err != nil {
			return err
		}
		out.Messages, err = messages(ctx, q, out.SessionID, out.MachineKey, 0)
		return err
	})
	return out, err
}

// Reset deletes one machine's session and its history; progress stays.
func (s *Service) Reset(ctx context.Context, me string, ref PlayRef) (ResetResult, error) {
	var out ResetResult
	err := s.play(ctx, me, ref, func(ctx context.Context, q store.Q, p Stored, eng *turn.Engine, d *progressDoc) error {
		key, err := machineKey(&p.Definition, d.State, ref.MachineID)
		if err != nil {
			return err
		}
		r, err := refOf(ctx, q, p.ID, me, ref.UserSessionID, key, d)
		if err != nil {
			return err
		}
		if err := eng.Reset(&d.State, key); err != nil {
			return err
		}
		if err := dropSessions(ctx, q, p.ID, me, ref.UserSessionID, key, d); err != nil {
			return err
		}
		out = ResetResult{PersonaID: p.ID, SessionID: r.ID, Message: fmt.Sprintf("Session with machine %q reset", key)}
		return nil
	})
	return out, err
}

// Machines lists every machine with the player's standing on it.
func (s *Service) Machines(ctx context.Context, me string, ref PlayRef) (out []turn.MachineInfo, err error) {
	err = s.read(ctx, me, ref, func(_ store.Q, _ Stored, eng *turn.Engine, d progressDoc) error {
		out = eng.Machines(d.State)
		return nil
	})
	return out, err
}

// Progress reads the player's progress with the persona.
func (s *Service) Progress(ctx context.Context, me string, ref PlayRef) (out Progress, err error) {
	err = s.read(ctx, me, ref, func(_ store.Q, p Stored, eng *turn.Engine, d progressDoc) error {
		out = Progress{PersonaID: p.ID, Progress: eng.Progress(d.State), Machines: eng.Machines(d.State)}
		return nil
	})
	return out, err
}

// ResetProgress clears everything the player did with the persona: sessions, history,
// completions, unlocks, route and variables.
func (s *Service) ResetProgress(ctx context.Context, me string, ref PlayRef) (ResetResult, error) {
	var out ResetResult
	err := s.play(ctx, me, ref, func(ctx context.Context, q store.Q, p Stored, _ *turn.Engine, d *progressDoc) error {
		turn.ResetProgress(&d.State)
		out = ResetResult{PersonaID: p.ID, Message: "Progress reset"}
		return dropSessions(ctx, q, p.ID, me, ref.UserSessionID, "", d)
	})
	return out, err
}
