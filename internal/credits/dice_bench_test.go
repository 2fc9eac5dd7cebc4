package credits_test

import (
	"context"
	"crypto/rand"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/arcadehq/arcade/internal/credits"
	"github.com/arcadehq/arcade/internal/ledger/ledgertest"
	"github.com/arcadehq/arcade/internal/money"
	"github.com/arcadehq/arcade/internal/seeds"
	"github.com/arcadehq/arcade/internal/store"
	"github.com/arcadehq/arcade/internal/store/storetest"
)

// BenchmarkDiceRounds plays durable dice rounds from 64 concurrent players straight through the
// store (group commit, no HTTP): the ceiling the HTTP surface can approach on this machine.
//
//	go test ./internal/credits -run '^$' -bench DiceRounds -benchtime 20000x
func BenchmarkDiceRounds(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(string(e), func(b *testing.B) {
			db := openChecked(b, e)
			const players = 64
			ids := make([]string, players)
			for i := range ids {
				ids[i] = player(b, db, 1_000_000)
			}
			sd := seeds.Engine{Rand: rand.Reader}
			bet := credits.DiceBet{Amount: money.Micro, Target: 5000, Over: true}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for p := range players {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for next.Add(1) <= int64(b.N) {
						err := db.WriteFor(context.Background(), ids[p], func(ctx context.Context, q store.Q) error {
							_, err := credits.PlayDice(ctx, q, now, sd, ids[p], bet)
							return err
						})
						if err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			ledgertest.Check(b, db)
		})
	}
}
