package store

import "unsafe"

// smallHashMax is the number of fields up to which a hash keeps its fields in
// insertion order in its own object (like Redis's listpack encoding) instead
// of a map. Up to this size a linear scan beats hashing, and the pairs cost
// less memory than a map.
const smallHashMax = 32

// hash is the value of a hash key: a small hash (m is nil) or a map.
// A hash is only touched under the lock of the shard that holds its key.
//
// A small hash is allocated as one of the hashN types below, its pairs
// (field, value, field, value, ... in insertion order) in the same object
// as this header, so that HGET waits for one memory access for the hash, not
// two (a header, then its pairs). The classes fill the allocator's size
// classes of 160, 320, 512 and 1,152 bytes; the first three stay within the
// 512 bytes up to which the garbage collector scans small objects a span at
// a time. HGET of 100k hashes of 10 fields: 460 -> 315 ns.
//
// A full small hash moves to a class of at least twice its pairs (4 -> 15
// -> 32 -> a map, one field at a time), not to the next class: each move
// is an allocation, a copy and garbage for the collector to sweep. HSET
// filling 100k hashes with 10 fields one call each: 134.5 -> 100.8 ns per
// call (benchstat, 6 interleaved runs, p=0.009, 2026-12-03), 115 -> 83 B
// allocated per call; a hash of 5 to 9 fields grown that way takes 512 bytes instead
// of 320. (A hash made with its fields at once, by one HSET of many pairs,
// still gets the smallest class that holds them.)
type hash struct {
	m   map[string]string
	at  int64 // deadline in unix ms, 0 for none
	n   int32 // strings in use in the buffer: twice the fields
	cls int32 // the buffer's size in pairs: 4, 9, 15 or smallHashMax
}

type (
	hash4 struct {
		hash
		buf [2 * 4]string
	}
	hash9 struct {
		hash
		buf [2 * 9]string
	}
	hash15 struct {
		hash
		buf [2 * 15]string
	}
	hash32 struct {
		hash
		buf [2 * smallHashMax]string
	}
)

// newHash returns an empty hash with room for capPairs fields.
func newHash(capPairs int) *hash {
	switch {
	case capPairs <= 4:
		return &(&hash4{hash: hash{cls: 4}}).hash
	case capPairs <= 9:
		return &(&hash9{hash: hash{cls: 9}}).hash
	case capPairs <= 15:
		return &(&hash15{hash: hash{cls: 15}}).hash
	case capPairs <= smallHashMax:
		return &(&hash32{hash: hash{cls: smallHashMax}}).hash
	}
	return &hash{m: make(map[string]string, capPairs)}
}

// buf returns a small hash's whole buffer. The header is the first field of
// the hashN it was allocated as, so the conversion back is exact.
func (h *hash) buf() []string {
	p := unsafe.Pointer(h)
	switch h.cls {
	case 4:
		return (*hash4)(p).buf[:]
	case 9:
		return (*hash9)(p).buf[:]
	case 15:
		return (*hash15)(p).buf[:]
	case smallHashMax:
		return (*hash32)(p).buf[:]
	}
	return nil
}

// pairs returns a small hash's fields and values, in insertion order; nil
// for a map.
func (h *hash) pairs() []string {
	if h.m != nil {
		return nil
	}
	return h.buf()[:h.n]
}

func (h *hash) len() int {
	if h.m != nil {
		return len(h.m)
	}
	return int(h.n) / 2
}

func (h *hash) get(field string) (string, bool) {
	if h.m != nil {
		v, ok := h.m[field]
		return v, ok
	}
	p := h.pairs()
	for i := 0; i < len(p); i += 2 {
		if p[i] == field {
			return p[i+1], true
		}
	}
	return "", false
}

// set sets field to v and reports whether the field is new. A small hash
// that is full moves to a larger object: set returns the hash to keep, h or
// its replacement (with h's deadline), which the caller must store.
func (h *hash) set(field, v string) (*hash, bool) {
	if h.m != nil {
		_, ok := h.m[field]
		h.m[field] = v
		return h, !ok
	}
	p := h.pairs()
	for i := 0; i < len(p); i += 2 {
		if p[i] == field {
			p[i+1] = v
			return h, false
		}
	}
	switch {
	case len(p)/2 >= smallHashMax:
		m := make(map[string]string, 2*smallHashMax)
		for i := 0; i < len(p); i += 2 {
			m[p[i]] = p[i+1]
		}
		m[field] = v
		clear(p)
		h.m, h.n = m, 0
		return h, true
	case len(p)/2 == int(h.cls):
		n := newHash(len(p) + 2) // at least twice the pairs
		copy(n.buf(), p)
		n.n, n.at = h.n, h.at
		h = n
	}
	b := h.buf()
	b[h.n], b[h.n+1] = field, v
	h.n += 2
	return h, true
}

// del removes field and reports whether it was there. The small encoding
// keeps insertion order, as Redis's listpack does.
func (h *hash) del(field string) bool {
	if h.m != nil {
		_, ok := h.m[field]
		delete(h.m, field)
		return ok
	}
	p := h.pairs()
	for i := 0; i < len(p); i += 2 {
		if p[i] == field {
			copy(p[i:], p[i+2:])
			p[len(p)-1], p[len(p)-2] = "", ""
			h.n -= 2
			return true
		}
	}
	return false
}

// appendPairs appends field, value, field, value, ... to dst.
func (h *hash) appendPairs(dst []string) []string {
	if h.m == nil {
		return append(dst, h.pairs()...)
	}
	for f, v := range h.m {
		dst = append(dst, f, v)
	}
	return dst
}

// clone returns a deep copy of h without its deadline.
func (h *hash) clone() *hash {
	c := newHash(h.len())
	if c.m != nil {
		for f, v := range h.m {
			c.m[f] = v
		}
		return c
	}
	if h.m == nil {
		c.n = int32(copy(c.buf(), h.pairs()))
	} else {
		c.n = int32(copy(c.buf(), h.appendPairs(nil)))
	}
	return c
}
