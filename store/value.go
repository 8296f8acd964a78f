package store

import "unsafe"

// value is what a shard's map holds for a key: 16 bytes, so that a key costs
// the map no more than a map[string]string entry would.
//
// The layout is a pointer and a length with two flag bits on top:
//   - neither flag: p points at the bytes of the string value (the caller's
//     own string, never copied) and n is its length;
//   - flagBoxed: p points at a strBox holding the string and its deadline
//     (only strings with a TTL pay for the box);
//   - flagHash: p points at a hash, which carries its own deadline.
//
// p is an unsafe.Pointer so that the garbage collector keeps whatever it
// points at alive, whichever of the three it is.
type value struct {
	p unsafe.Pointer
	n int
}

const (
	flagHash  = 1 << 62
	flagBoxed = 1 << 61
	lenMask   = flagBoxed - 1
)

// strBox is a string value that has a deadline.
type strBox struct {
	s  string
	at int64 // unix ms
}

func stringValue(s string) value {
	return value{p: unsafe.Pointer(unsafe.StringData(s)), n: len(s)}
}

func boxedValue(s string, at int64) value {
	return value{p: unsafe.Pointer(&strBox{s: s, at: at}), n: flagBoxed}
}

func hashValue(h *hash) value {
	return value{p: unsafe.Pointer(h), n: flagHash}
}

func (v value) isHash() bool { return v.n&flagHash != 0 }

// str returns the string held by a string value.
func (v value) str() string {
	if v.n&flagBoxed != 0 {
		return (*strBox)(v.p).s
	}
	return unsafe.String((*byte)(v.p), v.n&lenMask)
}

func (v value) hash() *hash { return (*hash)(v.p) }

// deadline returns the value's expiry in unix ms, or 0 when it has none.
func (v value) deadline() int64 {
	switch {
	case v.n&flagBoxed != 0:
		return (*strBox)(v.p).at
	case v.n&flagHash != 0:
		return (*hash)(v.p).at
	}
	return 0
}

// typeName is the answer of TYPE for the value.
func (v value) typeName() string {
	if v.isHash() {
		return "hash"
	}
	return "string"
}
