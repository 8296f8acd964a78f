package split_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/split"
)

func TestRun_EveryIterationOnce(t *testing.T) {
	for _, c := range []struct{ workers, total int }{
		{1, 0}, {1, 7}, {2, 7}, {3, 10}, {4, 2}, {2, split.Grain}, {2, split.Grain + 1}, {8, 100_000},
	} {
		seen := make([]atomic.Int32, c.total)
		var mu sync.Mutex
		var bad []string
		split.Run(c.workers, c.total, func(g, from, to int) {
			if g < 0 || g >= c.workers || from < 0 || to > c.total || to <= from || to-from > split.Grain {
				mu.Lock()
				bad = append(bad, fmt.Sprintf("g=%d [%d,%d)", g, from, to))
				mu.Unlock()
				return
			}
			for i := from; i < to; i++ {
				seen[i].Add(1)
			}
		})
		require.Empty(t, bad, "%+v", c)
		for i := range seen {
			assert.Equal(t, int32(1), seen[i].Load(), "iteration %d of %+v", i, c)
		}
	}
}

func TestRun_GoroutinesTakeTurns(t *testing.T) {
	// A goroutine held up does not keep the others from the rest: the
	// caller of the first chunk waits until the other goroutine has done
	// every other chunk (with fixed shares it would wait in vain).
	const total = 10 * split.Grain
	var done atomic.Int64
	var released atomic.Bool
	release := make(chan struct{})
	split.Run(2, total, func(g, from, to int) {
		if from == 0 {
			select {
			case <-release:
				released.Store(true)
			case <-time.After(10 * time.Second):
			}
		}
		if done.Add(int64(to-from)) == total-split.Grain {
			close(release)
		}
	})
	assert.True(t, released.Load(), "the other goroutine did not take the remaining chunks")
	assert.Equal(t, int64(total), done.Load())
}

func ExampleRun() {
	var done atomic.Int64
	split.Run(3, 2500, func(g, from, to int) {
		done.Add(int64(to - from))
	})
	fmt.Println(done.Load())
	// Output: 2500
}
