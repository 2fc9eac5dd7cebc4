package account

import (
	"context"
	"fmt"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/store"
)

// PrefixSDK is the persona SDK's key format (spec 003's play API): "pk_live_" + 64 hex.
const PrefixSDK = "pk_live_"

// MaxKeyName bounds a key's name.
const MaxKeyName = 100

// KeyInfo is an active key as listed: never its secret.
type KeyInfo struct {
	ID        string
	Name      string
	Prefix    string // the readable start of the key
	CreatedAt time.Time
}

// IssueNamedKey adds a named key with prefix to the account; the account's other keys keep working.
func (s *Service) IssueNamedKey(ctx context.Context, accountID, prefix, name string) (Key, KeyInfo, error) {
	if len(name) > MaxKeyName {
		return Key{}, KeyInfo{}, errs.Invalid("name", "must be at most %d bytes", MaxKeyName)
	}
	var k Key
	now := s.Now().UTC()
	err := s.DB.WriteFor(ctx, accountID, func(ctx context.Context, q store.Q) (err error) {
		if k, err = IssueKey(ctx, q, now, s.Rand, accountID, prefix); err != nil {
			return err
		}
		if _, err = q.Exec(ctx, `UPDATE api_keys SET name = ? WHERE id = ?`, name, k.ID); err != nil {
			return fmt.Errorf("account: name key: %w", err)
		}
		return nil
	})
	return k, KeyInfo{ID: k.ID, Name: name, Prefix: k.Prefix, CreatedAt: time.UnixMicro(now.UnixMicro()).UTC()}, err
}

// KeysWithPrefix lists the account's active keys whose secret starts with prefix, newest first.
func (s *Service) KeysWithPrefix(ctx context.Context, accountID, prefix string) ([]KeyInfo, error) {
	out := []KeyInfo{}
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, `SELECT id, COALESCE(name, ''), prefix, created_at FROM api_keys
			WHERE account_id = ? AND revoked_at IS NULL AND SUBSTR(prefix, 1, ?) = ? ORDER BY created_at DESC, id LIMIT 100`,
			accountID, len(prefix), prefix)
		if err != nil {
			return fmt.Errorf("account: list keys: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k KeyInfo
			var at int64
			if err := rows.Scan(&k.ID, &k.Name, &k.Prefix, &at); err != nil {
				return fmt.Errorf("account: list keys: %w", err)
			}
			k.CreatedAt = time.UnixMicro(at).UTC()
			out = append(out, k)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeKeyWithPrefix revokes the account's active key id if its secret starts with prefix; it
// stops working at once. Another account's key, or one of another kind, is not found.
func (s *Service) RevokeKeyWithPrefix(ctx context.Context, accountID, prefix, id string) error {
	err := s.DB.WriteFor(ctx, accountID, func(ctx context.Context, q store.Q) error {
		res, err := q.Exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL
			AND SUBSTR(prefix, 1, ?) = ?`, store.Now(ctx).UnixMicro(), id, accountID, len(prefix), prefix)
		if err != nil {
			return fmt.Errorf("account: revoke key: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errs.NotFoundf("no active key with this id")
		}
		return nil
	})
	if err == nil {
		s.keys.forget(accountID)
	}
	return err
}
