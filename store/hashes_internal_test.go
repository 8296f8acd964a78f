package store

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHSet_LazyExpiry checks that HSet of one field treats a key past its
// deadline that the sweeper has not removed yet as missing.
func TestHSet_LazyExpiry(t *testing.T) {
	// Without sweepers: one woken by the EXPIRE below could read the clock
	// after ahead() and remove the keys first.
	s, err := New(&Options{noSweep: true})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.HSet("h", "a", "1")
	require.NoError(t, err)
	_, err = s.Expire("h", 10)
	require.NoError(t, err)
	_, _, err = s.SetArgs("s", "x", SetArgs{EX: 10})
	require.NoError(t, err)

	// The store's clock 20 s ahead for the second before it reads the wall
	// clock again: both keys are past their deadline, and no sweeper
	// removes them.
	ahead := func() {
		now := time.Now()
		s.clock.base.Store(&clockBase{t: now, wall: now.Add(20 * time.Second).UnixNano(), life: baseLife})
	}
	ahead()
	require.Equal(t, int64(2), s.Stats().Keys, "the keys are still held")
	n, err := s.HSet("h", "b", "2")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	ahead()
	all, err := s.HGetAll("h")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"b": "2"}, all, "the expired hash's fields are gone")
	ttl, err := s.TTL("h")
	require.NoError(t, err)
	assert.Equal(t, int64(-1), ttl)

	ahead()
	n, err = s.HSet("s", "f", "v")
	require.NoError(t, err, "an expired string is not a WRONGTYPE")
	assert.Equal(t, int64(1), n)
	assert.Equal(t, uint64(2), s.Stats().Expired)
}
