// Package service runs personas on the store: it owns the transactions that save, publish and
// delete personas and that play them (sessions, chat history, progress), applying the pure
// packages' rules (persona, turn, rules). It knows nothing of HTTP; the surfaces bind its
// operations (Declare) to their wires.
package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/persona"
	"github.com/arcadehq/arcade/internal/persona/examples"
	"github.com/arcadehq/arcade/internal/persona/llm"
	"github.com/arcadehq/arcade/internal/persona/rules"
	"github.com/arcadehq/arcade/internal/store"
)

// Limits of the service.
const (
	DefaultListLimit = 20
	MaxListLimit     = 100
	MaxUserSession   = 200 // bytes of a user_session_id
	MaxPlayerName    = 200
	// ExamplesCreated stamps the shipped examples (they have no row).
	examplesEpoch = 1764460800 // 2025-11-30T00:00:00Z
)

// Genders the SDK knows (player_gender).
var genders = map[string]bool{"": true, "female": true, "male": true, "non-binary": true}

// Service plays personas. Now stamps everything; Rand feeds ids; BaseURL prefixes play links.
type Service struct {
	DB       *store.DB
	Accounts *account.Service // issues the SDK's keys
	Now      func() time.Time
	Rand     io.Reader
	BaseURL  string
	// LLM is the language-model endpoint (ARCADE_LLM_URL…): when set, the LLM evaluator plays
	// every persona, else the rule-based one (llm.go).
	LLM llm.Config

	once     sync.Once
	examples []Stored
	exErr    error

	mu      sync.Mutex
	engines map[string]*cached // by persona id

	players progressCache
}

type cached struct {
	updated time.Time
	def     *persona.Definition
	eval    *rules.Evaluator
}

// Stored is a persona as the service keeps it.
type Stored struct {
	persona.Persona
	PlayLink  string
	Example   bool // shipped with Arcade, served from the binary, public to every key
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Summary is a persona without its machines.
type Summary struct {
	ID, UserID, Name, Description, PersonaIdentityPrompt, PlayLink string
	IsPublic, Example                                              bool
	CreatedAt, UpdatedAt                                           time.Time
}

// Summary drops the machines.
func (s Stored) Summary() Summary {
	return Summary{ID: s.ID, UserID: s.UserID, Name: s.Name, Description: s.Description,
		PersonaIdentityPrompt: s.PersonaIdentityPrompt, PlayLink: s.PlayLink, IsPublic: s.IsPublic, Example: s.Example,
		CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
}

// ExampleOwner owns the shipped examples: the platform account.
const ExampleOwner = account.PlatformID

// Examples returns the shipped examples as stored personas; their id is their slug.
func (s *Service) Examples() ([]Stored, error) {
	s.once.Do(func() {
		all, err := examples.All()
		if err != nil {
			s.exErr = err
			return
		}
		at := time.Unix(examplesEpoch, 0).UTC()
		for _, e := range all {
			s.examples = append(s.examples, Stored{Persona: persona.Persona{ID: e.Slug, UserID: ExampleOwner, IsPublic: true,
				Definition: *e.Definition}, PlayLink: s.playLink(e.Slug), Example: true, CreatedAt: at, UpdatedAt: at})
		}
	})
	return s.examples, s.exErr
}

func (s *Service) example(id string) (Stored, bool) {
	all, _ := s.Examples()
	for _, e := range all {
		if e.ID == id {
			return e, true
		}
	}
	return Stored{}, false
}

func (s *Service) playLink(id string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/play/" + id
}

// newID draws an id through the write (the same on every run of its function).
func (s *Service) newID(ctx context.Context) (string, error) {
	id, err := uuid.NewRandomFromReader(store.Replay(ctx, s.Rand))
	if err != nil {
		return "", fmt.Errorf("persona id: %w", err)
	}
	return id.String(), nil
}

func micros(t time.Time) int64     { return t.UnixMicro() }
func fromMicros(n int64) time.Time { return time.UnixMicro(n).UTC() }

const personaCols = `id, account_id, definition, is_public, play_link, created_at, updated_at`

func scanPersona(row interface{ Scan(...any) error }) (Stored, error) {
	var (
		p        Stored
		def      string
		public   int64
		link     sql.NullString
		cre, upd int64
	)
	if err := row.Scan(&p.ID, &p.UserID, &def, &public, &link, &cre, &upd); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Stored{}, errs.NotFoundf("no persona with this id")
		}
		return Stored{}, fmt.Errorf("read persona: %w", err)
	}
	d, err := persona.Decode([]byte(def))
	if err != nil {
		return Stored{}, fmt.Errorf("stored persona %s: %w", p.ID, err)
	}
	p.Definition, p.IsPublic, p.PlayLink = *d, public == 1, link.String
	p.CreatedAt, p.UpdatedAt = fromMicros(cre), fromMicros(upd)
	return p, nil
}

// load reads persona id (an example or a stored one) without any access rule.
func (s *Service) load(ctx context.Context, q store.Q, id string) (Stored, error) {
	if id == "" {
		return Stored{}, errs.Missing("persona_id")
	}
	if e, ok := s.example(id); ok {
		return e, nil
	}
	if _, err := uuid.Parse(id); err != nil {
		return Stored{}, errs.NotFoundf("no persona with this id")
	}
	return scanPersona(q.QueryRow(ctx, `SELECT `+personaCols+` FROM personas WHERE id = ?`, id))
}

// visible reads persona id if the caller may see it: public ones, and the caller's own. Another
// account's private persona is not found, never forbidden, so its existence does not leak.
func (s *Service) visible(ctx context.Context, q store.Q, me, id string) (Stored, error) {
	p, err := s.load(ctx, q, id)
	if err != nil {
		return Stored{}, err
	}
	if !p.IsPublic && p.UserID != me {
		return Stored{}, errs.NotFoundf("no persona with this id")
	}
	return p, nil
}

// owned reads persona id for a change by its owner: not found when invisible, forbidden when
// visible but someone else's (an example, another creator's public persona).
func (s *Service) owned(ctx context.Context, q store.Q, me, id string) (Stored, error) {
	p, err := s.visible(ctx, q, me, id)
	if err != nil {
		return Stored{}, err
	}
	if p.Example || p.UserID != me {
		return Stored{}, errs.Forbiddenf("only the persona's owner may change it")
	}
	return p, nil
}

// ListQuery is spec 003's list query.
type ListQuery struct {
	PublicOnly bool
	Mine       bool
	Limit      int
}

// The listings of stored personas, newest first. Each reads one index in order (migration 0029's
// partial personas_public for the public ones, personas_account for an account's), so none sorts
// every public persona; the caller's view is the public ones merged with its own private ones
// rather than an OR that the planner answers by collecting both sets and sorting them.
// TestListingsUseIndexes checks the plans; is_public = 1 is written out for the partial index.
const (
	listPublicSQL  = `SELECT ` + personaCols + ` FROM personas WHERE is_public = 1 ORDER BY created_at DESC, id LIMIT ?`
	listMineSQL    = `SELECT ` + personaCols + ` FROM personas WHERE account_id = ? ORDER BY created_at DESC, id LIMIT ?`
	listVisibleSQL = `SELECT ` + personaCols + ` FROM personas WHERE is_public = 1
		UNION ALL SELECT ` + personaCols + ` FROM personas WHERE account_id = ? AND is_public = 0
		ORDER BY created_at DESC, id LIMIT ?`
	sdkListSQL = `SELECT ` + personaCols + ` FROM personas WHERE account_id = ? AND is_public = 1 ORDER BY created_at DESC, id LIMIT ?`
)

// List lists personas: the caller's own (Mine), or the public ones (examples first); with
// PublicOnly false and a caller, public ones and the caller's own.
func (s *Service) List(ctx context.Context, me string, in ListQuery) ([]Summary, error) {
	if in.Limit == 0 {
		in.Limit = DefaultListLimit
	}
	if in.Limit < 1 || in.Limit > MaxListLimit {
		return nil, errs.Invalid("limit", "must be an integer from 1 to %d", MaxListLimit)
	}
	if in.Mine && me == "" {
		return nil, errs.Unauthenticated("my_personas=true needs an API key: send Authorization: Bearer <API key>")
	}
	out := []Summary{}
	if !in.Mine {
		ex, err := s.Examples()
		if err != nil {
			return nil, err
		}
		for _, e := range ex {
			if len(out) < in.Limit {
				out = append(out, e.Summary())
			}
		}
	}
	if len(out) >= in.Limit {
		return out, nil
	}
	query, args := listPublicSQL, []any{in.Limit - len(out)}
	switch {
	case in.Mine:
		query, args = listMineSQL, []any{me, in.Limit}
	case !in.PublicOnly && me != "":
		query, args = listVisibleSQL, []any{me, in.Limit - len(out)}
	}
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("list personas: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPersona(rows)
			if err != nil {
				return err
			}
			out = append(out, p.Summary())
		}
		return rows.Err()
	})
	return out, err
}

// SDKList lists what an SDK key may play: the shipped examples and the key owner's published
// personas.
func (s *Service) SDKList(ctx context.Context, me string) ([]Summary, error) {
	out := []Summary{}
	ex, err := s.Examples()
	if err != nil {
		return nil, err
	}
	for _, e := range ex {
		out = append(out, e.Summary())
	}
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, sdkListSQL, me, MaxListLimit)
		if err != nil {
			return fmt.Errorf("list personas: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPersona(rows)
			if err != nil {
				return err
			}
			out = append(out, p.Summary())
		}
		return rows.Err()
	})
	return out, err
}

// Get reads a persona the caller may see.
func (s *Service) Get(ctx context.Context, me, id string) (p Stored, err error) {
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) error { p, err = s.visible(ctx, q, me, id); return err })
	return p, err
}

// SaveInput is a definition as the creator sent it, and the persona to update ("" creates).
type SaveInput struct {
	PersonaID string
	Body      []byte
}

// Save decodes and validates a definition (422 naming the JSON path of the first problem) and
// creates or updates the caller's persona. An update keeps the id, owner and publication.
func (s *Service) Save(ctx context.Context, me string, in SaveInput) (Stored, error) {
	def, err := persona.Parse(in.Body, rules.Check)
	if err != nil {
		return Stored{}, err
	}
	if _, err := rules.New(def); err != nil {
		return Stored{}, err
	}
	raw, err := json.Marshal(def)
	if err != nil {
		return Stored{}, fmt.Errorf("encode persona: %w", err)
	}
	var out Stored
	err = s.DB.WriteFor(ctx, me, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		if in.PersonaID == "" {
			id, err := s.newID(ctx)
			if err != nil {
				return err
			}
			out = Stored{Persona: persona.Persona{ID: id, UserID: me, Definition: *def}, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
			_, err = q.Exec(ctx, `INSERT INTO personas (id, account_id, name, description, definition, is_public, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 0, ?, ?)`, id, me, def.Name, def.Description, string(raw), micros(now), micros(now))
			if err != nil {
				return fmt.Errorf("insert persona: %w", err)
			}
			return nil
		}
		p, err := s.owned(ctx, q, me, in.PersonaID)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE personas SET name = ?, description = ?, definition = ?, updated_at = ? WHERE id = ?`,
			def.Name, def.Description, string(raw), micros(now), p.ID); err != nil {
			return fmt.Errorf("update persona: %w", err)
		}
		// Players' states name machines and states of the old definition: a changed definition
		// starts every player afresh rather than leave a session in a state that no longer exists.
		if err := dropPlayers(ctx, q, p.ID); err != nil {
			return err
		}
		p.Definition, p.UpdatedAt = *def, now.UTC()
		out = p
		return nil
	})
	if err == nil && in.PersonaID != "" {
		s.players.dropPersona(out.ID)
	}
	return out, err
}

// Delete deletes the caller's persona with its sessions, chat history and progress.
func (s *Service) Delete(ctx context.Context, me, id string) error {
	defer s.players.dropPersona(id)
	return s.DB.WriteFor(ctx, me, func(ctx context.Context, q store.Q) error {
		p, err := s.owned(ctx, q, me, id)
		if err != nil {
			return err
		}
		if err := dropPlayers(ctx, q, p.ID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `DELETE FROM personas WHERE id = ?`, p.ID); err != nil {
			return fmt.Errorf("delete persona: %w", err)
		}
		return nil
	})
}

// dropPlayers deletes every player's sessions, chat history and progress with persona id.
func dropPlayers(ctx context.Context, q store.Q, id string) error {
	for _, stmt := range []string{
		`DELETE FROM persona_messages WHERE session_id IN (SELECT id FROM persona_sessions WHERE persona_id = ?)`,
		`DELETE FROM persona_sessions WHERE persona_id = ?`,
		`DELETE FROM persona_progress WHERE persona_id = ?`,
	} {
		if _, err := q.Exec(ctx, stmt, id); err != nil {
			return fmt.Errorf("delete players: %w", err)
		}
	}
	return nil
}

// Published answers publish.
type Published struct{ PersonaID, PlayLink string }

// Publish makes the caller's persona public and gives its play link.
func (s *Service) Publish(ctx context.Context, me, id string) (Published, error) {
	var out Published
	err := s.DB.WriteFor(ctx, me, func(ctx context.Context, q store.Q) error {
		p, err := s.owned(ctx, q, me, id)
		if err != nil {
			return err
		}
		out = Published{PersonaID: p.ID, PlayLink: s.playLink(p.ID)}
		if _, err := q.Exec(ctx, `UPDATE personas SET is_public = 1, play_link = ?, updated_at = ? WHERE id = ?`,
			out.PlayLink, micros(store.Now(ctx)), p.ID); err != nil {
			return fmt.Errorf("publish persona: %w", err)
		}
		return nil
	})
	return out, err
}
