package store

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// clock reads the wall clock in unix ms for a store.
//
// Every command on a key with a deadline reads it: GET of such a key checks
// that the deadline is still to come. The kernel's clock, which time.Now and
// time.Since read through the vDSO, reads the CPU's time-stamp counter behind
// a fence, and nothing after the fence starts before every load ahead of it
// is done: the next command's cache misses cannot overlap this one's, as they
// do between GETs of keys without a deadline. BenchmarkGetTTL (1M keys, all
// with a TTL) took 695.5 ns per GET, the map baseline's GET 240-253 ns.
//
// So where the CPU has an invariant time-stamp counter (amd64, see
// [tscUsable]) the clock reads the counter without a fence (RDTSC, 11 ns
// against 31) and converts ticks to time at a rate it measured against the
// monotonic clock: BenchmarkGetTTL 695.5 -> 346.5 ns (benchstat, 6
// interleaved runs, p=0.002). Redis has the same clock, behind a build flag
// (USE_PROCESSOR_CLOCK, monotonic.c).
//
// A reading counts from a base: a wall-clock reading, with its monotonic
// reading, and the counter read next to it. A base serves for a second, then
// the clock takes another, so a step of the system's clock shows within a
// second, as Redis's cached clock would, and an error in the rate adds up for
// a second at most. The rate is measured between two bases of a store at
// least 100 ms apart, each with its counter read within 10 µs of its clock
// reading, so its error is below 2e-4 (0.2 ms in a second) and, after a
// second, 2e-5; the clock uses it once two measurements in a row agree
// within 0.1%. A base that follows one that ran on the counter never reads
// earlier than the last reading the other could give, so the switch does not
// turn the clock back.
//
// Without a usable counter, until a rate is known (the first 200 ms of the
// first stores of a process), and in a store created inside a
// testing/synctest bubble, whose fake clock the counter does not follow, the
// clock reads the monotonic clock with time.Since: one vDSO call (31 ns),
// not two as time.Now (60 ns). Both come from package time, so a bubble's
// store runs on the bubble's clock.
type clock struct {
	base atomic.Pointer[clockBase]
	tsc  bool         // count ticks of the time-stamp counter
	cal  *calibration // the counter's rate, shared by the process's stores
}

// clockBase is what a clock counts from.
type clockBase struct {
	t     time.Time     // with its monotonic reading
	wall  int64         // t in unix ns
	ticks uint64        // the counter at t, if tight
	tight bool          // the counter was read within tightNs of t
	rate  uint64        // ns per tick in 32.32 fixed point; 0: count with time.Since
	span  uint64        // ticks the base serves (a second at rate)
	life  time.Duration // how long the base serves without the counter
	floor int64         // ms: no reading from this base is earlier
}

const (
	baseLife   = time.Second            // a base's life
	measureMin = 100 * time.Millisecond // the shortest interval a rate is measured over
	tightNs    = 10_000                 // ns: the most a base's counter reading may be off its clock reading
)

// calibration is the counter's rate as measured.
type calibration struct {
	rate atomic.Uint64 // ns per tick (32.32) that two measurements in a row agreed on, or 0
	mu   sync.Mutex
	last uint64 // the last measurement
}

// tscOK is tscUsable, asked once: CPUID under a hypervisor exits to it.
var tscOK = sync.OnceValue(tscUsable)

// processCal is the calibration of every store's clock in the process: the
// counter is the CPU's.
var processCal calibration

// init makes c count from now, on the counter where it can.
func (c *clock) init() {
	now := time.Now()
	c.tsc = tscOK() && !inBubble(now)
	c.cal = &processCal
	c.reset(nil)
}

// inBubble reports whether t was read inside a testing/synctest bubble:
// time.Now there carries no monotonic reading (Round(0) removes one).
func inBubble(t time.Time) bool { return t == t.Round(0) }

func (c *clock) nowMs() int64 {
	b := c.base.Load()
	if b.rate != 0 {
		if d := readTSC() - b.ticks; d < b.span { // not when the counter reads below ticks
			return max((b.wall+ticksToNs(d, b.rate))/int64(time.Millisecond), b.floor)
		}
	}
	return c.slowMs(b)
}

// slowMs is nowMs when base b does not count on the counter, or has served.
func (c *clock) slowMs(b *clockBase) int64 {
	if b.rate == 0 {
		if d := time.Since(b.t); d >= 0 && d < b.life {
			return max((b.wall+int64(d))/int64(time.Millisecond), b.floor)
		}
	}
	return c.reset(b).floorMs()
}

// floorMs is the base's reading at its start.
func (b *clockBase) floorMs() int64 { return max(b.wall/int64(time.Millisecond), b.floor) }

// ticksToNs converts d ticks to ns at rate (32.32 fixed point).
func ticksToNs(d, rate uint64) int64 {
	hi, lo := bits.Mul64(d, rate)
	return int64(hi<<32 | lo>>32)
}

// reset gives c a new base, measuring the counter's rate against prev (the
// base it replaces, or nil), and returns it.
func (c *clock) reset(prev *clockBase) *clockBase {
	var t time.Time
	var ticks uint64
	tight := false
	if c.tsc {
		c1 := readTSC()
		t = time.Now()
		c2 := readTSC()
		ticks = c1 + (c2-c1)/2
		tight = c2-c1 <= maxTightTicks(c.cal.rate.Load())
	} else {
		t = time.Now()
	}
	b := c.next(prev, t, ticks, tight)
	c.base.Store(b)
	return b
}

// maxTightTicks returns the ticks of tightNs at rate, or, with no rate
// known, at 3 GHz.
func maxTightTicks(rate uint64) uint64 {
	if rate == 0 {
		return 3 * tightNs
	}
	return (tightNs << 32) / rate
}

// next returns the base that follows prev (nil for the first): the clock
// read t, and the counter ticks (when tight, within tightNs of t).
func (c *clock) next(prev *clockBase, t time.Time, ticks uint64, tight bool) *clockBase {
	b := &clockBase{t: t, wall: t.UnixNano(), ticks: ticks, tight: tight, life: baseLife}
	if !c.tsc {
		return b
	}
	if prev != nil && prev.tight && tight {
		if el := t.Sub(prev.t); el >= measureMin {
			c.cal.measure(el, ticks-prev.ticks)
		}
	}
	if prev != nil && prev.rate != 0 {
		if ticks >= prev.ticks {
			// The last reading prev could give: at its end, or now if sooner.
			d := min(ticks-prev.ticks, prev.span)
			b.floor = max((prev.wall+ticksToNs(d, prev.rate))/int64(time.Millisecond), prev.floor)
		} else {
			// The counter reads below prev's (another core's counter, a
			// little behind): prev gave no reading past its start.
			b.floor = prev.floorMs()
		}
	}
	if r := c.cal.rate.Load(); r != 0 && tight {
		b.rate = r
		b.span = (uint64(baseLife) << 32) / r
	} else {
		b.life = measureMin // measure again soon
	}
	return b
}

// measure takes a measurement of the counter's rate: d ticks in el.
// A rate outside 100 MHz - 10 GHz is no measurement.
func (cal *calibration) measure(el time.Duration, d uint64) {
	ns := uint64(el)
	if d < ns/10 || d > ns*10 {
		return
	}
	r, _ := bits.Div64(ns>>32, ns<<32, d) // ns>>32 < ns/10 <= d: no overflow
	cal.mu.Lock()
	defer cal.mu.Unlock()
	if last := cal.last; last != 0 && max(r, last)-min(r, last) <= last>>10 {
		cal.rate.Store(r)
	} else {
		cal.rate.Store(0) // a rate that changed: wait for the next to agree
	}
	cal.last = r
}
