package main

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/dgraph-io/ristretto/v2"
	"github.com/maypok86/otter/v2"
	gocache "github.com/patrickmn/go-cache"
	"github.com/tidwall/buntdb"

	"github.com/emberkv/ember/store"
)

// ops is what the store workloads drive: one goroutine's handle on a store.
// Every implementation but the pipelined Redis client returns results at
// once; that one queues commands, and Sync sends what is queued.
type ops interface {
	Set(k, v string)
	// Get reports whether k was found. A pipelined implementation reports
	// true and counts its misses for Sync.
	Get(k string) bool
	// Sync completes any queued commands and returns how many of the Gets
	// among them missed.
	Sync() int
}

// ttlOps is implemented by stores that can give a key a time to live.
type ttlOps interface {
	SetTTL(k, v string, ttl time.Duration)
}

// hashOps is implemented by stores that hold hashes (field → value maps
// under a key, Redis's HSET and HGET).
type hashOps interface {
	HSet(k, f, v string)
	HGet(k, f string) bool
}

// kvStore is one instance of a contender's store.
type kvStore interface {
	ops
	// Session returns a handle for one more goroutine: the store itself,
	// except for clients that need one connection or pipeline each.
	Session() ops
	Close()
}

// sizer is implemented by stores that can count their keys, which the TTL
// reclaim workload needs; the count may include expired keys not yet
// removed (that is the point).
type sizer interface {
	Len() int
}

// settler is implemented by stores whose writes complete asynchronously
// (ristretto): Settle waits until the writes made so far are applied.
type settler interface {
	Settle()
}

// openOpts says what a store instance is for. Most contenders ignore it;
// otter fixes the TTL when the cache is built.
type openOpts struct {
	ttl      time.Duration // every write will carry this TTL
	deadline time.Time     // every write will expire at this instant
}

// contender is one library (or baseline, or server) in the comparison.
type contender struct {
	name string
	// what says in a few words what it is, for the header.
	what string
	open func(o openOpts) (kvStore, error)
	// hashes, ttl and reclaim say which workloads it can run. reclaim
	// needs ttl, a sizer and expiry in real time without reads.
	hashes, ttl, reclaim bool
	// why explains, by workload, a "—" that the flags above do not.
	why map[string]string
	// remote contenders talk to a redis-server over loopback.
	remote bool
}

var errNoRedis = errors.New("redis-server not found on PATH")

// storeContenders lists the contenders of the store workloads, Ember first:
// it is the reference of every ratio.
func storeContenders() []*contender {
	return []*contender{
		{name: "ember", what: "github.com/emberkv/ember/store", open: openEmber, hashes: true, ttl: true, reclaim: true},
		{name: "map+rwmutex", what: "map[string]string (and a map of maps for hashes) behind one sync.RWMutex", open: openMap, hashes: true},
		{name: "sync.Map", what: "sync.Map of string to string", open: openSyncMap},
		{name: "go-cache", what: "github.com/patrickmn/go-cache, janitor every 1 s", open: openGoCache, ttl: true, reclaim: true},
		{name: "otter", what: "github.com/maypok86/otter/v2, unbounded; TTL fixed per cache (ExpiryWriting)", open: openOtter, ttl: true, reclaim: true},
		{name: "buntdb", what: "github.com/tidwall/buntdb, :memory:, one transaction per operation", open: openBunt, ttl: true, reclaim: true},
		{name: "ristretto", what: "github.com/dgraph-io/ristretto/v2, cost 1 per key, MaxCost 2×keys; asynchronous Set, Wait() after writes", open: openRistretto, ttl: true, reclaim: true},
		{name: "miniredis", what: "github.com/alicebob/miniredis/v2, in-process Go API (no network)", open: openMiniredis, hashes: true, ttl: true,
			why: map[string]string{"reclaim": "TTLs run in virtual time (FastForward); ClockTTL checks every key on every call"}},
		{name: "redis", what: "redis-server over loopback via go-redis, one command per round trip", open: openRedis(false), hashes: true, ttl: true, reclaim: true, remote: true},
		{name: "redis-pipe", what: "redis-server over loopback via go-redis, pipelines of 100 commands", open: openRedis(true), hashes: true, ttl: true, remote: true,
			why: map[string]string{"heap": "the same server as redis", "reclaim": "the same server as redis"}},
	}
}

// --- Ember ---

type emberStore struct{ s *store.Store }

func openEmber(openOpts) (kvStore, error) {
	s, err := store.New(nil)
	if err != nil {
		return nil, err
	}
	return emberStore{s}, nil
}

func (e emberStore) Set(k, v string) { _ = e.s.Set(k, v) }
func (e emberStore) Get(k string) bool {
	_, ok, _ := e.s.Get(k)
	return ok
}
func (e emberStore) SetTTL(k, v string, ttl time.Duration) {
	_, _, _ = e.s.SetArgs(k, v, store.SetArgs{PX: ttl.Milliseconds()})
}
func (e emberStore) HSet(k, f, v string) { _, _ = e.s.HSet(k, f, v) }
func (e emberStore) HGet(k, f string) bool {
	_, ok, _ := e.s.HGet(k, f)
	return ok
}
func (e emberStore) Len() int {
	n, _ := e.s.DBSize()
	return int(n)
}
func (e emberStore) Sync() int    { return 0 }
func (e emberStore) Session() ops { return e }
func (e emberStore) Close()       { _ = e.s.Close() }

// --- map + RWMutex ---

type mapStore struct {
	mu sync.RWMutex
	m  map[string]string
	h  map[string]map[string]string
}

func openMap(openOpts) (kvStore, error) {
	return &mapStore{m: map[string]string{}, h: map[string]map[string]string{}}, nil
}

func (m *mapStore) Set(k, v string) {
	m.mu.Lock()
	m.m[k] = v
	m.mu.Unlock()
}
func (m *mapStore) Get(k string) bool {
	m.mu.RLock()
	_, ok := m.m[k]
	m.mu.RUnlock()
	return ok
}
func (m *mapStore) HSet(k, f, v string) {
	m.mu.Lock()
	h := m.h[k]
	if h == nil {
		h = map[string]string{}
		m.h[k] = h
	}
	h[f] = v
	m.mu.Unlock()
}
func (m *mapStore) HGet(k, f string) bool {
	m.mu.RLock()
	_, ok := m.h[k][f]
	m.mu.RUnlock()
	return ok
}
func (m *mapStore) Sync() int    { return 0 }
func (m *mapStore) Session() ops { return m }
func (m *mapStore) Close()       {}

// --- sync.Map ---

type syncMapStore struct{ m sync.Map }

func openSyncMap(openOpts) (kvStore, error) { return &syncMapStore{}, nil }

func (m *syncMapStore) Set(k, v string) { m.m.Store(k, v) }
func (m *syncMapStore) Get(k string) bool {
	_, ok := m.m.Load(k)
	return ok
}
func (m *syncMapStore) Sync() int    { return 0 }
func (m *syncMapStore) Session() ops { return m }
func (m *syncMapStore) Close()       {}

// --- go-cache ---

type goCacheStore struct{ c *gocache.Cache }

func openGoCache(openOpts) (kvStore, error) {
	return goCacheStore{gocache.New(gocache.NoExpiration, time.Second)}, nil
}

func (g goCacheStore) Set(k, v string) { g.c.Set(k, v, gocache.NoExpiration) }
func (g goCacheStore) Get(k string) bool {
	_, ok := g.c.Get(k)
	return ok
}
func (g goCacheStore) SetTTL(k, v string, ttl time.Duration) { g.c.Set(k, v, ttl) }
func (g goCacheStore) Len() int                              { return g.c.ItemCount() }
func (g goCacheStore) Sync() int                             { return 0 }
func (g goCacheStore) Session() ops                          { return g }

// Close empties the cache; go-cache stops its janitor when the cache is
// garbage collected.
func (g goCacheStore) Close() { g.c.Flush() }

// --- otter ---

type otterStore struct{ c *otter.Cache[string, string] }

func openOtter(o openOpts) (kvStore, error) {
	opts := &otter.Options[string, string]{}
	switch {
	case !o.deadline.IsZero():
		deadline := o.deadline
		opts.ExpiryCalculator = otter.ExpiryWritingFunc(func(otter.Entry[string, string]) time.Duration {
			return time.Until(deadline)
		})
	case o.ttl > 0:
		opts.ExpiryCalculator = otter.ExpiryWriting[string, string](o.ttl)
	}
	c, err := otter.New(opts)
	if err != nil {
		return nil, err
	}
	return otterStore{c}, nil
}

func (o otterStore) Set(k, v string) { o.c.Set(k, v) }
func (o otterStore) Get(k string) bool {
	_, ok := o.c.GetIfPresent(k)
	return ok
}

// SetTTL is a plain Set: the cache was built with the TTL (see openOtter).
func (o otterStore) SetTTL(k, v string, _ time.Duration) { o.c.Set(k, v) }
func (o otterStore) Len() int                            { return o.c.EstimatedSize() }
func (o otterStore) Sync() int                           { return 0 }
func (o otterStore) Session() ops                        { return o }
func (o otterStore) Close() {
	o.c.InvalidateAll()
	o.c.StopAllGoroutines()
}

// --- buntdb ---

type buntStore struct{ db *buntdb.DB }

func openBunt(openOpts) (kvStore, error) {
	db, err := buntdb.Open(":memory:")
	if err != nil {
		return nil, err
	}
	return buntStore{db}, nil
}

func (b buntStore) Set(k, v string) {
	_ = b.db.Update(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(k, v, nil)
		return err
	})
}
func (b buntStore) Get(k string) bool {
	found := false
	_ = b.db.View(func(tx *buntdb.Tx) error {
		_, err := tx.Get(k)
		found = err == nil
		return nil
	})
	return found
}
func (b buntStore) SetTTL(k, v string, ttl time.Duration) {
	_ = b.db.Update(func(tx *buntdb.Tx) error {
		_, _, err := tx.Set(k, v, &buntdb.SetOptions{Expires: true, TTL: ttl})
		return err
	})
}
func (b buntStore) Len() int {
	n := 0
	_ = b.db.View(func(tx *buntdb.Tx) error {
		n, _ = tx.Len()
		return nil
	})
	return n
}
func (b buntStore) Sync() int    { return 0 }
func (b buntStore) Session() ops { return b }
func (b buntStore) Close()       { _ = b.db.Close() }

// --- ristretto ---

// ristrettoStore counts the keys its cache holds through the eviction
// callback (expired keys leave through it too), since ristretto has no
// length. Its Set is asynchronous: it queues the write in a buffer that a
// goroutine of the cache applies, and drops it (returning false) when the
// buffer is full. The timed loops count such Sets as done and report how many
// were dropped; Settle (Wait) is timed with them. Untimed loading (Bulk)
// repeats a dropped Set after a Wait until it is accepted, so that the reads
// run on the same keys as everyone else's.
type ristrettoStore struct {
	c       *ristretto.Cache[string, string]
	added   atomic.Int64 // Sets the cache accepted
	dropped atomic.Int64 // Sets it refused
	evicted atomic.Int64
}

func openRistretto(openOpts) (kvStore, error) {
	r := &ristrettoStore{}
	c, err := ristretto.NewCache(&ristretto.Config[string, string]{
		NumCounters:        10 * int64(*flagKeys),
		MaxCost:            2 * int64(*flagKeys),
		BufferItems:        64,
		IgnoreInternalCost: true,
		OnEvict:            func(*ristretto.Item[string]) { r.evicted.Add(1) },
	})
	if err != nil {
		return nil, err
	}
	r.c = c
	return r, nil
}

func (r *ristrettoStore) Set(k, v string) {
	if r.c.Set(k, v, 1) {
		r.added.Add(1)
	} else {
		r.dropped.Add(1)
	}
}
func (r *ristrettoStore) Get(k string) bool {
	_, ok := r.c.Get(k)
	return ok
}
func (r *ristrettoStore) SetTTL(k, v string, ttl time.Duration) {
	if r.c.SetWithTTL(k, v, 1, ttl) {
		r.added.Add(1)
	} else {
		r.dropped.Add(1)
	}
}

// Dropped returns the number of Sets refused so far and resets it.
func (r *ristrettoStore) Dropped() int { return int(r.dropped.Swap(0)) }

func (r *ristrettoStore) Bulk() ops { return ristrettoBulk{r} }

// ristrettoBulk repeats each refused Set until the cache takes it.
type ristrettoBulk struct{ r *ristrettoStore }

func (b ristrettoBulk) Set(k, v string) {
	for !b.r.c.Set(k, v, 1) {
		b.r.c.Wait()
	}
	b.r.added.Add(1)
}
func (b ristrettoBulk) SetTTL(k, v string, ttl time.Duration) {
	for !b.r.c.SetWithTTL(k, v, 1, ttl) {
		b.r.c.Wait()
	}
	b.r.added.Add(1)
}
func (b ristrettoBulk) Get(k string) bool { return b.r.Get(k) }
func (b ristrettoBulk) Sync() int {
	b.r.c.Wait()
	return 0
}
func (r *ristrettoStore) Len() int     { return int(r.added.Load() - r.evicted.Load()) }
func (r *ristrettoStore) Settle()      { r.c.Wait() }
func (r *ristrettoStore) Sync() int    { return 0 }
func (r *ristrettoStore) Session() ops { return r }
func (r *ristrettoStore) Close()       { r.c.Close() }

// --- miniredis ---

type miniStore struct{ m *miniredis.Miniredis }

func openMiniredis(openOpts) (kvStore, error) {
	// Not ClockTTL(true): with it every call checks the TTLs of the whole
	// database, which makes a call on a million keys take milliseconds.
	// TTLs therefore run in miniredis's virtual time (FastForward).
	return miniStore{miniredis.NewMiniRedis()}, nil
}

func (m miniStore) Set(k, v string) { _ = m.m.Set(k, v) }
func (m miniStore) Get(k string) bool {
	_, err := m.m.Get(k)
	return err == nil
}

// SetTTL is two calls: miniredis's Go API has no SET with a TTL.
func (m miniStore) SetTTL(k, v string, ttl time.Duration) {
	_ = m.m.Set(k, v)
	m.m.SetTTL(k, ttl)
}
func (m miniStore) HSet(k, f, v string)   { m.m.HSet(k, f, v) }
func (m miniStore) HGet(k, f string) bool { return m.m.HGet(k, f) != "" }

func (m miniStore) Sync() int    { return 0 }
func (m miniStore) Session() ops { return m }
func (m miniStore) Close()       { m.m.Close() }
