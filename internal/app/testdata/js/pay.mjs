// Plays Arcade's /api/v1 with the x402 project's own client, unchanged: @x402/fetch's wrapped
// fetch with @x402/evm's exact scheme and a viem account. The wrapped fetch reads each 402,
// signs an EIP-3009 authorization, retries, and this script decodes PAYMENT-RESPONSE.
// argv: base URL, private key (0x hex), client options as JSON:
//   {network, spendControls}: the CAIP-2 network to register the scheme for, and the client's
//   documented spend controls (the sandbox token must be listed in allowedAssets; a $10 stake
//   needs maxAmountPerPayment raised).
// Prints {payer, calls: [{name, method, path, status, body, paymentResponse}]} as JSON.
import { wrapFetchWithPayment, x402Client, decodePaymentResponseHeader } from "@x402/fetch";
import { ExactEvmScheme } from "@x402/evm";
import { privateKeyToAccount } from "viem/accounts";

const [base, key, optsJSON] = process.argv.slice(2);
const opts = JSON.parse(optsJSON);
const account = privateKeyToAccount(key);
const client = new x402Client().register(opts.network, new ExactEvmScheme(account));
if (opts.spendControls) {
  client.setSpendControls(opts.spendControls);
}
const pay = wrapFetchWithPayment(fetch, client);
const calls = [];

async function call(name, method, path, body) {
  const init = { method };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { "Content-Type": "application/json" };
  }
  const resp = await pay(base + path, init);
  const header = resp.headers.get("PAYMENT-RESPONSE") ?? resp.headers.get("X-PAYMENT-RESPONSE");
  const text = await resp.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {}
  const c = { name, method, path, status: resp.status, body: json ?? text, paymentResponse: header ? decodePaymentResponseHeader(header) : null };
  calls.push(c);
  return c;
}

// The free commitment first, as the spec's flow says (plain fetch: nothing to pay).
const commit = await (await fetch(base + "/api/v1/seed/commit")).json();
let nonce = 0;
const seed = "official-client";
const bets = [
  ["coinflip", "micro", { choice: "heads" }],
  ["dice", "standard", { threshold: 50, direction: "over" }],
  ["roulette", "micro", { bet: "red" }],
  ["roulette", "micro", { bet: { type: "dozen", value: 2 } }],
  ["slots", "whale", {}],
];
for (const [game, stake, params] of bets) {
  nonce++;
  await call(`play ${game} ${stake}`, "POST", `/api/v1/games/${game}?stake=${stake}`, { client_seed: seed, nonce, ...params });
}
for (const c of calls.slice()) {
  if (c.status === 200 && c.body.bet_id) {
    await call(`bet ${c.body.game}`, "GET", `/api/v1/bets/${c.body.bet_id}`);
  }
}
await call("balance", "GET", "/api/v1/balance");
await call("manifest", "GET", "/api/v1");
process.stdout.write(JSON.stringify({ payer: account.address, commit, calls }));
