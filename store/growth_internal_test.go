package store

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGrowth_ReadersGoOn: a write that adds one key grows a full table
// before it shuts the lock-free readers out (seq odd), so that GET goes on
// reading the old slots during the copy. Each way of adding a key is tried
// on a table that the next key grows.
func TestGrowth_ReadersGoOn(t *testing.T) {
	for _, tc := range []struct {
		name    string
		replica bool
		add     func(s *Store, key string) error
	}{
		{"SET", false, func(s *Store, key string) error { return s.Set(key, "v") }},
		{"SET NX", false, func(s *Store, key string) error {
			_, err := s.SetNX(key, "v")
			return err
		}},
		{"INCR", false, func(s *Store, key string) error {
			_, err := s.Incr(key)
			return err
		}},
		{"HSET", false, func(s *Store, key string) error {
			_, err := s.HSet(key, "f", "v")
			return err
		}},
		{"replica SET", true, func(s *Store, key string) error { return s.Apply("SET", key, "v") }},
		{"replica SET PXAT", true, func(s *Store, key string) error {
			return s.Apply("SET", key, "v", "PXAT", "99999999999999")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(&Options{shards: 1})
			require.NoError(t, err)
			defer s.Close()
			sh := &s.shards[0]
			set := func(key string) {
				if tc.replica {
					require.NoError(t, s.Apply("SET", key, "v"))
				} else {
					require.NoError(t, s.Set(key, "v"))
				}
			}
			if tc.replica {
				require.NoError(t, s.SetReplica(true))
			}
			set("k")
			for i := 0; (sh.tab.used+1)*4 <= len(sh.tab.slots)*3; i++ {
				set("fill:" + strconv.Itoa(i))
			}
			size := len(sh.tab.slots)

			grows := 0
			testHookRehash = func(tb *table) {
				if tb != &sh.tab {
					return // another store's
				}
				grows++
				// The hook runs with the shard's lock held, as the copy
				// does: a GET that went to the lock would never return.
				if !assert.Zero(t, sh.seq.Load()&1, "the table grows with readers shut out") {
					return
				}
				v, ok, err := s.Get("k")
				assert.NoError(t, err)
				assert.True(t, ok)
				assert.Equal(t, "v", v)
			}
			defer func() { testHookRehash = nil }()
			require.NoError(t, tc.add(s, "new"))
			assert.Equal(t, 1, grows)
			assert.Greater(t, len(sh.tab.slots), size)
			assert.Zero(t, sh.seq.Load()&1)
		})
	}
}
