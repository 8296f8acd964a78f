package store

import "unsafe"

// value is what a shard's table holds for a key: 16 bytes, so that a key
// costs the table no more than a map[string]string entry would.
//
// The layout is a pointer and a word of length and flags:
//   - no flag: p points at the bytes of the string value (the caller's own
//     string, never copied) and n is its length;
//   - flagTimed: a string with a deadline, both packed into n: the length in
//     bits 42-60 and the deadline (unix ms) in bits 0-41. This covers strings
//     up to 512 KiB with deadlines up to the year 2109, so a key set with a
//     TTL costs no allocation;
//   - flagBoxed: p points at a strBox holding the string and its deadline,
//     for the strings and deadlines flagTimed cannot hold;
//   - flagHash: p points at a hash, which carries its own deadline.
//
// p is an unsafe.Pointer so that the garbage collector keeps whatever it
// points at alive, whichever it is.
type value struct {
	p unsafe.Pointer
	n uint64
}

const (
	flagTimed = 1 << 63
	flagHash  = 1 << 62
	flagBoxed = 1 << 61
	lenMask   = flagBoxed - 1

	timedAtBits  = 42
	timedLenBits = 19
	timedAtMask  = 1<<timedAtBits - 1
	timedLenMask = 1<<timedLenBits - 1

	// flagsTTL are the flags of a value that may have a deadline.
	flagsTTL = flagTimed | flagBoxed | flagHash
)

// strBox is a string value with a deadline that flagTimed cannot hold.
type strBox struct {
	s  string
	at int64 // unix ms
}

func stringValue(s string) value {
	return value{p: unsafe.Pointer(unsafe.StringData(s)), n: uint64(len(s))}
}

// newString returns a string value with deadline at (unix ms, 0 for none).
func newString(s string, at int64) value {
	switch {
	case at == 0:
		return stringValue(s)
	case at > 0 && at <= timedAtMask && len(s) <= timedLenMask:
		return value{
			p: unsafe.Pointer(unsafe.StringData(s)),
			n: flagTimed | uint64(len(s))<<timedAtBits | uint64(at),
		}
	}
	return value{p: unsafe.Pointer(&strBox{s: s, at: at}), n: flagBoxed}
}

func hashValue(h *hash) value {
	return value{p: unsafe.Pointer(h), n: flagHash}
}

func (v value) isHash() bool { return v.n&flagHash != 0 }

// str returns the string held by a string value.
func (v value) str() string {
	switch {
	case v.n&flagTimed != 0:
		return unsafe.String((*byte)(v.p), int(v.n>>timedAtBits&timedLenMask))
	case v.n&flagBoxed != 0:
		return (*strBox)(v.p).s
	}
	return unsafe.String((*byte)(v.p), int(v.n&lenMask))
}

func (v value) hash() *hash { return (*hash)(v.p) }

// deadline returns the value's expiry in unix ms, or 0 when it has none.
func (v value) deadline() int64 {
	switch {
	case v.n&flagTimed != 0:
		return int64(v.n & timedAtMask)
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
