package store

import (
	"math"

	"github.com/google/btree"
)

// expiryIndex is a shard's index of the keys that have a deadline: a B-tree
// of buckets ordered by deadline, a bucket per millisecond that holds keys.
// The sweeper takes the earliest bucket first, so keys go at their exact
// deadline.
//
// It is built for the commonest write of a cache, SET with a TTL: keys set
// in the same millisecond with the same TTL share a deadline, and adding one
// appends to the bucket the previous add used, without a descent of the
// tree. Removing a key (DEL, PERSIST, a new deadline, SET without one) is
// lazy: it only counts the key's entry as stale. The sweeper checks every
// entry against the table and skips the stale ones; once stale entries
// outnumber live ones, the shard rebuilds the index from its table (see
// [expiryIndex.needsRebuild]), so memory stays within twice the live keys.
//
// An expiryIndex is guarded by its shard's lock.
type expiryIndex struct {
	tree  *btree.BTreeG[*expiryBucket]
	last  *expiryBucket // the bucket the last add appended to, still in tree
	probe *expiryBucket // a search key, kept so that searching allocates nothing
	live  int           // keys of the shard with a deadline
	stale int           // entries whose key no longer has their bucket's deadline
}

// expiryBucket holds the keys with deadline at (unix ms) by their hashes.
// keys[:next] were taken by the sweeper already.
//
// A hash is enough to find its key again: the sweeper takes the key of the
// table with that hash and that deadline (see [table.findDue]). Two keys
// with the same hash and deadline have an entry each, and the sweeper takes
// one per entry. Hashes hold no pointer, so the garbage collector never
// scans the index, and an entry costs 8 bytes.
type expiryBucket struct {
	at   int64
	next int
	keys []uint64
}

func lessBucket(a, b *expiryBucket) bool { return a.at < b.at }

// rebuildMin is the number of stale entries below which an index is never
// rebuilt, however few live keys it has.
const rebuildMin = 1024

// add records that the key with hash h got deadline at.
func (x *expiryIndex) add(h uint64, at int64) {
	x.live++
	b := x.last
	if b == nil || b.at != at {
		if x.tree == nil {
			x.tree = btree.NewG(32, lessBucket)
			x.probe = new(expiryBucket)
		}
		x.probe.at = at
		var ok bool
		if b, ok = x.tree.Get(x.probe); !ok {
			// Keys tend to come at a steady rate: room for as many as the
			// last bucket got spares the new one append's growth (whose
			// discarded arrays cost a third of SET with TTL's garbage).
			n := 0
			if x.last != nil {
				n = len(x.last.keys)
			}
			b = &expiryBucket{at: at, keys: make([]uint64, 0, n)}
			x.tree.ReplaceOrInsert(b)
		}
		x.last = b
	}
	b.keys = append(b.keys, h)
}

// remove records that a key lost its deadline (or got another one, which
// add records).
func (x *expiryIndex) remove() {
	x.live--
	x.stale++
}

// needsRebuild reports whether stale entries have come to outnumber live
// keys, so that the shard should call rebuild.
func (x *expiryIndex) needsRebuild() bool {
	return x.stale > rebuildMin && x.stale > x.live
}

// rebuild replaces the index with one of the keys of tab that have a
// deadline, and no stale entry.
func (x *expiryIndex) rebuild(tab *table) {
	*x = expiryIndex{}
	tab.all(func(key string, v value) bool {
		if at := v.deadline(); at != 0 {
			x.add(hashKey(key), at)
		}
		return true
	})
}

// pop takes the next entry with a deadline at or before now, earliest
// first: a key's hash and deadline. The caller must then call expired or
// skipped for it.
func (x *expiryIndex) pop(now int64) (h uint64, at int64, ok bool) {
	for x.tree != nil {
		b, found := x.tree.Min()
		if !found || b.at > now {
			break
		}
		if b.next < len(b.keys) {
			b.next++
			return b.keys[b.next-1], b.at, true
		}
		x.tree.DeleteMin()
		if x.last == b {
			x.last = nil
		}
	}
	return 0, 0, false
}

// expired records that the entry pop returned was the key's deadline, and
// the key is gone.
func (x *expiryIndex) expired() { x.live-- }

// skipped records that the entry pop returned was stale.
func (x *expiryIndex) skipped() { x.stale-- }

// next returns the earliest deadline in the index, math.MaxInt64 for none.
// It may be the deadline of stale entries only.
func (x *expiryIndex) next() int64 {
	for x.tree != nil {
		b, ok := x.tree.Min()
		if !ok {
			break
		}
		if b.next < len(b.keys) {
			return b.at
		}
		x.tree.DeleteMin() // taken whole by pop
		if x.last == b {
			x.last = nil
		}
	}
	return math.MaxInt64
}
