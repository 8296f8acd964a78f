package pubsub_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/pubsub"
)

// TestOnPublish checks that the hook sees every Publish, with or without
// subscribers, in order and before delivery, and never a keyspace
// notification.
func TestOnPublish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := pubsub.New(nil)
		defer b.Close()
		var got []string
		b.OnPublish(func(channel, payload string) { got = append(got, channel+"="+payload) })

		n, err := b.Publish(ctx, "nobody", "1")
		require.NoError(t, err)
		assert.Zero(t, n)

		s, err := b.Subscribe(ctx, "news")
		require.NoError(t, err)
		defer s.Close()
		recv(t, s) // the confirmation
		n, err = b.Publish(ctx, "news", "2")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, []string{"nobody=1", "news=2"}, got, "the hook ran before Publish returned")
		assert.Equal(t, "news", recv(t, s).Channel)

		notify, err := b.KeyspaceNotifier("KEA")
		require.NoError(t, err)
		p, err := b.PSubscribe(ctx, "__key*__:*")
		require.NoError(t, err)
		defer p.Close()
		recv(t, p)
		notify('$', "set", "k")
		msgs, _ := ready(p)
		assert.Len(t, msgs, 2, "both notifications are delivered")
		assert.Len(t, got, 2, "and neither goes to the hook")

		b.OnPublish(nil)
		_, err = b.Publish(ctx, "news", "3")
		require.NoError(t, err)
		assert.Len(t, got, 2, "nil removes the hook")
	})
}

// TestOnPublishOrder publishes from several goroutines: the hook's order is
// the order in which a subscriber receives the messages.
func TestOnPublishOrder(t *testing.T) {
	ctx := context.Background()
	b := pubsub.New(&pubsub.Options{BufferSize: 4096, Policy: pubsub.Block})
	defer b.Close()
	var mu sync.Mutex
	var hooked []string
	b.OnPublish(func(_, payload string) {
		mu.Lock()
		hooked = append(hooked, payload)
		mu.Unlock()
	})
	s, err := b.Subscribe(ctx, "c")
	require.NoError(t, err)
	defer s.Close()
	recv(t, s)
	const writers, each = 4, 500
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, _ = b.Publish(ctx, "c", string(rune('a'+w))+string(rune('0'+i%10)))
			}
		})
	}
	var received []string
	for range writers * each {
		received = append(received, recv(t, s).Payload)
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, hooked, received)
}
