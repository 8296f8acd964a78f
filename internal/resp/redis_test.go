package resp_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/resp"
	"github.com/emberkv/ember/internal/resp/resptest"
)

// roundTrip writes raw to a fresh connection and reads one reply.
func roundTrip(t *testing.T, s *resptest.Server, raw []byte) resp.Value {
	t.Helper()
	c := s.Dial(t)
	defer c.Close()
	_, err := c.Write(raw)
	require.NoError(t, err)
	v, err := resp.NewReader(c, nil).ReadValue()
	require.NoError(t, err)
	return v
}

// TestRedis_ProtocolErrors sends malformed requests to a real redis-server
// and checks that our reader rejects them with the reason Redis gives.
func TestRedis_ProtocolErrors(t *testing.T) {
	s := resptest.StartRedis(t, "")
	long := strings.Repeat("1", 70000)
	for _, in := range []string{
		"*abc\r\n",
		"*2147483648\r\n",
		"*01\r\n",
		"*+1\r\n",
		"*1\r\n:1\r\n",
		"*1\r\nPING\r\n",
		"*1\r\n$-1\r\n",
		"*1\r\n$x\r\n",
		"*1\r\n$-0\r\n",
		"*1\r\n$536870913\r\n",
		"*" + long,
		"*1\r\n$" + long,
		"PING " + long + long,
		"SET \"a\r\n",
		"SET 'a\r\n",
		"SET \"a\"b\r\n",
		"SET 'it''s'\r\n",
		"SET '\\\\'\r\n",
		"SET \"a\\\r\n",
	} {
		v := roundTrip(t, s, []byte(in))
		require.Equal(t, resp.Error, v.Type, "%.40q: %s", in, v.Str)
		redisReason, ok := strings.CutPrefix(string(v.Str), "ERR Protocol error: ")
		require.True(t, ok, "%.40q: %s", in, v.Str)

		_, err := resp.NewReader(strings.NewReader(in), nil).ReadCommand(nil)
		require.Error(t, err, "%.40q", in)
		assert.Equal(t, redisReason, reasonOf(t, err), "%.40q", in)
	}
}

// TestRedis_InlineSplitting checks our inline splitting against Redis's:
// each argument list is pushed with an inline RPUSH and read back.
func TestRedis_InlineSplitting(t *testing.T) {
	s := resptest.StartRedis(t, "")
	c := s.Dial(t)
	r := resp.NewReader(c, nil)
	for _, tail := range []string{
		`a b c`,
		`"hello world" 'single' mixed"quoted part" x`,
		`"\n\r\t\b\a\\\"\q\x41\x4\xzz\xFf"`,
		`'\' \n \\ "'`,
		"\v\f lead \x0b vt\vinside",
		"a\rb",
		`"" '' x`,
		"\"a\"\t'b'",
		// No NUL byte: Redis looks for the newline with strchr, so it never
		// completes an inline line holding one (it waits for 64 KiB).
	} {
		line := "RPUSH L " + tail + "\r\nLRANGE L 0 -1\r\nDEL L\r\n"
		_, err := c.Write([]byte(line))
		require.NoError(t, err)
		for range 3 {
			v, err := r.ReadValue()
			require.NoError(t, err)
			if v.Type != resp.Array {
				continue
			}
			var redisArgs []string
			for _, e := range v.Elems {
				redisArgs = append(redisArgs, string(e.Str))
			}
			cmd, err := resp.NewReader(strings.NewReader("RPUSH L "+tail+"\r\n"), nil).ReadCommand(nil)
			require.NoError(t, err)
			assert.Equal(t, redisArgs, strs(cmd.Args[2:]), "%q", tail)
		}
	}
}

// TestRedis_Replies reads real replies of every RESP2 type.
func TestRedis_Replies(t *testing.T) {
	s := resptest.StartRedis(t, "")
	c := s.Dial(t)
	var out []byte
	for _, cmd := range [][]string{
		{"SET", "k", "a\r\nb"},
		{"GET", "k"},
		{"GET", "missing"},
		{"INCR", "n"},
		{"HSET", "h", "f", "v"},
		{"HGETALL", "h"},
		{"GET", "h"},
		{"EXEC"},
		{"PING"},
	} {
		out = resp.AppendCommand(out, cmd...)
	}
	_, err := c.Write(out)
	require.NoError(t, err)
	r := resp.NewReader(c, nil)
	want := []resp.Value{
		{Type: resp.SimpleString, Str: []byte("OK")},
		{Type: resp.BulkString, Str: []byte("a\r\nb")},
		{Type: resp.BulkString, Null: true},
		{Type: resp.Integer, Int: 1},
		{Type: resp.Integer, Int: 1},
		{Type: resp.Array, Elems: []resp.Value{{Type: resp.BulkString, Str: []byte("f")}, {Type: resp.BulkString, Str: []byte("v")}}},
		{Type: resp.Error, Str: []byte("WRONGTYPE Operation against a key holding the wrong kind of value")},
		{Type: resp.Error, Str: []byte("ERR EXEC without MULTI")},
		{Type: resp.SimpleString, Str: []byte("PONG")},
	}
	for _, w := range want {
		v, err := r.ReadValue()
		require.NoError(t, err)
		assert.True(t, w.Equal(v), "want %q got %+v (%s)", resp.AppendValue(nil, w), v, resp.AppendValue(nil, v))
	}
}

// TestRedis_ReplicaStream attaches as a replica with SYNC and reads the
// payload and the command stream that follows with our reader.
func TestRedis_ReplicaStream(t *testing.T) {
	s := resptest.StartRedis(t, "", "--repl-diskless-sync", "no")
	c := s.Dial(t)
	r := resp.NewReader(c, nil)
	write := func(args ...string) {
		_, err := c.Write(resp.AppendCommand(nil, args...))
		require.NoError(t, err)
	}
	write("REPLCONF", "capa", "psync2")
	v, err := r.ReadValue()
	require.NoError(t, err)
	require.Equal(t, "OK", string(v.Str))
	write("PSYNC", "?", "-1")

	var header []byte
	for {
		line, err := r.ReadLine()
		require.NoError(t, err)
		if len(line) == 0 {
			continue
		}
		if line[0] == '$' {
			header = bytes.Clone(line)
			break
		}
		require.True(t, bytes.HasPrefix(line, []byte("+FULLRESYNC ")), "%q", line)
	}
	p, err := r.Payload(header)
	require.NoError(t, err)
	var payload bytes.Buffer
	_, err = payload.ReadFrom(p)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(payload.Bytes(), []byte("REDIS0010")))

	other := s.Dial(t)
	_, err = other.Write(resp.AppendCommand(nil, "SET", "streamed", "1"))
	require.NoError(t, err)
	_, err = resp.NewReader(other, nil).ReadValue()
	require.NoError(t, err)

	var got [][]string
	for len(got) == 0 || got[len(got)-1][0] != "SET" {
		cmd, err := r.ReadCommand(nil)
		require.NoError(t, err)
		require.Equal(t, resp.Multibulk, cmd.Kind)
		got = append(got, strs(cmd.Args))
	}
	assert.Equal(t, []string{"SET", "streamed", "1"}, got[len(got)-1])
	assert.Contains(t, got, []string{"SELECT", "0"})
}
