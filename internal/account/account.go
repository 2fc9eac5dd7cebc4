// Package account holds Arcade's one account table and its API keys (DESIGN §3). Keys are
// high-entropy random secrets with a readable prefix, shown once and stored only as SHA-256
// hashes; authentication looks the hash up and compares it in constant time.
package account

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/arcadehq/arcade/internal/errs"
	"github.com/arcadehq/arcade/internal/ledger"
	"github.com/arcadehq/arcade/internal/store"
)

// PlatformID is the platform account: owner of house, rake and faucet money and the only caller
// of the platform admin routes.
const PlatformID = ledger.PlatformID

// Kind says how an account came to be.
type Kind string

const (
	Guest    Kind = "guest"
	Agent    Kind = "agent"
	Platform Kind = "platform"
)

// Key prefixes: the readable start of a key tells which surface issued it. Any key works on
// every surface.
const (
	PrefixCredits = "xp_"      // spec 000's key format: "xp_" + 64 hex
	PrefixPoker   = "op_live_" // spec 002's
	PrefixAdmin   = "arc_admin_"
	secretBytes   = 32
	// shownPrefix is how many characters of a key are shown as its apiKeyPrefix after the prefix.
	shownPrefix = 8
)

// Account is one account of any surface.
type Account struct {
	ID            string
	Kind          Kind
	Name          string // "" when unset
	Email         string
	WalletAddress string // proved by a signature
	PayoutAddress string // only typed in
	AvatarURL     string
	KeyPrefix     string // the readable prefix of the key that authenticated this request, if any
	CreatedAt     time.Time
}

// IsPlatform reports whether a is the platform account.
func (a Account) IsPlatform() bool { return a.ID == PlatformID }

// New describes an account to create.
type New struct {
	Kind          Kind
	Name          string
	Email         string
	WalletAddress string
	PayoutAddress string
	AvatarURL     string
}

// Create inserts an account and opens its ledger accounts, inside the caller's Write.
func Create(ctx context.Context, q store.Q, now time.Time, n New) (Account, error) {
	// Entropy through the write, so every run of the write function makes the same id.
	id, err := uuid.NewRandomFromReader(store.Rand(ctx))
	if err != nil {
		return Account{}, fmt.Errorf("account: new id: %w", err)
	}
	a := Account{ID: id.String(), Kind: n.Kind, Name: n.Name, Email: strings.ToLower(n.Email),
		WalletAddress: strings.ToLower(n.WalletAddress), PayoutAddress: n.PayoutAddress, AvatarURL: n.AvatarURL,
		CreatedAt: time.UnixMicro(now.UnixMicro()).UTC()}
	if a.Kind == "" {
		a.Kind = Guest
	}
	_, err = q.Exec(ctx, `INSERT INTO accounts (id, kind, name, email, wallet_address, payout_address, avatar_url, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, string(a.Kind), null(a.Name), null(a.Email), null(a.WalletAddress),
		null(a.PayoutAddress), null(a.AvatarURL), now.UnixMicro())
	if err != nil {
		if store.IsUnique(err) {
			return Account{}, uniqueConflict(err)
		}
		return Account{}, fmt.Errorf("account: create: %w", err)
	}
	if err := ledger.OpenAccounts(ctx, q, a.ID); err != nil {
		return Account{}, err
	}
	return a, nil
}

func uniqueConflict(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "accounts_name"):
		return &errs.Error{Kind: errs.Conflict, Field: "name", Message: "name already registered", Err: err}
	case strings.Contains(msg, "accounts_email"):
		return &errs.Error{Kind: errs.Conflict, Field: "email", Message: "email already registered", Err: err}
	case strings.Contains(msg, "accounts_wallet"), strings.Contains(msg, "accounts.wallet_address"),
		strings.Contains(msg, "accounts_payout"), strings.Contains(msg, "accounts.payout_address"):
		return &errs.Error{Kind: errs.Conflict, Field: "wallet_address", Message: "wallet already registered", Err: err}
	}
	return &errs.Error{Kind: errs.Conflict, Message: "already registered", Err: err}
}

// Profile is a change to an account's typed-in fields; nil leaves a field as it is.
type Profile struct {
	Name          *string
	PayoutAddress *string // only typed in: a destination, never an identity (DESIGN §3)
	AvatarURL     *string
}

// UpdateProfile changes an account's name, payout address or avatar, inside the caller's Write.
// A name or payout address another account holds is errs.Conflict.
func UpdateProfile(ctx context.Context, q store.Q, id string, p Profile) error {
	set := func(col string, v *string) error {
		if v == nil {
			return nil
		}
		if _, err := q.Exec(ctx, `UPDATE accounts SET `+col+` = ? WHERE id = ?`, null(*v), id); err != nil {
			if store.IsUnique(err) {
				return uniqueConflict(err)
			}
			return fmt.Errorf("account: update %s: %w", col, err)
		}
		return nil
	}
	if err := set("name", p.Name); err != nil {
		return err
	}
	if p.PayoutAddress != nil {
		lower := strings.ToLower(*p.PayoutAddress)
		p.PayoutAddress = &lower
	}
	if err := set("payout_address", p.PayoutAddress); err != nil {
		return err
	}
	return set("avatar_url", p.AvatarURL)
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Get reads one account.
func Get(ctx context.Context, q store.Q, id string) (Account, error) {
	row := q.QueryRow(ctx, `SELECT id, kind, COALESCE(name, ''), COALESCE(email, ''), COALESCE(wallet_address, ''),
		COALESCE(payout_address, ''), COALESCE(avatar_url, ''), created_at FROM accounts WHERE id = ?`, id)
	a, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, errs.NotFoundf("account not found")
	}
	return a, err
}

func scan(row interface{ Scan(...any) error }) (Account, error) {
	var a Account
	var kind string
	var created int64
	if err := row.Scan(&a.ID, &kind, &a.Name, &a.Email, &a.WalletAddress, &a.PayoutAddress, &a.AvatarURL, &created); err != nil {
		return Account{}, err
	}
	a.Kind = Kind(kind)
	a.CreatedAt = time.UnixMicro(created).UTC()
	return a, nil
}

// Key is a freshly issued API key. Secret is shown to the caller once and never stored.
type Key struct {
	ID     string
	Secret string
	Prefix string // the readable start shown later as apiKeyPrefix
}

// IssueKey creates a key for account, inside the caller's Write. rand must be crypto/rand in
// production; tests may pass a seeded reader.
func IssueKey(ctx context.Context, q store.Q, now time.Time, rand io.Reader, accountID, prefix string) (Key, error) {
	rand = store.Replay(ctx, rand) // the same secret on every run of the write
	b := make([]byte, secretBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return Key{}, fmt.Errorf("account: key entropy: %w", err)
	}
	secret := prefix + hex.EncodeToString(b)
	id, err := uuid.NewRandomFromReader(rand)
	if err != nil {
		return Key{}, fmt.Errorf("account: key id: %w", err)
	}
	k := Key{ID: id.String(), Secret: secret, Prefix: secret[:len(prefix)+shownPrefix]}
	if _, err := q.Exec(ctx, `INSERT INTO api_keys (id, account_id, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?)`,
		k.ID, accountID, k.Prefix, HashKey(secret), now.UnixMicro()); err != nil {
		return Key{}, fmt.Errorf("account: store key: %w", err)
	}
	return k, nil
}

// RegenerateKey revokes every active key of account and issues a new one: the old key stops
// working at once.
func RegenerateKey(ctx context.Context, q store.Q, now time.Time, rand io.Reader, accountID, prefix string) (Key, error) {
	if _, err := q.Exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL`,
		now.UnixMicro(), accountID); err != nil {
		return Key{}, fmt.Errorf("account: revoke keys: %w", err)
	}
	return IssueKey(ctx, q, now, rand, accountID, prefix)
}

// HashKey is the stored form of a key.
func HashKey(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// MinKeyLen and MaxKeyLen: bearer tokens outside them are refused without a lookup.
const (
	MinKeyLen = 32
	MaxKeyLen = 256
)

// plausibleKey reports whether secret's length could be a key's.
func plausibleKey(secret string) bool { return len(secret) >= MinKeyLen && len(secret) <= MaxKeyLen }

// Authenticate returns the account owning secret. Unknown, revoked or malformed keys are
// errs.Unauthorized; the hash found is compared again in constant time.
func Authenticate(ctx context.Context, q store.Q, secret string) (Account, error) {
	if !plausibleKey(secret) {
		return Account{}, errs.Unauthenticated("invalid API key")
	}
	want := HashKey(secret)
	row := q.QueryRow(ctx, `SELECT k.key_hash, k.prefix, a.id, a.kind, COALESCE(a.name, ''), COALESCE(a.email, ''),
		COALESCE(a.wallet_address, ''), COALESCE(a.payout_address, ''), COALESCE(a.avatar_url, ''), a.created_at
		FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_hash = ? AND k.revoked_at IS NULL`, want)
	var got, prefix string
	var a Account
	var kind string
	var created int64
	err := row.Scan(&got, &prefix, &a.ID, &kind, &a.Name, &a.Email, &a.WalletAddress, &a.PayoutAddress, &a.AvatarURL, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, errs.Unauthenticated("invalid API key")
	}
	if err != nil {
		return Account{}, fmt.Errorf("account: authenticate: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return Account{}, errs.Unauthenticated("invalid API key")
	}
	a.Kind = Kind(kind)
	a.KeyPrefix = prefix
	a.CreatedAt = time.UnixMicro(created).UTC()
	return a, nil
}

// ActiveKeyPrefix returns the prefix of the account's newest active key, or "".
func ActiveKeyPrefix(ctx context.Context, q store.Q, accountID string) (string, error) {
	var p string
	err := q.QueryRow(ctx, `SELECT prefix FROM api_keys WHERE account_id = ? AND revoked_at IS NULL
		ORDER BY created_at DESC LIMIT 1`, accountID).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return p, err
}
