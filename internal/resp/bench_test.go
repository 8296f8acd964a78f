package resp_test

import (
	"strings"
	"testing"

	"github.com/emberkv/ember/internal/resp"
)

// setCommand is a SET with a 16-byte key and a 64-byte value.
var setCommand = resp.AppendCommand(nil, "SET", "key:000000000001", strings.Repeat("v", 64))

func BenchmarkReader_ReadCommand(b *testing.B) {
	r := resp.NewReader(&repeatReader{data: setCommand}, nil)
	var args [][]byte
	b.ReportAllocs()
	b.SetBytes(int64(len(setCommand)))
	for b.Loop() {
		cmd, err := r.ReadCommand(args)
		if err != nil {
			b.Fatal(err)
		}
		args = cmd.Args
	}
}

func BenchmarkReader_ReadCommandInline(b *testing.B) {
	line := []byte("SET key:000000000001 \"" + strings.Repeat("v", 62) + "\"\r\n")
	r := resp.NewReader(&repeatReader{data: line}, nil)
	var args [][]byte
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		cmd, err := r.ReadCommand(args)
		if err != nil {
			b.Fatal(err)
		}
		args = cmd.Args
	}
}

func BenchmarkReader_ReadValue(b *testing.B) {
	r := resp.NewReader(&repeatReader{data: setCommand}, nil)
	b.ReportAllocs()
	b.SetBytes(int64(len(setCommand)))
	for b.Loop() {
		if _, err := r.ReadValue(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendCommand(b *testing.B) {
	key, val := "key:000000000001", strings.Repeat("v", 64)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = resp.AppendCommand(buf[:0], "SET", key, val)
	}
}
