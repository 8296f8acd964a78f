package store

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedEntries is entries under the shard's lock, and stale.
func lockedEntries(sh *shard) (entries, stale int) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.exp.entries(), sh.exp.stale
}

// each calls f for every entry not yet taken by the sweeper, stale ones
// included: the lanes' first, then the tree's.
func (x *expiryIndex) each(f func(tag uint32, at int64)) {
	for _, l := range x.lanes {
		k := 0
		for i := range l.runs.n {
			r := l.runs.buf[(l.runs.head+i)&(len(l.runs.buf)-1)]
			for range r.n {
				f(l.tags.buf[(l.tags.head+k)&(len(l.tags.buf)-1)], r.at)
				k++
			}
		}
	}
	if x.tree != nil {
		x.tree.Ascend(func(b *expiryBucket) bool {
			for _, tag := range b.tags[b.next:] {
				f(tag, b.at)
			}
			return true
		})
	}
}

// entries counts the index's entries not yet taken by the sweeper, stale
// ones included.
func (x *expiryIndex) entries() int {
	n := 0
	x.each(func(uint32, int64) { n++ })
	return n
}

// checkIndex verifies shard sh's index against its table: every key with a
// deadline has an entry with its tag and deadline, live counts them, live +
// stale counts the entries, and each lane is in deadline order.
func checkIndex(t *testing.T, sh *shard) {
	t.Helper()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	type entry struct {
		tag uint32
		at  int64
	}
	in := map[entry]int{}
	sh.exp.each(func(tag uint32, at int64) { in[entry{tag, at}]++ })
	live := 0
	sh.tab.all(func(key string, v value) bool {
		if at := v.deadline(); at != 0 {
			live++
			e := entry{tagOf(hashKey(key)), at}
			assert.Positive(t, in[e], "key %q with deadline %d has no entry", key, at)
			in[e]--
		}
		return true
	})
	assert.Equal(t, live, sh.exp.live)
	assert.Equal(t, sh.exp.entries(), sh.exp.live+sh.exp.stale)
	assert.LessOrEqual(t, len(sh.exp.lanes), maxLanes)
	for _, l := range sh.exp.lanes {
		require.Positive(t, l.runs.n, "an empty lane")
		prev := int64(0)
		for i := range l.runs.n {
			r := l.runs.buf[(l.runs.head+i)&(len(l.runs.buf)-1)]
			assert.Greater(t, r.at, prev, "a lane out of order")
			assert.Positive(t, r.n)
			prev = r.at
		}
	}
}

// TestExpiryIndexOrder adds entries with deadlines in order, out of order
// and in interleaved ascending sequences (lanes and tree both in use), and
// checks that pop returns them all, earliest first, each once.
func TestExpiryIndexOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	inLanes, inTree := 0, 0 // rounds that put entries in each part
	for round := range 50 {
		var x expiryIndex
		type entry struct {
			tag uint32
			at  int64
		}
		want := map[entry]int{}
		n := r.IntN(3000)
		seqs := 1 + r.IntN(2*maxLanes) // ascending sequences interleaved
		base := make([]int64, seqs)
		for i := range base {
			base[i] = int64(1000 * (i + 1))
		}
		for i := range n {
			var at int64
			if round%5 == 0 {
				at = 1 + r.Int64N(5000) // no order at all
			} else {
				s := r.IntN(seqs)
				base[s] += r.Int64N(3) // same deadline often
				at = base[s]
			}
			tag := uint32(i)
			x.add(uint64(tag)<<7, at)
			want[entry{tag, at}]++
		}
		require.Equal(t, n, x.entries())
		require.LessOrEqual(t, len(x.lanes), maxLanes)
		if len(x.lanes) > 0 {
			inLanes++
		}
		if x.tree != nil && x.tree.Len() > 0 {
			inTree++
		}
		prev := int64(0)
		now := int64(0)
		for len(want) > 0 {
			now += 1 + r.Int64N(50)
			for {
				tag, at, ok := x.pop(now)
				if !ok {
					break
				}
				x.expired()
				require.LessOrEqual(t, at, now)
				require.GreaterOrEqual(t, at, prev, "popped out of order")
				prev = at
				e := entry{tag, at}
				require.Positive(t, want[e], "an entry popped that was not added")
				if want[e]--; want[e] == 0 {
					delete(want, e)
				}
			}
			if len(want) > 0 {
				require.Greater(t, x.next(), now)
			}
		}
		assert.Equal(t, int64(math.MaxInt64), x.next())
		assert.Empty(t, x.lanes, "emptied lanes are dropped")
		assert.Zero(t, x.live)
	}
	assert.Greater(t, inLanes, 10, "rounds with entries in lanes")
	assert.Greater(t, inTree, 10, "rounds with entries in the tree")
}

// TestRing pushes and pops at random against a slice, through growth,
// wrap-around and shrinking.
func TestRing(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var q ring[int]
	var model []int
	next := 0
	for step := range 100_000 {
		// Phases of 5,000 steps, popping 10% and then 90% of the time.
		popPct := 10
		if (step/5000)%2 == 1 {
			popPct = 90
		}
		if r.IntN(100) < popPct && len(model) > 0 {
			require.Equal(t, model[0], *q.front())
			require.Equal(t, model[0], q.pop())
			model = model[1:]
		} else {
			q.push(next)
			model = append(model, next)
			next++
		}
		require.Equal(t, len(model), q.n)
		if len(model) > 0 {
			require.Equal(t, model[len(model)-1], *q.back())
		}
		require.True(t, len(q.buf) == 0 || len(q.buf) >= ringMin && len(q.buf)&(len(q.buf)-1) == 0)
		require.True(t, q.n == 0 || len(q.buf) <= max(ringMin, 4*q.n), "a ring keeps %d slots for %d entries", len(q.buf), q.n)
	}
	for len(model) > 0 {
		require.Equal(t, model[0], q.pop())
		model = model[1:]
	}
	assert.Nil(t, q.buf, "an emptied ring keeps no buffer")
}

func TestExpiryIndexStaleEntries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(&Options{shards: 1})
		require.NoError(t, err)
		defer s.Close()
		sh := &s.shards[0]

		// The same key given, losing and regaining one deadline: two entries
		// in one bucket, one of them stale.
		require.NoError(t, s.Set("k", "v"))
		_, err = s.PExpire("k", 100)
		require.NoError(t, err)
		_, err = s.Persist("k")
		require.NoError(t, err)
		_, err = s.PExpire("k", 100)
		require.NoError(t, err)
		n, _ := lockedEntries(sh)
		assert.Equal(t, 2, n)
		assert.Equal(t, int64(1), s.Stats().Expires)
		checkIndex(t, sh)

		// Deleted, overwritten without a TTL, moved to another deadline.
		for i, op := range []func(k string){
			func(k string) { _, _ = s.Del(k) },
			func(k string) { _ = s.Set(k, "w") },
			func(k string) { _, _ = s.PExpire(k, 5000) },
		} {
			k := fmt.Sprint("key", i)
			require.NoError(t, setPX(s, k, "v", 100))
			op(k)
		}
		checkIndex(t, sh)
		assert.Equal(t, int64(2), s.Stats().Expires, "k and key2")

		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		st := s.Stats()
		assert.Equal(t, uint64(1), st.Expired, "only k expired at 100 ms")
		assert.Equal(t, int64(1), st.Expires)
		assert.Equal(t, int64(2), st.Keys, "key1 and key2")
		checkIndex(t, sh)
		_, stale := lockedEntries(sh)
		assert.Zero(t, stale, "the sweeper dropped the stale entries it passed")

		time.Sleep(5 * time.Second)
		synctest.Wait()
		st = s.Stats()
		assert.Equal(t, uint64(2), st.Expired)
		assert.Zero(t, st.Expires)
		n, _ = lockedEntries(sh)
		assert.Zero(t, n)
	})
}

// TestExpiryIndexRebuild refreshes TTLs far more often than they expire, the
// session-store pattern: stale entries must not pile up.
func TestExpiryIndexRebuild(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(&Options{shards: 1})
		require.NoError(t, err)
		defer s.Close()
		sh := &s.shards[0]
		const keys = 500
		r := rand.New(rand.NewPCG(1, 2))
		peak := 0
		for round := range 40 {
			for i := range keys {
				k := fmt.Sprint("session:", i)
				require.NoError(t, setPX(s, k, "v", int64(60_000+r.IntN(1000))))
				n, _ := lockedEntries(sh)
				peak = max(peak, n)
			}
			if round%10 == 0 {
				checkIndex(t, sh)
			}
			time.Sleep(time.Millisecond)
		}
		checkIndex(t, sh)
		assert.LessOrEqual(t, peak, 2*keys+rebuildMin+1, "entries stay within twice the live keys plus the floor")
		assert.Equal(t, int64(keys), s.Stats().Expires)

		time.Sleep(62 * time.Second)
		synctest.Wait()
		st := s.Stats()
		assert.Equal(t, uint64(keys), st.Expired)
		assert.Zero(t, st.Keys)
		n, _ := lockedEntries(sh)
		assert.Zero(t, n)
	})
}

// TestExpiryIndexRandom runs random TTL commands on a one-shard store and
// checks the index against the table after each step.
func TestExpiryIndexRandom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(&Options{shards: 1})
		require.NoError(t, err)
		defer s.Close()
		sh := &s.shards[0]
		r := rand.New(rand.NewPCG(3, 4))
		for step := range 20_000 {
			k := fmt.Sprint("k", r.IntN(300))
			switch r.IntN(8) {
			case 0:
				_ = s.Set(k, "v")
			case 1, 2:
				_ = setPX(s, k, "v", int64(1+r.IntN(50)))
			case 3:
				_, _ = s.PExpire(k, int64(1+r.IntN(50)))
			case 4:
				_, _ = s.Persist(k)
			case 5:
				_, _ = s.Del(k)
			case 6:
				_, _ = s.HSet(k+"h", "f", "v")
				_, _ = s.PExpire(k+"h", int64(1+r.IntN(50)))
			case 7:
				time.Sleep(time.Duration(r.IntN(3)) * time.Millisecond)
				synctest.Wait()
			}
			if step%97 == 0 {
				checkIndex(t, sh)
			}
		}
		time.Sleep(time.Second)
		synctest.Wait()
		st := s.Stats()
		assert.Zero(t, st.Expires)
		n, _ := s.DBSize()
		assert.Equal(t, st.Keys, n)
		checkIndex(t, sh)
	})
}

// setPX is SET key val PX ms.
func setPX(s *Store, key, val string, ms int64) error {
	_, _, err := s.SetArgs(key, val, SetArgs{PX: ms})
	return err
}
