package account

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/siwe"
	"github.com/arcadehq/arcade/internal/store"
)

// SIWE lifetimes (spec 001): a nonce lives ten minutes and is used once; a session seven days.
const (
	SIWENonceTTL   = 10 * time.Minute
	SIWESessionTTL = 7 * 24 * time.Hour
)

// SIWENonce issues a single-use sign-in nonce, recorded so that any instance can accept it once.
func (s *Service) SIWENonce(ctx context.Context) (string, error) {
	n, err := siwe.NewNonce(s.Rand)
	if err != nil {
		return "", err
	}
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		_, err := q.Exec(ctx, `INSERT INTO siwe_nonces (nonce, created_at, expires_at) VALUES (?, ?, ?)`,
			n, now.UnixMicro(), now.Add(SIWENonceTTL).UnixMicro())
		return err
	})
	return n, err
}

// SIWESignIn is a sign-in attempt: the message and signature, the domain the server answers
// on, and the nonce of the caller's nonce cookie ("" when it sent none).
type SIWESignIn struct {
	Message, Signature string
	Domain             string
	CookieNonce        string
}

// Session is a SIWE session: the proved wallet's account and, at sign-in, the cookie's token.
type Session struct {
	Account   Account
	Address   string // EIP-55
	Token     string // only at sign-in: the siwe-session cookie's value
	ExpiresAt time.Time
}

func siweRefused(msg string, err error) error {
	return &errs.Error{Kind: errs.Unauthorized, Code: "SIWE_INVALID", Message: msg, Err: err}
}

// SignInWithEthereum verifies an EIP-4361 message and its signature (domain, issued nonce,
// validity window, EIP-191 signer = address), spends the nonce, finds or creates the wallet's
// account (DESIGN §3) and opens a session. blocked answers whether an address is refused
// (errs.Forbidden).
func (s *Service) SignInWithEthereum(ctx context.Context, in SIWESignIn, blocked func(addr string) bool) (Session, error) {
	if in.Message == "" {
		return Session{}, errs.Missing("message")
	}
	if in.Signature == "" {
		return Session{}, errs.Missing("signature")
	}
	m, err := siwe.Parse(in.Message)
	if err != nil {
		var pe *siwe.ParseError
		if errors.As(err, &pe) {
			return Session{}, errs.Invalid("message", "not an EIP-4361 message: %s: %s", pe.Field, pe.Msg)
		}
		return Session{}, errs.Invalid("message", "not an EIP-4361 message")
	}
	if in.CookieNonce != "" && in.CookieNonce != m.Nonce {
		return Session{}, siweRefused("the message's nonce is not the one this browser was issued", nil)
	}
	now := s.Now()
	_, addr, err := siwe.Verify(in.Message, in.Signature, siwe.Expect{Domain: in.Domain, Nonce: m.Nonce, Now: now})
	if err != nil {
		return Session{}, siweRefused(strings.TrimPrefix(err.Error(), "siwe: "), err)
	}
	if blocked != nil && blocked(addr.Hex()) {
		return Session{}, errs.Forbiddenf("this address is blocked")
	}
	token, err := randomToken(s.Rand)
	if err != nil {
		return Session{}, err
	}
	out := Session{Address: addr.Hex(), Token: token, ExpiresAt: time.UnixMicro(now.Add(SIWESessionTTL).UnixMicro()).UTC()}
	err = s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		now := store.Now(ctx)
		res, err := q.Exec(ctx, `UPDATE siwe_nonces SET used_at = ? WHERE nonce = ? AND used_at IS NULL AND expires_at > ?`,
			now.UnixMicro(), m.Nonce, now.UnixMicro())
		if err != nil {
			return fmt.Errorf("account: siwe nonce: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return siweRefused("the nonce is unknown, expired or already used; get a new one", nil)
		}
		a, err := GetByWallet(ctx, q, addr.Hex())
		if errors.Is(err, errs.ErrNotFound) {
			a, err = Create(ctx, q, now, New{Kind: Agent, WalletAddress: addr.Hex()})
			if errors.Is(err, errs.ErrConflict) {
				return store.Retry(err)
			}
		}
		if err != nil {
			return err
		}
		out.Account = a
		_, err = q.Exec(ctx, `INSERT INTO siwe_sessions (token_hash, account_id, address, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			hashToken(token), a.ID, out.Address, now.UnixMicro(), out.ExpiresAt.UnixMicro())
		return err
	})
	if err != nil {
		return Session{}, err
	}
	return out, nil
}

// SIWESession returns the live session of a siwe-session token; none is errs.Unauthorized.
func (s *Service) SIWESession(ctx context.Context, token string) (Session, error) {
	none := errs.Unauthenticated("no SIWE session: sign in with GET /api/auth/siwe/nonce and POST /api/auth/siwe/verify")
	if token == "" || len(token) > 128 {
		return Session{}, none
	}
	var out Session
	err := s.DB.Read(ctx, func(ctx context.Context, q store.Q) error {
		var id string
		var exp int64
		err := q.QueryRow(ctx, `SELECT account_id, address, expires_at FROM siwe_sessions WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?`,
			hashToken(token), store.Now(ctx).UnixMicro()).Scan(&id, &out.Address, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return none
		}
		if err != nil {
			return fmt.Errorf("account: siwe session: %w", err)
		}
		out.ExpiresAt = time.UnixMicro(exp).UTC()
		out.Account, err = Get(ctx, q, id)
		return err
	})
	return out, err
}

// SIWELogout ends the session of token (a no-op for an unknown one).
func (s *Service) SIWELogout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.DB.Write(ctx, func(ctx context.Context, q store.Q) error {
		_, err := q.Exec(ctx, `UPDATE siwe_sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL`,
			store.Now(ctx).UnixMicro(), hashToken(token))
		return err
	})
}

func randomToken(r io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("account: session token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}
