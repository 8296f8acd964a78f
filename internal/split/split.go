// Package split shares a benchmark's iterations among goroutines.
//
// It is what the store's and replication's parallel benchmarks use instead
// of testing.B.RunParallel, which hands the iterations out from one shared
// counter in grains sized from the previous run's speed: under -benchtime
// Nx the previous run is one of b.N = 1, the grain is a few iterations, and
// the goroutines take turns at that counter every few operations (in a
// profile of the store's 90/10 mix, 80% of the benchmark loop's own samples
// sat on its locked add). Run hands them out the same way, but in chunks of
// a fixed [Grain].
package split

import (
	"sync"
	"sync/atomic"
)

// Grain is the number of consecutive iterations a goroutine takes from the
// shared counter at a time: one locked add per 1024 iterations, and at the
// end at most one chunk's time with fewer goroutines than workers busy.
const Grain = 1024

// Run calls work on workers goroutines at once until iterations 0 to
// total-1 have each been handed out once, and returns when every call has.
// A goroutine takes the next chunk of up to [Grain] iterations whenever it
// has finished one and calls work(g, from, to) for iterations from to
// to-1, g being its number (0 to workers-1).
//
// Chunks rather than a fixed share per goroutine: with fixed shares the
// wall time was that of the goroutine whose CPU was held up most (by the
// machine's other tenants), finishing alone, so a store whose goroutines do
// not wait for each other measured slower than it runs. The store's 90/10
// mix of GET and SET on 1M Zipf keys from 2 goroutines, both ways in turn in
// one process (6 processes of 6 rounds, 2026-12-03): Ember 106.7-111.7 ns an
// operation with fixed halves against 86.6-95.8 with chunks; a map behind
// one RWMutex 183.1-203.7 against 175.7-205.3.
func Run(workers, total int, work func(g, from, to int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for {
				from := int(next.Add(Grain)) - Grain
				if from >= total {
					return
				}
				work(g, from, min(from+Grain, total))
			}
		})
	}
	wg.Wait()
}
