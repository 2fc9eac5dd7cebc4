package fairness

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"strconv"
)

// ValuesPerBlock is the number of 32-bit values u_i (floats f_i = u_i / 2^32) in one HMAC block.
const ValuesPerBlock = sha256.Size / 4

// Generator derives the DESIGN §5 number stream for one server seed. Block k of the bet
// (clientSeed, nonce) is HMAC-SHA256(seed, "C:N") for k = 0 and HMAC-SHA256(seed, "C:N:k") for
// k ≥ 1; each block yields ValuesPerBlock big-endian uint32 values in order.
//
// The keyed HMAC state is created once and reset per block, and the message is built into a
// reused buffer, so deriving an outcome costs one HMAC and no allocation. A Generator is not safe
// for concurrent use; it is cheap to create, so give each goroutine its own.
type Generator struct {
	mac hash.Hash
	msg []byte // "C:N", then ":k" appended past len for blocks k ≥ 1
	sum [sha256.Size]byte

	// The message in msg is for (seed, nonce) when have is set: the next nonce of the same
	// client seed, the common case in simulations and strategy runs, is then one decimal
	// increment of msg's digits instead of a fresh formatting (7% of a simulated round).
	seed  string
	nonce uint64
	have  bool
}

// NewGenerator returns a Generator keyed with the server seed s.
func NewGenerator(s Seed) *Generator {
	return &Generator{
		mac: hmac.New(sha256.New, s[:]),
		msg: make([]byte, 0, 64),
	}
}

// setMessage stores "C:N" in the reused buffer.
func (g *Generator) setMessage(clientSeed string, nonce uint64) {
	if g.have && nonce == g.nonce+1 && nonce != 0 && clientSeed == g.seed {
		g.msg = incrementDecimal(g.msg)
		g.nonce = nonce
		return
	}
	m := append(g.msg[:0], clientSeed...)
	m = append(m, ':')
	g.msg = strconv.AppendUint(m, nonce, 10)
	g.seed, g.nonce, g.have = clientSeed, nonce, true
}

// incrementDecimal adds one to the decimal number that ends m (after its last ':'), carrying
// into a new leading digit when every digit was 9.
func incrementDecimal(m []byte) []byte {
	i := len(m) - 1
	for ; m[i] == '9'; i-- {
		m[i] = '0'
	}
	if m[i] != ':' {
		m[i]++
		return m
	}
	// All nines: "C:99" became "C:00"; make it "C:100".
	m = append(m, '0')
	m[i+1] = '1'
	return m
}

// block computes block k of the message in g.msg into g.sum.
func (g *Generator) block(k uint64) {
	msg := g.msg
	if k > 0 {
		msg = strconv.AppendUint(append(msg, ':'), k, 10)
		g.msg = msg[:len(g.msg)] // keep any capacity gained, not the suffix
	}
	g.mac.Reset()
	g.mac.Write(msg)
	g.mac.Sum(g.sum[:0])
}

// Uint32s fills dst with the first len(dst) values u_0, u_1, … of the stream for (clientSeed,
// nonce), reading as many blocks as needed. f_i = u_i / 2^32 (see Float).
func (g *Generator) Uint32s(clientSeed string, nonce uint64, dst []uint32) {
	if len(dst) == 0 {
		return
	}
	g.setMessage(clientSeed, nonce)
	for k := uint64(0); len(dst) > 0; k++ {
		g.block(k)
		n := min(len(dst), ValuesPerBlock)
		for i := range n {
			dst[i] = binary.BigEndian.Uint32(g.sum[4*i:])
		}
		dst = dst[n:]
	}
}

// First returns u_0 of the stream for (clientSeed, nonce): one HMAC, no allocation. Every
// single-number game (coinflip, both dice, roulette) is decided by it.
func (g *Generator) First(clientSeed string, nonce uint64) uint32 {
	g.setMessage(clientSeed, nonce)
	g.block(0)
	return binary.BigEndian.Uint32(g.sum[:4])
}

// Float returns u / 2^32, the number f in [0, 1) behind u. It is exact (a float64 holds 53 bits)
// and meant for display; outcomes are computed from u with integer arithmetic.
func Float(u uint32) float64 { return float64(u) / (1 << 32) }

// scale returns floor(f × n) for f = u / 2^32, exactly.
func scale(u uint32, n uint64) uint64 { return (uint64(u) * n) >> 32 }
