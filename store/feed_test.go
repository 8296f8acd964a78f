package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

// writeRandom runs n random writes of many kinds against s.
func writeRandom(s *store.Store, r *rand.Rand, n int) {
	for range n {
		k := "k" + strconv.Itoa(r.IntN(200))
		k2 := "k" + strconv.Itoa(r.IntN(200))
		f := "f" + strconv.Itoa(r.IntN(40))
		v := strconv.Itoa(r.IntN(100))
		switch r.IntN(16) {
		case 0:
			_ = s.Set(k, v)
		case 1:
			_, _, _ = s.SetArgs(k, v, store.SetArgs{PX: int64(r.IntN(100000) + 1)})
		case 2:
			_, _ = s.Incr(k)
		case 3:
			if r.IntN(2) == 0 {
				_, _ = s.HSet(k, f, v, f+"x", v)
			} else {
				_, _ = s.HSet(k, f, v) // one field: HSet's path without a transaction
			}
		case 4:
			_, _ = s.HDel(k, f)
		case 5:
			_, _ = s.Del(k, k2)
		case 6:
			_ = s.Rename(k, k2)
		case 7:
			_, _ = s.Expire(k, int64(r.IntN(1000)+1))
		case 8:
			_, _ = s.Persist(k)
		case 9:
			p := s.Pipeline()
			p.Set(k, v)
			p.HIncrBy(k2, f, 3)
			p.Expire(k2, 50)
			_ = p.Exec()
		case 10:
			_, _ = s.Copy(k, k2, r.IntN(2) == 0)
		case 11:
			_, _ = s.Append(k, v)
		case 12:
			_, _ = s.HIncrByFloat(k, f, 0.5)
		case 13:
			_, _, _ = s.GetEx(k, store.GetExArgs{PX: 5000})
		case 14:
			_ = s.MSet(k, v, k2, v)
		case 15:
			_, _ = s.SetRange(k, int64(r.IntN(5)), v)
		}
	}
}

// replay copies a snapshot of src into dst, then applies src's feed from
// the snapshot's offset up to offset end.
func loadSnapshot(t *testing.T, dst *store.Store, entries []store.Entry) {
	t.Helper()
	for _, e := range entries {
		if e.Hash {
			require.NoError(t, dst.Apply(append([]string{"HSET", e.Key}, e.Fields...)...))
			if e.ExpireAt != 0 {
				require.NoError(t, dst.Apply("PEXPIREAT", e.Key, strconv.FormatInt(e.ExpireAt, 10)))
			}
			continue
		}
		args := []string{"SET", e.Key, e.Value}
		if e.ExpireAt != 0 {
			args = append(args, "PXAT", strconv.FormatInt(e.ExpireAt, 10))
		}
		require.NoError(t, dst.Apply(args...))
	}
}

func applyFeed(t *testing.T, dst *store.Store, r *store.FeedReader, end int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var batch [][]string
	inMulti := false
	for off := int64(-1); off < end; {
		e, err := r.Next(ctx)
		require.NoError(t, err)
		off = e.Offset
		switch e.Args[0] {
		case "MULTI":
			inMulti = true
		case "EXEC":
			// A command in a batch may fail (WRONGTYPE) just as it did on
			// the source: errors are part of the history.
			_ = dst.ApplyBatch(batch)
			batch, inMulti = nil, false
		default:
			if inMulti {
				batch = append(batch, e.Args)
			} else {
				_ = dst.Apply(e.Args...)
			}
		}
	}
	require.False(t, inMulti, "feed ended inside MULTI")
}

// requireSameStore requires a and b to hold the same keys, values and
// deadlines.
func requireSameStore(t *testing.T, a, b *store.Store) {
	t.Helper()
	ka, err := a.Keys("*")
	require.NoError(t, err)
	kb, err := b.Keys("*")
	require.NoError(t, err)
	require.ElementsMatch(t, ka, kb)
	for _, k := range ka {
		ta, _ := a.Type(k)
		tb, _ := b.Type(k)
		require.Equal(t, ta, tb, k)
		if ta == "hash" {
			ha, _ := a.HGetAll(k)
			hb, _ := b.HGetAll(k)
			require.Equal(t, ha, hb, k)
		} else {
			va, _, _ := a.Get(k)
			vb, _, _ := b.Get(k)
			require.Equal(t, va, vb, k)
		}
		xa, _ := a.PExpireTime(k)
		xb, _ := b.PExpireTime(k)
		require.Equal(t, xa, xb, "deadline of %s", k)
	}
}

// TestFeed_SnapshotPlusFeedConverges takes a snapshot while writers run,
// then replays snapshot + feed into a second store: it must equal the first,
// key by key and deadline by deadline.
func TestFeed_SnapshotPlusFeedConverges(t *testing.T) {
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				src, err := store.NewWithShards(nil, 8)
				require.NoError(t, err)
				defer src.Close()
				writeRandom(src, rand.New(rand.NewPCG(seed, 0)), 2000)

				var wg sync.WaitGroup
				for w := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						writeRandom(src, rand.New(rand.NewPCG(seed, uint64(w)+1)), 3000)
					}()
				}
				var entries []store.Entry
				pos, err := src.Snapshot(func(e store.Entry) error {
					e.Fields = append([]string(nil), e.Fields...)
					entries = append(entries, e)
					return nil
				})
				require.NoError(t, err)
				wg.Wait()
				feed, err := src.Feed()
				require.NoError(t, err)
				end := feed.Offset()

				dst, err := store.New(nil)
				require.NoError(t, err)
				defer dst.Close()
				loadSnapshot(t, dst, entries)
				applyFeed(t, dst, feed.Reader(pos), end)
				requireSameStore(t, src, dst)
			})
		})
	}
}

// TestFeed_Effects pins the absolute form of each write's effect.
func TestFeed_Effects(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := store.New(nil)
		require.NoError(t, err)
		defer s.Close()
		f, err := s.Feed()
		require.NoError(t, err)
		r := f.Reader(f.Offset())
		at := time.Now().UnixMilli() + 10000
		ats := strconv.FormatInt(at, 10)
		steps := []struct {
			do   func()
			want [][]string
		}{
			{func() { _ = s.Set("k", "1") }, [][]string{{"SET", "k", "1"}}},
			{func() { _, _ = s.Expire("k", 10) }, [][]string{{"PEXPIREAT", "k", ats}}},
			{func() { _, _ = s.Incr("k") }, [][]string{{"SET", "k", "2", "KEEPTTL"}}},
			{func() { _, _, _ = s.SetArgs("s", "v", store.SetArgs{EX: 10}) }, [][]string{{"SET", "s", "v", "PXAT", ats}}},
			{func() { _, _, _ = s.SetArgs("s", "w", store.SetArgs{EX: 10}) }, [][]string{{"SET", "s", "w", "PXAT", ats}}},
			{func() { _, _, _ = s.SetArgs("s", "v", store.SetArgs{EX: 10}) }, [][]string{{"SET", "s", "v", "PXAT", ats}}},
			{func() { _, _, _ = s.SetArgs("p", "1", store.SetArgs{EX: 10}); _ = s.Set("p", "2") }, [][]string{{"SET", "p", "1", "PXAT", ats}, {"SET", "p", "2"}}},
			{func() { _, _ = s.HIncrBy("h", "f", 1) }, [][]string{{"HSET", "h", "f", "1"}}},
			{func() { _, _ = s.HDel("h", "f", "nope") }, [][]string{{"HDEL", "h", "f"}}},
			{func() { _, _ = s.Persist("k") }, [][]string{{"PERSIST", "k"}}},
			{func() { _ = s.Rename("s", "t") }, [][]string{{"MULTI"}, {"DEL", "s"}, {"SET", "t", "v", "PXAT", ats}, {"EXEC"}}},
			{func() { time.Sleep(11 * time.Second); synctest.Wait() }, [][]string{{"DEL", "t"}}},
			{func() { _, _ = s.Del("k", "missing") }, [][]string{{"DEL", "k"}}},
		}
		ctx := context.Background()
		for i, st := range steps {
			st.do()
			for _, w := range st.want {
				e, err := r.Next(ctx)
				require.NoError(t, err)
				assert.Equal(t, w, e.Args, "step %d", i)
			}
		}
		assert.Equal(t, f.Offset(), r.Offset(), "no effect beyond those expected")
	})
}

// TestFeed_Truncated: a reader that falls behind the backlog is told so.
func TestFeed_Truncated(t *testing.T) {
	s, err := store.New(&store.Options{FeedBacklog: 1024})
	require.NoError(t, err)
	defer s.Close()
	f, err := s.Feed()
	require.NoError(t, err)
	for i := range 100 {
		require.NoError(t, s.Set("key", strconv.Itoa(i)))
	}
	first, last := f.Backlog()
	assert.Equal(t, int64(1024), last-first+1)
	_, err = f.ReadAt(make([]byte, 10), 0)
	assert.ErrorIs(t, err, store.ErrFeedTruncated)
	_, err = f.ReadAt(make([]byte, 10), first-1)
	assert.NoError(t, err)
}

// TestFeed_WaitersWakeAtTheirPosition: a waiter is released once the feed
// has gone past the position it waits for, and not before, whatever the
// other waiters wait for; closing the store releases them all.
func TestFeed_WaitersWakeAtTheirPosition(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := store.New(nil)
		require.NoError(t, err)
		f, err := s.Feed()
		require.NoError(t, err)
		start := f.Offset()
		var near, far, never atomic.Bool
		go func() { assert.NoError(t, f.Wait(t.Context(), start)); near.Store(true) }()
		go func() { assert.NoError(t, f.Wait(t.Context(), start+200)); far.Store(true) }()
		go func() {
			assert.ErrorIs(t, f.Wait(t.Context(), start+1<<40), store.ErrClosed)
			never.Store(true)
		}()
		synctest.Wait()
		assert.False(t, near.Load())

		require.NoError(t, s.Set("k", "v")) // about 30 bytes
		synctest.Wait()
		assert.True(t, near.Load())
		assert.False(t, far.Load(), "the feed is not at start+200 yet")

		for f.Offset() <= start+200 {
			require.NoError(t, s.Set("k", "v"))
		}
		synctest.Wait()
		assert.True(t, far.Load())
		assert.False(t, never.Load())

		require.NoError(t, s.Close())
		synctest.Wait()
		assert.True(t, never.Load())
	})
}

// TestFeed_RingModel writes raw chunks of random sizes (some larger than the
// ring) into a small feed, resets it now and then at a random offset, and
// checks every position it still holds against a model: all bytes written
// since the last reset, at their offsets.
func TestFeed_RingModel(t *testing.T) {
	const size = 97 // not a power of two: wrap-around at odd places
	s, err := store.New(&store.Options{FeedBacklog: size})
	require.NoError(t, err)
	defer s.Close()
	f, err := s.Feed()
	require.NoError(t, err)
	rng := rand.New(rand.NewPCG(7, 11))
	var model []byte // bytes since the last reset; model[i] has offset base+1+i
	base := f.Offset()
	for step := range 2000 {
		if rng.IntN(50) == 0 {
			base = rng.Int64N(1 << 40)
			f.Reset(base)
			model = model[:0]
			continue
		}
		chunk := make([]byte, rng.IntN(2*size)+1)
		for i := range chunk {
			chunk[i] = byte(rng.Uint32())
		}
		model = append(model, chunk...)
		require.Equal(t, base+int64(len(model)), f.AppendRaw(chunk), "step %d", step)

		first, last := f.Backlog()
		require.Equal(t, base+int64(len(model)), last)
		require.Equal(t, max(base, last-size)+1, first)
		pos := first - 1 + rng.Int64N(last-first+1) // read from a random held position on
		buf := make([]byte, rng.IntN(2*size)+1)
		n, err := f.ReadAt(buf, pos)
		require.NoError(t, err)
		want := model[pos-base:]
		require.Equal(t, min(len(buf), len(want)), n)
		require.Equal(t, want[:n], buf[:n], "step %d: ReadAt(%d)", step, pos)
		if first > base+1 {
			_, err := f.ReadAt(buf, first-2)
			require.ErrorIs(t, err, store.ErrFeedTruncated)
		}
	}
}
