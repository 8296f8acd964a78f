package store

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
	"unsafe"
)

// table is a shard's keyspace: an open-addressing hash table with linear
// probing, written here for three reasons:
//
//   - Memory. A Go map grows by doubling, and because a uniform hash fills all
//     of a map's tables (and all shards) at the same pace, they all double at
//     once: right after 2^20 keys a map[string]value of 1M keys is 44% full
//     and costs 80 bytes a key beyond the strings. This table grows by half
//     its size instead, between 50% and 75% full.
//   - The key's hash is computed once per command, to pick the shard, and
//     reused here, where a Go map would hash the key again.
//   - One memory access per lookup. Each slot keeps 32 bits of its key's hash
//     next to the key's length in one word (meta), so a probe reads slots
//     and nothing else: the key's own slot is at or just after the slot its
//     hash picks, usually in the same cache line. A table of groups behind
//     control words (Go's maps) reads a control word first and the slot it
//     points to second.
//
// Deletion shifts the following slots of the probe run back (Knuth's
// algorithm R), so there are no tombstones. A slot's home is computed from
// its meta word, so neither deletion nor growth hashes a key again.
//
// A table is guarded by its shard's lock, with one exception: Get reads it
// without the lock. So every write to the slots of a table readers can see
// is an atomic store, and rehash builds a new array aside and then publishes
// it in view.
type table struct {
	// view comes first, next to the shard's seq: a GET reads both.
	view  atomic.Pointer[tableView]
	slots []slot
	used  int // live keys
	// minCap is the size of the table's first array. Shards get different
	// ones (see firstCap), so that they do not all grow at once.
	minCap int
}

// tableView is the slots of a table as lock-free readers find them. Such a
// reader (Store.Get) reads the shard's seq, then every word it needs with
// atomic loads, then seq again before it compares a candidate key's bytes (so
// it never follows a pointer torn from its length) and before it answers a
// miss; if seq moved it looks again under the lock. When seq did not
// move, what it read was the table's state at some instant.
type tableView struct {
	slots []slot
}

// slot is a key and its value. The key is kept as its data pointer and meta:
// bits 7-38 of its hash in the high half, its length plus one in the low
// half; meta is 0 in an empty slot.
type slot struct {
	kp   unsafe.Pointer
	meta uint64
	val  value
}

// maxKeyLen is the longest key a table holds (Redis's own limit is 512 MB).
const maxKeyLen = 1<<32 - 2

// seed keys the hash of every key in this process. The hash must stay the
// same for a key while a store lives (Scan cursors are hash positions), not
// across processes. k0, k1 and k2 key the hash of short keys.
var (
	seed       = maphash.MakeSeed()
	k0, k1, k2 = rand.Uint64() | 1, rand.Uint64() | 1, rand.Uint64() | 1
)

// hashKey hashes a key: one of 8 to 16 bytes (the usual "user:1234"
// sizes) in a few instructions; any other with the runtime's own string
// hash (AES-based where the CPU has it), the hash Go's maps use. Looking up
// 1M random 16-byte keys in one table took 154 ns with maphash, 201 ns with
// xxhash (and 169 ns in a Go map), after a GC, on the 2-core CI machine;
// maphash.String took 4.5 ns a key (16 bytes, in cache), hashKey 2.1.
func hashKey(key string) uint64 {
	if n := len(key); uint(n-8) <= 8 {
		return shortHash(key, n)
	}
	return maphash.String(seed, key)
}

// shortHash hashes a key of n bytes, 8 <= n <= 16, with the construction of
// the runtime's own hash where the CPU has no AES (runtime/hash64.go, after
// wyhash): the key's first and last 8 bytes, each XORed with a random word,
// multiplied into 128 bits and folded, and the result folded again with the
// length. It is small enough to be inlined where a call costs (Get).
func shortHash(key string, n int) uint64 {
	return mix(k2^uint64(n), mix(le64(key)^k0, le64(key[n-8:])^k1))
}

// mix folds the 128-bit product of a and b into 64 bits.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// le64 reads the first 8 bytes of s, which must hold at least 8, as a
// little-endian word (one load on amd64 and arm64).
func le64(s string) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Pointer(unsafe.StringData(s)))[:])
}

// metaOf returns the meta word of a key of length n with hash h. The shard
// index uses the top bits of h, the table bits 7 to 38.
func metaOf(h uint64, n int) uint64 {
	if uint(n) > maxKeyLen {
		panic("ember: key longer than 4 GiB")
	}
	return uint64(uint32(h>>7))<<32 | uint64(n+1)
}

// home returns the slot where a probe for a key with meta m starts, in n
// slots.
func home(m uint64, n int) int { return int((m >> 32 * uint64(n)) >> 32) }

// key returns the slot's key.
func (s *slot) key() string {
	return unsafe.String((*byte)(s.kp), int(uint32(s.meta))-1)
}

// store writes key, meta m and v into the slot with atomic stores.
func (s *slot) store(kp unsafe.Pointer, m uint64, v value) {
	atomic.StorePointer(&s.kp, kp)
	atomic.StoreUint64(&s.meta, m)
	s.val.store(v)
}

// store writes v with atomic stores: the way to change a value in a table
// (a pointer from upsert included), which lock-free readers may be reading.
func (p *value) store(v value) {
	atomic.StorePointer(&p.p, v.p)
	atomic.StoreUint64(&p.n, v.n)
}

// publish makes the table's current slots the ones readers see.
func (t *table) publish() {
	if t.slots == nil {
		t.view.Store(nil)
		return
	}
	t.view.Store(&tableView{slots: t.slots})
}

// sameKey reports whether a == b. It compares the data pointers first, as
// the runtime's memequal does, but without calling it: when a program looks a
// key up with the very string it stored (a cache's keys usually live in the
// program), the comparison is a predicted branch that does not wait for the
// slot's key to load, and no call spills the probe loop's registers.
// BenchmarkGetZipf: 338.5 -> 250.1 ns, BenchmarkGet: 410.8 -> 372.3 ns (5
// interleaved runs, 2026-12-02).
func sameKey(a, b string) bool {
	return len(a) == len(b) && (unsafe.StringData(a) == unsafe.StringData(b) || a == b)
}

// cap returns the number of slots.
func (t *table) cap() int { return len(t.slots) }

// slot returns the slot with index i.
func (t *table) slot(i int) *slot { return &t.slots[i] }

func (t *table) len() int { return t.used }

// find returns the index of key's slot, or -1.
func (t *table) find(key string, h uint64) int {
	n := len(t.slots)
	if n == 0 {
		return -1
	}
	want := metaOf(h, len(key))
	for i := home(want, n); ; {
		s := &t.slots[i]
		if s.meta == want && sameKey(s.key(), key) {
			return i
		}
		if s.meta == 0 {
			return -1
		}
		if i++; i == n {
			i = 0
		}
	}
}

// findDue returns the index of a key with tag tag (see [tagOf]) and
// deadline at, or -1. The sweeper uses it for the entries of the expiry
// index, which keep a key's tag and not the key. Any key with that tag and
// deadline will do: each has an entry, and all are due.
func (t *table) findDue(tag uint32, at int64) int {
	n := len(t.slots)
	if n == 0 {
		return -1
	}
	hi := uint64(tag)
	for i := home(hi<<32, n); ; {
		s := &t.slots[i]
		if s.meta == 0 {
			return -1
		}
		if s.meta>>32 == hi && s.val.deadline() == at {
			return i
		}
		if i++; i == n {
			i = 0
		}
	}
}

// get returns key's value.
func (t *table) get(key string, h uint64) (value, bool) {
	if i := t.find(key, h); i >= 0 {
		return t.slot(i).val, true
	}
	return value{}, false
}

// set stores v under key and reports whether the key was new.
func (t *table) set(key string, h uint64, v value) bool {
	if i := t.find(key, h); i >= 0 {
		t.slot(i).val.store(v)
		return false
	}
	t.insertNew(key, h, v)
	return true
}

// testHookRehash, when set by a test, is called as a table starts to grow
// or shrink.
var testHookRehash func(*table)

// makeRoom grows the table if one more key would pass 3/4 full. A writer
// calls it with the shard locked but before it makes seq odd: the old slots
// stay as they are while the new array is built, so the lock-free GET goes on
// reading them instead of waiting for the copy (tens of ms for a shard of
// 250k keys on a 2-core VM), and the new array is published whole.
func (t *table) makeRoom() {
	if (t.used+1)*4 > len(t.slots)*3 {
		t.rehash(t.used + 1)
	}
}

// insertNew puts a key known to be absent in the first free slot of its
// probe run, growing the table first if it would pass 3/4 full, and returns
// the slot's index.
func (t *table) insertNew(key string, h uint64, v value) int {
	t.makeRoom()
	m := metaOf(h, len(key))
	i := t.claim(m)
	t.slots[i].store(unsafe.Pointer(unsafe.StringData(key)), m, v)
	t.used++
	return i
}

// claim returns the first empty slot from the home of meta m on (there is
// one: the table is never full).
func (t *table) claim(m uint64) int {
	n := len(t.slots)
	i := home(m, n)
	for t.slots[i].meta != 0 {
		if i++; i == n {
			i = 0
		}
	}
	return i
}

// swapSameLength replaces the plain string in slot i by val if val is as
// long, and reports whether it did. Only the data pointer changes, in one
// atomic store that a lock-free reader sees whole or not at all, so the
// caller, holding the shard's mutex, need not move seq: the reads of the
// shard's other keys go on undisturbed. (Values of one size are common: the
// benchmarks' are all 64 bytes, and an experiment that skipped seq for them
// took the 90/10 mix on Zipf keys from 0.58 to 0.49 of the baseline's time.)
func (t *table) swapSameLength(i int, val string) bool {
	p := &t.slots[i].val
	if p.n != uint64(len(val)) { // also false for a value with flags
		return false
	}
	atomic.StorePointer(&p.p, unsafe.Pointer(unsafe.StringData(val)))
	return true
}

// del removes key and returns its value.
func (t *table) del(key string, h uint64) (value, bool) {
	i := t.find(key, h)
	if i < 0 {
		return value{}, false
	}
	v := t.slot(i).val
	t.deleteAt(i)
	return v, true
}

// deleteAt empties slot i, then moves back each following slot of the run
// that a probe from its home would no longer reach, so that every key stays
// reachable without tombstones.
func (t *table) deleteAt(i int) {
	n := len(t.slots)
	for j := i; ; {
		if j++; j == n {
			j = 0
		}
		s := &t.slots[j]
		if s.meta == 0 {
			break
		}
		// The key in j may move to the hole at i unless its home lies
		// cyclically in (i, j].
		k := home(s.meta, n)
		if i <= j && i < k && k <= j || i > j && (i < k || k <= j) {
			continue
		}
		t.slots[i].store(s.kp, s.meta, s.val)
		i = j
	}
	t.slots[i].store(nil, 0, value{})
	t.used--
}

// rehash rebuilds the table with room for n keys at half full, so the next
// growth comes after half as many keys again: growth by 1.5.
func (t *table) rehash(n int) {
	if testHookRehash != nil {
		testHookRehash(t)
	}
	size := 0
	if n > 0 {
		size = max(2*n, t.minCap, 8)
	}
	old := t.slots
	t.slots = nil
	if size > 0 {
		t.slots = make([]slot, size)
	}
	// The new array is not shared until publish: plain stores.
	for j := range old {
		if s := &old[j]; s.meta != 0 {
			t.slots[t.claim(s.meta)] = *s
		}
	}
	t.publish()
}

// maybeShrink gives memory back after many deletions: Go never does for its
// maps, and a table that once held many keys would otherwise keep its size.
func (t *table) maybeShrink() {
	switch {
	case t.used == 0 && t.cap() > 64:
		t.clear()
	case t.cap() >= 1024 && t.used*8 < t.cap():
		// An eighth: a mass expiry rehashes the survivors rarely.
		t.rehash(t.used)
	}
}

// all calls f for each key and value until f returns false.
func (t *table) all(f func(key string, v value) bool) {
	for j := range t.slots {
		if s := &t.slots[j]; s.meta != 0 && !f(s.key(), s.val) {
			return
		}
	}
}

// clear empties the table and frees its memory.
func (t *table) clear() {
	t.slots, t.used = nil, 0
	t.publish()
}

// moveFrom makes t hold what o holds (o is not used after), for readers too.
func (t *table) moveFrom(o *table) {
	t.slots, t.used = o.slots, o.used
	t.publish()
}

// upsert returns a pointer to key's value, inserting key with a zero value
// first if it is absent; existed reports which. The pointer is valid until
// the table next changes; write through it with value.store only.
func (t *table) upsert(key string, h uint64) (p *value, existed bool) {
	if i := t.find(key, h); i >= 0 {
		return &t.slot(i).val, true
	}
	return &t.slot(t.insertNew(key, h, value{})).val, false
}

// random returns a key whose value satisfies ok, starting the search at a
// random slot.
func (t *table) random(ok func(value) bool) (string, bool) {
	n := t.cap()
	if t.used == 0 {
		return "", false
	}
	start := rand.IntN(n)
	for j := range n {
		if s := t.slot((start + j) % n); s.meta != 0 && ok(s.val) {
			return s.key(), true
		}
	}
	return "", false
}

// firstCap is the size of shard i's first table: the shards' first sizes
// are spread evenly over one growth step (16 to 24 slots, on a log scale).
// Keys spread evenly over the shards, so tables that started alike would all
// grow at the same key count and be about as full as one another: the memory
// per key would then depend on where the key count falls between two
// growths (119 to 142 bytes per key with 1M keys over 64 or 128 shards).
// Spread, the tables are at every point of the cycle at once, and the
// store's memory per key is their average.
func firstCap(i int) int {
	// The golden ratio's fraction spreads any number of shards evenly.
	f := math.Mod(float64(i)*0.6180339887498949, 1)
	return int(16 * math.Pow(1.5, f))
}
