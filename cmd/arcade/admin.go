package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"time"

	"github.com/arcadehq/arcade/internal/account"
	"github.com/arcadehq/arcade/internal/store"
)

// adminKey issues a new API key for the platform account, revoking its previous ones. Operators
// run it on the server's data (same ARCADE_DATA_DIR or ARCADE_DATABASE_URL) to use the admin
// routes; the key is printed once.
func adminKey(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := serverFlags("admin-key", args, getenv, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "arcade admin-key:", err)
		return 2
	}
	db, err := store.Open(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Benchmark: cfg.UnsafeDurability})
	if err != nil {
		fmt.Fprintln(stderr, "arcade admin-key:", err)
		return 1
	}
	defer db.Close()
	var k account.Key
	now := time.Now()
	err = db.Write(ctx, func(ctx context.Context, q store.Q) (err error) {
		k, err = account.RegenerateKey(ctx, q, now, rand.Reader, account.PlatformID, account.PrefixAdmin)
		return err
	})
	if err != nil {
		fmt.Fprintln(stderr, "arcade admin-key:", err)
		return 1
	}
	fmt.Fprintln(stdout, k.Secret)
	return 0
}
