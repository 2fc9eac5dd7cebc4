// Package bets is the service of spec 001's pay-per-play casino (/api/v1): paid bets on the four
// games of package casino, outcomes from the committed seeds of package seeds (scope "v1", one
// server seed chain for the whole casino, owned by the platform account), their settlement in
// the ledger, the payer's in-house USDC balance and withdrawals. Each method owns its
// transactions; the x402 payment arrives verified in the ops.Caller (ops.Paywall) and is
// recorded here, in the transaction of what it buys, so it is accepted at most once.
package bets

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"

	"github.com/arcadehq/arcade/fairness"
	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/casino"
	"github.com/arcadehq/arcade/internal/chain"
	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/mail"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/ops"
	"github.com/arcadehq/arcade/internal/payments"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/x402"
)

// Scope is the seed chain of /api/v1 (seeds keep each surface's chains apart).
const Scope = "v1"

// Bet statuses.
const (
	Settling = "settling" // the payment is accepted and the outcome drawn; settlement pending
	Settled  = "settled"  // the payment settled and the payout was credited
	Voided   = "voided"   // the payment failed to settle: nothing was credited
)

// Settler settles an accepted payment on its network and returns the transaction hash. A
// refusal (an *x402.Error, e.g. insufficient_funds) voids the bet; any other error leaves it
// settling, to be resolved later.
type Settler interface {
	Settle(ctx context.Context, p *x402.Payment) (tx string, err error)
}

// Sandbox settles on the built-in sandbox network: at once, with no chain.
type Sandbox struct{}

// Settle implements Settler.
func (Sandbox) Settle(_ context.Context, p *x402.Payment) (string, error) {
	if !p.Network.Sandbox {
		return "", fmt.Errorf("bets: no settlement for %s yet", p.Network.ID)
	}
	return payments.SandboxTx(p), nil
}

// Service runs the /api/v1 operations.
type Service struct {
	DB       *store.DB
	Seeds    seeds.Engine
	Now      func() time.Time
	Rand     io.Reader
	Log      *slog.Logger
	Settler  Settler        // nil: Sandbox
	Payout   chain.Payout   // withdrawals; nil: chain.Sandbox
	Networks []x402.Network // the offered networks, first the default (for the manifest)
	PayTo    string         // the casino's receiving address
	// Accounts signs wallets in with SIWE; Blocked refuses addresses (nil: none).
	Accounts *account.Service
	Blocked  func(addr string) bool
	// Mail sends the dashboard's verification emails (SMTP, or the outbox by default).
	Mail mail.Sender
}

func (s *Service) settler() Settler {
	if s.Settler == nil {
		return Sandbox{}
	}
	return s.Settler
}

// Play is one paid bet: the stake tier (the price), the game's parameters, and the caller's
// client seed and nonce (strictly increasing per payer, server seed and client seed).
type Play struct {
	Stake      casino.Stake
	Bet        casino.Bet
	ClientSeed string
	Nonce      uint64
}

// Bet is a stored bet with everything needed to verify it.
type Bet struct {
	ID          string
	Account     string
	Game        casino.Game
	Stake       casino.Stake
	StakeMicro  int64
	Params      casino.Bet
	Outcome     casino.Outcome
	PayoutMicro int64
	Status      string
	SeedID      string
	Commitment  string
	ClientSeed  string
	Nonce       uint64
	Network     string
	Tx          string
	CreatedAt   time.Time
	SettledAt   time.Time
}

// Invalid turns a casino parameter error into a validation error naming the field.
func Invalid(err error) error {
	var pe *casino.ParamError
	if errors.As(err, &pe) {
		return errs.Invalid(pe.Field, "%s", pe.Msg)
	}
	return err
}

// Validate checks a bet before it is priced and paid, so a bad one costs nothing.
func (p Play) Validate() error {
	if _, err := casino.ParseStake(string(p.Stake)); err != nil {
		return Invalid(err)
	}
	if err := p.Bet.Validate(); err != nil {
		return Invalid(err)
	}
	return seeds.ValidateClientSeed("client_seed", p.ClientSeed)
}

func payment(c ops.Caller) (*x402.Payment, error) {
	if c.Payment == nil || c.Payment.Payment == nil {
		return nil, &errs.Error{Kind: errs.PaymentRequired, Message: "this operation is paid with x402"}
	}
	return c.Payment.Payment, nil
}

// Play accepts the payment and plays the bet in one transaction (the payment's nonce, the
// client nonce, the outcome and the bet row, status settling), settles the payment, and then
// books it in a second: the stake to the house and the payout to the payer's in-house balance
// (settled), or nothing (voided). A replayed client nonce is errs.Conflict and nothing is kept:
// the payment is not accepted, so it is never charged twice.
func (s *Service) Play(ctx context.Context, c ops.Caller, in Play) (Bet, error) {
	if err := in.Validate(); err != nil {
		return Bet{}, err
	}
	pay, err := payment(c)
	if err != nil {
		return Bet{}, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return Bet{}, fmt.Errorf("bets: id: %w", err)
	}
	b := Bet{ID: id.String(), Account: c.Account.ID, Game: in.Bet.Game, Stake: in.Stake, StakeMicro: in.Stake.Micro(),
		Params: in.Bet, Status: Settling, ClientSeed: in.ClientSeed, Nonce: in.Nonce, Network: pay.Network.ID}
	if pay.AmountMicro != b.StakeMicro {
		return Bet{}, &errs.Error{Kind: errs.PaymentRequired, Message: "the payment does not match the stake"}
	}
	// The sandbox settles at once and never refuses: its settlement is booked in the bet's own
	// transaction (one write per bet). Other settlers run between two transactions (finish).
	_, sandbox := s.settler().(Sandbox)
	inline := sandbox && pay.Network.Sandbox
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		b.CreatedAt = time.UnixMicro(now.UnixMicro()).UTC()
		// Active reads the active seed under a shared lock (PostgreSQL), so a rotation waits for
		// the bets using it and no bet ever uses a seed that is being revealed. The game's nonce
		// is the client's (in.Nonce): no server nonce is drawn.
		d, err := s.Seeds.Active(ctx, q, now, account.PlatformID, Scope)
		if err != nil {
			return err
		}
		b.SeedID, b.Commitment = d.SeedID, d.Commitment
		if b.Outcome, err = casino.Play(fairness.NewGenerator(d.Seed), in.ClientSeed, in.Nonce, in.Bet, b.StakeMicro); err != nil {
			return Invalid(err)
		}
		b.PayoutMicro = b.Outcome.PayoutMicro
		// The payment is recorded before the client nonce is taken, so that a replayed payment is
		// refused as one (invalid_transaction_state) even with the same body. On the sandbox it
		// is charged at once, the payout posted with it.
		if inline {
			var also []ledger.Transfer
			if b.PayoutMicro > 0 {
				also = append(also, payoutOf(b))
			}
			if _, err := payments.Charge(ctx, q, now, pay, b.Account, "bet", b.ID, also...); err != nil {
				return err
			}
		} else if err := payments.Record(ctx, q, now, pay, b.Account, "bet", b.ID); err != nil {
			return err
		}
		if err := seeds.UseClientNonce(ctx, q, d.SeedID, b.Account, in.ClientSeed, in.Nonce); err != nil {
			return err
		}
		params, err := json.Marshal(paramsOf(in.Bet))
		if err != nil {
			return fmt.Errorf("bets: params: %w", err)
		}
		outcome, _ := json.Marshal(b.Outcome)
		b.Status, b.Tx, b.SettledAt = Settling, "", time.Time{}
		var tx, settledAt any
		if inline {
			b.Status, b.Tx, b.SettledAt = Settled, payments.SandboxTx(pay), b.CreatedAt
			tx, settledAt = b.Tx, now.UnixMicro()
		}
		_, err = q.Exec(ctx, `INSERT INTO v1_bets (id, account_id, game, stake_tier, stake, params, outcome, payout, status, seed_id,
			client_seed, nonce, network, created_at, tx_hash, settled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, b.Account, string(b.Game), string(b.Stake), b.StakeMicro, string(params), string(outcome), b.PayoutMicro,
			b.Status, b.SeedID, b.ClientSeed, int64(b.Nonce), b.Network, now.UnixMicro(), tx, settledAt)
		if err != nil {
			return fmt.Errorf("bets: insert: %w", err)
		}
		return nil
	})
	if err != nil {
		return Bet{}, err
	}
	if inline {
		r := payments.Receipt(pay, b.Tx)
		c.Payment.Receipt = &r
		return b, nil
	}
	receipt, err := s.finish(ctx, &b, pay)
	if receipt != nil {
		c.Payment.Receipt = receipt
	}
	return b, err
}

// finish settles a settling bet's payment and books the result: settled (the receipt), voided
// on a refusal (a failed receipt), or left settling when the outcome is unknown (no receipt).
func (s *Service) finish(ctx context.Context, b *Bet, pay *x402.Payment) (*x402.SettleResponse, error) {
	tx, serr := s.settler().Settle(ctx, pay)
	var refused *x402.Error
	switch {
	case serr == nil:
		if err := s.settle(ctx, b, pay, tx); err != nil {
			return nil, err
		}
		r := payments.Receipt(pay, tx)
		return &r, nil
	case errors.As(serr, &refused):
		r := x402.SettleResponse{Success: false, ErrorReason: string(refused.Reason), ErrorMessage: refused.Message,
			Network: pay.Network.ID, Payer: pay.Payer.Hex()}
		return &r, s.void(ctx, b)
	}
	s.Log.Warn("bet settlement unknown; left settling", "bet", b.ID, "err", serr)
	return nil, nil
}

// Resolve retries the settlement of bets left settling for at least olderThan (the settlement's
// outcome was unknown, or the process stopped between accepting and booking), up to limit of
// them, then of fixed-price payments left pending on a chain, and returns how many it settled,
// voided or refused. Booking is guarded by the status, so
// resolvers on several instances never credit a bet twice; Settlers must be idempotent (settling
// an already-settled authorization returns its transaction).
func (s *Service) Resolve(ctx context.Context, olderThan time.Duration, limit int) (done int, err error) {
	var ids []string
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		rows, err := q.Query(ctx, settlingBetsSQL, store.Now(ctx).Add(-olderThan).UnixMicro(), limit)
		if err != nil {
			return fmt.Errorf("bets: settling bets: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	})
	for _, id := range ids {
		if err != nil {
			break
		}
		var b Bet
		var pay *x402.Payment
		err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
			if b, err = getBet(ctx, q, id); err != nil {
				return err
			}
			pay, err = payments.Load(ctx, q, id, s.Networks...)
			return err
		})
		if err != nil || b.Status != Settling {
			continue
		}
		var r *x402.SettleResponse
		if r, err = s.finish(ctx, &b, pay); r != nil && err == nil {
			done++
		}
	}
	if err != nil {
		return done, err
	}
	n, err := s.resolvePayments(ctx, olderThan, limit)
	return done + n, err
}

// settlingBetsSQL lists the oldest bets left settling. The status is written out, not bound, so
// that both engines can use the partial index v1_bets_settling (migration 0028).
const settlingBetsSQL = `SELECT id FROM v1_bets WHERE status = 'settling' AND created_at <= ? ORDER BY created_at LIMIT ?`

// settle books a settled bet once (the status guard makes a second call a no-op).
func (s *Service) settle(ctx context.Context, b *Bet, pay *x402.Payment, tx string) error {
	return s.DB.Write(ctx, func(ctx context.Context, q store.Q) error { return book(ctx, q, store.Now(ctx), b, pay, tx) })
}

// book marks a settling bet settled in q and books its payment and payout, once.
func book(ctx context.Context, q store.Q, now time.Time, b *Bet, pay *x402.Payment, tx string) error {
	res, err := q.Exec(ctx, `UPDATE v1_bets SET status = ?, tx_hash = ?, settled_at = ? WHERE id = ? AND status = ?`,
		Settled, tx, now.UnixMicro(), b.ID, Settling)
	if err != nil {
		return fmt.Errorf("bets: settle: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil
	}
	if err := payments.Settled(ctx, q, now, pay, b.Account, "bet", b.ID, tx); err != nil {
		return err
	}
	if b.PayoutMicro > 0 {
		if err := payout(ctx, q, now, *b); err != nil {
			return err
		}
	}
	b.Status, b.Tx, b.SettledAt = Settled, tx, time.UnixMicro(now.UnixMicro()).UTC()
	return nil
}

// payout credits a settled bet's payout from the house to the payer's in-house balance.
func payout(ctx context.Context, q store.Q, now time.Time, b Bet) error {
	return ledger.Post(ctx, q, now, payoutOf(b))
}

func payoutOf(b Bet) ledger.Transfer {
	return ledger.Transfer{Asset: money.USDC, From: ledger.SystemAccount(ledger.House, money.USDC),
		To: ledger.UserAccount(b.Account, money.USDC), Amount: money.Amount(b.PayoutMicro), Kind: "payout", Ref: b.ID}
}

// void marks a bet whose payment failed: nothing was collected and nothing is credited.
func (s *Service) void(ctx context.Context, b *Bet) error {
	return s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		if _, err := q.Exec(ctx, `UPDATE v1_bets SET status = ?, settled_at = ? WHERE id = ? AND status = ?`,
			Voided, now.UnixMicro(), b.ID, Settling); err != nil {
			return fmt.Errorf("bets: void: %w", err)
		}
		b.Status, b.SettledAt = Voided, time.UnixMicro(now.UnixMicro()).UTC()
		return nil
	})
}

// storedParams is a bet's parameters as stored: only the game's own fields.
type storedParams struct {
	Choice    string              `json:"choice,omitempty"`
	Threshold int                 `json:"threshold,omitempty"`
	Direction string              `json:"direction,omitempty"`
	Roulette  *casino.RouletteBet `json:"bet,omitempty"`
}

func paramsOf(b casino.Bet) storedParams {
	switch b.Game {
	case casino.Coinflip:
		return storedParams{Choice: b.Coinflip.Choice}
	case casino.Dice:
		return storedParams{Threshold: b.Dice.Threshold, Direction: b.Dice.Direction}
	case casino.Roulette:
		return storedParams{Roulette: &b.Roulette}
	}
	return storedParams{}
}

func (p storedParams) bet(g casino.Game) casino.Bet {
	b := casino.Bet{Game: g, Coinflip: casino.CoinflipBet{Choice: p.Choice},
		Dice: casino.DiceBet{Threshold: p.Threshold, Direction: p.Direction}}
	if p.Roulette != nil {
		b.Roulette = *p.Roulette
	}
	return b
}

// betColumns are a bet's columns as scanBet reads them (v1_bets b joined with server_seeds s).
// id and created_at are named so that a compound listing can ORDER BY them (dashboardBetsSQL).
const betColumns = `b.id AS id, b.account_id, b.game, b.stake_tier, b.stake, b.params, b.outcome, b.payout, b.status,
	b.seed_id, s.commitment, b.client_seed, b.nonce, b.network, b.tx_hash, b.created_at AS created_at, b.settled_at`

func getBet(ctx context.Context, q store.Q, id string) (Bet, error) {
	b, err := scanBet(q.QueryRow(ctx, `SELECT `+betColumns+` FROM v1_bets b JOIN server_seeds s ON s.id = b.seed_id WHERE b.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Bet{}, errs.NotFoundf("bet not found")
	}
	return b, err
}

// scanBet reads one row of betColumns.
func scanBet(row interface{ Scan(...any) error }) (Bet, error) {
	var b Bet
	var game, stake, params, outcome string
	var tx sql.NullString
	var nonce, created int64
	var settled sql.NullInt64
	err := row.Scan(&b.ID, &b.Account, &game, &stake, &b.StakeMicro, &params, &outcome, &b.PayoutMicro, &b.Status, &b.SeedID,
		&b.Commitment, &b.ClientSeed, &nonce, &b.Network, &tx, &created, &settled)
	if errors.Is(err, sql.ErrNoRows) {
		return Bet{}, err
	}
	if err != nil {
		return Bet{}, fmt.Errorf("bets: get: %w", err)
	}
	b.Game, b.Stake, b.Nonce, b.Tx = casino.Game(game), casino.Stake(stake), uint64(nonce), tx.String
	b.CreatedAt = time.UnixMicro(created).UTC()
	if settled.Valid {
		b.SettledAt = time.UnixMicro(settled.Int64).UTC()
	}
	var sp storedParams
	if err := json.Unmarshal([]byte(params), &sp); err != nil {
		return Bet{}, fmt.Errorf("bets: stored params of %s: %w", b.ID, err)
	}
	b.Params = sp.bet(b.Game)
	if err := json.Unmarshal([]byte(outcome), &b.Outcome); err != nil {
		return Bet{}, fmt.Errorf("bets: stored outcome of %s: %w", b.ID, err)
	}
	return b, nil
}

// charge accepts and settles a fixed-price call's payment in q (sandbox: at once) and sets the
// caller's receipt when the transaction commits.
func (s *Service) charge(ctx context.Context, q store.Q, now time.Time, c ops.Caller, kind, ref string, receipt *x402.SettleResponse) error {
	pay, err := payment(c)
	if err != nil {
		return err
	}
	*receipt, err = payments.Charge(ctx, q, now, pay, c.Account.ID, kind, ref)
	return err
}

// paid runs fn and charges the call in one transaction: if fn fails (not found, forbidden,
// insufficient balance) nothing is charged. On a chain, see paidOnChain.
func (s *Service) paid(ctx context.Context, c ops.Caller, kind, ref string, fn func(ctx context.Context, q store.Q, now time.Time) error) error {
	if pay, err := payment(c); err == nil && !pay.Network.Sandbox {
		return s.paidOnChain(ctx, c, pay, kind, ref, fn)
	}
	var receipt x402.SettleResponse
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		if err := fn(ctx, q, now); err != nil {
			return err
		}
		if ref == "" {
			ref = "x402:" + payments.SandboxTx(c.Payment.Payment)
		}
		return s.charge(ctx, q, now, c, kind, ref, &receipt)
	})
	if err == nil {
		c.Payment.Receipt = &receipt
	}
	return err
}

// paidOnChain runs fn and records the payment in one transaction (a failed call records nothing:
// nothing is charged), then settles the payment on its chain and books it. A refusal answers the
// refusal (402, the call's result withheld); an unknown outcome serves the call and leaves the
// payment to the resolver.
func (s *Service) paidOnChain(ctx context.Context, c ops.Caller, pay *x402.Payment, kind, ref string,
	fn func(ctx context.Context, q store.Q, now time.Time) error) error {
	if ref == "" {
		ref = "x402:" + payments.SandboxTx(pay) // the authorization's digest: unique per payment
	}
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		if err := fn(ctx, q, now); err != nil {
			return err
		}
		return payments.Record(ctx, q, now, pay, c.Account.ID, kind, ref)
	})
	if err != nil {
		return err
	}
	receipt, err := s.finishPayment(ctx, pay, c.Account.ID, kind, ref)
	if receipt != nil {
		c.Payment.Receipt = receipt
	}
	return err
}

// finishPayment settles a recorded fixed-price payment and books it once (a receipt), marks it
// refused (a failed receipt and the *x402.Error), or, the outcome unknown, leaves it pending for
// the resolver (no receipt, no error).
func (s *Service) finishPayment(ctx context.Context, pay *x402.Payment, account, kind, ref string) (*x402.SettleResponse, error) {
	tx, serr := s.settler().Settle(ctx, pay)
	var refused *x402.Error
	switch {
	case serr == nil:
		err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
			_, err := payments.Book(ctx, q, store.Now(ctx), pay, account, kind, ref, tx)
			return err
		})
		if err != nil {
			return nil, err
		}
		r := payments.Receipt(pay, tx)
		return &r, nil
	case errors.As(serr, &refused):
		r := x402.SettleResponse{Success: false, ErrorReason: string(refused.Reason), ErrorMessage: refused.Message,
			Network: pay.Network.ID, Payer: pay.Payer.Hex()}
		err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
			_, err := payments.Refuse(ctx, q, pay, refused.Reason)
			return err
		})
		if err != nil {
			return &r, err
		}
		return &r, refused
	}
	s.Log.Warn("payment settlement unknown; left for the resolver", "kind", kind, "ref", ref, "err", serr)
	return nil, nil
}

// resolvePayments retries the settlement of fixed-price payments left pending (see Resolve).
func (s *Service) resolvePayments(ctx context.Context, olderThan time.Duration, limit int) (done int, err error) {
	var pending []payments.PendingPayment
	if err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
		pending, err = payments.Pending(ctx, q, store.Now(ctx).Add(-olderThan), "bet", limit)
		return err
	}); err != nil {
		return 0, err
	}
	for _, p := range pending {
		var pay *x402.Payment
		if err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
			pay, err = payments.Load(ctx, q, p.Ref, s.Networks...)
			return err
		}); err != nil {
			return done, err
		}
		r, err := s.finishPayment(ctx, pay, p.Account, p.Kind, p.Ref)
		var refused *x402.Error
		if err != nil && !errors.As(err, &refused) {
			return done, err
		}
		if r != nil {
			done++
		}
	}
	return done, nil
}

// Get reads one of the payer's bets (paid): another payer's bet is errs.Forbidden, none
// errs.NotFound; neither is charged.
func (s *Service) Get(ctx context.Context, c ops.Caller, id string) (b Bet, err error) {
	if _, perr := uuid.Parse(id); perr != nil {
		return Bet{}, errs.NotFoundf("bet not found")
	}
	err = s.paid(ctx, c, "bet_status", "", func(ctx context.Context, q store.Q, _ time.Time) error {
		if b, err = getBet(ctx, q, id); err != nil {
			return err
		}
		if b.Account != c.Account.ID {
			return errs.Forbiddenf("this bet belongs to another payer")
		}
		return nil
	})
	return b, err
}

// Balance is the payer's in-house USDC.
type Balance struct {
	Wallet    string
	USDCMicro int64
	UpdatedAt time.Time
}

// Balance reads the payer's in-house USDC balance (paid).
func (s *Service) Balance(ctx context.Context, c ops.Caller) (out Balance, err error) {
	err = s.paid(ctx, c, "balance", "", func(ctx context.Context, q store.Q, now time.Time) error {
		h, err := ledger.HoldingsOf(ctx, q, c.Account.ID, money.USDC)
		out = Balance{Wallet: c.Payment.PayerAddress(), USDCMicro: int64(h.Available), UpdatedAt: time.UnixMicro(now.UnixMicro()).UTC()}
		return err
	})
	return out, err
}

// Manifest is the paid discovery manifest's content.
type Manifest struct {
	Networks []x402.Network
	PayTo    string
	Games    []casino.Game
	Prices   []casino.Price
	Tables   casino.PayTables
}

// Manifest answers the paid discovery manifest.
func (s *Service) Manifest(ctx context.Context, c ops.Caller) (m Manifest, err error) {
	err = s.paid(ctx, c, "manifest", "", func(context.Context, store.Q, time.Time) error { return nil })
	return Manifest{Networks: s.Networks, PayTo: s.PayTo, Games: casino.GameList(), Prices: casino.Prices(), Tables: casino.Games()}, err
}

// SeedCommit is the active server seed's public part.
type SeedCommit struct {
	ID          string
	Commitment  string
	CommittedAt time.Time
}

// Commit returns the active server seed's commitment (creating the first seed on first use).
func (s *Service) Commit(ctx context.Context) (out SeedCommit, err error) {
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		p, ok, err := seeds.Peek(ctx, q, account.PlatformID, Scope)
		if ok {
			out = SeedCommit{p.ID, p.Commitment, p.CreatedAt}
		}
		return err
	})
	if err != nil || out.ID != "" {
		return out, err
	}
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		p, err := s.Seeds.Current(ctx, q, store.Now(ctx), account.PlatformID, Scope)
		out = SeedCommit{p.ID, p.Commitment, p.CreatedAt}
		return err
	})
	return out, err
}

// Reveal shows a rotated /api/v1 server seed; the active one is errs.Locked (423).
func (s *Service) Reveal(ctx context.Context, seedID string) (r seeds.Revealed, err error) {
	if seedID == "" {
		return r, errs.Missing("seed_id")
	}
	err = s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		owner, err := seeds.Owner(ctx, q, seedID)
		if err != nil {
			return err
		}
		if owner != account.PlatformID {
			return errs.NotFoundf("seed not found")
		}
		r, err = seeds.Reveal(ctx, q, seedID)
		return err
	})
	return r, err
}

// Rotate retires the active server seed (it can then be revealed) and activates the next one,
// whose commitment was public. Operators call it; a schedule may too.
func (s *Service) Rotate(ctx context.Context) (r seeds.Revealed, next SeedCommit, err error) {
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		rv, p, err := s.Seeds.Rotate(ctx, q, store.Now(ctx), account.PlatformID, Scope)
		r, next = rv, SeedCommit{p.ID, p.Commitment, p.CreatedAt}
		return err
	})
	return r, next, err
}

// Withdrawal is a payout of in-house USDC to the payer's own address.
type Withdrawal struct {
	ID        string
	Address   string
	AmountMic int64
	Network   string
	Status    string // sandbox: "completed" at once
	Tx        string
	CreatedAt time.Time
}

// Withdraw pays amountMicro of the payer's in-house USDC out to the payer address (the only
// destination there is), charging the withdrawal fee in the same transaction. On the sandbox the
// withdrawal is recorded and completed at once; an amount over the balance is
// errs.InsufficientBalance and nothing is charged.
func (s *Service) Withdraw(ctx context.Context, c ops.Caller, amountMicro int64) (w Withdrawal, err error) {
	if amountMicro < 1 {
		return w, errs.Invalid("amount_micro", "must be a whole number of micro-USDC, at least 1")
	}
	pay, err := payment(c)
	if err != nil {
		return w, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return w, fmt.Errorf("bets: withdrawal id: %w", err)
	}
	w = Withdrawal{ID: id.String(), Address: c.Payment.PayerAddress(), AmountMic: amountMicro, Network: pay.Network.ID, Status: "completed"}
	if !pay.Network.Sandbox {
		return s.withdrawOnChain(ctx, c, c.Account.ID, pay, w)
	}
	// The sandbox's payout moves nothing and answers at once, so it runs before the transaction
	// that records it; a chain payout (evm.Payout) must follow the debit's commit instead.
	if w.Tx, err = s.payout().Pay(ctx, common.HexToAddress(w.Address), amountMicro, w.ID); err != nil {
		return w, fmt.Errorf("bets: withdrawal: %w", err)
	}
	err = s.paid(ctx, c, "withdraw_fee", w.ID, func(ctx context.Context, q store.Q, now time.Time) error {
		return payOut(ctx, q, now, *pay.Network, c.Account.ID, &w)
	})
	return w, err
}

// Withdrawal statuses on a chain (the sandbox's are completed at once).
const (
	WithdrawalPending   = "pending"   // debited; the payout is on its way or its outcome unknown
	WithdrawalCompleted = "completed" // paid out: tx_hash is the transfer
	WithdrawalFailed    = "failed"    // refused: the amount (and a settled fee) refunded
)

// withdrawOnChain debits the amount, records the withdrawal (pending) and accepts the fee's
// payment in one transaction, settles the fee (refused: the withdrawal fails and is refunded),
// then pays out from the house wallet after that commit: completed with the transfer, failed and
// refunded (the fee too, if it settled) when the chain refuses it, or left pending when its
// outcome is unknown. With a chain.Tracker (the EVM payout) the transaction is signed and
// recorded on the withdrawal before it is sent, so the reconciler (WithdrawalBook) settles an
// unknown outcome from the chain; the transfer is never sent twice under two hashes.
func (s *Service) withdrawOnChain(ctx context.Context, c ops.Caller, account string, pay *x402.Payment, w Withdrawal) (Withdrawal, error) {
	w.Status = WithdrawalPending
	tracker, tracked := s.payout().(chain.Tracker)
	var state any // NULL: an untracked payout, left to an operator if its outcome is unknown
	if tracked {
		state = payoutUnsigned
	}
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		w.CreatedAt = time.UnixMicro(now.UnixMicro()).UTC()
		if err := ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.USDC, From: ledger.UserAccount(account, money.USDC),
			To: ledger.SystemAccount(ledger.External, money.USDC), Amount: money.Amount(w.AmountMic), Kind: "withdrawal", Ref: w.ID}); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, `INSERT INTO v1_withdrawals (id, account_id, address, amount, network, status, created_at, payout_state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, w.ID, account, w.Address, w.AmountMic, w.Network, w.Status, now.UnixMicro(), state); err != nil {
			return fmt.Errorf("bets: withdrawal: %w", err)
		}
		if pay == nil {
			return nil // the dashboard's withdrawal: no fee
		}
		return payments.Record(ctx, q, now, pay, account, "withdraw_fee", w.ID)
	})
	if err != nil {
		return w, err
	}
	if pay != nil {
		receipt, err := s.finishPayment(ctx, pay, account, "withdraw_fee", w.ID)
		if receipt != nil {
			c.Payment.Receipt = receipt
		}
		if err != nil {
			_, ferr := s.failWithdrawal(ctx, w.ID, anyReplacements)
			if ferr == nil {
				w.Status = WithdrawalFailed
			}
			return w, errors.Join(err, ferr)
		}
	}
	var tx string
	var perr error
	if tracked {
		tx, perr = tracker.PayRecorded(ctx, common.HexToAddress(w.Address), w.AmountMic, w.ID, func(ctx context.Context, sg chain.Signed) error {
			return s.recordPayout(ctx, w.ID, sg)
		})
	} else {
		tx, perr = s.payout().Pay(ctx, common.HexToAddress(w.Address), w.AmountMic, w.ID)
	}
	switch {
	case perr == nil:
		if _, err = s.completeWithdrawal(ctx, w.ID, tx); err != nil {
			return w, fmt.Errorf("bets: withdrawal %s paid out in %s: %w", w.ID, tx, err)
		}
		w.Status, w.Tx = WithdrawalCompleted, tx
	case chain.IsRefused(perr):
		s.Log.Warn("withdrawal refused by the chain; refunded", "withdrawal", w.ID, "err", perr)
		var failed bool
		if failed, err = s.failWithdrawal(ctx, w.ID, anyReplacements); failed {
			w.Status = WithdrawalFailed
		}
	default:
		s.Log.Error("withdrawal payout unknown; left pending for reconciliation", "withdrawal", w.ID, "err", perr)
	}
	return w, err
}

// Payout states of a withdrawal on a chain (payout_state; NULL: untracked, or from before).
const (
	payoutUnsigned = payments.PayoutUnsigned
	payoutSigned   = payments.PayoutSigned
)

// recordPayout stores the signed payout on a withdrawal still pending and unsigned, before it
// is sent; any other state (a reconciler failed it meanwhile) is an error and nothing is sent.
func (s *Service) recordPayout(ctx context.Context, id string, sg chain.Signed) error {
	return s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		res, err := q.Exec(ctx, `UPDATE v1_withdrawals SET payout_state = ?, payout_tx = ?, payout_nonce = ?, payout_raw = ?
			WHERE id = ? AND status = ? AND payout_state = ?`, payoutSigned, sg.Tx, int64(sg.Nonce), sg.Raw, id, WithdrawalPending, payoutUnsigned)
		if err != nil {
			return fmt.Errorf("bets: record payout: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("bets: record payout: withdrawal %s is no longer pending and unsigned", id)
		}
		return nil
	})
}

// completeWithdrawal marks a pending withdrawal paid by tx, once (the debit was booked when it
// was requested).
func (s *Service) completeWithdrawal(ctx context.Context, id, tx string) (done bool, err error) {
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		res, err := q.Exec(ctx, `UPDATE v1_withdrawals SET status = ?, tx_hash = ? WHERE id = ? AND status = ?`,
			WithdrawalCompleted, tx, id, WithdrawalPending)
		if err != nil {
			return fmt.Errorf("bets: complete withdrawal: %w", err)
		}
		n, _ := res.RowsAffected()
		done = n == 1
		return nil
	})
	return done, err
}

// anyReplacements fails a withdrawal whatever number of payout replacements it has (the request's
// own refusals: nothing was signed, or its payout reverted on chain, which spends the nonce).
const anyReplacements = -1

// failWithdrawal marks a pending withdrawal failed and refunds its amount and its fee if the fee
// settled (the house received it), once; with replacements ≥ 0 only while it has exactly that
// many payout replacements recorded (the reconciler's guard, chain.Book.Fail).
func (s *Service) failWithdrawal(ctx context.Context, id string, replacements int) (done bool, err error) {
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		done = false
		var account string
		var amount, fee int64
		if err := q.QueryRow(ctx, `SELECT w.account_id, w.amount, COALESCE((SELECT SUM(p.amount) FROM x402_payments p
			WHERE p.ref = w.id AND p.kind = 'withdraw_fee' AND p.tx_hash IS NOT NULL), 0) FROM v1_withdrawals w WHERE w.id = ?`,
			id).Scan(&account, &amount, &fee); err != nil {
			return fmt.Errorf("bets: fail withdrawal %s: %w", id, err)
		}
		res, err := q.Exec(ctx, `UPDATE v1_withdrawals SET status = ? WHERE id = ? AND status = ? AND (? < 0 OR payout_replacements = ?)`,
			WithdrawalFailed, id, WithdrawalPending, replacements, replacements)
		if err != nil {
			return fmt.Errorf("bets: fail withdrawal: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		user := ledger.UserAccount(account, money.USDC)
		ts := []ledger.Transfer{{Asset: money.USDC, From: ledger.SystemAccount(ledger.External, money.USDC), To: user,
			Amount: money.Amount(amount), Kind: "withdrawal_refund", Ref: id}}
		if fee > 0 {
			ts = append(ts, ledger.Transfer{Asset: money.USDC, From: ledger.SystemAccount(ledger.House, money.USDC), To: user,
				Amount: money.Amount(fee), Kind: "fee_refund", Ref: id})
		}
		if err := ledger.Post(ctx, q, store.Now(ctx), ts...); err != nil {
			return err
		}
		done = true
		return nil
	})
	return done, err
}

// WithdrawalBook is the casino's withdrawals for chain.Reconciler.
func (s *Service) WithdrawalBook() chain.Book { return withdrawalBook{s} }

type withdrawalBook struct{ s *Service }

func (withdrawalBook) Name() string { return "v1" }

func (b withdrawalBook) Pending(ctx context.Context, before time.Time, limit int) ([]chain.Pending, error) {
	return payments.PendingPayouts(ctx, b.s.DB, "v1_withdrawals", b.Name(), before, limit)
}

func (b withdrawalBook) Replace(ctx context.Context, id string, replacements int, sg chain.Signed) (ok bool, err error) {
	err = b.s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		ok, err = payments.RecordReplacement(ctx, q, "v1_withdrawals", b.Name(), id, replacements, sg)
		return err
	})
	return ok, err
}

func (b withdrawalBook) Complete(ctx context.Context, id, tx string) (bool, error) {
	return b.s.completeWithdrawal(ctx, id, tx)
}

func (b withdrawalBook) Fail(ctx context.Context, id, reason string, replacements int) (bool, error) {
	ok, err := b.s.failWithdrawal(ctx, id, replacements)
	if ok {
		b.s.Log.Warn("withdrawal failed by the reconciler", "withdrawal", id, "reason", reason)
	}
	return ok, err
}

func (s *Service) payout() chain.Payout {
	if s.Payout == nil {
		return chain.Sandbox{}
	}
	return s.Payout
}

// payOut books withdrawal w of the account's in-house USDC to w.Address in q: user→external and
// the v1_withdrawals row (sandbox: completed at once).
func payOut(ctx context.Context, q store.Q, now time.Time, net x402.Network, accountID string, w *Withdrawal) error {
	if !net.Sandbox {
		return errs.Unavailablef("on-chain withdrawals on %s are not available yet", net.ID)
	}
	w.CreatedAt = time.UnixMicro(now.UnixMicro()).UTC()
	if w.Tx == "" {
		tx, err := chain.SandboxTx(w.ID)
		if err != nil {
			return fmt.Errorf("bets: withdrawal: %w", err)
		}
		w.Tx = tx
	}
	if err := ledger.Post(ctx, q, now, ledger.Transfer{Asset: money.USDC, From: ledger.UserAccount(accountID, money.USDC),
		To: ledger.SystemAccount(ledger.External, money.USDC), Amount: money.Amount(w.AmountMic), Kind: "withdrawal", Ref: w.ID}); err != nil {
		return err
	}
	_, err := q.Exec(ctx, `INSERT INTO v1_withdrawals (id, account_id, address, amount, network, status, tx_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, w.ID, accountID, w.Address, w.AmountMic, w.Network, w.Status, w.Tx, now.UnixMicro())
	if err != nil {
		return fmt.Errorf("bets: withdrawal: %w", err)
	}
	return nil
}

// RotateIfOlder rotates the active server seed when it has been active for maxAge or longer
// (the schedule: every instance may call it; the age check makes a rotation per period, not
// per instance). It reports whether it rotated.
func (s *Service) RotateIfOlder(ctx context.Context, maxAge time.Duration) (rotated bool, err error) {
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		rotated = false
		now := store.Now(ctx)
		p, ok, err := seeds.Peek(ctx, q, account.PlatformID, Scope)
		if err != nil || !ok || now.Sub(p.CreatedAt) < maxAge {
			return err
		}
		_, _, err = s.Seeds.Rotate(ctx, q, now, account.PlatformID, Scope)
		rotated = err == nil
		return err
	})
	return rotated, err
}

// RotateEvery runs the rotation schedule until ctx ends: the seed is rotated once it has been
// active for period, checked at a tenth of the period (at least every second).
func (s *Service) RotateEvery(ctx context.Context, period time.Duration) {
	tick := time.NewTicker(max(period/10, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if r, err := s.RotateIfOlder(ctx, period); err != nil && ctx.Err() == nil {
				s.Log.Warn("v1 seed rotation", "err", err)
			} else if r {
				s.Log.Info("v1 seed rotated on schedule")
			}
		}
	}
}

// ResolveEvery runs the resolver until ctx ends: every period, bets settling for longer than a
// period are settled again (100 at a time).
func (s *Service) ResolveEvery(ctx context.Context, period time.Duration) {
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if n, err := s.Resolve(ctx, period, 100); err != nil && ctx.Err() == nil {
				s.Log.Warn("v1 settlement resolver", "err", err)
			} else if n > 0 {
				s.Log.Info("v1 settlement resolver", "resolved", n)
			}
		}
	}
}
