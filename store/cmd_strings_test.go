package store_test

// Table tests of the string commands against Redis 7's documented behaviour
// (https://redis.io/docs/latest/commands/?group=string) and Redis's own
// tests/unit/type/incr.tcl and string.tcl.

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

// newStore returns an empty Store that is closed when the test ends. Inside a
// synctest bubble, call it in the bubble: the store then runs on the
// bubble's clock.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.New(nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

// inBubble runs f in a synctest bubble with a fresh Store: time.Sleep moves
// the store's clock forward at once.
func inBubble(t *testing.T, f func(t *testing.T, s *store.Store)) {
	t.Helper()
	synctest.Test(t, func(t *testing.T) { f(t, newStore(t)) })
}

// nowMs is the current time in unix ms (the bubble's, inside one).
func nowMs() int64 { return time.Now().UnixMilli() }

func mustSet(t *testing.T, s *store.Store, kv ...string) {
	t.Helper()
	require.NoError(t, s.MSet(kv...))
}

func mustHSet(t *testing.T, s *store.Store, key string, pairs ...string) {
	t.Helper()
	_, err := s.HSet(key, pairs...)
	require.NoError(t, err)
}

// getOr returns the value of key, or "(nil)" when it is missing.
func getOr(t *testing.T, s *store.Store, key string) string {
	t.Helper()
	v, ok, err := s.Get(key)
	require.NoError(t, err)
	if !ok {
		return "(nil)"
	}
	return v
}

func ttlOf(t *testing.T, s *store.Store, key string) int64 {
	t.Helper()
	n, err := s.TTL(key)
	require.NoError(t, err)
	return n
}

func pttlOf(t *testing.T, s *store.Store, key string) int64 {
	t.Helper()
	n, err := s.PTTL(key)
	require.NoError(t, err)
	return n
}

func TestStore_Get(t *testing.T) {
	s := newStore(t)

	v, ok, err := s.Get("missing")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Empty(t, v)

	mustSet(t, s, "empty", "", "k", "hello")
	v, ok, err = s.Get("empty")
	require.NoError(t, err)
	assert.True(t, ok, "an empty string is a value, not a miss")
	assert.Empty(t, v)
	assert.Equal(t, "hello", getOr(t, s, "k"))

	mustHSet(t, s, "h", "f", "v")
	_, ok, err = s.Get("h")
	require.ErrorIs(t, err, store.ErrWrongType)
	assert.Equal(t, "WRONGTYPE Operation against a key holding the wrong kind of value", err.Error())
	assert.False(t, ok)
}

func TestStore_Set(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.Set("k", "v1"))
	require.NoError(t, s.Set("k", "v2"))
	assert.Equal(t, "v2", getOr(t, s, "k"))

	// SET replaces a value of any type.
	mustHSet(t, s, "h", "f", "v")
	require.NoError(t, s.Set("h", "now a string"))
	typ, err := s.Type("h")
	require.NoError(t, err)
	assert.Equal(t, "string", typ)
	assert.Equal(t, "now a string", getOr(t, s, "h"))
}

func TestStore_SetArgs(t *testing.T) {
	const hashKey = "h"
	type want = setWant
	syntax := want{err: store.ErrSyntax, text: "ERR syntax error"}
	invalid := want{err: store.ErrInvalidExpire, text: "ERR invalid expire time in 'set' command"}
	tests := []struct {
		name   string
		exists bool // k holds "old" before the call
		args   store.SetArgs
		want   want
	}{
		{"plain on missing", false, store.SetArgs{}, want{ok: true, get: "new"}},
		{"plain on existing", true, store.SetArgs{}, want{ok: true, get: "new"}},
		{"NX on missing", false, store.SetArgs{NX: true}, want{ok: true, get: "new"}},
		{"NX on existing", true, store.SetArgs{NX: true}, want{get: "old"}},
		{"XX on missing", false, store.SetArgs{XX: true}, want{get: "(nil)"}},
		{"XX on existing", true, store.SetArgs{XX: true}, want{ok: true, get: "new"}},
		{"GET on missing", false, store.SetArgs{Get: true}, want{get: "new"}},
		{"GET on existing", true, store.SetArgs{Get: true}, want{prev: "old", ok: true, get: "new"}},
		{"NX GET on missing", false, store.SetArgs{NX: true, Get: true}, want{get: "new"}},
		{"NX GET on existing", true, store.SetArgs{NX: true, Get: true}, want{prev: "old", ok: true, get: "old"}},
		{"XX GET on missing", false, store.SetArgs{XX: true, Get: true}, want{get: "(nil)"}},
		{"XX GET on existing", true, store.SetArgs{XX: true, Get: true}, want{prev: "old", ok: true, get: "new"}},
		{"NX XX", false, store.SetArgs{NX: true, XX: true}, withGet(syntax, "(nil)")},
		{"NX XX on existing", true, store.SetArgs{NX: true, XX: true}, withGet(syntax, "old")},
		{"EX PX", true, store.SetArgs{EX: 10, PX: 10}, withGet(syntax, "old")},
		{"EX EXAT", true, store.SetArgs{EX: 10, EXAT: 10}, withGet(syntax, "old")},
		{"PX PXAT", true, store.SetArgs{PX: 10, PXAT: 10}, withGet(syntax, "old")},
		{"EXAT PXAT", true, store.SetArgs{EXAT: 10, PXAT: 10}, withGet(syntax, "old")},
		{"KEEPTTL EX", true, store.SetArgs{KeepTTL: true, EX: 10}, withGet(syntax, "old")},
		{"KEEPTTL PXAT", true, store.SetArgs{KeepTTL: true, PXAT: 10}, withGet(syntax, "old")},
		{"two expiries, one invalid", true, store.SetArgs{EX: -1, PX: 10}, withGet(syntax, "old")},
		{"KEEPTTL with an invalid expiry", true, store.SetArgs{KeepTTL: true, EX: -1}, withGet(syntax, "old")},
		{"EX negative", true, store.SetArgs{EX: -1}, withGet(invalid, "old")},
		{"PX negative", true, store.SetArgs{PX: -1}, withGet(invalid, "old")},
		{"EXAT negative", true, store.SetArgs{EXAT: -1}, withGet(invalid, "old")},
		{"PXAT negative", false, store.SetArgs{PXAT: -1}, withGet(invalid, "(nil)")},
		{"EX overflows ms", true, store.SetArgs{EX: math.MaxInt64}, withGet(invalid, "old")},
		{"EX overflows with now", true, store.SetArgs{EX: math.MaxInt64 / 1000}, withGet(invalid, "old")},
		{"PX overflows with now", true, store.SetArgs{PX: math.MaxInt64}, withGet(invalid, "old")},
		{"EXAT overflows ms", true, store.SetArgs{EXAT: math.MaxInt64/1000 + 1}, withGet(invalid, "old")},
		{"invalid expiry before NX", true, store.SetArgs{NX: true, EX: -5}, withGet(invalid, "old")},
		{"PXAT max is valid", true, store.SetArgs{PXAT: math.MaxInt64}, want{ok: true, get: "new"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if tc.exists {
				require.NoError(t, s.Set("k", "old"))
			}
			prev, ok, err := s.SetArgs("k", "new", tc.args)
			if tc.want.err != nil {
				require.ErrorIs(t, err, tc.want.err)
				assert.Equal(t, tc.want.text, err.Error())
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.want.prev, prev, "prev")
			assert.Equal(t, tc.want.ok, ok, "ok")
			assert.Equal(t, tc.want.get, getOr(t, s, "k"), "GET afterwards")
		})
	}

	t.Run("GET on a hash", func(t *testing.T) {
		s := newStore(t)
		mustHSet(t, s, hashKey, "f", "v")
		for _, a := range []store.SetArgs{{Get: true}, {Get: true, NX: true}, {Get: true, XX: true}} {
			_, _, err := s.SetArgs(hashKey, "x", a)
			require.ErrorIs(t, err, store.ErrWrongType, "%+v", a)
			typ, _ := s.Type(hashKey)
			assert.Equal(t, "hash", typ, "%+v: the hash is untouched", a)
		}
		// Without GET, NX sees an existing key and XX replaces the hash.
		_, ok, err := s.SetArgs(hashKey, "x", store.SetArgs{NX: true})
		require.NoError(t, err)
		assert.False(t, ok)
		_, ok, err = s.SetArgs(hashKey, "x", store.SetArgs{XX: true})
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "x", getOr(t, s, hashKey))
	})

	t.Run("EX 0 in Redis form", func(t *testing.T) {
		// The Go API spells "no expiry" as 0; Redis's own SET k v EX 0
		// reaches the store through Apply.
		s := newStore(t)
		for _, opt := range []string{"EX", "PX", "EXAT", "PXAT"} {
			err := s.Apply("SET", "k", "v", opt, "0")
			require.ErrorIs(t, err, store.ErrInvalidExpire, opt)
			assert.Equal(t, "ERR invalid expire time in 'set' command", err.Error(), opt)
		}
		assert.Equal(t, "(nil)", getOr(t, s, "k"))
	})
}

// setWant is what a SetArgs case expects.
type setWant struct {
	prev string
	ok   bool
	err  error
	text string // the error's exact text, when err is set
	get  string // GET k afterwards; "(nil)" for missing
}

func withGet(w setWant, get string) setWant {
	w.get = get
	return w
}

// TestStore_SetOverTTL overwrites strings that have a deadline, the way a
// cache refreshes its keys: the new deadline (or none) replaces the old one,
// which then neither expires the key early nor counts as a second deadline.
func TestStore_SetOverTTL(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		_, _, err := s.SetArgs("k", "v1", store.SetArgs{PX: 1000})
		require.NoError(t, err)
		_, _, err = s.SetArgs("k", "v2", store.SetArgs{PX: 5000})
		require.NoError(t, err)
		assert.Equal(t, int64(5000), pttlOf(t, s, "k"))
		assert.Equal(t, int64(1), s.Stats().Expires)

		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, "v2", getOr(t, s, "k"), "the old deadline passed; the key lives on")
		assert.Equal(t, int64(3500), pttlOf(t, s, "k"))

		_, _, err = s.SetArgs("k", "v3", store.SetArgs{EX: 1}) // shorter than before
		require.NoError(t, err)
		time.Sleep(1000 * time.Millisecond)
		synctest.Wait()
		assert.Equal(t, "(nil)", getOr(t, s, "k"), "gone at the new, earlier deadline")
		st := s.Stats()
		assert.Equal(t, int64(0), st.Keys)
		assert.Equal(t, int64(0), st.Expires)
		assert.Equal(t, uint64(1), st.Expired)

		_, _, err = s.SetArgs("p", "v1", store.SetArgs{EX: 10})
		require.NoError(t, err)
		require.NoError(t, s.Set("p", "v2"))
		assert.Equal(t, int64(-1), ttlOf(t, s, "p"), "a plain SET clears the TTL")
		assert.Equal(t, int64(0), s.Stats().Expires)
		time.Sleep(11 * time.Second)
		synctest.Wait()
		assert.Equal(t, "v2", getOr(t, s, "p"))

		// A hash with a TTL overwritten by SET PX becomes a string with the
		// new deadline.
		_, err = s.HSet("h", "f", "v")
		require.NoError(t, err)
		_, err = s.Expire("h", 100)
		require.NoError(t, err)
		_, _, err = s.SetArgs("h", "s", store.SetArgs{PX: 2000})
		require.NoError(t, err)
		typ, err := s.Type("h")
		require.NoError(t, err)
		assert.Equal(t, "string", typ)
		assert.Equal(t, int64(2000), pttlOf(t, s, "h"))
	})
}

func TestStore_SetArgs_TTL(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		now := nowMs()

		_, ok, err := s.SetArgs("ex", "v", store.SetArgs{EX: 10})
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, int64(10), ttlOf(t, s, "ex"))
		assert.Equal(t, int64(10_000), pttlOf(t, s, "ex"))

		_, _, err = s.SetArgs("px", "v", store.SetArgs{PX: 1500})
		require.NoError(t, err)
		assert.Equal(t, int64(1500), pttlOf(t, s, "px"))
		assert.Equal(t, int64(2), ttlOf(t, s, "px"), "TTL rounds to the nearest second")

		_, _, err = s.SetArgs("exat", "v", store.SetArgs{EXAT: now/1000 + 100})
		require.NoError(t, err)
		et, err := s.ExpireTime("exat")
		require.NoError(t, err)
		assert.Equal(t, now/1000+100, et)

		_, _, err = s.SetArgs("pxat", "v", store.SetArgs{PXAT: now + 1234})
		require.NoError(t, err)
		pet, err := s.PExpireTime("pxat")
		require.NoError(t, err)
		assert.Equal(t, now+1234, pet)

		// A deadline in the past sets a key that is already gone.
		_, ok, err = s.SetArgs("past", "v", store.SetArgs{EXAT: 1})
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "(nil)", getOr(t, s, "past"))
		assert.Equal(t, int64(-2), ttlOf(t, s, "past"))

		// SET without an expiry clears the TTL; KEEPTTL keeps it.
		_, _, err = s.SetArgs("ex", "v2", store.SetArgs{KeepTTL: true})
		require.NoError(t, err)
		assert.Equal(t, int64(10_000), pttlOf(t, s, "ex"))
		assert.Equal(t, "v2", getOr(t, s, "ex"))
		_, _, err = s.SetArgs("ex", "v3", store.SetArgs{XX: true, Get: true})
		require.NoError(t, err)
		assert.Equal(t, int64(-1), ttlOf(t, s, "ex"))
		require.NoError(t, s.Set("px", "plain"))
		assert.Equal(t, int64(-1), ttlOf(t, s, "px"))

		// KEEPTTL on a key without a TTL, or a new key, gives none.
		_, _, err = s.SetArgs("ex", "v4", store.SetArgs{KeepTTL: true})
		require.NoError(t, err)
		assert.Equal(t, int64(-1), ttlOf(t, s, "ex"))
		_, _, err = s.SetArgs("fresh", "v", store.SetArgs{KeepTTL: true})
		require.NoError(t, err)
		assert.Equal(t, int64(-1), ttlOf(t, s, "fresh"))

		// An NX that does not write leaves the TTL alone.
		_, ok, err = s.SetArgs("exat", "other", store.SetArgs{NX: true, EX: 5})
		require.NoError(t, err)
		assert.False(t, ok)
		assert.Equal(t, int64(100), ttlOf(t, s, "exat"))

		// GET with an expiry returns the old value and sets the new TTL.
		prev, ok, err := s.SetArgs("exat", "new", store.SetArgs{Get: true, PX: 500})
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "v", prev)
		assert.Equal(t, int64(500), pttlOf(t, s, "exat"))

		// The key disappears at its deadline, by itself.
		time.Sleep(500 * time.Millisecond)
		assert.Equal(t, "(nil)", getOr(t, s, "exat"))
		time.Sleep(10 * time.Second)
		assert.Equal(t, "(nil)", getOr(t, s, "pxat"))
		synctest.Wait()
		n, err := s.DBSize()
		require.NoError(t, err)
		assert.Equal(t, int64(3), n, "only the keys without a TTL are left: ex, px, fresh")
	})
}

func TestStore_SetNX(t *testing.T) {
	s := newStore(t)
	ok, err := s.SetNX("k", "a")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.SetNX("k", "b")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, "a", getOr(t, s, "k"))

	mustHSet(t, s, "h", "f", "v")
	ok, err = s.SetNX("h", "b")
	require.NoError(t, err, "SETNX only checks existence")
	assert.False(t, ok)
}

func TestStore_GetDel(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		_, ok, err := s.GetDel("missing")
		require.NoError(t, err)
		assert.False(t, ok)

		_, _, err = s.SetArgs("k", "v", store.SetArgs{EX: 100})
		require.NoError(t, err)
		v, ok, err := s.GetDel("k")
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "v", v)
		assert.Equal(t, int64(-2), ttlOf(t, s, "k"))

		mustHSet(t, s, "h", "f", "v")
		_, _, err = s.GetDel("h")
		require.ErrorIs(t, err, store.ErrWrongType)
		n, _ := s.Exists("h")
		assert.Equal(t, int64(1), n, "a hash is not deleted")
	})
}

func TestStore_GetEx(t *testing.T) {
	invalidText := "ERR invalid expire time in 'getex' command"
	inBubble(t, func(t *testing.T, s *store.Store) {
		now := nowMs()
		mustSet(t, s, "k", "v")
		mustHSet(t, s, "h", "f", "v")

		_, ok, err := s.GetEx("missing", store.GetExArgs{EX: 10})
		require.NoError(t, err)
		assert.False(t, ok)
		_, _, err = s.GetEx("h", store.GetExArgs{})
		require.ErrorIs(t, err, store.ErrWrongType)

		// No option: a GET.
		v, ok, err := s.GetEx("k", store.GetExArgs{})
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "v", v)
		assert.Equal(t, int64(-1), ttlOf(t, s, "k"))

		for _, tc := range []struct {
			args store.GetExArgs
			pttl int64
		}{
			{store.GetExArgs{EX: 100}, 100_000},
			{store.GetExArgs{PX: 1234}, 1234},
			{store.GetExArgs{EXAT: now/1000 + 50}, 50_000},
			{store.GetExArgs{PXAT: now + 777}, 777},
			{store.GetExArgs{Persist: true}, -1},
			{store.GetExArgs{Persist: true}, -1},
		} {
			v, ok, err := s.GetEx("k", tc.args)
			require.NoError(t, err, "%+v", tc.args)
			assert.True(t, ok)
			assert.Equal(t, "v", v)
			assert.Equal(t, tc.pttl, pttlOf(t, s, "k"), "%+v", tc.args)
		}

		// Options that cannot be combined.
		for _, a := range []store.GetExArgs{
			{EX: 1, PX: 1}, {EXAT: 1, PXAT: 1}, {EX: 1, Persist: true}, {PXAT: 1, Persist: true}, {EX: -1, PX: 1},
		} {
			_, _, err := s.GetEx("k", a)
			require.ErrorIs(t, err, store.ErrSyntax, "%+v", a)
		}

		// An invalid time is checked once the key is found, as Redis does.
		for _, a := range []store.GetExArgs{{EX: -1}, {PX: -1}, {EXAT: -1}, {PXAT: -1}, {EX: math.MaxInt64}, {PX: math.MaxInt64}} {
			_, _, err := s.GetEx("k", a)
			require.ErrorIs(t, err, store.ErrInvalidExpire, "%+v", a)
			assert.Equal(t, invalidText, err.Error())
			_, ok, err := s.GetEx("missing", a)
			require.NoError(t, err, "%+v on a missing key answers nil", a)
			assert.False(t, ok)
			_, _, err = s.GetEx("h", a)
			require.ErrorIs(t, err, store.ErrWrongType, "%+v on a hash", a)
		}
		assert.Equal(t, "v", getOr(t, s, "k"))

		// A deadline in the past returns the value and deletes the key.
		v, ok, err = s.GetEx("k", store.GetExArgs{EXAT: 1})
		require.NoError(t, err)
		assert.True(t, ok)
		assert.Equal(t, "v", v)
		assert.Equal(t, "(nil)", getOr(t, s, "k"))

		// The new TTL takes effect.
		mustSet(t, s, "k", "v")
		_, _, err = s.GetEx("k", store.GetExArgs{PX: 100})
		require.NoError(t, err)
		time.Sleep(100 * time.Millisecond)
		assert.Equal(t, "(nil)", getOr(t, s, "k"))
	})
}

func TestStore_MGet(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "a", "1", "empty", "")
	mustHSet(t, s, "h", "f", "v")
	vals, err := s.MGet("a", "missing", "h", "empty", "a")
	require.NoError(t, err, "MGET never fails on a wrong type")
	assert.Equal(t, []store.Value{{Val: "1", OK: true}, {}, {}, {Val: "", OK: true}, {Val: "1", OK: true}}, vals)
}

func TestStore_MSet(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		_, _, err := s.SetArgs("a", "old", store.SetArgs{EX: 100})
		require.NoError(t, err)
		mustHSet(t, s, "h", "f", "v")

		require.NoError(t, s.MSet("a", "1", "b", "2", "h", "3", "b", "4"))
		assert.Equal(t, "1", getOr(t, s, "a"))
		assert.Equal(t, "4", getOr(t, s, "b"), "the last of a repeated key wins")
		assert.Equal(t, "3", getOr(t, s, "h"), "MSET replaces a hash")
		assert.Equal(t, int64(-1), ttlOf(t, s, "a"), "MSET clears the TTL")

		for _, pairs := range [][]string{nil, {"a"}, {"a", "1", "b"}} {
			err := s.MSet(pairs...)
			require.ErrorIs(t, err, store.ErrArity, "%q", pairs)
			assert.Equal(t, "ERR wrong number of arguments for 'mset' command", err.Error())
		}
		assert.Equal(t, "1", getOr(t, s, "a"))
	})
}

func TestStore_MSetNX(t *testing.T) {
	s := newStore(t)
	ok, err := s.MSetNX("a", "1", "b", "2")
	require.NoError(t, err)
	assert.True(t, ok)

	// One existing key (of any type) stops them all.
	ok, err = s.MSetNX("c", "3", "b", "x", "d", "4")
	require.NoError(t, err)
	assert.False(t, ok)
	n, _ := s.Exists("c", "d")
	assert.Zero(t, n, "all or nothing")
	assert.Equal(t, "2", getOr(t, s, "b"))

	mustHSet(t, s, "h", "f", "v")
	ok, err = s.MSetNX("c", "3", "h", "x")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, "(nil)", getOr(t, s, "c"))

	// A key named twice, new: both writes happen, the last wins.
	ok, err = s.MSetNX("x", "1", "x", "2")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "2", getOr(t, s, "x"))

	for _, pairs := range [][]string{nil, {"a"}, {"a", "1", "b"}} {
		_, err := s.MSetNX(pairs...)
		require.ErrorIs(t, err, store.ErrArity, "%q", pairs)
		assert.Equal(t, "ERR wrong number of arguments for 'msetnx' command", err.Error())
	}
}

func TestStore_IncrBy(t *testing.T) {
	const (
		maxI = "9223372036854775807"
		minI = "-9223372036854775808"
	)
	type op func(s *store.Store) (int64, error)
	incr := func(s *store.Store) (int64, error) { return s.Incr("k") }
	decr := func(s *store.Store) (int64, error) { return s.Decr("k") }
	incrBy := func(n int64) op { return func(s *store.Store) (int64, error) { return s.IncrBy("k", n) } }
	decrBy := func(n int64) op { return func(s *store.Store) (int64, error) { return s.DecrBy("k", n) } }
	tests := []struct {
		name    string
		initial string // "" with missing true for no key
		missing bool
		op      op
		want    int64
		err     error
		text    string
	}{
		{"INCR missing", "", true, incr, 1, nil, ""},
		{"DECR missing", "", true, decr, -1, nil, ""},
		{"INCRBY missing", "", true, incrBy(5), 5, nil, ""},
		{"DECRBY missing", "", true, decrBy(5), -5, nil, ""},
		{"INCR", "10", false, incr, 11, nil, ""},
		{"INCR -1", "-1", false, incr, 0, nil, ""},
		{"INCRBY negative", "10", false, incrBy(-3), 7, nil, ""},
		{"INCRBY 0", "10", false, incrBy(0), 10, nil, ""},
		{"DECRBY negative", "10", false, decrBy(-3), 13, nil, ""},
		{"INCRBY to max", "0", false, incrBy(math.MaxInt64), math.MaxInt64, nil, ""},
		{"DECRBY -max", "0", false, decrBy(-math.MaxInt64), math.MaxInt64, nil, ""},
		{"INCRBY to min", "-1", false, incrBy(-math.MaxInt64), math.MinInt64, nil, ""},
		{"INCR max", maxI, false, incr, 0, store.ErrOverflow, "ERR increment or decrement would overflow"},
		{"INCRBY max+max", maxI, false, incrBy(math.MaxInt64), 0, store.ErrOverflow, "ERR increment or decrement would overflow"},
		{"DECR min", minI, false, decr, 0, store.ErrOverflow, "ERR increment or decrement would overflow"},
		{"INCRBY min-1", minI, false, incrBy(-1), 0, store.ErrOverflow, "ERR increment or decrement would overflow"},
		{"DECRBY min int", "0", false, decrBy(math.MinInt64), 0, store.ErrOverflow, "ERR decrement would overflow"},
		{"DECRBY min int, missing", "", true, decrBy(math.MinInt64), 0, store.ErrOverflow, "ERR decrement would overflow"},
		{"max parses", maxI, false, decr, math.MaxInt64 - 1, nil, ""},
		{"min parses", minI, false, incr, math.MinInt64 + 1, nil, ""},
	}
	// Redis's string2ll is strict: none of these is an integer.
	for _, bad := range []string{
		"01", "+1", " 1", "1 ", "", "-", "-0", "abc", "1.5", "1e3", "0x1", "1\x00", "9223372036854775808",
		"-9223372036854775809", "18446744073709551616", "123456789012345678901",
	} {
		tests = append(tests, struct {
			name    string
			initial string
			missing bool
			op      op
			want    int64
			err     error
			text    string
		}{"not an integer " + bad, bad, false, incr, 0, store.ErrNotInteger, "ERR value is not an integer or out of range"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if !tc.missing {
				mustSet(t, s, "k", tc.initial)
			}
			n, err := tc.op(s)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Equal(t, tc.text, err.Error())
				want := tc.initial
				if tc.missing {
					want = "(nil)"
				}
				assert.Equal(t, want, getOr(t, s, "k"), "a failed increment changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, n)
			v, ok, err := s.Get("k")
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, tc.want, mustParseInt(t, v), "the value is stored as a decimal string")
		})
	}
}

func mustParseInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err)
	return n
}

func TestStore_IncrByFloat(t *testing.T) {
	tests := []struct {
		initial string // "(nil)" for a missing key
		incr    float64
		want    string
		err     error
		text    string
	}{
		{"10.50", 0.1, "10.6", nil, ""},
		{"5.0e3", 2.0e2, "5200", nil, ""},
		{"(nil)", 10.5, "10.5", nil, ""},
		{"(nil)", math.Copysign(0, -1), "0", nil, ""},
		{"3", 1.5, "4.5", nil, ""},
		{"1", -1, "0", nil, ""},
		{"7.0", 0, "7", nil, ""},
		{"-5", 2.25, "-2.75", nil, ""},
		{".5", 1, "1.5", nil, ""},
		{"5.", 1, "6", nil, ""},
		{"+5", 1, "6", nil, ""},
		{"0x10", 1, "17", nil, ""},
		{"1e-3", 0, "0.001", nil, ""},
		// Beyond float64: long double arithmetic, printed exactly (redis-server's answer).
		{"1e308", 1e308, "199999999999999999993371759311691291321120199694831134415594095989843469737676123744200253843777078640893494450108026446304269499187921167194841628860392837535918200039206381557326219209014213335878306791577877829121087126122536729803237260434173178506889763247582601711514636284849020905456510092687857156096", nil, ""},
		{"abc", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{" 1", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"1 ", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"1\x002", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"1_000", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"0b11", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"0o17", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"nan", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"1e5000", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"1e-5000", 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{strings.Repeat("1", 5120), 1, "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"inf", 1, "", store.ErrNaN, "ERR increment would produce NaN or Infinity"},
		{"-Infinity", 1, "", store.ErrNaN, "ERR increment would produce NaN or Infinity"},
		{"1", math.Inf(1), "", store.ErrNaN, "ERR increment would produce NaN or Infinity"},
		{"(nil)", math.Inf(-1), "", store.ErrNaN, "ERR increment would produce NaN or Infinity"},
		{"1", math.NaN(), "", store.ErrNotFloat, "ERR value is not a valid float"},
		{"abc", math.Inf(1), "", store.ErrNotFloat, "ERR value is not a valid float"},
	}
	for _, tc := range tests {
		name := tc.initial
		if len(name) > 20 {
			name = name[:20]
		}
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			if tc.initial != "(nil)" {
				mustSet(t, s, "k", tc.initial)
			}
			got, err := s.IncrByFloat("k", tc.incr)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Equal(t, tc.text, err.Error())
				assert.Equal(t, tc.initial, getOr(t, s, "k"))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want, getOr(t, s, "k"))
		})
	}

	t.Run("sums", func(t *testing.T) {
		s := newStore(t)
		for _, step := range []struct {
			incr float64
			want string
		}{{0.1, "0.1"}, {0.2, "0.3"}, {-0.3, "0"}, {1.0 / 41, "0.02439024390243902"}, {-1.0 / 41, "0"}, {3.0e2, "300"}} {
			got, err := s.IncrByFloat("f", step.incr)
			require.NoError(t, err)
			assert.Equal(t, step.want, got, "+%v", step.incr)
		}
	})
}

func TestStore_Append(t *testing.T) {
	s := newStore(t)
	n, err := s.Append("k", "Hello")
	require.NoError(t, err)
	assert.Equal(t, int64(5), n)
	n, err = s.Append("k", " World")
	require.NoError(t, err)
	assert.Equal(t, int64(11), n)
	assert.Equal(t, "Hello World", getOr(t, s, "k"))

	n, err = s.Append("e", "")
	require.NoError(t, err)
	assert.Zero(t, n)
	c, _ := s.Exists("e")
	assert.Equal(t, int64(1), c, "APPEND of nothing still creates the key")

	mustSet(t, s, "n", "10")
	_, err = s.Append("n", "1")
	require.NoError(t, err)
	i, err := s.Incr("n")
	require.NoError(t, err)
	assert.Equal(t, int64(102), i)
}

func TestStore_StrLen(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "k", "Hello world", "e", "", "n", "-12345")
	for key, want := range map[string]int64{"k": 11, "e": 0, "n": 6, "missing": 0} {
		n, err := s.StrLen(key)
		require.NoError(t, err)
		assert.Equal(t, want, n, key)
	}
}

func TestStore_GetRange(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "k", "This is a string", "e", "")
	tests := []struct {
		start, end int64
		want       string
	}{
		{0, 3, "This"},
		{-3, -1, "ing"},
		{0, -1, "This is a string"},
		{10, 100, "string"},
		{-1, -5, ""},
		{5, 3, ""},
		{3, 3, "s"},
		{-100, -50, "T"},
		{-100, 100, "This is a string"},
		{16, 20, ""},
		{15, 15, "g"},
		{-1, -1, "g"},
		{0, -100, "T"},
		{math.MinInt64, math.MaxInt64, "This is a string"},
		{math.MaxInt64, math.MaxInt64, ""},
		{math.MinInt64, math.MinInt64, "T"},
	}
	for _, tc := range tests {
		got, err := s.GetRange("k", tc.start, tc.end)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "GETRANGE %d %d", tc.start, tc.end)
	}
	for _, key := range []string{"e", "missing"} {
		got, err := s.GetRange(key, 0, -1)
		require.NoError(t, err)
		assert.Empty(t, got, key)
	}
}

func TestStore_SetRange(t *testing.T) {
	tests := []struct {
		name    string
		initial string // "(nil)" for missing
		offset  int64
		val     string
		n       int64
		want    string // "(nil)" for missing afterwards
		err     error
		text    string
	}{
		{"overwrite", "Hello World", 6, "Redis", 11, "Hello Redis", nil, ""},
		{"missing key pads", "(nil)", 6, "Redis", 11, "\x00\x00\x00\x00\x00\x00Redis", nil, ""},
		{"past the end pads", "abc", 5, "x", 6, "abc\x00\x00x", nil, ""},
		{"extends", "abc", 2, "xyz", 5, "abxyz", nil, ""},
		{"at 0", "abc", 0, "z", 3, "zbc", nil, ""},
		{"empty value, missing key", "(nil)", 5, "", 0, "(nil)", nil, ""},
		{"empty value, existing key", "abc", 10, "", 3, "abc", nil, ""},
		{"empty value, huge offset", "abc", 1 << 40, "", 3, "abc", nil, ""},
		{"negative offset", "abc", -1, "x", 0, "abc", store.ErrOffsetRange, "ERR offset is out of range"},
		{"negative offset, missing key", "(nil)", -1, "x", 0, "(nil)", store.ErrOffsetRange, "ERR offset is out of range"},
		{"too large", "abc", 512 << 20, "x", 0, "abc", store.ErrTooLarge, "ERR string exceeds maximum allowed size (proto-max-bulk-len)"},
		{"too large, missing key", "(nil)", 512<<20 - 1, "xy", 0, "(nil)", store.ErrTooLarge, "ERR string exceeds maximum allowed size (proto-max-bulk-len)"},
		{"offset overflows", "abc", math.MaxInt64, "x", 0, "abc", store.ErrTooLarge, "ERR string exceeds maximum allowed size (proto-max-bulk-len)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if tc.initial != "(nil)" {
				mustSet(t, s, "k", tc.initial)
			}
			n, err := s.SetRange("k", tc.offset, tc.val)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Equal(t, tc.text, err.Error())
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.n, n)
			}
			assert.Equal(t, tc.want, getOr(t, s, "k"))
		})
	}

	t.Run("offset is checked before the type", func(t *testing.T) {
		s := newStore(t)
		mustHSet(t, s, "h", "f", "v")
		_, err := s.SetRange("h", -1, "x")
		require.ErrorIs(t, err, store.ErrOffsetRange)
		_, err = s.SetRange("h", 0, "x")
		require.ErrorIs(t, err, store.ErrWrongType)
		_, err = s.SetRange("h", 0, "")
		require.ErrorIs(t, err, store.ErrWrongType)
	})
}

// TestStore_TTLKeeping checks which writes keep a key's TTL: SET (and MSET)
// clear it; INCR and friends, APPEND, SETRANGE, SET KEEPTTL and the hash
// writes keep it; RENAME carries it and COPY copies it.
func TestStore_TTLKeeping(t *testing.T) {
	const ttl = 100_000
	tests := []struct {
		name  string
		hash  bool // the key holds a hash rather than the string "5"
		write func(s *store.Store) error
		key   string // whose TTL is checked afterwards ("k" if empty)
		want  int64  // its PTTL afterwards
	}{
		{"SET clears", false, func(s *store.Store) error { return s.Set("k", "1") }, "", -1},
		{"SET GET clears", false, func(s *store.Store) error {
			_, _, err := s.SetArgs("k", "1", store.SetArgs{Get: true})
			return err
		}, "", -1},
		{"SET XX clears", false, func(s *store.Store) error {
			_, _, err := s.SetArgs("k", "1", store.SetArgs{XX: true})
			return err
		}, "", -1},
		{"SET KEEPTTL keeps", false, func(s *store.Store) error {
			_, _, err := s.SetArgs("k", "1", store.SetArgs{KeepTTL: true})
			return err
		}, "", ttl},
		{"SET NX (not written) keeps", false, func(s *store.Store) error {
			_, _, err := s.SetArgs("k", "1", store.SetArgs{NX: true})
			return err
		}, "", ttl},
		{"SET over a hash clears", true, func(s *store.Store) error { return s.Set("k", "1") }, "", -1},
		{"MSET clears", false, func(s *store.Store) error { return s.MSet("k", "1") }, "", -1},
		{"INCR keeps", false, func(s *store.Store) error { _, err := s.Incr("k"); return err }, "", ttl},
		{"DECRBY keeps", false, func(s *store.Store) error { _, err := s.DecrBy("k", 3); return err }, "", ttl},
		{"INCRBYFLOAT keeps", false, func(s *store.Store) error { _, err := s.IncrByFloat("k", 0.5); return err }, "", ttl},
		{"APPEND keeps", false, func(s *store.Store) error { _, err := s.Append("k", "x"); return err }, "", ttl},
		{"SETRANGE keeps", false, func(s *store.Store) error { _, err := s.SetRange("k", 3, "x"); return err }, "", ttl},
		{"GETEX without options keeps", false, func(s *store.Store) error {
			_, _, err := s.GetEx("k", store.GetExArgs{})
			return err
		}, "", ttl},
		{"HSET keeps", true, func(s *store.Store) error { _, err := s.HSet("k", "g", "1"); return err }, "", ttl},
		{"HSETNX keeps", true, func(s *store.Store) error { _, err := s.HSetNX("k", "g", "1"); return err }, "", ttl},
		{"HDEL of one field keeps", true, func(s *store.Store) error { _, err := s.HDel("k", "f"); return err }, "", ttl},
		{"HINCRBY keeps", true, func(s *store.Store) error { _, err := s.HIncrBy("k", "n", 1); return err }, "", ttl},
		{"HINCRBYFLOAT keeps", true, func(s *store.Store) error { _, err := s.HIncrByFloat("k", "n", 1); return err }, "", ttl},
		{"RENAME carries", false, func(s *store.Store) error { return s.Rename("k", "new") }, "new", ttl},
		{"RENAME leaves the source gone", false, func(s *store.Store) error { return s.Rename("k", "new") }, "", -2},
		{"RENAME of a hash carries", true, func(s *store.Store) error { return s.Rename("k", "new") }, "new", ttl},
		{"RENAME over a key with a TTL", false, func(s *store.Store) error {
			if err := s.Set("new", "x"); err != nil {
				return err
			}
			if _, err := s.Expire("new", 5); err != nil {
				return err
			}
			return s.Rename("k", "new")
		}, "new", ttl},
		{"RENAMENX carries", false, func(s *store.Store) error { _, err := s.RenameNX("k", "new"); return err }, "new", ttl},
		{"COPY copies", false, func(s *store.Store) error { _, err := s.Copy("k", "new", false); return err }, "new", ttl},
		{"COPY keeps the source's", false, func(s *store.Store) error { _, err := s.Copy("k", "new", false); return err }, "", ttl},
		{"COPY of a hash copies", true, func(s *store.Store) error { _, err := s.Copy("k", "new", false); return err }, "new", ttl},
		{"COPY REPLACE of a key without TTL clears", false, func(s *store.Store) error {
			if err := s.Set("plain", "x"); err != nil {
				return err
			}
			_, err := s.Copy("plain", "k", true)
			return err
		}, "", -1},
		{"PERSIST removes", false, func(s *store.Store) error { _, err := s.Persist("k"); return err }, "", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inBubble(t, func(t *testing.T, s *store.Store) {
				if tc.hash {
					mustHSet(t, s, "k", "f", "v", "n", "1")
				} else {
					mustSet(t, s, "k", "5")
				}
				ok, err := s.PExpire("k", ttl)
				require.NoError(t, err)
				require.True(t, ok)
				require.NoError(t, tc.write(s))
				key := tc.key
				if key == "" {
					key = "k"
				}
				assert.Equal(t, tc.want, pttlOf(t, s, key))
				if tc.want > 0 {
					// The TTL is not only reported: the key goes at its deadline.
					time.Sleep(ttl * time.Millisecond)
					n, err := s.Exists(key)
					require.NoError(t, err)
					assert.Zero(t, n)
				}
			})
		})
	}
}

// TestStore_StringsWrongType checks that every string command that reads a
// value answers WRONGTYPE on a hash, and leaves it alone.
func TestStore_StringsWrongType(t *testing.T) {
	cmds := map[string]func(s *store.Store) error{
		"GET":         func(s *store.Store) error { _, _, err := s.Get("h"); return err },
		"GETDEL":      func(s *store.Store) error { _, _, err := s.GetDel("h"); return err },
		"GETEX":       func(s *store.Store) error { _, _, err := s.GetEx("h", store.GetExArgs{EX: 5}); return err },
		"GETEX none":  func(s *store.Store) error { _, _, err := s.GetEx("h", store.GetExArgs{}); return err },
		"SET GET":     func(s *store.Store) error { _, _, err := s.SetArgs("h", "x", store.SetArgs{Get: true}); return err },
		"INCR":        func(s *store.Store) error { _, err := s.Incr("h"); return err },
		"DECR":        func(s *store.Store) error { _, err := s.Decr("h"); return err },
		"INCRBY":      func(s *store.Store) error { _, err := s.IncrBy("h", 2); return err },
		"DECRBY":      func(s *store.Store) error { _, err := s.DecrBy("h", 2); return err },
		"INCRBYFLOAT": func(s *store.Store) error { _, err := s.IncrByFloat("h", 2); return err },
		"APPEND":      func(s *store.Store) error { _, err := s.Append("h", "x"); return err },
		"STRLEN":      func(s *store.Store) error { _, err := s.StrLen("h"); return err },
		"GETRANGE":    func(s *store.Store) error { _, err := s.GetRange("h", 0, -1); return err },
		"SETRANGE":    func(s *store.Store) error { _, err := s.SetRange("h", 0, "x"); return err },
	}
	for name, cmd := range cmds {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			mustHSet(t, s, "h", "f", "v")
			require.ErrorIs(t, cmd(s), store.ErrWrongType)
			m, err := s.HGetAll("h")
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"f": "v"}, m)
		})
	}
}
