// Compiles ../TestUSDC.sol with the pinned solcjs and prints {"abi": [...], "bin": "0x..."} (the
// creation bytecode). `go generate ./internal/chain/evm/evmtest` writes the committed artifacts
// from it; TestBytecodeFromSource recompiles and compares.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import solc from "solc";

const here = dirname(fileURLToPath(import.meta.url));
const source = readFileSync(join(here, "..", "TestUSDC.sol"), "utf8");
const input = {
  language: "Solidity",
  sources: { "TestUSDC.sol": { content: source } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "cancun",
    outputSelection: { "TestUSDC.sol": { TestUSDC: ["abi", "evm.bytecode.object"] } },
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (out.errors || []).filter((e) => e.severity === "error");
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const c = out.contracts["TestUSDC.sol"].TestUSDC;
process.stdout.write(JSON.stringify({ compiler: solc.version(), abi: c.abi, bin: "0x" + c.evm.bytecode.object }) + "\n");
