package pubsub_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emberkv/ember/pubsub"
)

// payload64 is the 64-byte payload of the performance targets.
var payload64 = strings.Repeat("x", 64)

// fanOut runs one publisher against subs receivers, each on its own
// goroutine, and reports deliveries (messages received) per second. The timed
// region includes the receivers draining their buffers, so the figure is of
// messages received, not merely queued; that is why this loop counts to b.N
// instead of using b.Loop. Under a drop policy the messages dropped are
// reported too.
func fanOut(b *testing.B, subs int, opts *pubsub.SubscriptionOptions) {
	ctx := context.Background()
	br := pubsub.New(nil)
	defer br.Close()
	lossless := opts.Policy == pubsub.Block || opts.Policy == pubsub.Disconnect
	var wg sync.WaitGroup
	var received atomic.Int64
	for range subs {
		s, err := br.NewSubscription(ctx, opts)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Subscribe(ctx, "bench"); err != nil {
			b.Fatal(err)
		}
		<-s.Channel() // the confirmation
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := int64(0)
			for m := range s.Channel() {
				if m.Kind == pubsub.KindMessage {
					n++
				}
			}
			received.Add(n)
		}()
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if n, _ := br.Publish(ctx, "bench", payload64); lossless && n != subs {
			b.Fatalf("Publish reached %d subscribers, want %d", n, subs)
		}
	}
	br.Close() // ends the subscriptions after what their channels hold: wait for the drain
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(received.Load())/elapsed.Seconds(), "deliveries/s")
	if !lossless {
		b.ReportMetric(float64(int64(b.N)*int64(subs)-received.Load())/float64(b.N), "dropped/op")
	}
}

// BenchmarkPublish measures fan-out throughput with the lossless Block
// policy, comparable to the raw channel references below, and with
// DropOldest, whose deliveries take an extra hop through the subscription's
// pump goroutine. (Disconnect has Block's fast path, but a publisher that
// outruns its receivers, as this loop does, gets them disconnected.)
func BenchmarkPublish(b *testing.B) {
	for _, subs := range []int{1, 100, 1000} {
		for _, p := range []pubsub.Policy{pubsub.Block, pubsub.DropOldest} {
			b.Run(fmt.Sprintf("subs=%d/policy=%v", subs, p), func(b *testing.B) {
				fanOut(b, subs, &pubsub.SubscriptionOptions{Policy: p})
			})
		}
	}
}

// BenchmarkReference is what the targets compare with: a raw buffered Go
// channel per subscriber, one goroutine each, the publisher sending on all.
func BenchmarkReference(b *testing.B) {
	for _, subs := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("subs=%d/rawchan", subs), func(b *testing.B) {
			chans := make([]chan string, subs)
			var wg sync.WaitGroup
			for i := range chans {
				chans[i] = make(chan string, pubsub.DefaultBufferSize)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range chans[i] {
					}
				}()
			}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				for _, c := range chans {
					c <- payload64
				}
			}
			for _, c := range chans {
				close(c)
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)*float64(subs)/elapsed.Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkPublishPatterns measures the cost of one Publish, to a channel with
// one subscriber, while 10,000 patterns that do not match are followed:
// with a literal prefix (indexed: only the walk costs) and without one
// (every pattern is tested, as Redis does for all).
func BenchmarkPublishPatterns(b *testing.B) {
	ctx := context.Background()
	cases := []struct {
		name    string
		pattern func(i int) string
	}{
		{"patterns=0", nil},
		{"patterns=10000,prefixed", func(i int) string { return fmt.Sprintf("user.%d.*", i) }},
		{"patterns=10000,prefixed-sharing-channel-prefix", func(i int) string { return fmt.Sprintf("orders.%d.*", i) }},
		{"patterns=10000,unprefixed", func(i int) string { return fmt.Sprintf("*.user.%d", i) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			br := pubsub.New(&pubsub.Options{Policy: pubsub.Block})
			defer br.Close()
			if c.pattern != nil {
				ps := make([]string, 10000)
				for i := range ps {
					ps[i] = c.pattern(i)
				}
				if _, err := br.PSubscribe(ctx, ps...); err != nil {
					b.Fatal(err)
				}
			}
			sub, err := br.Subscribe(ctx, "orders.created")
			if err != nil {
				b.Fatal(err)
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				for range sub.Channel() {
				}
			}()
			b.ReportAllocs()
			for b.Loop() {
				if n, _ := br.Publish(ctx, "orders.created", payload64); n > 1 {
					b.Fatalf("Publish reached %d", n)
				}
			}
			b.StopTimer()
			_ = sub.Close()
			<-done
		})
	}
}

// BenchmarkPublishNobody is the cost of a Publish nobody follows, such as a
// keyspace notification with no listener.
func BenchmarkPublishNobody(b *testing.B) {
	ctx := context.Background()
	br := pubsub.New(nil)
	defer br.Close()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = br.Publish(ctx, "orders.created", payload64)
	}
}
