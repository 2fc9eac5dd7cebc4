package siwe

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

// Verification errors. A malformed message is ErrMalformed (a *ParseError).
var (
	ErrDomain       = errors.New("siwe: the message is for another domain")
	ErrNonce        = errors.New("siwe: the message's nonce is not the one issued")
	ErrExpired      = errors.New("siwe: the message has expired")
	ErrNotYetValid  = errors.New("siwe: the message is not valid yet")
	ErrSignature    = errors.New("siwe: the signature is not the address's")
	ErrBadSignature = errors.New("siwe: the signature is not 65 bytes of 0x hex (contract-wallet signatures are not supported)")
)

// Expect is what the verifier requires of a message.
type Expect struct {
	Domain string    // required: the message's domain must equal it
	Nonce  string    // required: the nonce the server issued
	Scheme string    // optional: when set, a message that names a scheme must name this one
	Now    time.Time // the injected clock
}

// Verify parses message, checks it against want and recovers the EIP-191 personal_sign signer
// of the exact text; it returns the parsed message and the signer, which equals its address.
func Verify(message, signature string, want Expect) (*Message, common.Address, error) {
	m, err := Parse(message)
	if err != nil {
		return nil, common.Address{}, err
	}
	addr, err := m.verify(message, signature, want)
	return m, addr, err
}

// VerifyMessage checks a message built from fields (it is validated and rendered first).
func VerifyMessage(m *Message, signature string, want Expect) (common.Address, error) {
	if err := m.Validate(); err != nil {
		return common.Address{}, err
	}
	return m.verify(m.String(), signature, want)
}

func (m *Message) verify(text, signature string, want Expect) (common.Address, error) {
	var zero common.Address
	if want.Domain == "" || want.Nonce == "" {
		return zero, errors.New("siwe: Expect needs the domain and the nonce")
	}
	if m.Domain != want.Domain {
		return zero, fmt.Errorf("%w: %q, want %q", ErrDomain, m.Domain, want.Domain)
	}
	if want.Scheme != "" && m.Scheme != "" && m.Scheme != want.Scheme {
		return zero, fmt.Errorf("%w: scheme %q, want %q", ErrDomain, m.Scheme, want.Scheme)
	}
	if m.Nonce != want.Nonce {
		return zero, ErrNonce
	}
	if m.ExpirationTime != "" {
		exp, _ := parseTime(m.ExpirationTime) // validated
		if !want.Now.Before(exp) {
			return zero, fmt.Errorf("%w at %s", ErrExpired, m.ExpirationTime)
		}
	}
	if m.NotBefore != "" {
		nb, _ := parseTime(m.NotBefore)
		if want.Now.Before(nb) {
			return zero, fmt.Errorf("%w until %s", ErrNotYetValid, m.NotBefore)
		}
	}
	sig, err := hexutil.Decode(signature)
	if err != nil || len(sig) != 65 {
		return zero, ErrBadSignature
	}
	if sig[64] >= 27 {
		sig[64] -= 27
	}
	if sig[64] > 1 {
		return zero, ErrBadSignature
	}
	pub, err := crypto.SigToPub(HashMessage(text), sig)
	if err != nil {
		return zero, fmt.Errorf("%w: %v", ErrSignature, err)
	}
	signer := crypto.PubkeyToAddress(*pub)
	if signer != common.HexToAddress(m.Address) {
		return zero, fmt.Errorf("%w: recovered %s", ErrSignature, signer.Hex())
	}
	return signer, nil
}

// HashMessage returns the EIP-191 personal_sign hash of text:
// keccak256("\x19Ethereum Signed Message:\n" ‖ len(text) ‖ text).
func HashMessage(text string) []byte {
	return crypto.Keccak256([]byte("\x19Ethereum Signed Message:\n"+strconv.Itoa(len(text))), []byte(text))
}

// NewNonce returns a 17-character alphanumeric nonce from r (crypto/rand when nil).
func NewNonce(r io.Reader) (string, error) {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	if r == nil {
		r = rand.Reader
	}
	var b [17]byte
	for i := range b {
		var x [1]byte
		for {
			if _, err := io.ReadFull(r, x[:]); err != nil {
				return "", fmt.Errorf("siwe: nonce: %w", err)
			}
			if x[0] < 248 { // 248 = 4 × 62: no modulo bias
				break
			}
		}
		b[i] = alphabet[int(x[0])%len(alphabet)]
	}
	return string(b[:]), nil
}
