package rdb_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/emberkv/ember/internal/rdb"
)

// allocBudget is how many heap bytes decoding data may take: a constant
// for the Reader's window and scratch buffers, plus a multiple of the input
// (LZF expands up to 88 times, and each decoded element is a string
// header).
func allocBudget(data []byte) uint64 { return 8<<20 + 1024*uint64(len(data)) }

// fuzzSeeds returns the shared RDB files and a few crafted inputs.
func fuzzSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	files, _ := filepath.Glob(filepath.Join(sharedDir, "*.rdb"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	u32 := func(n uint32) []byte { return binary.BigEndian.AppendUint32([]byte{0x80}, n) }
	seeds = append(seeds,
		craft("0010", b(0, s("k"), u32(math.MaxInt32), "abc")),
		craft("0010", b(0, s("k"), 0xC3, 4, 6, 0, 'h', 0x60, 0)),
		craft("0010", b(rdb.TypeHash, s("h"), 0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, s("f"))),
		craft("0010", b(0xF7, 1, 2, 2, 1, 5, 3, 1, 2, 3, 4, 5, s("x"), 0, 0xF5, s("code"))),
		craft("0004", b(0xFD, 1, 2, 3, 4, 0, s("k"), 0xC0, 5)),
	)
	return seeds
}

// FuzzReader decodes arbitrary bytes: it must never panic, must keep its
// memory proportional to the input whatever the lengths say, and whatever it
// decodes must survive a round trip through the Writer.
func FuzzReader(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

// checkDecode is the body of FuzzReader, shared with the mutation test.
func checkDecode(t *testing.T, data []byte) {
	var entries []rdb.Entry
	var err error
	if n := heapAllocs(func() { entries, _, err = decodeAll(data) }); n > allocBudget(data) {
		t.Fatalf("decoding %d bytes allocated %d bytes", len(data), n)
	}
	if err != nil {
		return
	}
	// Re-encode what was decoded and decode it again.
	var buf bytes.Buffer
	w := rdb.NewWriter(&buf, nil)
	var kept []rdb.Entry
	db := -1
	for _, e := range entries {
		if e.Kind == rdb.KindSkipped {
			continue
		}
		if e.DB != db {
			if err := w.SelectDB(e.DB, 0, 0); err != nil {
				t.Fatal(err)
			}
			db = e.DB
		}
		if e.Kind == rdb.KindString {
			err = w.WriteString(e.Key, e.Value, e.ExpireAtMs)
			e.Type = rdb.TypeString
		} else {
			err = w.WriteHash(e.Key, e.Fields, e.ExpireAtMs)
			e.Type = rdb.TypeHash
		}
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, e)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	again, _, err := decodeAll(buf.Bytes())
	if err != nil {
		t.Fatalf("re-encoded file does not decode: %v", err)
	}
	if len(again) != len(kept) {
		t.Fatalf("round trip: %d entries, then %d", len(kept), len(again))
	}
	for i := range kept {
		a, b := kept[i], again[i]
		if a.DB != b.DB || a.Key != b.Key || a.Kind != b.Kind || a.Value != b.Value ||
			a.ExpireAtMs != b.ExpireAtMs || a.Type != b.Type || !equalStrings(a.Fields, b.Fields) {
			t.Fatalf("round trip changed entry %d:\n%+v\n%+v", i, a, b)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReader_MutatedBytes overwrites bytes of the real files, one position
// at a time, with values that matter to length and type decoding (and fixes
// the CRC so that decoding can go all the way), then runs the fuzz checks.
func TestReader_MutatedBytes(t *testing.T) {
	values := []byte{0x00, 0x01, 0x3F, 0x40, 0x7F, 0x80, 0x81, 0xBF, 0xC0, 0xC2, 0xC3, 0xF0, 0xFE, 0xFF}
	files, _ := filepath.Glob(filepath.Join(sharedDir, "*.rdb"))
	if len(files) == 0 {
		t.Skipf("%s not found", sharedDir)
	}
	maxPositions := 500
	if raceEnabled || testing.Short() {
		maxPositions = 100
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		stride := max(1, len(data)/maxPositions)
		for pos := 0; pos < len(data)-8; pos += stride {
			for _, v := range values {
				mutated := bytes.Clone(data)
				mutated[pos] = v
				if bytes.HasPrefix(mutated, []byte("REDIS")) && string(mutated[5:9]) >= "0005" {
					fixCRC(mutated)
				}
				checkDecode(t, mutated)
			}
		}
	}
}
