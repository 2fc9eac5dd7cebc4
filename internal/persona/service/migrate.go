package service

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/store"
)

// WebPlayer is the user_session_id of the play page's player, the account's own player on the
// web chat, to which migrate-progress moves progress by default.
const WebPlayer = "web"

// MigrateInput names the player whose progress moves (old_session_id) and the player that
// receives it (user_session_id, WebPlayer when empty), both of the caller's account.
type MigrateInput struct {
	OldSessionID  string
	UserSessionID string
}

// Migrated lists the personas whose progress moved, and those skipped because the receiving
// player already had progress with them (kept as it was; the old player's stays too).
type Migrated struct {
	OldSessionID  string
	UserSessionID string
	Migrated      []string
	Skipped       []string
}

func checkUsid(field, v string) error {
	if v == "" {
		return errs.Missing(field)
	}
	if len(v) > MaxUserSession || !utf8.ValidString(v) {
		return errs.Invalid(field, "must be valid UTF-8 of at most %d bytes", MaxUserSession)
	}
	return nil
}

// migrateSQL lists the old player's progress, and whether the new player already has progress
// with each persona. It reads persona_progress_session (migration 0029): the table's key starts
// with persona_id, which made this read every player's progress (TestMigrateUsesTheSessionIndex).
const migrateSQL = `SELECT o.persona_id, CASE WHEN n.persona_id IS NULL THEN 0 ELSE 1 END FROM persona_progress o
	LEFT JOIN persona_progress n ON n.persona_id = o.persona_id AND n.account_id = o.account_id AND n.user_session_id = ?
	WHERE o.account_id = ? AND o.user_session_id = ? ORDER BY o.persona_id`

// MigrateProgress moves every persona's progress, sessions and chat history of the caller's
// player in.OldSessionID to its player in.UserSessionID (the real system's "move anonymous
// progress to the account"): in one write, so a player is never half moved. Only the caller's
// own players are touched: a player is an account plus a user_session_id.
func (s *Service) MigrateProgress(ctx context.Context, me string, in MigrateInput) (Migrated, error) {
	if in.UserSessionID == "" {
		in.UserSessionID = WebPlayer
	}
	if err := checkUsid("old_session_id", in.OldSessionID); err != nil {
		return Migrated{}, err
	}
	if err := checkUsid("user_session_id", in.UserSessionID); err != nil {
		return Migrated{}, err
	}
	if in.OldSessionID == in.UserSessionID {
		return Migrated{}, errs.Invalid("old_session_id", "must differ from user_session_id (%q)", in.UserSessionID)
	}
	var out Migrated
	err := s.DB.WriteFor(ctx, me, func(ctx context.Context, q store.Q) error {
		out = Migrated{OldSessionID: in.OldSessionID, UserSessionID: in.UserSessionID, Migrated: []string{}, Skipped: []string{}}
		rows, err := q.Query(ctx, migrateSQL, in.UserSessionID, me, in.OldSessionID)
		if err != nil {
			return fmt.Errorf("read progress to migrate: %w", err)
		}
		var move []string
		for rows.Next() {
			var (
				pid   string
				taken int
			)
			if err := rows.Scan(&pid, &taken); err != nil {
				rows.Close()
				return fmt.Errorf("read progress to migrate: %w", err)
			}
			if taken == 1 {
				out.Skipped = append(out.Skipped, pid)
			} else {
				move = append(move, pid)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read progress to migrate: %w", err)
		}
		now := micros(store.Now(ctx))
		for _, pid := range move {
			// A moved row takes a version no earlier state of either player had (versions of a
			// player never repeat: the progress cache relies on it).
			if _, err := q.Exec(ctx, `UPDATE persona_progress SET user_session_id = ?, updated_at = ?,
				version = CASE WHEN version + 1 > ? THEN version + 1 ELSE ? END
				WHERE persona_id = ? AND account_id = ? AND user_session_id = ?`,
				in.UserSessionID, now, now, now, pid, me, in.OldSessionID); err != nil {
				return fmt.Errorf("migrate progress: %w", err)
			}
			if _, err := q.Exec(ctx, `UPDATE persona_sessions SET user_session_id = ?
				WHERE persona_id = ? AND account_id = ? AND user_session_id = ?`, in.UserSessionID, pid, me, in.OldSessionID); err != nil {
				return fmt.Errorf("migrate sessions: %w", err)
			}
		}
		out.Migrated = append(out.Migrated, move...)
		return nil
	})
	for _, pid := range out.Migrated {
		s.players.drop(playerKey{pid, me, in.OldSessionID})
		s.players.drop(playerKey{pid, me, in.UserSessionID})
	}
	return out, err
}
