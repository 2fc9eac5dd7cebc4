// Command pokerbot runs Arcade's reference poker bot (internal/poker/bot) against a server's
// /poker/ws: it joins the lobby, plays a simple strategy, and leaves after -hands hands.
//
//	ARCADE_API_KEY=op_live_… go run ./cmd/pokerbot -url ws://localhost:8080/poker/ws -hands 20
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/arcadehq/arcade/internal/poker/bot"
)

func main() {
	url := flag.String("url", "ws://localhost:8080/poker/ws", "the server's /poker/ws")
	buyIn := flag.String("buy-in", "1.00", "buy-in in dollars")
	rebuy := flag.String("rebuy", "", "rebuy amount in dollars after busting (empty: leave)")
	hands := flag.Int("hands", 20, "leave after this many hands (0: play until interrupted)")
	seed := flag.Uint64("seed", 1, "the strategy's random seed")
	verbose := flag.Bool("v", false, "print every frame")
	flag.Parse()
	key := os.Getenv("ARCADE_API_KEY")
	if key == "" {
		fmt.Fprintln(os.Stderr, "pokerbot: set ARCADE_API_KEY")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	b := &bot.Bot{URL: *url, Key: key, BuyIn: *buyIn, Rebuy: *rebuy, Hands: *hands, Seed: *seed}
	if *verbose {
		b.OnFrame = func(_ string, raw []byte) { fmt.Println(string(raw)) }
	}
	st, err := b.Play(ctx)
	if st != nil {
		fmt.Printf("agent %s table %s: %d hands, %d actions, %d rejected, returned %s\n",
			st.AgentID, st.TableID, len(st.HandIDs), st.Actions, st.Rejected, st.Returned)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pokerbot:", err)
		os.Exit(1)
	}
}
