package split_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emberkv/ember/internal/split"
)

func TestRun_SharesAddUp(t *testing.T) {
	for _, c := range []struct{ workers, total int }{{1, 0}, {1, 7}, {2, 7}, {3, 10}, {4, 2}, {8, 1000}} {
		var mu sync.Mutex
		shares := make([]int, c.workers)
		calls := 0
		split.Run(c.workers, c.total, func(g, n int) {
			mu.Lock()
			defer mu.Unlock()
			shares[g] += n
			calls++
		})
		assert.Equal(t, c.workers, calls, "one call per goroutine: %+v", c)
		sum := 0
		for _, n := range shares {
			sum += n
			assert.LessOrEqual(t, n, c.total/c.workers+1, "%+v", c)
			assert.GreaterOrEqual(t, n, c.total/c.workers, "%+v", c)
		}
		assert.Equal(t, c.total, sum, "%+v", c)
	}
}

func ExampleRun() {
	var mu sync.Mutex
	done := 0
	split.Run(3, 10, func(g, n int) {
		mu.Lock()
		done += n
		mu.Unlock()
	})
	fmt.Println(done)
	// Output: 10
}
