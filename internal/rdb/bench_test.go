package rdb_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/emberkv/ember/internal/rdb"
)

// keys1M returns 1M distinct 16-byte keys and one 64-byte value.
func keys1M() ([]string, string) {
	keys := make([]string, 1_000_000)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%012d", i)
	}
	return keys, strings.Repeat("v", 64)
}

// BenchmarkWriter_1MStrings encodes a full sync of 1M string keys (16-byte
// keys, 64-byte values): one op is the whole file.
func BenchmarkWriter_1MStrings(b *testing.B) {
	keys, value := keys1M()
	b.ReportAllocs()
	var size int64
	for b.Loop() {
		w := rdb.NewWriter(io.Discard, nil)
		if err := w.SelectDB(0, uint64(len(keys)), 0); err != nil {
			b.Fatal(err)
		}
		for _, k := range keys {
			if err := w.WriteString(k, value, 0); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = w.Written()
	}
	b.SetBytes(size)
}

// BenchmarkReader_1MStrings decodes the file BenchmarkWriter_1MStrings
// writes: one op is the whole file.
func BenchmarkReader_1MStrings(b *testing.B) {
	keys, value := keys1M()
	var buf bytes.Buffer
	w := rdb.NewWriter(&buf, nil)
	for _, k := range keys {
		if err := w.WriteString(k, value, 0); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := rdb.NewReader(bytes.NewReader(data), nil)
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != len(keys) {
			b.Fatalf("%d keys", n)
		}
	}
}

// BenchmarkReader_AllRDB decodes Redis's own all.rdb (strings, LZF,
// listpack and hash-table hashes, expiries).
func BenchmarkReader_AllRDB(b *testing.B) {
	data := readShared(b, "all.rdb")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := decodeAll(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCRC64(b *testing.B) {
	data := make([]byte, 64<<10)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rdb.CRC64(0, data)
	}
}
