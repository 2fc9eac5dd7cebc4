package client_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/arcadehq/arcade/internal/client"
)

// diceAnswer is a real answer of POST /api/games/dice/round.
const diceAnswer = `{"success":true,"data":{"betId":"01JDXQ4Z8Y3N7K2M5P6R9S0T1V","roundId":"01JDXQ4Z8Y3N7K2M5P6R9S0T1V","balance":101,` +
	`"result":73.42,"win":true,"payout":1.94,"amount":1,"target":50.00,"condition":"over","multiplier":1.94,"pnl":0.94,` +
	`"verification":{"serverSeedHash":"5f0c3e3a8b2c1d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccd","serverSeedId":"01JDXQ4Z8Y3N7K2M5P6R9S0T1W",` +
	`"clientSeed":"a1b2c3d4e5f6a7b8","nonce":1234}}}`

// BenchmarkPlayDiceVsRaw measures the client's cost of a round against a canned answer, typed
// (PlayDice) and without a result (Do, what arcade bench uses), beside the same request made
// with bare net/http: the differences are the client's decoding and headers.
func BenchmarkPlayDiceVsRaw(b *testing.B) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, diceAnswer)
	}))
	defer ts.Close()
	ctx := context.Background()
	c, err := client.New(client.WithBaseURL(ts.URL), client.WithAPIKey("xp_key"))
	if err != nil {
		b.Fatal(err)
	}
	bet := client.DiceBet{Amount: client.Credits(1), Target: "50", Condition: "over"}
	b.Run("client", func(b *testing.B) {
		for b.Loop() {
			if _, err := c.PlayDice(ctx, bet); err != nil {
				b.Fatal(err)
			}
		}
	})
	body, err := client.EncodeDiceBet(bet)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("client-no-result", func(b *testing.B) {
		for b.Loop() {
			if err := c.Do(ctx, http.MethodPost, client.DicePath, body, "", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	hc := c.HTTPClient()
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/api/games/dice/round", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer xp_key")
			res, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.ReadAll(res.Body)
			res.Body.Close()
		}
	})
}
