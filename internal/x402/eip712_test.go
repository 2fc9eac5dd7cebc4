package x402

import (
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
)

func TestTypeHash(t *testing.T) {
	if got := hex.EncodeToString(transferTypeHash[:]); got != "7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267" {
		t.Fatalf("TransferWithAuthorization typehash %s", got)
	}
}

// TestSandboxAsset checks the sandbox token address is what its comment says it is.
func TestSandboxAsset(t *testing.T) {
	want := common.BytesToAddress(crypto.Keccak256([]byte("arcade sandbox usdc"))[12:])
	if Sandbox.Asset != want {
		t.Fatalf("sandbox asset %s, want keccak256(\"arcade sandbox usdc\")[12:] = %s", Sandbox.Asset.Hex(), want.Hex())
	}
	for _, n := range []Network{Base, BaseSepolia, Sandbox} {
		if err := n.Validate(); err != nil {
			t.Error(err)
		}
	}
	for _, public := range []uint64{1, 10, 56, 137, 8453, 84532, 42161, 11155111} {
		if Sandbox.ChainID == public {
			t.Fatalf("sandbox uses public chain id %d", public)
		}
	}
}

type x402Example struct {
	Payload struct {
		Payload ExactPayload `json:"payload"`
	} `json:"x402_spec_payload"`
	Domain struct {
		Name              string         `json:"name"`
		Version           string         `json:"version"`
		ChainID           uint64         `json:"chainId"`
		VerifyingContract common.Address `json:"verifyingContract"`
	} `json:"domain"`
	Derived struct {
		DomainSeparator string `json:"domain_separator"`
		Digest          string `json:"digest"`
		Recovered       string `json:"recovered_signer"`
	} `json:"derived_here"`
	Negative struct {
		Domain struct {
			Name string `json:"name"`
		} `json:"domain"`
		DomainSeparator string `json:"domain_separator"`
		Digest          string `json:"digest"`
		Recovered       string `json:"recovered_signer"`
	} `json:"negative_derived_here"`
}

// TestX402SpecExample hashes and recovers the x402 exact-EVM specification's example under the
// Base Sepolia USDC domain, and under a wrong domain name, where it must not recover to from.
func TestX402SpecExample(t *testing.T) {
	raw, err := os.ReadFile("testdata/eip3009-x402-exact-evm-example.json")
	if err != nil {
		t.Fatal(err)
	}
	var ex x402Example
	if err := json.Unmarshal(raw, &ex); err != nil {
		t.Fatal(err)
	}
	auth, err := ParseAuthorization(&ex.Payload.Payload.Authorization)
	if err != nil {
		t.Fatal(err)
	}
	sig, ok := parseSignature(ex.Payload.Payload.Signature)
	if !ok {
		t.Fatal("signature")
	}
	if ex.Domain.ChainID != BaseSepolia.ChainID || ex.Domain.VerifyingContract != BaseSepolia.Asset ||
		ex.Domain.Name != BaseSepolia.TokenName || ex.Domain.Version != BaseSepolia.TokenVersion {
		t.Fatalf("the example's domain %+v is not BaseSepolia's", ex.Domain)
	}
	for _, c := range []struct {
		name, sep, digest, signer string
		equal                     bool
	}{
		{ex.Domain.Name, ex.Derived.DomainSeparator, ex.Derived.Digest, ex.Derived.Recovered, true},
		{ex.Negative.Domain.Name, ex.Negative.DomainSeparator, ex.Negative.Digest, ex.Negative.Recovered, false},
	} {
		sep := DomainSeparator(c.name, ex.Domain.Version, ex.Domain.ChainID, ex.Domain.VerifyingContract)
		if hexutil.Encode(sep[:]) != c.sep {
			t.Errorf("%s: separator %x, want %s", c.name, sep, c.sep)
		}
		d := auth.Digest(sep)
		if hexutil.Encode(d[:]) != c.digest {
			t.Errorf("%s: digest %x, want %s", c.name, d, c.digest)
		}
		got, err := recoverSigner(&d, &sig)
		if err != nil {
			t.Fatal(err)
		}
		if got != common.HexToAddress(c.signer) || (got == auth.From) != c.equal {
			t.Errorf("%s: recovered %s, want %s (equal to from: %v)", c.name, got.Hex(), c.signer, c.equal)
		}
	}
}

// genericDigest hashes an authorization with go-ethereum's generic EIP-712 encoder.
func genericDigest(t testing.TB, n Network, a *Authorization) [32]byte {
	td := apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {
				{Name: "name", Type: "string"}, {Name: "version", Type: "string"},
				{Name: "chainId", Type: "uint256"}, {Name: "verifyingContract", Type: "address"},
			},
			"TransferWithAuthorization": {
				{Name: "from", Type: "address"}, {Name: "to", Type: "address"},
				{Name: "value", Type: "uint256"}, {Name: "validAfter", Type: "uint256"},
				{Name: "validBefore", Type: "uint256"}, {Name: "nonce", Type: "bytes32"},
			},
		},
		PrimaryType: "TransferWithAuthorization",
		Domain: apitypes.TypedDataDomain{
			Name: n.TokenName, Version: n.TokenVersion,
			ChainId: (*math.HexOrDecimal256)(new(big.Int).SetUint64(n.ChainID)), VerifyingContract: n.Asset.Hex(),
		},
		Message: apitypes.TypedDataMessage{
			"from": a.From.Hex(), "to": a.To.Hex(),
			"value":       new(big.Int).SetBytes(a.Value[:]).String(),
			"validAfter":  new(big.Int).SetBytes(a.ValidAfter[:]).String(),
			"validBefore": new(big.Int).SetBytes(a.ValidBefore[:]).String(),
			"nonce":       hexutil.Encode(a.Nonce[:]),
		},
	}
	d, _, err := apitypes.TypedDataAndHash(td)
	if err != nil {
		t.Fatal(err)
	}
	return [32]byte(d)
}

// TestDigestMatchesGeneric cross-checks the direct hashing against go-ethereum's generic
// EIP-712 encoder on random authorizations, including values beyond 64 bits.
func TestDigestMatchesGeneric(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() Word {
		var w Word
		switch rng.IntN(3) {
		case 0:
			return WordFromUint64(rng.Uint64())
		case 1:
			for i := range w {
				w[i] = byte(rng.Uint32())
			}
		}
		return w
	}
	for i := 0; i < 200; i++ {
		var a Authorization
		for j := range a.From {
			a.From[j], a.To[j] = byte(rng.Uint32()), byte(rng.Uint32())
		}
		for j := range a.Nonce {
			a.Nonce[j] = byte(rng.Uint32())
		}
		a.Value, a.ValidAfter, a.ValidBefore = word(), word(), word()
		for _, n := range []Network{Base, BaseSepolia, Sandbox} {
			if got, want := a.Digest(n.DomainSeparator()), genericDigest(t, n, &a); got != want {
				t.Fatalf("%s %+v: digest %x, generic %x", n.ID, a, got, want)
			}
		}
	}
}

type ethersVector struct {
	Name        string         `json:"name"`
	Domain      map[string]any `json:"domain"`
	PrimaryType string         `json:"primaryType"`
	Types       apitypes.Types `json:"types"`
	Data        map[string]any `json:"data"`
	Encoded     string         `json:"encoded"`
	Digest      string         `json:"digest"`
	PrivateKey  string         `json:"privateKey"`
	Signature   string         `json:"signature"`
}

// TestEthersVectors runs the 130 ethers.js typed-data vectors: every digest through the generic
// encoder the tests trust as a cross-check (the 7 with an empty domain by the EIP712Domain()
// rule, which go-ethereum refuses), every vector whose domain is exactly {name, version,
// chainId, verifyingContract} through DomainSeparator, and the EIP's Mail example signature
// through recoverSigner.
func TestEthersVectors(t *testing.T) {
	f, err := os.Open("testdata/ethers-typed-data.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var vs []ethersVector
	if err := json.NewDecoder(zr).Decode(&vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) != 130 {
		t.Fatalf("%d vectors, want 130", len(vs))
	}
	generic, direct, signed := 0, 0, 0
	for _, v := range vs {
		want := common.FromHex(v.Digest)
		encoded := common.FromHex(v.Encoded)
		structHash := crypto.Keccak256(encoded)
		var sep []byte
		if len(v.Domain) == 0 {
			sep = crypto.Keccak256(crypto.Keccak256([]byte("EIP712Domain()")))
		} else {
			td := apitypes.TypedData{Types: v.Types, PrimaryType: v.PrimaryType, Message: v.Data}
			td.Types["EIP712Domain"] = domainFields(v.Domain)
			raw, _ := json.Marshal(v.Domain)
			if err := json.Unmarshal(raw, &td.Domain); err != nil {
				t.Fatalf("%s: domain: %v", v.Name, err)
			}
			d, _, err := apitypes.TypedDataAndHash(td)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			if !equalBytes(d, want) {
				t.Fatalf("%s: generic digest %x, want %x", v.Name, d, want)
			}
			generic++
			s, err := td.HashStruct("EIP712Domain", td.Domain.Map())
			if err != nil {
				t.Fatal(err)
			}
			sep = s
		}
		if d := crypto.Keccak256([]byte{0x19, 0x01}, sep, structHash); !equalBytes(d, want) {
			t.Fatalf("%s: digest from encoded %x, want %x", v.Name, d, want)
		}
		if len(v.Domain) == 4 && v.Domain["name"] != nil && v.Domain["version"] != nil &&
			v.Domain["chainId"] != nil && v.Domain["verifyingContract"] != nil {
			chain, ok := new(big.Int).SetString(fmt.Sprint(v.Domain["chainId"]), 0)
			if ok && chain.IsUint64() {
				mine := DomainSeparator(v.Domain["name"].(string), v.Domain["version"].(string),
					chain.Uint64(), common.HexToAddress(v.Domain["verifyingContract"].(string)))
				if !equalBytes(mine[:], sep) {
					t.Fatalf("%s: DomainSeparator %x, want %x", v.Name, mine, sep)
				}
				direct++
			}
		}
		if v.Signature != "" {
			sig, ok := parseSignature(v.Signature)
			if !ok {
				t.Fatalf("%s: signature %s", v.Name, v.Signature)
			}
			key, err := crypto.HexToECDSA(v.PrivateKey[2:])
			if err != nil {
				t.Fatal(err)
			}
			got, err := recoverSigner((*[32]byte)(want), &sig)
			if err != nil || got != crypto.PubkeyToAddress(key.PublicKey) {
				t.Fatalf("%s: recovered %s (%v)", v.Name, got.Hex(), err)
			}
			signed++
		}
	}
	t.Logf("130 digests: %d through apitypes, %d by the empty-domain rule; %d domain separators directly; %d signatures",
		generic, 130-generic, direct, signed)
	if direct == 0 || signed != 1 {
		t.Fatalf("direct %d, signed %d", direct, signed)
	}
}

func domainFields(d map[string]any) []apitypes.Type {
	var out []apitypes.Type
	for _, f := range []struct{ name, typ string }{
		{"name", "string"}, {"version", "string"}, {"chainId", "uint256"},
		{"verifyingContract", "address"}, {"salt", "bytes32"},
	} {
		if _, ok := d[f.name]; ok {
			out = append(out, apitypes.Type{Name: f.name, Type: f.typ})
		}
	}
	return out
}

func equalBytes(a, b []byte) bool { return string(a) == string(b) }

func BenchmarkGenericDigest(b *testing.B) {
	a := Authorization{Value: WordFromUint64(100000), ValidAfter: WordFromUint64(1), ValidBefore: WordFromUint64(2)}
	b.ReportAllocs()
	for b.Loop() {
		_ = genericDigest(b, Sandbox, &a)
	}
}
