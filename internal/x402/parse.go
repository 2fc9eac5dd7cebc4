package x402

import (
	"encoding/hex"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
)

// parseAddress reads "0x" and 40 hex digits in any case. Addresses are compared as bytes, so
// the checksum case of a mixed-case address carries no meaning here.
func parseAddress(s string) (common.Address, bool) {
	var a common.Address
	if len(s) != 42 || s[0] != '0' || s[1] != 'x' {
		return a, false
	}
	_, err := hex.Decode(a[:], []byte(s[2:]))
	return a, err == nil
}

// parseHex32 reads "0x" and exactly 64 hex digits.
func parseHex32(s string) ([32]byte, bool) {
	var b [32]byte
	if len(s) != 66 || s[0] != '0' || s[1] != 'x' {
		return b, false
	}
	_, err := hex.Decode(b[:], []byte(s[2:]))
	return b, err == nil
}

// parseSignature reads "0x" and 130 hex digits: r ‖ s ‖ v.
func parseSignature(s string) ([65]byte, bool) {
	var b [65]byte
	if len(s) != 132 || s[0] != '0' || s[1] != 'x' {
		return b, false
	}
	_, err := hex.Decode(b[:], []byte(s[2:]))
	return b, err == nil
}

var two256 = new(big.Int).Lsh(big.NewInt(1), 256)

// parseUint256 reads a canonical base-10 uint256: digits only, no sign, no leading zero (except
// "0" itself), below 2^256.
func parseUint256(s string) (Word, bool) {
	var w Word
	if len(s) == 0 || len(s) > 78 || (s[0] == '0' && len(s) > 1) {
		return w, false
	}
	if len(s) <= 19 { // fits in a uint64: the hot path, no big.Int
		var v uint64
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return w, false
			}
			v = v*10 + uint64(c-'0')
		}
		return WordFromUint64(v), true
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return w, false
		}
	}
	n, ok := new(big.Int).SetString(s, 10)
	if !ok || n.Cmp(two256) >= 0 {
		return w, false
	}
	n.FillBytes(w[:])
	return w, true
}

// parseMicro reads a requirement amount: a canonical base-10 integer that fits in an int64.
func parseMicro(s string) (int64, bool) {
	w, ok := parseUint256(s)
	if !ok {
		return 0, false
	}
	v, ok := w.Uint64()
	if !ok || v > 1<<63-1 {
		return 0, false
	}
	return int64(v), true
}

// ParseAuthorization parses the wire form of an authorization strictly.
func ParseAuthorization(j *AuthorizationJSON) (Authorization, error) {
	var a Authorization
	var ok bool
	if a.From, ok = parseAddress(j.From); !ok {
		return a, refuse(ReasonInvalidPayload, "authorization.from is not a 0x address")
	}
	if a.To, ok = parseAddress(j.To); !ok {
		return a, refuse(ReasonInvalidPayload, "authorization.to is not a 0x address")
	}
	if a.Value, ok = parseUint256(j.Value); !ok {
		return a, refuse(ReasonInvalidPayload, "authorization.value is not a base-10 uint256")
	}
	if a.ValidAfter, ok = parseUint256(j.ValidAfter); !ok {
		return a, refuse(ReasonInvalidPayload, "authorization.validAfter is not a base-10 uint256")
	}
	if a.ValidBefore, ok = parseUint256(j.ValidBefore); !ok {
		return a, refuse(ReasonInvalidPayload, "authorization.validBefore is not a base-10 uint256")
	}
	if a.Nonce, ok = parseHex32(j.Nonce); !ok {
		return a, refuse(ReasonInvalidPayload, "authorization.nonce is not 0x and 64 hex digits")
	}
	return a, nil
}
