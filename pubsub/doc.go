// Package pubsub is Redis's publish/subscribe inside a process: a [Broker]
// routes messages published to named channels to the [Subscription]s that
// follow those channels, or Redis glob patterns matching them, and each
// subscription receives them on a Go channel, pushed as they are published.
// Publishers do not know their audience; subscribers receive only what they
// follow.
//
//	b := pubsub.New(nil)
//	defer b.Close()
//	sub, err := b.Subscribe(ctx, "news.sports", "news.tech")
//	...
//	n, err := b.Publish(ctx, "news.sports", "Match started") // n == 1
//	for m := range sub.Channel() {
//		// m.Kind, m.Channel, m.Pattern, m.Payload, m.Count
//	}
//
// # Redis semantics
//
// A subscription's channel carries what Redis pushes on a connection in
// pub/sub mode, in the same order, as [Message] values told apart by their
// [Kind]:
//
//   - subscribe / psubscribe: a channel or pattern is followed; Count is the
//     number of channels and patterns the subscription now follows.
//   - unsubscribe / punsubscribe: one is no longer followed; Count is what
//     remains. After the confirmations of the call that leaves Count at 0,
//     the subscription leaves pub/sub mode: its channel is closed, so a
//     range loop over it ends.
//   - message: a message published to a followed channel.
//   - pmessage: a message published to a channel matching a followed
//     pattern; Pattern says which.
//
// Redis's rules hold: subscribing again to a channel confirms again but
// never delivers twice; unsubscribing from a channel not followed still
// confirms; Unsubscribe with no arguments drops every channel with one
// confirmation each or, following none, answers once with an empty Channel
// and the number of patterns still followed; a subscription that follows a
// channel and two patterns matching it receives the message three times, and
// Publish counts three. Patterns are matched exactly as Redis's
// stringmatchlen matches them, including its corner cases: "*" does not
// match the empty channel name, an unclosed "[" runs to the end of the
// pattern, and a pattern with more than 1000 separate runs of '*' matches
// nothing.
//
// A Subscribe-family call returns once its confirmations are queued: any
// Publish that starts after it returns reaches the subscription. All
// deliveries and changes go through one lock, so every subscription sees
// events in one order, the order in which the broker serialized them, as
// with a single Redis server. Publishers that run concurrently are ordered
// arbitrarily among themselves; the messages of one publisher arrive in the
// order it published them.
//
// The names follow go-redis: Subscribe, PSubscribe, Unsubscribe, PUnsubscribe,
// Publish, PubSubChannels, PubSubNumSub, PubSubNumPat. Where go-redis has two
// types, Message and Subscription, for what a subscription receives, this
// package has one, [Message], with a Kind; go-redis's PubSub is this package's
// [Subscription].
//
// # Slow consumers
//
// A publisher is never blocked indefinitely by a subscriber that does not
// receive. Each subscription has a bounded buffer (BufferSize, see
// [Options]); when a message does not fit, the subscription's [Policy]
// decides, chosen when it is created ([Broker.NewSubscription]):
//
//   - [Disconnect], the default, ends the subscription with [ErrSlowConsumer],
//     as Redis's client-output-buffer-limit closes a pub/sub client. The
//     values already received into its channel can still be read.
//   - [DropNewest] discards the message that does not fit; [DropOldest]
//     discards the oldest one not yet in the subscription's channel (which
//     then holds at most 32 values, the buffer being a queue behind it).
//     Either way the subscriber sees a [KindDropped] value where the gap
//     is, with the number of messages dropped there, and
//     [Subscription.Dropped] counts them all: nothing is lost silently.
//     Confirmations are never dropped.
//   - [Block] makes the publisher wait for room, at most BlockTimeout or
//     until the publisher's context is done; then the subscription is
//     disconnected. Because deliveries are serialized, a waiting publisher
//     holds up the whole broker meanwhile: use Block for receivers that are
//     slow in bursts, not for ones that may stop.
//
// [Broker.Stats] counts published, delivered and dropped messages and
// disconnected subscriptions.
//
// # Lifetimes and goroutines
//
// A subscription is bound to the context it is created with: when the
// context is done, the subscription ends, its channel is closed and
// [Subscription.Err] returns the context's cause. [Subscription.Close] ends it
// at once. [Broker.Close] ends every subscription ([ErrClosed]), releases
// waiting publishers and returns once every goroutine the broker started has
// exited; later calls return ErrClosed.
//
// Publishers send on a subscription's buffered channel directly. Under the
// drop policies, a subscription also has a goroutine that moves the values
// queued behind a full channel into it, in order, as the receiver makes room.
// A context binding costs no goroutine until the context is done.
//
// # Keyspace notifications
//
// The store publishes Redis keyspace notifications through a function it is
// given, so that neither package imports the other. [Broker.KeyspaceNotifier]
// parses notify-keyspace-events flags ("KEA", "Kx", "Eg$", ...) and returns
// such a function; pass it as the store's Notify option, in prose:
// store.New(&store.Options{Notify: notify}). The store calls it after each
// write, outside its locks, with the event's class letter, Redis's event name
// and the key; the function publishes "__keyspace@0__:<key>" with the event
// as payload (K) and "__keyevent@0__:<event>" with the key as payload (E).
// An expired key is announced ("expired", class x) when it is removed.
//
// # Performance
//
// Publish allocates nothing. It takes no lock when nothing is followed at
// all. Patterns are indexed by their literal prefix (the part before the
// first '*', '?' or '['), so a publish tests only the patterns whose prefix
// the channel starts with, where Redis tests every pattern.
package pubsub
