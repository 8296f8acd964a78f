package rdb_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"runtime/metrics"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/rdb"
)

// craft builds an RDB file: magic with the given version, body, EOF and
// (for version >= 5) a correct CRC-64.
func craft(version string, body ...[]byte) []byte {
	data := []byte("REDIS" + version)
	for _, b := range body {
		data = append(data, b...)
	}
	data = append(data, 0xFF)
	if version >= "0005" {
		data = binary.LittleEndian.AppendUint64(data, rdb.CRC64(0, data))
	}
	return data
}

// s encodes a raw string shorter than 16 KiB.
func s(v string) []byte {
	if len(v) < 64 {
		return append([]byte{byte(len(v))}, v...)
	}
	return append([]byte{0x40 | byte(len(v)>>8), byte(len(v))}, v...)
}

// b concatenates byte pieces.
func b(parts ...any) []byte {
	var out []byte
	for _, p := range parts {
		switch p := p.(type) {
		case byte:
			out = append(out, p)
		case int:
			out = append(out, byte(p))
		case rune:
			out = append(out, byte(p))
		case []byte:
			out = append(out, p...)
		case string:
			out = append(out, p...)
		}
	}
	return out
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

func TestReader_Versions(t *testing.T) {
	for _, v := range []string{"0001", "0004", "0005", "0006", "0009", "0010"} {
		entries, r, err := decodeAll(craft(v, b(0, s("k"), s("v"))))
		require.NoError(t, err, v)
		assert.Len(t, entries, 1, v)
		assert.Equal(t, int(v[3]-'0')+10*int(v[2]-'0'), r.Version())
	}
	for _, data := range [][]byte{
		[]byte("REDIS0000\xff"),
		[]byte("REDIS0011\xff\x00\x00\x00\x00\x00\x00\x00\x00"),
		[]byte("REDIS0012"),
		[]byte("REDIX0010\xff"),
		[]byte("REDIS00a9\xff"),
		[]byte("REDIS"),
		[]byte(""),
	} {
		_, _, err := decodeAll(data)
		assert.ErrorIs(t, err, rdb.ErrVersion, "%q", data)
	}
	_, _, err := decodeAll([]byte("REDIS0011"))
	assert.ErrorContains(t, err, "can't handle RDB format version 11")
}

func TestReader_Opcodes(t *testing.T) {
	ms := func(v int64) []byte { return binary.LittleEndian.AppendUint64([]byte{0xFC}, uint64(v)) }
	data := craft("0010",
		b(0xFA, s("repl-id"), s("0123456789abcdef0123456789abcdef01234567")),
		b(0xFA, s("repl-offset"), 0xC1, 0xE8, 0x03), // int16 1000
		b(0xFA, s("repl-stream-db"), 0xC0, 0x00),
		b(0xF5, s("#!lua name=lib\nredis.register_function('f', function() return 1 end)")),
		b(0xF6, s("oldlib"), s("LUA"), 1, s("a description"), s("return 1")),
		// MODULE_AUX: id, when opcode 2, when 2, then int, uint, float, double, string, end.
		b(0xF7, 0x81, make([]byte, 8), 2, 2, 1, 5, 2, 0x40, 0x00, 3, 1, 2, 3, 4, 4, make([]byte, 8), 5, s("modstr"), 0),
		b(0xFE, 0x40, 0x10),             // SELECTDB 16 (14-bit length)
		b(0xFB, 0x80, 0, 0, 0x10, 0, 7), // RESIZEDB 4096 7
		b(0xFD, binary.LittleEndian.AppendUint32(nil, 2000000000), 0, s("sec"), s("1")),
		b(ms(0), 0, s("zero"), s("2")),
		b(ms(-1), 0, s("minus1"), s("3")),
		b(ms(-5000), 0, s("past"), s("4")),
		b(0xF8, 0x40, 0x80, 0xF9, 0x05, 0, s("hinted"), s("5")),
		b(0xFE, 0, 0, s("db0"), s("6")),
		b(0xFA, s("late-aux"), s("x")),
	)
	entries, r, err := decodeAll(data)
	require.NoError(t, err)
	got := map[string]rdb.Entry{}
	for _, e := range entries {
		got[e.Key] = e
	}
	assert.Equal(t, int64(2000000000000), got["sec"].ExpireAtMs, "seconds, a signed 32-bit value as Redis reads it")
	assert.Equal(t, int64(-1), got["zero"].ExpireAtMs, "a stored 0 is in the past, not 'none'")
	assert.Equal(t, int64(0), got["minus1"].ExpireAtMs, "a stored -1 is Redis's 'no expiry'")
	assert.Equal(t, int64(-5000), got["past"].ExpireAtMs)
	assert.Equal(t, int64(0), got["hinted"].ExpireAtMs, "expiry applies to one key only")
	assert.Equal(t, 16, got["hinted"].DB)
	assert.Equal(t, 0, got["db0"].DB)
	keys, exp := r.ResizeHint()
	assert.Equal(t, uint64(4096), keys)
	assert.Equal(t, uint64(7), exp)

	id, _ := r.AuxValue("repl-id")
	assert.Equal(t, "0123456789abcdef0123456789abcdef01234567", id)
	off, _ := r.AuxValue("repl-offset")
	assert.Equal(t, "1000", off)
	db, _ := r.AuxValue("repl-stream-db")
	assert.Equal(t, "0", db)
	late, _ := r.AuxValue("late-aux")
	assert.Equal(t, "x", late)
	assert.Equal(t, []string{
		"#!lua name=lib\nredis.register_function('f', function() return 1 end)",
		"#!LUA name=oldlib\nreturn 1",
	}, r.Functions())
}

func TestReader_SkippedTypes(t *testing.T) {
	lp := []byte{7, 0, 0, 0, 0, 0, 0xFF} // an empty listpack
	data := craft("0010",
		b(rdb.TypeList, s("list"), 2, s("a"), 0xC0, 1),
		b(rdb.TypeSet, s("set"), 1, s("m")),
		b(rdb.TypeZSet, s("zset1"), 4, s("a"), 3, "1.5", s("b"), 253, s("c"), 254, s("d"), 255),
		b(rdb.TypeZSet2, s("zset2"), 1, s("a"), make([]byte, 8)),
		b(rdb.TypeListZiplist, s("lzl"), s("blob")),
		b(rdb.TypeSetIntset, s("iset"), s("blob")),
		b(rdb.TypeZSetZiplist, s("zzl"), s("blob")),
		b(rdb.TypeListQuicklist, s("ql"), 2, s("blob1"), s("blob2")),
		b(rdb.TypeZSetListpack, s("zlp"), 0xC3, 4, 6, 0, 'h', 0x60, 0), // LZF-compressed, skipped undecoded
		b(rdb.TypeListQuicklist2, s("ql2"), 2, 1, s("plain"), 2, s("packed")),
		b(rdb.TypeHash, s("emptyhash"), 0),
		b(rdb.TypeHashListpack, s("emptylp"), len(lp), lp),
		b(rdb.TypeString, s("last"), s("ok")),
	)
	entries, _, err := decodeAll(data)
	require.NoError(t, err)
	var kinds []string
	for _, e := range entries {
		kinds = append(kinds, e.Key+":"+e.Kind.String()+":"+rdb.TypeName(e.Type))
	}
	assert.Equal(t, []string{
		"list:skipped:list", "set:skipped:set", "zset1:skipped:zset", "zset2:skipped:zset2",
		"lzl:skipped:list-ziplist", "iset:skipped:set-intset", "zzl:skipped:zset-ziplist",
		"ql:skipped:list-quicklist", "zlp:skipped:zset-listpack", "ql2:skipped:list-quicklist2",
		"emptyhash:skipped:hash", "emptylp:skipped:hash-listpack", "last:string:string",
	}, kinds)
}

func TestReader_Errors(t *testing.T) {
	big := func(n uint64) []byte { return binary.BigEndian.AppendUint64([]byte{0x81}, n) }
	tests := []struct {
		name string
		data []byte
		err  error
		text string
	}{
		{"stream", craft("0010", b(rdb.TypeStreamListpacks, s("st"))), rdb.ErrUnsupportedType, "stream"},
		{"stream2", craft("0010", b(rdb.TypeStreamListpacks2, s("st"))), rdb.ErrUnsupportedType, "stream2"},
		{"module", craft("0010", b(rdb.TypeModule2, s("m"))), rdb.ErrUnsupportedType, "module2"},
		{"module1", craft("0010", b(rdb.TypeModule, s("m"))), rdb.ErrUnsupportedType, "module"},
		{"zipmap", craft("0010", b(rdb.TypeHashZipmap, s("z"), s("blob"))), rdb.ErrUnsupportedType, "zipmap"},
		{"type 8", craft("0010", b(8, s("k"))), rdb.ErrCorrupt, "unknown value type 8"},
		{"type 20 (set listpack, 7.2)", craft("0010", b(20, s("k"))), rdb.ErrCorrupt, "unknown value type 20"},
		{"opcode 0xF4 (slot info, 7.4)", craft("0010", b(0xF4)), rdb.ErrCorrupt, "unknown value type 244"},
		{"bad length byte", craft("0010", b(0, 0x82)), rdb.ErrCorrupt, "bad length byte 0x82"},
		{"encoding as a count", craft("0010", b(rdb.TypeHash, s("h"), 0xC0, 1)), rdb.ErrCorrupt, "where a length"},
		{"unknown string encoding", craft("0010", b(0, s("k"), 0xC4)), rdb.ErrCorrupt, "unknown string encoding 4"},
		{"string above limit", craft("0010", b(0, s("k"), big(1<<62))), rdb.ErrCorrupt, "exceeds limit"},
		{"lzf above limit", craft("0010", b(0, s("k"), 0xC3, 1, big(1<<40))), rdb.ErrCorrupt, "exceeds limit"},
		{"lzf zero length", craft("0010", b(0, s("k"), 0xC3, 1, 0, 0)), rdb.ErrCorrupt, "zero length"},
		{"lzf impossible ratio", craft("0010", b(0, s("k"), 0xC3, 2, 0x80, 0, 1, 0, 0, 0, 0)), rdb.ErrCorrupt, "cannot expand"},
		{"lzf bad back reference", craft("0010", b(0, s("k"), 0xC3, 2, 3, 0x20, 0)), rdb.ErrCorrupt, "back reference"},
		{"lzf short output", craft("0010", b(0, s("k"), 0xC3, 2, 5, 0, 'a')), rdb.ErrCorrupt, "shorter"},
		{"listpack corrupt", craft("0010", b(rdb.TypeHashListpack, s("h"), s("not a listpack"))), rdb.ErrCorrupt, "listpack"},
		{"listpack odd", craft("0010", b(rdb.TypeHashListpack, s("h"), 10, 10, 0, 0, 0, 1, 0, 0x81, 'a', 2, 0xFF)), rdb.ErrCorrupt, "odd"},
		{"ziplist corrupt", craft("0009", b(rdb.TypeHashZiplist, s("h"), s("nope"))), rdb.ErrCorrupt, "ziplist"},
		{"selectdb too big", craft("0010", b(0xFE, 0x80, 0x80, 0, 0, 0)), rdb.ErrCorrupt, "SELECTDB"},
		{"module aux when", craft("0010", b(0xF7, 1, 1, 2)), rdb.ErrCorrupt, "when opcode"},
		{"module aux opcode", craft("0010", b(0xF7, 1, 2, 2, 9)), rdb.ErrCorrupt, "unknown opcode 9"},
		{"quicklist container", craft("0010", b(rdb.TypeListQuicklist2, s("l"), 1, 3, s("x"))), rdb.ErrCorrupt, "container 3"},
		{"checksum", append(craft("0010")[:10], 1, 2, 3, 4, 5, 6, 7, 8), rdb.ErrChecksum, "computed"},
		{"eof in key", []byte("REDIS0010\x00\x05ab"), io.ErrUnexpectedEOF, "truncated at offset 13"},
		{"eof in trailer", []byte("REDIS0010\xff\x00"), io.ErrUnexpectedEOF, "truncated"},
		{"no eof opcode", []byte("REDIS0010"), io.ErrUnexpectedEOF, "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := decodeAll(tt.data)
			require.ErrorIs(t, err, tt.err)
			assert.Contains(t, err.Error(), tt.text)
			assert.True(t, strings.HasPrefix(err.Error(), "rdb: "), err.Error())
		})
	}
}

func TestReader_KeyInError(t *testing.T) {
	_, _, err := decodeAll(craft("0010", b(rdb.TypeHashListpack, s("myhash"), s("garbage"))))
	require.ErrorIs(t, err, rdb.ErrCorrupt)
	assert.Contains(t, err.Error(), `(key "myhash")`)
}

func TestReader_SourceError(t *testing.T) {
	boom := io.ErrClosedPipe
	r := rdb.NewReader(io.MultiReader(bytes.NewReader([]byte("REDIS0010\x00")), iotest.ErrReader(boom)), nil)
	_, err := r.Next()
	require.ErrorIs(t, err, boom)
}

// TestReader_HugeLengthsDoNotAllocate: lengths and counts announce gigabytes
// but the data stops short; memory must follow the data.
func TestReader_HugeLengthsDoNotAllocate(t *testing.T) {
	big := func(n uint64) []byte { return binary.BigEndian.AppendUint64([]byte{0x81}, n) }
	u32 := func(n uint32) []byte { return binary.BigEndian.AppendUint32([]byte{0x80}, n) }
	opts := &rdb.ReaderOptions{MaxStringLen: math.MaxInt64}
	for _, data := range [][]byte{
		b("REDIS0010", 0, s("k"), u32(math.MaxInt32), "abc"),
		b("REDIS0010", 0, s("k"), big(math.MaxInt64), "abc"),
		b("REDIS0010", 0, s("k"), 0xC3, u32(1<<30), u32(1<<31), "abc"),
		b("REDIS0010", rdb.TypeHash, s("h"), big(1<<60), s("f"), s("v")),
		b("REDIS0010", rdb.TypeList, s("l"), big(1<<60), s("a")),
		b("REDIS0010", rdb.TypeHashListpack, s("h"), u32(math.MaxInt32), "abc"),
		b("REDIS0010", 0xFA, u32(math.MaxInt32), "abc"),
	} {
		var err error
		n := heapAllocs(func() {
			r := rdb.NewReader(bytes.NewReader(data), opts)
			for err == nil {
				_, err = r.Next()
			}
		})
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "%q", data)
		assert.Less(t, n, uint64(1<<20), "%q allocated %d bytes", data, n)
	}
}

// TestReader_SplitReads decodes a file through readers that return one byte
// at a time or fail midway, exercising every buffer boundary.
func TestReader_SplitReads(t *testing.T) {
	data := readShared(t, "all.rdb")
	want, _, err := decodeAll(data)
	require.NoError(t, err)
	r := rdb.NewReader(iotest.OneByteReader(bytes.NewReader(data)), nil)
	var got []rdb.Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, e)
	}
	assert.Equal(t, want, got)
	assert.True(t, r.ChecksumChecked())

	r = rdb.NewReader(iotest.DataErrReader(bytes.NewReader(data)), nil)
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, len(want), n)
}

func TestKind_String(t *testing.T) {
	assert.Equal(t, "string", rdb.KindString.String())
	assert.Equal(t, "hash", rdb.KindHash.String())
	assert.Equal(t, "skipped", rdb.KindSkipped.String())
	assert.Equal(t, "Kind(9)", rdb.Kind(9).String())
	assert.Equal(t, "type 42", rdb.TypeName(42))
	assert.Equal(t, "hash-listpack", rdb.TypeName(rdb.TypeHashListpack))
}
