// Signs an EIP-4361 message with the reference siwe library and an ethers wallet, and prints
// {message, signature, address} as JSON. Input (argv[2]): JSON {privateKey, domain, uri, nonce,
// chainId, issuedAt, expirationTime, statement}.
import { SiweMessage } from "siwe";
import { Wallet } from "ethers";

const input = JSON.parse(process.argv[2]);
const wallet = new Wallet(input.privateKey);
const msg = new SiweMessage({
  scheme: input.scheme,
  domain: input.domain,
  address: wallet.address,
  statement: input.statement,
  uri: input.uri,
  version: "1",
  chainId: input.chainId,
  nonce: input.nonce,
  issuedAt: input.issuedAt,
  expirationTime: input.expirationTime,
  resources: input.resources,
});
const message = msg.prepareMessage();
const signature = await wallet.signMessage(message);
// The library's own verifier must accept it too.
await msg.verify({ signature, domain: input.domain, nonce: input.nonce, time: input.issuedAt });
process.stdout.write(JSON.stringify({ message, signature, address: wallet.address }));
