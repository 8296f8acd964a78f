package store

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTable_MatchesMap drives the table and a Go map with the same random
// inserts, updates and deletes (through growth, deleted slots, reuse of
// deleted slots and shrinking) and requires the same contents throughout.
func TestTable_MatchesMap(t *testing.T) {
	for seed := range uint64(10) {
		r := rand.New(rand.NewPCG(seed, 3))
		var tab table
		ref := map[string]int{}
		space := 10 + r.IntN(5000)
		for step := range 40000 {
			k := strconv.Itoa(r.IntN(space))
			h := hashKey(k)
			switch op := r.IntN(10); {
			case op < 5:
				n := step
				isNew := tab.set(k, h, value{n: uint64(n)})
				_, had := ref[k]
				require.Equal(t, !had, isNew, "seed %d step %d set %s", seed, step, k)
				ref[k] = n
			case op < 9:
				v, ok := tab.del(k, h)
				want, had := ref[k]
				require.Equal(t, had, ok, "seed %d step %d del %s", seed, step, k)
				if ok {
					require.Equal(t, want, int(v.n))
				}
				delete(ref, k)
				tab.maybeShrink()
			default:
				v, ok := tab.get(k, h)
				want, had := ref[k]
				require.Equal(t, had, ok)
				if ok {
					require.Equal(t, want, int(v.n))
				}
			}
			require.Equal(t, len(ref), tab.len())
			require.LessOrEqual(t, (tab.used+tab.dead)*8, tab.cap()*7, "load above 7/8")
		}
		seen := map[string]int{}
		tab.all(func(k string, v value) bool { seen[k] = int(v.n); return true })
		require.Equal(t, ref, seen)
	}
}

// TestTable_Collisions puts many keys whose 7-bit tags collide in one table.
func TestTable_Collisions(t *testing.T) {
	var tab table
	var keys []string
	for i := 0; len(keys) < 3000; i++ {
		k := "c" + strconv.Itoa(i)
		if h2(hashKey(k)) == 5 {
			keys = append(keys, k)
		}
	}
	for i, k := range keys {
		require.True(t, tab.set(k, hashKey(k), value{n: uint64(i)}))
	}
	for i, k := range keys {
		v, ok := tab.get(k, hashKey(k))
		require.True(t, ok)
		require.Equal(t, uint64(i), v.n)
	}
	_, ok := tab.get("absent", hashKey("absent"))
	require.False(t, ok)
}

func TestTable_MatchEmpty(t *testing.T) {
	for _, b := range []uint64{0, 1, 0x7f, ctrlEmpty, ctrlDeleted} {
		w := b << 16
		w |= emptyGroup &^ (0xff << 16)
		m := matchEmpty(w)
		require.Equal(t, b == ctrlEmpty, m&(0x80<<16) != 0, "byte %#x", b)
	}
}
