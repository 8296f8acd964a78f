package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/emberkv/ember/pubsub"
)

// The pub/sub workloads: one publisher, 1, 100 or 1000 subscribers of one
// channel, each receiving on a goroutine of its own and counting; 64-byte
// payloads. Every contender is lossless here: Ember's broker with the Block
// policy (a full buffer makes the publisher wait), Go channels (the same),
// miniredis (it hands each message over on an unbuffered channel), and
// redis-server, whose client output buffers are unlimited in bench, with
// the publisher keeping at most a bounded number of messages in flight.
//
// Deliveries per second count messages received, from the first publish to
// the last receipt. Publish latency is the time a Publish call takes, for
// one call in 16, during that same loop; for redis-server, whose throughput
// loop is pipelined, it is the round trip of single PUBLISH commands in a
// second, shorter loop while the subscribers keep receiving.

const psChannel = "orders.created"

var fanOuts = []int{1, 100, 1000}

func init() {
	for _, n := range fanOuts {
		workloads = append(workloads, &workload{
			name: fmt.Sprintf("pub-%d", n), group: "pubsub",
			title: fmt.Sprintf("pub/sub 1 → %d subscribers, 64-byte payloads", n),
			unit:  "deliveries/s", higher: true,
			extras: []extra{
				{"publish_p50_ns", func(v float64) string { return "publish p50 " + fmtNs(v) }},
				{"publish_p99_ns", func(v float64) string { return "p99 " + fmtNs(v) }},
			},
		})
	}
	workloads = append(workloads,
		&workload{name: "pub-patterns", group: "pubsub", unit: "ops/s", higher: true,
			title: "PUBLISH to a channel with 1 subscriber while 10,000 patterns with a literal prefix (user.<i>.*) match nothing"},
		&workload{name: "pub-globs", group: "pubsub", unit: "ops/s", higher: true,
			title: "PUBLISH to a channel with 1 subscriber while 10,000 patterns without one (*.user.<i>) match nothing"},
	)
}

// psContender is one pub/sub implementation.
type psContender struct {
	name, what string
	open       func() (psSystem, error)
	patterns   bool
	remote     bool
}

// psSystem is one broker with its subscribers.
type psSystem interface {
	// subscribe adds n subscribers of channel, each counting what it
	// receives into got, and returns once all are subscribed.
	subscribe(channel string, n int, got *atomic.Int64) error
	// psubscribe makes one more subscriber follow patterns (and never
	// receive anything, as none matches).
	psubscribe(patterns []string) error
	// publish publishes (or queues, for a pipelined client) one message.
	publish(channel, payload string)
	// flush sends what publish queued.
	flush()
	close()
}

func pubsubContenders() []*psContender {
	return []*psContender{
		{name: "ember", what: "github.com/emberkv/ember/pubsub, Block policy, default buffers (1024)", open: openEmberPS, patterns: true},
		{name: "go-channels", what: "a buffered Go channel (1024) and a goroutine per subscriber; the publisher sends to each in turn", open: openChanPS},
		{name: "miniredis", what: "miniredis's Go API: Subscriber.Messages, Miniredis.Publish", open: openMiniPS, patterns: true},
		{name: "redis", what: "redis-server over loopback via go-redis: a connection per subscriber, PUBLISH pipelined by 100", open: openRedisPS, patterns: true, remote: true},
	}
}

func pubsubPlan(rs *results) []task {
	var tasks []task
	var cs []*psContender
	for _, c := range pubsubContenders() {
		if selectedContenders[c.name] {
			cs = append(cs, c)
		}
	}
	runnable := func(c *psContender, w string) bool {
		if !sel(w) {
			return false
		}
		if (w == "pub-patterns" || w == "pub-globs") && !c.patterns {
			rs.lack(workloadByName(w), c.name, "no patterns")
			return false
		}
		if c.remote && redisPath == "" {
			rs.lack(workloadByName(w), c.name, "skipped: redis-server not on PATH")
			return false
		}
		return true
	}
	for run := 1; run <= *flagRuns; run++ {
		for _, n := range fanOuts {
			w := fmt.Sprintf("pub-%d", n)
			for _, c := range cs {
				if runnable(c, w) {
					label := fmt.Sprintf("run %d/%d · %s · %s", run, *flagRuns, w, c.name)
					tasks = append(tasks, task{label, func(p *progress) error { return fanOutTask(c, n, rs, p) }})
				}
			}
		}
		for _, w := range []string{"pub-patterns", "pub-globs"} {
			for _, c := range cs {
				if runnable(c, w) {
					label := fmt.Sprintf("run %d/%d · %s · %s", run, *flagRuns, w, c.name)
					tasks = append(tasks, task{label, func(p *progress) error { return patternTask(c, w, rs, p) }})
				}
			}
		}
	}
	return tasks
}

// window bounds the messages a pipelined publisher has in flight (published
// but not yet received by every subscriber), so that no buffer grows
// without bound: about 20 MB of Redis output buffers at most.
func window(subs int) int64 { return int64(max(200, 200_000/subs)) }

func fanOutTask(c *psContender, subs int, rs *results, p *progress) error {
	p.detail("subscribing")
	sys, err := c.open()
	if err != nil {
		return err
	}
	defer sys.close()
	var got atomic.Int64
	if err := sys.subscribe(psChannel, subs, &got); err != nil {
		return err
	}
	runtime.GC()

	p.detail("publishing")
	var lat []time.Duration
	published := int64(0)
	wait := func(target int64) bool { // until the subscribers have received target
		for deadline := time.Now().Add(30 * time.Second); got.Load() < target; {
			if time.Now().After(deadline) {
				return false
			}
			time.Sleep(20 * time.Microsecond)
		}
		return true
	}
	m0 := mallocs()
	start := time.Now()
	for time.Since(start) < *flagDuration {
		if c.remote {
			// Pipelined, in batches of 100 within the window.
			wait((published + 100 - window(subs)) * int64(subs))
			for range 100 {
				sys.publish(psChannel, payload64)
			}
			sys.flush()
			published += 100
			continue
		}
		for i := range 256 {
			if i%16 == 0 {
				t0 := time.Now()
				sys.publish(psChannel, payload64)
				lat = append(lat, time.Since(t0))
			} else {
				sys.publish(psChannel, payload64)
			}
		}
		published += 256
	}
	complete := wait(published * int64(subs))
	el := time.Since(start)
	allocs := float64(mallocs()-m0) / float64(published)
	if !complete {
		return fmt.Errorf("%d of %d deliveries after 30 s", got.Load(), published*int64(subs))
	}
	if c.remote {
		allocs = -1
		// Latency: single PUBLISH round trips, the subscribers receiving.
		p.detail("publish latency")
		before := got.Load()
		n := int64(0)
		for t := time.Now(); time.Since(t) < *flagDuration/3; n++ {
			t0 := time.Now()
			sys.publish(psChannel, payload64)
			sys.flush()
			lat = append(lat, time.Since(t0))
		}
		wait(before + n*int64(subs))
	}
	slices.Sort(lat)
	pct := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Nanoseconds()) }
	rs.add(workloadByName(fmt.Sprintf("pub-%d", subs)), c.name, float64(got.Load())/el.Seconds(), allocs,
		map[string]float64{"publish_p50_ns": pct(0.50), "publish_p99_ns": pct(0.99)}, "")
	return nil
}

// patternTask measures publishes to a channel with one subscriber while
// another follows 10,000 patterns that match nothing.
func patternTask(c *psContender, w string, rs *results, p *progress) error {
	p.detail("subscribing")
	sys, err := c.open()
	if err != nil {
		return err
	}
	defer sys.close()
	pats := make([]string, 10_000)
	for i := range pats {
		if w == "pub-patterns" {
			pats[i] = fmt.Sprintf("user.%d.*", i)
		} else {
			pats[i] = fmt.Sprintf("*.user.%d", i)
		}
	}
	if err := sys.psubscribe(pats); err != nil {
		return err
	}
	var got atomic.Int64
	if err := sys.subscribe(psChannel, 1, &got); err != nil {
		return err
	}
	runtime.GC()
	p.detail("publishing")
	published := int64(0)
	m0 := mallocs()
	start := time.Now()
	for time.Since(start) < *flagDuration {
		if c.remote {
			for got.Load() < published-1000 {
				time.Sleep(20 * time.Microsecond)
			}
		}
		for range 100 {
			sys.publish(psChannel, payload64)
		}
		sys.flush()
		published += 100
	}
	for deadline := time.Now().Add(30 * time.Second); got.Load() < published; {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d deliveries after 30 s", got.Load(), published)
		}
		time.Sleep(20 * time.Microsecond)
	}
	el := time.Since(start)
	allocs := float64(mallocs()-m0) / float64(published)
	if c.remote {
		allocs = -1
	}
	rs.add(workloadByName(w), c.name, float64(published)/el.Seconds(), allocs, nil, "")
	return nil
}

// --- Ember ---

type emberPS struct {
	b  *pubsub.Broker
	wg sync.WaitGroup
}

func openEmberPS() (psSystem, error) {
	return &emberPS{b: pubsub.New(&pubsub.Options{Policy: pubsub.Block})}, nil
}

func (e *emberPS) subscribe(channel string, n int, got *atomic.Int64) error {
	for range n {
		s, err := e.b.Subscribe(bg, channel)
		if err != nil {
			return err
		}
		<-s.Channel() // the confirmation
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			for m := range s.Channel() {
				if m.Kind == pubsub.KindMessage {
					got.Add(1)
				}
			}
		}()
	}
	return nil
}

func (e *emberPS) psubscribe(patterns []string) error {
	s, err := e.b.PSubscribe(bg, patterns...)
	if err != nil {
		return err
	}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for range s.Channel() {
		}
	}()
	return nil
}

func (e *emberPS) publish(channel, payload string) { _, _ = e.b.Publish(bg, channel, payload) }
func (e *emberPS) flush()                          {}
func (e *emberPS) close() {
	_ = e.b.Close()
	e.wg.Wait()
}

// --- Go channels ---

type chanPS struct {
	chans []chan string
	wg    sync.WaitGroup
}

func openChanPS() (psSystem, error) { return &chanPS{}, nil }

func (c *chanPS) subscribe(_ string, n int, got *atomic.Int64) error {
	for range n {
		ch := make(chan string, pubsub.DefaultBufferSize)
		c.chans = append(c.chans, ch)
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for range ch {
				got.Add(1)
			}
		}()
	}
	return nil
}

func (c *chanPS) psubscribe([]string) error { return errors.New("no patterns") }

func (c *chanPS) publish(_, payload string) {
	for _, ch := range c.chans {
		ch <- payload
	}
}
func (c *chanPS) flush() {}
func (c *chanPS) close() {
	for _, ch := range c.chans {
		close(ch)
	}
	c.wg.Wait()
}

// --- miniredis ---

type miniPS struct {
	m    *miniredis.Miniredis
	subs []*miniredis.Subscriber
	wg   sync.WaitGroup
}

func openMiniPS() (psSystem, error) { return &miniPS{m: miniredis.NewMiniRedis()}, nil }

func (m *miniPS) subscribe(channel string, n int, got *atomic.Int64) error {
	for range n {
		s := m.m.NewSubscriber()
		s.Subscribe(channel)
		m.subs = append(m.subs, s)
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			for range s.Messages() {
				got.Add(1)
			}
		}()
	}
	return nil
}

func (m *miniPS) psubscribe(patterns []string) error {
	s := m.m.NewSubscriber()
	for _, p := range patterns {
		s.Psubscribe(p)
	}
	m.subs = append(m.subs, s)
	return nil
}

func (m *miniPS) publish(channel, payload string) { m.m.Publish(channel, payload) }
func (m *miniPS) flush()                          {}
func (m *miniPS) close() {
	for _, s := range m.subs {
		s.Close()
	}
	m.wg.Wait()
	m.m.Close()
}

// --- redis-server ---

type redisPS struct {
	srv  *redisServer
	c    *redis.Client
	pipe redis.Pipeliner
	subs []*redis.PubSub
	wg   sync.WaitGroup
}

func openRedisPS() (psSystem, error) {
	srv, err := startRedis()
	if err != nil {
		return nil, err
	}
	c := srv.client()
	return &redisPS{srv: srv, c: c, pipe: c.Pipeline()}, nil
}

func (r *redisPS) subscribe(channel string, n int, got *atomic.Int64) error {
	for range n {
		ps := r.c.Subscribe(bg, channel)
		r.subs = append(r.subs, ps)
		ctx, cancel := context.WithTimeout(bg, 10*time.Second)
		_, err := ps.Receive(ctx) // the confirmation
		cancel()
		if err != nil {
			return err
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for {
				if _, err := ps.ReceiveMessage(bg); err != nil {
					return
				}
				got.Add(1)
			}
		}()
	}
	return nil
}

func (r *redisPS) psubscribe(patterns []string) error {
	ps := r.c.PSubscribe(bg, patterns...)
	r.subs = append(r.subs, ps)
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	for range patterns { // one confirmation each
		if _, err := ps.Receive(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r *redisPS) publish(channel, payload string) { r.pipe.Publish(bg, channel, payload) }
func (r *redisPS) flush()                          { _, _ = r.pipe.Exec(bg) }
func (r *redisPS) close() {
	for _, ps := range r.subs {
		_ = ps.Close()
	}
	r.wg.Wait()
	_ = r.c.Close()
	r.srv.stop()
}
