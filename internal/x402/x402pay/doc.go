// Package x402pay is a paying x402 version 2 client: it reads a 402 answer, picks an offer it
// can pay, signs an EIP-3009 TransferWithAuthorization with a private key, retries the request
// with the PAYMENT-SIGNATURE header and decodes PAYMENT-RESPONSE.
//
// Why a separate package: it is written from the specification alone and shares no code with
// the server's verifier (package x402). It even hashes differently, through go-ethereum's
// generic EIP-712 encoder where the verifier hashes the one fixed type directly, so that when a
// payment made here verifies there, the two have checked each other. Arcade's Go tests, the
// load generator and agents written in Go pay with it.
package x402pay
