package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/emberkv/ember/replication"
	"github.com/emberkv/ember/store"
)

// The replication workloads, for Ember (Leader and Follower in this process,
// over loopback TCP) and for redis-server → redis-server (two processes).
// Everything shares the machine's cores: a follower's work competes with the
// leader's, as it would not across machines.

func init() {
	workloads = append(workloads,
		&workload{name: "repl-apply", group: "replication", unit: "mutations/s", higher: true,
			title: "follower apply rate: a backlog of SETs released at once over loopback"},
		&workload{name: "repl-lag", group: "replication", unit: "µs p50", higher: false,
			title:  "lag from a leader write to its visibility on the follower, at 10,000 writes/s",
			extras: lagExtras},
		&workload{name: "repl-lag-100k", group: "replication", unit: "µs p50", higher: false,
			title:  "lag from a leader write to its visibility on the follower, at 100,000 writes/s",
			extras: lagExtras},
		&workload{name: "repl-fullsync", group: "replication", unit: "s", higher: false, once: true,
			title: "full sync of every key to a new follower: from its start to its link being up with all keys"},
		&workload{name: "repl-write-0", group: "replication", unit: "ops/s", higher: true,
			title: "leader SET throughput, one goroutine per core, no follower"},
		&workload{name: "repl-write-1", group: "replication", unit: "ops/s", higher: true,
			title: "leader SET throughput, one goroutine per core, 1 follower"},
		&workload{name: "repl-write-2", group: "replication", unit: "ops/s", higher: true,
			title: "leader SET throughput, one goroutine per core, 2 followers"},
		&workload{name: "tcp", group: "replication", unit: "MB/s", higher: true, once: true,
			title: "raw loopback TCP, one connection, 64 KiB writes: the physical ceiling",
			extras: []extra{{"sets_per_s", func(v float64) string {
				return fmt.Sprintf("≈ %s SET commands/s of %d bytes", human(v), setCommandBytes)
			}}}},
	)
}

var lagExtras = []extra{
	{"p99_us", func(v float64) string { return fmt.Sprintf("p99 %.0f µs", v) }},
	{"max_us", func(v float64) string { return fmt.Sprintf("max %.0f µs", v) }},
}

// setCommandBytes is the size of "SET <16-byte key> <64-byte value>" in RESP.
const setCommandBytes = len("*3\r\n$3\r\nSET\r\n$16\r\n") + 16 + len("\r\n$64\r\n") + 64 + 2

type replContender struct {
	name, what string
	remote     bool
}

func replContenders() []*replContender {
	return []*replContender{
		{name: "ember", what: "github.com/emberkv/ember/replication: Leader and Follower in this process, loopback TCP"},
		{name: "redis", what: "redis-server → redis-server (replicaof), diskless sync, writes pipelined by 100 via go-redis", remote: true},
	}
}

func replPlan(d *dataset, rs *results) []task {
	var tasks []task
	var cs []*replContender
	for _, c := range replContenders() {
		if selectedContenders[c.name] {
			cs = append(cs, c)
		}
	}
	runnable := func(c *replContender, w string) bool {
		if !sel(w) {
			return false
		}
		if c.remote && redisPath == "" {
			rs.lack(workloadByName(w), c.name, "skipped: redis-server not on PATH")
			return false
		}
		return true
	}
	type job struct {
		w  string
		fn func(c *replContender, d *dataset, rs *results, p *progress) error
	}
	perRun := []job{
		{"repl-apply", applyTask},
		{"repl-lag", lagTask("repl-lag", 10_000)},
		{"repl-lag-100k", lagTask("repl-lag-100k", 100_000)},
		{"repl-write-0", writeTask(0)},
		{"repl-write-1", writeTask(1)},
		{"repl-write-2", writeTask(2)},
	}
	for run := 1; run <= *flagRuns; run++ {
		for _, j := range perRun {
			for _, c := range cs {
				if runnable(c, j.w) {
					label := fmt.Sprintf("run %d/%d · %s · %s", run, *flagRuns, j.w, c.name)
					tasks = append(tasks, task{label, func(p *progress) error { return j.fn(c, d, rs, p) }})
				}
			}
		}
	}
	for _, c := range cs {
		if runnable(c, "repl-fullsync") {
			tasks = append(tasks, task{"repl-fullsync · " + c.name, func(p *progress) error { return fullSyncTask(c, d, rs, p) }})
		}
	}
	if sel("tcp") {
		tasks = append(tasks, task{"tcp · loopback", func(p *progress) error { return tcpTask(rs, p) }})
	}
	return tasks
}

// --- Ember's side ---

// emberLeader is a leader store with its Leader serving on a loopback port.
type emberLeader struct {
	s    *store.Store
	l    *replication.Leader
	addr string
	done chan struct{}
}

func startEmberLeader() (*emberLeader, error) {
	s, err := store.New(&store.Options{FeedBacklog: 512 << 20})
	if err != nil {
		return nil, err
	}
	l, err := replication.NewLeader(s, nil)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = l.Close()
		_ = s.Close()
		return nil, err
	}
	e := &emberLeader{s: s, l: l, addr: ln.Addr().String(), done: make(chan struct{})}
	go func() {
		defer close(e.done)
		_ = l.Serve(ln)
	}()
	return e, nil
}

func (e *emberLeader) close() {
	_ = e.l.Close()
	<-e.done
	_ = e.s.Close()
}

// emberFollower is a follower store with its running Follower.
type emberFollower struct {
	s *store.Store
	f *replication.Follower
}

func startEmberFollower(addr string) (*emberFollower, error) {
	s, err := store.New(nil)
	if err != nil {
		return nil, err
	}
	f, err := replication.NewFollower(s, addr, nil)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	if err := f.Start(); err != nil {
		_ = f.Close()
		_ = s.Close()
		return nil, err
	}
	return &emberFollower{s: s, f: f}, nil
}

// sync waits until the follower's link is up and it has applied everything
// up to offset.
func (f *emberFollower) sync(offset int64, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(bg, limit)
	defer cancel()
	if err := f.f.WaitForOffset(ctx, offset); err != nil {
		return fmt.Errorf("follower at %d, want %d: %w", f.f.Offset(), offset, err)
	}
	for !f.f.LinkUp() {
		if ctx.Err() != nil {
			return errors.New("follower link not up")
		}
		time.Sleep(time.Millisecond)
	}
	return nil
}

func (f *emberFollower) close() {
	_ = f.f.Close()
	_ = f.s.Close()
}

// --- redis's side ---

type redisNode struct {
	srv *redisServer
	c   *redis.Client
}

func startRedisNode(extra ...string) (*redisNode, error) {
	srv, err := startRedis(extra...)
	if err != nil {
		return nil, err
	}
	return &redisNode{srv: srv, c: srv.client()}, nil
}

func (n *redisNode) close() {
	_ = n.c.Close()
	n.srv.stop()
}

// replicaOf makes n replicate the server at addr.
func (n *redisNode) replicaOf(addr string) error {
	host, port, _ := net.SplitHostPort(addr)
	return n.c.Do(bg, "REPLICAOF", host, port).Err()
}

func (n *redisNode) replInfo() (map[string]string, error) { return redisInfo(bg, n.c, "replication") }

// masterOffset is a master's master_repl_offset.
func (n *redisNode) masterOffset() (int64, error) {
	m, err := n.replInfo()
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(m["master_repl_offset"], 10, 64)
}

// waitReplica waits until the replica's link is up and it has processed the
// master's stream up to offset, polling every poll.
func (n *redisNode) waitReplica(offset int64, poll, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		m, err := n.replInfo()
		if err != nil {
			return err
		}
		off, _ := strconv.ParseInt(m["slave_repl_offset"], 10, 64)
		if m["master_link_status"] == "up" && m["master_sync_in_progress"] == "0" && off >= offset {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("replica at %d (link %s), want %d", off, m["master_link_status"], offset)
		}
		time.Sleep(poll)
	}
}

// waitStreaming waits until a write on the master m reaches each of the
// replicas. After a diskless sync a master starts a replica's command stream
// only at that replica's first REPLCONF ACK, up to a second after both sides
// report the replica online, so "link up" is not enough.
func (m *redisNode) waitStreaming(replicas []*redisNode, limit time.Duration) error {
	if err := m.c.Set(bg, "bench:probe", time.Now().String(), 0).Err(); err != nil {
		return err
	}
	want := m.c.Get(bg, "bench:probe").Val()
	deadline := time.Now().Add(limit)
	for _, r := range replicas {
		for r.c.Get(bg, "bench:probe").Val() != want {
			if time.Now().After(deadline) {
				return errors.New("the master's writes do not reach its replica")
			}
			time.Sleep(time.Millisecond)
		}
	}
	return nil
}

// pipeSet writes keys [from, to) to c, pipelined by batch.
func pipeSet(c *redis.Client, d *dataset, from, to, batch int) error {
	p := c.Pipeline()
	for i := from; i < to; i++ {
		p.Set(bg, d.keys[i%len(d.keys)], d.vals[i%len(d.keys)], 0)
		if p.Len() == batch || i == to-1 {
			if _, err := p.Exec(bg); err != nil {
				return err
			}
		}
	}
	return nil
}

// --- the pausable proxy ---

// proxy forwards loopback TCP connections to target; pause holds back the
// target→client direction (the replication stream) until resume, so that a
// backlog builds up on the leader and is then released at once.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cond   *sync.Cond
	paused bool
	closed bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

func startProxy(target string) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{ln: ln, target: target}
	p.cond = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		t, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			t.Close()
			return
		}
		p.conns = append(p.conns, c, t)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { // client → target: the follower's handshake and ACKs
			defer p.wg.Done()
			_, _ = io.Copy(t, c)
			t.Close()
		}()
		go func() { // target → client: the stream, held back while paused
			defer p.wg.Done()
			defer c.Close()
			buf := make([]byte, 256<<10)
			for {
				p.mu.Lock()
				for p.paused && !p.closed {
					p.cond.Wait()
				}
				p.mu.Unlock()
				n, err := t.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

func (p *proxy) setPaused(on bool) {
	p.mu.Lock()
	p.paused = on
	p.mu.Unlock()
	p.cond.Broadcast()
}

func (p *proxy) close() {
	p.mu.Lock()
	p.closed = true
	p.paused = false
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.cond.Broadcast()
	p.ln.Close()
	p.wg.Wait()
}

// applyN is the size of the backlog the apply workload releases.
func applyN(d *dataset) int { return max(1000, len(d.keys)/4) }

// applyTask: a follower synced through the proxy; the proxy holds the stream
// back while the leader takes applyN SETs; then the stream is released and
// the follower's progress is timed until it has applied them all.
func applyTask(c *replContender, d *dataset, rs *results, p *progress) error {
	n := applyN(d)
	w := workloadByName("repl-apply")
	if c.remote {
		p.detail("starting two redis-servers")
		m, err := startRedisNode()
		if err != nil {
			return err
		}
		defer m.close()
		px, err := startProxy(m.srv.addr)
		if err != nil {
			return err
		}
		defer px.close()
		r, err := startRedisNode()
		if err != nil {
			return err
		}
		defer r.close()
		if err := r.replicaOf(px.addr()); err != nil {
			return err
		}
		if err := r.waitReplica(0, time.Millisecond, 10*time.Second); err != nil {
			return err
		}
		if err := m.waitStreaming([]*redisNode{r}, 10*time.Second); err != nil {
			return err
		}
		px.setPaused(true)
		p.detail("writing the backlog")
		if err := pipeSet(m.c, d, 0, n, 1000); err != nil {
			return err
		}
		target, err := m.masterOffset()
		if err != nil {
			return err
		}
		p.detail("applying")
		start := time.Now()
		px.setPaused(false)
		if err := r.waitReplica(target, 200*time.Microsecond, time.Minute); err != nil {
			return err
		}
		rs.add(w, c.name, float64(n)/time.Since(start).Seconds(), -1, nil, "")
		return nil
	}
	p.detail("starting leader and follower")
	l, err := startEmberLeader()
	if err != nil {
		return err
	}
	defer l.close()
	px, err := startProxy(l.addr)
	if err != nil {
		return err
	}
	defer px.close()
	f, err := startEmberFollower(px.addr())
	if err != nil {
		return err
	}
	defer f.close()
	if err := f.sync(l.l.Offset(), 10*time.Second); err != nil {
		return err
	}
	px.setPaused(true)
	p.detail("writing the backlog")
	for i := range n {
		_ = l.s.Set(d.keys[i], d.vals[i])
	}
	target := l.l.Offset()
	runtime.GC()
	p.detail("applying")
	m0 := mallocs()
	start := time.Now()
	px.setPaused(false)
	if err := f.sync(target, time.Minute); err != nil {
		return err
	}
	el := time.Since(start)
	rs.add(w, c.name, float64(n)/el.Seconds(), float64(mallocs()-m0)/float64(n), nil, "")
	return nil
}

// lagTask returns the task of workload name: it writes at rate writes/s on
// the leader and times each write until the follower shows it. The writer
// sleeps until the next write is due and then makes every write that is
// due; a sleep shorter than a millisecond returns about a millisecond late
// in an idle Go process, so at 100,000 writes/s the writes come in bursts of
// about a hundred, for both contenders (redis-server's in one pipeline).
func lagTask(name string, rate int) func(c *replContender, d *dataset, rs *results, p *progress) error {
	return func(c *replContender, d *dataset, rs *results, p *progress) error {
		return measureLag(c, d, rs, p, workloadByName(name), rate)
	}
}

func measureLag(c *replContender, d *dataset, rs *results, p *progress, w *workload, rate int) error {
	window := max(time.Second, 3**flagDuration)
	writes := int(window.Seconds() * float64(rate))
	lags := make([]time.Duration, 0, writes)
	dueAt := func(start time.Time, i int) time.Time {
		return start.Add(time.Duration(i) * time.Second / time.Duration(rate))
	}
	pace := func(start time.Time, i int) {
		if ahead := time.Until(dueAt(start, i)); ahead > 0 {
			time.Sleep(ahead)
		}
	}
	writing := fmt.Sprintf("writing at %s/s", human(float64(rate)))
	if c.remote {
		p.detail("starting two redis-servers")
		m, err := startRedisNode()
		if err != nil {
			return err
		}
		defer m.close()
		r, err := startRedisNode("--notify-keyspace-events", "E$")
		if err != nil {
			return err
		}
		defer r.close()
		if err := r.replicaOf(m.srv.addr); err != nil {
			return err
		}
		if err := r.waitReplica(0, time.Millisecond, 10*time.Second); err != nil {
			return err
		}
		if err := m.waitStreaming([]*redisNode{r}, 10*time.Second); err != nil {
			return err
		}
		// The replica announces every SET it applies; its subscriber notes
		// when each key arrives.
		sub := r.c.Subscribe(bg, "__keyevent@0__:set")
		defer sub.Close()
		if _, err := sub.Receive(bg); err != nil {
			return err
		}
		sent := make([]time.Time, writes)
		var seen atomic.Int64
		index := make(map[string]int, writes)
		for i := range writes {
			index[d.keys[i%len(d.keys)]] = i
		}
		var mu sync.Mutex
		done := make(chan struct{})
		go func() {
			defer close(done)
			for seen.Load() < int64(writes) {
				msg, err := sub.ReceiveMessage(bg)
				if err != nil {
					return
				}
				at := time.Now()
				if i, ok := index[msg.Payload]; ok {
					mu.Lock()
					lags = append(lags, at.Sub(sent[i]))
					mu.Unlock()
				}
				seen.Add(1)
			}
		}()
		p.detail(writing)
		start := time.Now()
		pipe := m.c.Pipeline()
		for i := 0; i < writes; {
			pace(start, i)
			// Every write due by now, in one pipeline: at 10,000/s nearly
			// always one, a round trip per write.
			for ; i < writes && !dueAt(start, i).After(time.Now()); i++ {
				mu.Lock()
				sent[i] = time.Now()
				mu.Unlock()
				pipe.Set(bg, d.keys[i%len(d.keys)], d.vals[i%len(d.keys)], 0)
			}
			if _, err := pipe.Exec(bg); err != nil {
				return err
			}
		}
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = sub.Close()
			<-done
			return fmt.Errorf("%d of %d writes seen on the replica", seen.Load(), writes)
		}
		_ = sub.Close()
		mu.Lock()
		defer mu.Unlock()
		return addLag(rs, w, c.name, lags, "until the replica's keyspace notification arrives (one more loopback hop)")
	}
	p.detail("starting leader and follower")
	l, err := startEmberLeader()
	if err != nil {
		return err
	}
	defer l.close()
	f, err := startEmberFollower(l.addr)
	if err != nil {
		return err
	}
	defer f.close()
	if err := f.sync(l.l.Offset(), 10*time.Second); err != nil {
		return err
	}
	type sample struct {
		offset int64
		at     time.Time
	}
	ch := make(chan sample, writes)
	done := make(chan error, 1)
	// One deadline for the whole run: a timer per sample would cost the
	// measuring goroutine more than the writes it measures at 100,000/s.
	ctx, cancel := context.WithTimeout(bg, window+30*time.Second)
	defer cancel()
	go func() { // the follower's side: when does each write become visible?
		for s := range ch {
			if err := f.f.WaitForOffset(ctx, s.offset); err != nil {
				done <- err
				return
			}
			lags = append(lags, time.Since(s.at))
		}
		done <- nil
	}()
	p.detail(writing)
	start := time.Now()
	for i := range writes {
		pace(start, i)
		at := time.Now()
		_ = l.s.Set(d.keys[i%len(d.keys)], d.vals[i%len(d.keys)])
		ch <- sample{l.l.Offset(), at}
	}
	close(ch)
	if err := <-done; err != nil {
		return err
	}
	return addLag(rs, w, c.name, lags, "until Follower.WaitForOffset returns")
}

func addLag(rs *results, w *workload, name string, lags []time.Duration, note string) error {
	if len(lags) == 0 {
		return errors.New("no lag samples")
	}
	slices.Sort(lags)
	us := func(q float64) float64 {
		return float64(lags[int(q*float64(len(lags)-1))].Nanoseconds()) / 1e3
	}
	rs.add(w, name, us(0.5), -1, map[string]float64{"p99_us": us(0.99), "max_us": us(1)}, note)
	return nil
}

// followerAddrs lists the addresses of l's followers' connections, sorted:
// a follower that reconnected shows under a new one.
func followerAddrs(l *replication.Leader) string {
	var addrs []string
	for _, f := range l.Info().Followers {
		addrs = append(addrs, f.Addr)
	}
	slices.Sort(addrs)
	return strings.Join(addrs, ",")
}

// writeTask measures parallel SETs on a leader with k followers attached,
// until they have every write.
func writeTask(k int) func(c *replContender, d *dataset, rs *results, p *progress) error {
	return func(c *replContender, d *dataset, rs *results, p *progress) error {
		w := workloadByName(fmt.Sprintf("repl-write-%d", k))
		procs := runtime.GOMAXPROCS(0)
		n := len(d.keys)
		if c.remote {
			p.detail("starting redis-servers")
			m, err := startRedisNode()
			if err != nil {
				return err
			}
			defer m.close()
			var replicas []*redisNode
			for range k {
				r, err := startRedisNode()
				if err != nil {
					return err
				}
				defer r.close()
				if err := r.replicaOf(m.srv.addr); err != nil {
					return err
				}
				if err := r.waitReplica(0, time.Millisecond, 10*time.Second); err != nil {
					return err
				}
				replicas = append(replicas, r)
			}
			if err := m.waitStreaming(replicas, 10*time.Second); err != nil {
				return err
			}
			pipes := make([]redis.Pipeliner, procs)
			for i := range pipes {
				pipes[i] = m.c.Pipeline()
			}
			op := func(g, i int) {
				j := (i*procs + g) % n
				pipes[g].Set(bg, d.keys[j], d.vals[j], 0)
				if pipes[g].Len() == 100 {
					_, _ = pipes[g].Exec(bg)
				}
			}
			finish := func(g int) { _, _ = pipes[g].Exec(bg) }
			p.detail("writing")
			runtime.GC()
			sp := parallel(procs, *flagDuration, op, finish)
			// The clock runs until every replica has the last write: the
			// probe, written after it, has reached them.
			note := fmt.Sprintf("%d goroutines, pipelined by 100", procs)
			if k > 0 {
				p.detail("waiting for the replicas")
				start := time.Now()
				if err := m.waitStreaming(replicas, time.Minute); err != nil {
					return err
				}
				sp.elapsed += time.Since(start)
				note += ", until the replicas have the last write"
			}
			rs.add(w, c.name, sp.perSec(), -1, nil, note)
			return nil
		}
		p.detail("starting leader and followers")
		l, err := startEmberLeader()
		if err != nil {
			return err
		}
		defer l.close()
		var fs []*emberFollower
		for range k {
			f, err := startEmberFollower(l.addr)
			if err != nil {
				return err
			}
			defer f.close()
			if err := f.sync(l.l.Offset(), 10*time.Second); err != nil {
				return err
			}
			fs = append(fs, f)
		}
		links := followerAddrs(l.l)
		op := func(g, i int) {
			j := (i*procs + g) % n
			_ = l.s.Set(d.keys[j], d.vals[j])
		}
		p.detail("writing")
		runtime.GC()
		sp := parallel(procs, *flagDuration, op, nil)
		note := fmt.Sprintf("%d goroutines", procs)
		if k > 0 {
			// The clock runs until every follower has the last write, and
			// a follower cut off on the way (too far behind) fails the run.
			p.detail("waiting for the followers")
			start := time.Now()
			for _, f := range fs {
				if err := f.sync(l.l.Offset(), time.Minute); err != nil {
					return err
				}
			}
			sp.elapsed += time.Since(start)
			if now := followerAddrs(l.l); now != links {
				return fmt.Errorf("a follower's link dropped during the run: %s, then %s", links, now)
			}
			note += ", until the followers have the last write"
		}
		rs.add(w, c.name, sp.perSec(), sp.allocsPerOp(), nil, note)
		return nil
	}
}

// fullSyncTask loads every key into a leader and times a new follower from
// its start until it holds them all with its link up.
func fullSyncTask(c *replContender, d *dataset, rs *results, p *progress) error {
	n := len(d.keys)
	w := workloadByName("repl-fullsync")
	if c.remote {
		p.detail("loading the master")
		m, err := startRedisNode()
		if err != nil {
			return err
		}
		defer m.close()
		if err := pipeSet(m.c, d, 0, n, 1000); err != nil {
			return err
		}
		r, err := startRedisNode("--repl-diskless-load", "on-empty-db")
		if err != nil {
			return err
		}
		defer r.close()
		p.detail("syncing")
		start := time.Now()
		if err := r.replicaOf(m.srv.addr); err != nil {
			return err
		}
		if err := r.waitReplica(0, 2*time.Millisecond, time.Minute); err != nil {
			return err
		}
		el := time.Since(start)
		if got, _ := r.c.DBSize(bg).Result(); got != int64(n) {
			return fmt.Errorf("replica holds %d keys, want %d", got, n)
		}
		rs.add(w, c.name, el.Seconds(), -1, nil, "diskless on both sides (repl-diskless-sync, repl-diskless-load on-empty-db)")
		return nil
	}
	p.detail("loading the leader")
	l, err := startEmberLeader()
	if err != nil {
		return err
	}
	defer l.close()
	pl := l.s.Pipeline()
	for i := range n {
		pl.Set(d.keys[i], d.vals[i])
		if pl.Len() == 10_000 || i == n-1 {
			if err := pl.Exec(); err != nil {
				return err
			}
		}
	}
	runtime.GC()
	p.detail("syncing")
	start := time.Now()
	f, err := startEmberFollower(l.addr)
	if err != nil {
		return err
	}
	defer f.close()
	if err := f.sync(l.l.Offset(), time.Minute); err != nil {
		return err
	}
	el := time.Since(start)
	if got, _ := f.s.DBSize(); got != int64(n) {
		return fmt.Errorf("follower holds %d keys, want %d", got, n)
	}
	rs.add(w, c.name, el.Seconds(), -1, nil, "")
	return nil
}

// tcpTask measures one loopback TCP connection carrying 64 KiB writes.
func tcpTask(rs *results, p *progress) error {
	p.detail("measuring")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	var got atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 256<<10)
		for {
			n, err := c.Read(buf)
			got.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return err
	}
	buf := []byte(strings.Repeat("x", 64<<10))
	sent := int64(0)
	start := time.Now()
	for time.Since(start) < *flagDuration {
		n, err := c.Write(buf)
		sent += int64(n)
		if err != nil {
			break
		}
	}
	c.Close()
	<-done
	el := time.Since(start)
	bps := float64(got.Load()) / el.Seconds()
	rs.add(workloadByName("tcp"), "loopback", bps/1e6, -1, map[string]float64{"sets_per_s": bps / float64(setCommandBytes)}, "")
	return nil
}
