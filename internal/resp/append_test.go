package resp_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/emberkv/ember/internal/resp"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		got  []byte
		want string
	}{
		{resp.AppendSimpleString(nil, "OK"), "+OK\r\n"},
		{resp.AppendSimpleString(nil, "a\r\nb"), "+a  b\r\n"},
		{resp.AppendError(nil, "ERR syntax error"), "-ERR syntax error\r\n"},
		{resp.AppendError(nil, "WRONGTYPE Operation against a key holding the wrong kind of value"),
			"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
		{resp.AppendError(nil, "ERR bad\nline"), "-ERR bad line\r\n"},
		{resp.AppendInt(nil, 0), ":0\r\n"},
		{resp.AppendInt(nil, math.MinInt64), ":-9223372036854775808\r\n"},
		{resp.AppendNullBulk(nil), "$-1\r\n"},
		{resp.AppendNullArray(nil), "*-1\r\n"},
		{resp.AppendBulkLen(nil, 79), "$79\r\n"},
		{resp.AppendArrayLen(nil, 0), "*0\r\n"},
		{resp.AppendBulkString(nil, ""), "$0\r\n\r\n"},
		{resp.AppendBulk(nil, []byte("a\r\nb")), "$4\r\na\r\nb\r\n"},
		{resp.AppendArgs(nil, [][]byte{[]byte("PING")}), "*1\r\n$4\r\nPING\r\n"},
		{resp.AppendCommand(nil, "REPLCONF", "GETACK", "*"), "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n"},
		{resp.AppendCommand([]byte("prefix"), "ping"), "prefix*1\r\n$4\r\nping\r\n"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(tt.got))
	}
}

func TestAppend_NoAllocations(t *testing.T) {
	buf := make([]byte, 0, 1024)
	val := strings.Repeat("v", 64)
	allocs := testing.AllocsPerRun(100, func() {
		b := resp.AppendCommand(buf[:0], "SET", "key", val, "PXAT", "1795465510841")
		b = resp.AppendError(b, "ERR x")
		b = resp.AppendSimpleString(b, "OK")
		b = resp.AppendInt(b, 42)
		_ = resp.AppendNullBulk(b)
	})
	assert.Zero(t, allocs)
}

func ExampleReader_ReadCommand() {
	wire := resp.AppendCommand(nil, "SET", "greeting", "hello")
	wire = append(wire, "\r\nPING\r\n"...) // a keep-alive, then an inline command
	r := resp.NewReader(strings.NewReader(string(wire)), nil)
	var args [][]byte
	for {
		cmd, err := r.ReadCommand(args)
		if err != nil {
			break // io.EOF
		}
		args = cmd.Args
		fmt.Printf("%s %q %d bytes\n", cmd.Kind, args, cmd.Size)
	}
	// Output:
	// multibulk ["SET" "greeting" "hello"] 38 bytes
	// keepalive [] 2 bytes
	// inline ["PING"] 6 bytes
}
