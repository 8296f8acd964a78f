package pubsub_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/pubsub"
)

// publishAll publishes payloads "1", "2", ... to channel and returns the
// receivers of each. It runs in a synctest bubble and lets the bubble settle
// after each publish, so that a drop policy's pump has taken what it can:
// it then holds one value, blocked on the full channel, and the rest waits
// in the queue.
func publishAll(t *testing.T, b *pubsub.Broker, channel string, count int) []int {
	t.Helper()
	ns := make([]int, count)
	for i := range ns {
		var err error
		ns[i], err = b.Publish(context.Background(), channel, fmt.Sprint(i+1))
		require.NoError(t, err)
		synctest.Wait()
	}
	return ns
}

func newSub(t *testing.T, b *pubsub.Broker, opts pubsub.SubscriptionOptions, channels ...string) *pubsub.Subscription {
	t.Helper()
	s, err := b.NewSubscription(context.Background(), &opts)
	require.NoError(t, err)
	if len(channels) > 0 {
		require.NoError(t, s.Subscribe(context.Background(), channels...))
	}
	return s
}

func TestPolicy_Disconnect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := pubsub.New(nil)
		defer b.Close()
		slow := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 3}, "a")
		fine := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 100}, "a")

		// The confirmation and two messages fill the slow buffer; the third
		// message disconnects it and reaches only the other subscription.
		assert.Equal(t, []int{2, 2, 1, 1}, publishAll(t, b, "a", 4))
		got, open := ready(slow)
		assert.Equal(t, []string{"subscribe a 1", "message a 1", "message a 2"}, got, "what was queued stays readable")
		assert.False(t, open)
		assert.ErrorIs(t, slow.Err(), pubsub.ErrSlowConsumer)
		assert.ErrorIs(t, slow.Subscribe(context.Background(), "b"), pubsub.ErrSubscriptionClosed)

		got, open = ready(fine)
		assert.Len(t, got, 5)
		assert.True(t, open)
		assert.Equal(t, map[string]int{"a": 1}, b.PubSubNumSub("a"))
		assert.Equal(t, uint64(1), b.Stats().Disconnected)
	})
}

// TestPolicy_DisconnectMidFanOut: a subscription disconnected by the channel
// delivery of a publish is skipped by that publish's pattern deliveries.
func TestPolicy_DisconnectMidFanOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := pubsub.New(nil)
		defer b.Close()
		var slows []*pubsub.Subscription
		for range 3 {
			s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 3}, "a")
			require.NoError(t, s.PSubscribe(ctx, "a*", "*"))
			slows = append(slows, s)
		}
		fine := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 100}, "a")
		n, err := b.Publish(ctx, "a", "x")
		require.NoError(t, err)
		assert.Equal(t, 1, n, "only the subscription with room counts")
		for _, s := range slows {
			got, open := ready(s)
			assert.Equal(t, []string{"subscribe a 1", "psubscribe a* 2", "psubscribe * 3"}, got)
			assert.False(t, open)
			assert.ErrorIs(t, s.Err(), pubsub.ErrSlowConsumer)
		}
		got, _ := ready(fine)
		assert.Equal(t, []string{"subscribe a 1", "message a x"}, got)
		assert.Equal(t, 0, b.PubSubNumPat())
		assert.Equal(t, uint64(3), b.Stats().Disconnected)
	})
}

// TestPolicy_DisconnectOnConfirmation: a confirmation that does not fit
// disconnects, as a reply over the output buffer limit does in Redis.
func TestPolicy_DisconnectOnConfirmation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := pubsub.New(nil)
		defer b.Close()
		s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 2}, "a")
		assert.ErrorIs(t, s.Subscribe(ctx, "b", "c"), pubsub.ErrSlowConsumer)
		got, open := ready(s)
		assert.Equal(t, []string{"subscribe a 1", "subscribe b 2"}, got)
		assert.False(t, open)
		assert.ErrorIs(t, s.Err(), pubsub.ErrSlowConsumer)
		assert.Equal(t, map[string]int{"a": 0, "b": 0, "c": 0}, b.PubSubNumSub("a", "b", "c"))
	})
}

// TestPolicy_SubscribeManyAtOnce: the call that creates a subscription never
// overflows it with its own confirmations.
func TestPolicy_SubscribeManyAtOnce(t *testing.T) {
	ctx := context.Background()
	b := pubsub.New(&pubsub.Options{BufferSize: 2})
	defer b.Close()
	channels := make([]string, 100)
	for i := range channels {
		channels[i] = fmt.Sprint("c", i)
	}
	s, err := b.Subscribe(ctx, channels...)
	require.NoError(t, err)
	for i := range channels {
		assert.Equal(t, i+1, recv(t, s).Count)
	}
}

func TestPolicy_DropNewest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := pubsub.New(nil)
		defer b.Close()
		s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 2, Policy: pubsub.DropNewest}, "a")
		// The channel (capacity 2) takes the confirmation and message 1; the
		// pump takes 2 and waits for room; the queue (2) takes 3 and 4; 5
		// and 6 are dropped.
		assert.Equal(t, []int{1, 1, 1, 1, 0, 0}, publishAll(t, b, "a", 6))
		got, open := ready(s)
		assert.Equal(t, []string{"subscribe a 1", "message a 1", "message a 2", "message a 3", "message a 4", "dropped 2"}, got)
		assert.True(t, open)
		assert.Equal(t, uint64(2), s.Dropped())

		// With room again, messages flow.
		n, err := b.Publish(context.Background(), "a", "7")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		got, _ = ready(s)
		assert.Equal(t, []string{"message a 7"}, got)
		assert.Equal(t, uint64(2), b.Stats().Dropped)
	})
}

// TestPolicy_DropNewestKeepsConfirmations: confirmations are queued even
// when messages are being dropped, and each gap is reported where it is.
func TestPolicy_DropNewestKeepsConfirmations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := pubsub.New(nil)
		defer b.Close()
		s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 1, Policy: pubsub.DropNewest}, "a")
		publishAll(t, b, "a", 3)                  // channel: [sub-a], pump: a1, queue: [a2], a3 dropped
		require.NoError(t, s.Subscribe(ctx, "b")) // queue: [a2 dropped sub-b]
		publishAll(t, b, "b", 1)                  // b1 dropped after sub-b
		require.NoError(t, s.Unsubscribe(ctx))
		got, open := ready(s)
		assert.Equal(t, []string{
			"subscribe a 1", "message a 1", "message a 2", "dropped 1", "subscribe b 2", "dropped 1",
			"unsubscribe a 1", "unsubscribe b 0",
		}, got)
		assert.False(t, open)
		assert.NoError(t, s.Err())
		assert.Equal(t, uint64(2), s.Dropped())
	})
}

func TestPolicy_DropOldest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := pubsub.New(nil)
		defer b.Close()
		s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 2, Policy: pubsub.DropOldest}, "a")
		// The channel (capacity 2) takes the confirmation and message 1, the
		// pump takes 2; of the messages queued behind, the oldest go.
		assert.Equal(t, []int{1, 1, 1, 1, 1, 1}, publishAll(t, b, "a", 6), "the new message is always queued")
		got, open := ready(s)
		assert.Equal(t, []string{"subscribe a 1", "message a 1", "message a 2", "dropped 2", "message a 5", "message a 6"}, got)
		assert.True(t, open)
		assert.Equal(t, uint64(2), s.Dropped())
		assert.Equal(t, uint64(2), b.Stats().Dropped)
	})
}

// TestPolicy_DropOldestKeepsConfirmations: dropping the oldest messages
// skips over confirmations, and a gap on each side of one is reported on
// that side.
func TestPolicy_DropOldestKeepsConfirmations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := pubsub.New(nil)
		defer b.Close()
		s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 2, Policy: pubsub.DropOldest}, "a")
		publishAll(t, b, "a", 3)                  // channel: [sub-a a1], pump: a2, queue: [a3]
		require.NoError(t, s.Subscribe(ctx, "b")) // queue: [a3 sub-b]
		publishAll(t, b, "b", 3)                  // b1 queued; b2 drops a3 (before sub-b), b3 drops b1 (after it)
		got, open := ready(s)
		assert.Equal(t, []string{
			"subscribe a 1", "message a 1", "message a 2", "dropped 1", "subscribe b 2", "dropped 1",
			"message b 2", "message b 3",
		}, got)
		assert.True(t, open)
		assert.Equal(t, uint64(2), s.Dropped())
	})
}

// TestPolicy_DropKeepsOrderUnderLoad: a slow receiver under a drop policy
// sees increasing sequence numbers, and every missing one is accounted for
// by a dropped notice.
func TestPolicy_DropKeepsOrderUnderLoad(t *testing.T) {
	for _, p := range []pubsub.Policy{pubsub.DropNewest, pubsub.DropOldest} {
		t.Run(p.String(), func(t *testing.T) {
			ctx := context.Background()
			b := pubsub.New(nil)
			defer b.Close()
			s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 8, Policy: p}, "a")
			const total = 20000
			done := make(chan struct{})
			go func() {
				defer close(done)
				for i := 1; i <= total; i++ {
					_, _ = b.Publish(ctx, "a", fmt.Sprint(i))
				}
				_ = s.Unsubscribe(ctx)
			}()
			next, dropped := 1, 0 // the next sequence number expected, and the drops reported since the last message
			received, totalDropped := 0, 0
			for m := range s.Channel() {
				switch m.Kind {
				case pubsub.KindMessage:
					var seq int
					_, err := fmt.Sscan(m.Payload, &seq)
					require.NoError(t, err)
					require.GreaterOrEqual(t, seq, next, "out of order")
					require.Equal(t, seq-next, dropped, "gap before %d not reported", seq)
					next, dropped = seq+1, 0
					received++
					if seq%100 == 0 {
						time.Sleep(time.Millisecond) // fall behind now and then
					}
				case pubsub.KindDropped:
					dropped += m.Count
					totalDropped += m.Count
				}
			}
			<-done
			assert.Equal(t, total+1, next+dropped, "the tail is accounted for")
			assert.Equal(t, total, received+totalDropped)
			assert.Equal(t, uint64(totalDropped), s.Dropped())
			assert.Positive(t, totalDropped, "the receiver fell behind")
			assert.NoError(t, s.Err())
		})
	}
}

func TestPolicy_BlockWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := pubsub.New(nil)
		defer b.Close()
		s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 1, Policy: pubsub.Block}, "a")
		start := time.Now()
		result := make(chan int)
		go func() {
			n, _ := b.Publish(context.Background(), "a", "x")
			result <- n
		}()
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		select {
		case <-result:
			t.Fatal("Publish did not wait for room")
		default:
		}
		assert.Equal(t, "subscribe a 1", recv(t, s).String())
		assert.Equal(t, 1, <-result)
		assert.Equal(t, 500*time.Millisecond, time.Since(start))
		assert.Equal(t, "message a x", recv(t, s).String())
		assert.Zero(t, b.Stats().Disconnected)
	})
}

func TestPolicy_BlockTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := pubsub.New(nil)
		defer b.Close()
		s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 1, Policy: pubsub.Block, BlockTimeout: 250 * time.Millisecond}, "a")
		other := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 1, Policy: pubsub.Block}, "b")
		start := time.Now()
		n, err := b.Publish(context.Background(), "a", "x")
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Equal(t, 250*time.Millisecond, time.Since(start), "waits exactly BlockTimeout")
		got, open := ready(s)
		assert.Equal(t, []string{"subscribe a 1"}, got)
		assert.False(t, open)
		assert.ErrorIs(t, s.Err(), pubsub.ErrSlowConsumer)
		assert.Equal(t, uint64(1), b.Stats().Disconnected)

		// The default timeout, on another subscription: the broker's timer
		// is reused.
		start = time.Now()
		n, err = b.Publish(context.Background(), "b", "x")
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Equal(t, pubsub.DefaultBlockTimeout, time.Since(start))
		assert.ErrorIs(t, other.Err(), pubsub.ErrSlowConsumer)
	})
}

func TestPolicy_BlockPublisherContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := pubsub.New(nil)
		defer b.Close()
		s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 1, Policy: pubsub.Block}, "a")
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		n, err := b.Publish(ctx, "a", "x")
		require.NoError(t, err)
		assert.Zero(t, n)
		assert.Equal(t, 100*time.Millisecond, time.Since(start))
		assert.ErrorIs(t, s.Err(), pubsub.ErrSlowConsumer, "a message that could not wait is never lost silently")
	})
}

func TestPolicy_BlockReleasedByClose(t *testing.T) {
	for _, closeBroker := range []bool{true, false} {
		t.Run(fmt.Sprint("broker=", closeBroker), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := pubsub.New(nil)
				defer b.Close()
				s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 1, Policy: pubsub.Block}, "a")
				result := make(chan int)
				go func() {
					n, _ := b.Publish(context.Background(), "a", "x")
					result <- n
				}()
				time.Sleep(10 * time.Millisecond)
				start := time.Now()
				if closeBroker {
					require.NoError(t, b.Close())
				} else {
					require.NoError(t, s.Close())
				}
				assert.Zero(t, <-result)
				assert.Zero(t, time.Since(start), "released at once")
				if closeBroker {
					assert.ErrorIs(t, s.Err(), pubsub.ErrClosed)
				} else {
					assert.NoError(t, s.Err())
				}
				assert.Zero(t, b.Stats().Disconnected)
			})
		})
	}
}

func TestPolicy_BlockConfirmations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := pubsub.New(nil)
		defer b.Close()
		s := newSub(t, b, pubsub.SubscriptionOptions{BufferSize: 1, Policy: pubsub.Block}, "a")
		result := make(chan error)
		go func() { result <- s.Subscribe(context.Background(), "b") }()
		time.Sleep(time.Second / 2)
		assert.Equal(t, "subscribe a 1", recv(t, s).String())
		require.NoError(t, <-result)
		assert.Equal(t, "subscribe b 2", recv(t, s).String())

		// A call whose context ends while it waits disconnects.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		require.NoError(t, s.Subscribe(ctx, "c")) // fills the buffer
		assert.ErrorIs(t, s.Subscribe(ctx, "d"), pubsub.ErrSlowConsumer)
		assert.ErrorIs(t, s.Err(), pubsub.ErrSlowConsumer)
	})
}
