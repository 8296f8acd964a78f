package pubsub

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emberkv/ember/internal/glob"
)

// Broker routes published messages to subscriptions, as a Redis server does
// for its pub/sub clients. Its methods are safe for concurrent use. Create
// one with [New] and stop it with [Broker.Close].
type Broker struct {
	defaults subConfig

	quit      chan struct{} // closed by Close: releases blocked publishers and pumps
	closed    atomic.Bool   // set by Close before it takes mu
	closeOnce sync.Once
	wg        sync.WaitGroup // every goroutine the broker started: pumps, context watchers

	// topics counts the channels and patterns followed, so that Publish can
	// skip the lock when nobody follows anything. Written under mu.
	topics atomic.Int64

	hook atomic.Pointer[func(channel, payload string)] // see OnPublish

	stats struct {
		channels, patterns, subscriptions           atomic.Int64
		published, delivered, dropped, disconnected atomic.Uint64
	}

	// mu serializes every delivery and every change of subscriptions, so
	// that all subscriptions see one order of events, as on a Redis server.
	// Lock order: mu, then a subscription's queue.mu, then its errMu. No
	// lock is held while calling out of the package, except for the
	// OnPublish hook, which runs under mu.
	mu struct {
		sync.Mutex
		closed   bool
		channels map[string]*topic
		patterns map[string]*topic
		index    patternIndex
		subs     map[*Subscription]struct{} // subscriptions not ended
		dead     []*Subscription            // disconnected during a fan-out, to remove after it
		timer    *time.Timer                // reused by the Block policy's waits
	}
}

// Stats is a snapshot of a broker's counters, as returned by [Broker.Stats].
type Stats struct {
	Channels      int // channels with at least one subscription
	Patterns      int // distinct patterns with at least one subscription
	Subscriptions int // subscriptions not ended

	Published    uint64 // Publish calls
	Delivered    uint64 // messages queued for subscriptions: the sum of Publish's results
	Dropped      uint64 // messages dropped by the DropNewest and DropOldest policies
	Disconnected uint64 // subscriptions ended with ErrSlowConsumer
}

// New returns a broker whose subscriptions default to opts (nil means the
// defaults; opts is copied, not retained). It panics if opts is invalid: a
// negative size or timeout, or an unknown policy.
func New(opts *Options) *Broker {
	cfg, err := opts.resolve()
	if err != nil {
		panic(err)
	}
	b := &Broker{defaults: cfg, quit: make(chan struct{})}
	b.mu.channels = make(map[string]*topic)
	b.mu.patterns = make(map[string]*topic)
	b.mu.subs = make(map[*Subscription]struct{})
	return b
}

// Close ends every subscription (their channels are closed and their Err
// reports ErrClosed), releases any publisher waiting under the Block policy,
// and waits for every goroutine the broker started. Later calls on the
// broker return ErrClosed. Close is idempotent: it always returns nil.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		b.closed.Store(true)
		close(b.quit)
		b.mu.Lock()
		b.mu.closed = true
		for s := range b.mu.subs {
			s.stop(ErrClosed)
			s.setErr(ErrClosed)
			b.endLocked(s)
		}
		if b.mu.timer != nil {
			b.mu.timer.Stop()
		}
		b.mu.Unlock()
		b.wg.Wait()
	})
	return nil
}

// Stats returns the broker's counters. It does not wait for the broker's
// lock; the fields are read one by one, so under load they may be a few
// events apart.
func (b *Broker) Stats() Stats {
	return Stats{
		Channels:      int(b.stats.channels.Load()),
		Patterns:      int(b.stats.patterns.Load()),
		Subscriptions: int(b.stats.subscriptions.Load()),
		Published:     b.stats.published.Load(),
		Delivered:     b.stats.delivered.Load(),
		Dropped:       b.stats.dropped.Load(),
		Disconnected:  b.stats.disconnected.Load(),
	}
}

// start runs f in a goroutine that Close waits for. Call it with mu held and
// the broker not closed.
func (b *Broker) startLocked(f func()) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		f()
	}()
}

// NewSubscription starts a subscription that follows nothing yet, configured
// by opts (nil means the broker's settings, see [Options]). Follow channels
// and patterns with its Subscribe and PSubscribe methods.
//
// The subscription is bound to ctx: when ctx is done, the subscription ends
// (without confirmations) and its Err reports context.Cause(ctx).
func (b *Broker) NewSubscription(ctx context.Context, opts *SubscriptionOptions) (*Subscription, error) {
	cfg := b.defaults
	if opts != nil {
		var err error
		if cfg, err = opts.resolve(); err != nil {
			return nil, err
		}
	}
	return b.open(ctx, cfg, 0, nil)
}

// Subscribe starts a subscription with the broker's settings that follows
// channels (SUBSCRIBE). It returns once the confirmations are queued: every
// later Publish to these channels reaches it. See [Broker.NewSubscription]
// for the binding to ctx, and [Subscription.Subscribe].
//
// Its channel has room for the confirmations of this call on top of the
// buffer, so subscribing to many channels at once cannot overflow it. With no
// channels, Subscribe is NewSubscription with the broker's settings.
func (b *Broker) Subscribe(ctx context.Context, channels ...string) (*Subscription, error) {
	return b.open(ctx, b.defaults, KindSubscribe, channels)
}

// PSubscribe starts a subscription with the broker's settings that follows
// the Redis glob patterns (PSUBSCRIBE), as [Broker.Subscribe] does for
// channels.
func (b *Broker) PSubscribe(ctx context.Context, patterns ...string) (*Subscription, error) {
	return b.open(ctx, b.defaults, KindPSubscribe, patterns)
}

// open creates a subscription and, when names is not empty, applies the
// change kind to it, all under one hold of the lock.
func (b *Broker) open(ctx context.Context, cfg subConfig, kind Kind, names []string) (*Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	s := &Subscription{
		b:        b,
		cfg:      cfg,
		done:     make(chan struct{}),
		channels: make(map[string]*slot),
		patterns: make(map[string]*slot),
	}
	if cfg.policy == DropNewest || cfg.policy == DropOldest {
		s.ch = make(chan Message, min(cfg.bufferSize, dropChannelSize))
		s.q = newQueue(s.ch, cfg.bufferSize)
	} else {
		s.ch = make(chan Message, cfg.bufferSize+len(names))
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	if b.mu.closed {
		return nil, ErrClosed
	}
	b.mu.subs[s] = struct{}{}
	b.stats.subscriptions.Add(1)
	if s.q != nil {
		b.startLocked(s.pump)
	}
	if ctx.Done() != nil {
		b.wg.Add(1)
		s.stopCtx = context.AfterFunc(ctx, func() {
			defer b.wg.Done()
			s.end(context.Cause(ctx))
		})
	}
	if len(names) > 0 {
		if err := b.changeLocked(ctx, s, kind, names); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// change applies a Subscribe-family call to s.
func (b *Broker) change(ctx context.Context, s *Subscription, kind Kind, names []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.mu.closed {
		return ErrClosed
	}
	if s.state != active {
		return ErrSubscriptionClosed
	}
	return b.changeLocked(ctx, s, kind, names)
}

// changeLocked applies SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE or PUNSUBSCRIBE
// (by the kind of its confirmations) with names to the active subscription s.
func (b *Broker) changeLocked(ctx context.Context, s *Subscription, kind Kind, names []string) error {
	pattern := kind == KindPSubscribe || kind == KindPUnsubscribe
	held := s.channels
	if pattern {
		held = s.patterns
	}
	confirm := func(name string) error {
		m := Message{Kind: kind, Count: s.count()}
		if pattern {
			m.Pattern = name
		} else {
			m.Channel = name
		}
		switch {
		case b.sendLocked(ctx, s, &m):
			return nil
		case s.state == dead:
			return ErrSlowConsumer
		case b.closed.Load():
			return ErrClosed // a Block wait was cut short by Close
		default:
			return ErrSubscriptionClosed // ... or by the subscription's end
		}
	}

	var err error
	switch kind {
	case KindSubscribe, KindPSubscribe:
		for _, name := range names {
			if _, ok := held[name]; !ok {
				held[name] = b.joinLocked(s, name, pattern)
			}
			if err = confirm(name); err != nil {
				break
			}
		}
	default:
		if len(names) == 0 {
			if len(held) == 0 {
				names = []string{""}
			} else {
				names = make([]string, 0, len(held))
				for name := range held {
					names = append(names, name)
				}
				slices.Sort(names)
			}
		}
		for _, name := range names {
			if sl, ok := held[name]; ok {
				delete(held, name)
				b.leaveLocked(sl, pattern)
			}
			if err = confirm(name); err != nil {
				break
			}
		}
		if err == nil && s.count() == 0 {
			b.finishLocked(s)
		}
	}
	if s.state == dead {
		b.flushDeadLocked()
	}
	return err
}

// joinLocked adds s to the topic for name, creating it if needed.
func (b *Broker) joinLocked(s *Subscription, name string, pattern bool) *slot {
	topics := b.mu.channels
	if pattern {
		topics = b.mu.patterns
	}
	t := topics[name]
	if t == nil {
		t = &topic{name: name}
		topics[name] = t
		b.topics.Add(1)
		if pattern {
			b.mu.index.insert(t)
			b.stats.patterns.Add(1)
		} else {
			b.stats.channels.Add(1)
		}
	}
	return t.addSlot(s)
}

// leaveLocked removes the membership sl, and its topic if it was the last.
func (b *Broker) leaveLocked(sl *slot, pattern bool) {
	t := sl.t
	if !t.removeSlot(sl) {
		return
	}
	b.topics.Add(-1)
	if pattern {
		delete(b.mu.patterns, t.name)
		b.mu.index.remove(t)
		b.stats.patterns.Add(-1)
	} else {
		delete(b.mu.channels, t.name)
		b.stats.channels.Add(-1)
	}
}

// endLocked takes s out of the broker at once and closes its channel (or
// has its pump close it). s.done must be closed already, so that no
// delivery waits on s and the pump stops.
func (b *Broker) endLocked(s *Subscription) {
	for name, sl := range s.channels {
		delete(s.channels, name)
		b.leaveLocked(sl, false)
	}
	for name, sl := range s.patterns {
		delete(s.patterns, name)
		b.leaveLocked(sl, true)
	}
	b.finishLocked(s)
}

// finishLocked ends s, which follows nothing any more: its channel is closed
// now, or under a drop policy by the pump once the queue is empty (or at
// once if s.done is closed). No publisher sends to s after this.
func (b *Broker) finishLocked(s *Subscription) {
	b.retireLocked(s)
	if s.q == nil {
		close(s.ch)
	} else {
		s.q.retire()
	}
}

// retireLocked marks s ended and forgets it.
func (b *Broker) retireLocked(s *Subscription) {
	s.state = ended
	delete(b.mu.subs, s)
	b.stats.subscriptions.Add(-1)
	if s.stopCtx != nil && s.stopCtx() {
		b.wg.Done() // the watcher will never run
	}
}

// disconnectLocked marks s as a slow consumer. It is removed by
// flushDeadLocked, after the fan-out that may still be iterating its topics.
func (b *Broker) disconnectLocked(s *Subscription) {
	s.state = dead
	b.mu.dead = append(b.mu.dead, s)
}

// flushDeadLocked ends the subscriptions disconnected since the last call.
func (b *Broker) flushDeadLocked() {
	for i, s := range b.mu.dead {
		b.mu.dead[i] = nil
		s.stop(ErrSlowConsumer)
		s.setErr(ErrSlowConsumer)
		b.endLocked(s)
		b.stats.disconnected.Add(1)
	}
	b.mu.dead = b.mu.dead[:0]
}

// sendLocked queues m for s under its policy and reports whether it was
// queued. It may mark s dead (see disconnectLocked).
func (b *Broker) sendLocked(ctx context.Context, s *Subscription, m *Message) bool {
	if s.state != active {
		return false
	}
	if s.q != nil {
		if !isMessage(m.Kind) {
			s.q.pushControl(m)
			return true
		}
		queued, dropped := s.q.pushMessage(m, s.cfg.policy)
		if dropped {
			s.dropped.Add(1)
			b.stats.dropped.Add(1)
		}
		return queued
	}
	select {
	case s.ch <- *m:
		return true
	default:
	}
	if s.cfg.policy == Block {
		return b.waitLocked(ctx, s, m)
	}
	b.disconnectLocked(s)
	return false
}

// waitLocked is the Block policy: it waits for room in s's channel, holding
// the lock so that no later event overtakes m.
func (b *Broker) waitLocked(ctx context.Context, s *Subscription, m *Message) bool {
	t := b.mu.timer
	if t == nil {
		t = time.NewTimer(s.cfg.blockTimeout)
		b.mu.timer = t
	} else {
		t.Reset(s.cfg.blockTimeout)
	}
	select {
	case s.ch <- *m:
		t.Stop()
		return true
	case <-s.done: // s is ending anyway
		t.Stop()
		return false
	case <-b.quit:
		t.Stop()
		return false
	case <-ctx.Done():
		t.Stop()
	case <-t.C:
	}
	b.disconnectLocked(s)
	return false
}

// Publish posts payload to channel (PUBLISH) and returns the number of
// deliveries queued: one per subscription following the channel, plus one
// per matching pattern of each subscription, so a subscription that follows
// the channel and two matching patterns receives three values and counts
// three. A message dropped by a full buffer is not counted.
//
// Publish never waits except under the Block policy, for at most the
// subscription's BlockTimeout or until ctx is done (the subscription is then
// disconnected). It allocates nothing.
func (b *Broker) Publish(ctx context.Context, channel, payload string) (int, error) {
	return b.publish(ctx, channel, payload, true)
}

// OnPublish makes the broker call f with each message that Publish posts,
// subscribers or not, before delivering it; nil removes the hook. Keyspace
// notifications (see [Broker.KeyspaceNotifier]) do not go to f: on a Redis
// replica they come from the commands it applies, not from its master.
//
// This is how a replication leader puts PUBLISH into its stream, as Redis
// propagates PUBLISH to its replicas. f runs under the broker's lock, so
// that the order of its calls is the order in which subscribers receive the
// messages: it must return quickly and must not call the broker.
func (b *Broker) OnPublish(f func(channel, payload string)) {
	if f == nil {
		b.hook.Store(nil)
		return
	}
	b.hook.Store(&f)
}

// publish is Publish, with the OnPublish hook or without.
func (b *Broker) publish(ctx context.Context, channel, payload string, withHook bool) (int, error) {
	if b.closed.Load() {
		return 0, ErrClosed
	}
	var hook func(channel, payload string)
	if withHook {
		if p := b.hook.Load(); p != nil {
			hook = *p
		}
	}
	if hook == nil && b.topics.Load() == 0 {
		b.stats.published.Add(1)
		return 0, nil
	}
	b.mu.Lock()
	if b.mu.closed {
		b.mu.Unlock()
		return 0, ErrClosed
	}
	if hook != nil {
		hook(channel, payload)
	}
	n := 0
	if t := b.mu.channels[channel]; t != nil {
		m := Message{Kind: KindMessage, Channel: channel, Payload: payload}
		for _, sl := range t.slots {
			if b.sendLocked(ctx, sl.sub, &m) {
				n++
			}
		}
	}
	if len(b.mu.patterns) > 0 {
		n += b.publishPatternsLocked(ctx, channel, payload)
	}
	if len(b.mu.dead) > 0 {
		b.flushDeadLocked()
	}
	b.mu.Unlock()
	b.stats.published.Add(1)
	b.stats.delivered.Add(uint64(n))
	return n, nil
}

// publishPatternsLocked delivers pmessages to the subscriptions whose
// patterns match channel, visiting only the patterns whose literal prefix
// channel starts with.
func (b *Broker) publishPatternsLocked(ctx context.Context, channel, payload string) int {
	n := 0
	node, depth := &b.mu.index.root, 0
	for {
		for _, t := range node.topics {
			if !t.matches(channel, depth) {
				continue
			}
			m := Message{Kind: KindPMessage, Pattern: t.name, Channel: channel, Payload: payload}
			for _, sl := range t.slots {
				if b.sendLocked(ctx, sl.sub, &m) {
					n++
				}
			}
		}
		if depth == len(channel) {
			return n
		}
		k := node.kid(channel[depth])
		if k == nil || len(channel)-depth < len(k.label) || channel[depth:depth+len(k.label)] != k.label {
			return n
		}
		node, depth = k, depth+len(k.label)
	}
}

// PubSubChannels lists the channels that at least one subscription follows
// and that match the Redis glob pattern (PUBSUB CHANNELS), sorted. The
// pattern "*" lists them all, as PUBSUB CHANNELS without a pattern does
// (Redis's matcher alone would leave out the empty channel name).
func (b *Broker) PubSubChannels(pattern string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for name := range b.mu.channels {
		if pattern == "*" || glob.Match(pattern, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// PubSubNumSub returns, for each of channels, the number of subscriptions
// following it, not counting patterns (PUBSUB NUMSUB).
func (b *Broker) PubSubNumSub(channels ...string) map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]int, len(channels))
	for _, name := range channels {
		n := 0
		if t := b.mu.channels[name]; t != nil {
			n = len(t.slots)
		}
		out[name] = n
	}
	return out
}

// PubSubNumPat returns the number of distinct patterns that subscriptions
// follow (PUBSUB NUMPAT, as counted since Redis 7).
func (b *Broker) PubSubNumPat() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.mu.patterns)
}
