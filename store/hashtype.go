package store

// smallHashMax is the number of fields up to which a hash keeps its fields in
// one slice in insertion order (like Redis's listpack encoding) instead of a
// map. Up to this size a linear scan beats hashing, and the slice costs less
// memory than a map.
const smallHashMax = 32

// hash is the value of a hash key. Exactly one of pairs and m is in use.
// A hash is only touched under the lock of the shard that holds its key.
type hash struct {
	pairs []string // field, value, field, value, ... in insertion order
	m     map[string]string
	at    int64 // deadline in unix ms, 0 for none
}

// A small hash is allocated with room for its pairs in the same object, so
// that HGET waits for one memory access for the hash, not two (the header,
// then the pairs). The classes fill the allocator's size classes of 176,
// 352, 512 and 1152 bytes; the first three stay within the 512 bytes up to
// which the garbage collector scans objects a span at a time.
type (
	hash4 struct {
		hash
		buf [2 * 4]string
	}
	hash9 struct {
		hash
		buf [2 * 9]string
	}
	hash14 struct {
		hash
		buf [2 * 14]string
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
		x := new(hash4)
		x.pairs = x.buf[:0]
		return &x.hash
	case capPairs <= 9:
		x := new(hash9)
		x.pairs = x.buf[:0]
		return &x.hash
	case capPairs <= 14:
		x := new(hash14)
		x.pairs = x.buf[:0]
		return &x.hash
	case capPairs <= smallHashMax:
		x := new(hash32)
		x.pairs = x.buf[:0]
		return &x.hash
	}
	return &hash{m: make(map[string]string, capPairs)}
}

func (h *hash) len() int {
	if h.m != nil {
		return len(h.m)
	}
	return len(h.pairs) / 2
}

func (h *hash) get(field string) (string, bool) {
	if h.m != nil {
		v, ok := h.m[field]
		return v, ok
	}
	for i := 0; i < len(h.pairs); i += 2 {
		if h.pairs[i] == field {
			return h.pairs[i+1], true
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
	for i := 0; i < len(h.pairs); i += 2 {
		if h.pairs[i] == field {
			h.pairs[i+1] = v
			return h, false
		}
	}
	if len(h.pairs)/2 >= smallHashMax {
		h.m = make(map[string]string, 2*smallHashMax)
		for i := 0; i < len(h.pairs); i += 2 {
			h.m[h.pairs[i]] = h.pairs[i+1]
		}
		h.pairs = nil
		h.m[field] = v
		return h, true
	}
	if len(h.pairs) == cap(h.pairs) {
		n := newHash(len(h.pairs)/2 + 1) // the next class
		n.pairs = append(n.pairs, h.pairs...)
		n.at = h.at
		h = n
	}
	h.pairs = append(h.pairs, field, v)
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
	for i := 0; i < len(h.pairs); i += 2 {
		if h.pairs[i] == field {
			copy(h.pairs[i:], h.pairs[i+2:])
			h.pairs[len(h.pairs)-1], h.pairs[len(h.pairs)-2] = "", ""
			h.pairs = h.pairs[:len(h.pairs)-2]
			return true
		}
	}
	return false
}

// appendPairs appends field, value, field, value, ... to dst.
func (h *hash) appendPairs(dst []string) []string {
	if h.m == nil {
		return append(dst, h.pairs...)
	}
	for f, v := range h.m {
		dst = append(dst, f, v)
	}
	return dst
}

// clone returns a deep copy of h without its deadline.
func (h *hash) clone() *hash {
	c := newHash(h.len())
	if h.m != nil && c.m != nil {
		for f, v := range h.m {
			c.m[f] = v
		}
		return c
	}
	c.pairs = h.appendPairs(c.pairs)
	return c
}
