package rdb

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crcBitwise is the CRC-64/Jones definition, one bit at a time.
func crcBitwise(crc uint64, p []byte) uint64 {
	for _, b := range p {
		crc ^= uint64(b)
		for range 8 {
			if crc&1 == 1 {
				crc = crc>>1 ^ crcPoly
			} else {
				crc >>= 1
			}
		}
	}
	return crc
}

func TestCRC64(t *testing.T) {
	assert.Equal(t, uint64(0xe9c6d914c4b8d9ca), CRC64(0, []byte("123456789")))
	assert.Equal(t, uint64(0), CRC64(0, nil))

	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 100, 1000} {
		assert.Equal(t, crcBitwise(0, data[:n]), CRC64(0, data[:n]), "n=%d", n)
	}
	// Incremental equals one shot, whatever the split.
	for split := range 20 {
		assert.Equal(t, CRC64(0, data), CRC64(CRC64(0, data[:split]), data[split:]))
	}
}

// lzfCompress is a small greedy LZF compressor for tests: it produces
// literal runs and back references of every length and distance.
func lzfCompress(in []byte) []byte {
	var out, lit []byte
	flushLit := func() {
		for len(lit) > 0 {
			n := min(lzfMaxLiteral, len(lit))
			out = append(out, byte(n-1))
			out = append(out, lit[:n]...)
			lit = lit[n:]
		}
	}
	last := map[[3]byte]int{}
	for i := 0; i < len(in); {
		if i+3 <= len(in) {
			key := [3]byte{in[i], in[i+1], in[i+2]}
			j, ok := last[key]
			last[key] = i
			if ok && i-j-1 < 8192 {
				n := 0
				for i+n < len(in) && n < 264 && in[j+n] == in[i+n] {
					n++
				}
				off, l := i-j-1, n-2
				flushLit()
				if l < 7 {
					out = append(out, byte(l<<5|off>>8))
				} else {
					out = append(out, byte(7<<5|off>>8), byte(l-7))
				}
				out = append(out, byte(off))
				for k := i + 1; k < i+n && k+3 <= len(in); k++ {
					last[[3]byte{in[k], in[k+1], in[k+2]}] = k
				}
				i += n
				continue
			}
		}
		lit = append(lit, in[i])
		i++
	}
	flushLit()
	return out
}

func TestLZFDecompress(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		want string
	}{
		{"literal", []byte{2, 'a', 'b', 'c'}, "abc"},
		// "ab", then a 6-byte reference to 2 bytes back: overlapping, repeats "ab".
		{"overlap", []byte{1, 'a', 'b', 4 << 5, 1}, "abababab"},
		// "x", then a run from 1 back: 7+10+2 = 19 more x's.
		{"long run", []byte{0, 'x', 7 << 5, 10, 0}, "xxxxxxxxxxxxxxxxxxxx"},
		// non-overlapping copy from further back.
		{"far copy", []byte{5, 'a', 'b', 'c', 'd', 'e', 'f', 1 << 5, 5}, "abcdefabc"},
		{"literal after ref", []byte{0, 'q', 1 << 5, 0, 1, '!', '?'}, "qqqq!?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := make([]byte, len(tt.want))
			require.NoError(t, lzfDecompress(dst, tt.src))
			assert.Equal(t, tt.want, string(dst))
		})
	}

	errs := []struct {
		name string
		src  []byte
		ulen int
		err  error
	}{
		{"reference before start", []byte{1 << 5, 0}, 3, errLZFBackRef},
		{"reference too far back", []byte{1, 'a', 'b', 1 << 5, 5}, 5, errLZFBackRef},
		{"far reference with high bits", []byte{0, 'a', 1<<5 | 1, 0}, 4, errLZFBackRef},
		{"truncated literal", []byte{5, 'a'}, 6, errLZFTruncated},
		{"reference without offset", []byte{0, 'a', 1 << 5}, 4, errLZFTruncated},
		{"long reference without length", []byte{0, 'a', 7 << 5}, 20, errLZFTruncated},
		{"literal overflow", []byte{3, 'a', 'b', 'c', 'd'}, 2, errLZFOverflow},
		{"reference overflow", []byte{0, 'a', 2 << 5, 0}, 3, errLZFOverflow},
		{"short output", []byte{1, 'a', 'b'}, 3, errLZFShort},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, lzfDecompress(make([]byte, tt.ulen), tt.src), tt.err)
		})
	}
}

func TestLZFRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 1; i <= 300; i++ {
		var in []byte
		for len(in) < i*37 {
			switch rng.IntN(3) {
			case 0: // random bytes
				for range rng.IntN(50) {
					in = append(in, byte(rng.Uint32()))
				}
			case 1: // a run
				in = append(in, bytes.Repeat([]byte{byte(rng.Uint32())}, rng.IntN(600))...)
			default: // a repeat of earlier data
				if len(in) > 0 {
					from := rng.IntN(len(in))
					in = append(in, in[from:from+rng.IntN(len(in)-from)]...)
				}
			}
		}
		comp := lzfCompress(in)
		out := make([]byte, len(in))
		require.NoError(t, lzfDecompress(out, comp), "case %d", i)
		require.Equal(t, in, out, "case %d", i)
		if len(comp) > 0 {
			assert.LessOrEqual(t, len(in), lzfMaxRatio*len(comp))
		}
	}
}

// Listpack building for tests.

func lpBacklen(n int) []byte {
	switch backlenSize(n) {
	case 1:
		return []byte{byte(n)}
	case 2:
		return []byte{byte(n >> 7), byte(n&127) | 128}
	case 3:
		return []byte{byte(n >> 14), byte(n>>7&127) | 128, byte(n&127) | 128}
	case 4:
		return []byte{byte(n >> 21), byte(n>>14&127) | 128, byte(n>>7&127) | 128, byte(n&127) | 128}
	}
	return []byte{byte(n >> 28), byte(n>>21&127) | 128, byte(n>>14&127) | 128, byte(n>>7&127) | 128, byte(n&127) | 128}
}

// lpEntry encodes one listpack element the way Redis chooses encodings.
func lpEntry(s string) []byte {
	var enc []byte
	if v, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(v, 10) == s {
		switch {
		case v >= 0 && v <= 127:
			enc = []byte{byte(v)}
		case v >= -4096 && v <= 4095:
			u := uint16(v) & 0x1FFF
			enc = []byte{0xC0 | byte(u>>8), byte(u)}
		case v >= -32768 && v <= 32767:
			enc = binary.LittleEndian.AppendUint16([]byte{0xF1}, uint16(v))
		case v >= -1<<23 && v < 1<<23:
			u := uint32(v)
			enc = []byte{0xF2, byte(u), byte(u >> 8), byte(u >> 16)}
		case v >= -1<<31 && v < 1<<31:
			enc = binary.LittleEndian.AppendUint32([]byte{0xF3}, uint32(v))
		default:
			enc = binary.LittleEndian.AppendUint64([]byte{0xF4}, uint64(v))
		}
	} else {
		switch n := len(s); {
		case n < 64:
			enc = append([]byte{0x80 | byte(n)}, s...)
		case n < 4096:
			enc = append([]byte{0xE0 | byte(n>>8), byte(n)}, s...)
		default:
			enc = append(binary.LittleEndian.AppendUint32([]byte{0xF0}, uint32(n)), s...)
		}
	}
	return append(enc, lpBacklen(len(enc))...)
}

func lpBuild(count int, entries ...[]byte) []byte {
	lp := []byte{0, 0, 0, 0, byte(count), byte(count >> 8)}
	for _, e := range entries {
		lp = append(lp, e...)
	}
	lp = append(lp, 0xFF)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	return lp
}

func lpOf(elems ...string) []byte {
	var entries [][]byte
	for _, e := range elems {
		entries = append(entries, lpEntry(e))
	}
	return lpBuild(len(elems), entries...)
}

func TestListpack(t *testing.T) {
	elems := []string{
		"0", "127", "128", "-1", "4095", "-4096", "4096", "-4097", "32767", "-32768",
		"32768", "8388607", "-8388608", "8388608", "2147483647", "-2147483648",
		"2147483648", "9223372036854775807", "-9223372036854775808",
		"", "a", "007", "+5", string(bytes.Repeat([]byte("x"), 63)), string(bytes.Repeat([]byte("y"), 64)),
		string(bytes.Repeat([]byte("z"), 4095)), string(bytes.Repeat([]byte("w"), 4096)),
		string(bytes.Repeat([]byte("v"), 20000)),
	}
	got, err := appendListpack(nil, lpOf(elems...))
	require.NoError(t, err)
	assert.Equal(t, elems, got)

	unknown := lpOf("a", "b")
	binary.LittleEndian.PutUint16(unknown[4:], listpackUnknownCount)
	got, err = appendListpack(nil, unknown)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, got)

	got, err = appendListpack(nil, lpBuild(0))
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestListpack_Corrupt(t *testing.T) {
	good := lpOf("f", "v")
	mutate := func(f func(lp []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		lp   []byte
		err  error
	}{
		{"too short", []byte{7, 0, 0, 0, 0, 0}, errListpackHeader},
		{"total mismatch", mutate(func(lp []byte) []byte { lp[0]++; return lp }), errListpackHeader},
		{"no end marker", mutate(func(lp []byte) []byte { lp[len(lp)-1] = 0; return lp }), errListpackHeader},
		{"count mismatch", mutate(func(lp []byte) []byte { lp[4] = 3; return lp }), errListpackCount},
		{"bad backlen", mutate(func(lp []byte) []byte { lp[8] = 5; return lp }), errListpackBack},
		{"reserved encoding", lpBuild(1, []byte{0xF5, 1}), errListpackEntry},
		{"string past end", lpBuild(1, []byte{0x80 | 10, 'a', 2}), errListpackBounds},
		{"12-bit string past end", lpBuild(1, []byte{0xE1, 0}), errListpackBounds},
		{"32-bit string past end", lpBuild(1, []byte{0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 'a', 6}), errListpackBounds},
		{"int64 past end", lpBuild(1, []byte{0xF4, 1, 2}), errListpackBounds},
		{"backlen past end", lpBuild(1, []byte{0x81, 'a'}), errListpackBounds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := appendListpack(nil, tt.lp)
			assert.ErrorIs(t, err, tt.err)
		})
	}
	// An end marker followed by more bytes before the real end.
	lp := lpOf("a")
	lp = append(lp[:len(lp)-1], 0xFF, 0x01, 0xFF)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	_, err := appendListpack(nil, lp)
	assert.ErrorIs(t, err, errListpackEnd)
}

func TestDecodeBacklen(t *testing.T) {
	for _, n := range []int{0, 1, 127, 128, 16382, 16383, 2097150, 2097151, 268435454, 268435455, 1 << 30} {
		b := lpBacklen(n)
		assert.Equal(t, backlenSize(n), len(b), "n=%d", n)
		assert.Equal(t, uint64(n), decodeBacklen(b), "n=%d", n)
	}
	assert.Equal(t, uint64(1<<64-1), decodeBacklen([]byte{0x81, 0x01}), "continuation bit on the leftmost byte")
	assert.Equal(t, uint64(1<<64-1), decodeBacklen([]byte{0x01, 0x01}), "missing continuation bit")
}

// Ziplist building for tests.

func zlEntry(prevlen int, s string) []byte {
	var e []byte
	if prevlen < 254 {
		e = []byte{byte(prevlen)}
	} else {
		e = binary.LittleEndian.AppendUint32([]byte{0xFE}, uint32(prevlen))
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil && strconv.FormatInt(v, 10) == s {
		switch {
		case v >= 0 && v <= 12:
			return append(e, 0xF1+byte(v))
		case v >= -128 && v <= 127:
			return append(e, 0xFE, byte(v))
		case v >= -32768 && v <= 32767:
			return binary.LittleEndian.AppendUint16(append(e, 0xC0), uint16(v))
		case v >= -1<<23 && v < 1<<23:
			u := uint32(v)
			return append(e, 0xF0, byte(u), byte(u>>8), byte(u>>16))
		case v >= -1<<31 && v < 1<<31:
			return binary.LittleEndian.AppendUint32(append(e, 0xD0), uint32(v))
		}
		return binary.LittleEndian.AppendUint64(append(e, 0xE0), uint64(v))
	}
	switch n := len(s); {
	case n < 64:
		e = append(e, byte(n))
	case n < 16384:
		e = append(e, 0x40|byte(n>>8), byte(n))
	default:
		e = binary.BigEndian.AppendUint32(append(e, 0x80), uint32(n))
	}
	return append(e, s...)
}

func zlOf(elems ...string) []byte {
	zl := make([]byte, 10)
	prev, tail := 0, 10
	for _, s := range elems {
		e := zlEntry(prev, s)
		tail = len(zl)
		zl = append(zl, e...)
		prev = len(e)
	}
	zl = append(zl, 0xFF)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(tail))
	binary.LittleEndian.PutUint16(zl[8:], uint16(len(elems)))
	return zl
}

func TestZiplist(t *testing.T) {
	elems := []string{
		"0", "12", "13", "-1", "127", "-128", "128", "32767", "-32768", "32768", "8388607",
		"-8388608", "8388608", "2147483647", "-2147483648", "2147483648", "-9223372036854775808",
		"", "a", "007", string(bytes.Repeat([]byte("x"), 63)), string(bytes.Repeat([]byte("y"), 300)),
		"after a big prevlen", string(bytes.Repeat([]byte("z"), 20000)), "last",
	}
	got, err := appendZiplist(nil, zlOf(elems...))
	require.NoError(t, err)
	assert.Equal(t, elems, got)

	got, err = appendZiplist(nil, zlOf())
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestZiplist_Corrupt(t *testing.T) {
	good := zlOf("f", "v", "n", "7")
	mutate := func(f func(zl []byte)) []byte { zl := bytes.Clone(good); f(zl); return zl }
	tests := []struct {
		name string
		zl   []byte
		err  error
	}{
		{"too short", []byte{10, 0, 0, 0, 0, 0, 0, 0, 0, 0}, errZiplistHeader},
		{"zlbytes mismatch", mutate(func(zl []byte) { zl[0]-- }), errZiplistHeader},
		{"no end marker", mutate(func(zl []byte) { zl[len(zl)-1] = 0 }), errZiplistHeader},
		{"tail outside", mutate(func(zl []byte) { zl[5] = 0x10 }), errZiplistHeader},
		{"tail not last", mutate(func(zl []byte) { zl[4] = 10 }), errZiplistTail},
		{"count mismatch", mutate(func(zl []byte) { zl[8] = 5 }), errZiplistCount},
		{"prevlen mismatch", mutate(func(zl []byte) { zl[13] = 9 }), errZiplistPrevlen},
		{"bad encoding", mutate(func(zl []byte) { zl[11] = 0xC1 }), errZiplistEntry},
		{"string past end", mutate(func(zl []byte) { zl[11] = 60 }), errZiplistBounds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := appendZiplist(nil, tt.zl)
			assert.ErrorIs(t, err, tt.err)
		})
	}
}

func TestIntEncoding(t *testing.T) {
	yes := map[string]int64{
		"0": 0, "7": 7, "-1": -1, "127": 127, "-128": -128, "128": 128, "-30000": -30000,
		"100000": 100000, "2147483647": 2147483647, "-2147483648": -2147483648,
	}
	for s, v := range yes {
		got, ok := intEncoding(s)
		assert.True(t, ok, s)
		assert.Equal(t, v, got, s)
	}
	for _, s := range []string{"", "-", "007", "00", "-0", "+5", " 1", "1 ", "3.14", "2147483648",
		"-2147483649", "12345678901", "99999999999", "-9999999999", "1e3", "0x10"} {
		_, ok := intEncoding(s)
		assert.False(t, ok, s)
	}
	assert.Equal(t, []byte{0xC0, 0x80}, appendInt(nil, -128))
	assert.Equal(t, []byte{0xC1, 0x80, 0x00}, appendInt(nil, 128))
	assert.Equal(t, []byte{0xC2, 0xA0, 0x86, 0x01, 0x00}, appendInt(nil, 100000))
}

func TestAppendLen(t *testing.T) {
	tests := map[uint64][]byte{
		0:         {0x00},
		63:        {0x3F},
		64:        {0x40, 0x40},
		16383:     {0x7F, 0xFF},
		16384:     {0x80, 0, 0, 0x40, 0},
		1<<32 - 1: {0x80, 0xFF, 0xFF, 0xFF, 0xFF},
		1 << 32:   {0x81, 0, 0, 0, 1, 0, 0, 0, 0},
		1<<64 - 1: {0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
	}
	for n, want := range tests {
		assert.Equal(t, want, appendLen(nil, n), "n=%d", n)
	}
}
