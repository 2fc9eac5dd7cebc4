package account

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/siwe"
	"github.com/arcadehq/arcade/internal/store"
)

// GetByWallet reads the account whose proved wallet is addr (compared in lowercase).
func GetByWallet(ctx context.Context, q store.Q, addr string) (Account, error) {
	row := q.QueryRow(ctx, `SELECT id, kind, COALESCE(name, ''), COALESCE(email, ''), COALESCE(wallet_address, ''),
		COALESCE(payout_address, ''), COALESCE(avatar_url, ''), created_at FROM accounts WHERE wallet_address = ?`, strings.ToLower(addr))
	a, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, errs.NotFoundf("account not found")
	}
	return a, err
}

// ByWallet returns the account of a wallet address that has proved control (an x402 signature,
// a SIWE message), creating it on first sight (DESIGN §3: the proved wallet is the account). Only
// call it with an address recovered from a signature: a typed-in address is never an identity.
func (s *Service) ByWallet(ctx context.Context, addr string) (Account, error) {
	addr = strings.ToLower(addr)
	if len(addr) != 42 || !strings.HasPrefix(addr, "0x") {
		return Account{}, fmt.Errorf("account: by wallet: malformed address %q", addr)
	}
	// A proved wallet's account never changes once it exists (binding refuses a wallet that is
	// already an account), so the lookup every paid call makes is cached like API keys (keyCache:
	// a few seconds, dropped with the account's keys).
	hash := sha256.Sum256([]byte(addr))
	now := time.Now()
	if a, ok := s.wallets.get(hash, now); ok {
		return a, nil
	}
	gen := s.wallets.generation()
	var a Account
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) { a, err = GetByWallet(ctx, q, addr); return err })
	if err == nil {
		s.wallets.put(hash, a, gen, now)
	}
	if err == nil || !errors.Is(err, errs.ErrNotFound) {
		return a, err
	}
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
		if a, err = GetByWallet(ctx, q, addr); !errors.Is(err, errs.ErrNotFound) {
			return err
		}
		a, err = Create(ctx, q, store.Now(ctx), New{Kind: Agent, WalletAddress: addr})
		if errors.Is(err, errs.ErrConflict) {
			// Another instance created it between our read and write: run again and read it.
			return store.Retry(err)
		}
		return err
	})
	return a, err
}

// WalletBinding asks to bind a wallet to the caller's account: an EIP-4361 message signed by
// the wallet, with a nonce from SIWENonce and BindStatement(account id) as its statement, and
// the domain the server answers on.
type WalletBinding struct {
	Message, Signature string
	Domain             string
}

// BindStatement is the statement a binding message must carry: it names the account, so a
// sign-in message (or a binding made for another account) can never bind the wallet here.
func BindStatement(accountID string) string {
	return "Bind this wallet to Arcade account " + accountID + "."
}

// BindWallet binds the wallet that signed in.Message to account me (DESIGN §3: binding a proved
// wallet takes a signature from that wallet made while authenticated as the account). From then
// on the wallet's x402 payments and SIWE sessions are this account, so its USDC shows on every
// surface. The nonce is spent in the transaction that binds. An account already bound to
// another wallet, or a wallet that is already an account of its own (it paid or signed in
// before), is errs.Conflict: accounts are never merged.
func (s *Service) BindWallet(ctx context.Context, me Account, in WalletBinding) (Account, error) {
	if in.Message == "" {
		return Account{}, errs.Missing("message")
	}
	if in.Signature == "" {
		return Account{}, errs.Missing("signature")
	}
	m, err := siwe.Parse(in.Message)
	if err != nil {
		var pe *siwe.ParseError
		if errors.As(err, &pe) {
			return Account{}, errs.Invalid("message", "not an EIP-4361 message: %s: %s", pe.Field, pe.Msg)
		}
		return Account{}, errs.Invalid("message", "not an EIP-4361 message")
	}
	if m.Statement != BindStatement(me.ID) {
		return Account{}, errs.Invalid("message", "the statement must be %q", BindStatement(me.ID))
	}
	_, addr, err := siwe.Verify(in.Message, in.Signature, siwe.Expect{Domain: in.Domain, Nonce: m.Nonce, Now: s.Now()})
	if err != nil {
		return Account{}, siweRefused(strings.TrimPrefix(err.Error(), "siwe: "), err)
	}
	wallet := strings.ToLower(addr.Hex())
	var out Account
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		res, err := q.Exec(ctx, `UPDATE siwe_nonces SET used_at = ? WHERE nonce = ? AND used_at IS NULL AND expires_at > ?`,
			now.UnixMicro(), m.Nonce, now.UnixMicro())
		if err != nil {
			return fmt.Errorf("account: bind nonce: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return siweRefused("the nonce is unknown, expired or already used; get a new one", nil)
		}
		if out, err = Get(ctx, q, me.ID); err != nil {
			return err
		}
		if out.WalletAddress == wallet {
			return nil // bound already
		}
		if out.WalletAddress != "" {
			return &errs.Error{Kind: errs.Conflict, Field: "wallet", Message: "this account is bound to another wallet"}
		}
		if other, err := GetByWallet(ctx, q, wallet); err == nil && other.ID != me.ID {
			return &errs.Error{Kind: errs.Conflict, Field: "wallet",
				Message: "this wallet is already an account of its own (it paid or signed in before); accounts are not merged: bind a wallet before using it"}
		} else if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return err
		}
		if _, err := q.Exec(ctx, `UPDATE accounts SET wallet_address = ? WHERE id = ? AND wallet_address IS NULL`, wallet, me.ID); err != nil {
			if store.IsUnique(err) {
				return store.Retry(uniqueConflict(err)) // another account took the wallet meanwhile: read again
			}
			return fmt.Errorf("account: bind wallet: %w", err)
		}
		out.WalletAddress = wallet
		return nil
	})
	if err != nil {
		return Account{}, err
	}
	s.keys.forget(me.ID)
	s.wallets.forget(me.ID)
	return out, nil
}
