package evmtest_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arcadehq/arcade/internal/chain/evm/evmtest"
	"github.com/arcadehq/arcade/internal/nodetest"
)

// TestBytecodeFromSource recompiles contracts/TestUSDC.sol with the pinned solc (npm, solcjs,
// locked in contracts/solc) and checks that the committed ABI and bytecode are its output, so the
// contract the chain tests deploy is provably the source in the repository.
func TestBytecodeFromSource(t *testing.T) {
	node := nodetest.Need(t, "node")
	dir := filepath.Join("contracts", "solc")
	nodetest.Install(t, dir, "solc")
	cmd := exec.Command(node, "compile.mjs")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	var got struct {
		Compiler string          `json:"compiler"`
		ABI      json.RawMessage `json:"abi"`
		Bin      string          `json:"bin"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got.Compiler, "0.8.30+") {
		t.Fatalf("compiler %s, want the pinned 0.8.30", got.Compiler)
	}
	if got.Bin != strings.TrimSpace(evmtest.BinHex) {
		t.Fatalf("contracts/TestUSDC.bin is not the compiled source (%d hex digits committed, %d compiled): run go generate ./internal/chain/evm/evmtest",
			len(strings.TrimSpace(evmtest.BinHex)), len(got.Bin))
	}
	var a, b any
	if json.Unmarshal(got.ABI, &a) != nil || json.Unmarshal([]byte(evmtest.ABIJSON), &b) != nil {
		t.Fatal("ABI is not JSON")
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatal("contracts/TestUSDC.abi is not the compiled source's ABI: run go generate ./internal/chain/evm/evmtest")
	}
}
