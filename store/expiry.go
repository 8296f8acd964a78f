package store

import (
	"cmp"
	"math"
	"slices"

	"github.com/google/btree"
)

// expiryIndex is a shard's index of the keys that have a deadline, ordered
// by deadline, so that the sweeper takes keys at their exact deadline.
//
// An entry is a key's tag (the 32 hash bits its table slot is placed by,
// see [tagOf]) and its deadline; the sweeper takes a key of the table with
// that tag and that deadline (see [table.findDue]). Two keys with the same
// tag and deadline have an entry each and the sweeper takes one per entry,
// either one, as both are due. Tags hold no pointer, so the garbage
// collector never scans the index, and an entry costs 4 bytes.
//
// The index keeps most entries in lanes: a lane is a queue of runs (a
// deadline and how many entries it has) with the runs' tags in a second
// queue, in order. The commonest write of a cache is SET with one TTL, whose
// deadlines come in order, so adding is an append to a lane and taking the
// earliest is a pop. A deadline goes to the lane whose last deadline is the
// latest not after it; a few lanes take a few TTLs that interleave (a day
// and a minute, say). A deadline earlier than every lane's last, with
// maxLanes lanes in use, goes to a B-tree of buckets ordered by deadline, a
// bucket per millisecond. The sweeper takes the earliest of the heads.
//
// Removing a key (DEL, PERSIST, a new deadline, SET without one) is lazy: it
// only counts the key's entry as stale. The sweeper checks every entry
// against the table and skips the stale ones; once stale entries outnumber
// live ones, the shard rebuilds the index from its table (see
// [expiryIndex.needsRebuild]), so memory stays within twice the live keys.
//
// An expiryIndex is guarded by its shard's lock.
type expiryIndex struct {
	lanes []expiryLane // none empty

	tree  *btree.BTreeG[*expiryBucket] // deadlines no lane could take
	last  *expiryBucket                // the bucket the last add to tree used, still in tree
	probe *expiryBucket                // a search key, kept so that searching allocates nothing

	live  int // keys of the shard with a deadline
	stale int // entries whose key no longer has their deadline
}

// maxLanes bounds an index's lanes: the sweeper compares their heads for
// every entry it takes.
const maxLanes = 4

// expiryLane is a queue of entries in deadline order.
type expiryLane struct {
	runs ring[expiryRun] // deadlines in order, each with its count of tags
	tags ring[uint32]    // the runs' tags, in the same order
}

// expiryRun is n tags of a lane with deadline at (unix ms).
type expiryRun struct {
	at int64
	n  int
}

// expiryBucket holds the tags of keys with deadline at (unix ms).
// tags[:next] were taken by the sweeper already.
type expiryBucket struct {
	at   int64
	next int
	tags []uint32
}

func lessBucket(a, b *expiryBucket) bool { return a.at < b.at }

// tagOf returns the tag of a key with hash h: the hash bits its table slot
// is placed by (see [metaOf]).
func tagOf(h uint64) uint32 { return uint32(h >> 7) }

// rebuildMin is the number of stale entries below which an index is never
// rebuilt, however few live keys it has.
const rebuildMin = 1024

// add records that the key with hash h got deadline at.
func (x *expiryIndex) add(h uint64, at int64) {
	x.live++
	x.insert(tagOf(h), at)
}

func (x *expiryIndex) insert(tag uint32, at int64) {
	var best *expiryLane
	for i := range x.lanes {
		l := &x.lanes[i]
		if r := l.runs.back(); r.at <= at && (best == nil || r.at > best.runs.back().at) {
			best = l
		}
	}
	if best == nil && len(x.lanes) < maxLanes {
		x.lanes = append(x.lanes, expiryLane{})
		best = &x.lanes[len(x.lanes)-1]
	}
	if best != nil {
		if best.runs.n > 0 && best.runs.back().at == at {
			best.runs.back().n++
		} else {
			best.runs.push(expiryRun{at: at, n: 1})
		}
		best.tags.push(tag)
		return
	}
	b := x.last
	if b == nil || b.at != at {
		if x.tree == nil {
			x.tree = btree.NewG(32, lessBucket)
			x.probe = new(expiryBucket)
		}
		x.probe.at = at
		var ok bool
		if b, ok = x.tree.Get(x.probe); !ok {
			b = &expiryBucket{at: at}
			x.tree.ReplaceOrInsert(b)
		}
		x.last = b
	}
	b.tags = append(b.tags, tag)
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
// deadline, and no stale entry. Sorted by deadline first, they all go to
// one lane.
func (x *expiryIndex) rebuild(tab *table) {
	type entry struct {
		at  int64
		tag uint32
	}
	var es []entry
	tab.all(func(key string, v value) bool {
		if at := v.deadline(); at != 0 {
			es = append(es, entry{at, tagOf(hashKey(key))})
		}
		return true
	})
	slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.at, b.at) })
	*x = expiryIndex{live: len(es)}
	for _, e := range es {
		x.insert(e.tag, e.at)
	}
}

// treeMin returns the tree's earliest bucket with entries left, dropping
// the buckets the sweeper took whole, or nil.
func (x *expiryIndex) treeMin() *expiryBucket {
	for x.tree != nil {
		b, ok := x.tree.Min()
		if !ok {
			break
		}
		if b.next < len(b.tags) {
			return b
		}
		x.tree.DeleteMin()
		if x.last == b {
			x.last = nil
		}
	}
	return nil
}

// pop takes the next entry with a deadline at or before now, earliest
// first: a key's tag and deadline. The caller must then call expired or
// skipped for it.
func (x *expiryIndex) pop(now int64) (tag uint32, at int64, ok bool) {
	l := x.firstLane()
	b := x.treeMin()
	if l >= 0 && (b == nil || x.lanes[l].runs.front().at <= b.at) {
		ln := &x.lanes[l]
		r := ln.runs.front()
		if r.at > now {
			return 0, 0, false
		}
		at = r.at
		if r.n--; r.n == 0 {
			ln.runs.pop()
		}
		tag = ln.tags.pop()
		if ln.runs.n == 0 {
			x.lanes = slices.Delete(x.lanes, l, l+1)
		}
		return tag, at, true
	}
	if b == nil || b.at > now {
		return 0, 0, false
	}
	b.next++
	return b.tags[b.next-1], b.at, true
}

// firstLane returns the index of the lane with the earliest head, or -1.
func (x *expiryIndex) firstLane() int {
	first := -1
	for i := range x.lanes {
		if first < 0 || x.lanes[i].runs.front().at < x.lanes[first].runs.front().at {
			first = i
		}
	}
	return first
}

// expired records that the entry pop returned was the key's deadline, and
// the key is gone.
func (x *expiryIndex) expired() { x.live-- }

// skipped records that the entry pop returned was stale.
func (x *expiryIndex) skipped() { x.stale-- }

// next returns the earliest deadline in the index, math.MaxInt64 for none.
// It may be the deadline of stale entries only.
func (x *expiryIndex) next() int64 {
	at := int64(math.MaxInt64)
	if l := x.firstLane(); l >= 0 {
		at = x.lanes[l].runs.front().at
	}
	if b := x.treeMin(); b != nil && b.at < at {
		at = b.at
	}
	return at
}

// ring is a FIFO queue in a circular buffer whose size is a power of two.
// It grows as it fills and shrinks as it empties, so that a queue that
// held many entries once does not keep their memory.
type ring[T any] struct {
	buf  []T
	head int
	n    int
}

// ringMin is the smallest buffer a ring keeps (or none when empty).
const ringMin = 8

func (r *ring[T]) push(v T) {
	if r.n == len(r.buf) {
		r.resize(max(ringMin, 2*len(r.buf)))
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = v
	r.n++
}

// front and back return the first and the last entry; r must not be empty.
func (r *ring[T]) front() *T { return &r.buf[r.head] }
func (r *ring[T]) back() *T  { return &r.buf[(r.head+r.n-1)&(len(r.buf)-1)] }

// pop removes and returns the first entry; r must not be empty.
func (r *ring[T]) pop() T {
	v := r.buf[r.head]
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	switch {
	case r.n == 0:
		*r = ring[T]{}
	case len(r.buf) > ringMin && r.n < len(r.buf)/4:
		r.resize(len(r.buf) / 2)
	}
	return v
}

// resize moves the entries, in order, to a new buffer of size c.
func (r *ring[T]) resize(c int) {
	b := make([]T, c)
	k := copy(b, r.buf[r.head:min(r.head+r.n, len(r.buf))])
	copy(b[k:r.n], r.buf)
	r.buf, r.head = b, 0
}
