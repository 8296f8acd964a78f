package main

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"
)

// The store workloads. Each contender gets the same dataset; every measured
// loop is preceded by a garbage collection, so that one contender's garbage
// is not collected on another's time, and reads by a warm-up of a fifth of
// the duration.

func sel(name string) bool { return selectedWorkloads[name] }

// lacks reports why c cannot run workload w, or "".
func lacks(c *contender, w string) string {
	if why := c.why[w]; why != "" {
		return why
	}
	switch w {
	case "hset", "hget":
		if !c.hashes {
			return "no hashes"
		}
	case "set-ttl", "reclaim":
		if !c.ttl {
			return "no TTL"
		}
		if w == "reclaim" && !c.reclaim {
			return "no expiry in real time"
		}
	}
	return ""
}

// bulk returns the session for untimed loading.
func bulk(s kvStore) ops {
	if b, ok := s.(interface{ Bulk() ops }); ok {
		return b.Bulk()
	}
	return s.Session()
}

func settle(s kvStore) {
	if st, ok := s.(settler); ok {
		st.Settle()
	}
}

func warmup() time.Duration { return *flagDuration / 5 }

// dropNote reports the writes an asynchronous store (ristretto) refused
// during a timed loop of ops writes.
func dropNote(s kvStore, ops int) string {
	d, ok := s.(interface{ Dropped() int })
	if !ok {
		return ""
	}
	return fmt.Sprintf("%.1f%% of Sets dropped", 100*float64(d.Dropped())/float64(ops))
}

// asyncHitNote states the hit ratio of a store with asynchronous writes
// even when it is 100%, since that is what one wants to know about it.
func asyncHitNote(s kvStore, hits float64) string {
	if _, async := s.(settler); !async || hits < 0.99995 {
		return "" // the hit_ratio extra shows it
	}
	return "hit ratio 100%"
}

func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}

// stringsTask measures SET of new keys into an empty store, loads the rest
// of the keys untimed, then measures GETs and the mixed workloads on it.
func stringsTask(c *contender, d *dataset, rs *results, p *progress) error {
	s, err := c.open(openOpts{})
	if err != nil {
		return err
	}
	defer s.Close()
	n := len(d.keys)
	sess := s.Session()

	p.detail("set")
	runtime.GC()
	sp := span{}
	if sel("set") {
		sp = loop(*flagDuration, n, func(i int) { sess.Set(d.keys[i], d.vals[i]) }, func() { sess.Sync(); settle(s) })
		note := ""
		if sp.ops < n {
			note = fmt.Sprintf("timed the first %s keys", human(float64(sp.ops)))
		}
		rs.add(workloadByName("set"), c.name, sp.perSec(), allocsOf(c, sp), nil, joinNotes(dropNote(s, sp.ops), note))
	}
	b := bulk(s)
	from := sp.ops
	if _, async := s.(settler); async {
		from = 0 // set again what the timed loop may have dropped
	}
	for i := from; i < n; i++ {
		b.Set(d.keys[i], d.vals[i])
	}
	b.Sync()
	settle(s)

	for _, g := range []struct {
		name string
		seq  []int32
	}{{"get", d.uniform}, {"get-zipf", d.zipf}} {
		if !sel(g.name) {
			continue
		}
		p.detail(g.name)
		// The timed loop goes on in the sequence where the warm-up stopped:
		// op adds base itself. Calling op through a second closure that
		// added it took Ember's GET from 227-230 to 278-293 ns (the map's
		// less), in alternating loops in one process.
		misses, base := 0, 0
		op := func(i int) {
			if !sess.Get(d.keys[g.seq[(base+i)%n]]) {
				misses++
			}
		}
		finish := func() { misses += sess.Sync() }
		runtime.GC()
		w := loop(warmup(), n, op, finish)
		misses, base = 0, w.ops
		sp := loop(*flagDuration, 1<<62, op, finish)
		hits := 1 - float64(misses)/float64(sp.ops)
		rs.add(workloadByName(g.name), c.name, sp.perSec(), allocsOf(c, sp),
			map[string]float64{"hit_ratio": hits}, asyncHitNote(s, hits))
	}

	for _, g := range []struct {
		name string
		seq  []int32
	}{{"mixed", d.uniform}, {"mixed-zipf", d.zipf}} {
		if !sel(g.name) {
			continue
		}
		p.detail(g.name)
		procs := runtime.GOMAXPROCS(0)
		sessions := make([]ops, procs)
		misses := make([]int, procs*8) // padded apart: one counter per 64 bytes
		for i := range sessions {
			sessions[i] = s.Session()
		}
		// The goroutines interleave over the sequence, and each writes every
		// tenth of its own operations: choosing the writes by the position
		// in the sequence instead gave them all to goroutine 0 (with 2, one
		// wrote 20% and the other only read).
		op := func(w, i int) {
			k := g.seq[(i*procs+w)%n]
			if i%10 == 0 {
				sessions[w].Set(d.keys[k], d.alt[k])
			} else if !sessions[w].Get(d.keys[k]) {
				misses[w*8]++
			}
		}
		finish := func(w int) { misses[w*8] += sessions[w].Sync() }
		runtime.GC()
		parallel(procs, warmup(), op, finish)
		clear(misses)
		sp := parallel(procs, *flagDuration, op, finish)
		total := 0
		for _, m := range misses {
			total += m
		}
		hits := 1 - float64(total)/float64(sp.ops-sp.ops/10)
		rs.add(workloadByName(g.name), c.name, sp.perSec(), allocsOf(c, sp),
			map[string]float64{"hit_ratio": hits}, joinNotes(asyncHitNote(s, hits), fmt.Sprintf("%d goroutines", procs)))
	}
	return nil
}

// allocsOf returns the allocations per op of a span, or -1 for contenders
// whose work happens outside this process (what would be counted is the
// client's share only).
func allocsOf(c *contender, sp span) float64 {
	if c.remote {
		return -1
	}
	return sp.allocsPerOp()
}

// ttlTask measures SET with a 60 s TTL of new keys into an empty store.
func ttlTask(c *contender, d *dataset, rs *results, p *progress) error {
	const ttl = time.Minute
	s, err := c.open(openOpts{ttl: ttl})
	if err != nil {
		return err
	}
	defer s.Close()
	p.detail("set-ttl")
	sess := s.Session()
	t := sess.(ttlOps)
	runtime.GC()
	sp := loop(*flagDuration, len(d.keys), func(i int) { t.SetTTL(d.keys[i], d.vals[i], ttl) }, func() { sess.Sync(); settle(s) })
	note := ""
	if sp.ops < len(d.keys) {
		note = fmt.Sprintf("timed the first %s keys", human(float64(sp.ops)))
	}
	rs.add(workloadByName("set-ttl"), c.name, sp.perSec(), allocsOf(c, sp), nil, joinNotes(dropNote(s, sp.ops), note))
	return nil
}

// hashTask measures HSET filling keys/10 hashes of 10 fields, loads the rest
// untimed, then HGET of random fields.
func hashTask(c *contender, d *dataset, rs *results, p *progress) error {
	s, err := c.open(openOpts{})
	if err != nil {
		return err
	}
	defer s.Close()
	n := len(d.keys) / hashFields * hashFields
	sess := s.Session()
	h := sess.(hashOps)
	set := func(h hashOps, j int) { h.HSet(d.keys[j/hashFields], d.fields[j%hashFields], d.vals[j]) }
	p.detail("hset")
	runtime.GC()
	sp := span{}
	if sel("hset") {
		sp = loop(*flagDuration, n, func(j int) { set(h, j) }, func() { sess.Sync() })
		note := ""
		if sp.ops < n {
			note = fmt.Sprintf("timed the first %s fields", human(float64(sp.ops)))
		}
		total, fills, err := refill(c, sp, n, set)
		if err != nil {
			return err
		}
		if fills > 1 {
			note = fmt.Sprintf("%d fills", fills)
		}
		rs.add(workloadByName("hset"), c.name, total.perSec(), allocsOf(c, total), nil, note)
	}
	if !sel("hget") {
		return nil
	}
	b := bulk(s)
	for j := sp.ops; j < n; j++ {
		set(b.(hashOps), j)
	}
	b.Sync()

	p.detail("hget")
	misses, base := 0, 0 // as in stringsTask's GETs: no second closure
	op := func(i int) {
		j := int(d.uniform[(base+i)%len(d.uniform)]) % n
		if !h.HGet(d.keys[j/hashFields], d.fields[j%hashFields]) {
			misses++
		}
	}
	finish := func() { misses += sess.Sync() }
	runtime.GC()
	w := loop(warmup(), n, op, finish)
	misses, base = 0, w.ops
	sp = loop(*flagDuration, 1<<62, op, finish)
	rs.add(workloadByName("hget"), c.name, sp.perSec(), allocsOf(c, sp),
		map[string]float64{"hit_ratio": 1 - float64(misses)/float64(sp.ops)}, "")
	return nil
}

// refill repeats a fill of n hash fields that ended before -duration, each
// time into a new store, until the timed fills add up to -duration, and
// returns the sum of the spans with the number of fills. A fast contender
// fills the hashes in about 0.1 s, and one garbage collection landing in so
// short a window halved its rate in some runs and not in others (Ember:
// 4.3-9.9 M/s between runs of one process on 2026-12-03).
func refill(c *contender, first span, n int, set func(h hashOps, j int)) (span, int, error) {
	total, fills := first, 1
	for first.ops == n && total.elapsed < *flagDuration {
		s, err := c.open(openOpts{})
		if err != nil {
			return total, fills, err
		}
		sess := s.Session()
		h := sess.(hashOps)
		runtime.GC()
		more := loop(*flagDuration-total.elapsed, n, func(j int) { set(h, j) }, func() { sess.Sync() })
		s.Close()
		total.ops += more.ops
		total.elapsed += more.elapsed
		total.allocs += more.allocs
		fills++
	}
	return total, fills, nil
}

// heapTask loads every key into a fresh store from fresh copies of the
// strings, so that the store's share of the heap includes what it keeps of
// them, and reports the growth of the live heap per key. For redis-server,
// the growth of its RSS (and of its used_memory).
func heapTask(c *contender, d *dataset, rs *results, p *progress) error {
	p.detail("heap")
	n := len(d.keys)
	w := workloadByName("heap")
	if c.remote {
		s, err := c.open(openOpts{})
		if err != nil {
			return err
		}
		defer s.Close()
		r := s.(*redisStore)
		m0, err := redisInfo(bg, r.c, "memory")
		if err != nil {
			return err
		}
		b := bulk(s)
		for i := range n {
			b.Set(d.keys[i], d.vals[i])
		}
		b.Sync()
		m1, err := redisInfo(bg, r.c, "memory")
		if err != nil {
			return err
		}
		rss := (infoFloat(m1, "used_memory_rss") - infoFloat(m0, "used_memory_rss")) / float64(n)
		used := (infoFloat(m1, "used_memory") - infoFloat(m0, "used_memory")) / float64(n)
		rs.add(w, c.name, rss, -1, map[string]float64{"used_memory_B_per_key": used}, "RSS of the server process")
		return nil
	}
	before := heapBytes()
	s, err := c.open(openOpts{})
	if err != nil {
		return err
	}
	b := bulk(s)
	for i := range n {
		b.Set(strings.Clone(d.keys[i]), strings.Clone(d.vals[i]))
	}
	b.Sync()
	settle(s)
	after := heapBytes()
	runtime.KeepAlive(s)
	s.Close()
	note := ""
	if c.name == "ristretto" {
		note = "keeps 64-bit key hashes, not the keys"
	}
	rs.add(w, c.name, (float64(after)-float64(before))/float64(n), -1, nil, note)
	return nil
}

// reclaimTask loads every key with one deadline, a little after the load
// ends, and measures how long after the deadline the store holds none, and
// the CPU time spent meanwhile (this process's; the server's for redis).
func reclaimTask(c *contender, d *dataset, rs *results, p *progress) error {
	const limit = 20 * time.Second
	n := len(d.keys)
	var s kvStore
	var deadline time.Time
	margin := 2 * time.Second
	if c.remote {
		margin = 5 * time.Second // a million SETs over loopback take seconds
	}
	for ; ; margin *= 2 {
		p.detail(fmt.Sprintf("reclaim: loading, deadline in %v", margin))
		deadline = time.Now().Add(margin)
		var err error
		if s, err = c.open(openOpts{deadline: deadline}); err != nil {
			return err
		}
		b := bulk(s)
		t := b.(ttlOps)
		for i := range n {
			// At least 1 ms (Redis's unit): a load that overran the deadline
			// is retried below.
			t.SetTTL(d.keys[i], d.vals[i], max(time.Millisecond, time.Until(deadline)))
		}
		b.Sync()
		settle(s)
		if time.Until(deadline) > 200*time.Millisecond {
			break
		}
		s.Close()
		if margin > 30*time.Second {
			return fmt.Errorf("could not load %d keys within a minute", n)
		}
	}
	defer s.Close()
	if got := s.(sizer).Len(); got < n*99/100 {
		return fmt.Errorf("only %d of %d keys loaded", got, n)
	}
	runtime.GC()
	p.detail("reclaim: waiting for the deadline")
	time.Sleep(time.Until(deadline))
	cpu := func() float64 { return cpuTime().Seconds() }
	if r, ok := s.(*redisStore); ok {
		cpu = func() float64 { return r.srv.cpuSeconds(context.Background(), r.c) }
	}
	cpu0 := cpu()
	p.detail("reclaim: waiting for the keys to go")
	left := 0
	for {
		left = s.(sizer).Len()
		if left == 0 || time.Since(deadline) > limit {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	gone := time.Since(deadline)
	used := cpu() - cpu0
	w := workloadByName("reclaim")
	extras := map[string]float64{"cpu_s": used, "cpu_ns_per_key": used * 1e9 / float64(n)}
	if left > 0 {
		rs.add(w, c.name, math.Inf(1), -1, extras, fmt.Sprintf("%d keys left after %v", left, limit))
		return nil
	}
	rs.add(w, c.name, gone.Seconds(), -1, extras, "")
	return nil
}

// warmHeap fills plain Go maps with the dataset twice, untimed, and drops
// them. The first two store measurements in a fresh process ran at a
// fraction of the speed of the later ones, whichever contender ran them
// (2026-12-03, 3 processes each: HSET 2.2-2.3 and 4.6-6.9 M/s against 10.4
// from the third run on, for Ember alone and for map+RWMutex alone; SET 1.5
// against 3.3 M/s), and Ember, the first contender of every run, took that
// cost in the table. After two passes of a map of every key, then a map of
// maps of the hash workload's shape, every run of HSET measured 9.7-10.2
// M/s for both; the first SET run of Ember measured 4.1-4.4 M/s against
// 3.3-3.4 after it, which the median of three leaves out. (The same fills
// interleaved, one key into each map in turn, left the first SET run at
// 2.2 M/s.)
func warmHeap(d *dataset) {
	for range 2 {
		m := make(map[string]string)
		for i, k := range d.keys {
			m[k] = d.vals[i]
		}
		hs := make(map[string]map[string]string)
		for i := range d.keys {
			hk := d.keys[i/hashFields]
			h := hs[hk]
			if h == nil {
				h = make(map[string]string)
				hs[hk] = h
			}
			h[d.fields[i%hashFields]] = d.vals[i]
		}
		runtime.KeepAlive(m)
		runtime.KeepAlive(hs)
		m, hs = nil, nil
		runtime.GC()
	}
}
