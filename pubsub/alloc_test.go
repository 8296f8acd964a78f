package pubsub_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/pubsub"
)

// TestPublish_NoAllocs pins DESIGN §5: Publish allocates nothing beyond what
// the caller hands in, whoever receives.
func TestPublish_NoAllocs(t *testing.T) {
	ctx := context.Background()
	const runs = 200
	tests := []struct {
		name  string
		setup func(t *testing.T, b *pubsub.Broker)
	}{
		{"nobody", func(t *testing.T, b *pubsub.Broker) {}},
		{"channel subscribers", func(t *testing.T, b *pubsub.Broker) {
			for range 3 {
				_, err := b.Subscribe(ctx, "bench")
				require.NoError(t, err)
			}
		}},
		{"patterns among 10000 others", func(t *testing.T, b *pubsub.Broker) {
			ps := []string{"bench*", "b?nch", "*"}
			for i := range 10000 {
				ps = append(ps, fmt.Sprintf("user.%d.*", i))
			}
			_, err := b.PSubscribe(ctx, ps...)
			require.NoError(t, err)
		}},
		{"drop policies", func(t *testing.T, b *pubsub.Broker) {
			for _, p := range []pubsub.Policy{pubsub.DropNewest, pubsub.DropOldest} {
				s, err := b.NewSubscription(ctx, &pubsub.SubscriptionOptions{Policy: p, BufferSize: 16})
				require.NoError(t, err)
				require.NoError(t, s.Subscribe(ctx, "bench"))
				// Fill the queue so that it has grown to its final size:
				// from now on every publish drops.
				for range 64 {
					_, _ = b.Publish(ctx, "bench", payload64)
				}
			}
		}},
		{"block policy", func(t *testing.T, b *pubsub.Broker) {
			s, err := b.NewSubscription(ctx, &pubsub.SubscriptionOptions{Policy: pubsub.Block, BufferSize: 2 * runs})
			require.NoError(t, err)
			require.NoError(t, s.Subscribe(ctx, "bench"))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := pubsub.New(&pubsub.Options{BufferSize: 4 * runs}) // room for 3 deliveries per run
			defer b.Close()
			tc.setup(t, b)
			allocs := testing.AllocsPerRun(runs, func() {
				_, _ = b.Publish(ctx, "bench", payload64)
			})
			assert.Zero(t, allocs)
		})
	}
}
