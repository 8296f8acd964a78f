package store

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestClock_FollowsTimeNow(t *testing.T) {
	var c clock
	c.reset()
	for range 50 {
		before := time.Now().UnixMilli()
		got := c.nowMs()
		after := time.Now().UnixMilli()
		assert.GreaterOrEqual(t, got, before)
		assert.LessOrEqual(t, got, after)
		time.Sleep(100 * time.Microsecond)
	}
}

func TestClock_Bubble(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c clock
		c.reset()
		start := time.Now().UnixMilli()
		assert.Equal(t, start, c.nowMs())
		// Within the re-read interval, and past it.
		for _, d := range []time.Duration{time.Millisecond, 998 * time.Millisecond, 1500 * time.Millisecond, time.Hour} {
			time.Sleep(d)
			assert.Equal(t, time.Now().UnixMilli(), c.nowMs(), "after %v", d)
		}
	})
}

func TestClock_RereadsWallClock(t *testing.T) {
	var c clock
	b := c.reset()
	// A base a minute behind the wall clock, as after a step of the
	// system's clock, but read more than a second ago: the next reading
	// takes the wall clock again.
	c.base.Store(&clockBase{t: b.t.Add(-2 * time.Second), wall: b.wall - int64(time.Minute)})
	assert.InDelta(t, time.Now().UnixMilli(), c.nowMs(), 5)
}
