package leakcheck

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// recorder is a testing.TB that keeps the errors reported to it.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestCheck_Clean(t *testing.T) {
	r := &recorder{TB: t}
	check := Check(r)
	done := make(chan struct{})
	go func() { <-done }()
	close(done) // the goroutine exits within the grace period
	check()
	assert.Empty(t, r.errors)
}

func TestCheck_Leak(t *testing.T) {
	defer func(g time.Duration) { Grace = g }(Grace)
	Grace = 50 * time.Millisecond
	r := &recorder{TB: t}
	check := Check(r)
	stop := make(chan struct{})
	go leakyWorker(stop)
	check()
	close(stop)
	if assert.Len(t, r.errors, 1) {
		assert.Contains(t, r.errors[0], "leakyWorker")
	}
}

func leakyWorker(stop chan struct{}) { <-stop }

// TestCheck_OldGoroutinesIgnored: goroutines that were running before Check
// are not blamed.
func TestCheck_OldGoroutinesIgnored(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	go leakyWorker(stop)
	time.Sleep(time.Millisecond)
	r := &recorder{TB: t}
	Check(r)()
	assert.Empty(t, r.errors)
}
