package store_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

// TestStats_KeyspaceHitsAsRedis checks which commands count keyspace hits
// and misses, and how many, against what redis-server 7.0.15 reports in
// INFO stats after each command on a fresh dataset {a: "1", h: {f: v}}
// (taken with CONFIG RESETSTAT; "m" is a missing key). Redis counts every
// read lookup (lookupKeyRead*, TYPE, TTL, EXISTS, COPY's source, SET's GET
// option, and SCAN's type check of each key its MATCH lets through) and no
// write lookup.
func TestStats_KeyspaceHitsAsRedis(t *testing.T) {
	for _, tc := range []struct {
		cmd          string
		run          func(s *store.Store) error
		hits, misses uint64
	}{
		{"TYPE a", func(s *store.Store) error { _, err := s.Type("a"); return err }, 1, 0},
		{"TYPE m", func(s *store.Store) error { _, err := s.Type("m"); return err }, 0, 1},
		{"TTL a", func(s *store.Store) error { _, err := s.TTL("a"); return err }, 1, 0},
		{"TTL m", func(s *store.Store) error { _, err := s.TTL("m"); return err }, 0, 1},
		{"PTTL a", func(s *store.Store) error { _, err := s.PTTL("a"); return err }, 1, 0},
		{"EXPIRETIME a", func(s *store.Store) error { _, err := s.ExpireTime("a"); return err }, 1, 0},
		{"STRLEN a", func(s *store.Store) error { _, err := s.StrLen("a"); return err }, 1, 0},
		{"STRLEN m", func(s *store.Store) error { _, err := s.StrLen("m"); return err }, 0, 1},
		{"GETRANGE a 0 1", func(s *store.Store) error { _, err := s.GetRange("a", 0, 1); return err }, 1, 0},
		{"COPY a b", func(s *store.Store) error { _, err := s.Copy("a", "b", false); return err }, 1, 0},
		{"COPY m b", func(s *store.Store) error { _, err := s.Copy("m", "b", false); return err }, 0, 1},
		{"SET a 2 GET", func(s *store.Store) error { _, _, err := s.SetArgs("a", "2", store.SetArgs{Get: true}); return err }, 1, 0},
		{"SET m 2 GET", func(s *store.Store) error { _, _, err := s.SetArgs("m", "2", store.SetArgs{Get: true}); return err }, 0, 1},
		{"PERSIST a", func(s *store.Store) error { _, err := s.Persist("a"); return err }, 0, 0},
		{"EXPIRE a 100", func(s *store.Store) error { _, err := s.Expire("a", 100); return err }, 0, 0},
		{"DEL m", func(s *store.Store) error { _, err := s.Del("m"); return err }, 0, 0},
		{"RENAME a c", func(s *store.Store) error { return s.Rename("a", "c") }, 0, 0},
		{"HLEN h", func(s *store.Store) error { _, err := s.HLen("h"); return err }, 1, 0},
		{"HEXISTS h f", func(s *store.Store) error { _, err := s.HExists("h", "f"); return err }, 1, 0},
		{"HSTRLEN h f", func(s *store.Store) error { _, err := s.HStrLen("h", "f"); return err }, 1, 0},
		{"HRANDFIELD h", func(s *store.Store) error { _, err := s.HRandField("h", 1, false); return err }, 1, 0},
		{"HSCAN h 0", func(s *store.Store) error { _, _, err := s.HScan("h", 0, "", 10); return err }, 1, 0},
		{"HGETALL h", func(s *store.Store) error { _, err := s.HGetAll("h"); return err }, 1, 0},
		{"HKEYS h", func(s *store.Store) error { _, err := s.HKeys("h"); return err }, 1, 0},
		{"HVALS h", func(s *store.Store) error { _, err := s.HVals("h"); return err }, 1, 0},
		{"HMGET h f", func(s *store.Store) error { _, err := s.HMGet("h", "f"); return err }, 1, 0},
		{"GETEX a", func(s *store.Store) error { _, _, err := s.GetEx("a", store.GetExArgs{}); return err }, 1, 0},
		{"GETDEL a", func(s *store.Store) error { _, _, err := s.GetDel("a"); return err }, 1, 0},
		{"INCR n", func(s *store.Store) error { _, err := s.Incr("n"); return err }, 0, 0},
		{"APPEND a x", func(s *store.Store) error { _, err := s.Append("a", "x"); return err }, 0, 0},
		{"SETRANGE a 0 x", func(s *store.Store) error { _, err := s.SetRange("a", 0, "x"); return err }, 0, 0},
		{"EXISTS a m", func(s *store.Store) error { _, err := s.Exists("a", "m"); return err }, 1, 1},
		{"DBSIZE", func(s *store.Store) error { _, err := s.DBSize(); return err }, 0, 0},
		{"RANDOMKEY", func(s *store.Store) error { _, _, err := s.RandomKey(); return err }, 0, 0},
		{"KEYS *", func(s *store.Store) error { _, err := s.Keys("*"); return err }, 0, 0},
		{"SCAN 0", func(s *store.Store) error { _, _, err := s.Scan(0, "", 10, ""); return err }, 0, 0},
		{"SCAN 0 TYPE string", func(s *store.Store) error { _, _, err := s.Scan(0, "", 10, "string"); return err }, 2, 0},
		{"SCAN 0 MATCH a TYPE string", func(s *store.Store) error { _, _, err := s.Scan(0, "a", 10, "string"); return err }, 1, 0},
		{"SCAN 0 MATCH h TYPE string", func(s *store.Store) error { _, _, err := s.Scan(0, "h", 10, "string"); return err }, 1, 0},
	} {
		t.Run(tc.cmd, func(t *testing.T) {
			s, err := store.New(nil)
			require.NoError(t, err)
			defer s.Close()
			require.NoError(t, s.Set("a", "1"))
			_, err = s.HSet("h", "f", "v")
			require.NoError(t, err)
			before := s.Stats()
			require.NoError(t, tc.run(s))
			after := s.Stats()
			assert.Equal(t, tc.hits, after.Hits-before.Hits, "hits")
			assert.Equal(t, tc.misses, after.Misses-before.Misses, "misses")
		})
	}
}
