package credits

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/arcadehq/arcade/internal/credits/strategy"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/store"
)

// Saved is a stored strategy: a basic one (Config set) or an advanced one (Advanced set).
type Saved struct {
	ID        string
	AccountID string
	GameType  string
	Name      string
	Config    strategy.Config
	Advanced  *strategy.Advanced
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxNameLen bounds strategy names.
const MaxNameLen = 100

// ValidateName checks a strategy name.
func ValidateName(field, name string) error {
	if strings.TrimSpace(name) == "" {
		return errs.Missing(field)
	}
	if len(name) > MaxNameLen {
		return errs.Invalid(field, "must be at most %d characters", MaxNameLen)
	}
	return nil
}

// newID draws an id through the write (store.NewID), the same on every run of its function.
func newID(ctx context.Context) (string, error) {
	id, err := store.NewID(ctx)
	if err != nil {
		return "", fmt.Errorf("credits: id: %w", err)
	}
	return id, nil
}

// CreateStrategy stores a validated basic strategy.
func CreateStrategy(ctx context.Context, q store.Q, now time.Time, account, gameType, name string, c strategy.Config) (Saved, error) {
	if err := ValidateName("name", name); err != nil {
		return Saved{}, err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return Saved{}, fmt.Errorf("credits: encode strategy: %w", err)
	}
	id, err := newID(ctx)
	if err != nil {
		return Saved{}, err
	}
	s := Saved{ID: id, AccountID: account, GameType: gameType, Name: name, Config: c, CreatedAt: micros(now), UpdatedAt: micros(now)}
	_, err = q.Exec(ctx, `INSERT INTO credit_strategies (id, account_id, game_type, name, config, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.ID, account, gameType, name, string(raw), now.UnixMicro(), now.UnixMicro())
	if err != nil {
		return Saved{}, fmt.Errorf("credits: store strategy: %w", err)
	}
	return s, nil
}

func scanStrategy(row interface{ Scan(...any) error }) (Saved, error) {
	var s Saved
	var raw string
	var created, updated int64
	if err := row.Scan(&s.ID, &s.AccountID, &s.GameType, &s.Name, &raw, &created, &updated); err != nil {
		return Saved{}, err
	}
	c, err := strategy.DecodeConfig([]byte(raw), "config")
	if err != nil {
		return Saved{}, fmt.Errorf("credits: stored strategy %s no longer decodes: %w", s.ID, err)
	}
	s.Config, s.CreatedAt, s.UpdatedAt = c, time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return s, nil
}

const strategyCols = `id, account_id, game_type, name, config, created_at, updated_at`

// GetStrategy reads one of account's basic strategies; another account's is not found.
func GetStrategy(ctx context.Context, q store.Q, account, id string) (Saved, error) {
	s, err := scanStrategy(q.QueryRow(ctx, `SELECT `+strategyCols+` FROM credit_strategies WHERE id = ? AND account_id = ?`, id, account))
	if errors.Is(err, sql.ErrNoRows) {
		return Saved{}, &errs.Error{Kind: errs.NotFound, Code: "NOT_FOUND", Message: "strategy not found"}
	}
	return s, err
}

// ListStrategies lists account's basic strategies, optionally of one game type.
func ListStrategies(ctx context.Context, q store.Q, account, gameType string) ([]Saved, error) {
	rows, err := q.Query(ctx, `SELECT `+strategyCols+` FROM credit_strategies WHERE account_id = ? AND (? = '' OR game_type = ?)
		ORDER BY created_at DESC, id DESC LIMIT 500`, account, gameType, gameType)
	if err != nil {
		return nil, fmt.Errorf("credits: strategies: %w", err)
	}
	defer rows.Close()
	out := []Saved{}
	for rows.Next() {
		s, err := scanStrategy(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UpdateStrategy changes a basic strategy's name and/or config.
func UpdateStrategy(ctx context.Context, q store.Q, now time.Time, account, id string, name *string, c *strategy.Config) (Saved, error) {
	s, err := GetStrategy(ctx, q, account, id)
	if err != nil {
		return Saved{}, err
	}
	if name != nil {
		if err := ValidateName("name", *name); err != nil {
			return Saved{}, err
		}
		s.Name = *name
	}
	if c != nil {
		s.Config = *c
	}
	raw, err := json.Marshal(s.Config)
	if err != nil {
		return Saved{}, err
	}
	s.UpdatedAt = micros(now)
	_, err = q.Exec(ctx, `UPDATE credit_strategies SET name = ?, config = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
		s.Name, string(raw), now.UnixMicro(), id, account)
	return s, err
}

// DeleteStrategy removes one of account's basic strategies.
func DeleteStrategy(ctx context.Context, q store.Q, account, id string) error {
	res, err := q.Exec(ctx, `DELETE FROM credit_strategies WHERE id = ? AND account_id = ?`, id, account)
	if err != nil {
		return fmt.Errorf("credits: delete strategy: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &errs.Error{Kind: errs.NotFound, Code: "NOT_FOUND", Message: "strategy not found"}
	}
	return nil
}

// CreateAdvanced stores a validated advanced strategy; names are unique per account (409).
func CreateAdvanced(ctx context.Context, q store.Q, now time.Time, account string, a *strategy.Advanced) (Saved, error) {
	raw, err := json.Marshal(a)
	if err != nil {
		return Saved{}, fmt.Errorf("credits: encode strategy: %w", err)
	}
	id, err := newID(ctx)
	if err != nil {
		return Saved{}, err
	}
	s := Saved{ID: id, AccountID: account, GameType: GameDice, Name: a.Name, Advanced: a, CreatedAt: micros(now), UpdatedAt: micros(now)}
	_, err = q.Exec(ctx, `INSERT INTO advanced_strategies (id, account_id, name, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		s.ID, account, a.Name, string(raw), now.UnixMicro(), now.UnixMicro())
	if store.IsUnique(err) {
		return Saved{}, &errs.Error{Kind: errs.Conflict, Code: "DUPLICATE_NAME", Field: "name", Message: "you already have a strategy with this name"}
	}
	if err != nil {
		return Saved{}, fmt.Errorf("credits: store strategy: %w", err)
	}
	return s, nil
}

const advancedCols = `id, account_id, name, spec, created_at, updated_at`

func scanAdvanced(row interface{ Scan(...any) error }) (Saved, error) {
	var s Saved
	var raw string
	var created, updated int64
	if err := row.Scan(&s.ID, &s.AccountID, &s.Name, &raw, &created, &updated); err != nil {
		return Saved{}, err
	}
	a, err := strategy.DecodeAdvanced([]byte(raw), "strategy")
	if err != nil {
		return Saved{}, fmt.Errorf("credits: stored strategy %s no longer decodes: %w", s.ID, err)
	}
	s.GameType, s.Advanced, s.CreatedAt, s.UpdatedAt = GameDice, a, time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return s, nil
}

// GetAdvanced reads one of account's advanced strategies.
func GetAdvanced(ctx context.Context, q store.Q, account, id string) (Saved, error) {
	s, err := scanAdvanced(q.QueryRow(ctx, `SELECT `+advancedCols+` FROM advanced_strategies WHERE id = ? AND account_id = ?`, id, account))
	if errors.Is(err, sql.ErrNoRows) {
		return Saved{}, &errs.Error{Kind: errs.NotFound, Code: "STRATEGY_NOT_FOUND", Message: "strategy not found"}
	}
	return s, err
}

// ListAdvanced lists account's advanced strategies.
func ListAdvanced(ctx context.Context, q store.Q, account string) ([]Saved, error) {
	rows, err := q.Query(ctx, `SELECT `+advancedCols+` FROM advanced_strategies WHERE account_id = ? ORDER BY created_at DESC, id DESC LIMIT 500`, account)
	if err != nil {
		return nil, fmt.Errorf("credits: advanced strategies: %w", err)
	}
	defer rows.Close()
	out := []Saved{}
	for rows.Next() {
		s, err := scanAdvanced(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// UpdateAdvanced replaces an advanced strategy.
func UpdateAdvanced(ctx context.Context, q store.Q, now time.Time, account, id string, a *strategy.Advanced) (Saved, error) {
	s, err := GetAdvanced(ctx, q, account, id)
	if err != nil {
		return Saved{}, err
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return Saved{}, err
	}
	_, err = q.Exec(ctx, `UPDATE advanced_strategies SET name = ?, spec = ?, updated_at = ? WHERE id = ? AND account_id = ?`,
		a.Name, string(raw), now.UnixMicro(), id, account)
	if store.IsUnique(err) {
		return Saved{}, &errs.Error{Kind: errs.Conflict, Code: "DUPLICATE_NAME", Field: "name", Message: "you already have a strategy with this name"}
	}
	if err != nil {
		return Saved{}, fmt.Errorf("credits: update strategy: %w", err)
	}
	s.Name, s.Advanced, s.UpdatedAt = a.Name, a, micros(now)
	return s, nil
}

// DeleteAdvanced removes one of account's advanced strategies.
func DeleteAdvanced(ctx context.Context, q store.Q, account, id string) error {
	res, err := q.Exec(ctx, `DELETE FROM advanced_strategies WHERE id = ? AND account_id = ?`, id, account)
	if err != nil {
		return fmt.Errorf("credits: delete strategy: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return &errs.Error{Kind: errs.NotFound, Code: "STRATEGY_NOT_FOUND", Message: "strategy not found"}
	}
	return nil
}

// PatchAdvanced applies a partial update to a stored advanced strategy: each top-level field in
// patch replaces the stored one, and the result is decoded and validated as a whole strategy (so
// a patch can never leave an invalid strategy behind). The id and times are not patchable.
func PatchAdvanced(cur Saved, patch map[string]json.RawMessage) (*strategy.Advanced, error) {
	raw, err := json.Marshal(cur.Advanced)
	if err != nil {
		return nil, fmt.Errorf("credits: stored strategy: %w", err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("credits: stored strategy: %w", err)
	}
	for k, v := range patch {
		switch k {
		case "id", "createdAt", "updatedAt":
			continue
		}
		m[k] = v
	}
	merged, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("credits: patch: %w", err)
	}
	return strategy.DecodeAdvanced(merged, "")
}
