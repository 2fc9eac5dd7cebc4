package x402

import (
	"encoding/binary"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// The EIP-712 type strings, exactly as the token contract hashes them.
const (
	domainType   = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
	transferType = "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
)

var (
	domainTypeHash   = crypto.Keccak256Hash([]byte(domainType))
	transferTypeHash = crypto.Keccak256Hash([]byte(transferType)) // 0x7c7c6cdb…2267
)

// Word is a 256-bit big-endian EVM word, the ABI encoding of a uint256.
type Word [32]byte

// WordFromUint64 returns v as a word.
func WordFromUint64(v uint64) Word {
	var w Word
	binary.BigEndian.PutUint64(w[24:], v)
	return w
}

// Uint64 returns the word's value and whether it fits in 64 bits.
func (w Word) Uint64() (uint64, bool) {
	for _, b := range w[:24] {
		if b != 0 {
			return 0, false
		}
	}
	return binary.BigEndian.Uint64(w[24:]), true
}

// Authorization is a parsed EIP-3009 TransferWithAuthorization.
type Authorization struct {
	From, To    common.Address
	Value       Word
	ValidAfter  Word // unix seconds
	ValidBefore Word // unix seconds
	Nonce       [32]byte
}

// keccakPool keeps Keccak states: a fresh state per hash costs an allocation and a large zeroing.
var keccakPool = sync.Pool{New: func() any { return crypto.NewKeccakState() }}

func keccak(out *[32]byte, parts ...[]byte) {
	h := keccakPool.Get().(crypto.KeccakState)
	h.Reset()
	for _, p := range parts {
		h.Write(p)
	}
	h.Read(out[:])
	keccakPool.Put(h)
}

// DomainSeparator returns hashStruct(EIP712Domain{name, version, chainId, verifyingContract}).
func DomainSeparator(name, version string, chainID uint64, contract common.Address) [32]byte {
	var buf [5 * 32]byte
	copy(buf[0:], domainTypeHash[:])
	copy(buf[32:], crypto.Keccak256([]byte(name)))
	copy(buf[64:], crypto.Keccak256([]byte(version)))
	w := WordFromUint64(chainID)
	copy(buf[96:], w[:])
	copy(buf[128+12:], contract[:])
	var out [32]byte
	keccak(&out, buf[:])
	return out
}

// StructHash returns hashStruct(TransferWithAuthorization{…}): keccak256 of the type hash and
// the six fields, each ABI-encoded in one 32-byte word.
func (a *Authorization) StructHash() [32]byte {
	var buf [7 * 32]byte
	copy(buf[0:], transferTypeHash[:])
	copy(buf[32+12:], a.From[:])
	copy(buf[64+12:], a.To[:])
	copy(buf[96:], a.Value[:])
	copy(buf[128:], a.ValidAfter[:])
	copy(buf[160:], a.ValidBefore[:])
	copy(buf[192:], a.Nonce[:])
	var out [32]byte
	keccak(&out, buf[:])
	return out
}

// Digest returns the EIP-712 digest the payer signs: keccak256(0x19 0x01 ‖ domainSeparator ‖
// structHash).
func (a *Authorization) Digest(domainSeparator [32]byte) [32]byte {
	var buf [66]byte
	buf[0], buf[1] = 0x19, 0x01
	copy(buf[2:], domainSeparator[:])
	sh := a.StructHash()
	copy(buf[34:], sh[:])
	var out [32]byte
	keccak(&out, buf[:])
	return out
}
