// Package nodetest gives tests the Node.js programs that check Arcade against real clients (the
// x402 project's TypeScript client, the reference siwe library, solcjs, the Redocly CLI). Each
// test directory pins its packages with a package-lock.json; npm installs them on first use.
package nodetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Need returns the path of the program name (node, npm). Without it t is skipped, except under
// CI=true, where it fails: CI installs Node, so a missing one there is a broken set-up.
func Need(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (CI=true)", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

// Install runs npm ci in dir, from its lockfile, unless every one of paths (relative to
// dir/node_modules) is already there.
func Install(t testing.TB, dir string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", p)); err != nil {
			cmd := exec.Command(Need(t, "npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error")
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
			}
			return
		}
	}
}
