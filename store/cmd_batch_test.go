package store_test

// Tests of the two batch forms: Pipeline (MULTI/EXEC) and Update
// (check-and-set holding the keys' locks).

import (
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

func TestPipeline_Counter(t *testing.T) {
	s := newStore(t)
	p := s.Pipeline()
	set := p.Set("counter:page:home", "0")
	incr := p.Incr("counter:page:home")
	get := p.Get("counter:page:home")
	assert.Equal(t, 3, p.Len())
	require.NoError(t, p.Exec())

	ok, err := set.Result()
	require.NoError(t, err)
	assert.Equal(t, "OK", ok)
	n, err := incr.Result()
	require.NoError(t, err)
	assert.Equal(t, int64(1), n)
	v, err := get.Result()
	require.NoError(t, err)
	assert.Equal(t, store.Value{Val: "1", OK: true}, v)
	assert.Zero(t, p.Len(), "Exec empties the pipeline")
}

func TestPipeline_ErrorsDoNotStopOthers(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "str", "abc")
	mustHSet(t, s, "h", "f", "v")

	p := s.Pipeline()
	r1 := p.Set("a", "1")
	r2 := p.Incr("str")            // not an integer
	r3 := p.HSet("str", "f", "v")  // wrong type
	r4 := p.Get("h")               // wrong type
	r5 := p.Rename("missing", "x") // no such key
	r6 := p.IncrBy("a", 41)        // sees r1
	r7 := p.SetArgs("b", "2", store.SetArgs{EX: -1})
	r8 := p.HGet("h", "f")
	r9 := p.MGet("a", "h", "missing")
	err := p.Exec()
	require.ErrorIs(t, err, store.ErrNotInteger, "Exec returns the first command error")

	assert.NoError(t, r1.Err())
	assert.ErrorIs(t, r2.Err(), store.ErrNotInteger)
	assert.ErrorIs(t, r3.Err(), store.ErrWrongType)
	assert.ErrorIs(t, r4.Err(), store.ErrWrongType)
	assert.ErrorIs(t, r5.Err(), store.ErrNoSuchKey)
	n, err := r6.Result()
	require.NoError(t, err)
	assert.Equal(t, int64(42), n)
	assert.ErrorIs(t, r7.Err(), store.ErrInvalidExpire)
	assert.Equal(t, store.Value{Val: "v", OK: true}, r8.Val())
	assert.Equal(t, []store.Value{{Val: "42", OK: true}, {}, {}}, r9.Val())

	// The commands that succeeded are applied; the failed ones changed nothing.
	assert.Equal(t, "42", getOr(t, s, "a"))
	assert.Equal(t, "abc", getOr(t, s, "str"))
	assert.Equal(t, "(nil)", getOr(t, s, "b"))
}

func TestPipeline_NotRun(t *testing.T) {
	s := newStore(t)
	p := s.Pipeline()
	require.NoError(t, p.Exec(), "an empty pipeline")

	r := p.Set("k", "v")
	assert.ErrorIs(t, r.Err(), store.ErrDiscarded, "before Exec")
	assert.Equal(t, "EXECABORT Transaction discarded because of previous errors.", r.Err().Error())
	p.Discard()
	assert.Zero(t, p.Len())
	require.NoError(t, p.Exec())
	assert.ErrorIs(t, r.Err(), store.ErrDiscarded, "after Discard")
	assert.Equal(t, "(nil)", getOr(t, s, "k"))

	// Exec on a closed store runs nothing.
	s2, err := store.New(nil)
	require.NoError(t, err)
	p = s2.Pipeline()
	set := p.Set("k", "v")
	get := p.Get("k")
	require.NoError(t, s2.Close())
	require.ErrorIs(t, p.Exec(), store.ErrClosed)
	assert.ErrorIs(t, set.Err(), store.ErrDiscarded)
	assert.ErrorIs(t, get.Err(), store.ErrDiscarded)
}

func TestPipeline_Commands(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		p := s.Pipeline()
		mset := p.MSet("a", "1", "b", "2")
		msetnx := p.MSetNX("a", "x", "c", "3")
		setnx := p.SetNX("c", "3")
		hset := p.HSet("h", "f", "1", "g", "2")
		hincr := p.HIncrBy("h", "f", 9)
		hall := p.HGetAll("h")
		expire := p.Expire("a", 10)
		ttl := p.TTL("a")
		copied := p.Copy("h", "h2", false)
		typ := p.Type("h2")
		del := p.Del("b", "missing")
		exists := p.Exists("a", "b", "c", "h", "h2")
		float := p.IncrByFloat("c", 0.5)
		getex := p.GetEx("c", store.GetExArgs{PX: 5})
		require.NoError(t, p.Exec())

		assert.Equal(t, "OK", mset.Val())
		assert.False(t, msetnx.Val())
		assert.True(t, setnx.Val())
		assert.Equal(t, int64(2), hset.Val())
		assert.Equal(t, int64(10), hincr.Val())
		assert.Equal(t, map[string]string{"f": "10", "g": "2"}, hall.Val())
		assert.True(t, expire.Val())
		assert.Equal(t, int64(10), ttl.Val())
		assert.True(t, copied.Val())
		assert.Equal(t, "hash", typ.Val())
		assert.Equal(t, int64(1), del.Val())
		assert.Equal(t, int64(4), exists.Val())
		assert.Equal(t, "3.5", float.Val())
		assert.Equal(t, store.Value{Val: "3.5", OK: true}, getex.Val())
		time.Sleep(5 * time.Millisecond)
		assert.Equal(t, "(nil)", getOr(t, s, "c"))
	})
}

// TestPipeline_Atomic runs a writer that increments two keys in one pipeline
// against readers that read both in one pipeline (or one MGET): no reader
// may see one increment without the other.
func TestPipeline_Atomic(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "a", "0", "b", "0")
	const writes = 2000
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for range writes {
			p := s.Pipeline()
			p.Incr("a")
			p.Incr("b")
			if err := p.Exec(); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for reader := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				var a, b store.Value
				if (i+reader)%2 == 0 {
					p := s.Pipeline()
					ra, rb := p.Get("a"), p.Get("b")
					if err := p.Exec(); err != nil {
						t.Error(err)
						return
					}
					a, b = ra.Val(), rb.Val()
				} else {
					vals, err := s.MGet("a", "b")
					if err != nil {
						t.Error(err)
						return
					}
					a, b = vals[0], vals[1]
				}
				if a != b {
					t.Errorf("saw a=%q b=%q: a partial pipeline", a.Val, b.Val)
					return
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, strconv.Itoa(writes), getOr(t, s, "a"))
	assert.Equal(t, strconv.Itoa(writes), getOr(t, s, "b"))
}

func TestUpdate_Commit(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "balance:alice", "100", "balance:bob", "20")
	err := s.Update([]string{"balance:alice", "balance:bob"}, func(tx *store.Tx) error {
		v, ok, err := tx.Get("balance:alice")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "100", v)
		if _, err := tx.DecrBy("balance:alice", 30); err != nil {
			return err
		}
		_, err = tx.IncrBy("balance:bob", 30)
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, "70", getOr(t, s, "balance:alice"))
	assert.Equal(t, "50", getOr(t, s, "balance:bob"))
}

// undoFixture fills s with keys of every kind that TestUpdate_Undo* change,
// and returns a check that they are all as they were.
func undoFixture(t *testing.T, s *store.Store) func() {
	mustSet(t, s, "str", "v", "ttl", "t", "del", "d", "ren", "r")
	mustHSet(t, s, "h", "f", "1", "g", "2")
	_, err := s.Expire("ttl", 100)
	require.NoError(t, err)
	_, err = s.Expire("del", 50)
	require.NoError(t, err)
	_, err = s.Expire("h", 70)
	require.NoError(t, err)
	return func() {
		t.Helper()
		assert.Equal(t, "v", getOr(t, s, "str"))
		assert.Equal(t, int64(-1), ttlOf(t, s, "str"))
		assert.Equal(t, "t", getOr(t, s, "ttl"))
		assert.Equal(t, int64(100), ttlOf(t, s, "ttl"))
		assert.Equal(t, "d", getOr(t, s, "del"))
		assert.Equal(t, int64(50), ttlOf(t, s, "del"))
		assert.Equal(t, "r", getOr(t, s, "ren"))
		assert.Equal(t, "(nil)", getOr(t, s, "new"))
		assert.Equal(t, "(nil)", getOr(t, s, "ren2"))
		m, err := s.HGetAll("h")
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"f": "1", "g": "2"}, m)
		assert.Equal(t, int64(70), ttlOf(t, s, "h"))
		n, _ := s.DBSize()
		assert.Equal(t, int64(5), n)

		// The restored TTLs are live: the keys still expire, and only they.
		time.Sleep(100 * time.Second)
		n, _ = s.Exists("str", "ttl", "del", "ren", "h")
		assert.Equal(t, int64(2), n)
	}
}

// writeEverything changes every key of undoFixture.
func writeEverything(t *testing.T, tx *store.Tx) {
	_, err := tx.Append("str", "x")
	require.NoError(t, err)
	_, err = tx.Expire("str", 5)
	require.NoError(t, err)
	_, err = tx.Persist("ttl")
	require.NoError(t, err)
	require.NoError(t, tx.Set("ttl", "changed"))
	_, err = tx.Del("del")
	require.NoError(t, err)
	require.NoError(t, tx.Set("new", "n"))
	require.NoError(t, tx.Rename("ren", "ren2"))
	_, err = tx.HSet("h", "f", "changed", "new", "x")
	require.NoError(t, err)
	_, err = tx.HDel("h", "g")
	require.NoError(t, err)
	_, err = tx.Expire("h", 1000)
	require.NoError(t, err)
	v, _, _ := tx.Get("str")
	require.Equal(t, "vx", v, "the transaction sees its own writes")
}

var undoKeys = []string{"str", "ttl", "del", "new", "ren", "ren2", "h"}

func TestUpdate_UndoOnError(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		check := undoFixture(t, s)
		errStop := errors.New("stop")
		err := s.Update(undoKeys, func(tx *store.Tx) error {
			writeEverything(t, tx)
			return errStop
		})
		require.ErrorIs(t, err, errStop, "Update returns fn's error")
		check()
	})
}

func TestUpdate_UndoOnCommandError(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "a", "1", "b", "x")
	err := s.Update([]string{"a", "b"}, func(tx *store.Tx) error {
		if _, err := tx.Incr("a"); err != nil {
			return err
		}
		_, err := tx.Incr("b")
		return err
	})
	require.ErrorIs(t, err, store.ErrNotInteger)
	assert.Equal(t, "1", getOr(t, s, "a"), "the first INCR is undone")
}

func TestUpdate_UndoOnPanic(t *testing.T) {
	inBubble(t, func(t *testing.T, s *store.Store) {
		check := undoFixture(t, s)
		func() {
			defer func() {
				assert.Equal(t, "boom", recover(), "the panic goes on")
			}()
			_ = s.Update(undoKeys, func(tx *store.Tx) error {
				writeEverything(t, tx)
				panic("boom")
			})
		}()
		// The locks were released: the store is usable.
		mustSet(t, s, "other", "1")
		_, err := s.Del("other")
		require.NoError(t, err)
		check()
	})
}

func TestUpdate_KeyNotLocked(t *testing.T) {
	// With many shards, these keys are in shards other than "a"'s. (A key
	// that shares a declared key's shard is not detected: see the report.)
	s, err := store.NewWithShards(nil, 1024)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	mustSet(t, s, "a", "1")
	errSeen := errors.New("seen")
	err = s.Update([]string{"a"}, func(tx *store.Tx) error {
		require.NoError(t, tx.Set("a", "2"))
		_, _, err := tx.Get("undeclared")
		assert.ErrorIs(t, err, store.ErrKeyNotLocked)
		err = tx.Set("undeclared2", "x")
		assert.ErrorIs(t, err, store.ErrKeyNotLocked)
		_, err = tx.MGet("a", "undeclared3")
		assert.ErrorIs(t, err, store.ErrKeyNotLocked)
		_, err = tx.Del("a", "undeclared4")
		assert.ErrorIs(t, err, store.ErrKeyNotLocked)
		return errSeen
	})
	require.ErrorIs(t, err, errSeen)
	assert.Equal(t, "1", getOr(t, s, "a"), "a multi-key command with an undeclared key changes nothing")
	for _, k := range []string{"undeclared", "undeclared2", "undeclared3", "undeclared4"} {
		assert.Equal(t, "(nil)", getOr(t, s, k))
	}
}

// TestUpdate_Atomic moves units between two keys in Update while readers
// check that the total never changes.
func TestUpdate_Atomic(t *testing.T) {
	s := newStore(t)
	mustSet(t, s, "x", "500", "y", "500")
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for i := range 1000 {
			from, to := "x", "y"
			if i%3 == 0 {
				from, to = to, from
			}
			err := s.Update([]string{from, to}, func(tx *store.Tx) error {
				if _, err := tx.DecrBy(from, 7); err != nil {
					return err
				}
				_, err := tx.IncrBy(to, 7)
				return err
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			vals, err := s.MGet("x", "y")
			if err != nil {
				t.Error(err)
				return
			}
			x, _ := strconv.Atoi(vals[0].Val)
			y, _ := strconv.Atoi(vals[1].Val)
			if x+y != 1000 {
				t.Errorf("x=%d y=%d: a partial Update", x, y)
				return
			}
		}
	}()
	wg.Wait()
	x, _ := strconv.Atoi(getOr(t, s, "x"))
	y, _ := strconv.Atoi(getOr(t, s, "y"))
	assert.Equal(t, 1000, x+y)
}
