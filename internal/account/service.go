package account

import (
	"context"
	"crypto/sha256"
	"io"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/store"
)

// Service runs the account operations, each in its own transaction.
type Service struct {
	DB   *store.DB
	Now  func() time.Time
	Rand io.Reader

	keys    keyCache
	wallets keyCache // by SHA-256 of the lowercase wallet address
}

// SignUp creates an account and its first API key (shown once).
func (s *Service) SignUp(ctx context.Context, n New, keyPrefix string) (Account, Key, error) {
	var a Account
	var k Key
	now := s.Now() // once per write, not once per run of its function
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		var err error
		if a, err = Create(ctx, q, now, n); err != nil {
			return err
		}
		k, err = IssueKey(ctx, q, now, s.Rand, a.ID, keyPrefix)
		return err
	})
	if err != nil {
		return Account{}, Key{}, err
	}
	a.KeyPrefix = k.Prefix
	return a, k, nil
}

// Regenerate replaces every key of the account with a new one.
func (s *Service) Regenerate(ctx context.Context, accountID, keyPrefix string) (Key, error) {
	var k Key
	now := s.Now()
	err := s.DB.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
		k, err = RegenerateKey(ctx, q, now, s.Rand, accountID, keyPrefix)
		return err
	})
	if err == nil {
		s.keys.forget(accountID)
		s.wallets.forget(accountID)
	}
	return k, err
}

// Authenticate resolves a bearer key to its account, from the key cache when it can (see
// keyCache for why that is safe).
func (s *Service) Authenticate(ctx context.Context, secret string) (Account, error) {
	if !plausibleKey(secret) {
		return Account{}, errs.Unauthenticated("invalid API key")
	}
	hash := sha256.Sum256([]byte(secret))
	now := time.Now()
	if a, ok := s.keys.get(hash, now); ok {
		return a, nil
	}
	gen := s.keys.generation()
	var a Account
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) (err error) {
		a, err = Authenticate(ctx, q, secret)
		return err
	})
	if err == nil {
		s.keys.put(hash, a, gen, now)
	}
	return a, err
}
