package store

import (
	"fmt"
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

// entries counts the index's entries not yet taken by the sweeper, stale
// ones included.
func (x *expiryIndex) entries() int {
	n := 0
	if x.tree != nil {
		x.tree.Ascend(func(b *expiryBucket) bool {
			n += len(b.keys) - b.next
			return true
		})
	}
	return n
}

// checkIndex verifies shard sh's index against its table: every key with a
// deadline has an entry in the bucket of its deadline, live counts them, and
// live + stale counts the entries.
func checkIndex(t *testing.T, sh *shard) {
	t.Helper()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	in := map[uint64]map[int64]bool{}
	if sh.exp.tree != nil {
		sh.exp.tree.Ascend(func(b *expiryBucket) bool {
			for _, h := range b.keys[b.next:] {
				if in[h] == nil {
					in[h] = map[int64]bool{}
				}
				in[h][b.at] = true
			}
			return true
		})
	}
	live := 0
	sh.tab.all(func(key string, v value) bool {
		if at := v.deadline(); at != 0 {
			live++
			assert.True(t, in[hashKey(key)][at], "key %q with deadline %d has no entry", key, at)
		}
		return true
	})
	assert.Equal(t, live, sh.exp.live)
	assert.Equal(t, sh.exp.entries(), sh.exp.live+sh.exp.stale)
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
