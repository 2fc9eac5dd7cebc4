package app

import "time"

// SetDrainWait replaces how a's Serve waits out its DrainDelay (time.Sleep), so that a test can
// hold the drain open until it has seen what it wants instead of racing a fixed window.
func SetDrainWait(a *App, wait func(time.Duration)) { a.drainWait = wait }
