// Pays an x402 v2 resource with the x402 project's own client: @x402/fetch's wrapped fetch with
// @x402/evm's exact scheme and a viem account. Prints {status, body, paymentResponse} as JSON.
// argv: url, private key (0x hex), CAIP-2 network to register (e.g. eip155:31337), method,
// body (may be empty), spend controls as JSON (may be empty: the client's defaults, which pay
// only the well-known USDC deployments and at most $1 a payment).
import { wrapFetchWithPayment, x402Client, decodePaymentResponseHeader } from "@x402/fetch";
import { ExactEvmScheme } from "@x402/evm";
import { privateKeyToAccount } from "viem/accounts";

const [url, key, network, method, body, controls] = process.argv.slice(2);
const account = privateKeyToAccount(key);
const client = new x402Client().register(network, new ExactEvmScheme(account));
if (controls) {
  client.setSpendControls(JSON.parse(controls));
}
const fetchWithPay = wrapFetchWithPayment(fetch, client);
const init = { method };
if (body) {
  init.body = body;
  init.headers = { "Content-Type": "application/json" };
}
const resp = await fetchWithPay(url, init);
const header = resp.headers.get("PAYMENT-RESPONSE") ?? resp.headers.get("X-PAYMENT-RESPONSE");
const out = {
  status: resp.status,
  body: await resp.text(),
  payer: account.address,
  paymentResponse: header ? decodePaymentResponseHeader(header) : null,
};
process.stdout.write(JSON.stringify(out));
