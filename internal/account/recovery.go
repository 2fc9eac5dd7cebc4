package account

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/store"
)

// RecoveryTTL is how long a recovery link works. The real system's links are stateless and live
// a week; Arcade's are stored (hashed), single-use and short-lived, since whoever holds one can
// take the account.
const RecoveryTTL = time.Hour

// Recovery errors, each a distinct reason the recover route reports.
var (
	ErrRecoveryMissing = &errs.Error{Kind: errs.Validation, Code: "recovery_missing", Field: "token", Message: "is required"}
	ErrRecoveryInvalid = &errs.Error{Kind: errs.Unauthorized, Code: "recovery_invalid", Message: "recovery link is not valid"}
	ErrRecoveryExpired = &errs.Error{Kind: errs.Unauthorized, Code: "recovery_expired", Message: "recovery link has expired or was used"}
)

// RecoveryLink is a new recovery token (shown once) and when it expires.
type RecoveryLink struct {
	Token     string
	ExpiresAt time.Time
}

// NewRecoveryLink issues a recovery token for accountID.
func (s *Service) NewRecoveryLink(ctx context.Context, accountID string) (RecoveryLink, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(s.Rand, b); err != nil {
		return RecoveryLink{}, fmt.Errorf("account: recovery entropy: %w", err)
	}
	l := RecoveryLink{Token: base64.RawURLEncoding.EncodeToString(b)}
	err := s.DB.WriteFor(ctx, accountID, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		l.ExpiresAt = time.UnixMicro(now.Add(RecoveryTTL).UnixMicro()).UTC()
		_, err := q.Exec(ctx, `INSERT INTO recovery_tokens (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			HashKey(l.Token), accountID, now.UnixMicro(), l.ExpiresAt.UnixMicro())
		if err != nil {
			return fmt.Errorf("account: store recovery token: %w", err)
		}
		return nil
	})
	return l, err
}

// Recover spends a recovery token: the account's keys are replaced by a new one (shown once).
func (s *Service) Recover(ctx context.Context, token, keyPrefix string) (Account, Key, error) {
	if token == "" {
		return Account{}, Key{}, ErrRecoveryMissing
	}
	if len(token) > 128 {
		return Account{}, Key{}, ErrRecoveryInvalid
	}
	var a Account
	var k Key
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		var id string
		var expires int64
		var used sql.NullInt64
		err := q.QueryRow(ctx, `SELECT account_id, expires_at, used_at FROM recovery_tokens WHERE token_hash = ?`,
			HashKey(token)).Scan(&id, &expires, &used)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrRecoveryInvalid
		}
		if err != nil {
			return fmt.Errorf("account: recovery token: %w", err)
		}
		if used.Valid || now.UnixMicro() >= expires {
			return ErrRecoveryExpired
		}
		// Spend it first, guarded, so two concurrent uses cannot both succeed.
		res, err := q.Exec(ctx, `UPDATE recovery_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, now.UnixMicro(), HashKey(token))
		if err != nil {
			return fmt.Errorf("account: spend recovery token: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrRecoveryExpired
		}
		if a, err = Get(ctx, q, id); err != nil {
			return err
		}
		k, err = RegenerateKey(ctx, q, now, s.Rand, id, keyPrefix)
		return err
	})
	if err != nil {
		return Account{}, Key{}, err
	}
	s.keys.forget(a.ID)
	a.KeyPrefix = k.Prefix
	return a, k, nil
}
