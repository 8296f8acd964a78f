// Package leakcheck finds goroutines that a test started and left running.
//
//	func TestX(t *testing.T) {
//		defer leakcheck.Check(t)()
//		...
//	}
//
// Check records the goroutines alive when it is called; the function it
// returns fails the test if, after a grace period, goroutines that were not
// there before are still alive. It compares goroutine IDs from
// runtime.Stack, so it must not be used by tests that run in parallel with
// others (t.Parallel), whose goroutines it would blame on this test.
package leakcheck

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Grace is how long the returned function waits for goroutines to exit
// before it reports them.
var Grace = 5 * time.Second

// Check snapshots the running goroutines and returns the function that
// checks, when the test ends, that no goroutine started since is still alive.
func Check(t testing.TB) func() {
	t.Helper()
	before := map[string]bool{}
	for _, g := range goroutines() {
		before[g.id] = true
	}
	return func() {
		t.Helper()
		var leaked []goroutine
		deadline := time.Now().Add(Grace)
		for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
			leaked = leaked[:0]
			for _, g := range goroutines() {
				if !before[g.id] && !ignored(g.stack) {
					leaked = append(leaked, g)
				}
			}
			if len(leaked) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(wait)
		}
		for _, g := range leaked {
			t.Errorf("leaked goroutine %s:\n%s", g.id, g.stack)
		}
	}
}

type goroutine struct {
	id    string
	stack string
}

// goroutines returns every goroutine but the calling one.
func goroutines() []goroutine {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []goroutine
	for i, chunk := range bytes.Split(buf, []byte("\n\n")) {
		if i == 0 {
			continue // the calling goroutine always comes first
		}
		stack := string(chunk)
		// "goroutine 42 [chan receive]:"
		id, _, ok := strings.Cut(strings.TrimPrefix(stack, "goroutine "), " ")
		if !ok {
			continue
		}
		out = append(out, goroutine{id: id, stack: stack})
	}
	return out
}

// ignored reports goroutines that the runtime starts lazily on the test's
// behalf and keeps for the life of the process.
func ignored(stack string) bool {
	for _, s := range []string{
		"os/signal.signal_recv", // os/signal's loop
		"runtime.ensureSigM",    // os/signal's helper
	} {
		if strings.Contains(stack, s) {
			return true
		}
	}
	return false
}
