package pubsub

import "errors"

// Errors returned by the broker and its subscriptions. Test for them with
// [errors.Is]; some are wrapped with detail.
var (
	// ErrClosed is returned by every call on a Broker after [Broker.Close],
	// and is what [Subscription.Err] reports for subscriptions that Close
	// ended.
	ErrClosed = errors.New("pubsub: broker closed")

	// ErrSubscriptionClosed is returned by the methods of a Subscription that
	// has ended: it left pub/sub mode (its count reached zero), was closed,
	// its context was cancelled, or it was disconnected. Start a new one.
	ErrSubscriptionClosed = errors.New("pubsub: subscription closed")

	// ErrSlowConsumer is what [Subscription.Err] reports for a subscription
	// that could not keep up, under the Disconnect policy or when a Block
	// wait ran out. A Subscribe-family call whose confirmation could not be
	// queued returns it too.
	ErrSlowConsumer = errors.New("pubsub: slow consumer disconnected")

	// ErrInvalidOptions is wrapped by the error that [Broker.NewSubscription]
	// returns for an invalid [SubscriptionOptions] (and by New's panic).
	ErrInvalidOptions = errors.New("pubsub: invalid options")

	// ErrNotifyFlags is wrapped by the error that [Broker.KeyspaceNotifier]
	// returns for notify-keyspace-events flags it cannot use.
	ErrNotifyFlags = errors.New("pubsub: invalid notify-keyspace-events flags")
)
