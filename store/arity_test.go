package store_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

// TestStore_Arity: commands that Redis refuses without a key, field or pair
// fail with its wrong-number-of-arguments error.
func TestStore_Arity(t *testing.T) {
	s, err := store.New(nil)
	require.NoError(t, err)
	defer s.Close()
	for name, call := range map[string]func() error{
		"del":    func() error { _, err := s.Del(); return err },
		"exists": func() error { _, err := s.Exists(); return err },
		"mget":   func() error { _, err := s.MGet(); return err },
		"hdel":   func() error { _, err := s.HDel("h"); return err },
		"hmget":  func() error { _, err := s.HMGet("h"); return err },
		"mset":   func() error { return s.MSet() },
		"msetnx": func() error { _, err := s.MSetNX("k"); return err },
		"hset":   func() error { _, err := s.HSet("h", "f"); return err },
	} {
		err := call()
		require.ErrorIs(t, err, store.ErrArity, name)
		assert.Equal(t, "ERR wrong number of arguments for '"+name+"' command", err.Error())
	}
}

// TestUpdate_UndeclaredKeySameShard: a key that was not declared is refused
// even when it lives in the shard of one that was.
func TestUpdate_UndeclaredKeySameShard(t *testing.T) {
	s, err := store.NewWithShards(nil, 1)
	require.NoError(t, err)
	defer s.Close()
	err = s.Update([]string{"a"}, func(tx *store.Tx) error {
		_, _, err := tx.Get("b")
		return err
	})
	assert.ErrorIs(t, err, store.ErrKeyNotLocked)
}

// TestStore_HRandFieldHugeCount: a count too large to return is an error,
// not a panic.
func TestStore_HRandFieldHugeCount(t *testing.T) {
	s, err := store.New(nil)
	require.NoError(t, err)
	defer s.Close()
	_, err = s.HSet("h", "f", "v")
	require.NoError(t, err)
	for _, c := range []int64{math.MinInt64 / 4, -1 << 40} {
		_, err = s.HRandField("h", c, false)
		assert.ErrorIs(t, err, store.ErrValueRange)
	}
	got, err := s.HRandField("h", -3, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"f", "v", "f", "v", "f", "v"}, got)
}
