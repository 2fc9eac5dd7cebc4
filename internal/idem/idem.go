// Package idem implements Idempotency-Key for money-moving requests (DESIGN §4): the first
// successful answer is stored in the same transaction as the money it moved; a retry with the same
// key and the same request replays that answer without moving money again; the same key with a
// different request is a conflict. Failed requests store nothing, so they may be retried.
package idem

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/store"
)

// MaxKeyLen bounds the header's length.
const MaxKeyLen = 255

// Answer is a stored response.
type Answer struct {
	Status int
	Body   []byte
}

// ValidateKey checks an Idempotency-Key header value.
func ValidateKey(key string) error {
	if len(key) == 0 || len(key) > MaxKeyLen {
		return errs.Invalid("Idempotency-Key", "must be 1 to %d characters", MaxKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return errs.Invalid("Idempotency-Key", "must be printable ASCII without spaces")
		}
	}
	return nil
}

// Hash fingerprints a request (method, path, body) so a reused key with another request is caught.
func Hash(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		var n [8]byte
		for i, l := 0, uint64(len(p)); i < 8; i, l = i+1, l>>8 {
			n[i] = byte(l)
		}
		h.Write(n[:])
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Lookup returns the stored answer for (account, scope, key), or nil when there is none. A stored
// answer for a different request hash is errs.Conflict.
func Lookup(ctx context.Context, q store.Q, account, scope, key, hash string) (*Answer, error) {
	var storedHash, body string
	var status int
	err := q.QueryRow(ctx, `SELECT request_hash, status, body FROM idempotency_keys
		WHERE account_id = ? AND scope = ? AND key = ?`, account, scope, key).Scan(&storedHash, &status, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("idem: lookup: %w", err)
	}
	if storedHash != hash {
		return nil, &errs.Error{Kind: errs.Conflict, Code: "IDEMPOTENCY_KEY_REUSED", Field: "Idempotency-Key",
			Message: "this Idempotency-Key was already used with a different request"}
	}
	return &Answer{Status: status, Body: []byte(body)}, nil
}

// Save stores the answer; run it in the same store.Write as the money it moved.
func Save(ctx context.Context, q store.Q, now time.Time, account, scope, key, hash string, a Answer) error {
	_, err := q.Exec(ctx, `INSERT INTO idempotency_keys (account_id, scope, key, request_hash, status, body, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, account, scope, key, hash, a.Status, string(a.Body), now.UnixMicro())
	if store.IsUnique(err) {
		return errs.Conflictf("a request with this Idempotency-Key is already being processed")
	}
	if err != nil {
		return fmt.Errorf("idem: save: %w", err)
	}
	return nil
}

// RequestHash fingerprints a parsed request: the operation's scope and the canonical JSON of its
// input (encoding/json writes struct fields in declaration order and map keys sorted), so a retry
// whose JSON keys come in another order, or with other whitespace, is the same request.
func RequestHash(scope string, input any) (string, error) {
	b, err := json.Marshal(input)
	if err != nil {
		return "", fmt.Errorf("idem: hash input: %w", err)
	}
	return Hash([]byte(scope), b), nil
}

// Do runs fn in one store.WriteFor(account) as a money-moving operation. With a key, the first
// successful result is stored (gob-encoded: domain values keep their exact Go form, whatever JSON
// shape a surface gives them) in the same transaction as the money it moved and a retry
// of the same parsed request replays it without running fn; the same key with another request is
// errs.Conflict. Without a key fn simply runs once. replayed says the answer is a stored one. Out must be gob-encodable (no interface fields).
// Scopes are new names for this stored form, so answers stored by older versions never meet it.
func Do[Out any](ctx context.Context, db *store.DB, account, scope, key string, input any,
	fn func(ctx context.Context, q store.Q, now time.Time) (Out, error)) (out Out, replayed bool, err error) {
	if key == "" {
		err := db.WriteFor(ctx, account, func(ctx context.Context, q store.Q) (err error) {
			out, err = fn(ctx, q, store.Now(ctx))
			return err
		})
		return out, false, err
	}
	if err := ValidateKey(key); err != nil {
		return out, false, err
	}
	hash, err := RequestHash(scope, input)
	if err != nil {
		return out, false, err
	}
	err = db.WriteFor(ctx, account, func(ctx context.Context, q store.Q) error {
		var zero Out
		out, replayed = zero, false
		prev, err := Lookup(ctx, q, account, scope, key, hash)
		if err != nil {
			return err
		}
		if prev != nil {
			raw, err := base64.StdEncoding.DecodeString(string(prev.Body))
			if err != nil {
				return fmt.Errorf("idem: stored answer for %s: %w", scope, err)
			}
			prev.Body = raw
			if err := gob.NewDecoder(bytes.NewReader(prev.Body)).Decode(&out); err != nil {
				return fmt.Errorf("idem: stored answer for %s: %w", scope, err)
			}
			replayed = true
			return nil
		}
		t := store.Now(ctx)
		if out, err = fn(ctx, q, t); err != nil {
			return err
		}
		var body bytes.Buffer
		if err := gob.NewEncoder(&body).Encode(out); err != nil {
			return fmt.Errorf("idem: store answer: %w", err)
		}
		return Save(ctx, q, t, account, scope, key, hash, Answer{Status: 200, Body: []byte(base64.StdEncoding.EncodeToString(body.Bytes()))})
	})
	return out, replayed, err
}
