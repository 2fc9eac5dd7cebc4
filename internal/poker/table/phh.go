package table

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/poker/phh"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
)

// User-defined PHH fields (phh-std: keys starting with "_") with which a hand carries what PHH
// has no field for: where it was played, its deck's provenance (DESIGN §5: arcade verify --game
// deck recomputes the deck from them once the server seed is revealed) and the rake.
const (
	PHHHandID     = "_arcade_hand_id"
	PHHTableID    = "_arcade_table_id"
	PHHSeedHash   = "_arcade_server_seed_hash"
	PHHClientSeed = "_arcade_client_seed"
	PHHNonce      = "_arcade_nonce"
	PHHServerSeed = "_arcade_server_seed" // added when the hand is served, once the seed is revealed
	PHHRake       = "_arcade_rake"        // what the platform took from this hand, in chips
	PHHChips      = "_arcade_chips"       // the unit of every amount
)

// record writes the finished hand as PHH with every hole card dealt: the table's full record,
// which is stored with the hand and hidden per viewer when served (HandPHH).
func (t *Table) record() (string, error) {
	h, err := phh.Record(t.hand)
	if err != nil {
		return "", err
	}
	r := t.hand.Result()
	cfg := t.hand.Config()
	// Players by position, named as at the table (Record lists them in the same order).
	var names []any
	for k := 1; k <= cfg.Seats; k++ {
		if i := (r.Button + k) % cfg.Seats; r.Start[i] > 0 {
			names = append(names, t.name(i))
		}
	}
	started := t.deal.StartedAt.UTC()
	h.Set("players", names)
	h.Set("table", t.ID)
	h.Set("hand", int64(t.deal.Fairness.Nonce))
	if !started.IsZero() {
		h.Set("day", int64(started.Day()))
		h.Set("month", int64(started.Month()))
		h.Set("year", int64(started.Year()))
		h.Set("time_zone", "UTC")
	}
	h.Set(PHHHandID, t.deal.HandID)
	h.Set(PHHTableID, t.ID)
	h.Set(PHHSeedHash, t.deal.Fairness.Commitment)
	h.Set(PHHClientSeed, t.deal.Fairness.ClientSeed)
	h.Set(PHHNonce, int64(t.deal.Fairness.Nonce))
	h.Set(phh.RakeBasisPointsField, cfg.RakeBasisPoints)
	h.Set(phh.RakeCapField, cfg.RakeCap)
	h.Set(PHHRake, r.Rake)
	h.Set(PHHChips, "micro-USDC")
	var b strings.Builder
	if err := phh.Write(&b, h); err != nil {
		return "", fmt.Errorf("poker: hand %s as PHH: %w", t.deal.HandID, err)
	}
	return b.String(), nil
}

// PHHDoc is hand histories as PHH text: one hand (.phh) or several (.phhs).
type PHHDoc struct {
	HandIDs []string // the hands it holds, in file order
	Text    string
}

// HandPHH serves one settled hand as PHH for viewer (an account id; "" for anyone): see hands.
func (s *Service) HandPHH(ctx context.Context, viewer, handID string) (PHHDoc, error) {
	var doc PHHDoc
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		hs, err := s.phhHands(ctx, q, viewer, []string{handID})
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			return errs.NotFoundf("hand not found")
		}
		var b strings.Builder
		if err := phh.Write(&b, hs[0]); err != nil {
			return fmt.Errorf("poker: hand %s as PHH: %w", handID, err)
		}
		doc = PHHDoc{HandIDs: []string{handID}, Text: b.String()}
		return nil
	})
	return doc, err
}

// TablePHH serves a table's settled hands, newest first, as one .phhs file for viewer; 404 for a
// table that never existed.
func (s *Service) TablePHH(ctx context.Context, viewer, tableID string, limit, offset int) (PHHDoc, error) {
	var doc PHHDoc
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		var one int
		err := q.QueryRow(ctx, `SELECT 1 FROM poker_tables WHERE id = ?`, tableID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFoundf("table_not_found: no table %q", tableID)
		}
		if err != nil {
			return fmt.Errorf("poker: read table: %w", err)
		}
		ids, err := queryIDs(ctx, q, `SELECT id FROM poker_hands WHERE table_id = ? AND phh <> '' ORDER BY hand_no DESC LIMIT ? OFFSET ?`,
			tableID, limit, offset)
		if err != nil {
			return err
		}
		doc, err = s.phhFile(ctx, q, viewer, ids)
		return err
	})
	return doc, err
}

// AgentPHH serves the hands an agent was dealt into, newest first, as one .phhs file with its
// own hole cards shown.
func (s *Service) AgentPHH(ctx context.Context, accountID string, limit, offset int) (PHHDoc, error) {
	var doc PHHDoc
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		ids, err := queryIDs(ctx, q, `SELECT h.id FROM poker_hand_seats s JOIN poker_hands h ON h.id = s.hand_id
			WHERE s.account_id = ? AND h.phh <> '' ORDER BY s.created_at DESC, h.id DESC LIMIT ? OFFSET ?`, accountID, limit, offset)
		if err != nil {
			return err
		}
		doc, err = s.phhFile(ctx, q, accountID, ids)
		return err
	})
	return doc, err
}

func queryIDs(ctx context.Context, q store.Q, query string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("poker: list hands: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("poker: list hands: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *Service) phhFile(ctx context.Context, q store.Q, viewer string, ids []string) (PHHDoc, error) {
	hs, err := s.phhHands(ctx, q, viewer, ids)
	if err != nil {
		return PHHDoc{}, err
	}
	var b strings.Builder
	if err := phh.WriteAll(&b, hs); err != nil {
		return PHHDoc{}, fmt.Errorf("poker: hands as PHH: %w", err)
	}
	return PHHDoc{HandIDs: ids, Text: b.String()}, nil
}

// handSeatsSQL reads a hand's seats (at most the table's seat count) by the primary key; the
// viewer's are picked out in Go. Asked for hand_id = ? AND account_id = ?, SQLite chose
// poker_hand_seats_account and read every seat the viewer ever held, for each hand of a page
// (TestHandSeatsUseThePrimaryKey).
const handSeatsSQL = `SELECT seat, account_id FROM poker_hand_seats WHERE hand_id = ?`

// phhHands reads settled hands' records (those with none are left out) and prepares each for
// viewer: the dealt hole cards hidden ("????") except the viewer's own and those shown at the
// showdown, and the server seed added once the table has revealed it. (Once it is revealed
// anyone can recompute the whole deck, mucked cards included: that is the fairness proof.)
func (s *Service) phhHands(ctx context.Context, q store.Q, viewer string, ids []string) ([]*phh.Hand, error) {
	out := make([]*phh.Hand, 0, len(ids))
	revealed := map[string]string{}
	for _, id := range ids {
		var text, seedID string
		err := q.QueryRow(ctx, `SELECT phh, seed_id FROM poker_hands WHERE id = ?`, id).Scan(&text, &seedID)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && text == "") {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("poker: read hand %s: %w", id, err)
		}
		h, err := phh.Parse(strings.NewReader(text))
		if err != nil {
			return nil, fmt.Errorf("poker: hand %s record: %w", id, err)
		}
		mine := map[int64]bool{} // the viewer's table seats, 1-based as the seats field has them
		if viewer != "" {
			rows, err := q.Query(ctx, handSeatsSQL, id)
			if err != nil {
				return nil, fmt.Errorf("poker: read hand %s seats: %w", id, err)
			}
			for rows.Next() {
				var n int64
				var acc string
				if err := rows.Scan(&n, &acc); err != nil {
					rows.Close()
					return nil, fmt.Errorf("poker: read hand %s seats: %w", id, err)
				}
				if acc == viewer {
					mine[n+1] = true
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, fmt.Errorf("poker: read hand %s seats: %w", id, err)
			}
		}
		seatOf, _ := h.Get("seats").([]any)
		phh.Hide(h, func(p int) bool {
			if p < 1 || p > len(seatOf) {
				return false
			}
			n, _ := seatOf[p-1].(int64)
			return mine[n]
		})
		seed, ok := revealed[seedID]
		if !ok {
			rev, err := seeds.Reveal(ctx, q, seedID)
			if err != nil && errs.KindOf(err) != errs.Locked {
				return nil, err
			}
			seed = rev.Seed
			revealed[seedID] = seed
		}
		if seed != "" {
			h.Set(PHHServerSeed, seed)
		}
		out = append(out, h)
	}
	return out, nil
}
