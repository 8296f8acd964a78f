package rdb_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/rdb"
)

// sharedDir holds real RDB files written by redis-server 7.0.15, described
// in its MANIFEST.md.
const sharedDir = "../../../shared/testdata/rdb"

func readShared(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sharedDir, name))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not found", sharedDir)
	}
	require.NoError(t, err)
	return data
}

// decodeAll reads every entry of data.
func decodeAll(data []byte) ([]rdb.Entry, *rdb.Reader, error) {
	r := rdb.NewReader(bytes.NewReader(data), nil)
	var entries []rdb.Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			return entries, r, nil
		}
		if err != nil {
			return entries, r, err
		}
		entries = append(entries, e)
	}
}

// want is the expected decoding of one key.
type want struct {
	db     int
	typ    byte
	kind   rdb.Kind
	value  string
	fields []string // alternating; compared in order unless unordered
	expire int64
	// unordered: the fields of a hash table (type 4) come in hash order.
	unordered bool
}

func str(v string) want { return want{typ: rdb.TypeString, kind: rdb.KindString, value: v} }

func listpackHash(fields ...string) want {
	return want{typ: rdb.TypeHashListpack, kind: rdb.KindHash, fields: fields}
}

func tableHash(fields ...string) want {
	return want{typ: rdb.TypeHash, kind: rdb.KindHash, fields: fields, unordered: true}
}

func skipped(typ byte) want { return want{typ: typ, kind: rdb.KindSkipped} }

func (w want) withExpire(ms int64) want { w.expire = ms; return w }
func (w want) inDB(db int) want         { w.db = db; return w }

func numberedPairs(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("field:%03d", i), fmt.Sprintf("value:%03d", i))
	}
	return out
}

const (
	exp2100    = 4102444800000 // 2100-01-01T00:00:00.000Z
	exp2100End = 4133980799123 // 2100-12-31T23:59:59.123Z
)

var (
	stringsKeys = map[string]want{
		"greeting": str("hello world"),
		"empty":    str(""),
		"binary":   str("a\x00b\r\nc\xff"),
		"utf8":     str("h\xc3\xa9llo \xe2\x98\x83"),
		"":         str("empty key name"),
	}
	intsKeys = map[string]want{
		"i_small": str("7"), "i_neg8": str("-100"), "i16": str("1000"), "i_neg16": str("-30000"),
		"i32": str("100000"), "i_neg32": str("-2000000000"), "i64": str("12345678901"),
		"lead0": str("007"), "plus": str("+5"), "float": str("3.14"),
	}
	lzfKeys = map[string]want{
		"long_a":    str(strings.Repeat("a", 1000)),
		"long_text": str(strings.Repeat("The quick brown fox jumps over the lazy dog. ", 20)),
		"short20":   str(strings.Repeat("b", 20)),
	}
	hashSmallKeys = map[string]want{
		"h_small": listpackHash("f1", "v1", "n7", "7", "neg", "-5", "k1000", "1000", "k30000", "30000",
			"k8m", "8000000", "k2g", "2000000000", "k9g", "9000000000", "lead0", "007", "empty", "",
			"v63", strings.Repeat("x", 63), "v64", strings.Repeat("y", 64), "123", "numeric field name"),
	}
	hash600Keys      = map[string]want{"h600": tableHash(numberedPairs(600)...)}
	hashBigValueKeys = map[string]want{"h_big": tableHash("a", "1", "b", strings.Repeat("z", 100), "c", "3")}
	expiryKeys       = map[string]want{
		"ttl_str":  str("soon").withExpire(exp2100),
		"ttl_hash": listpackHash("f", "v").withExpire(exp2100End),
		"ttl_sec":  str("x").withExpire(exp2100),
		"no_ttl":   str("forever"),
	}
)

func union(maps ...map[string]want) map[string]want {
	out := map[string]want{}
	for _, m := range maps {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// TestReader_SharedFiles decodes every file of shared/testdata/rdb and
// compares it with MANIFEST.md: keys, values, types, expiries, databases,
// key order, AUX fields and checksum.
func TestReader_SharedFiles(t *testing.T) {
	tests := []struct {
		file     string
		version  int
		keys     map[string]want
		order    []string // db:key, as listed in the manifest
		checksum bool
		noAux    bool
	}{
		{file: "empty.rdb", version: 10, keys: map[string]want{}, checksum: true},
		{file: "strings.rdb", version: 10, keys: stringsKeys, checksum: true,
			order: []string{"0:empty", "0:binary", "0:", "0:greeting", "0:utf8"}},
		{file: "nochecksum.rdb", version: 10, keys: stringsKeys, checksum: false,
			order: []string{"0:empty", "0:", "0:binary", "0:greeting", "0:utf8"}},
		{file: "ints.rdb", version: 10, keys: intsKeys, checksum: true,
			order: []string{"0:i_small", "0:lead0", "0:i_neg8", "0:i_neg32", "0:float", "0:i16", "0:plus", "0:i64", "0:i32", "0:i_neg16"}},
		{file: "lzf.rdb", version: 10, keys: lzfKeys, checksum: true,
			order: []string{"0:long_text", "0:short20", "0:long_a"}},
		{file: "hash_small.rdb", version: 10, keys: hashSmallKeys, checksum: true},
		{file: "hash_200.rdb", version: 10, keys: map[string]want{"h200": listpackHash(numberedPairs(200)...)}, checksum: true},
		{file: "hash_600.rdb", version: 10, keys: hash600Keys, checksum: true},
		{file: "hash_bigvalue.rdb", version: 10, keys: hashBigValueKeys, checksum: true},
		{file: "expiry.rdb", version: 10, keys: expiryKeys, checksum: true,
			order: []string{"0:ttl_str", "0:ttl_sec", "0:ttl_hash", "0:no_ttl"}},
		{file: "multidb.rdb", version: 10, checksum: true, keys: map[string]want{
			"k0": str("in db0"),
			"k3": str("in db3").inDB(3),
			"h3": listpackHash("f", "v").withExpire(exp2100).inDB(3),
		}, order: []string{"0:k0", "3:h3", "3:k3"}},
		{file: "other_types.rdb", version: 10, checksum: true, keys: map[string]want{
			"list":   skipped(rdb.TypeListQuicklist2),
			"intset": skipped(rdb.TypeSetIntset),
			"strset": skipped(rdb.TypeSet),
			"zset":   skipped(rdb.TypeZSetListpack),
			"plain":  str("ok"),
		}, order: []string{"0:list", "0:zset", "0:strset", "0:plain", "0:intset"}},
		{file: "all.rdb", version: 10, checksum: true,
			keys: union(stringsKeys, intsKeys, lzfKeys, hashSmallKeys, hash600Keys, hashBigValueKeys, expiryKeys),
			order: []string{"0:ttl_hash", "0:no_ttl", "0:i_neg32", "0:short20", "0:i16", "0:empty", "0:float",
				"0:plus", "0:long_a", "0:ttl_str", "0:long_text", "0:i_neg16", "0:h600", "0:h_small", "0:i_small",
				"0:ttl_sec", "0:h_big", "0:binary", "0:lead0", "0:i_neg8", "0:", "0:greeting", "0:i64", "0:utf8", "0:i32"}},
		{file: "hash_ziplist_v9.rdb", version: 9, checksum: true, noAux: true, keys: map[string]want{
			"zl_hash": {typ: rdb.TypeHashZiplist, kind: rdb.KindHash, fields: []string{"f1", "v1", "n", "7", "big", "1000", "neg", "-3"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			entries, r, err := decodeAll(readShared(t, tt.file))
			require.NoError(t, err)
			assert.Equal(t, tt.version, r.Version())
			assert.Equal(t, tt.checksum, r.ChecksumChecked())

			var order []string
			for _, e := range entries {
				order = append(order, fmt.Sprintf("%d:%s", e.DB, e.Key))
				w, ok := tt.keys[e.Key]
				if !assert.True(t, ok, "unexpected key %q", e.Key) {
					continue
				}
				assert.Equal(t, w.db, e.DB, e.Key)
				assert.Equal(t, w.typ, e.Type, e.Key)
				assert.Equal(t, w.kind, e.Kind, e.Key)
				assert.Equal(t, w.value, e.Value, e.Key)
				assert.Equal(t, w.expire, e.ExpireAtMs, e.Key)
				if w.unordered {
					assert.Equal(t, pairs(w.fields), pairs(e.Fields), e.Key)
					assert.Len(t, e.Fields, len(w.fields), e.Key)
				} else {
					assert.Equal(t, w.fields, e.Fields, e.Key)
				}
			}
			assert.Len(t, entries, len(tt.keys))
			if tt.order != nil {
				assert.Equal(t, tt.order, order)
			}

			if tt.noAux {
				assert.Empty(t, r.Aux())
				return
			}
			names := []string{}
			for _, a := range r.Aux() {
				names = append(names, a.Key)
			}
			assert.Equal(t, []string{"redis-ver", "redis-bits", "ctime", "used-mem", "aof-base"}, names)
			v, ok := r.AuxValue("REDIS-VER")
			assert.True(t, ok)
			assert.Equal(t, "7.0.15", v)
			v, _ = r.AuxValue("redis-bits")
			assert.Equal(t, "64", v)
			v, _ = r.AuxValue("aof-base")
			assert.Equal(t, "0", v)
			_, ok = r.AuxValue("repl-id")
			assert.False(t, ok)
		})
	}
}

// pairs turns alternating fields and values into a map.
func pairs(fv []string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(fv); i += 2 {
		m[fv[i]] = fv[i+1]
	}
	return m
}

func TestReader_SharedFilesCorrupted(t *testing.T) {
	data := readShared(t, "strings.rdb")

	t.Run("checksum", func(t *testing.T) {
		bad := bytes.Clone(data)
		bad[len(bad)-1] ^= 1
		_, _, err := decodeAll(bad)
		require.ErrorIs(t, err, rdb.ErrChecksum)
		assert.Contains(t, err.Error(), "fbb81a618febe921")
	})
	t.Run("payload byte", func(t *testing.T) {
		bad := bytes.Clone(data)
		i := bytes.Index(bad, []byte("hello world"))
		bad[i] = 'H'
		entries, _, err := decodeAll(bad)
		require.ErrorIs(t, err, rdb.ErrChecksum)
		assert.Len(t, entries, 5, "keys stream out before the checksum is known")
	})
	t.Run("truncated", func(t *testing.T) {
		for n := 0; n < len(data); n++ {
			_, _, err := decodeAll(data[:n])
			require.Error(t, err, "cut at %d", n)
			if n >= 9 {
				assert.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d", n)
			} else {
				assert.ErrorIs(t, err, rdb.ErrVersion, "cut at %d", n)
			}
		}
	})
	t.Run("sticky error", func(t *testing.T) {
		r := rdb.NewReader(bytes.NewReader(data[:40]), nil)
		_, err1 := r.Next()
		_, err2 := r.Next()
		require.Error(t, err1)
		assert.Equal(t, err1, err2)
	})
	t.Run("ziplist checks", func(t *testing.T) {
		zl := readShared(t, "hash_ziplist_v9.rdb")
		// Break the ziplist's zltail (offset 0x19 in the file), then fix the
		// CRC so that only the ziplist check can object.
		bad := bytes.Clone(zl)
		bad[0x19]++
		fixCRC(bad)
		_, _, err := decodeAll(bad)
		require.ErrorIs(t, err, rdb.ErrCorrupt)
		assert.Contains(t, err.Error(), "zl_hash")
		assert.Contains(t, err.Error(), "tail")
	})
}

// fixCRC rewrites the CRC-64 trailer of a version >= 5 file.
func fixCRC(data []byte) {
	crc := rdb.CRC64(0, data[:len(data)-8])
	for i := range 8 {
		data[len(data)-8+i] = byte(crc >> (8 * i))
	}
}
