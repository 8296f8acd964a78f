package store

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClock_FollowsTimeNow(t *testing.T) {
	var c clock
	c.init()
	check := func() {
		before := time.Now().UnixMilli()
		got := c.nowMs()
		after := time.Now().UnixMilli()
		// On the counter the rate's error may put a reading 0.2 ms off.
		assert.GreaterOrEqual(t, got, before-1)
		assert.LessOrEqual(t, got, after+1)
	}
	// Until the counter's rate is measured (two bases 100 ms apart).
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end) && c.base.Load().rate == 0; {
		check()
		time.Sleep(100 * time.Microsecond)
	}
	if tscUsable() {
		require.NotZero(t, c.base.Load().rate, "the clock never took to the counter")
	}
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
		check()
		time.Sleep(100 * time.Microsecond)
	}
}

func TestClock_NeverGoesBack(t *testing.T) {
	var c clock
	c.init()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			last := c.nowMs()
			for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); {
				now := c.nowMs()
				if now < last {
					t.Errorf("the clock went back from %d to %d", last, now)
					return
				}
				last = now
			}
		})
	}
	wg.Wait()
}

func TestClock_Bubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c clock
		c.init()
		assert.False(t, c.tsc, "a bubble's clock is package time's")
		start := time.Now().UnixMilli()
		assert.Equal(t, start, c.nowMs())
		// Within the re-read interval, and past it.
		for _, d := range []time.Duration{time.Millisecond, 98 * time.Millisecond, 998 * time.Millisecond, 1500 * time.Millisecond, time.Hour} {
			time.Sleep(d)
			assert.Equal(t, time.Now().UnixMilli(), c.nowMs(), "after %v", d)
		}
	})
}

func TestClock_RereadsWallClock(t *testing.T) {
	var c clock
	c.init()
	b := c.base.Load()
	// A base a minute behind the wall clock, as after a step of the
	// system's clock, but read more than a second ago: the next reading
	// takes the wall clock again.
	c.base.Store(&clockBase{t: b.t.Add(-2 * time.Second), wall: b.wall - int64(time.Minute), life: baseLife})
	assert.InDelta(t, time.Now().UnixMilli(), c.nowMs(), 5)
	if !tscUsable() {
		return
	}
	// The same on the counter: a base that has served its span.
	const rate = 1 << 32 / 3 // 3 GHz
	span := uint64(baseLife) << 32 / rate
	c.base.Store(&clockBase{wall: b.wall - int64(time.Minute), ticks: readTSC() - span - 1, rate: rate, span: span})
	assert.InDelta(t, time.Now().UnixMilli(), c.nowMs(), 5)
	// And one whose counter reading is ahead of the counter's.
	c.base.Store(&clockBase{wall: b.wall - int64(time.Minute), ticks: readTSC() + 1<<40, rate: rate, span: span})
	assert.InDelta(t, time.Now().UnixMilli(), c.nowMs(), 5)
}

func TestCalibration_Measure(t *testing.T) {
	var cal calibration
	const ghz3 = 1 << 32 / 3 // ns per tick at 3 GHz, 32.32
	cal.measure(time.Second, 3e9)
	assert.Zero(t, cal.rate.Load(), "one measurement is not enough")
	cal.measure(500*time.Millisecond, 1.5e9+1000) // agrees within 0.1%
	assert.InDelta(t, ghz3, cal.rate.Load(), ghz3/1e5)
	cal.measure(time.Second, 3.1e9) // the rate changed
	assert.Zero(t, cal.rate.Load())
	cal.measure(time.Second, 3.1e9)
	assert.InDelta(t, 1<<32/3.1, cal.rate.Load(), ghz3/1e5)
	// Outside 100 MHz - 10 GHz: no measurement.
	cal.measure(time.Second, 50e6)
	cal.measure(time.Second, 20e9)
	assert.InDelta(t, 1<<32/3.1, cal.rate.Load(), ghz3/1e5)
	assert.InDelta(t, 1<<32/3.1, cal.last, ghz3/1e5)
}

func TestClock_Next(t *testing.T) {
	c := clock{tsc: true, cal: &calibration{}}
	c.cal.rate.Store(1 << 32) // 1 GHz: a tick is a ns
	c.cal.last = 1 << 32
	t0 := time.Unix(1_700_000_000, 0)
	fast := uint64(1<<32) + 1<<32/500 // runs 0.2% fast
	prev := &clockBase{t: t0, wall: t0.UnixNano(), ticks: 5e9, tight: true, rate: fast, span: 1e9}

	// A second later by the wall clock, a second of ticks later: prev read
	// 2 ms ahead at its end, so the next base reads no earlier than that.
	b := c.next(prev, t0.Add(time.Second), 6e9, true)
	assert.Equal(t, uint64(1<<32), b.rate)
	assert.Equal(t, uint64(1e9), b.span)
	assert.Equal(t, t0.UnixMilli()+1001, b.floor)
	assert.Equal(t, t0.UnixMilli()+1001, b.floorMs())

	// Later than prev's span: the floor is prev's reading at its end.
	b = c.next(prev, t0.Add(time.Hour), 5e9+3600e9, true)
	assert.Equal(t, t0.UnixMilli()+1001, b.floor)
	assert.Equal(t, t0.Add(time.Hour).UnixMilli(), b.floorMs())

	// A counter reading below prev's: prev gave nothing past its start.
	b = c.next(prev, t0.Add(time.Millisecond), 4e9, true)
	assert.Equal(t, t0.UnixMilli(), b.floor)

	// A counter reading not close to the clock's: no counter for this base.
	b = c.next(prev, t0.Add(time.Second), 6e9, false)
	assert.Zero(t, b.rate)
	assert.Equal(t, measureMin, b.life)
	assert.Equal(t, t0.UnixMilli()+1001, b.floor)

	// Without the counter (no TSC, or a bubble) a base is the clock's reading.
	c.tsc = false
	b = c.next(prev, t0.Add(time.Second), 0, false)
	assert.Zero(t, b.rate)
	assert.Zero(t, b.floor)
	assert.Equal(t, baseLife, b.life)
}

// The clock's reading cost alone; see [clock] for what the fence costs
// around cache misses.
func BenchmarkClock(b *testing.B) {
	for _, tsc := range []bool{false, true} {
		name := map[bool]string{false: "time.Since", true: "counter"}[tsc]
		b.Run("read="+name, func(b *testing.B) {
			if tsc && !tscUsable() {
				b.Skip("no invariant time-stamp counter")
			}
			var c clock
			c.init()
			c.tsc = tsc
			for end := time.Now().Add(2 * time.Second); tsc && c.base.Load().rate == 0 && time.Now().Before(end); {
				c.nowMs()
				time.Sleep(time.Millisecond)
			}
			var sum int64
			for b.Loop() {
				sum += c.nowMs()
			}
			if sum == 0 {
				b.Fatal("no reading")
			}
		})
	}
}
