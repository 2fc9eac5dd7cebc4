package credits

// SetAfterChunk makes s call fn before each chunk of a run after the first (a test's way to make
// the process "die" between chunks: fn's error stops the run there, as a crash would).
func SetAfterChunk(s *Service, fn func(chunks int) error) { s.afterChunk = fn }
