// Package split shares a benchmark's iterations among goroutines.
//
// It is what the store's and replication's parallel benchmarks use instead
// of testing.B.RunParallel, which hands the iterations out from one shared
// counter in grains sized from the previous run's speed: under -benchtime
// Nx the previous run is one of b.N = 1, the grain is a few iterations, and
// the goroutines take turns at that counter every few operations (in a
// profile of the store's 90/10 mix, 80% of the benchmark loop's own samples
// sat on its locked add).
package split

import "sync"

// Run calls work(g, n) on workers goroutines at once, for g = 0 ...
// workers-1, with n the share of total iterations of goroutine g (the
// shares differ by at most one and add up to total), and returns when every
// call has.
func Run(workers, total int, work func(g, n int)) {
	var wg sync.WaitGroup
	for g := range workers {
		n := total / workers
		if g < total%workers {
			n++
		}
		wg.Go(func() { work(g, n) })
	}
	wg.Wait()
}
