package store_test

// Table tests of the generic key commands against Redis 7's documented
// behaviour (https://redis.io/docs/latest/commands/?group=generic) and Redis's
// own tests/unit/expire.tcl and keyspace.tcl. Anything involving time runs
// in a testing/synctest bubble.

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

func TestStore_Del(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "a", "1", "b", "2")
	mustHSet(t, s, "h", "f", "v")
	n, err := s.Del("a", "missing", "a", "h")
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "a key named twice is deleted once")
	e, _ := s.Exists("a", "h", "b")
	assert.Equal(t, int64(1), e)

	n, err = s.Del("missing")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestStore_Exists(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "a", "1", "empty", "")
	mustHSet(t, s, "h", "f", "v")
	for _, tc := range []struct {
		keys []string
		want int64
	}{
		{[]string{"a"}, 1},
		{[]string{"missing"}, 0},
		{[]string{"a", "a", "a"}, 3},
		{[]string{"a", "missing", "a", "h", "empty"}, 4},
	} {
		n, err := s.Exists(tc.keys...)
		require.NoError(t, err)
		assert.Equal(t, tc.want, n, "%q", tc.keys)
	}
}

func TestStore_Type(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		mustSet(t, s, "s", "v")
		mustHSet(t, s, "h", "f", "v")
		_, _, err := s.SetArgs("gone", "v", store.SetArgs{PX: 10})
		require.NoError(t, err)
		time.Sleep(10 * time.Millisecond)
		for key, want := range map[string]string{"s": "string", "h": "hash", "missing": "none", "gone": "none"} {
			typ, err := s.Type(key)
			require.NoError(t, err)
			assert.Equal(t, want, typ, key)
		}
	})
}

func TestStore_Expire(t *testing.T) {
	const none, infinite = int64(-2), int64(-1) // PTTL of a missing key, of a key without TTL
	type state int
	const (
		missing state = iota
		noTTL
		ttl100 // a TTL of 100 s
	)
	tests := []struct {
		name    string
		from    state
		seconds int64
		flags   []store.ExpireFlag
		ok      bool
		pttl    int64 // afterwards
	}{
		{"missing", missing, 50, nil, false, none},
		{"set", noTTL, 50, nil, true, 50_000},
		{"replace", ttl100, 50, nil, true, 50_000},
		{"NX without TTL", noTTL, 50, []store.ExpireFlag{store.NX}, true, 50_000},
		{"NX with TTL", ttl100, 50, []store.ExpireFlag{store.NX}, false, 100_000},
		{"XX without TTL", noTTL, 50, []store.ExpireFlag{store.XX}, false, infinite},
		{"XX with TTL", ttl100, 50, []store.ExpireFlag{store.XX}, true, 50_000},
		{"GT without TTL (infinite)", noTTL, 50, []store.ExpireFlag{store.GT}, false, infinite},
		{"GT smaller", ttl100, 50, []store.ExpireFlag{store.GT}, false, 100_000},
		{"GT equal", ttl100, 100, []store.ExpireFlag{store.GT}, false, 100_000},
		{"GT greater", ttl100, 200, []store.ExpireFlag{store.GT}, true, 200_000},
		{"LT without TTL (infinite)", noTTL, 50, []store.ExpireFlag{store.LT}, true, 50_000},
		{"LT smaller", ttl100, 50, []store.ExpireFlag{store.LT}, true, 50_000},
		{"LT equal", ttl100, 100, []store.ExpireFlag{store.LT}, false, 100_000},
		{"LT greater", ttl100, 200, []store.ExpireFlag{store.LT}, false, 100_000},
		{"XX GT without TTL", noTTL, 200, []store.ExpireFlag{store.XX, store.GT}, false, infinite},
		{"XX GT greater", ttl100, 200, []store.ExpireFlag{store.XX | store.GT}, true, 200_000},
		{"XX LT without TTL", noTTL, 50, []store.ExpireFlag{store.XX, store.LT}, false, infinite},
		{"XX LT smaller", ttl100, 50, []store.ExpireFlag{store.XX, store.LT}, true, 50_000},
		{"flag given twice", ttl100, 50, []store.ExpireFlag{store.LT, store.LT}, true, 50_000},
		{"zero deletes", ttl100, 0, nil, true, none},
		{"negative deletes", noTTL, -10, nil, true, none},
		{"negative, missing", missing, -10, nil, false, none},
		{"negative GT fails, keeps", ttl100, -10, []store.ExpireFlag{store.GT}, false, 100_000},
		{"negative LT without TTL deletes", noTTL, -10, []store.ExpireFlag{store.LT}, true, none},
		{"negative XX without TTL keeps", noTTL, -10, []store.ExpireFlag{store.XX}, false, infinite},
		{"negative NX without TTL deletes", noTTL, -10, []store.ExpireFlag{store.NX}, true, none},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, s *store.Store) {
				switch tc.from {
				case noTTL:
					mustSet(t, s, "k", "v")
				case ttl100:
					mustSet(t, s, "k", "v")
					ok, err := s.Expire("k", 100)
					require.NoError(t, err)
					require.True(t, ok)
				}
				ok, err := s.Expire("k", tc.seconds, tc.flags...)
				require.NoError(t, err)
				assert.Equal(t, tc.ok, ok)
				assert.Equal(t, tc.pttl, pttlOf(t, s, "k"))
			})
		})
	}

	t.Run("the same for a hash", func(t *testing.T) {
		inBubble(t, func(t *testing.T, s *store.Store) {
			mustHSet(t, s, "h", "f", "v")
			ok, err := s.Expire("h", 100, store.NX)
			require.NoError(t, err)
			assert.True(t, ok)
			ok, err = s.Expire("h", 50, store.GT)
			require.NoError(t, err)
			assert.False(t, ok)
			assert.Equal(t, int64(100), ttlOf(t, s, "h"))
			time.Sleep(100 * time.Second)
			n, _ := s.Exists("h")
			assert.Zero(t, n)
		})
	})
}

func TestStore_ExpireFlagErrors(t *testing.T) {
	nxText := "ERR NX and XX, GT or LT options at the same time are not compatible"
	gtltText := "ERR GT and LT options at the same time are not compatible"
	for _, tc := range []struct {
		flags []store.ExpireFlag
		err   error
		text  string
	}{
		{[]store.ExpireFlag{store.NX, store.XX}, store.ErrExpireNXAndOther, nxText},
		{[]store.ExpireFlag{store.NX, store.GT}, store.ErrExpireNXAndOther, nxText},
		{[]store.ExpireFlag{store.NX | store.LT}, store.ErrExpireNXAndOther, nxText},
		{[]store.ExpireFlag{store.NX, store.GT, store.LT}, store.ErrExpireNXAndOther, nxText},
		{[]store.ExpireFlag{store.GT, store.LT}, store.ErrExpireGTAndLT, gtltText},
		{[]store.ExpireFlag{store.XX, store.GT, store.LT}, store.ErrExpireGTAndLT, gtltText},
	} {
		s := newStore(t)
		mustSet(t, s, "k", "v")
		for name, call := range map[string]func(key string) (bool, error){
			"EXPIRE":    func(key string) (bool, error) { return s.Expire(key, 10, tc.flags...) },
			"PEXPIRE":   func(key string) (bool, error) { return s.PExpire(key, 10, tc.flags...) },
			"EXPIREAT":  func(key string) (bool, error) { return s.ExpireAt(key, 10, tc.flags...) },
			"PEXPIREAT": func(key string) (bool, error) { return s.PExpireAt(key, 10, tc.flags...) },
		} {
			for _, key := range []string{"k", "missing"} {
				_, err := call(key)
				require.ErrorIs(t, err, tc.err, "%s %s %v", name, key, tc.flags)
				assert.Equal(t, tc.text, err.Error())
			}
		}
		assert.Equal(t, int64(-1), ttlOf(t, s, "k"))
	}
}

func TestStore_ExpireInvalid(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		mustSet(t, s, "k", "v")
		for _, tc := range []struct {
			call func(key string) (bool, error)
			text string
		}{
			{func(k string) (bool, error) { return s.Expire(k, math.MaxInt64) }, "ERR invalid expire time in 'expire' command"},
			{func(k string) (bool, error) { return s.Expire(k, math.MinInt64) }, "ERR invalid expire time in 'expire' command"},
			{func(k string) (bool, error) { return s.Expire(k, math.MaxInt64/1000) }, "ERR invalid expire time in 'expire' command"},
			{func(k string) (bool, error) { return s.PExpire(k, math.MaxInt64) }, "ERR invalid expire time in 'pexpire' command"},
			{func(k string) (bool, error) { return s.ExpireAt(k, math.MaxInt64) }, "ERR invalid expire time in 'expireat' command"},
			{func(k string) (bool, error) { return s.ExpireAt(k, math.MinInt64/1000-1) }, "ERR invalid expire time in 'expireat' command"},
		} {
			for _, key := range []string{"k", "missing"} {
				_, err := tc.call(key)
				require.ErrorIs(t, err, store.ErrInvalidExpire, tc.text)
				assert.Equal(t, tc.text, err.Error())
			}
		}
		assert.Equal(t, int64(-1), ttlOf(t, s, "k"))

		// The largest deadlines that fit are fine.
		ok, err := s.PExpireAt("k", math.MaxInt64)
		require.NoError(t, err)
		assert.True(t, ok)
		pet, _ := s.PExpireTime("k")
		assert.Equal(t, int64(math.MaxInt64), pet)
		ok, err = s.ExpireAt("k", math.MaxInt64/1000)
		require.NoError(t, err)
		assert.True(t, ok)
	})
}

func TestStore_ExpireAt(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		now := nowMs()
		mustSet(t, s, "k", "v", "p", "v")

		ok, err := s.ExpireAt("k", now/1000+100)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, int64(100), ttlOf(t, s, "k"))
		et, _ := s.ExpireTime("k")
		assert.Equal(t, now/1000+100, et)

		ok, err = s.PExpireAt("p", now+1500)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, int64(1500), pttlOf(t, s, "p"))

		ok, err = s.ExpireAt("k", now/1000+100, store.GT)
		require.NoError(t, err)
		assert.False(t, ok, "GT with the same deadline")
		ok, err = s.PExpireAt("k", now+100_000, store.LT)
		require.NoError(t, err)
		assert.False(t, ok, "LT with the same deadline")

		// A deadline now or in the past deletes.
		ok, err = s.PExpireAt("p", now)
		require.NoError(t, err)
		assert.True(t, ok)
		ok, err = s.ExpireAt("k", 1)
		require.NoError(t, err)
		assert.True(t, ok)
		n, _ := s.Exists("k", "p")
		assert.Zero(t, n)
		ok, err = s.ExpireAt("k", now/1000+100)
		require.NoError(t, err)
		assert.False(t, ok, "no key")
	})
}

func TestStore_TTL(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		now := nowMs() // a whole second in a fresh bubble
		require.Zero(t, now%1000)
		mustSet(t, s, "plain", "v", "k", "v")
		mustHSet(t, s, "h", "f", "v")

		for _, key := range []string{"missing", "plain", "h"} {
			want := int64(-1)
			if key == "missing" {
				want = -2
			}
			for name, f := range map[string]func(string) (int64, error){
				"TTL": s.TTL, "PTTL": s.PTTL, "EXPIRETIME": s.ExpireTime, "PEXPIRETIME": s.PExpireTime,
			} {
				n, err := f(key)
				require.NoError(t, err)
				assert.Equal(t, want, n, "%s %s", name, key)
			}
		}

		_, err := s.PExpire("k", 1500)
		require.NoError(t, err)
		_, err = s.PExpire("h", 2499)
		require.NoError(t, err)
		for _, step := range []struct {
			sleep              time.Duration
			key                string
			ttl, pttl, et, pet int64 // et, pet relative to now
		}{
			{0, "k", 2, 1500, 2, 1500}, // 1.5 s rounds up; so does the deadline
			{0, "h", 2, 2499, 2, 2499}, // 2.499 s rounds down
			{500 * time.Millisecond, "k", 1, 1000, 2, 1500},
			{499 * time.Millisecond, "k", 1, 501, 2, 1500},
			{1 * time.Millisecond, "k", 1, 500, 2, 1500},
			{1 * time.Millisecond, "k", 0, 499, 2, 1500},  // alive, TTL 0
			{1 * time.Millisecond, "h", 1, 1497, 2, 2499}, // 1002 ms later
		} {
			time.Sleep(step.sleep)
			assert.Equal(t, step.ttl, ttlOf(t, s, step.key), "TTL %s", step.key)
			assert.Equal(t, step.pttl, pttlOf(t, s, step.key), "PTTL %s", step.key)
			et, _ := s.ExpireTime(step.key)
			assert.Equal(t, now/1000+step.et, et, "EXPIRETIME %s", step.key)
			pet, _ := s.PExpireTime(step.key)
			assert.Equal(t, now+step.pet, pet, "PEXPIRETIME %s", step.key)
		}
		time.Sleep(499 * time.Millisecond) // k's deadline
		assert.Equal(t, int64(-2), ttlOf(t, s, "k"))
		assert.Equal(t, int64(-2), pttlOf(t, s, "k"))
		et, _ := s.ExpireTime("k")
		assert.Equal(t, int64(-2), et)
	})
}

func TestStore_Persist(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		mustSet(t, s, "plain", "v", "k", "v")
		mustHSet(t, s, "h", "f", "v")
		_, _ = s.Expire("k", 10)
		_, _ = s.Expire("h", 10)
		for key, want := range map[string]bool{"missing": false, "plain": false, "k": true, "h": true} {
			ok, err := s.Persist(key)
			require.NoError(t, err)
			assert.Equal(t, want, ok, key)
		}
		ok, err := s.Persist("k")
		require.NoError(t, err)
		assert.False(t, ok, "no TTL left")
		time.Sleep(20 * time.Second)
		n, _ := s.Exists("k", "h", "plain")
		assert.Equal(t, int64(3), n, "persisted keys stay")
	})
}

func TestStore_Rename(t *testing.T) {
	t.Run("missing source", func(t *testing.T) {
		s := newStore(t)
		for _, dst := range []string{"dst", "src"} {
			err := s.Rename("src", dst)
			require.ErrorIs(t, err, store.ErrNoSuchKey)
			assert.Equal(t, "ERR no such key", err.Error())
			_, err = s.RenameNX("src", dst)
			require.ErrorIs(t, err, store.ErrNoSuchKey)
		}
	})
	t.Run("moves the value", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "a", "1")
		require.NoError(t, s.Rename("a", "b"))
		assert.Equal(t, "(nil)", getOr(t, s, "a"))
		assert.Equal(t, "1", getOr(t, s, "b"))
	})
	t.Run("replaces the destination, of any type", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "a", "1")
		mustHSet(t, s, "h", "f", "v")
		require.NoError(t, s.Rename("a", "h"))
		assert.Equal(t, "1", getOr(t, s, "h"))
		mustHSet(t, s, "h2", "f", "v")
		mustSet(t, s, "s", "x")
		require.NoError(t, s.Rename("h2", "s"))
		m, err := s.HGetAll("s")
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"f": "v"}, m)
	})
	t.Run("same key", func(t *testing.T) {
		inBubble(t, func(t *testing.T, s *store.Store) {
			mustSet(t, s, "a", "1")
			_, _ = s.Expire("a", 10)
			require.NoError(t, s.Rename("a", "a"))
			ok, err := s.RenameNX("a", "a")
			require.NoError(t, err)
			assert.False(t, ok)
			assert.Equal(t, "1", getOr(t, s, "a"))
			assert.Equal(t, int64(10), ttlOf(t, s, "a"))
		})
	})
	t.Run("RENAMENX", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "a", "1", "b", "2")
		ok, err := s.RenameNX("a", "b")
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Equal(t, "1", getOr(t, s, "a"))
		assert.Equal(t, "2", getOr(t, s, "b"))
		ok, err = s.RenameNX("a", "c")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "1", getOr(t, s, "c"))
		assert.Equal(t, "(nil)", getOr(t, s, "a"))
	})
	t.Run("TTL moves with the value", func(t *testing.T) {
		inBubble(t, func(t *testing.T, s *store.Store) {
			mustSet(t, s, "a", "1", "b", "2", "c", "3")
			_, _ = s.Expire("a", 10)
			_, _ = s.Expire("b", 50)
			require.NoError(t, s.Rename("a", "b"))
			assert.Equal(t, int64(10), ttlOf(t, s, "b"))
			require.NoError(t, s.Rename("c", "b"))
			assert.Equal(t, int64(-1), ttlOf(t, s, "b"), "the destination's TTL goes with its value")
			_, _ = s.Expire("b", 10)
			require.NoError(t, s.Rename("b", "d"))
			time.Sleep(10 * time.Second)
			n, _ := s.Exists("b", "d")
			assert.Zero(t, n, "the renamed key expires at the old deadline, under its new name")
			synctest.Wait()
			size, _ := s.DBSize()
			assert.Zero(t, size)
		})
	})
}

func TestStore_Copy(t *testing.T) {
	t.Run("same key", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "a", "1")
		for _, key := range []string{"a", "missing"} {
			_, err := s.Copy(key, key, true)
			require.ErrorIs(t, err, store.ErrSameObject)
			assert.Equal(t, "ERR source and destination objects are the same", err.Error())
		}
	})
	t.Run("missing source", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "dst", "x")
		ok, err := s.Copy("src", "dst", true)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Equal(t, "x", getOr(t, s, "dst"))
	})
	t.Run("existing destination", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "a", "1", "b", "2")
		ok, err := s.Copy("a", "b", false)
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Equal(t, "2", getOr(t, s, "b"))
		ok, err = s.Copy("a", "b", true)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "1", getOr(t, s, "b"))
		assert.Equal(t, "1", getOr(t, s, "a"))
	})
	t.Run("a hash is copied deeply", func(t *testing.T) {
		for _, size := range hashSizes {
			s := newStore(t)
			m := fillHash(t, s, "h", size)
			mustSet(t, s, "dst", "x")
			ok, err := s.Copy("h", "dst", true)
			require.NoError(t, err)
			require.True(t, ok)
			mustHSet(t, s, "dst", "f0", "changed", "extra", "1")
			_, err = s.HDel("dst", "f1")
			require.NoError(t, err)
			got, err := s.HGetAll("h")
			require.NoError(t, err)
			assert.Equal(t, m, got, "size %d: the source is untouched", size)
		}
	})
	t.Run("TTL is copied", func(t *testing.T) {
		inBubble(t, func(t *testing.T, s *store.Store) {
			mustSet(t, s, "a", "1", "plain", "2")
			mustHSet(t, s, "h", "f", "v")
			_, _ = s.Expire("a", 10)
			_, _ = s.Expire("h", 20)
			ok, err := s.Copy("a", "a2", false)
			require.NoError(t, err)
			require.True(t, ok)
			ok, err = s.Copy("h", "h2", false)
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, int64(10), ttlOf(t, s, "a2"))
			assert.Equal(t, int64(20), ttlOf(t, s, "h2"))
			_, _ = s.Copy("plain", "a", true)
			assert.Equal(t, int64(-1), ttlOf(t, s, "a"))
			time.Sleep(20 * time.Second)
			n, _ := s.Exists("a2", "h2")
			assert.Zero(t, n)
			assert.Equal(t, "2", getOr(t, s, "a"))
		})
	})
}

func TestStore_DBSizeFlushAll(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		n, err := s.DBSize()
		require.NoError(t, err)
		assert.Zero(t, n)
		for i := range 100 {
			mustSet(t, s, "k"+strconv.Itoa(i), "v")
		}
		mustHSet(t, s, "h", "f", "v")
		_, _ = s.Expire("k1", 10)
		n, _ = s.DBSize()
		assert.Equal(t, int64(101), n)

		require.NoError(t, s.FlushAll())
		n, _ = s.DBSize()
		assert.Zero(t, n)
		keys, _ := s.Keys("*")
		assert.Empty(t, keys)
		assert.Equal(t, int64(-2), ttlOf(t, s, "k1"))

		// A key set again after FLUSHALL does not inherit the old TTL.
		mustSet(t, s, "k1", "v")
		time.Sleep(20 * time.Second)
		assert.Equal(t, "v", getOr(t, s, "k1"))
		assert.Equal(t, int64(-1), ttlOf(t, s, "k1"))
	})
}

func TestStore_RandomKey(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		_, ok, err := s.RandomKey()
		require.NoError(t, err)
		assert.False(t, ok)

		want := map[string]bool{}
		for i := range 10 {
			k := "k" + strconv.Itoa(i)
			mustSet(t, s, k, "v")
			want[k] = true
		}
		seen := map[string]bool{}
		for range 1000 {
			k, ok, err := s.RandomKey()
			require.NoError(t, err)
			require.True(t, ok)
			require.True(t, want[k], k)
			seen[k] = true
		}
		assert.Len(t, seen, 10, "every key comes up")

		// Expired keys are never returned, even before they are swept.
		require.NoError(t, s.FlushAll())
		mustSet(t, s, "live", "v")
		for i := range 50 {
			k := "gone" + strconv.Itoa(i)
			mustSet(t, s, k, "v")
			_, _ = s.PExpire(k, 5)
		}
		time.Sleep(5 * time.Millisecond)
		for range 200 {
			k, ok, err := s.RandomKey()
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, "live", k)
		}
	})
}

func TestStore_Keys(t *testing.T) {
	s := newStore(t)
	keys, err := s.Keys("*")
	require.NoError(t, err)
	assert.NotNil(t, keys)
	assert.Empty(t, keys)

	all := []string{"hello", "hallo", "hxllo", "hllo", "heeeello", "hillo", "hbllo", "h*llo", "h?llo", "h[a]llo", "h\\llo", "other"}
	for _, k := range all {
		mustSet(t, s, k, "v")
	}
	mustHSet(t, s, "hash", "f", "v")
	for _, tc := range []struct {
		pattern string
		want    []string
	}{
		{"*", append(slices.Clone(all), "hash")},
		{"h?llo", []string{"hello", "hallo", "hxllo", "hillo", "hbllo", "h*llo", "h?llo", "h\\llo"}},
		{"h*llo", []string{"hello", "hallo", "hxllo", "hllo", "heeeello", "hillo", "hbllo", "h*llo", "h?llo", "h[a]llo", "h\\llo"}},
		{"h[ae]llo", []string{"hello", "hallo"}},
		{"h[^e]llo", []string{"hallo", "hxllo", "hillo", "hbllo", "h*llo", "h?llo", "h\\llo"}},
		{"h[a-b]llo", []string{"hallo", "hbllo"}},
		{"h\\*llo", []string{"h*llo"}},
		{"h\\?llo", []string{"h?llo"}},
		{"h\\[a]llo", []string{"h[a]llo"}},
		{"h\\\\llo", []string{"h\\llo"}},
		{"hash", []string{"hash"}},
		{"nothing*", []string{}},
		{"", []string{}},
	} {
		got, err := s.Keys(tc.pattern)
		require.NoError(t, err)
		assert.ElementsMatch(t, tc.want, got, "KEYS %q", tc.pattern)
	}

	t.Run("expired keys are not listed", func(t *testing.T) {
		inBubble(t, func(t *testing.T, s *store.Store) {
			mustSet(t, s, "a", "1", "b", "2")
			_, _ = s.PExpire("a", 1)
			time.Sleep(time.Millisecond)
			got, err := s.Keys("*")
			require.NoError(t, err)
			assert.Equal(t, []string{"b"}, got)
		})
	})
}

func sorted(ss []string) []string {
	ss = slices.Clone(ss)
	slices.Sort(ss)
	return ss
}

// scanAll iterates SCAN to the end, failing if a key comes twice.
func scanAll(t *testing.T, s *store.Store, match string, count int64, typ string) ([]string, int) {
	t.Helper()
	var got []string
	seen := map[string]bool{}
	calls := 0
	for cursor := uint64(0); ; {
		page, next, err := s.Scan(cursor, match, count, typ)
		require.NoError(t, err)
		calls++
		require.Less(t, calls, 1_000_000, "SCAN does not end")
		for _, k := range page {
			require.False(t, seen[k], "key %q returned twice", k)
			seen[k] = true
		}
		got = append(got, page...)
		if cursor = next; cursor == 0 {
			return got, calls
		}
	}
}

func TestStore_Scan(t *testing.T) {
	s := newStore(t)
	got, calls := scanAll(t, s, "", 10, "")
	assert.Empty(t, got)
	assert.Equal(t, 1, calls)

	var strs, hashes []string
	for i := range 2000 {
		k := "s" + strconv.Itoa(i)
		mustSet(t, s, k, "v")
		strs = append(strs, k)
	}
	for i := range 300 {
		k := "h" + strconv.Itoa(i)
		mustHSet(t, s, k, "f", "v")
		hashes = append(hashes, k)
	}
	all := append(slices.Clone(strs), hashes...)

	for _, count := range []int64{0, 1, 7, 100, 10_000} {
		got, calls := scanAll(t, s, "", count, "")
		assert.Equal(t, sorted(all), sorted(got), "COUNT %d: every key exactly once", count)
		if count > 0 {
			assert.GreaterOrEqual(t, calls, len(all)/int(count), "COUNT %d bounds the work of a call", count)
		}
	}
	got, _ = scanAll(t, s, "h*", 50, "")
	assert.ElementsMatch(t, hashes, got)
	got, _ = scanAll(t, s, "", 50, "hash")
	assert.ElementsMatch(t, hashes, got)
	got, _ = scanAll(t, s, "", 50, "STRING")
	assert.Equal(t, sorted(strs), sorted(got))
	got, _ = scanAll(t, s, "s1?", 50, "string")
	assert.ElementsMatch(t, []string{"s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18", "s19"}, got)
	got, _ = scanAll(t, s, "s1?", 50, "hash")
	assert.Empty(t, got)
	got, _ = scanAll(t, s, "", 50, "list")
	assert.Empty(t, got, "an unknown type matches nothing")

	_, _, err := s.Scan(0, "", -1, "")
	require.ErrorIs(t, err, store.ErrSyntax)
}

func TestStore_ScanWhileWriting(t *testing.T) {
	s := newStore(t)
	stable := map[string]bool{}
	for i := range 1000 {
		k := "stable" + strconv.Itoa(i)
		mustSet(t, s, k, "v")
		stable[k] = true
	}
	seen := map[string]int{}
	cursor := uint64(0)
	for i := 0; ; i++ {
		page, next, err := s.Scan(cursor, "", 13, "")
		require.NoError(t, err)
		for _, k := range page {
			seen[k]++
		}
		// Keys come and go during the iteration.
		mustSet(t, s, "tmp"+strconv.Itoa(i), "v")
		_, err = s.Del("tmp" + strconv.Itoa(i-5))
		require.NoError(t, err)
		if cursor = next; cursor == 0 {
			break
		}
		require.Less(t, i, 100_000)
	}
	for k := range stable {
		assert.Equal(t, 1, seen[k], "%s: a key present throughout comes exactly once", k)
	}
}

func TestStore_ScanSkipsExpired(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		for i := range 100 {
			k := "k" + strconv.Itoa(i)
			mustSet(t, s, k, "v")
			if i%2 == 0 {
				_, _ = s.PExpire(k, 10)
			}
		}
		time.Sleep(10 * time.Millisecond)
		got, _ := scanAll(t, s, "", 10, "")
		assert.Len(t, got, 50)
	})
}

// TestStore_ExpiresByItself checks that expired keys are removed by the
// sweeper without anyone reading them, and counted.
func TestStore_ExpiresByItself(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		for i := range 1000 {
			k := "k" + strconv.Itoa(i)
			mustSet(t, s, k, "v")
			_, err := s.PExpire(k, int64(1+i%10)*1000)
			require.NoError(t, err)
		}
		mustHSet(t, s, "h", "f", "v")
		_, _ = s.Expire("h", 5)
		mustSet(t, s, "stay", "v")
		require.Equal(t, int64(1002), s.Stats().Expires+1)

		time.Sleep(5 * time.Second)
		synctest.Wait()
		st := s.Stats()
		assert.Equal(t, int64(501), st.Keys, "keys with a deadline up to 5 s are gone, h included")
		assert.Equal(t, uint64(501), st.Expired)

		time.Sleep(5 * time.Second)
		synctest.Wait()
		n, _ := s.DBSize()
		assert.Equal(t, int64(1), n)
		st = s.Stats()
		assert.Equal(t, uint64(1001), st.Expired)
		assert.Zero(t, st.Expires)
	})
}

// TestStore_Closed checks that every method fails with ErrClosed after Close,
// and that Close is idempotent.
func TestStore_Closed(t *testing.T) {
	s, err := store.New(nil)
	require.NoError(t, err)
	mustSet(t, s, "k", "v")
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "a second Close returns nil")

	calls := map[string]func() error{
		"Get":         func() error { _, _, err := s.Get("k"); return err },
		"Set":         func() error { return s.Set("k", "v") },
		"SetArgs":     func() error { _, _, err := s.SetArgs("k", "v", store.SetArgs{NX: true}); return err },
		"SetNX":       func() error { _, err := s.SetNX("k", "v"); return err },
		"GetDel":      func() error { _, _, err := s.GetDel("k"); return err },
		"GetEx":       func() error { _, _, err := s.GetEx("k", store.GetExArgs{}); return err },
		"MGet":        func() error { _, err := s.MGet("k"); return err },
		"MSet":        func() error { return s.MSet("k", "v") },
		"MSetNX":      func() error { _, err := s.MSetNX("k", "v"); return err },
		"Incr":        func() error { _, err := s.Incr("k"); return err },
		"Decr":        func() error { _, err := s.Decr("k"); return err },
		"IncrBy":      func() error { _, err := s.IncrBy("k", 1); return err },
		"DecrBy":      func() error { _, err := s.DecrBy("k", 1); return err },
		"IncrByFloat": func() error { _, err := s.IncrByFloat("k", 1); return err },
		"Append":      func() error { _, err := s.Append("k", "v"); return err },
		"StrLen":      func() error { _, err := s.StrLen("k"); return err },
		"GetRange":    func() error { _, err := s.GetRange("k", 0, 1); return err },
		"SetRange":    func() error { _, err := s.SetRange("k", 0, "v"); return err },
		"HSet":        func() error { _, err := s.HSet("h", "f", "v"); return err },
		"HSetNX":      func() error { _, err := s.HSetNX("h", "f", "v"); return err },
		"HGet":        func() error { _, _, err := s.HGet("h", "f"); return err },
		"HMGet":       func() error { _, err := s.HMGet("h", "f"); return err },
		"HGetAll":     func() error { _, err := s.HGetAll("h"); return err },
		"HDel":        func() error { _, err := s.HDel("h", "f"); return err },
		"HExists":     func() error { _, err := s.HExists("h", "f"); return err },
		"HLen":        func() error { _, err := s.HLen("h"); return err },
		"HKeys":       func() error { _, err := s.HKeys("h"); return err },
		"HVals":       func() error { _, err := s.HVals("h"); return err },
		"HIncrBy":     func() error { _, err := s.HIncrBy("h", "f", 1); return err },
		"HIncrByFloat": func() error {
			_, err := s.HIncrByFloat("h", "f", 1)
			return err
		},
		"HStrLen":     func() error { _, err := s.HStrLen("h", "f"); return err },
		"HRandField":  func() error { _, err := s.HRandField("h", 1, false); return err },
		"HScan":       func() error { _, _, err := s.HScan("h", 0, "", 10); return err },
		"Del":         func() error { _, err := s.Del("k"); return err },
		"Exists":      func() error { _, err := s.Exists("k"); return err },
		"Type":        func() error { _, err := s.Type("k"); return err },
		"Expire":      func() error { _, err := s.Expire("k", 1); return err },
		"PExpire":     func() error { _, err := s.PExpire("k", 1); return err },
		"ExpireAt":    func() error { _, err := s.ExpireAt("k", 1); return err },
		"PExpireAt":   func() error { _, err := s.PExpireAt("k", 1); return err },
		"TTL":         func() error { _, err := s.TTL("k"); return err },
		"PTTL":        func() error { _, err := s.PTTL("k"); return err },
		"ExpireTime":  func() error { _, err := s.ExpireTime("k"); return err },
		"PExpireTime": func() error { _, err := s.PExpireTime("k"); return err },
		"Persist":     func() error { _, err := s.Persist("k"); return err },
		"Rename":      func() error { return s.Rename("k", "k2") },
		"RenameNX":    func() error { _, err := s.RenameNX("k", "k2"); return err },
		"Copy":        func() error { _, err := s.Copy("k", "k2", false); return err },
		"RandomKey":   func() error { _, _, err := s.RandomKey(); return err },
		"DBSize":      func() error { _, err := s.DBSize(); return err },
		"FlushAll":    func() error { return s.FlushAll() },
		"Keys":        func() error { _, err := s.Keys("*"); return err },
		"Scan":        func() error { _, _, err := s.Scan(0, "", 10, ""); return err },
		"Update":      func() error { return s.Update([]string{"k"}, func(*store.Tx) error { return nil }) },
		"Pipeline.Exec": func() error {
			p := s.Pipeline()
			p.Get("k")
			return p.Exec()
		},
	}
	for name, call := range calls {
		assert.ErrorIs(t, call(), store.ErrClosed, name)
	}
}

// TestStore_ExpiredIsMissing checks that every command treats a key past its
// deadline, swept or not yet, exactly as a key that never existed, whatever
// type it held (an expired string is not the wrong type for HGET).
func TestStore_ExpiredIsMissing(t *testing.T) {
	calls := map[string]func(s *store.Store, k string) string{
		"GET":         func(s *store.Store, k string) string { return fmt.Sprint(s.Get(k)) },
		"HGET":        func(s *store.Store, k string) string { return fmt.Sprint(s.HGet(k, "f")) },
		"HEXISTS":     func(s *store.Store, k string) string { return fmt.Sprint(s.HExists(k, "f")) },
		"HSTRLEN":     func(s *store.Store, k string) string { return fmt.Sprint(s.HStrLen(k, "f")) },
		"HMGET":       func(s *store.Store, k string) string { return fmt.Sprint(s.HMGet(k, "f")) },
		"HGETALL":     func(s *store.Store, k string) string { return fmt.Sprint(s.HGetAll(k)) },
		"HLEN":        func(s *store.Store, k string) string { return fmt.Sprint(s.HLen(k)) },
		"HKEYS":       func(s *store.Store, k string) string { return fmt.Sprint(s.HKeys(k)) },
		"HVALS":       func(s *store.Store, k string) string { return fmt.Sprint(s.HVals(k)) },
		"HRANDFIELD":  func(s *store.Store, k string) string { return fmt.Sprint(s.HRandField(k, 2, false)) },
		"HSCAN":       func(s *store.Store, k string) string { return fmt.Sprint(s.HScan(k, 0, "", 10)) },
		"STRLEN":      func(s *store.Store, k string) string { return fmt.Sprint(s.StrLen(k)) },
		"GETRANGE":    func(s *store.Store, k string) string { return fmt.Sprint(s.GetRange(k, 0, -1)) },
		"MGET":        func(s *store.Store, k string) string { return fmt.Sprint(s.MGet(k)) },
		"TYPE":        func(s *store.Store, k string) string { return fmt.Sprint(s.Type(k)) },
		"EXISTS":      func(s *store.Store, k string) string { return fmt.Sprint(s.Exists(k)) },
		"TTL":         func(s *store.Store, k string) string { return fmt.Sprint(s.TTL(k)) },
		"PEXPIRETIME": func(s *store.Store, k string) string { return fmt.Sprint(s.PExpireTime(k)) },
		"GETDEL":      func(s *store.Store, k string) string { return fmt.Sprint(s.GetDel(k)) },
		"GETEX":       func(s *store.Store, k string) string { return fmt.Sprint(s.GetEx(k, store.GetExArgs{Persist: true})) },
		"SETNX":       func(s *store.Store, k string) string { return fmt.Sprint(s.SetNX(k, "1")) },
		"SET XX": func(s *store.Store, k string) string {
			return fmt.Sprint(s.SetArgs(k, "1", store.SetArgs{XX: true, Get: true}))
		},
		"SET GET":      func(s *store.Store, k string) string { return fmt.Sprint(s.SetArgs(k, "1", store.SetArgs{Get: true})) },
		"INCR":         func(s *store.Store, k string) string { return fmt.Sprint(s.Incr(k)) },
		"INCRBYFLOAT":  func(s *store.Store, k string) string { return fmt.Sprint(s.IncrByFloat(k, 1.5)) },
		"APPEND":       func(s *store.Store, k string) string { return fmt.Sprint(s.Append(k, "x")) },
		"SETRANGE":     func(s *store.Store, k string) string { return fmt.Sprint(s.SetRange(k, 1, "x")) },
		"HSET":         func(s *store.Store, k string) string { return fmt.Sprint(s.HSet(k, "a", "1")) },
		"HSETNX":       func(s *store.Store, k string) string { return fmt.Sprint(s.HSetNX(k, "f", "1")) },
		"HDEL":         func(s *store.Store, k string) string { return fmt.Sprint(s.HDel(k, "f")) },
		"HINCRBY":      func(s *store.Store, k string) string { return fmt.Sprint(s.HIncrBy(k, "f", 2)) },
		"HINCRBYFLOAT": func(s *store.Store, k string) string { return fmt.Sprint(s.HIncrByFloat(k, "f", 2)) },
		"MSETNX":       func(s *store.Store, k string) string { return fmt.Sprint(s.MSetNX(k, "1")) },
		"DEL":          func(s *store.Store, k string) string { return fmt.Sprint(s.Del(k)) },
		"EXPIRE":       func(s *store.Store, k string) string { return fmt.Sprint(s.Expire(k, 100)) },
		"EXPIRE LT":    func(s *store.Store, k string) string { return fmt.Sprint(s.Expire(k, 100, store.LT)) },
		"PERSIST":      func(s *store.Store, k string) string { return fmt.Sprint(s.Persist(k)) },
		"RENAME":       func(s *store.Store, k string) string { return fmt.Sprint(s.Rename(k, k+":to")) },
		"RENAMENX to":  func(s *store.Store, k string) string { return fmt.Sprint(s.RenameNX("live", k)) },
		"COPY":         func(s *store.Store, k string) string { return fmt.Sprint(s.Copy(k, k+":to", false)) },
		"COPY to":      func(s *store.Store, k string) string { return fmt.Sprint(s.Copy("live", k, false)) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, s *store.Store) {
				for i := range 20 {
					k := "k" + strconv.Itoa(i)
					mustSet(t, s, "live", "v")
					// Expected: what the command does on a key that never was.
					want := call(s, "never"+strconv.Itoa(i))
					if i%2 == 0 {
						// A string past its deadline, likely not swept yet.
						_, _, err := s.SetArgs(k, "v", store.SetArgs{PXAT: 1})
						require.NoError(t, err)
					} else {
						mustHSet(t, s, k, "f", "v")
						_, err := s.PExpire(k, 1)
						require.NoError(t, err)
						time.Sleep(time.Millisecond)
					}
					mustSet(t, s, "live", "v")
					assert.Equal(t, want, call(s, k), "%s on an expired %s", name, []string{"string", "hash"}[i%2])
				}
			})
		})
	}

	t.Run("KEYS SCAN RANDOMKEY", func(t *testing.T) {
		inBubble(t, func(t *testing.T, s *store.Store) {
			mustSet(t, s, "live", "v")
			for i := range 100 {
				_, _, err := s.SetArgs("gone"+strconv.Itoa(i), "v", store.SetArgs{PXAT: 1})
				require.NoError(t, err)
			}
			keys, err := s.Keys("*")
			require.NoError(t, err)
			assert.Equal(t, []string{"live"}, keys)
			got, _ := scanAll(t, s, "", 7, "")
			assert.Equal(t, []string{"live"}, got)
			k, ok, err := s.RandomKey()
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, "live", k)
		})
	})
}
