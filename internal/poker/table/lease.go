package table

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/store"
)

// Table ownership. Tables live in the memory of the instance that runs them, so on a database
// shared by several instances (PostgreSQL) each instance holds a lease (poker_leases) and names
// itself owner of the tables it opens and of the stacks its players buy in with. It renews the
// lease every Lease/3. Every instance, at start and on the same timer, recovers the owners whose
// lease has expired: in one write, which first deletes the lease row only if it is still expired
// (a compare-and-set: of two recoverers one deletes it and the other finds nothing; a renewal
// that commits first keeps it), it returns their stacks to their balances and closes their
// tables, as Recover does at start on SQLite.
//
// Every write of the owner that moves poker money (buy-in, cash-out, a hand's settlement) also
// holds its lease row (FOR KEY SHARE on PostgreSQL), so it either commits before a recovery,
// which then returns the stacks that write left, or fails after one. An owner whose renewal
// finds no row has lost its lease: it stops its tables without settling the hand in play or
// paying anyone out (the recoverer did that), tells the players (table_closed, reason
// "lease_lost"), and takes a new lease for new tables.

// DefaultLease is how long an instance's tables outlive its last renewal.
const DefaultLease = 30 * time.Second

// ErrLeaseLost is a poker money write of an instance whose lease was recovered by another.
var ErrLeaseLost = errs.Unavailablef("this server lost its poker tables to recovery; retry")

func (s *Service) lease() time.Duration {
	if s.Cfg.Lease > 0 {
		return s.Cfg.Lease
	}
	return DefaultLease
}

// Instance is this service's current owner id ("" before Start).
func (s *Service) Instance() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.instance
}

// Start takes a lease for this instance. On SQLite, which one instance owns, it first recovers
// every stack and table left by a previous process (Recover); on PostgreSQL only the owners whose
// lease has expired. Call it once, before any table opens; then KeepLeases.
func (s *Service) Start(ctx context.Context) error {
	if s.DB.Engine() == store.SQLite {
		if err := s.Recover(ctx); err != nil {
			return err
		}
	} else if _, err := s.RecoverExpired(ctx); err != nil {
		return err
	}
	return s.takeLease(ctx)
}

func (s *Service) takeLease(ctx context.Context) error {
	id := "i-" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		until := store.Now(ctx).Add(s.lease()).UnixMicro()
		_, err := q.Exec(ctx, `INSERT INTO poker_leases (instance_id, lease_until) VALUES (?, ?)`, id, until)
		return err
	})
	if err != nil {
		return fmt.Errorf("poker: take lease: %w", err)
	}
	s.mu.Lock()
	s.instance = id
	s.mu.Unlock()
	return nil
}

// KeepLeases renews this instance's lease and recovers expired ones every Lease/3 until ctx ends.
func (s *Service) KeepLeases(ctx context.Context) {
	tick := time.NewTicker(max(s.lease()/3, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := s.Renew(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("poker: renew lease", "err", err)
		}
		if _, err := s.RecoverExpired(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("poker: recover expired leases", "err", err)
		}
	}
}

// Renew extends this instance's lease. If the lease was lost, the tables stop (see above) and a
// new lease is taken.
func (s *Service) Renew(ctx context.Context) error {
	s.renew.Lock() // one renewal at a time: a lost lease is replaced once
	defer s.renew.Unlock()
	id := s.Instance()
	if id == "" {
		return nil
	}
	var held bool
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		res, err := q.Exec(ctx, `UPDATE poker_leases SET lease_until = ? WHERE instance_id = ?`,
			store.Now(ctx).Add(s.lease()).UnixMicro(), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		held = n == 1
		return err
	})
	if err != nil {
		return fmt.Errorf("poker: renew lease: %w", err)
	}
	if held {
		return nil
	}
	s.logger().Error("poker: lease lost: stopping this instance's tables", "instance", id)
	s.abandon()
	return s.takeLease(ctx)
}

// lost reacts to a money write refused for a lost lease: the tables stop now rather than at the
// next renewal (each further hand would be void).
func (s *Service) lost(err error) error {
	if errors.Is(err, ErrLeaseLost) && s.renewing.CompareAndSwap(false, true) {
		go func() {
			defer s.renewing.Store(false)
			if err := s.Renew(context.Background()); err != nil {
				s.logger().Error("poker: renew lease", "err", err)
			}
		}()
	}
	return err
}

// abandon stops every table of a lost lease: no hand is settled and no stack paid, since the
// recoverer has returned every stack the ledger held.
func (s *Service) abandon() {
	s.mu.Lock()
	ts := s.tables
	s.tables = nil
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, t := range ts {
		_ = t.call(ctx, func() error { t.abandon(); return nil })
	}
}

// hold locks this instance's lease row for the rest of the write (a recovery waits for it) and
// fails with ErrLeaseLost if the row is gone. A service never started (unit tests) holds nothing.
func (s *Service) hold(ctx context.Context, q store.Q, owner string) error {
	if owner == "" {
		return nil
	}
	query := `SELECT lease_until FROM poker_leases WHERE instance_id = ?`
	if q.Engine() == store.Postgres {
		query += ` FOR KEY SHARE`
	}
	var until int64
	if err := q.QueryRow(ctx, query, owner).Scan(&until); err != nil {
		if errors.Is(err, errNoRows) {
			return ErrLeaseLost
		}
		return fmt.Errorf("poker: hold lease: %w", err)
	}
	return nil
}

// RecoverExpired recovers every other owner whose lease has expired and returns how many this
// call recovered.
func (s *Service) RecoverExpired(ctx context.Context) (int, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	var owners []string
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, `SELECT instance_id FROM poker_leases WHERE lease_until < ? ORDER BY instance_id`, now.UnixMicro())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			owners = append(owners, id)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("poker: expired leases: %w", err)
	}
	n := 0
	for _, id := range owners {
		if id == s.Instance() {
			continue // our own timer was late; the renewal that follows settles it
		}
		ok, err := s.RecoverOwner(ctx, id)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// RecoverOwner recovers one owner if its lease is still expired at the write's time: it reports
// false when the lease was renewed or another instance recovered it first.
func (s *Service) RecoverOwner(ctx context.Context, owner string) (bool, error) {
	var done bool
	var stacks, tables int
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		done, stacks, tables = false, 0, 0
		now := store.Now(ctx)
		// The compare-and-set: only an expired lease row is taken, and only once.
		res, err := q.Exec(ctx, `DELETE FROM poker_leases WHERE instance_id = ? AND lease_until < ?`, owner, now.UnixMicro())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		done = true
		stacks, tables, err = s.returnStacks(ctx, q, now, owner)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("poker: recover %s: %w", owner, err)
	}
	if done {
		s.logger().Info("poker: recovered an expired lease", "owner", owner, "stacks", stacks, "tables", tables)
	}
	return done, nil
}

// returnStacks moves the owner's recorded stacks from in-play back to their balances, closes its
// open tables and retires their seeds (so their hands can be verified).
func (s *Service) returnStacks(ctx context.Context, q store.Q, now time.Time, owner string) (int, int, error) {
	type stack struct {
		id  string
		amt int64
	}
	var stacks []stack
	rows, err := q.Query(ctx, `SELECT account_id, amount FROM poker_stacks WHERE owner = ? AND amount > 0 ORDER BY account_id`, owner)
	if err != nil {
		return 0, 0, fmt.Errorf("poker: recover: %w", err)
	}
	for rows.Next() {
		var st stack
		if err := rows.Scan(&st.id, &st.amt); err != nil {
			rows.Close()
			return 0, 0, err
		}
		stacks = append(stacks, st)
	}
	if err := rows.Close(); err != nil {
		return 0, 0, err
	}
	for _, st := range stacks {
		if err := ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.USDC, From: ledger.OwnedAccount(ledger.InPlay, money.USDC, st.id),
			To: ledger.UserAccount(st.id, money.USDC), Amount: money.Amount(st.amt), Kind: "poker_cash_out", Ref: "recover:" + st.id}); err != nil {
			return 0, 0, err
		}
	}
	if _, err := q.Exec(ctx, `DELETE FROM poker_stacks WHERE owner = ?`, owner); err != nil {
		return 0, 0, err
	}
	var open []string
	rows, err = q.Query(ctx, `SELECT id FROM poker_tables WHERE owner = ? AND closed_at IS NULL ORDER BY id`, owner)
	if err != nil {
		return 0, 0, err
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, 0, err
		}
		open = append(open, id)
	}
	if err := rows.Close(); err != nil {
		return 0, 0, err
	}
	for _, id := range open {
		if _, err := q.Exec(ctx, `UPDATE poker_tables SET closed_at = ? WHERE id = ?`, now.UnixMicro(), id); err != nil {
			return 0, 0, err
		}
		if _, _, err := s.Seeds.Rotate(ctx, q, now, ledger.PlatformID, scope(id)); err != nil {
			return 0, 0, err
		}
	}
	return len(stacks), len(open), nil
}
