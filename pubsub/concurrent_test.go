package pubsub_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/glob"
	"github.com/emberkv/ember/internal/leakcheck"
	"github.com/emberkv/ember/pubsub"
)

// The concurrent test runs publishers and subscribers against one broker
// and then checks what every subscription received against what happened:
//
//  1. confirmations: each Count is the number of channels and patterns
//     followed according to the confirmations before it;
//  2. a message arrives only while its channel (or pattern) is followed,
//     and a pmessage's pattern matches its channel;
//  3. while something is followed, the messages of one publisher on one
//     channel arrive in order and without gaps;
//  4. every Publish reached exactly as many deliveries as it returned;
//  5. a Publish that started after a Subscribe call returned and ended
//     before the matching Unsubscribe call started was delivered.
//
// Buffers are large enough that no policy ever applies; the run checks that.

var (
	modelChannels = []string{"c0", "c1", "c2", "c3", "c4", "c5"}
	modelPatterns = []string{"c*", "c[0-2]", "*", "c?", "x*", "c1"}
)

// published is one Publish call.
type published struct {
	channel, payload string
	n                int
	tCall, tReturn   int64 // logical clock around the call
}

// window is a span during which a subscription followed name, in logical
// time: opened after the Subscribe call returned, closed before the
// Unsubscribe (or Close) call started.
type window struct {
	name          string
	pattern       bool
	tOpen, tClose int64
}

// stream is one subscription's history.
type stream struct {
	received []pubsub.Message
	windows  []window
	err      error
}

type model struct {
	clock atomic.Int64
	mu    sync.Mutex
	pubs  []published
	subs  []*stream
}

func (m *model) tick() int64 { return m.clock.Add(1) }

func TestBroker_Concurrent(t *testing.T) {
	for _, p := range []pubsub.Policy{pubsub.Disconnect, pubsub.Block, pubsub.DropNewest} {
		t.Run(p.String(), func(t *testing.T) {
			defer leakcheck.Check(t)()
			seed := rand.Uint64()
			t.Logf("seed %d", seed)
			runConcurrent(t, p, seed)
		})
	}
}

func runConcurrent(t *testing.T, policy pubsub.Policy, seed uint64) {
	const (
		publishers       = 4
		publishesEach    = 1500
		subscribers      = 6
		changesEach      = 250
		subscriberBuffer = 1 << 15
	)
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()
	m := &model{}
	opts := &pubsub.SubscriptionOptions{Policy: policy, BufferSize: subscriberBuffer}

	var subWG, pubWG sync.WaitGroup
	var pubsDone atomic.Bool // publishers are done: subscribers may stop
	var warm sync.WaitGroup  // subscribers have started following things: publishers may start
	var changes atomic.Int64 // subscription changes made so far, to pace the publishers
	for i := range subscribers {
		subWG.Add(1)
		warm.Add(1)
		go func() {
			defer subWG.Done()
			runSubscriber(t, b, m, opts, rand.New(rand.NewPCG(seed, uint64(i))), changesEach, &warm, &changes, &pubsDone)
		}()
	}
	for i := range publishers {
		pubWG.Add(1)
		go func() {
			defer pubWG.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(1000+i)))
			seq := map[string]int{}
			warm.Wait()
			base := changes.Load()
			for k := range publishesEach {
				// Keep subscribers changing things while publishing goes on:
				// publishers handing the lock to each other can otherwise
				// keep the subscribers off the CPU for a whole time slice.
				for changes.Load()-base < int64(k/16) {
					runtime.Gosched()
				}
				ch := modelChannels[rng.IntN(len(modelChannels))]
				seq[ch]++
				payload := fmt.Sprintf("%d:%d", i, seq[ch])
				tCall := m.tick()
				n, err := b.Publish(ctx, ch, payload)
				tReturn := m.tick()
				if !assert.NoError(t, err) {
					return
				}
				m.mu.Lock()
				m.pubs = append(m.pubs, published{channel: ch, payload: payload, n: n, tCall: tCall, tReturn: tReturn})
				m.mu.Unlock()
			}
		}()
	}
	pubWG.Wait()
	pubsDone.Store(true)
	subWG.Wait()
	require.False(t, t.Failed())

	st := b.Stats()
	t.Logf("stats %+v", st)
	require.Zero(t, st.Dropped, "buffers were meant to be large enough")
	require.Zero(t, st.Disconnected, "buffers were meant to be large enough")
	require.Equal(t, uint64(publishers*publishesEach), st.Published)
	require.Zero(t, st.Subscriptions, "every subscription was ended")

	checkModel(t, m)
}

// runSubscriber changes subscriptions at random, starting a new one when the
// current one leaves pub/sub mode, and records everything in m. It makes at
// least changes changes, and goes on until stop is set; it calls warm.Done
// after the first few, and counts every change in progress.
func runSubscriber(t *testing.T, b *pubsub.Broker, m *model, opts *pubsub.SubscriptionOptions, rng *rand.Rand, changes int, warm *sync.WaitGroup, progress *atomic.Int64, stop *atomic.Bool) {
	ctx := context.Background()
	var (
		s         *pubsub.Subscription
		st        *stream
		received  chan struct{}
		following map[string]int // "c:name" or "p:name" -> index in st.windows
	)
	start := func() {
		var err error
		s, err = b.NewSubscription(ctx, opts)
		require.NoError(t, err)
		st, received, following = &stream{}, make(chan struct{}), map[string]int{}
		m.mu.Lock()
		m.subs = append(m.subs, st)
		m.mu.Unlock()
		go func(s *pubsub.Subscription, st *stream, done chan struct{}) {
			defer close(done)
			for msg := range s.Channel() {
				st.received = append(st.received, msg)
			}
			st.err = s.Err()
		}(s, st, received)
	}
	closeWindows := func(names []string, pattern bool, at int64) {
		prefix := "c:"
		if pattern {
			prefix = "p:"
		}
		if names == nil { // everything of that kind
			for key, i := range following {
				if strings.HasPrefix(key, prefix) {
					st.windows[i].tClose = at
					delete(following, key)
				}
			}
			return
		}
		for _, name := range names {
			if i, ok := following[prefix+name]; ok {
				st.windows[i].tClose = at
				delete(following, prefix+name)
			}
		}
	}
	start()
	for i := 0; i < changes || !stop.Load(); i++ {
		if i == 10 {
			warm.Done()
		}
		progress.Add(1)
		runtime.Gosched() // let publishers run while this subscription follows things
		pattern := rng.IntN(2) == 0
		pool, prefix := modelChannels, "c:"
		if pattern {
			pool, prefix = modelPatterns, "p:"
		}
		var names []string
		for range 1 + rng.IntN(3) {
			names = append(names, pool[rng.IntN(len(pool))])
		}
		if rng.IntN(3) > 0 { // follow
			var err error
			if pattern {
				err = s.PSubscribe(ctx, names...)
			} else {
				err = s.Subscribe(ctx, names...)
			}
			require.NoError(t, err, "subscription ended with %v", s.Err())
			at := m.tick()
			for _, name := range names {
				if _, ok := following[prefix+name]; !ok {
					following[prefix+name] = len(st.windows)
					st.windows = append(st.windows, window{name: name, pattern: pattern, tOpen: at, tClose: math.MaxInt64})
				}
			}
			continue
		}
		if rng.IntN(4) == 0 {
			names = nil // unsubscribe from everything of that kind
		}
		closeWindows(names, pattern, m.tick())
		var err error
		if pattern {
			err = s.PUnsubscribe(ctx, names...)
		} else {
			err = s.Unsubscribe(ctx, names...)
		}
		require.NoError(t, err)
		if len(following) == 0 { // the count reached zero: the subscription ended
			<-received
			start()
		}
	}
	// Leave pub/sub mode by unsubscribing, so that the subscription receives
	// everything queued for it (Close would discard a drop policy's queue).
	at := m.tick()
	patterns := false
	for key := range following {
		patterns = patterns || strings.HasPrefix(key, "p:")
	}
	closeWindows(nil, false, at)
	closeWindows(nil, true, at)
	require.NoError(t, s.Unsubscribe(ctx))
	if patterns {
		require.NoError(t, s.PUnsubscribe(ctx))
	}
	<-received
}

// checkModel verifies the five properties listed at the top of the file.
func checkModel(t *testing.T, m *model) {
	type delivery struct {
		key     string // "c:channel" or "p:pattern"
		payload string
		channel string
	}
	deliveries := map[string]int{} // channel + " " + payload -> deliveries over all streams
	for si, st := range m.subs {
		if st.err != nil {
			t.Errorf("stream %d ended with %v", si, st.err)
		}
		following := map[string]bool{}
		last := map[string]int{} // key + " " + publisher + " " + channel -> last sequence number seen
		seen := map[delivery]bool{}
		for i, msg := range st.received {
			where := fmt.Sprintf("stream %d value %d (%v)", si, i, msg)
			var key string
			switch msg.Kind {
			case pubsub.KindSubscribe, pubsub.KindUnsubscribe:
				key = "c:" + msg.Channel
			case pubsub.KindPSubscribe, pubsub.KindPUnsubscribe:
				key = "p:" + msg.Pattern
			case pubsub.KindMessage:
				key = "c:" + msg.Channel
			case pubsub.KindPMessage:
				key = "p:" + msg.Pattern
				require.True(t, glob.Match(msg.Pattern, msg.Channel), where)
			default:
				t.Fatalf("%s: unexpected kind", where)
			}
			switch msg.Kind {
			case pubsub.KindSubscribe, pubsub.KindPSubscribe:
				following[key] = true
				require.Equal(t, len(following), msg.Count, "%s: count", where)
				continue
			case pubsub.KindUnsubscribe, pubsub.KindPUnsubscribe:
				if following[key] {
					delete(following, key)
					for k := range last {
						if strings.HasPrefix(k, key+" ") {
							delete(last, k) // the window closed
						}
					}
				}
				require.Equal(t, len(following), msg.Count, "%s: count", where)
				continue
			}
			// Property 2.
			require.True(t, following[key], "%s: not followed", where)
			d := delivery{key: key, payload: msg.Payload, channel: msg.Channel}
			require.False(t, seen[d], "%s: delivered twice", where)
			seen[d] = true
			deliveries[msg.Channel+" "+msg.Payload]++
			// Property 3.
			var publisher, seq int
			_, err := fmt.Sscanf(msg.Payload, "%d:%d", &publisher, &seq)
			require.NoError(t, err, where)
			lk := fmt.Sprintf("%s %d %s", key, publisher, msg.Channel)
			if prev, ok := last[lk]; ok {
				require.Equal(t, prev+1, seq, "%s: gap or disorder", where)
			}
			last[lk] = seq
		}
		// Property 5.
		for _, w := range st.windows {
			for _, p := range m.pubs {
				if p.tCall < w.tOpen || p.tReturn > w.tClose {
					continue
				}
				var want delivery
				if w.pattern {
					if !glob.Match(w.name, p.channel) {
						continue
					}
					want = delivery{key: "p:" + w.name, payload: p.payload, channel: p.channel}
				} else {
					if w.name != p.channel {
						continue
					}
					want = delivery{key: "c:" + w.name, payload: p.payload, channel: p.channel}
				}
				require.True(t, seen[want], "stream %d missed %+v published during %+v", si, p, w)
			}
		}
	}
	// Property 4.
	total := 0
	for _, p := range m.pubs {
		require.Equal(t, p.n, deliveries[p.channel+" "+p.payload], "deliveries of %+v", p)
		total += p.n
	}
	t.Logf("%d publishes, %d deliveries, %d subscriptions", len(m.pubs), total, len(m.subs))
	require.Positive(t, total)
}
