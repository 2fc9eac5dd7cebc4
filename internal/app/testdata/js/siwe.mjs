// Signs in to Arcade's dashboard with the reference siwe library and an ethers wallet: gets a
// nonce from GET /api/auth/siwe/nonce, builds the EIP-4361 message with SiweMessage, signs it
// with the wallet, and posts it to POST /api/auth/siwe/verify (the nonce cookie sent back).
// argv: base URL, private key (0x hex). Prints {address, status, body, cookie} as JSON, cookie
// being the siwe-session value.
import { SiweMessage } from "siwe";
import { Wallet } from "ethers";

const [base, key] = process.argv.slice(2);
const wallet = new Wallet(key);
const nr = await fetch(base + "/api/auth/siwe/nonce");
const nonce = await nr.text();
const nonceCookie = (nr.headers.getSetCookie() ?? []).map((c) => c.split(";")[0]).find((c) => c.startsWith("siwe-nonce="));
const url = new URL(base);
const msg = new SiweMessage({
  scheme: url.protocol.replace(":", ""),
  domain: url.host,
  address: wallet.address,
  statement: "Sign in to the Arcade dashboard.",
  uri: base,
  version: "1",
  chainId: 31337,
  nonce,
  issuedAt: new Date().toISOString(),
  expirationTime: new Date(Date.now() + 5 * 60 * 1000).toISOString(),
});
const message = msg.prepareMessage();
const signature = await wallet.signMessage(message);
const vr = await fetch(base + "/api/auth/siwe/verify", {
  method: "POST",
  headers: { "Content-Type": "application/json", Cookie: nonceCookie ?? "" },
  body: JSON.stringify({ message, signature }),
});
const session = (vr.headers.getSetCookie() ?? []).map((c) => c.split(";")[0]).find((c) => c.startsWith("siwe-session="));
process.stdout.write(JSON.stringify({ address: wallet.address, status: vr.status, body: await vr.json(), cookie: session ? session.slice("siwe-session=".length) : "" }));
