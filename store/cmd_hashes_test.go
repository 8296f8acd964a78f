package store_test

// Table tests of the hash commands against Redis 7's documented behaviour
// (https://redis.io/docs/latest/commands/?group=hash) and Redis's own
// tests/unit/type/hash.tcl. Commands that read a whole hash run on a small
// hash and on one large enough for the store's map encoding.

import (
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

// hashSizes are a small hash (kept as a slice by the store, a listpack by
// Redis) and one past the store's small-hash limit.
var hashSizes = []int{3, 100}

// fillHash gives key n fields f0..f<n-1> with values v0..v<n-1> and returns them.
func fillHash(t *testing.T, s *store.Store, key string, n int) map[string]string {
	t.Helper()
	m := map[string]string{}
	var pairs []string
	for i := range n {
		f, v := "f"+strconv.Itoa(i), "v"+strconv.Itoa(i)
		m[f] = v
		pairs = append(pairs, f, v)
	}
	added, err := s.HSet(key, pairs...)
	require.NoError(t, err)
	require.Equal(t, int64(n), added)
	return m
}

func TestStore_HSet(t *testing.T) {
	s := newStore(t)
	n, err := s.HSet("h", "a", "1", "b", "2")
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)

	n, err = s.HSet("h", "a", "10", "c", "3")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "only new fields count")

	n, err = s.HSet("h", "d", "1", "d", "2")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "a field named twice is added once")
	v, _, _ := s.HGet("h", "d")
	assert.Equal(t, "2", v, "the last value wins")

	n, err = s.HSet("h", "", "")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "empty fields and values are allowed")

	all, err := s.HGetAll("h")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a": "10", "b": "2", "c": "3", "d": "2", "": ""}, all)

	for _, pairs := range [][]string{nil, {"a"}, {"a", "1", "b"}} {
		_, err := s.HSet("h", pairs...)
		require.ErrorIs(t, err, store.ErrArity, "%q", pairs)
		assert.Equal(t, "ERR wrong number of arguments for 'hset' command", err.Error())
	}

	// Growing past the small encoding keeps every field.
	big := fillHash(t, s, "big", 40)
	n, err = s.HSet("big", "f0", "new", "g", "1")
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	big["f0"], big["g"] = "new", "1"
	all, err = s.HGetAll("big")
	require.NoError(t, err)
	assert.Equal(t, big, all)
}

// TestStore_HSetOneField covers HSet of a single field, which takes a path
// of its own without a transaction.
func TestStore_HSetOneField(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		feed, err := s.Feed()
		require.NoError(t, err)
		r := feed.Reader(feed.Offset())

		// Field by field through every small size and into a map.
		want := map[string]string{}
		for i := range 40 {
			f := "f" + strconv.Itoa(i)
			n, err := s.HSet("h", f, "v")
			require.NoError(t, err)
			assert.Equal(t, int64(1), n, "field %d", i)
			want[f] = "v"
			n, err = s.HSet("h", f, "w"+f)
			require.NoError(t, err)
			assert.Zero(t, n, "an existing field is not added")
			want[f] = "w" + f
			all, err := s.HGetAll("h")
			require.NoError(t, err)
			require.Equal(t, want, all, "after field %d", i)
		}
		e, err := r.Next(t.Context())
		require.NoError(t, err)
		assert.Equal(t, []string{"HSET", "h", "f0", "v"}, e.Args)

		mustSet(t, s, "str", "x")
		_, err = s.HSet("str", "f", "v")
		assert.ErrorIs(t, err, store.ErrWrongType)
		_, _, err = s.SetArgs("strttl", "x", store.SetArgs{EX: 10})
		require.NoError(t, err)
		_, err = s.HSet("strttl", "f", "v")
		assert.ErrorIs(t, err, store.ErrWrongType, "a string with a TTL")

		mustHSet(t, s, "ht", "a", "1")
		_, err = s.Expire("ht", 10)
		require.NoError(t, err)
		n, err := s.HSet("ht", "b", "2")
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		ttl, _ := s.TTL("ht")
		assert.Equal(t, int64(10), ttl, "HSET keeps the TTL")

		time.Sleep(11 * time.Second)
		n, err = s.HSet("ht", "c", "3")
		require.NoError(t, err)
		assert.Equal(t, int64(1), n)
		all, _ := s.HGetAll("ht")
		assert.Equal(t, map[string]string{"c": "3"}, all, "an expired hash is gone before HSET")
		ttl, _ = s.TTL("ht")
		assert.Equal(t, int64(-1), ttl)
		n, err = s.HSet("strttl", "f", "v")
		require.NoError(t, err)
		assert.Equal(t, int64(1), n, "an expired string is gone before HSET")

		before := s.Stats().Commands
		_, _ = s.HSet("h", "f0", "x")
		_, _ = s.HSet("str", "f", "v")
		assert.Equal(t, before+2, s.Stats().Commands, "each HSET counts, WRONGTYPE too")
	})
}

func TestStore_HSetNX(t *testing.T) {
	s := newStore(t)
	ok, err := s.HSetNX("h", "f", "1")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.HSetNX("h", "f", "2")
	require.NoError(t, err)
	assert.False(t, ok)
	v, _, _ := s.HGet("h", "f")
	assert.Equal(t, "1", v)
}

func TestStore_HGet(t *testing.T) {
	for _, size := range hashSizes {
		s := newStore(t)
		m := fillHash(t, s, "h", size)
		for f, want := range m {
			v, ok, err := s.HGet("h", f)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, want, v)
		}
		_, ok, err := s.HGet("h", "nofield")
		require.NoError(t, err)
		assert.False(t, ok)
		_, ok, err = s.HGet("nokey", "f0")
		require.NoError(t, err)
		assert.False(t, ok)
	}
}

func TestStore_HMGet(t *testing.T) {
	for _, size := range hashSizes {
		s := newStore(t)
		fillHash(t, s, "h", size)
		vals, err := s.HMGet("h", "f1", "nofield", "f0", "f1")
		require.NoError(t, err)
		assert.Equal(t, []store.Value{{Val: "v1", OK: true}, {}, {Val: "v0", OK: true}, {Val: "v1", OK: true}}, vals, "size %d", size)
	}
	s := newStore(t)
	vals, err := s.HMGet("nokey", "a", "b")
	require.NoError(t, err)
	assert.Equal(t, []store.Value{{}, {}}, vals)
}

func TestStore_HGetAll(t *testing.T) {
	for _, size := range hashSizes {
		s := newStore(t)
		m := fillHash(t, s, "h", size)
		all, err := s.HGetAll("h")
		require.NoError(t, err)
		assert.Equal(t, m, all, "size %d", size)
		all["f0"] = "changed"
		v, _, _ := s.HGet("h", "f0")
		assert.Equal(t, "v0", v, "the map belongs to the caller")
	}
	s := newStore(t)
	all, err := s.HGetAll("nokey")
	require.NoError(t, err)
	assert.NotNil(t, all)
	assert.Empty(t, all)
}

func TestStore_HDel(t *testing.T) {
	for _, size := range hashSizes {
		s := newStore(t)
		fillHash(t, s, "h", size)
		n, err := s.HDel("h", "f0", "nofield", "f0", "f1")
		require.NoError(t, err)
		assert.Equal(t, int64(2), n, "size %d: a field named twice is deleted once", size)
		l, _ := s.HLen("h")
		assert.Equal(t, int64(size-2), l)

		// Deleting the last field deletes the key.
		var rest []string
		for i := 2; i < size; i++ {
			rest = append(rest, "f"+strconv.Itoa(i))
		}
		n, err = s.HDel("h", rest...)
		require.NoError(t, err)
		assert.Equal(t, int64(size-2), n)
		e, _ := s.Exists("h")
		assert.Zero(t, e, "size %d: an empty hash is no key", size)
		typ, _ := s.Type("h")
		assert.Equal(t, "none", typ)
	}
	s := newStore(t)
	n, err := s.HDel("nokey", "f")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestStore_HExists(t *testing.T) {
	s := newStore(t)
	fillHash(t, s, "h", 2)
	for _, tc := range []struct {
		key, field string
		want       bool
	}{{"h", "f0", true}, {"h", "f9", false}, {"nokey", "f0", false}} {
		ok, err := s.HExists(tc.key, tc.field)
		require.NoError(t, err)
		assert.Equal(t, tc.want, ok, "%s %s", tc.key, tc.field)
	}
}

func TestStore_HLen(t *testing.T) {
	for _, size := range hashSizes {
		s := newStore(t)
		fillHash(t, s, "h", size)
		n, err := s.HLen("h")
		require.NoError(t, err)
		assert.Equal(t, int64(size), n)
	}
	s := newStore(t)
	n, err := s.HLen("nokey")
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestStore_HKeysHVals(t *testing.T) {
	for _, size := range hashSizes {
		s := newStore(t)
		m := fillHash(t, s, "h", size)
		var fields, vals []string
		for f, v := range m {
			fields = append(fields, f)
			vals = append(vals, v)
		}
		keys, err := s.HKeys("h")
		require.NoError(t, err)
		assert.ElementsMatch(t, fields, keys)
		values, err := s.HVals("h")
		require.NoError(t, err)
		assert.ElementsMatch(t, vals, values)
	}
	s := newStore(t)
	keys, err := s.HKeys("nokey")
	require.NoError(t, err)
	assert.NotNil(t, keys)
	assert.Empty(t, keys)
	vals, err := s.HVals("nokey")
	require.NoError(t, err)
	assert.NotNil(t, vals)
	assert.Empty(t, vals)
}

func TestStore_HIncrBy(t *testing.T) {
	notInt := "ERR hash value is not an integer"
	overflow := "ERR increment or decrement would overflow"
	tests := []struct {
		name    string
		initial string // "(nil)" for a missing field
		incr    int64
		want    int64
		text    string // the error's text, if any
	}{
		{"missing field", "(nil)", 5, 5, ""},
		{"negative", "10", -15, -5, ""},
		{"zero", "10", 0, 10, ""},
		{"to max", "1", math.MaxInt64 - 1, math.MaxInt64, ""},
		{"overflow", "1", math.MaxInt64, 0, overflow},
		{"underflow", "-2", math.MinInt64, 0, overflow},
		{"min", "0", math.MinInt64, math.MinInt64, ""},
		{"max value", "9223372036854775807", -1, math.MaxInt64 - 1, ""},
		{"not a number", "abc", 1, 0, notInt},
		{"leading zero", "01", 1, 0, notInt},
		{"plus sign", "+1", 1, 0, notInt},
		{"leading space", " 1", 1, 0, notInt},
		{"trailing space", "1 ", 1, 0, notInt},
		{"empty", "", 1, 0, notInt},
		{"float", "1.5", 1, 0, notInt},
		{"too big", "9223372036854775808", 1, 0, notInt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			mustHSet(t, s, "h", "other", "x")
			if tc.initial != "(nil)" {
				mustHSet(t, s, "h", "f", tc.initial)
			}
			n, err := s.HIncrBy("h", "f", tc.incr)
			v, ok, _ := s.HGet("h", "f")
			if tc.text != "" {
				require.Error(t, err)
				assert.Equal(t, tc.text, err.Error())
				if tc.text == overflow {
					assert.ErrorIs(t, err, store.ErrOverflow)
				} else {
					assert.ErrorIs(t, err, store.ErrHashNotInteger)
				}
				assert.Equal(t, tc.initial, v, "a failed HINCRBY changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, n)
			assert.True(t, ok)
			assert.Equal(t, strconv.FormatInt(tc.want, 10), v)
		})
	}

	t.Run("missing key", func(t *testing.T) {
		s := newStore(t)
		n, err := s.HIncrBy("h", "f", -3)
		require.NoError(t, err)
		assert.Equal(t, int64(-3), n)
		typ, _ := s.Type("h")
		assert.Equal(t, "hash", typ)
	})
}

func TestStore_HIncrByFloat(t *testing.T) {
	tests := []struct {
		initial string // "(nil)" for a missing field
		incr    float64
		want    string
		err     error
		text    string
	}{
		{"10.50", 0.1, "10.6", nil, ""},
		{"5.0e3", 2.0e2, "5200", nil, ""},
		{"(nil)", 10.5, "10.5", nil, ""},
		{"1", -1, "0", nil, ""},
		{"17", 0, "17", nil, ""},
		{"abc", 1, "", store.ErrHashNotFloat, "ERR hash value is not a float"},
		{" 1", 1, "", store.ErrHashNotFloat, "ERR hash value is not a float"},
		{"", 1, "", store.ErrHashNotFloat, "ERR hash value is not a float"},
		{"nan", 1, "", store.ErrHashNotFloat, "ERR hash value is not a float"},
		{"inf", 1, "", store.ErrNaN, "ERR increment would produce NaN or Infinity"},
		{"1", math.Inf(1), "", store.ErrNaN, "ERR value is NaN or Infinity"},
		{"abc", math.Inf(-1), "", store.ErrNaN, "ERR value is NaN or Infinity"},
		{"1", math.NaN(), "", store.ErrNotFloat, "ERR value is not a valid float"},
	}
	for _, tc := range tests {
		t.Run(tc.initial, func(t *testing.T) {
			s := newStore(t)
			mustHSet(t, s, "h", "other", "x")
			if tc.initial != "(nil)" {
				mustHSet(t, s, "h", "f", tc.initial)
			}
			got, err := s.HIncrByFloat("h", "f", tc.incr)
			v, ok, _ := s.HGet("h", "f")
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Equal(t, tc.text, err.Error())
				if tc.initial == "(nil)" {
					assert.False(t, ok)
				} else {
					assert.Equal(t, tc.initial, v)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want, v)
		})
	}

	t.Run("a NaN or infinite increment is refused before the type check", func(t *testing.T) {
		s := newStore(t)
		mustSet(t, s, "str", "1")
		_, err := s.HIncrByFloat("str", "f", math.Inf(1))
		require.ErrorIs(t, err, store.ErrNaN)
		assert.Equal(t, "ERR value is NaN or Infinity", err.Error())
		_, err = s.HIncrByFloat("str", "f", 1)
		require.ErrorIs(t, err, store.ErrWrongType)
	})
}

func TestStore_HStrLen(t *testing.T) {
	s := newStore(t)
	mustHSet(t, s, "h", "name", "Alice", "empty", "", "n", "-256")
	for _, tc := range []struct {
		key, field string
		want       int64
	}{{"h", "name", 5}, {"h", "empty", 0}, {"h", "n", 4}, {"h", "nofield", 0}, {"nokey", "x", 0}} {
		n, err := s.HStrLen(tc.key, tc.field)
		require.NoError(t, err)
		assert.Equal(t, tc.want, n, "%s %s", tc.key, tc.field)
	}
}

func TestStore_HRandField(t *testing.T) {
	for _, size := range hashSizes {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			s := newStore(t)
			m := fillHash(t, s, "h", size)

			for _, count := range []int64{1, 2, int64(size), int64(size) + 1, 1000} {
				for _, withValues := range []bool{false, true} {
					got, err := s.HRandField("h", count, withValues)
					require.NoError(t, err)
					want := min(int(count), size)
					width := 1
					if withValues {
						width = 2
					}
					require.Len(t, got, want*width, "count %d: distinct fields, at most all", count)
					seen := map[string]bool{}
					for i := 0; i < len(got); i += width {
						f := got[i]
						assert.Contains(t, m, f)
						assert.False(t, seen[f], "count %d: %s twice", count, f)
						seen[f] = true
						if withValues {
							assert.Equal(t, m[f], got[i+1])
						}
					}
				}
			}

			// A negative count returns exactly that many, repeats allowed.
			for _, withValues := range []bool{false, true} {
				got, err := s.HRandField("h", -50, withValues)
				require.NoError(t, err)
				width := 1
				if withValues {
					width = 2
				}
				require.Len(t, got, 50*width)
				seen := map[string]int{}
				for i := 0; i < len(got); i += width {
					assert.Contains(t, m, got[i])
					seen[got[i]]++
					if withValues {
						assert.Equal(t, m[got[i]], got[i+1])
					}
				}
				if size < 50 {
					assert.Less(t, len(seen), 50, "fields repeat")
				}
			}

			got, err := s.HRandField("h", 0, true)
			require.NoError(t, err)
			assert.NotNil(t, got)
			assert.Empty(t, got)
		})
	}

	t.Run("every field comes up", func(t *testing.T) {
		s := newStore(t)
		m := fillHash(t, s, "h", 5)
		seen := map[string]bool{}
		for range 500 {
			got, err := s.HRandField("h", 1, false)
			require.NoError(t, err)
			require.Len(t, got, 1)
			seen[got[0]] = true
		}
		assert.Len(t, seen, len(m))
	})

	t.Run("missing key", func(t *testing.T) {
		s := newStore(t)
		for _, count := range []int64{1, -1, 0} {
			got, err := s.HRandField("nokey", count, true)
			require.NoError(t, err)
			assert.NotNil(t, got)
			assert.Empty(t, got)
		}
	})

	t.Run("range", func(t *testing.T) {
		s := newStore(t)
		fillHash(t, s, "h", 3)
		_, err := s.HRandField("h", math.MinInt64, false)
		require.ErrorIs(t, err, store.ErrValueRange)
		assert.Equal(t, "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807", err.Error())
		for _, count := range []int64{math.MaxInt64/2 + 1, -math.MaxInt64/2 - 1, math.MaxInt64, -math.MaxInt64} {
			_, err := s.HRandField("h", count, true)
			require.ErrorIs(t, err, store.ErrValueRange, "%d WITHVALUES", count)
			assert.Equal(t, "ERR value is out of range", err.Error())
		}
		got, err := s.HRandField("h", math.MaxInt64, false)
		require.NoError(t, err)
		assert.Len(t, got, 3)
		got, err = s.HRandField("h", math.MaxInt64/2, true)
		require.NoError(t, err)
		assert.Len(t, got, 6)
	})
}

// hscanAll iterates HSCAN to the end and returns each field's value, failing
// if a field comes twice.
func hscanAll(t *testing.T, s *store.Store, key, match string, count int64) (map[string]string, int) {
	t.Helper()
	got := map[string]string{}
	calls := 0
	for cursor := uint64(0); ; {
		page, next, err := s.HScan(key, cursor, match, count)
		require.NoError(t, err)
		require.Zero(t, len(page)%2, "field, value pairs")
		calls++
		require.Less(t, calls, 100_000, "HSCAN does not end")
		for i := 0; i < len(page); i += 2 {
			_, dup := got[page[i]]
			require.False(t, dup, "field %q returned twice", page[i])
			got[page[i]] = page[i+1]
		}
		if cursor = next; cursor == 0 {
			return got, calls
		}
	}
}

func TestStore_HScan(t *testing.T) {
	t.Run("small hash in one call", func(t *testing.T) {
		s := newStore(t)
		m := fillHash(t, s, "h", 10)
		page, next, err := s.HScan("h", 0, "", 1)
		require.NoError(t, err)
		assert.Zero(t, next)
		got := map[string]string{}
		for i := 0; i < len(page); i += 2 {
			got[page[i]] = page[i+1]
		}
		assert.Equal(t, m, got)

		page, next, err = s.HScan("h", 0, "f1*", 0)
		require.NoError(t, err)
		assert.Zero(t, next)
		assert.Equal(t, []string{"f1", "v1"}, page)
	})

	t.Run("large hash paginates", func(t *testing.T) {
		s := newStore(t)
		m := fillHash(t, s, "h", 1000)
		for _, count := range []int64{0, 3, 10, 333, 5000} {
			got, calls := hscanAll(t, s, "h", "", count)
			assert.Equal(t, m, got, "count %d", count)
			if count > 0 && count < 1000 {
				assert.GreaterOrEqual(t, calls, int(1000/count), "count %d bounds the work per call", count)
			}
		}
		got, _ := hscanAll(t, s, "h", "f1?", 7)
		want := map[string]string{}
		for i := 10; i < 20; i++ {
			want["f"+strconv.Itoa(i)] = "v" + strconv.Itoa(i)
		}
		assert.Equal(t, want, got)
		got, _ = hscanAll(t, s, "h", "nothing*", 7)
		assert.Empty(t, got)
	})

	t.Run("fields present throughout are returned", func(t *testing.T) {
		s := newStore(t)
		m := fillHash(t, s, "h", 500)
		got := map[string]string{}
		cursor := uint64(0)
		for i := 0; ; i++ {
			page, next, err := s.HScan("h", cursor, "", 20)
			require.NoError(t, err)
			for j := 0; j < len(page); j += 2 {
				got[page[j]] = page[j+1]
			}
			// Meanwhile, add and remove fields other than f0..f499.
			mustHSet(t, s, "h", "new"+strconv.Itoa(i), "x")
			_, err = s.HDel("h", "new"+strconv.Itoa(i-3))
			require.NoError(t, err)
			if cursor = next; cursor == 0 {
				break
			}
		}
		for f, v := range m {
			assert.Equal(t, v, got[f], f)
		}
	})

	t.Run("errors and missing key", func(t *testing.T) {
		s := newStore(t)
		page, next, err := s.HScan("nokey", 0, "", 10)
		require.NoError(t, err)
		assert.Empty(t, page)
		assert.Zero(t, next)
		fillHash(t, s, "h", 3)
		_, _, err = s.HScan("h", 0, "", -1)
		require.ErrorIs(t, err, store.ErrSyntax)
	})
}

// TestStore_HashesWrongType checks that every hash command answers WRONGTYPE
// on a string, and leaves it alone.
func TestStore_HashesWrongType(t *testing.T) {
	cmds := map[string]func(s *store.Store) error{
		"HSET":         func(s *store.Store) error { _, err := s.HSet("k", "f", "v"); return err },
		"HSETNX":       func(s *store.Store) error { _, err := s.HSetNX("k", "f", "v"); return err },
		"HGET":         func(s *store.Store) error { _, _, err := s.HGet("k", "f"); return err },
		"HMGET":        func(s *store.Store) error { _, err := s.HMGet("k", "f"); return err },
		"HGETALL":      func(s *store.Store) error { _, err := s.HGetAll("k"); return err },
		"HDEL":         func(s *store.Store) error { _, err := s.HDel("k", "f"); return err },
		"HEXISTS":      func(s *store.Store) error { _, err := s.HExists("k", "f"); return err },
		"HLEN":         func(s *store.Store) error { _, err := s.HLen("k"); return err },
		"HKEYS":        func(s *store.Store) error { _, err := s.HKeys("k"); return err },
		"HVALS":        func(s *store.Store) error { _, err := s.HVals("k"); return err },
		"HINCRBY":      func(s *store.Store) error { _, err := s.HIncrBy("k", "f", 1); return err },
		"HINCRBYFLOAT": func(s *store.Store) error { _, err := s.HIncrByFloat("k", "f", 1); return err },
		"HSTRLEN":      func(s *store.Store) error { _, err := s.HStrLen("k", "f"); return err },
		"HRANDFIELD":   func(s *store.Store) error { _, err := s.HRandField("k", 1, false); return err },
		"HRANDFIELD 0": func(s *store.Store) error { _, err := s.HRandField("k", 0, false); return err },
		"HSCAN":        func(s *store.Store) error { _, _, err := s.HScan("k", 0, "", 10); return err },
	}
	for name, cmd := range cmds {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			mustSet(t, s, "k", "v")
			require.ErrorIs(t, cmd(s), store.ErrWrongType)
			assert.Equal(t, "v", getOr(t, s, "k"))
		})
	}
}
