package store

import (
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHashClasses grows a hash field by field through every class and into
// a map, and checks fields, order and deadline at each size.
func TestHashClasses(t *testing.T) {
	h := newHash(0)
	h.at = 42
	var want []string
	for i := range smallHashMax + 5 {
		f, v := fmt.Sprint("f", i), fmt.Sprint("v", i)
		var added bool
		h, added = h.set(f, v)
		require.True(t, added)
		want = append(want, f, v)
		assert.Equal(t, 42, int(h.at), "the deadline moves with the hash, at %d fields", i+1)
		assert.Equal(t, i+1, h.len())
		if h.m == nil {
			assert.Equal(t, want, h.pairs(), "insertion order at %d fields", i+1)
		}
		for j := 0; j <= i; j++ {
			got, ok := h.get(fmt.Sprint("f", j))
			require.True(t, ok)
			require.Equal(t, fmt.Sprint("v", j), got)
		}
		moved, added := h.set(f, "again")
		assert.False(t, added)
		assert.Same(t, h, moved, "overwriting a field never moves the hash")
		h, _ = h.set(f, v)
	}
	assert.NotNil(t, h.m, "past smallHashMax fields a hash is a map")
}

// TestHashMoveInStore checks that a hash that moves to a larger object keeps
// its TTL, stays the key's value, and is restored by a failed Update.
func TestHashMoveInStore(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(nil)
		require.NoError(t, err)
		defer s.Close()
		_, err = s.HSet("h", "f0", "v0")
		require.NoError(t, err)
		_, err = s.Expire("h", 10)
		require.NoError(t, err)
		for i := 1; i < 20; i++ {
			_, err = s.HSet("h", fmt.Sprint("f", i), fmt.Sprint("v", i))
			require.NoError(t, err)
			_, err = s.HIncrBy("h", fmt.Sprint("n", i), 1)
			require.NoError(t, err)
		}
		n, err := s.HLen("h")
		require.NoError(t, err)
		assert.Equal(t, int64(39), n)
		ttl, err := s.TTL("h")
		require.NoError(t, err)
		assert.Equal(t, int64(10), ttl)

		boom := errors.New("boom")
		err = s.Update([]string{"h"}, func(tx *Tx) error {
			for i := range 40 {
				if _, err := tx.HSet("h", fmt.Sprint("g", i), "x"); err != nil {
					return err
				}
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		n, err = s.HLen("h")
		require.NoError(t, err)
		assert.Equal(t, int64(39), n, "the failed Update left the hash as it was")

		time.Sleep(10 * time.Second)
		synctest.Wait()
		size, err := s.DBSize()
		require.NoError(t, err)
		assert.Zero(t, size, "the moved hash expired at its deadline")
	})
}

// TestHashClassSizes pins the classes to the allocator's size classes, the
// first three within 512 bytes.
func TestHashClassSizes(t *testing.T) {
	assert.Equal(t, uintptr(152), unsafe.Sizeof(hash4{}))
	assert.Equal(t, uintptr(312), unsafe.Sizeof(hash9{}))
	assert.Equal(t, uintptr(504), unsafe.Sizeof(hash15{}))
	assert.LessOrEqual(t, unsafe.Sizeof(hash32{}), uintptr(1152))
}

// TestHashGrowth pins how a small hash grows one field at a time: to a
// class of at least twice its pairs.
func TestHashGrowth(t *testing.T) {
	h := newHash(0)
	var classes []int32
	for i := range smallHashMax + 1 {
		h, _ = h.set(fmt.Sprint("f", i), "v")
		if h.m == nil && (len(classes) == 0 || classes[len(classes)-1] != h.cls) {
			classes = append(classes, h.cls)
		}
	}
	assert.Equal(t, []int32{4, 15, smallHashMax}, classes)
	assert.NotNil(t, h.m, "past smallHashMax fields, a map")
	assert.Equal(t, smallHashMax+1, h.len())

	h = newHash(7) // presized, as by one HSET of 7 pairs
	require.Equal(t, int32(9), h.cls)
	for i := range 10 {
		h, _ = h.set(fmt.Sprint("f", i), "v")
	}
	assert.Equal(t, int32(smallHashMax), h.cls, "9 pairs full: at least 20")
}

// TestHashDelClone deletes from small and large hashes, keeping order, and
// clones both forms.
func TestHashDelClone(t *testing.T) {
	for _, n := range []int{3, 9, 12, smallHashMax + 3} {
		h := newHash(0)
		for i := range n {
			h, _ = h.set(fmt.Sprint("f", i), fmt.Sprint("v", i))
		}
		assert.True(t, h.del("f1"))
		assert.False(t, h.del("f1"))
		assert.Equal(t, n-1, h.len())
		if h.m == nil {
			assert.Equal(t, []string{"f0", "v0", "f2", "v2"}, h.pairs()[:4], "order kept")
		}
		c := h.clone()
		assert.Equal(t, h.len(), c.len())
		assert.ElementsMatch(t, h.appendPairs(nil), c.appendPairs(nil))
		_, _ = c.set("f0", "changed")
		v, _ := h.get("f0")
		assert.Equal(t, "v0", v, "the clone is deep")
	}
}
