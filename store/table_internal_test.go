package store

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTable_MatchesMap drives the table and a Go map with the same random
// inserts, updates and deletes (through growth, deletions that shift probe
// runs back, and shrinking) and requires the same contents throughout.
func TestTable_MatchesMap(t *testing.T) {
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 3))
		var tab table
		ref := map[string]int{}
		space := 10 + r.IntN(5000)
		for step := range 40000 {
			k := strconv.Itoa(r.IntN(space))
			h := hashKey(k)
			switch op := r.IntN(10); {
			case op < 5:
				n := step
				isNew := tab.set(k, h, value{n: uint64(n)})
				_, had := ref[k]
				require.Equal(t, !had, isNew, "seed %d step %d set %s", seed, step, k)
				ref[k] = n
			case op < 9:
				v, ok := tab.del(k, h)
				want, had := ref[k]
				require.Equal(t, had, ok, "seed %d step %d del %s", seed, step, k)
				if ok {
					require.Equal(t, want, int(v.n))
				}
				delete(ref, k)
				tab.maybeShrink()
			default:
				v, ok := tab.get(k, h)
				want, had := ref[k]
				require.Equal(t, had, ok)
				if ok {
					require.Equal(t, want, int(v.n))
				}
			}
			require.Equal(t, len(ref), tab.len())
			require.LessOrEqual(t, tab.used*4, tab.cap()*3, "load above 3/4")
		}
		seen := map[string]int{}
		tab.all(func(k string, v value) bool { seen[k] = int(v.n); return true })
		require.Equal(t, ref, seen)
	}
}

// TestTable_Collisions gives every key the same hash, so that every probe
// runs through all the keys, compared by their bytes, and every deletion
// shifts the run; then the same with hashes whose homes are the last slots,
// so that runs wrap around the end of the array.
func TestTable_Collisions(t *testing.T) {
	for _, hashOf := range []func(i int) uint64{
		func(int) uint64 { return 42 << 7 },
		func(i int) uint64 { return uint64(0xffffffff-i%3) << 7 },
	} {
		r := rand.New(rand.NewPCG(1, 2))
		var tab table
		ref := map[string]int{}
		var keys []string
		for i := range 300 {
			k := "c" + strconv.Itoa(i)
			keys = append(keys, k)
			require.True(t, tab.set(k, hashOf(i), value{n: uint64(i)}))
			ref[k] = i
		}
		check := func() {
			for i, k := range keys {
				v, ok := tab.get(k, hashOf(i))
				want, had := ref[k]
				require.Equal(t, had, ok, k)
				if ok {
					require.Equal(t, uint64(want), v.n)
				}
			}
			_, ok := tab.get("absent", hashOf(0))
			require.False(t, ok)
		}
		check()
		for _, j := range r.Perm(len(keys))[:200] {
			_, ok := tab.del(keys[j], hashOf(j))
			require.True(t, ok)
			delete(ref, keys[j])
			check()
		}
		require.Equal(t, len(ref), tab.len())
	}
}

// TestTable_FindDue finds keys by tag and deadline, as the sweeper does,
// and not a key with the same tag but another deadline. Keys that share a
// tag and a deadline are all found, one per call as each is deleted.
func TestTable_FindDue(t *testing.T) {
	var tab table
	for i := range 100 {
		k := "k" + strconv.Itoa(i)
		tab.set(k, hashKey(k), newString("v", int64(1000+i)))
	}
	for i := range 100 {
		k := "k" + strconv.Itoa(i)
		j := tab.findDue(tagOf(hashKey(k)), int64(1000+i))
		require.GreaterOrEqual(t, j, 0)
		require.Equal(t, k, tab.slot(j).key())
		require.Equal(t, -1, tab.findDue(tagOf(hashKey(k)), int64(999)))
	}
	var same table
	const h = 0xdeadbeef << 7
	for i := range 10 {
		same.set("same"+strconv.Itoa(i), h, newString("v", 5000+int64(i%2)))
	}
	found := map[string]bool{}
	for range 5 {
		j := same.findDue(tagOf(h), 5000)
		require.GreaterOrEqual(t, j, 0)
		found[same.slot(j).key()] = true
		same.deleteAt(j)
	}
	assert.Equal(t, -1, same.findDue(tagOf(h), 5000))
	assert.Len(t, found, 5)
	for k := range found {
		n, _ := strconv.Atoi(k[len("same"):])
		assert.Zero(t, n%2, "%s has the other deadline", k)
	}
	assert.Equal(t, 5, same.used)
}

// TestGet_MetaCollision puts, ahead of a key in its probe run, another key
// with the same meta (the same 32 hash bits and length, one chance in 2^32
// per probe): GET's lock-free probe stops at the first and must still
// answer for the second, through the locked path.
func TestGet_MetaCollision(t *testing.T) {
	s, err := New(&Options{shards: 1})
	require.NoError(t, err)
	defer s.Close()
	sh := &s.shards[0]
	sh.lock()
	sh.tab.set("bbbb", hashKey("aaaa"), stringValue("B")) // at aaaa's home
	sh.unlock()
	require.NoError(t, s.Set("aaaa", "A"))

	v, ok, err := s.Get("aaaa")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "A", v)
	_, ok, err = s.Get("cccc")
	require.NoError(t, err)
	assert.False(t, ok)
	st := s.Stats()
	assert.Equal(t, uint64(1), st.Hits)
	assert.Equal(t, uint64(1), st.Misses)
}

// TestShardSet_ManyShards runs multi-key and all-shard commands on a store
// of more shards than a Tx's inline set holds, and on one that fits it.
func TestShardSet_ManyShards(t *testing.T) {
	for _, n := range []int{64, 512} {
		s, err := New(&Options{shards: n})
		require.NoError(t, err)
		var pairs, keys []string
		for i := range 200 {
			k := "k" + strconv.Itoa(i)
			keys = append(keys, k)
			pairs = append(pairs, k, strconv.Itoa(i))
		}
		require.NoError(t, s.MSet(pairs...))
		vals, err := s.MGet(keys...)
		require.NoError(t, err)
		for i, v := range vals {
			assert.Equal(t, strconv.Itoa(i), v.Val, "shards %d, key %d", n, i)
		}
		deleted, err := s.Del(keys[:100]...)
		require.NoError(t, err)
		assert.Equal(t, int64(100), deleted)
		all, err := s.Keys("*")
		require.NoError(t, err)
		assert.Len(t, all, 100)
		require.NoError(t, s.FlushAll())
		size, err := s.DBSize()
		require.NoError(t, err)
		assert.Zero(t, size)
		require.NoError(t, s.Close())
	}
}

// TestHashKey_Spread checks the hash of short keys (8 to 16 bytes, hashed
// in place rather than by maphash): every bit of every byte changes it, and
// sequential keys, the pattern of most real key sets, fill shards and
// table homes evenly.
func TestHashKey_Spread(t *testing.T) {
	for n := 1; n <= 24; n++ {
		key := []byte(strings.Repeat("k", n))
		seen := map[uint64]int{hashKey(string(key)): -1}
		for bit := range n * 8 {
			key[bit/8] ^= 1 << (bit % 8)
			h := hashKey(string(key))
			key[bit/8] ^= 1 << (bit % 8)
			prev, dup := seen[h]
			require.False(t, dup, "length %d: bits %d and %d give one hash", n, bit, prev)
			seen[h] = bit
		}
	}

	// 1M keys "user:0" to "user:999999" (6 to 11 bytes) and as many of 16
	// bytes, into 128 shards by the top 7 bits and into 4,096 homes by bits
	// 7 to 38: each count is binomial, so its standard deviation is the
	// square root of the mean, and every one must stay within 6 of them.
	for _, format := range []string{"user:%d", "key:%012d"} {
		const keys, shards, homes = 1 << 20, 128, 1 << 12
		var byShard [shards]int
		byHome := make([]int, homes)
		for i := range keys {
			h := hashKey(fmt.Sprintf(format, i))
			byShard[h>>57]++
			byHome[home(metaOf(h, 16), homes)]++
		}
		check := func(what string, counts []int) {
			mean := float64(keys) / float64(len(counts))
			limit := 6 * math.Sqrt(mean)
			for i, c := range counts {
				assert.InDelta(t, mean, float64(c), limit, "%s: %s %d", format, what, i)
			}
		}
		check("shard", byShard[:])
		check("home", byHome)
	}
}
