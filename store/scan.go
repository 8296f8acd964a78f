package store

import (
	"cmp"
	"math"
	"slices"
)

// Cursors of Scan and HScan are positions in the 64-bit space of key hashes
// (hashKey): a call returns the keys (or fields) whose hash is at or after the
// cursor, smallest first, and the next cursor is just past the last one
// returned. A key's hash never changes, so a key present for the whole
// iteration is returned exactly once unless the hash collides at a page
// boundary (then both colliding keys are returned together), and the
// iteration ends after the largest hash. Keys added or removed meanwhile may
// or may not be returned, as in Redis. This needs no memory beyond the maps:
// each call hashes the keys of one shard (or one hash) again.

type hashed struct {
	h uint64
	k string
}

// scanHashed returns up to count keys of m whose hash is at or after cursor
// (more when hashes tie at the end), in hash order, and the cursor that
// follows them: 0 when no key of m at or after cursor was left out.
func scanHashed[V any](each func(func(string, V) bool), cursor uint64, count int) ([]string, uint64) {
	var cands []hashed
	each(func(k string, _ V) bool {
		if h := hashKey(k); h >= cursor {
			cands = append(cands, hashed{h, k})
		}
		return true
	})
	slices.SortFunc(cands, func(a, b hashed) int { return cmp.Compare(a.h, b.h) })
	n := min(count, len(cands))
	for n < len(cands) && n > 0 && cands[n].h == cands[n-1].h {
		n++
	}
	out := make([]string, n)
	for j := range n {
		out[j] = cands[j].k
	}
	if n == len(cands) || cands[n-1].h == math.MaxUint64 {
		return out, 0
	}
	return out, cands[n-1].h + 1
}
