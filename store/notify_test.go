package store_test

import (
	"errors"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

type event struct {
	class      byte
	event, key string
}

// TestStore_Notify pins the keyspace events each command sends, with
// Redis's classes and names.
func TestStore_Notify(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var got []event
		s, err := store.New(&store.Options{Notify: func(class byte, ev, key string) {
			mu.Lock()
			got = append(got, event{class, ev, key})
			mu.Unlock()
		}})
		require.NoError(t, err)
		defer s.Close()
		take := func() []event {
			synctest.Wait()
			mu.Lock()
			defer mu.Unlock()
			out := got
			got = nil
			return out
		}
		steps := []struct {
			name string
			do   func()
			want []event
		}{
			{"SET", func() { _ = s.Set("k", "1") }, []event{{'$', "set", "k"}}},
			{"SET EX first", func() { _, _, _ = s.SetArgs("k", "1", store.SetArgs{EX: 100}) }, []event{{'$', "set", "k"}, {'g', "expire", "k"}}},
			{"SET PX over a TTL", func() { _, _, _ = s.SetArgs("k", "2", store.SetArgs{PX: 200_000}) }, []event{{'$', "set", "k"}, {'g', "expire", "k"}}},
			{"SET over a TTL", func() { _ = s.Set("k", "3") }, []event{{'$', "set", "k"}}},
			{"SET EX", func() { _, _, _ = s.SetArgs("k", "1", store.SetArgs{EX: 100}) }, []event{{'$', "set", "k"}, {'g', "expire", "k"}}},
			{"SET NX fails", func() { _, _, _ = s.SetArgs("k", "1", store.SetArgs{NX: true}) }, nil},
			{"INCR", func() { _, _ = s.Incr("k") }, []event{{'$', "incrby", "k"}}},
			{"INCRBYFLOAT", func() { _, _ = s.IncrByFloat("k", 1.5) }, []event{{'$', "incrbyfloat", "k"}}},
			{"APPEND", func() { _, _ = s.Append("k", "x") }, []event{{'$', "append", "k"}}},
			{"SETRANGE", func() { _, _ = s.SetRange("k", 0, "y") }, []event{{'$', "setrange", "k"}}},
			{"PERSIST", func() { _, _ = s.Persist("k") }, []event{{'g', "persist", "k"}}},
			{"EXPIRE", func() { _, _ = s.Expire("k", 10) }, []event{{'g', "expire", "k"}}},
			{"RENAME", func() { _ = s.Rename("k", "j") }, []event{{'g', "rename_from", "k"}, {'g', "rename_to", "j"}}},
			{"COPY", func() { _, _ = s.Copy("j", "c", false) }, []event{{'g', "copy_to", "c"}}},
			{"expiry", func() { time.Sleep(11 * time.Second) }, []event{{'x', "expired", "c"}, {'x', "expired", "j"}}},
			{"HSET", func() { _, _ = s.HSet("h", "f", "1") }, []event{{'h', "hset", "h"}}},
			{"HINCRBY", func() { _, _ = s.HIncrBy("h", "f", 1) }, []event{{'h', "hincrby", "h"}}},
			{"HDEL last", func() { _, _ = s.HDel("h", "f") }, []event{{'h', "hdel", "h"}, {'g', "del", "h"}}},
			{"GETDEL", func() { _ = s.Set("g", "1"); _, _, _ = s.GetDel("g") }, []event{{'$', "set", "g"}, {'g', "del", "g"}}},
			{"DEL", func() { _ = s.Set("d", "1"); _, _ = s.Del("d", "missing") }, []event{{'$', "set", "d"}, {'g', "del", "d"}}},
			{"MSET of 3 (more than a Tx keeps inline)", func() { _ = s.MSet("m1", "1", "m2", "2", "m3", "3") }, []event{{'$', "set", "m1"}, {'$', "set", "m2"}, {'$', "set", "m3"}}},
			{"Update rolled back", func() {
				_ = s.Update([]string{"u1", "u2", "u3"}, func(tx *store.Tx) error {
					_ = tx.Set("u1", "1")
					_ = tx.Set("u2", "2")
					_ = tx.Set("u3", "3")
					return errors.New("changed my mind")
				})
			}, nil},
			{"Update", func() {
				_ = s.Update([]string{"u1", "u2", "u3"}, func(tx *store.Tx) error {
					_ = tx.Set("u1", "1")
					_ = tx.Set("u2", "2")
					return tx.Set("u3", "3")
				})
			}, []event{{'$', "set", "u1"}, {'$', "set", "u2"}, {'$', "set", "u3"}}},
			{"EXPIRE 0", func() { _ = s.Set("z", "1"); _, _ = s.Expire("z", 0) }, []event{{'$', "set", "z"}, {'g', "del", "z"}}},
		}
		for _, st := range steps {
			st.do()
			got := take()
			if st.name == "expiry" {
				assert.ElementsMatch(t, st.want, got, st.name)
				continue
			}
			assert.Equal(t, st.want, got, st.name)
		}
	})
}
