package store

import (
	"math"
)

// SetReplica switches the store into replica mode (on) or back to a primary
// (off), as a Redis server becomes a replica with REPLICAOF and a primary
// again with REPLICAOF NO ONE. Replication calls it; programs rarely need to.
//
// In replica mode the store takes writes only from its master, through
// [Store.Apply], [Store.ApplyBatch] and [Store.Load]; every other write fails
// with [ErrReadOnly], while reads go on. It never expires keys itself: keys
// past their deadline are hidden from reads but stay until the master's DEL
// arrives, and a deadline in the past does not delete a key. Applied
// commands see keys as the master did when it sent them, expired or not, and
// record nothing in the feed: a follower relays its master's own bytes with
// [Feed.AppendRaw].
//
// Switching back to a primary makes the sweepers remove what has expired
// meanwhile.
func (s *Store) SetReplica(on bool) error {
	t := Tx{apply: true}
	if err := s.beginAll(&t, true); err != nil {
		return err
	}
	s.replica.Store(on)
	t.unlockAll()
	if !on {
		for i := range s.sweepers {
			s.noteDeadline(i, 1)
		}
	}
	return nil
}

// Replica reports whether the store is in replica mode.
func (s *Store) Replica() bool { return s.replica.Load() }

// Loader receives the entries of a [Store.Load].
type Loader struct {
	s     *Store
	fresh []shard
}

// Reserve tells the loader how many keys are coming, such as the count an
// RDB file announces, so that its tables are sized once instead of growing.
func (l *Loader) Reserve(keys int) {
	if keys <= 0 {
		return
	}
	// Keys spread evenly over the shards; leave room for the spread.
	per := keys/len(l.fresh) + 4*int(math.Sqrt(float64(keys/len(l.fresh)))) + 8
	for i := range l.fresh {
		if t := &l.fresh[i].tab; t.used == 0 && t.cap() < per {
			t.rehash(per)
		}
	}
}

// Load replaces the whole keyspace of a store in replica mode with the
// entries that fill passes to the Loader, as a replica loads its master's
// snapshot on a full resync. The entries are loaded aside, then swapped in
// at once: readers see the old keyspace or the new one, never a part of it.
// A key given twice keeps its last value. If fill returns an error the store
// is left as it was. Load records nothing in the feed.
func (s *Store) Load(fill func(l *Loader) error) error {
	if s.closed.Load() {
		return ErrClosed
	}
	if !s.replica.Load() {
		return errNotReplica
	}
	l := &Loader{s: s, fresh: make([]shard, len(s.shards))}
	if err := fill(l); err != nil {
		return err
	}
	t := Tx{apply: true}
	if err := s.beginAll(&t, true); err != nil {
		return err
	}
	defer s.end(&t)
	if !t.replica {
		return errNotReplica
	}
	for i := range s.shards {
		s.shards[i].tab.moveFrom(&l.fresh[i].tab)
		s.shards[i].exp = l.fresh[i].exp
	}
	return nil
}

// Add adds one entry.
func (l *Loader) Add(e Entry) error {
	h := hashKey(e.Key)
	sh := &l.fresh[l.s.indexOf(h)]
	var v value
	if e.Hash {
		if len(e.Fields)%2 != 0 {
			return errOddFields
		}
		hv := newHash(len(e.Fields) / 2)
		for j := 0; j < len(e.Fields); j += 2 {
			hv, _ = hv.set(e.Fields[j], e.Fields[j+1])
		}
		hv.at = e.ExpireAt
		v = hashValue(hv)
	} else {
		v = newString(e.Value, e.ExpireAt)
	}
	p, existed := sh.tab.upsert(e.Key, h)
	if existed && p.deadline() != 0 {
		sh.exp.remove()
	}
	p.store(v)
	if e.ExpireAt != 0 {
		sh.exp.add(h, e.ExpireAt)
	}
	if sh.exp.needsRebuild() {
		sh.exp.rebuild(&sh.tab)
	}
	return nil
}
