package pubsub

import (
	"fmt"
	"time"
)

// Policy says what happens when a message reaches a subscription whose buffer
// is full. The zero value is [Disconnect], Redis's behaviour.
type Policy uint8

const (
	// Disconnect ends the subscription with [ErrSlowConsumer], like Redis's
	// client-output-buffer-limit for pub/sub clients. The values already in
	// its channel can still be received; then the channel is closed. A
	// confirmation that does not fit disconnects too, as a reply does in
	// Redis.
	Disconnect Policy = iota

	// DropNewest discards the message that does not fit. The subscription
	// sees a [KindDropped] value where the gap is, and [Subscription.Dropped]
	// counts every discarded message. Confirmations are never dropped.
	//
	// Under both drop policies the subscription's channel holds at most 32
	// values (fewer if BufferSize is smaller); behind it a queue holds up to
	// BufferSize messages, and the policy applies to that queue: a value
	// that reached the channel belongs to the receiver. A goroutine per
	// subscription moves queued values into the channel, holding one at a
	// time while it waits for room.
	DropNewest

	// DropOldest discards the oldest message not yet in the subscription's
	// channel to make room. The gap is reported as with DropNewest.
	DropOldest

	// Block makes the publisher (or the Subscribe-family call) wait for room,
	// at most the BlockTimeout or until the caller's context is done; if room
	// does not come, the subscription is disconnected with [ErrSlowConsumer].
	// While one publisher waits, every other call on the broker waits behind
	// it: deliveries are serialized to keep one order.
	Block
)

// String returns the policy's name, e.g. "DropOldest".
func (p Policy) String() string {
	switch p {
	case Disconnect:
		return "Disconnect"
	case DropNewest:
		return "DropNewest"
	case DropOldest:
		return "DropOldest"
	case Block:
		return "Block"
	}
	return fmt.Sprintf("Policy(%d)", uint8(p))
}

// Defaults that zero fields of [Options] and [SubscriptionOptions] stand for.
const (
	DefaultBufferSize   = 1024
	DefaultBlockTimeout = time.Second
)

// Options configures a [Broker]: the settings of the subscriptions created
// without their own [SubscriptionOptions] (by [Broker.Subscribe],
// [Broker.PSubscribe], or [Broker.NewSubscription] with nil). The zero value,
// and a nil *Options, give the defaults noted on each field.
type Options struct {
	// BufferSize is how many values a subscription holds for its receiver
	// before its Policy applies. Zero means DefaultBufferSize. Each buffered
	// value is a [Message], 64 bytes, allocated up front for the Disconnect
	// and Block policies and on demand for the drop policies.
	BufferSize int

	// Policy is what happens when a buffer is full. Zero means Disconnect.
	Policy Policy

	// BlockTimeout bounds each wait of the Block policy. Zero means
	// DefaultBlockTimeout.
	BlockTimeout time.Duration
}

// SubscriptionOptions configures one subscription (see
// [Broker.NewSubscription]). Its zero fields mean the package defaults, as in
// [Options], not the broker's settings.
type SubscriptionOptions struct {
	// BufferSize is how many values the subscription holds for its receiver
	// before Policy applies. Zero means DefaultBufferSize.
	BufferSize int

	// Policy is what happens when the buffer is full. Zero means Disconnect.
	Policy Policy

	// BlockTimeout bounds each wait of the Block policy. Zero means
	// DefaultBlockTimeout.
	BlockTimeout time.Duration
}

// subConfig is a validated SubscriptionOptions with defaults applied.
type subConfig struct {
	bufferSize   int
	policy       Policy
	blockTimeout time.Duration
}

// resolve validates o (which may be nil) and applies defaults.
func (o *SubscriptionOptions) resolve() (subConfig, error) {
	var c SubscriptionOptions
	if o != nil {
		c = *o
	}
	switch {
	case c.BufferSize < 0:
		return subConfig{}, fmt.Errorf("%w: negative BufferSize %d", ErrInvalidOptions, c.BufferSize)
	case c.BlockTimeout < 0:
		return subConfig{}, fmt.Errorf("%w: negative BlockTimeout %v", ErrInvalidOptions, c.BlockTimeout)
	case c.Policy > Block:
		return subConfig{}, fmt.Errorf("%w: unknown %v", ErrInvalidOptions, c.Policy)
	}
	if c.BufferSize == 0 {
		c.BufferSize = DefaultBufferSize
	}
	if c.BlockTimeout == 0 {
		c.BlockTimeout = DefaultBlockTimeout
	}
	return subConfig{bufferSize: c.BufferSize, policy: c.Policy, blockTimeout: c.BlockTimeout}, nil
}

// resolve validates o (which may be nil) and applies defaults.
func (o *Options) resolve() (subConfig, error) {
	if o == nil {
		return (*SubscriptionOptions)(nil).resolve()
	}
	return (&SubscriptionOptions{BufferSize: o.BufferSize, Policy: o.Policy, BlockTimeout: o.BlockTimeout}).resolve()
}
