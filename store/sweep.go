package store

import (
	"math"
	"sync/atomic"
	"time"
)

// A sweeper removes expired keys from the shards i with i%len(sweepers) == its
// index, at their deadline. It sleeps until the earliest deadline it knows of;
// a writer that sets an earlier deadline lowers next and wakes it.
type sweeper struct {
	next atomic.Int64  // earliest deadline (unix ms) the sweeper will wake for
	wake chan struct{} // capacity 1
}

// sweepBatch bounds the keys removed per lock hold, so that a mass expiry
// never keeps a shard's readers waiting long.
const sweepBatch = 256

// noteDeadline tells shard i's sweeper about a new deadline at.
func (s *Store) noteDeadline(i int, at int64) {
	sw := &s.sweepers[i&(len(s.sweepers)-1)] // a power of two
	for {
		cur := sw.next.Load()
		if at >= cur {
			return
		}
		if sw.next.CompareAndSwap(cur, at) {
			select {
			case sw.wake <- struct{}{}:
			default:
			}
			return
		}
	}
}

func (s *Store) sweep(w int) {
	sw := &s.sweepers[w]
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next := sw.next.Load()
		now := s.nowMs()
		if next > now {
			if next == math.MaxInt64 {
				timer.Stop()
			} else {
				timer.Reset(time.Duration(next-now) * time.Millisecond)
			}
			select {
			case <-s.quit:
				return
			case <-sw.wake:
				continue
			case <-timer.C:
			}
			now = s.nowMs()
			if now < sw.next.Load() {
				continue
			}
		}
		// Writers that set a deadline while we sweep lower next from here
		// and leave a wake token, so nothing set behind us is forgotten.
		sw.next.Store(math.MaxInt64)
		earliest := int64(math.MaxInt64)
		for i := w; i < len(s.shards); i += len(s.sweepers) {
			if at := s.sweepShard(i, now); at < earliest {
				earliest = at
			}
			select {
			case <-s.quit:
				return
			default:
			}
		}
		for {
			cur := sw.next.Load()
			if earliest >= cur || sw.next.CompareAndSwap(cur, earliest) {
				break
			}
		}
	}
}

// sweepShard removes shard i's keys whose deadline is at or before now and
// returns the earliest deadline left (math.MaxInt64 for none).
func (s *Store) sweepShard(i int, now int64) int64 {
	sh := &s.shards[i]
	for {
		sh.lock()
		if s.replica.Load() {
			// A replica's keys expire when its master says so.
			sh.unlock()
			return math.MaxInt64
		}
		var keys []string
		if s.notify != nil {
			keys = make([]string, 0, sweepBatch)
		}
		f := s.feed.Load()
		eff := sh.scratch[:0]
		n := 0
		for n < sweepBatch {
			tag, at, ok := sh.exp.pop(now)
			if !ok {
				break
			}
			// A key removed or given another deadline left its entry here.
			j := sh.tab.findDue(tag, at)
			if j < 0 {
				sh.exp.skipped()
				continue
			}
			sh.exp.expired()
			key := sh.tab.slot(j).key()
			sh.tab.deleteAt(j)
			n++
			if f != nil {
				eff = appendCommand2(eff, "DEL", key)
			}
			if keys != nil {
				keys = append(keys, key)
			}
		}
		if n > 0 {
			sh.expired += uint64(n)
			if f != nil {
				f.append(eff, n, false)
			}
			sh.tab.maybeShrink()
		}
		sh.scratch = keepScratch(eff)
		next := sh.exp.next()
		sh.unlock()
		for _, k := range keys {
			s.notify('x', "expired", k)
		}
		if n < sweepBatch || next > now {
			return next
		}
	}
}

// setDeadlineLocked records that key's deadline moved from old to at (either
// may be 0 for none) in shard i's expiry index.
func (s *Store) setDeadlineLocked(i int, key string, h uint64, old, at int64) {
	if old == at {
		return
	}
	sh := &s.shards[i]
	if old != 0 {
		sh.exp.remove()
	}
	if at != 0 {
		sh.exp.add(h, at)
		s.noteDeadline(i, at)
	}
	if sh.exp.needsRebuild() {
		sh.exp.rebuild(&sh.tab)
	}
}

// keepScratch returns b emptied for reuse, unless it grew too large to keep.
func keepScratch(b []byte) []byte {
	if cap(b) > 64<<10 {
		return nil
	}
	return b[:0]
}
