package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// mallocs returns the number of heap objects allocated so far by the process.
func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// heapBytes collects garbage twice (the second collects what the first
// one's finalizers and cleanups released) and returns the live heap.
func heapBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// span is one timed measurement: ops operations in elapsed, allocating
// allocs heap objects (the whole process's, so background goroutines count).
type span struct {
	ops     int
	elapsed time.Duration
	allocs  uint64
}

func (s span) perSec() float64 { return float64(s.ops) / s.elapsed.Seconds() }

func (s span) allocsPerOp() float64 {
	if s.ops == 0 {
		return 0
	}
	return float64(s.allocs) / float64(s.ops)
}

// loop calls op(i) for i = 0, 1, ... until d has passed or max calls were
// made, then finish (which completes queued work and is timed too). The
// clock is read every 32 calls.
func loop(d time.Duration, max int, op func(i int), finish func()) span {
	m0 := mallocs()
	start := time.Now()
	n := 0
	for n < max {
		op(n)
		n++
		if n&31 == 0 && time.Since(start) >= d {
			break
		}
	}
	if finish != nil {
		finish()
	}
	el := time.Since(start)
	return span{ops: n, elapsed: el, allocs: mallocs() - m0}
}

// parallel runs op on g goroutines for d; op(g, i) is the i-th call of
// goroutine g. finish(g) runs on each goroutine after its last op, timed.
func parallel(g int, d time.Duration, op func(g, i int), finish func(g int)) span {
	var stop atomic.Bool
	var total atomic.Int64
	var wg, ready sync.WaitGroup
	startCh := make(chan struct{})
	ready.Add(g)
	for w := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ready.Done()
			<-startCh
			n := 0
			for {
				op(w, n)
				n++
				if n&31 == 0 && stop.Load() {
					break
				}
			}
			if finish != nil {
				finish(w)
			}
			total.Add(int64(n))
		}()
	}
	ready.Wait()
	m0 := mallocs()
	start := time.Now()
	close(startCh)
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	el := time.Since(start)
	return span{ops: int(total.Load()), elapsed: el, allocs: mallocs() - m0}
}
