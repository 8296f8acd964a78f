package pubsub

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Kind says what a [Message] is: one of Redis's pub/sub push messages, or a
// notice of dropped messages.
type Kind uint8

// The kinds of [Message]. The zero Kind is none of them: it is what a receive
// from a closed channel gives.
const (
	// KindSubscribe confirms SUBSCRIBE: Channel is the channel, Count the
	// number of channels and patterns the subscription now follows.
	KindSubscribe Kind = iota + 1
	// KindUnsubscribe confirms UNSUBSCRIBE: Channel is the channel (empty
	// when the subscription held none and named none), Count what remains.
	KindUnsubscribe
	// KindPSubscribe confirms PSUBSCRIBE: Pattern is the pattern.
	KindPSubscribe
	// KindPUnsubscribe confirms PUNSUBSCRIBE: Pattern is the pattern (empty
	// when the subscription held none and named none).
	KindPUnsubscribe
	// KindMessage is a message published to Channel, a channel the
	// subscription follows.
	KindMessage
	// KindPMessage is a message published to Channel, which matched Pattern.
	KindPMessage
	// KindDropped stands where Count messages were dropped under the
	// DropNewest or DropOldest policy. It is not a Redis message.
	KindDropped
)

// String returns Redis's name for the kind ("subscribe", "pmessage", ...),
// or "dropped".
func (k Kind) String() string {
	switch k {
	case KindSubscribe:
		return "subscribe"
	case KindUnsubscribe:
		return "unsubscribe"
	case KindPSubscribe:
		return "psubscribe"
	case KindPUnsubscribe:
		return "punsubscribe"
	case KindMessage:
		return "message"
	case KindPMessage:
		return "pmessage"
	case KindDropped:
		return "dropped"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Message is one value delivered on a subscription's channel: a Redis push
// message (a confirmation, a message or a pmessage) or a [KindDropped]
// notice. It merges go-redis's Message and Subscription types, telling them
// apart by Kind. Which fields are set depends on Kind (see the constants).
type Message struct {
	// Kind says what the message is: a confirmation, a message, a pmessage
	// or a drop notice.
	Kind Kind
	// Channel is the channel of a channel confirmation, or the one a
	// message or pmessage was published to.
	Channel string
	// Pattern is the pattern of a pattern confirmation, or the one a
	// pmessage matched.
	Pattern string
	// Payload is the published message (messages and pmessages only).
	Payload string
	// Count is, for a confirmation, the number of channels and patterns the
	// subscription follows after it; for KindDropped, the number of messages
	// dropped at that point. Zero otherwise.
	Count int
}

// String formats m like redis-cli shows a push message, one field per line
// joined by spaces: "message news hello", "subscribe news 1".
func (m Message) String() string {
	switch m.Kind {
	case KindSubscribe, KindUnsubscribe:
		return fmt.Sprintf("%v %s %d", m.Kind, m.Channel, m.Count)
	case KindPSubscribe, KindPUnsubscribe:
		return fmt.Sprintf("%v %s %d", m.Kind, m.Pattern, m.Count)
	case KindMessage:
		return fmt.Sprintf("%v %s %s", m.Kind, m.Channel, m.Payload)
	case KindPMessage:
		return fmt.Sprintf("%v %s %s %s", m.Kind, m.Pattern, m.Channel, m.Payload)
	case KindDropped:
		return fmt.Sprintf("%v %d", m.Kind, m.Count)
	}
	return m.Kind.String()
}

// Subscription is one pub/sub session, the equivalent of a Redis connection
// in pub/sub mode (go-redis calls it PubSub). Its channel carries, in order,
// everything Redis would push on that connection. Its methods are safe for
// concurrent use.
//
// A subscription ends, and its channel is closed, after the confirmation that
// leaves it following nothing, or when it is closed, its context is done, the
// broker is closed, or it is disconnected as a slow consumer. [Subscription.Err]
// then says why. An ended subscription cannot be reused.
type Subscription struct {
	b   *Broker
	cfg subConfig
	ch  chan Message
	q   *queue // the drop policies' queue; nil for Disconnect and Block

	// done is closed when the subscription must stop at once: it releases a
	// publisher blocked on it and stops the pump.
	done      chan struct{}
	doneOnce  sync.Once
	doneCause error // written once before done is closed

	stopCtx func() bool // stops the context watcher; nil when there is none

	dropped atomic.Uint64

	errMu  sync.Mutex
	err    error // why the channel was closed
	errSet bool

	// Guarded by b.mu.
	state    subState
	channels map[string]*slot
	patterns map[string]*slot
}

type subState uint8

const (
	active subState = iota
	dead            // disconnected during a fan-out; removed right after it
	ended           // out of the indexes; its channel is closed or closing
)

// Channel returns the channel on which the subscription's values arrive. It
// is closed when the subscription ends.
func (s *Subscription) Channel() <-chan Message { return s.ch }

// Err reports why the subscription ended: nil when it left pub/sub mode by
// unsubscribing or was closed by [Subscription.Close]; [ErrSlowConsumer];
// [ErrClosed] when the broker was closed; or the cause of its context. Before
// the subscription ends it returns nil.
func (s *Subscription) Err() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// Dropped returns how many messages the DropNewest and DropOldest policies
// have dropped for this subscription so far.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Subscribe follows channels (SUBSCRIBE). Each channel is confirmed by a
// [KindSubscribe] value, also when it was followed already; a channel is
// never delivered twice. When Subscribe returns, the confirmations are
// queued and every later Publish to these channels reaches the subscription.
// ctx bounds the wait of the Block policy for room for the confirmations.
// With no channels it does nothing (where Redis answers with an arity error).
func (s *Subscription) Subscribe(ctx context.Context, channels ...string) error {
	return s.b.change(ctx, s, KindSubscribe, channels)
}

// PSubscribe follows the Redis glob patterns (PSUBSCRIBE), confirming each
// with a [KindPSubscribe] value, as Subscribe does for channels.
func (s *Subscription) PSubscribe(ctx context.Context, patterns ...string) error {
	return s.b.change(ctx, s, KindPSubscribe, patterns)
}

// Unsubscribe stops following channels (UNSUBSCRIBE), confirming each with a
// [KindUnsubscribe] value, also a channel it did not follow. With no
// arguments it drops every channel it follows, in sorted order, one
// confirmation each; following none, it answers once with an empty Channel.
// If the subscription then follows nothing, its channel is closed after
// these confirmations.
func (s *Subscription) Unsubscribe(ctx context.Context, channels ...string) error {
	return s.b.change(ctx, s, KindUnsubscribe, channels)
}

// PUnsubscribe stops following patterns (PUNSUBSCRIBE), as Unsubscribe does
// for channels.
func (s *Subscription) PUnsubscribe(ctx context.Context, patterns ...string) error {
	return s.b.change(ctx, s, KindPUnsubscribe, patterns)
}

// Close ends the subscription at once, without confirmations, and closes its
// channel. Values already in the channel can still be received; under a drop
// policy the values still queued behind it are discarded. Close is
// idempotent and always returns nil.
func (s *Subscription) Close() error {
	s.end(nil)
	return nil
}

// count returns the number of channels and patterns s follows.
func (s *Subscription) count() int { return len(s.channels) + len(s.patterns) }

// setErr records why the channel is closed, unless a reason is recorded.
func (s *Subscription) setErr(err error) {
	s.errMu.Lock()
	if !s.errSet {
		s.err, s.errSet = err, true
	}
	s.errMu.Unlock()
}

// stop closes done, recording cause as the reason, the first time.
func (s *Subscription) stop(cause error) {
	s.doneOnce.Do(func() {
		s.doneCause = cause
		close(s.done)
	})
}

// end ends s for cause from outside the broker lock: Close, the context
// watcher. It may be called any number of times.
func (s *Subscription) end(cause error) {
	s.stop(cause) // first, to release a publisher blocked on s
	b := s.b
	b.mu.Lock()
	if s.state != ended {
		s.setErr(s.doneCause)
		b.endLocked(s)
	}
	b.mu.Unlock()
}

// pump moves the values of a drop-policy subscription from its queue to its
// channel. It returns when the subscription is retired and the queue empty,
// or at once when s.done or the broker's quit is closed.
func (s *Subscription) pump() {
	q, quit := s.q, s.b.quit
	defer q.pumpExit()
	q.mu.Lock()
	for {
		q.inflight = false
		for q.n == 0 {
			if q.retired {
				q.mu.Unlock()
				return
			}
			q.waiting = true
			q.mu.Unlock()
			select {
			case <-q.wake:
			case <-s.done:
				s.setErr(s.doneCause)
				return
			case <-quit:
				s.setErr(ErrClosed)
				return
			}
			q.mu.Lock()
		}
		m := q.popLocked()
		q.inflight = true
		q.mu.Unlock()
		select {
		case s.ch <- m:
		case <-s.done:
			s.setErr(s.doneCause)
			return
		case <-quit:
			s.setErr(ErrClosed)
			return
		}
		q.mu.Lock()
	}
}
