package store_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/leakcheck"
	"github.com/emberkv/ember/store"
)

// TestStore_Concurrent runs every kind of command from many goroutines at
// once (under -race this checks the locking), with TTLs short enough that
// the sweepers run meanwhile, then closes the store: no goroutine may stay.
func TestStore_Concurrent(t *testing.T) {
	defer leakcheck.Check(t)()
	s, err := store.New(nil)
	require.NoError(t, err)
	f, err := s.Feed()
	require.NoError(t, err)

	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for range 3000 {
				k := "k" + strconv.Itoa(r.IntN(64))
				switch r.IntN(10) {
				case 0:
					_, _, _ = s.SetArgs(k, "v", store.SetArgs{PX: int64(r.IntN(5) + 1)})
				case 1:
					_, _ = s.Incr(k)
				case 2:
					_, _, _ = s.Get(k)
				case 3:
					_, _ = s.HSet(k, "f", "v")
				case 4:
					_, _, _ = s.HGet(k, "f")
				case 5:
					_ = s.Rename(k, "k"+strconv.Itoa(r.IntN(64)))
				case 6:
					_, _, _ = s.Scan(0, "", 20, "")
				case 7:
					p := s.Pipeline()
					p.Incr(k)
					p.Expire(k, 1)
					_ = p.Exec()
				case 8:
					_, _ = s.Del(k, "k"+strconv.Itoa(r.IntN(64)))
				case 9:
					_ = s.Stats()
				}
			}
		}()
	}
	// A snapshot and a feed reader while the writers run.
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := s.Snapshot(func(store.Entry) error { return nil })
		assert.NoError(t, err)
		buf := make([]byte, 4096)
		first, _ := f.Backlog()
		_, _ = f.ReadAt(buf, first-1)
	}()
	wg.Wait()
	time.Sleep(20 * time.Millisecond) // let the sweepers catch up with the 1-5 ms TTLs
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "a second Close returns nil")
	_, _, err = s.Get("k1")
	assert.ErrorIs(t, err, store.ErrClosed)
}

// TestStore_StatsCounts checks the counters of Stats.
func TestStore_StatsCounts(t *testing.T) {
	s, err := store.New(nil)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Set("a", "1"))
	_, _, _ = s.SetArgs("b", "1", store.SetArgs{EX: 100})
	_, _, _ = s.Get("a")
	_, _, _ = s.Get("missing")
	_, _ = s.PExpire("a", 1)
	require.Eventually(t, func() bool { return s.Stats().Expired == 1 }, 5*time.Second, time.Millisecond)
	st := s.Stats()
	assert.Equal(t, int64(1), st.Keys)
	assert.Equal(t, int64(1), st.Expires)
	assert.Equal(t, uint64(1), st.Hits)
	assert.Equal(t, uint64(1), st.Misses)
	assert.Equal(t, uint64(5), st.Commands)
}

// TestStore_NoReadStats checks that a store created with NoReadStats counts
// no hits or misses, through any read path (Get of a plain value, of one
// with its deadline packed in it, and of one too long for that, which Get
// counts on the slow path, HGet, MGet and Exists), and leaves Get and HGet
// out of Commands while it still counts the other commands.
func TestStore_NoReadStats(t *testing.T) {
	for _, noReadStats := range []bool{false, true} {
		t.Run(fmt.Sprint("NoReadStats=", noReadStats), func(t *testing.T) {
			s, err := store.New(&store.Options{NoReadStats: noReadStats})
			require.NoError(t, err)
			defer s.Close()
			require.NoError(t, s.Set("a", "1"))
			_, _, err = s.SetArgs("t", "1", store.SetArgs{EX: 100})
			require.NoError(t, err)
			_, _, err = s.SetArgs("boxed", strings.Repeat("v", 600<<10), store.SetArgs{EX: 100})
			require.NoError(t, err)
			_, err = s.HSet("h", "f", "v")
			require.NoError(t, err)
			for _, k := range []string{"a", "t", "boxed", "missing"} {
				_, _, err = s.Get(k)
				require.NoError(t, err)
			}
			for _, f := range []string{"f", "g"} {
				_, _, err = s.HGet("h", f)
				require.NoError(t, err)
			}
			_, _, err = s.HGet("missing", "f")
			require.NoError(t, err)
			_, err = s.MGet("a", "missing")
			require.NoError(t, err)
			_, err = s.Exists("a", "missing")
			require.NoError(t, err)

			st := s.Stats()
			if noReadStats {
				assert.Zero(t, st.Hits)
				assert.Zero(t, st.Misses)
				assert.Equal(t, uint64(6), st.Commands, "SET, two SET EX, HSET, MGET, EXISTS")
			} else {
				assert.Equal(t, uint64(7), st.Hits, "Get a, t and boxed, both HGets of h, MGet a, Exists a")
				assert.Equal(t, uint64(1+1+1+1), st.Misses, "Get, HGet, MGet and Exists of missing")
				assert.Equal(t, uint64(13), st.Commands)
			}
		})
	}
}

// TestStore_ZeroAllocs pins the hot paths that must not allocate.
func TestStore_ZeroAllocs(t *testing.T) {
	s, err := store.New(nil)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Set("k", "v"))
	_, err = s.HSet("h", "f", "v")
	require.NoError(t, err)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _, _ = s.Get("k") }), "Get")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = s.Set("k", "w") }), "Set of an existing key")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _, _ = s.HGet("h", "f") }), "HGet")
	assert.Zero(t, testing.AllocsPerRun(100, func() { _, _ = s.HSet("h", "f", "w") }), "HSet of an existing field")
	// Apply pools its transaction (under -race sync.Pool drops a quarter of
	// what it is given: hence less than one, not zero).
	set := []string{"SET", "k", "w"}
	assert.Less(t, testing.AllocsPerRun(100, func() { _ = s.Apply(set...) }), 0.5, "Apply SET")
	// On a replica a plain SET takes no transaction at all.
	require.NoError(t, s.SetReplica(true))
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = s.Apply(set...) }), "Apply SET on a replica")
}

// wellFormed reports whether v is one of the values the writers of
// TestStore_GetWithoutLock give key k: k, '=' or '~', the digits of a
// counter n, and n%7+1 (or n%5+1) dots. A value torn from another write
// (its pointer with another length) fails the count of dots.
func wellFormed(k, v string) bool {
	rest, ok := strings.CutPrefix(v, k)
	if !ok || rest == "" || rest[0] != '=' && rest[0] != '~' {
		return false
	}
	mod := 7
	if rest[0] == '~' {
		mod = 5
	}
	digits := strings.TrimRight(rest[1:], ".")
	n, err := strconv.Atoi(digits)
	return err == nil && len(rest)-1-len(digits) == n%mod+1
}

// TestStore_GetWithoutLock checks Get's lock-free read (a seqlock over the
// shard's table) against writers that overwrite, delete, expire and
// re-create keys, grow and shrink the tables and flush everything: a Get
// must return a value that key has held, never another key's value or a
// torn one.
func TestStore_GetWithoutLock(t *testing.T) {
	defer leakcheck.Check(t)()
	s, err := store.NewWithShards(nil, 1)
	require.NoError(t, err)
	defer s.Close()

	const keys = 24
	name := func(i int) string { return "key:" + strconv.Itoa(i) }
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				i := r.IntN(keys)
				k := name(i)
				switch op := r.IntN(100); {
				case op < 60:
					_ = s.Set(k, k+"="+strconv.Itoa(n)+strings.Repeat(".", n%7+1))
				case op < 75:
					_, _, _ = s.SetArgs(k, k+"~"+strconv.Itoa(n)+strings.Repeat(".", n%5+1), store.SetArgs{PX: int64(1 + r.IntN(3))})
				case op < 95:
					_, _ = s.Del(k)
				case op < 99:
					_, _ = s.HSet(k, "f", "v")
				default:
					if r.IntN(20) == 0 {
						_ = s.FlushAll()
					}
				}
			}
		}()
	}
	deadline := time.Now().Add(time.Second)
	reads, hits := 0, 0
	r := rand.New(rand.NewPCG(9, 9))
	for time.Now().Before(deadline) && reads < 2_000_000 {
		k := name(r.IntN(keys))
		v, ok, err := s.Get(k)
		reads++
		if err != nil {
			require.ErrorIs(t, err, store.ErrWrongType)
			continue
		}
		if ok {
			hits++
			require.True(t, wellFormed(k, v), "Get(%q) = %q", k, v)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d reads, %d hits", reads, hits)
	assert.Positive(t, hits)
}

// TestStore_GetDuringGrowAndShrink reads a key that is always there and one
// that never is while a writer grows the shard's table past a thousand
// slots and shrinks it again, over and over: a lock-free Get must find each
// array whole, with its own length (see table.publish), so the first key is
// always found with its value and the second never.
func TestStore_GetDuringGrowAndShrink(t *testing.T) {
	defer leakcheck.Check(t)()
	s, err := store.NewWithShards(nil, 1)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Set("anchor", "value"))

	stop := make(chan struct{})
	done := make(chan struct{})
	cycles := 0 // read after done is closed
	go func() {
		defer close(done)
		keys := make([]string, 3000)
		for i := range keys {
			keys[i] = "fill:" + strconv.Itoa(i)
		}
		for {
			for _, k := range keys {
				_ = s.Set(k, "v")
			}
			for _, k := range keys {
				_, _ = s.Del(k)
			}
			cycles++
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	// Stop the writer however the reads end, a failed require included,
	// before the store closes and leakcheck looks.
	stopWriter := sync.OnceFunc(func() { close(stop); <-done })
	defer stopWriter()
	deadline := time.Now().Add(500 * time.Millisecond)
	reads := 0
	for time.Now().Before(deadline) && reads < 5_000_000 {
		v, ok, err := s.Get("anchor")
		require.NoError(t, err)
		require.True(t, ok, "anchor missing after %d reads", reads)
		require.Equal(t, "value", v)
		_, ok, err = s.Get("absent")
		require.NoError(t, err)
		require.False(t, ok)
		reads++
	}
	stopWriter()
	t.Logf("%d reads over %d grow-and-shrink cycles", reads, cycles)
	assert.Positive(t, cycles)
}
