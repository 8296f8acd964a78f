package store_test

import (
	"math"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

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

// TestApply_SetOptions: Apply parses SET's options as Redis does.
func TestApply_SetOptions(t *testing.T) {
	s, err := store.New(nil)
	require.NoError(t, err)
	defer s.Close()
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"EX", "0", "EX", "10"}, ""},
		{[]string{"EX", "abc", "EX", "10"}, ""},
		{[]string{"EX", "10", "EX", "0"}, "ERR invalid expire time in 'set' command"},
		{[]string{"EX", "10", "PX", "10"}, "ERR syntax error"},
		{[]string{"KEEPTTL", "EX", "10"}, "ERR syntax error"},
		{[]string{"EX", "10", "KEEPTTL"}, "ERR syntax error"},
		{[]string{"NX", "XX"}, "ERR syntax error"},
		{[]string{"NX", "NX", "GET"}, ""},
		{[]string{"EX"}, "ERR syntax error"},
		{[]string{"EX", "x"}, "ERR value is not an integer or out of range"},
		{[]string{"BOGUS"}, "ERR syntax error"},
	} {
		err := s.Apply(append([]string{"SET", "k", "v"}, tc.args...)...)
		if tc.err == "" {
			assert.NoError(t, err, "%q", tc.args)
		} else {
			assert.EqualError(t, err, tc.err, "%q", tc.args)
		}
	}
	ttl, err := s.TTL("k")
	require.NoError(t, err)
	assert.Equal(t, int64(10), ttl, "the last EX won")
}

// TestStore_ScanMatchStarEmptyKey: MATCH * returns the empty key and the
// empty field, as Redis's SCAN and HSCAN special-case a lone *.
func TestStore_ScanMatchStarEmptyKey(t *testing.T) {
	s, err := store.New(nil)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Set("", "v"))
	keys, next, err := s.Scan(0, "*", 100, "")
	require.NoError(t, err)
	assert.Equal(t, uint64(0), next)
	assert.Equal(t, []string{""}, keys)
	_, err = s.HSet("h", "", "v")
	require.NoError(t, err)
	fields, _, err := s.HScan("h", 0, "*", 10)
	require.NoError(t, err)
	assert.Equal(t, []string{"", "v"}, fields)
}

// TestApply_SingleKeyAllocs: a follower applies the commands of one key that
// make up most of a stream without allocating (the store keeps the strings it
// is given), with a Notify func or without one. (Under the race detector a
// sync.Pool drops a quarter of what it is given, so a pooled Tx is made
// again about once in four commands: AllocsPerRun's whole-number average
// still reads 0.)
func TestApply_SingleKeyAllocs(t *testing.T) {
	at := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)
	cmds := [][]string{
		{"SET", "k", "v"},
		{"SET", "k", "v", "PXAT", at},
		{"HSET", "h", "f", "v"},
		{"PEXPIREAT", "h", at},
		{"DEL", "gone"},
		{"UNLINK", "gone"},
		{"MSET", "m", "v"},
		{"INCRBY", "n", "0"},
	}
	for _, notify := range []bool{false, true} {
		var events atomic.Int64
		o := &store.Options{}
		if notify {
			o.Notify = func(byte, string, string) { events.Add(1) }
		}
		s, err := store.New(o)
		require.NoError(t, err)
		require.NoError(t, s.SetReplica(true))
		for _, args := range cmds {
			require.NoError(t, s.Apply(args...), args) // keys exist from here on
			allocs := testing.AllocsPerRun(100, func() { _ = s.Apply(args...) })
			assert.Zero(t, allocs, "notify=%v %q", notify, args)
		}
		if notify {
			assert.Positive(t, events.Load())
		}
		require.NoError(t, s.Apply("set", "k", "w"), "lower-case names work too")
		v, _, _ := s.Get("k")
		assert.Equal(t, "w", v)
		require.NoError(t, s.Close())
	}
}
