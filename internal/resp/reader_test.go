package resp_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"math"
	"runtime/metrics"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/resp"
)

// halves returns a reader that delivers data in two reads split at its
// middle, to exercise frames cut across reads.
func halves(data []byte) io.Reader {
	return &splitReader{data: data, cut: len(data) / 2}
}

type splitReader struct {
	data []byte
	cut  int
	pos  int
}

func (s *splitReader) Read(p []byte) (int, error) {
	if s.pos >= len(s.data) {
		return 0, io.EOF
	}
	end := len(s.data)
	if s.pos < s.cut {
		end = s.cut
	}
	n := copy(p, s.data[s.pos:end])
	s.pos += n
	return n, nil
}

// heapAllocs returns the bytes allocated on the heap while f runs.
func heapAllocs(f func()) uint64 {
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(sample)
	before := sample[0].Value.Uint64()
	f()
	metrics.Read(sample)
	return sample[0].Value.Uint64() - before
}

func strs(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

func reasonOf(t *testing.T, err error) string {
	t.Helper()
	var pe *resp.ProtocolError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, resp.ErrProtocol)
	assert.True(t, strings.HasPrefix(err.Error(), "resp: "), err.Error())
	return pe.Reason
}

func TestReader_ReadCommand(t *testing.T) {
	tests := []struct {
		name string
		in   string
		args []string
		kind resp.RequestKind
	}{
		{"set", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", []string{"SET", "k", "v"}, resp.Multibulk},
		{"empty bulk", "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", []string{"ECHO", ""}, resp.Multibulk},
		{"binary bulk", "*1\r\n$5\r\na\r\n\x00b\r\n", []string{"a\r\n\x00b"}, resp.Multibulk},
		{"zero count", "*0\r\n", []string{}, resp.Multibulk},
		{"null array", "*-1\r\n", []string{}, resp.Multibulk},
		{"negative count is ignored like Redis", "*-5\r\n", []string{}, resp.Multibulk},
		{"crlf keepalive", "\r\n", []string{}, resp.KeepAlive},
		{"lf keepalive", "\n", []string{}, resp.KeepAlive},
		{"blank inline", "  \t \r\n", []string{}, resp.Inline},
		{"inline", "PING\r\n", []string{"PING"}, resp.Inline},
		{"inline lf only", "SET a b\n", []string{"SET", "a", "b"}, resp.Inline},
		{"inline sync", "SYNC\r\n", []string{"SYNC"}, resp.Inline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, src := range []io.Reader{
				strings.NewReader(tt.in),
				halves([]byte(tt.in)),
				iotest.OneByteReader(strings.NewReader(tt.in)),
			} {
				r := resp.NewReader(src, nil)
				cmd, err := r.ReadCommand(nil)
				require.NoError(t, err)
				assert.Equal(t, tt.args, strs(cmd.Args))
				assert.Equal(t, tt.kind, cmd.Kind)
				assert.Equal(t, int64(len(tt.in)), cmd.Size)
				assert.Equal(t, int64(len(tt.in)), r.InputOffset())
				_, err = r.ReadCommand(cmd.Args)
				assert.Equal(t, io.EOF, err)
			}
		})
	}
}

func TestReader_ReadCommand_Sequence(t *testing.T) {
	cmds := [][]string{{"SELECT", "0"}, {"SET", "a", "1", "PXAT", "1795465510841"}, {"ping"}}
	var wire []byte
	var sizes []int64
	for _, c := range cmds {
		before := len(wire)
		wire = resp.AppendCommand(wire, c...)
		sizes = append(sizes, int64(len(wire)-before))
	}
	// Sizes as seen by Redis (redis-wire.md 2.6): SELECT 0 = 23, that SET = 57, ping = 14.
	require.Equal(t, []int64{23, 57, 14}, sizes)
	wire = append(wire, "\n"...)

	r := resp.NewReader(halves(wire), nil)
	var args [][]byte
	for i, c := range cmds {
		cmd, err := r.ReadCommand(args)
		require.NoError(t, err)
		assert.Equal(t, c, strs(cmd.Args))
		assert.Equal(t, sizes[i], cmd.Size)
		args = cmd.Args
	}
	cmd, err := r.ReadCommand(args)
	require.NoError(t, err)
	assert.Equal(t, resp.KeepAlive, cmd.Kind)
	assert.Equal(t, int64(1), cmd.Size)
	assert.Equal(t, int64(len(wire)), r.InputOffset())
}

func TestReader_ReadCommandStrings(t *testing.T) {
	r := resp.NewReader(strings.NewReader("*2\r\n$3\r\nGET\r\n$1\r\nk\r\nECHO 'x y'\r\n"), nil)
	args, cmd, err := r.ReadCommandStrings(nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"GET", "k"}, args)
	assert.Equal(t, resp.Multibulk, cmd.Kind)
	args, cmd, err = r.ReadCommandStrings(args)
	require.NoError(t, err)
	assert.Equal(t, []string{"ECHO", "x y"}, args)
	assert.Equal(t, resp.Inline, cmd.Kind)
	_, _, err = r.ReadCommandStrings(args)
	assert.Equal(t, io.EOF, err)
}

func TestReader_ReadCommand_Errors(t *testing.T) {
	long := strings.Repeat("1", 70000)
	tests := []struct {
		name   string
		in     string
		opts   *resp.ReaderOptions
		reason string
	}{
		{"count not a number", "*abc\r\n", nil, "invalid multibulk length"},
		{"count above INT_MAX", "*2147483648\r\n", nil, "invalid multibulk length"},
		{"count with leading zero", "*01\r\n$1\r\na\r\n", nil, "invalid multibulk length"},
		{"count with plus", "*+1\r\n", nil, "invalid multibulk length"},
		{"count empty", "*\r\n", nil, "invalid multibulk length"},
		{"count without CR", "*1\n", nil, "invalid multibulk length"},
		{"count above option", "*3\r\n", &resp.ReaderOptions{MaxArrayLen: 2}, "invalid multibulk length"},
		{"integer instead of bulk", "*1\r\n:1\r\n", nil, "expected '$', got ':'"},
		{"empty line instead of bulk", "*1\r\n\r\n", nil, "expected '$', got '\r'"},
		{"inline instead of bulk", "*1\r\nPING\r\n", nil, "expected '$', got 'P'"},
		{"raw byte instead of bulk", "*1\r\n\xff\r\n", nil, "expected '$', got '\xff'"},
		{"null bulk in request", "*1\r\n$-1\r\n", nil, "invalid bulk length"},
		{"bulk length not a number", "*1\r\n$x\r\n", nil, "invalid bulk length"},
		{"bulk length -0", "*1\r\n$-0\r\n", nil, "invalid bulk length"},
		{"bulk above 512MiB", "*1\r\n$536870913\r\n", nil, "invalid bulk length"},
		{"bulk above option", "*1\r\n$5\r\nhello\r\n", &resp.ReaderOptions{MaxBulkLen: 4}, "invalid bulk length"},
		{"bulk length overflow", "*1\r\n$99999999999999999999\r\n", nil, "invalid bulk length"},
		{"bad bulk terminator", "*1\r\n$3\r\nfooXY", nil, "expected CRLF after bulk data"},
		{"bulk without CR", "*1\r\n$3\r\nfoo\n\n", nil, "expected CRLF after bulk data"},
		{"too big count line", "*" + long, nil, "too big mbulk count string"},
		{"too big count line with newline", "*" + long + "\r\n", nil, "too big mbulk count string"},
		{"too big bulk line", "*1\r\n$" + long, nil, "too big bulk count string"},
		{"too big inline", "PING " + long + long, nil, "too big inline request"},
		{"too big inline with newline", strings.Repeat("a", 65537) + "\r\n", nil, "too big inline request"},
		{"too big inline option", "PING 123\r\n", &resp.ReaderOptions{MaxLineLen: 4}, "too big inline request"},
		{"unterminated double quote", "SET \"a\r\n", nil, "unbalanced quotes in request"},
		{"unterminated single quote", "SET 'a\r\n", nil, "unbalanced quotes in request"},
		{"text after closing quote", "SET \"a\"b\r\n", nil, "unbalanced quotes in request"},
		{"adjacent single quotes", "SET 'it''s'\r\n", nil, "unbalanced quotes in request"},
		{"backslash at end in quotes", "SET \"a\\\r\n", nil, "unbalanced quotes in request"},
		{"escaped quote closes nothing", `SET '\\'` + "\r\n", nil, "unbalanced quotes in request"},
		{"NUL inside quotes", "SET \"a\x00\"\r\n", nil, "unbalanced quotes in request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := resp.NewReader(halves([]byte(tt.in)), tt.opts)
			_, err := r.ReadCommand(nil)
			require.Error(t, err)
			assert.Equal(t, tt.reason, reasonOf(t, err))
		})
	}
}

func TestReader_ReadCommand_Truncated(t *testing.T) {
	full := "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
	for i := 1; i < len(full); i++ {
		r := resp.NewReader(strings.NewReader(full[:i]), nil)
		_, err := r.ReadCommand(nil)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d", i)
	}
	r := resp.NewReader(strings.NewReader("PING"), nil)
	_, err := r.ReadCommand(nil)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)

	r = resp.NewReader(strings.NewReader(""), nil)
	_, err = r.ReadCommand(nil)
	assert.Equal(t, io.EOF, err)

	boom := errors.New("boom")
	r = resp.NewReader(iotest.ErrReader(boom), nil)
	_, err = r.ReadCommand(nil)
	assert.ErrorIs(t, err, boom)
}

func TestReader_Inline(t *testing.T) {
	tests := []struct {
		line string
		args []string
	}{
		{`set a b`, []string{"set", "a", "b"}},
		{"  lead and trail  ", []string{"lead", "and", "trail"}},
		{"tab\tsep", []string{"tab", "sep"}},
		{"\v\fvt", []string{"vt"}},                 // any isspace is skipped before a token
		{"a\vb", []string{"a\vb"}},                 // but only SP, TAB, CR, LF end one
		{"a\rb", []string{"a", "b"}},               // a CR inside the line separates
		{`"hello world"`, []string{"hello world"}}, // double quotes group
		{`"a\nb\rc\td\be\af"`, []string{"a\nb\rc\td\be\af"}},
		{`"\\ \" \q"`, []string{`\ " q`}}, // other escapes give the byte
		{`"\x41\x7a\xff\x00"`, []string{"Az\xff\x00"}},
		{`"\x4"`, []string{"x4"}}, // \x without two hex digits: just x
		{`"\xg1"`, []string{"xg1"}},
		{`'single \' quote'`, []string{"single ' quote"}},
		{`'no \n escapes'`, []string{`no \n escapes`}},
		{`'a\\b'`, []string{`a\\b`}},
		{`a"b c" d`, []string{"ab c", "d"}}, // a quote may open mid-token
		{`""`, []string{""}},
		{`'' x`, []string{"", "x"}},
		{`"a" "b"`, []string{"a", "b"}},
		{"\"a\"\t'b'", []string{"a", "b"}},
		{"cut\x00 after NUL", []string{"cut"}},
		{"x \x00\"unterminated", []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			r := resp.NewReader(strings.NewReader(tt.line+"\r\n"), nil)
			cmd, err := r.ReadCommand(nil)
			require.NoError(t, err)
			assert.Equal(t, resp.Inline, cmd.Kind)
			assert.Equal(t, tt.args, strs(cmd.Args))
		})
	}
}

func TestReader_ReadCommand_ReusesBuffers(t *testing.T) {
	wire := resp.AppendCommand(nil, "SET", "key:0000000001", strings.Repeat("v", 64))
	src := &repeatReader{data: wire}
	r := resp.NewReader(src, nil)
	var args [][]byte
	cmd, err := r.ReadCommand(args)
	require.NoError(t, err)
	args = cmd.Args
	allocs := testing.AllocsPerRun(1000, func() {
		cmd, err := r.ReadCommand(args)
		if err != nil || len(cmd.Args) != 3 {
			panic(err)
		}
		args = cmd.Args
	})
	assert.Zero(t, allocs)
}

// repeatReader returns data over and over.
type repeatReader struct {
	data []byte
	pos  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.data[r.pos:])
		n += c
		r.pos = (r.pos + c) % len(r.data)
	}
	return n, nil
}

func TestReader_HugeHeadersDoNotAllocate(t *testing.T) {
	tests := []struct {
		in      string
		command bool // ReadCommand, else ReadValue
	}{
		{"*1\r\n$2147483647\r\nabc", true},
		{"*2147483647\r\n$1\r\na\r\n", true},
		{"*1\r\n$9223372036854775807\r\nabc", true},
		{"$2147483647\r\nabc", false},
		{"*2147483647\r\n*2147483647\r\n:1\r\n", false},
	}
	for _, tt := range tests {
		var err error
		n := heapAllocs(func() {
			r := resp.NewReader(strings.NewReader(tt.in), &resp.ReaderOptions{MaxBulkLen: math.MaxInt64})
			if tt.command {
				_, err = r.ReadCommand(nil)
			} else {
				_, err = r.ReadValue()
			}
		})
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "%q", tt.in)
		assert.Less(t, n, uint64(1<<20), "%q allocated %d bytes", tt.in, n)
	}
}

func TestReader_LargeBulk(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 300_000) // 4.8 MB, many chunks
	wire := resp.AppendArgs(nil, [][]byte{[]byte("SET"), []byte("k"), big})
	wire = resp.AppendCommand(wire, "PING")
	r := resp.NewReader(halves(wire), &resp.ReaderOptions{MaxBulkLen: 8 << 20})
	cmd, err := r.ReadCommand(nil)
	require.NoError(t, err)
	require.Len(t, cmd.Args, 3)
	assert.True(t, bytes.Equal(big, cmd.Args[2]))
	cmd, err = r.ReadCommand(cmd.Args)
	require.NoError(t, err)
	assert.Equal(t, []string{"PING"}, strs(cmd.Args))
}

func TestReader_ReadValue(t *testing.T) {
	tests := []struct {
		in   string
		want resp.Value
	}{
		{"+OK\r\n", resp.Value{Type: resp.SimpleString, Str: []byte("OK")}},
		{"+\r\n", resp.Value{Type: resp.SimpleString, Str: []byte{}}},
		{"-ERR syntax error\r\n", resp.Value{Type: resp.Error, Str: []byte("ERR syntax error")}},
		{":0\r\n", resp.Value{Type: resp.Integer}},
		{":-9223372036854775808\r\n", resp.Value{Type: resp.Integer, Int: math.MinInt64}},
		{":9223372036854775807\r\n", resp.Value{Type: resp.Integer, Int: math.MaxInt64}},
		{"$3\r\nhey\r\n", resp.Value{Type: resp.BulkString, Str: []byte("hey")}},
		{"$0\r\n\r\n", resp.Value{Type: resp.BulkString, Str: []byte{}}},
		{"$-1\r\n", resp.Value{Type: resp.BulkString, Null: true}},
		{"*-1\r\n", resp.Value{Type: resp.Array, Null: true}},
		{"*0\r\n", resp.Value{Type: resp.Array, Elems: []resp.Value{}}},
		{"*2\r\n*1\r\n:1\r\n$-1\r\n", resp.Value{Type: resp.Array, Elems: []resp.Value{
			{Type: resp.Array, Elems: []resp.Value{{Type: resp.Integer, Int: 1}}},
			{Type: resp.BulkString, Null: true},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r := resp.NewReader(halves([]byte(tt.in)), nil)
			v, err := r.ReadValue()
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(v), "got %+v", v)
			assert.Equal(t, tt.in, string(resp.AppendValue(nil, v)))
			_, err = r.ReadValue()
			assert.Equal(t, io.EOF, err)
		})
	}
}

func TestReader_ReadValue_Errors(t *testing.T) {
	deep := strings.Repeat("*1\r\n", 65) + ":1\r\n"
	tests := []struct {
		in     string
		reason string
	}{
		{"?x\r\n", "got '?' as reply type byte"},
		{"\r\n", "got '\r' as reply type byte"},
		{"\n", "got '\n' as reply type byte"},
		{"+OK\n", "expected CRLF at end of line"},
		{"+O\rK\r\n", "CR inside simple string"},
		{":1.5\r\n", "invalid integer"},
		{":\r\n", "invalid integer"},
		{":9223372036854775808\r\n", "invalid integer"},
		{"$-2\r\n", "invalid bulk length"},
		{"$536870913\r\n", "invalid bulk length"},
		{"$3\r\nheyyy", "expected CRLF after bulk data"},
		{"*-2\r\n", "invalid multibulk length"},
		{"*2147483648\r\n", "invalid multibulk length"},
		{"*1\r\n?\r\n", "got '?' as reply type byte"},
		{deep, "too deeply nested array"},
		{"+" + strings.Repeat("a", 70000) + "\r\n", "too big line"},
	}
	for _, tt := range tests {
		r := resp.NewReader(strings.NewReader(tt.in), nil)
		_, err := r.ReadValue()
		require.Error(t, err, "%q", tt.in)
		assert.Equal(t, tt.reason, reasonOf(t, err), "%q", tt.in)
	}
	r := resp.NewReader(strings.NewReader(strings.Repeat("*1\r\n", 64)+":1\r\n"), nil)
	_, err := r.ReadValue()
	assert.NoError(t, err, "64 levels are allowed")

	for _, in := range []string{"+OK", "*2\r\n:1\r\n", "$3\r\nhe"} {
		r := resp.NewReader(strings.NewReader(in), nil)
		_, err := r.ReadValue()
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "%q", in)
	}
}

func TestReader_ReadLine(t *testing.T) {
	r := resp.NewReader(halves([]byte("\n\n+FULLRESYNC 0123 1000\r\nno-cr\nrest")), nil)
	for _, want := range []string{"", "", "+FULLRESYNC 0123 1000", "no-cr"} {
		line, err := r.ReadLine()
		require.NoError(t, err)
		assert.Equal(t, want, string(line))
	}
	_, err := r.ReadLine()
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)

	r = resp.NewReader(strings.NewReader(strings.Repeat("x", 70000)+"\n"), nil)
	_, err = r.ReadLine()
	assert.Equal(t, "too big line", reasonOf(t, err))

	r = resp.NewReader(strings.NewReader(strings.Repeat("x", 20000)+"\n"), nil)
	line, err := r.ReadLine()
	require.NoError(t, err, "a line longer than the bufio buffer but within the limit")
	assert.Len(t, line, 20000)
}

func TestReader_SizedPayload(t *testing.T) {
	rdb := bytes.Repeat([]byte{0xAB, '\r', '\n'}, 10000)
	wire := []byte("\n+FULLRESYNC 0123456789abcdef0123456789abcdef01234567 1000\r\n\n")
	wire = resp.AppendBulkLen(wire, int64(len(rdb)))
	wire = append(wire, rdb...)
	wire = resp.AppendCommand(wire, "SELECT", "0")

	r := resp.NewReader(halves(wire), nil)
	var lines []string
	var header []byte
	for {
		line, err := r.ReadLine()
		require.NoError(t, err)
		if len(line) == 0 {
			continue // keep-alive
		}
		if line[0] == '$' {
			header = line
			break
		}
		lines = append(lines, string(line))
	}
	assert.Equal(t, []string{"+FULLRESYNC 0123456789abcdef0123456789abcdef01234567 1000"}, lines)
	p, err := r.Payload(header)
	require.NoError(t, err)
	assert.Equal(t, int64(len(rdb)), p.Len())
	assert.Nil(t, p.Mark())
	got, err := io.ReadAll(p)
	require.NoError(t, err)
	assert.Equal(t, rdb, got)

	start := r.InputOffset()
	cmd, err := r.ReadCommand(nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"SELECT", "0"}, strs(cmd.Args))
	assert.Equal(t, int64(len(wire)), start+cmd.Size)

	r = resp.NewReader(strings.NewReader("abc"), nil)
	p, err = r.Payload([]byte("$5"))
	require.NoError(t, err)
	_, err = io.ReadAll(p)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestReader_EOFMarkPayload(t *testing.T) {
	mark := []byte("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0")
	tests := map[string][]byte{
		"empty":           {},
		"short":           []byte("REDIS0010\xff"),
		"partial marks":   append(append([]byte("x"), mark[:39]...), mark[:20]...),
		"large":           bytes.Repeat([]byte("payload "), 50000),
		"mark prefix end": append([]byte("abc"), mark[:39]...),
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			wire := append([]byte("$EOF:"), mark...)
			wire = append(wire, "\r\n"...)
			wire = append(wire, body...)
			wire = append(wire, mark...)
			wire = resp.AppendCommand(wire, "PING")
			for _, src := range []io.Reader{
				bytes.NewReader(wire),
				halves(wire),
				iotest.OneByteReader(bytes.NewReader(wire)),
			} {
				r := resp.NewReader(src, nil)
				header, err := r.ReadLine()
				require.NoError(t, err)
				p, err := r.Payload(header)
				require.NoError(t, err)
				assert.Equal(t, int64(-1), p.Len())
				assert.Equal(t, mark, p.Mark())
				got, err := io.ReadAll(p)
				require.NoError(t, err)
				assert.True(t, bytes.Equal(body, got), "payload differs: %d vs %d bytes", len(got), len(body))
				cmd, err := r.ReadCommand(nil)
				require.NoError(t, err, "stream after the mark")
				assert.Equal(t, []string{"PING"}, strs(cmd.Args))
			}
		})
	}

	r := resp.NewReader(strings.NewReader("no mark here"), nil)
	p, err := r.Payload(append([]byte("$EOF:"), mark...))
	require.NoError(t, err)
	_, err = io.ReadAll(p)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestReader_PayloadHeaderErrors(t *testing.T) {
	r := resp.NewReader(strings.NewReader(""), nil)
	for _, h := range []string{"", "$", "+OK", "$-1", "$abc", "$EOF:short", "*3"} {
		_, err := r.Payload([]byte(h))
		assert.Equal(t, "invalid payload header", reasonOf(t, err), "%q", h)
	}
	p, err := r.Payload([]byte("$EOF:" + strings.Repeat("m", 45)))
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("m", 40), string(p.Mark()), "a longer mark is cut to 40 bytes, like Redis")
}

func TestReader_RawRead(t *testing.T) {
	r := resp.NewReader(strings.NewReader("+OK\r\nrawbytes*1\r\n$4\r\nPING\r\n"), nil)
	_, err := r.ReadLine()
	require.NoError(t, err)
	buf := make([]byte, 8)
	_, err = io.ReadFull(r, buf)
	require.NoError(t, err)
	assert.Equal(t, "rawbytes", string(buf))
	assert.Equal(t, int64(13), r.InputOffset())
	assert.Positive(t, r.Buffered())
	cmd, err := r.ReadCommand(nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"PING"}, strs(cmd.Args))

	r.Reset(strings.NewReader("PING\r\n"))
	assert.Zero(t, r.InputOffset())
	cmd, err = r.ReadCommand(nil)
	require.NoError(t, err)
	assert.Equal(t, resp.Inline, cmd.Kind)

	// A caller's bufio.Reader is used as is and never reset by Reset.
	mine := bufio.NewReader(strings.NewReader("+OK\r\nleft"))
	r = resp.NewReader(mine, nil)
	_, err = r.ReadLine()
	require.NoError(t, err)
	r.Reset(strings.NewReader("PING\r\n"))
	rest, err := io.ReadAll(mine)
	require.NoError(t, err)
	assert.Equal(t, "left", string(rest))
}

func TestRequestKind_String(t *testing.T) {
	assert.Equal(t, "multibulk", resp.Multibulk.String())
	assert.Equal(t, "inline", resp.Inline.String())
	assert.Equal(t, "keepalive", resp.KeepAlive.String())
	assert.Equal(t, "bulk string", resp.BulkString.String())
}
