package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/arcadehq/arcade/internal/errs"
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
	var a Account
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) { a, err = GetByWallet(ctx, q, addr); return err })
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
