package rdb_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/rdb"
)

// TestWriter_MinimalFile reproduces byte for byte the 79-byte RDB of
// redis-wire.md 3.10 that a stock replica accepted (there with a zero CRC,
// here with the real one).
func TestWriter_MinimalFile(t *testing.T) {
	var buf bytes.Buffer
	w := rdb.NewWriter(&buf, &rdb.WriterOptions{NoAux: true})
	require.NoError(t, w.WriteString("s1", "hello", 0))
	require.NoError(t, w.WriteString("s2", "world", 0))
	require.NoError(t, w.WriteHash("h1", []string{"f1", "v1", "f2", "v2"}, 0))
	require.NoError(t, w.WriteString("e1", "expiring", 4102444800000))
	require.NoError(t, w.Close())

	want := []byte{
		0x52, 0x45, 0x44, 0x49, 0x53, 0x30, 0x30, 0x31, 0x30,
		0xfe, 0x00,
		0x00, 0x02, 0x73, 0x31, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
		0x00, 0x02, 0x73, 0x32, 0x05, 0x77, 0x6f, 0x72, 0x6c, 0x64,
		0x04, 0x02, 0x68, 0x31, 0x02, 0x02, 0x66, 0x31, 0x02, 0x76, 0x31, 0x02, 0x66, 0x32, 0x02, 0x76, 0x32,
		0xfc, 0x00, 0xd8, 0xc3, 0x2c, 0xbb, 0x03, 0x00, 0x00,
		0x00, 0x02, 0x65, 0x31, 0x08, 0x65, 0x78, 0x70, 0x69, 0x72, 0x69, 0x6e, 0x67,
		0xff,
	}
	got := buf.Bytes()
	require.Len(t, got, 79)
	assert.Equal(t, want, got[:71])
	assert.Equal(t, rdb.CRC64(0, want), binary.LittleEndian.Uint64(got[71:]))
	assert.Equal(t, int64(79), w.Written())
}

func TestWriter_AuxFields(t *testing.T) {
	var buf bytes.Buffer
	ctime := time.Unix(1700000000, 0)
	w := rdb.NewWriter(&buf, &rdb.WriterOptions{
		CTime:        ctime,
		UsedMem:      1234567,
		ReplID:       "0123456789abcdef0123456789abcdef01234567",
		ReplOffset:   98765,
		ReplStreamDB: 0,
		Aux:          []rdb.AuxField{{Key: "ember", Value: "yes"}},
	})
	require.NoError(t, w.SelectDB(0, 1, 0))
	require.NoError(t, w.WriteString("k", "v", 0))
	require.NoError(t, w.Close())

	entries, r, err := decodeAll(buf.Bytes())
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, []rdb.AuxField{
		{Key: "redis-ver", Value: "7.0.15"},
		{Key: "redis-bits", Value: "64"},
		{Key: "ctime", Value: "1700000000"},
		{Key: "used-mem", Value: "1234567"},
		{Key: "repl-stream-db", Value: "0"},
		{Key: "repl-id", Value: "0123456789abcdef0123456789abcdef01234567"},
		{Key: "repl-offset", Value: "98765"},
		{Key: "aof-base", Value: "0"},
		{Key: "ember", Value: "yes"},
	}, r.Aux())
	keys, exp := r.ResizeHint()
	assert.Equal(t, uint64(1), keys)
	assert.Equal(t, uint64(0), exp)
	// redis-bits is int8-encoded, as Redis writes it.
	assert.True(t, bytes.Contains(buf.Bytes(), []byte("\x0aredis-bits\xc0\x40")))
}

func TestWriter_Version9(t *testing.T) {
	var buf bytes.Buffer
	w := rdb.NewWriter(&buf, &rdb.WriterOptions{Version: 9})
	require.NoError(t, w.WriteHash("h", []string{"a", "1"}, 0))
	require.NoError(t, w.Close())
	assert.True(t, bytes.HasPrefix(buf.Bytes(), []byte("REDIS0009")))
	_, r, err := decodeAll(buf.Bytes())
	require.NoError(t, err)
	assert.Equal(t, 9, r.Version())
	_, ok := r.AuxValue("aof-base")
	assert.False(t, ok, "aof-base is a 7.0 field")
}

func TestWriter_Errors(t *testing.T) {
	w := rdb.NewWriter(io.Discard, &rdb.WriterOptions{Version: 11})
	assert.ErrorContains(t, w.WriteString("k", "v", 0), "unsupported version 11")
	assert.Error(t, w.Close())

	w = rdb.NewWriter(io.Discard, nil)
	assert.ErrorContains(t, w.WriteHash("h", nil, 0), "pairs")
	assert.ErrorContains(t, w.WriteHash("h", []string{"f"}, 0), "pairs")
	assert.ErrorContains(t, w.SelectDB(-1, 0, 0), "out of range")
	require.NoError(t, w.Close())
	require.NoError(t, w.Close(), "a second Close is a no-op")
	assert.ErrorIs(t, w.WriteString("k", "v", 0), rdb.ErrClosed)
	assert.ErrorIs(t, w.SelectDB(0, 0, 0), rdb.ErrClosed)

	boom := errors.New("disk full")
	fw := &failingWriter{after: 100, err: boom}
	w = rdb.NewWriter(fw, nil)
	var err error
	for i := 0; err == nil && i < 100000; i++ {
		err = w.WriteString(fmt.Sprintf("key%d", i), strings.Repeat("v", 100), 0)
	}
	require.ErrorIs(t, err, boom)
	assert.ErrorIs(t, w.WriteString("k", "v", 0), boom, "sticky")
	assert.ErrorIs(t, w.Close(), boom)
}

type failingWriter struct {
	after int
	err   error
}

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, f.err
	}
	f.after--
	return len(p), nil
}

// model is what a round trip must preserve.
type model struct {
	db     int
	value  string
	fields []string
	expire int64
	hash   bool
}

// randomDataset returns keys of every shape the Writer handles: numeric
// strings around the integer-encoding limits, binary data, long values
// (beyond the writer's buffer and the reader's window), big hashes,
// expiries, several databases.
func randomDataset(rng *rand.Rand, n int) (map[string]model, []string) {
	specials := []string{"", "0", "7", "-1", "127", "-128", "128", "-32768", "32768", "2147483647",
		"-2147483648", "2147483648", "-2147483649", "007", "-0", "+5", "3.14", "12345678901", " 1"}
	randStr := func(max int) string {
		b := make([]byte, rng.IntN(max+1))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return string(b)
	}
	value := func(long bool) string {
		switch rng.IntN(10) {
		case 0, 1:
			return specials[rng.IntN(len(specials))]
		case 2:
			if long && rng.IntN(10) == 0 {
				return strings.Repeat("long", rng.IntN(60000)) // up to 240 KB
			}
			return strings.Repeat("x", rng.IntN(2000))
		default:
			return randStr(100)
		}
	}
	m := map[string]model{}
	var order []string
	for i := range n {
		key := fmt.Sprintf("key:%d:%s", i, randStr(8))
		if i%17 == 0 {
			key = specials[i%len(specials)] // numeric key names
			if _, dup := m[key]; dup {
				continue
			}
		}
		e := model{db: i % 3}
		if rng.IntN(4) == 0 {
			e.expire = 1_700_000_000_000 + rng.Int64N(1e12)
		}
		if rng.IntN(3) == 0 {
			e.hash = true
			nf := 1 + rng.IntN(20)
			if rng.IntN(10) == 0 {
				nf = 600 + rng.IntN(600)
			}
			seen := map[string]bool{}
			for range nf {
				f := value(false)
				if seen[f] {
					continue
				}
				seen[f] = true
				e.fields = append(e.fields, f, value(false))
			}
		} else {
			e.value = value(true)
		}
		m[key] = e
		order = append(order, key)
	}
	return m, order
}

func writeDataset(t testing.TB, w *rdb.Writer, m map[string]model, order []string) {
	for db := range 3 {
		require.NoError(t, w.SelectDB(db, 0, 0))
		for _, k := range order {
			e := m[k]
			if e.db != db {
				continue
			}
			if e.hash {
				require.NoError(t, w.WriteHash(k, e.fields, e.expire))
			} else {
				require.NoError(t, w.WriteString(k, e.value, e.expire))
			}
		}
	}
}

func TestWriter_RoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	m, order := randomDataset(rng, 2000)
	var buf bytes.Buffer
	w := rdb.NewWriter(&buf, nil)
	writeDataset(t, w, m, order)
	require.NoError(t, w.Close())
	assert.Equal(t, int64(buf.Len()), w.Written())

	entries, r, err := decodeAll(buf.Bytes())
	require.NoError(t, err)
	assert.True(t, r.ChecksumChecked())
	require.Len(t, entries, len(m))
	for _, e := range entries {
		want, ok := m[e.Key]
		require.True(t, ok, "%q", e.Key)
		assert.Equal(t, want.db, e.DB, e.Key)
		assert.Equal(t, want.expire, e.ExpireAtMs, e.Key)
		if want.hash {
			assert.Equal(t, rdb.KindHash, e.Kind, e.Key)
			assert.Equal(t, rdb.TypeHash, e.Type, e.Key)
			assert.Equal(t, want.fields, e.Fields, e.Key)
		} else {
			assert.Equal(t, rdb.KindString, e.Kind, e.Key)
			assert.Equal(t, want.value, e.Value, e.Key)
		}
	}
}

func TestWriter_IntegerEncoding(t *testing.T) {
	var buf bytes.Buffer
	w := rdb.NewWriter(&buf, &rdb.WriterOptions{NoAux: true})
	require.NoError(t, w.WriteString("a", "100000", 0))
	require.NoError(t, w.WriteString("b", "007", 0))
	require.NoError(t, w.Close())
	body := buf.Bytes()[9:]
	assert.Equal(t, []byte{0xfe, 0, 0, 1, 'a', 0xC2, 0xA0, 0x86, 0x01, 0x00, 0, 1, 'b', 3, '0', '0', '7', 0xff}, body[:len(body)-8])
}
