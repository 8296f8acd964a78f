package store

import (
	"math"
	"math/bits"
	"runtime"
	"sync"
	"sync/atomic"
)

// Store is an in-memory keyspace of strings and hashes with Redis semantics.
// It is safe for concurrent use by any number of goroutines. The zero value
// is not usable: create one with [New] and release it with [Store.Close].
type Store struct {
	shards []shard
	shift  uint // 64 - log2(len(shards)): the top bits of a key's hash pick its shard

	notify      func(class byte, event, key string)
	feedBacklog int
	feed        atomic.Pointer[Feed] // nil until the first consumer asks for it

	replica     atomic.Bool // see SetReplica; written with every shard locked
	closed      atomic.Bool
	noReadStats bool // Options.NoReadStats; next to closed, which Get also loads
	closeOnce   sync.Once
	quit        chan struct{}
	wg          sync.WaitGroup
	sweepers    []sweeper
	clock       clock
	cmds        atomic.Uint64 // commands that lock no single shard (Keys, FlushAll, ...)
}

// shard is one lock's worth of the keyspace.
type shard struct {
	// mu is held by every writer and by the reads that do not take the
	// lock-free path (hashes, values read in more than one word, Scan,
	// snapshots). A Mutex rather than an RWMutex: a write then takes two
	// locked instructions instead of four, and the reads the lock serves
	// lost nothing measurable (2 goroutines' HGET on 100k hashes, and on one
	// hash, where the RWMutex's reader count moved between the CPUs anyway).
	mu sync.Mutex
	// cmds counts the commands of whoever holds mu, who increments it on
	// mu's cache line, which taking the lock has just brought to its CPU: a
	// plain add instead of a locked one on the line of fastHits, which the
	// other CPU's reads keep taking back. Guarded by mu.
	cmds uint64
	_    [64]byte // keeps seq off mu's cache line, which every writer writes
	// seq is odd while a writer changes the table in a way a reader could
	// see half done: lock makes it odd and unlock even again, around every
	// write but one, Set of a string of the same length over a plain
	// string, which changes one word. Get reads the table without the lock
	// and trusts what it read only if seq was even and the same before and
	// after (a seqlock), so the only shared word a read writes is its hit
	// counter: two CPUs reading the same shards no longer pull the lock's
	// cache line from each other.
	seq atomic.Uint64
	// Guarded by mu.
	tab     table       // the keys and their values
	exp     expiryIndex // the keys that have a deadline
	scratch []byte      // effect encoding buffer for transactions holding this shard
	// Keyspace hits and misses of the reads made holding mu, and keys
	// removed at their deadline.
	hits, misses, expired uint64

	// The lock-free reads' counters: Get and HGet count only fastHits or
	// fastMisses (each atomic add costs a read a memory barrier), which
	// Stats adds to hits, misses and commands.
	fastHits, fastMisses atomic.Uint64

	_ [64]byte // keeps the next shard's lock off this shard's counters' cache line
}

// lock takes the shard for writing; unlock releases it. A table one key
// short of growing grows first (see table.makeRoom), so that a command adding
// one key does not grow it with the lock-free readers shut out.
func (sh *shard) lock() {
	sh.mu.Lock()
	if len(sh.tab.slots) > 0 {
		sh.tab.makeRoom()
	}
	sh.seq.Add(1)
}

// insertNew adds a key known to be absent, with sh.mu held and seq even:
// it grows the table while readers still read the old slots, then makes seq
// odd only for the insertion itself.
func (sh *shard) insertNew(key string, h uint64, v value) {
	sh.tab.makeRoom()
	sh.seq.Add(1)
	sh.tab.insertNew(key, h, v)
	sh.seq.Add(1)
}

func (sh *shard) unlock() {
	sh.seq.Add(1)
	sh.mu.Unlock()
}

// New returns an empty Store. opts may be nil; New does not keep or modify it.
func New(opts *Options) (*Store, error) {
	o := opts.withDefaults()
	n := o.shards
	if n <= 0 {
		// Shards are a power of two so that the top bits of a key's hash
		// pick one. 64 per P keeps two goroutines on different locks almost
		// always, and each shard small enough that Scan's per-call work
		// (one pass over a shard) stays short; 128 is the floor. With 2 Ps,
		// 128 shards instead of 64 took the 90/10 mix of GET and SET on 1M
		// Zipf-distributed keys from 0.68 to 0.56 of a locked map's time
		// (2026-12-02): a write bumps its shard's seq, which every
		// lock-free read of that shard then loads from the writer's cache.
		n = max(128, 64*runtime.GOMAXPROCS(0))
	}
	n = 1 << bits.Len(uint(n-1))
	n = min(n, maxShards)
	s := &Store{
		shards:      make([]shard, n),
		shift:       uint(64 - bits.TrailingZeros(uint(n))),
		notify:      o.Notify,
		feedBacklog: o.FeedBacklog,
		noReadStats: o.NoReadStats,
		quit:        make(chan struct{}),
	}
	for i := range s.shards {
		s.shards[i].tab.minCap = firstCap(i)
	}
	s.clock.init()
	if n == 1 {
		s.shift = 63 // a uint64 shifted by 64 is 0 in Go, but be explicit
	}
	// A power of two, so that a writer finds a shard's sweeper with a mask
	// instead of a division.
	w := 1 << (bits.Len(uint(min(runtime.GOMAXPROCS(0), n))) - 1)
	s.sweepers = make([]sweeper, w)
	for i := range s.sweepers {
		sw := &s.sweepers[i]
		sw.wake = make(chan struct{}, 1)
		sw.next.Store(math.MaxInt64)
		if !o.noSweep {
			s.goroutine(func() { s.sweep(i) })
		}
	}
	return s, nil
}

// maxShards bounds the shard count (transactions keep a bitset of them).
const maxShards = 1024

// goroutine starts f as a goroutine that Close waits for.
func (s *Store) goroutine(f func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
}

// Close stops the store's background goroutines and makes every later call
// fail with [ErrClosed]. It is idempotent: later calls return nil. Close does
// not wait for calls in progress in other goroutines.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.quit)
		s.wg.Wait()
		if f := s.feed.Load(); f != nil {
			f.close()
		}
	})
	return nil
}

func (s *Store) index(key string) int { return s.indexOf(hashKey(key)) }

// indexOf returns the shard of a key whose hash is h.
func (s *Store) indexOf(h uint64) int {
	if len(s.shards) == 1 {
		return 0
	}
	return int(h >> s.shift)
}

// nowMs is the store's clock: unix milliseconds.
func (s *Store) nowMs() int64 { return s.clock.nowMs() }

// Stats is a point-in-time summary of a Store, like the keyspace and stats
// sections of Redis's INFO. Counters are totals since New.
type Stats struct {
	Keys     int64  // keys held, including expired keys not yet removed (DBSIZE)
	Expires  int64  // keys with a deadline
	Hits     uint64 // reads of a key that was there (keyspace_hits)
	Misses   uint64 // reads of a key that was not (keyspace_misses)
	Expired  uint64 // keys removed because their deadline passed (expired_keys)
	Commands uint64 // commands processed (total_commands_processed)
}

// Stats returns the store's counters. Each shard is read under its own lock,
// so the figures are not one atomic snapshot while writes go on. A store
// created with [Options].NoReadStats reports no Hits or Misses, and leaves
// Get and HGet out of Commands.
func (s *Store) Stats() Stats {
	st := Stats{Commands: s.cmds.Load()}
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		st.Keys += int64(sh.tab.len())
		st.Expires += int64(sh.exp.live)
		st.Commands += sh.cmds
		st.Hits += sh.hits
		st.Misses += sh.misses
		st.Expired += sh.expired
		sh.mu.Unlock()
		fh, fm := sh.fastHits.Load(), sh.fastMisses.Load()
		st.Hits += fh
		st.Misses += fm
		st.Commands += fh + fm
	}
	return st
}
