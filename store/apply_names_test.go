package store_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

// TestCanApply checks the exported list of Apply's commands against what
// Apply does: every listed command is known to Apply (its error, if any, is
// not "unknown command"), in any case, and commands outside the list are
// refused as unknown.
func TestCanApply(t *testing.T) {
	names := store.ApplyCommands()
	require.NotEmpty(t, names)
	assert.IsIncreasing(t, names)
	for _, want := range []string{
		"SET", "SETNX", "GETDEL", "MSET", "MSETNX", "INCR", "DECR", "INCRBY", "DECRBY",
		"INCRBYFLOAT", "APPEND", "SETRANGE", "HSET", "HMSET", "HSETNX", "HDEL", "HINCRBY",
		"HINCRBYFLOAT", "DEL", "UNLINK", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT",
		"PERSIST", "RENAME", "RENAMENX", "COPY", "FLUSHALL", "FLUSHDB", "PING", "SELECT",
	} {
		assert.Contains(t, names, want, "the commands a Redis primary propagates")
	}
	s, err := store.New(nil)
	require.NoError(t, err)
	defer s.Close()
	for _, n := range names {
		for _, name := range []string{n, strings.ToLower(n)} {
			assert.True(t, store.CanApply(name), name)
			err := s.Apply(name, "k", "1", "2")
			if err != nil {
				assert.NotContains(t, err.Error(), "unknown command", name)
			}
		}
	}
	for _, n := range []string{"GET", "MULTI", "EXEC", "PUBLISH", "REPLCONF", "KEYS", "", "set "} {
		assert.False(t, store.CanApply(n), n)
		if n != "" {
			assert.ErrorContains(t, s.Apply(n, "k"), "unknown command", n)
		}
	}
}
