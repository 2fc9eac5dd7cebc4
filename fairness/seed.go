package fairness

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// SeedSize is the length in bytes of a server seed.
const SeedSize = 32

// Seed is a server seed: 32 bytes from a cryptographic random source. It is the HMAC key of
// every outcome derived while it is active, so it stays secret until rotated and revealed.
type Seed [SeedSize]byte

// ErrInvalidSeed reports a server seed or commitment that is not 64 hexadecimal characters.
var ErrInvalidSeed = errors.New("fairness: invalid seed")

// NewSeed reads SeedSize bytes from rand. Callers pass crypto/rand.Reader; tests and simulations
// pass a deterministic reader so that a run replays from its seed.
func NewSeed(rand io.Reader) (Seed, error) {
	var s Seed
	if rand == nil {
		return s, errors.New("fairness: new seed: nil random source")
	}
	if _, err := io.ReadFull(rand, s[:]); err != nil {
		return Seed{}, fmt.Errorf("fairness: new seed: %w", err)
	}
	return s, nil
}

// ParseSeed decodes a revealed seed: exactly 64 hexadecimal characters, upper or lower case.
func ParseSeed(hexStr string) (Seed, error) {
	var s Seed
	if err := decodeHex32(s[:], hexStr); err != nil {
		return Seed{}, err
	}
	return s, nil
}

// decodeHex32 decodes exactly 64 hex characters into dst (32 bytes), without allocating.
func decodeHex32(dst []byte, hexStr string) error {
	if len(hexStr) != 2*SeedSize {
		return fmt.Errorf("%w: want %d hex characters, got %d", ErrInvalidSeed, 2*SeedSize, len(hexStr))
	}
	for i := 0; i < SeedSize; i++ {
		hi, ok1 := unhex(hexStr[2*i])
		lo, ok2 := unhex(hexStr[2*i+1])
		if !ok1 || !ok2 {
			return fmt.Errorf("%w: non-hexadecimal character near position %d", ErrInvalidSeed, 2*i)
		}
		dst[i] = hi<<4 | lo
	}
	return nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// String returns the seed as 64 lowercase hex characters: the form in which it is revealed.
func (s Seed) String() string { return hex.EncodeToString(s[:]) }

// Commitment returns the lowercase hex SHA-256 of the 32 seed bytes (not of their hex text). It is
// published before the seed is used, so the seed cannot be changed afterwards.
func (s Seed) Commitment() string {
	sum := sha256.Sum256(s[:])
	return hex.EncodeToString(sum[:])
}

// VerifyCommitment reports whether commitment (64 hex characters, any case) is the SHA-256 of s.
// A malformed commitment never verifies.
func VerifyCommitment(s Seed, commitment string) bool {
	var want [sha256.Size]byte
	if err := decodeHex32(want[:], commitment); err != nil {
		return false
	}
	got := sha256.Sum256(s[:])
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}
