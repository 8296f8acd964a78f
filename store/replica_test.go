package store_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

func TestStore_ReplicaRefusesProgramWrites(t *testing.T) {
	s, err := store.New(nil)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Set("k", "v"))
	require.NoError(t, s.SetReplica(true))
	assert.True(t, s.Replica())

	assert.ErrorIs(t, s.Set("k", "w"), store.ErrReadOnly)
	_, _, err = s.SetArgs("k", "w", store.SetArgs{NX: true})
	assert.ErrorIs(t, err, store.ErrReadOnly)
	_, _, err = s.SetArgs("k", "w", store.SetArgs{EX: 10})
	assert.ErrorIs(t, err, store.ErrReadOnly, "the path of SET with only an expiry")
	_, _, err = s.SetArgs("k", "w", store.SetArgs{})
	assert.ErrorIs(t, err, store.ErrReadOnly)
	_, err = s.Incr("k")
	assert.ErrorIs(t, err, store.ErrReadOnly)
	_, err = s.HSet("h", "f", "v")
	assert.ErrorIs(t, err, store.ErrReadOnly)
	_, err = s.Del("k")
	assert.ErrorIs(t, err, store.ErrReadOnly)
	assert.ErrorIs(t, s.Pipeline().Set("x", "y").Err(), store.ErrDiscarded)
	p := s.Pipeline()
	p.Set("x", "y")
	assert.ErrorIs(t, p.Exec(), store.ErrReadOnly)
	assert.EqualError(t, s.Set("k", "w"), "READONLY You can't write against a read only replica.")

	v, ok, err := s.Get("k")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "v", v, "reads go on, and the refused writes changed nothing")

	require.NoError(t, s.Apply("SET", "k", "from-master"))
	v, _, _ = s.Get("k")
	assert.Equal(t, "from-master", v)

	require.NoError(t, s.SetReplica(false))
	assert.NoError(t, s.Set("k", "mine again"))
}

// TestStore_ReplicaExpiry: a replica hides expired keys but keeps them until
// its master's DEL, and its master's commands still see them.
func TestStore_ReplicaExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := store.New(nil)
		require.NoError(t, err)
		defer s.Close()
		require.NoError(t, s.SetReplica(true))
		soon := strconv.FormatInt(time.Now().UnixMilli()+1000, 10)
		require.NoError(t, s.Apply("SET", "k", "5", "PXAT", soon))
		past := strconv.FormatInt(time.Now().UnixMilli()-1000, 10)
		require.NoError(t, s.Apply("SET", "gone", "x", "PXAT", past), "a past deadline does not delete on a replica")
		require.NoError(t, s.Apply("PEXPIREAT", "k", soon))

		time.Sleep(2 * time.Second)
		synctest.Wait()
		_, ok, _ := s.Get("k")
		assert.False(t, ok, "expired keys are hidden from reads")
		n, _ := s.DBSize()
		assert.Equal(t, int64(2), n, "but not removed")
		ttl, _ := s.TTL("k")
		assert.Equal(t, int64(-2), ttl)

		require.NoError(t, s.Apply("INCR", "k"), "the master still saw k")
		require.NoError(t, s.Apply("PERSIST", "k"))
		v, ok, _ := s.Get("k")
		assert.True(t, ok)
		assert.Equal(t, "6", v)

		require.NoError(t, s.Apply("DEL", "gone"))
		n, _ = s.DBSize()
		assert.Equal(t, int64(1), n)

		// Promoted, the store expires keys itself again.
		require.NoError(t, s.Apply("SET", "later", "x", "PXAT", past))
		require.NoError(t, s.SetReplica(false))
		synctest.Wait()
		n, _ = s.DBSize()
		assert.Equal(t, int64(1), n, "the sweepers removed what expired while a replica")
	})
}

// TestStore_GetAtDeadline reads keys on a replica, where no sweeper removes
// them, one millisecond before their deadline and at it: a string whose
// deadline is packed into its value (the common case) and one too long for
// that (kept in a box). Each read counts as a hit before and a miss at the
// deadline.
func TestStore_GetAtDeadline(t *testing.T) {
	long := strings.Repeat("v", 600<<10) // too long to pack a deadline with
	for _, val := range []string{"short", long} {
		t.Run(fmt.Sprintf("len=%d", len(val)), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, err := store.New(nil)
				require.NoError(t, err)
				defer s.Close()
				require.NoError(t, s.SetReplica(true))
				at := time.Now().UnixMilli() + 1000
				require.NoError(t, s.Apply("SET", "k", val, "PXAT", strconv.FormatInt(at, 10)))

				time.Sleep(999 * time.Millisecond)
				require.Equal(t, at-1, time.Now().UnixMilli())
				before := s.Stats()
				v, ok, err := s.Get("k")
				require.NoError(t, err)
				assert.True(t, ok, "visible a millisecond before its deadline")
				assert.Equal(t, val, v)
				after := s.Stats()
				assert.Equal(t, before.Hits+1, after.Hits)
				assert.Equal(t, before.Misses, after.Misses)

				time.Sleep(time.Millisecond)
				v, ok, err = s.Get("k")
				require.NoError(t, err)
				assert.False(t, ok, "gone at its deadline")
				assert.Empty(t, v)
				last := s.Stats()
				assert.Equal(t, after.Hits, last.Hits)
				assert.Equal(t, after.Misses+1, last.Misses)
			})
		})
	}
}

func TestStore_ReplicaRecordsNothing(t *testing.T) {
	s, err := store.New(nil)
	require.NoError(t, err)
	defer s.Close()
	f, err := s.Feed()
	require.NoError(t, err)
	require.NoError(t, s.SetReplica(true))
	f.Reset(1000)
	require.NoError(t, s.Apply("SET", "k", "v"))
	assert.Equal(t, int64(1000), f.Offset())
	raw := []byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
	assert.Equal(t, int64(1000+len(raw)), f.AppendRaw(raw))
	e, err := f.Reader(1000).Next(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []string{"SET", "k", "v"}, e.Args)
	_, err = f.ReadAt(make([]byte, 1), 999)
	assert.ErrorIs(t, err, store.ErrFeedTruncated)
}

func TestStore_LoadIsAtomic(t *testing.T) {
	s, err := store.New(nil)
	require.NoError(t, err)
	defer s.Close()
	const n = 5000
	require.NoError(t, s.SetReplica(true))
	load := func(prefix string) error {
		return s.Load(func(l *store.Loader) error {
			l.Reserve(n + 1)
			for i := range n {
				if err := l.Add(store.Entry{Key: fmt.Sprintf("%s%d", prefix, i), Value: prefix}); err != nil {
					return err
				}
			}
			return l.Add(store.Entry{Key: "h", Hash: true, Fields: []string{"f", prefix}, ExpireAt: time.Now().Add(time.Hour).UnixMilli()})
		})
	}
	require.NoError(t, load("old"))

	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			keys, err := s.Keys("*")
			assert.NoError(t, err)
			if len(keys) != n+1 {
				t.Errorf("a reader saw %d keys: a half-loaded store", len(keys))
				return
			}
		}
	}()
	for range 5 {
		require.NoError(t, load("new"))
		require.NoError(t, load("old"))
	}
	stop.Store(true)
	wg.Wait()
	h, err := s.HGetAll("h")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"f": "old"}, h)
	ttl, _ := s.TTL("h")
	assert.Equal(t, int64(3600), ttl)

	boom := errors.New("boom")
	err = s.Load(func(l *store.Loader) error {
		_ = l.Add(store.Entry{Key: "x", Value: "y"})
		return boom
	})
	assert.ErrorIs(t, err, boom)
	dbsize, _ := s.DBSize()
	assert.Equal(t, int64(n+1), dbsize, "a failed Load leaves the store as it was")

	require.NoError(t, s.SetReplica(false))
	assert.Error(t, s.Load(func(*store.Loader) error { return nil }), "Load needs replica mode")
}

// TestStore_ReplicaApplySetFastPath runs the same random stream through
// Apply on two replicas: one gets SET in upper case (the fast path of a
// plain SET), the other in lower case (the general path, a transaction).
// Every key, value, type and deadline must come out the same.
func TestStore_ReplicaApplySetFastPath(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fast, err := store.New(nil)
		require.NoError(t, err)
		defer fast.Close()
		slow, err := store.New(nil)
		require.NoError(t, err)
		defer slow.Close()
		require.NoError(t, fast.SetReplica(true))
		require.NoError(t, slow.SetReplica(true))

		r := rand.New(rand.NewPCG(3, 4))
		now := time.Now().UnixMilli()
		keys := make([]string, 40)
		for i := range keys {
			keys[i] = "k" + strconv.Itoa(i)
		}
		for n := range 5000 {
			k := keys[r.IntN(len(keys))]
			at := strconv.FormatInt(now+int64(r.IntN(4000))-1000, 10) // past deadlines too
			var cmd []string
			switch op := r.IntN(10); {
			case op < 4:
				cmd = []string{"SET", k, "v" + strconv.Itoa(n)}
			case op < 7:
				cmd = []string{"SET", k, "t" + strconv.Itoa(n), "PXAT", at}
			case op == 7:
				cmd = []string{"HSET", k, "f", "x"}
			case op == 8:
				cmd = []string{"PEXPIREAT", k, at}
			default:
				cmd = []string{"DEL", k}
			}
			errFast := fast.Apply(cmd...)
			lower := append([]string{strings.ToLower(cmd[0])}, cmd[1:]...)
			errSlow := slow.Apply(lower...)
			require.Equal(t, errSlow == nil, errFast == nil, "%v: %v vs %v", cmd, errFast, errSlow)
			if n%500 == 0 {
				time.Sleep(time.Second) // let deadlines pass: a replica keeps the keys
			}
		}
		for _, k := range keys {
			tf, err := fast.Type(k)
			require.NoError(t, err)
			ts, err := slow.Type(k)
			require.NoError(t, err)
			require.Equal(t, ts, tf, k)
			ef, _ := fast.PExpireTime(k)
			es, _ := slow.PExpireTime(k)
			assert.Equal(t, es, ef, "deadline of %s", k)
			if tf == "string" {
				vf, okf, _ := fast.Get(k)
				vs, oks, _ := slow.Get(k)
				assert.Equal(t, oks, okf, k)
				assert.Equal(t, vs, vf, k)
			}
		}
		sf, ss := fast.Stats(), slow.Stats()
		assert.Equal(t, ss.Keys, sf.Keys)
		assert.Equal(t, ss.Expires, sf.Expires)
		assert.Equal(t, ss.Commands, sf.Commands)
	})
}
