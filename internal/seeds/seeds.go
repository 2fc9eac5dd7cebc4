// Package seeds is the stateful half of the fairness engine (DESIGN §5): it keeps each owner's
// committed server seeds, client seeds and nonces in the database. The public algorithm that turns
// (server seed, client seed, nonce) into outcomes lives in package fairness.
//
// Lifecycle: a seed is created active with its commitment published; each bet draws the next
// nonce; rotating retires the active seed (it is never used again) and creates the next one;
// only a retired seed can be revealed. Scopes keep the surfaces' seed chains apart ("credits" for
// spec 000's dice, "v1" for the x402 games, ...).
package seeds

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/store"
)

// MaxClientSeed bounds a client seed's length (spec 001 allows 1–128 characters).
const MaxClientSeed = 128

// Public is what may be shown about a seed while it is active.
type Public struct {
	ID         string
	Commitment string
	// NextCommitment is the queued seed's commitment: the seed that becomes active at the next
	// rotation (when the player sets a client seed, or asks for a reveal).
	NextCommitment string
	ClientSeed     string
	NextNonce      uint64
	CreatedAt      time.Time
}

// Draw is everything a bet needs to derive its outcome and later be verified.
type Draw struct {
	SeedID     string
	Seed       fairness.Seed
	Commitment string
	ClientSeed string
	Nonce      uint64
}

// Revealed is a retired seed shown in full.
type Revealed struct {
	ID         string
	Seed       string // hex
	Commitment string
	ClientSeed string
	Nonces     uint64 // how many nonces it served
	CreatedAt  time.Time
	RotatedAt  time.Time
}

// Engine creates seeds from an entropy source (crypto/rand in production).
type Engine struct {
	Rand io.Reader
}

// create inserts a new seed: the active one (queued false) or the next one (queued true).
func (e Engine) create(ctx context.Context, q store.Q, now time.Time, owner, scope, clientSeed string, queued bool) (Public, error) {
	// Entropy and the id through the write: every run of the write function makes the same seed.
	rnd := store.Replay(ctx, e.Rand)
	s, err := fairness.NewSeed(rnd)
	if err != nil {
		return Public{}, err
	}
	if clientSeed == "" {
		b := make([]byte, 8)
		if _, err := io.ReadFull(rnd, b); err != nil {
			return Public{}, fmt.Errorf("seeds: client seed entropy: %w", err)
		}
		clientSeed = hex.EncodeToString(b)
	}
	id, err := store.NewID(ctx)
	if err != nil {
		return Public{}, fmt.Errorf("seeds: id: %w", err)
	}
	p := Public{ID: id, Commitment: s.Commitment(), ClientSeed: clientSeed, CreatedAt: time.UnixMicro(now.UnixMicro()).UTC()}
	var act, que any = 1, nil
	if queued {
		act, que = nil, 1
	}
	if _, err := q.Exec(ctx, `INSERT INTO server_seeds (id, owner_id, scope, seed, commitment, client_seed, next_nonce, active, queued, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`, p.ID, owner, scope, s.String(), p.Commitment, clientSeed, act, que, now.UnixMicro()); err != nil {
		if store.IsUnique(err) {
			// Another transaction created the active seed first: run again and use it.
			return Public{}, store.Retry(fmt.Errorf("seeds: create: %w", err))
		}
		return Public{}, fmt.Errorf("seeds: create: %w", err)
	}
	return p, nil
}

// first creates owner's first active seed in scope and the queued one behind it, so the next
// seed's commitment is public from the start.
func (e Engine) first(ctx context.Context, q store.Q, now time.Time, owner, scope string) (Public, error) {
	p, err := e.create(ctx, q, now, owner, scope, "", false)
	if err != nil {
		return Public{}, err
	}
	next, err := e.queued(ctx, q, now, owner, scope)
	if err != nil {
		return Public{}, err
	}
	p.NextCommitment = next.Commitment
	return p, nil
}

// queued returns owner's queued seed in scope, creating it when there is none.
func (e Engine) queued(ctx context.Context, q store.Q, now time.Time, owner, scope string) (Public, error) {
	var p Public
	var created int64
	err := q.QueryRow(ctx, `SELECT id, commitment, client_seed, created_at FROM server_seeds
		WHERE owner_id = ? AND scope = ? AND queued = 1`, owner, scope).Scan(&p.ID, &p.Commitment, &p.ClientSeed, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return e.create(ctx, q, now, owner, scope, "", true)
	}
	if err != nil {
		return Public{}, fmt.Errorf("seeds: queued seed: %w", err)
	}
	p.CreatedAt = time.UnixMicro(created).UTC()
	return p, nil
}

// Current returns owner's active seed in scope with the queued seed's commitment, creating
// either if needed. Run it in a Write when it may create.
func (e Engine) Current(ctx context.Context, q store.Q, now time.Time, owner, scope string) (Public, error) {
	p, err := active(ctx, q, owner, scope)
	if errors.Is(err, sql.ErrNoRows) {
		return e.first(ctx, q, now, owner, scope)
	}
	if err != nil {
		return Public{}, err
	}
	next, err := e.queued(ctx, q, now, owner, scope)
	if err != nil {
		return Public{}, err
	}
	p.NextCommitment = next.Commitment
	return p, nil
}

// State returns what a player may see before betting without creating anything: the active
// seed's commitment, client seed and next nonce, and the queued seed's commitment. ok is false
// when owner has no seed in scope yet.
func State(ctx context.Context, q store.Q, owner, scope string) (p Public, ok bool, err error) {
	p, ok, err = Peek(ctx, q, owner, scope)
	if !ok || err != nil {
		return p, ok, err
	}
	err = q.QueryRow(ctx, `SELECT commitment FROM server_seeds WHERE owner_id = ? AND scope = ? AND queued = 1`,
		owner, scope).Scan(&p.NextCommitment)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return p, true, err
}

// Peek returns owner's active seed without creating one; ok is false when there is none yet.
func Peek(ctx context.Context, q store.Q, owner, scope string) (p Public, ok bool, err error) {
	p, err = active(ctx, q, owner, scope)
	if errors.Is(err, sql.ErrNoRows) {
		return Public{}, false, nil
	}
	return p, err == nil, err
}

func active(ctx context.Context, q store.Q, owner, scope string) (Public, error) {
	var p Public
	var nonce, created int64
	err := q.QueryRow(ctx, `SELECT id, commitment, client_seed, next_nonce, created_at FROM server_seeds
		WHERE owner_id = ? AND scope = ? AND active = 1`, owner, scope).Scan(&p.ID, &p.Commitment, &p.ClientSeed, &nonce, &created)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Public{}, err
		}
		return Public{}, fmt.Errorf("seeds: active seed: %w", err)
	}
	p.NextNonce, p.CreatedAt = uint64(nonce), time.UnixMicro(created).UTC()
	return p, nil
}

// Next draws the next nonce of owner's active seed in scope (creating the seed on first use).
// It must run in the same Write as the bet it serves, so a nonce is consumed iff the bet is kept.
func (e Engine) Next(ctx context.Context, q store.Q, now time.Time, owner, scope string) (Draw, error) {
	return e.activeRow(ctx, q, now, owner, scope, func(d *Draw, seedHex *string) error {
		var next int64
		err := q.QueryRow(ctx, `UPDATE server_seeds SET next_nonce = next_nonce + 1
			WHERE owner_id = ? AND scope = ? AND active = 1
			RETURNING id, seed, commitment, client_seed, next_nonce`, owner, scope).Scan(&d.SeedID, seedHex, &d.Commitment, &d.ClientSeed, &next)
		d.Nonce = uint64(next - 1)
		return err
	})
}

// activeRow reads owner's active seed in scope with read (which fills d and the seed's hex),
// creating the seed when there is none (read answers sql.ErrNoRows) and reading again.
func (e Engine) activeRow(ctx context.Context, q store.Q, now time.Time, owner, scope string, read func(d *Draw, seedHex *string) error) (Draw, error) {
	for range 2 {
		var d Draw
		var seedHex string
		err := read(&d, &seedHex)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := e.first(ctx, q, now, owner, scope); err != nil {
				return Draw{}, err
			}
			continue
		}
		if err != nil {
			return Draw{}, fmt.Errorf("seeds: active seed: %w", err)
		}
		if d.Seed, err = fairness.ParseSeed(seedHex); err != nil {
			return Draw{}, fmt.Errorf("seeds: stored seed %s: %w", d.SeedID, err)
		}
		return d, nil
	}
	return Draw{}, errors.New("seeds: could not create an active seed")
}

// Active returns owner's active seed in scope (creating it on first use) for a game whose
// nonces are the player's own (spec 001: the client sends client_seed and nonce), so it draws no
// server nonce. It must run in the same Write as the bet it serves. The row is read under a
// shared lock on PostgreSQL: bets never wait for each other, and a rotation, which updates the
// row, waits until the bets using the seed have committed, so no bet ever uses a seed after it
// is revealed. SQLite's single writer orders them anyway. Next instead updates the row for
// every draw, which made every bet of every instance queue on the platform's one seed row.
func (e Engine) Active(ctx context.Context, q store.Q, now time.Time, owner, scope string) (Draw, error) {
	query := `SELECT id, seed, commitment, client_seed FROM server_seeds WHERE owner_id = ? AND scope = ? AND active = 1`
	if q.Engine() == store.Postgres {
		query += ` FOR SHARE`
	}
	return e.activeRow(ctx, q, now, owner, scope, func(d *Draw, seedHex *string) error {
		return q.QueryRow(ctx, query, owner, scope).Scan(&d.SeedID, seedHex, &d.Commitment, &d.ClientSeed)
	})
}

// SetClientSeed starts a fresh server seed with the player's client seed (the Stake convention):
// the active seed is retired, so it can be revealed, and the queued seed, whose commitment was
// public before the player chose, becomes active with clientSeed. A new queued seed is created.
func (e Engine) SetClientSeed(ctx context.Context, q store.Q, now time.Time, owner, scope, clientSeed string) (Revealed, Public, error) {
	if err := ValidateClientSeed("clientSeed", clientSeed); err != nil {
		return Revealed{}, Public{}, err
	}
	return e.rotate(ctx, q, now, owner, scope, clientSeed)
}

// ValidateClientSeed checks a caller-chosen client seed (1–128 printable characters).
func ValidateClientSeed(field, s string) error {
	if len(s) == 0 || len(s) > MaxClientSeed {
		return errs.Invalid(field, "must be 1 to %d characters", MaxClientSeed)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == ':' {
			return errs.Invalid(field, "must be printable and may not contain ':'")
		}
	}
	return nil
}

// Rotate retires owner's active seed in scope, so it can be revealed, and activates the queued
// seed with the same client seed. It returns the retired seed, revealed, and the new public state.
func (e Engine) Rotate(ctx context.Context, q store.Q, now time.Time, owner, scope string) (Revealed, Public, error) {
	return e.rotate(ctx, q, now, owner, scope, "")
}

// rotate retires the active seed and promotes the queued one, with clientSeed ("" keeps the
// retired seed's client seed), then queues the seed after it.
func (e Engine) rotate(ctx context.Context, q store.Q, now time.Time, owner, scope, clientSeed string) (Revealed, Public, error) {
	cur, err := e.Current(ctx, q, now, owner, scope)
	if err != nil {
		return Revealed{}, Public{}, err
	}
	if clientSeed == "" {
		clientSeed = cur.ClientSeed
	}
	next, err := e.queued(ctx, q, now, owner, scope)
	if err != nil {
		return Revealed{}, Public{}, err
	}
	if _, err := q.Exec(ctx, `UPDATE server_seeds SET active = NULL, rotated_at = ? WHERE id = ?`, now.UnixMicro(), cur.ID); err != nil {
		return Revealed{}, Public{}, fmt.Errorf("seeds: retire: %w", err)
	}
	if _, err := q.Exec(ctx, `UPDATE server_seeds SET active = 1, queued = NULL, client_seed = ?, created_at = ? WHERE id = ?`,
		clientSeed, now.UnixMicro(), next.ID); err != nil {
		return Revealed{}, Public{}, fmt.Errorf("seeds: activate queued seed: %w", err)
	}
	after, err := e.create(ctx, q, now, owner, scope, "", true)
	if err != nil {
		return Revealed{}, Public{}, err
	}
	r, err := Reveal(ctx, q, cur.ID)
	pub := Public{ID: next.ID, Commitment: next.Commitment, NextCommitment: after.Commitment, ClientSeed: clientSeed,
		CreatedAt: time.UnixMicro(now.UnixMicro()).UTC()}
	return r, pub, err
}

// Reveal shows a retired seed. An active seed is errs.Locked: revealing it would let the caller
// predict every later outcome.
func Reveal(ctx context.Context, q store.Q, seedID string) (Revealed, error) {
	var r Revealed
	var act, que sql.NullInt64
	var rotated sql.NullInt64
	var nonces, created int64
	err := q.QueryRow(ctx, `SELECT id, seed, commitment, client_seed, next_nonce, active, queued, created_at, rotated_at
		FROM server_seeds WHERE id = ?`, seedID).Scan(&r.ID, &r.Seed, &r.Commitment, &r.ClientSeed, &nonces, &act, &que, &created, &rotated)
	if errors.Is(err, sql.ErrNoRows) {
		return Revealed{}, errs.NotFoundf("seed not found")
	}
	if err != nil {
		return Revealed{}, fmt.Errorf("seeds: reveal: %w", err)
	}
	if act.Valid || que.Valid || !rotated.Valid {
		return Revealed{}, &errs.Error{Kind: errs.Locked, Code: "SEED_ACTIVE", Message: "seed is still active; it is revealed once rotated"}
	}
	r.Nonces, r.CreatedAt, r.RotatedAt = uint64(nonces), time.UnixMicro(created).UTC(), time.UnixMicro(rotated.Int64).UTC()
	return r, nil
}

// Owner returns the owner of a seed, for access checks.
func Owner(ctx context.Context, q store.Q, seedID string) (string, error) {
	var o string
	err := q.QueryRow(ctx, `SELECT owner_id FROM server_seeds WHERE id = ?`, seedID).Scan(&o)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errs.NotFoundf("seed not found")
	}
	return o, err
}

// UseClientNonce records a caller-chosen nonce for (seed, account, client seed). A nonce that is
// not greater than the last one used is a replay: errs.Conflict (409 on /api/v1).
func UseClientNonce(ctx context.Context, q store.Q, seedID, account, clientSeed string, nonce uint64) error {
	// One statement on the way that succeeds (a bet's hot path): insert, or raise a smaller last
	// nonce; nothing changed means the nonce was not greater.
	res, err := q.Exec(ctx, `INSERT INTO seed_nonces (seed_id, account_id, client_seed, last_nonce) VALUES (?, ?, ?, ?)
		ON CONFLICT (seed_id, account_id, client_seed) DO UPDATE SET last_nonce = excluded.last_nonce
		WHERE seed_nonces.last_nonce < excluded.last_nonce`, seedID, account, clientSeed, int64(nonce))
	if err != nil {
		return fmt.Errorf("seeds: record nonce: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var last int64
	if err := q.QueryRow(ctx, `SELECT last_nonce FROM seed_nonces WHERE seed_id = ? AND account_id = ? AND client_seed = ?`,
		seedID, account, clientSeed).Scan(&last); err != nil {
		return fmt.Errorf("seeds: nonce: %w", err)
	}
	return &errs.Error{Kind: errs.Conflict, Code: "NONCE_REUSED", Field: "nonce", Message: fmt.Sprintf("nonce must be greater than %d", last)}
}

// Reserve returns the draw for the next nonce of owner's active seed in scope without consuming
// it, for a caller that derives many outcomes in one transaction and then calls Advance with how
// many it used (a strategy run).
func (e Engine) Reserve(ctx context.Context, q store.Q, now time.Time, owner, scope string) (Draw, error) {
	if _, err := e.Current(ctx, q, now, owner, scope); err != nil {
		return Draw{}, err
	}
	var d Draw
	var seedHex string
	var next int64
	err := q.QueryRow(ctx, `SELECT id, seed, commitment, client_seed, next_nonce FROM server_seeds
		WHERE owner_id = ? AND scope = ? AND active = 1`, owner, scope).Scan(&d.SeedID, &seedHex, &d.Commitment, &d.ClientSeed, &next)
	if err != nil {
		return Draw{}, fmt.Errorf("seeds: reserve: %w", err)
	}
	if d.Seed, err = fairness.ParseSeed(seedHex); err != nil {
		return Draw{}, fmt.Errorf("seeds: stored seed %s: %w", d.SeedID, err)
	}
	d.Nonce = uint64(next)
	return d, nil
}

// Advance consumes n nonces reserved from d. It fails with errs.Conflict if anyone else drew from
// the seed in between (or it was rotated), so no nonce is ever used twice.
func Advance(ctx context.Context, q store.Q, d Draw, n uint64) error {
	if n == 0 {
		return nil
	}
	res, err := q.Exec(ctx, `UPDATE server_seeds SET next_nonce = next_nonce + ? WHERE id = ? AND next_nonce = ? AND active = 1`,
		int64(n), d.SeedID, int64(d.Nonce))
	if err != nil {
		return fmt.Errorf("seeds: advance: %w", err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		return errs.Conflictf("the seed changed during the run; retry")
	}
	return nil
}
