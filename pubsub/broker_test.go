package pubsub_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/leakcheck"
	"github.com/emberkv/ember/pubsub"
)

// step is one command of a rules case: a Subscribe-family call on
// subscription sub, or a publish (args: channel, payload) expected to reach
// want receivers.
type step struct {
	sub  int
	op   string
	args []string
	want int
}

func sub(i int, op string, args ...string) step { return step{sub: i, op: op, args: args} }
func pub(channel, payload string, want int) step {
	return step{op: "publish", args: []string{channel, payload}, want: want}
}

// rulesCases pin Redis's pub/sub rules: what each subscription receives, in
// order, and whether its channel is still open at the end. Messages are
// written as Message.String shows them.
var rulesCases = []struct {
	name  string
	subs  int
	steps []step
	want  [][]string
	open  []bool
}{
	{
		name: "classic flow",
		subs: 1,
		steps: []step{
			sub(0, "subscribe", "news.sports", "news.tech"),
			pub("news.sports", "Match started", 1),
			sub(0, "unsubscribe", "news.sports"),
			sub(0, "unsubscribe"),
		},
		want: [][]string{{
			"subscribe news.sports 1", "subscribe news.tech 2",
			"message news.sports Match started",
			"unsubscribe news.sports 1", "unsubscribe news.tech 0",
		}},
		open: []bool{false},
	},
	{
		name:  "subscribing again confirms again without double delivery",
		subs:  1,
		steps: []step{sub(0, "subscribe", "a"), sub(0, "subscribe", "a", "a"), pub("a", "x", 1)},
		want:  [][]string{{"subscribe a 1", "subscribe a 1", "subscribe a 1", "message a x"}},
		open:  []bool{true},
	},
	{
		name:  "psubscribing again confirms again without double delivery",
		subs:  1,
		steps: []step{sub(0, "psubscribe", "a*"), sub(0, "psubscribe", "a*"), pub("ab", "x", 1)},
		want:  [][]string{{"psubscribe a* 1", "psubscribe a* 1", "pmessage a* ab x"}},
		open:  []bool{true},
	},
	{
		name:  "unsubscribing from a channel never followed still confirms",
		subs:  1,
		steps: []step{sub(0, "subscribe", "a"), sub(0, "unsubscribe", "b"), pub("a", "x", 1)},
		want:  [][]string{{"subscribe a 1", "unsubscribe b 1", "message a x"}},
		open:  []bool{true},
	},
	{
		name:  "punsubscribing from a pattern never followed still confirms",
		subs:  1,
		steps: []step{sub(0, "psubscribe", "a*"), sub(0, "punsubscribe", "b*")},
		want:  [][]string{{"psubscribe a* 1", "punsubscribe b* 1"}},
		open:  []bool{true},
	},
	{
		name:  "unsubscribe with no arguments drops every channel, sorted, one confirmation each",
		subs:  1,
		steps: []step{sub(0, "subscribe", "c", "a", "b"), sub(0, "unsubscribe"), pub("a", "x", 0)},
		want: [][]string{{
			"subscribe c 1", "subscribe a 2", "subscribe b 3",
			"unsubscribe a 2", "unsubscribe b 1", "unsubscribe c 0",
		}},
		open: []bool{false},
	},
	{
		name:  "unsubscribe with no arguments, following no channel, answers once with the patterns held",
		subs:  1,
		steps: []step{sub(0, "psubscribe", "a*", "b*"), sub(0, "unsubscribe"), pub("ax", "x", 1)},
		want:  [][]string{{"psubscribe a* 1", "psubscribe b* 2", "unsubscribe  2", "pmessage a* ax x"}},
		open:  []bool{true},
	},
	{
		name:  "punsubscribe with no arguments drops every pattern",
		subs:  1,
		steps: []step{sub(0, "psubscribe", "b*", "a*"), sub(0, "subscribe", "c"), sub(0, "punsubscribe"), pub("ax", "x", 0)},
		want: [][]string{{
			"psubscribe b* 1", "psubscribe a* 2", "subscribe c 3",
			"punsubscribe a* 2", "punsubscribe b* 1",
		}},
		open: []bool{true},
	},
	{
		name:  "punsubscribe with no arguments, following no pattern, answers once with the channels held",
		subs:  1,
		steps: []step{sub(0, "subscribe", "a"), sub(0, "punsubscribe")},
		want:  [][]string{{"subscribe a 1", "punsubscribe  1"}},
		open:  []bool{true},
	},
	{
		name:  "a subscription with nothing that unsubscribes leaves pub/sub mode",
		subs:  1,
		steps: []step{sub(0, "unsubscribe")},
		want:  [][]string{{"unsubscribe  0"}},
		open:  []bool{false},
	},
	{
		name:  "the channel closes after all confirmations of the call that reaches zero",
		subs:  1,
		steps: []step{sub(0, "subscribe", "a"), sub(0, "unsubscribe", "a", "a", "b")},
		want:  [][]string{{"subscribe a 1", "unsubscribe a 0", "unsubscribe a 0", "unsubscribe b 0"}},
		open:  []bool{false},
	},
	{
		name:  "dropping channels while patterns remain keeps pub/sub mode",
		subs:  1,
		steps: []step{sub(0, "subscribe", "a"), sub(0, "psubscribe", "b*"), sub(0, "unsubscribe", "a"), pub("b1", "x", 1)},
		want:  [][]string{{"subscribe a 1", "psubscribe b* 2", "unsubscribe a 1", "pmessage b* b1 x"}},
		open:  []bool{true},
	},
	{
		name:  "a channel and two matching patterns give three deliveries, counted three times",
		subs:  1,
		steps: []step{sub(0, "subscribe", "news.tech"), sub(0, "psubscribe", "news.*", "n*"), pub("news.tech", "hi", 3)},
		want: [][]string{{
			"subscribe news.tech 1", "psubscribe news.* 2", "psubscribe n* 3",
			"message news.tech hi", "pmessage n* news.tech hi", "pmessage news.* news.tech hi",
		}},
		open: []bool{true},
	},
	{
		name:  "every follower is counted",
		subs:  3,
		steps: []step{sub(0, "subscribe", "a"), sub(1, "subscribe", "a"), sub(2, "psubscribe", "*"), pub("a", "x", 3), pub("b", "y", 1)},
		want: [][]string{
			{"subscribe a 1", "message a x"},
			{"subscribe a 1", "message a x"},
			{"psubscribe * 1", "pmessage * a x", "pmessage * b y"},
		},
		open: []bool{true, true, true},
	},
	{
		name:  "publishing to a channel nobody follows reaches nobody",
		subs:  1,
		steps: []step{sub(0, "subscribe", "a"), pub("b", "x", 0)},
		want:  [][]string{{"subscribe a 1"}},
		open:  []bool{true},
	},
	{
		name:  "messages keep publish order, interleaved with confirmations",
		subs:  1,
		steps: []step{sub(0, "subscribe", "a"), pub("a", "1", 1), sub(0, "subscribe", "b"), pub("b", "2", 1), pub("a", "3", 1), sub(0, "unsubscribe", "a"), pub("a", "4", 0), pub("b", "5", 1)},
		want: [][]string{{
			"subscribe a 1", "message a 1", "subscribe b 2", "message b 2", "message a 3",
			"unsubscribe a 1", "message b 5",
		}},
		open: []bool{true},
	},
	{
		name:  "a subscription receives nothing published before it followed",
		subs:  1,
		steps: []step{pub("a", "early", 0), sub(0, "subscribe", "a"), pub("a", "late", 1)},
		want:  [][]string{{"subscribe a 1", "message a late"}},
		open:  []bool{true},
	},
	{
		name:  "patterns match as Redis does: * does not match the empty channel name",
		subs:  1,
		steps: []step{sub(0, "psubscribe", "*"), pub("", "x", 0), pub("a", "y", 1)},
		want:  [][]string{{"psubscribe * 1", "pmessage * a y"}},
		open:  []bool{true},
	},
	{
		name:  "the empty channel name is a channel",
		subs:  1,
		steps: []step{sub(0, "subscribe", ""), pub("", "x", 1)},
		want:  [][]string{{"subscribe  1", "message  x"}},
		open:  []bool{true},
	},
	{
		name:  "a pattern without wildcards matches only itself",
		subs:  1,
		steps: []step{sub(0, "psubscribe", "news"), pub("news", "x", 1), pub("news2", "y", 0), pub("new", "z", 0)},
		want:  [][]string{{"psubscribe news 1", "pmessage news news x"}},
		open:  []bool{true},
	},
	{
		name:  "escaped wildcards are literal",
		subs:  1,
		steps: []step{sub(0, "psubscribe", `a\*`), pub("a*", "x", 1), pub("ab", "y", 0)},
		want:  [][]string{{`psubscribe a\* 1`, `pmessage a\* a* x`}},
		open:  []bool{true},
	},
	{
		name: "sets, ranges and ? in patterns",
		subs: 1,
		steps: []step{
			sub(0, "psubscribe", "h[ae]llo", "h?llo", "h[^e]llo", "h[a-b]llo"),
			pub("hello", "1", 2), pub("hallo", "2", 4), pub("hxllo", "3", 2), pub("hllo", "4", 0),
		},
		want: [][]string{{
			"psubscribe h[ae]llo 1", "psubscribe h?llo 2", "psubscribe h[^e]llo 3", "psubscribe h[a-b]llo 4",
			"pmessage h[ae]llo hello 1", "pmessage h?llo hello 1",
			"pmessage h[ae]llo hallo 2", "pmessage h?llo hallo 2", "pmessage h[^e]llo hallo 2", "pmessage h[a-b]llo hallo 2",
			"pmessage h?llo hxllo 3", "pmessage h[^e]llo hxllo 3",
		}},
		open: []bool{true},
	},
	{
		name:  "one subscription's unsubscribe does not affect another's",
		subs:  2,
		steps: []step{sub(0, "subscribe", "a"), sub(1, "subscribe", "a"), sub(0, "unsubscribe", "a"), pub("a", "x", 1)},
		want:  [][]string{{"subscribe a 1", "unsubscribe a 0"}, {"subscribe a 1", "message a x"}},
		open:  []bool{false, true},
	},
}

// TestBroker_Rules runs every rules case under every policy: with room in
// the buffers, the policy must not change what is delivered.
func TestBroker_Rules(t *testing.T) {
	for _, p := range allPolicies {
		for _, tc := range rulesCases {
			t.Run(fmt.Sprintf("%v/%s", p, tc.name), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx := context.Background()
					b := pubsub.New(nil)
					defer b.Close()
					subs := make([]*pubsub.Subscription, tc.subs)
					for i := range subs {
						var err error
						subs[i], err = b.NewSubscription(ctx, &pubsub.SubscriptionOptions{Policy: p, BufferSize: 64})
						require.NoError(t, err)
					}
					for i, st := range tc.steps {
						var err error
						switch st.op {
						case "publish":
							var n int
							n, err = b.Publish(ctx, st.args[0], st.args[1])
							assert.Equal(t, st.want, n, "step %d: receivers of %v", i, st.args)
						case "subscribe":
							err = subs[st.sub].Subscribe(ctx, st.args...)
						case "psubscribe":
							err = subs[st.sub].PSubscribe(ctx, st.args...)
						case "unsubscribe":
							err = subs[st.sub].Unsubscribe(ctx, st.args...)
						case "punsubscribe":
							err = subs[st.sub].PUnsubscribe(ctx, st.args...)
						default:
							t.Fatalf("unknown op %q", st.op)
						}
						require.NoError(t, err, "step %d", i)
					}
					for i, s := range subs {
						got, open := ready(s)
						assert.Equal(t, tc.want[i], got, "subscription %d", i)
						assert.Equal(t, tc.open[i], open, "subscription %d open", i)
						if !open {
							assert.NoError(t, s.Err(), "subscription %d", i)
						}
					}
				})
			})
		}
	}
}

// TestBroker_SubscribeThenPublishNeverMissed pins the go-redis#575 guarantee:
// once Subscribe returns, a publish from any goroutine reaches the
// subscription.
func TestBroker_SubscribeThenPublishNeverMissed(t *testing.T) {
	defer leakcheck.Check(t)()
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()
	for i := range 1000 {
		channel := fmt.Sprint("c", i)
		s, err := b.Subscribe(ctx, channel)
		require.NoError(t, err)
		published := make(chan int)
		go func() {
			n, _ := b.Publish(ctx, channel, "hello")
			published <- n
		}()
		require.Equal(t, 1, <-published, "iteration %d", i)
		assert.Equal(t, pubsub.KindSubscribe, recv(t, s).Kind)
		assert.Equal(t, pubsub.Message{Kind: pubsub.KindMessage, Channel: channel, Payload: "hello"}, recv(t, s))
		require.NoError(t, s.Close())
	}
}

func TestBroker_Close(t *testing.T) {
	defer leakcheck.Check(t)()
	ctx := context.Background()
	b := pubsub.New(nil)
	var subs []*pubsub.Subscription
	for _, p := range allPolicies {
		s, err := b.NewSubscription(ctx, &pubsub.SubscriptionOptions{Policy: p})
		require.NoError(t, err)
		require.NoError(t, s.Subscribe(ctx, "a"))
		subs = append(subs, s)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bound, err := b.PSubscribe(cctx, "*")
	require.NoError(t, err)
	subs = append(subs, bound)

	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "Close is idempotent")

	for i, s := range subs {
		for range s.Channel() { // what was queued, then the close
		}
		assert.ErrorIs(t, s.Err(), pubsub.ErrClosed, "subscription %d", i)
		assert.ErrorIs(t, s.Subscribe(ctx, "b"), pubsub.ErrClosed)
		assert.ErrorIs(t, s.Unsubscribe(ctx), pubsub.ErrClosed)
		assert.NoError(t, s.Close())
	}
	_, err = b.Publish(ctx, "a", "x")
	assert.ErrorIs(t, err, pubsub.ErrClosed)
	_, err = b.Subscribe(ctx, "a")
	assert.ErrorIs(t, err, pubsub.ErrClosed)
	_, err = b.PSubscribe(ctx, "a")
	assert.ErrorIs(t, err, pubsub.ErrClosed)
	_, err = b.NewSubscription(ctx, nil)
	assert.ErrorIs(t, err, pubsub.ErrClosed)
	_, err = b.KeyspaceNotifier("KEA")
	assert.ErrorIs(t, err, pubsub.ErrClosed)
	assert.Equal(t, 0, b.Stats().Subscriptions)
	assert.Empty(t, b.PubSubChannels("*"))
	assert.Equal(t, 0, b.PubSubNumPat())
}

// TestBroker_CloseConcurrent closes while publishers, subscribers and
// closers run.
func TestBroker_CloseConcurrent(t *testing.T) {
	defer leakcheck.Check(t)()
	ctx := context.Background()
	for range 20 {
		b := pubsub.New(&pubsub.Options{BufferSize: 4, Policy: pubsub.Block})
		done := make(chan struct{})
		for g := range 4 {
			go func() {
				defer func() { done <- struct{}{} }()
				for i := 0; ; i++ {
					if _, err := b.Publish(ctx, "a", "x"); err != nil {
						return
					}
					if g%2 == 0 {
						s, err := b.NewSubscription(ctx, &pubsub.SubscriptionOptions{Policy: allPolicies[i%4], BufferSize: 2})
						if err != nil {
							return
						}
						_ = s.Subscribe(ctx, "a")
					}
				}
			}()
		}
		go func() {
			defer func() { done <- struct{}{} }()
			_ = b.Close()
		}()
		require.NoError(t, b.Close())
		for range 5 {
			<-done
		}
	}
}

func TestSubscription_Close(t *testing.T) {
	defer leakcheck.Check(t)()
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()
	for _, p := range allPolicies {
		t.Run(p.String(), func(t *testing.T) {
			s, err := b.NewSubscription(ctx, &pubsub.SubscriptionOptions{Policy: p})
			require.NoError(t, err)
			require.NoError(t, s.Subscribe(ctx, "a", "b"))
			require.NoError(t, s.PSubscribe(ctx, "c*"))
			require.NoError(t, s.Close())
			require.NoError(t, s.Close(), "Close is idempotent")
			for range s.Channel() {
			}
			assert.NoError(t, s.Err())
			assert.ErrorIs(t, s.Subscribe(ctx, "a"), pubsub.ErrSubscriptionClosed)
			assert.ErrorIs(t, s.PSubscribe(ctx, "a"), pubsub.ErrSubscriptionClosed)
			assert.ErrorIs(t, s.Unsubscribe(ctx, "a"), pubsub.ErrSubscriptionClosed)
			assert.ErrorIs(t, s.PUnsubscribe(ctx), pubsub.ErrSubscriptionClosed)
			n, err := b.Publish(ctx, "a", "x")
			require.NoError(t, err)
			assert.Zero(t, n)
			assert.Equal(t, map[string]int{"a": 0, "b": 0}, b.PubSubNumSub("a", "b"))
			assert.Zero(t, b.PubSubNumPat())
		})
	}
	assert.Zero(t, b.Stats().Subscriptions)
}

// TestSubscription_EndedByUnsubscribing: a subscription that left pub/sub
// mode cannot be reused.
func TestSubscription_EndedByUnsubscribing(t *testing.T) {
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()
	s, err := b.Subscribe(ctx, "a")
	require.NoError(t, err)
	require.NoError(t, s.Unsubscribe(ctx, "a"))
	assert.Equal(t, "subscribe a 1", recv(t, s).String())
	assert.Equal(t, "unsubscribe a 0", recv(t, s).String())
	recvClosed(t, s)
	assert.NoError(t, s.Err())
	assert.ErrorIs(t, s.Subscribe(ctx, "a"), pubsub.ErrSubscriptionClosed)
	assert.Equal(t, 0, b.Stats().Subscriptions)
}

func TestSubscription_Context(t *testing.T) {
	for _, p := range allPolicies {
		t.Run(p.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := pubsub.New(nil)
				defer b.Close()
				cause := errors.New("done here")
				ctx, cancel := context.WithCancelCause(context.Background())
				s, err := b.NewSubscription(ctx, &pubsub.SubscriptionOptions{Policy: p})
				require.NoError(t, err)
				require.NoError(t, s.Subscribe(context.Background(), "a"))
				n, err := b.Publish(context.Background(), "a", "x")
				require.NoError(t, err)
				require.Equal(t, 1, n)

				cancel(cause)
				synctest.Wait()
				assert.ErrorIs(t, s.Err(), cause)
				assert.ErrorIs(t, s.Subscribe(context.Background(), "b"), pubsub.ErrSubscriptionClosed)
				n, err = b.Publish(context.Background(), "a", "y")
				require.NoError(t, err)
				assert.Zero(t, n, "the cancelled subscription is gone")
				assert.Zero(t, b.Stats().Subscriptions)
				for range s.Channel() {
				}
			})
		})
	}
}

func TestBroker_SubscribeWithDoneContext(t *testing.T) {
	defer leakcheck.Check(t)()
	b := pubsub.New(nil)
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := b.Subscribe(ctx, "a")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = b.NewSubscription(ctx, nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, b.Stats().Subscriptions)
}

// TestBroker_ContextWatchersJoined: subscriptions bound to contexts that
// are never cancelled leave nothing behind once closed.
func TestBroker_ContextWatchersJoined(t *testing.T) {
	defer leakcheck.Check(t)()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := pubsub.New(nil)
	for range 100 {
		_, err := b.Subscribe(ctx, "a")
		require.NoError(t, err)
	}
	s, err := b.Subscribe(ctx, "b")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, b.Close())
}

func TestBroker_Introspection(t *testing.T) {
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()
	s1, err := b.Subscribe(ctx, "news.sports", "news.tech", "weather", "")
	require.NoError(t, err)
	s2, err := b.Subscribe(ctx, "news.tech")
	require.NoError(t, err)
	_, err = b.PSubscribe(ctx, "news.*", "w*")
	require.NoError(t, err)
	_, err = b.PSubscribe(ctx, "news.*")
	require.NoError(t, err)

	assert.Equal(t, []string{"", "news.sports", "news.tech", "weather"}, b.PubSubChannels("*"))
	assert.Equal(t, []string{"news.sports", "news.tech"}, b.PubSubChannels("news.*"))
	assert.Equal(t, []string{"weather"}, b.PubSubChannels("w?ather"))
	assert.Equal(t, []string{""}, b.PubSubChannels(""))
	assert.Empty(t, b.PubSubChannels("nothing*"))
	assert.Equal(t, map[string]int{"news.tech": 2, "weather": 1, "none": 0, "": 1}, b.PubSubNumSub("news.tech", "weather", "none", ""))
	assert.Empty(t, b.PubSubNumSub())
	assert.Equal(t, 2, b.PubSubNumPat(), "distinct patterns, as Redis 7 counts")

	st := b.Stats()
	assert.Equal(t, 4, st.Channels)
	assert.Equal(t, 2, st.Patterns)
	assert.Equal(t, 4, st.Subscriptions)

	require.NoError(t, s1.Unsubscribe(ctx, "news.tech", "weather"))
	require.NoError(t, s2.Close())
	assert.Equal(t, []string{"", "news.sports"}, b.PubSubChannels("*"))
	assert.Equal(t, 2, b.Stats().Channels)
	assert.Equal(t, 3, b.Stats().Subscriptions)
}

func TestBroker_Stats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := pubsub.New(nil)
		defer b.Close()
		_, _ = b.Publish(ctx, "a", "nobody")
		s, err := b.Subscribe(ctx, "a")
		require.NoError(t, err)
		_, err = b.PSubscribe(ctx, "a*", "b*")
		require.NoError(t, err)
		for range 3 {
			_, _ = b.Publish(ctx, "a", "x") // 2 deliveries each
		}
		drop, err := b.NewSubscription(ctx, &pubsub.SubscriptionOptions{Policy: pubsub.DropNewest, BufferSize: 1})
		require.NoError(t, err)
		require.NoError(t, drop.Subscribe(ctx, "d"))
		for range 4 {
			_, _ = b.Publish(ctx, "d", "x") // 1 handed to the pump, 1 queued, 2 dropped
			synctest.Wait()
		}
		slow, err := b.NewSubscription(ctx, &pubsub.SubscriptionOptions{BufferSize: 1})
		require.NoError(t, err)
		require.NoError(t, slow.Subscribe(ctx, "e"))
		_, _ = b.Publish(ctx, "e", "x") // the confirmation fills the buffer: disconnected
		synctest.Wait()

		assert.Equal(t, pubsub.Stats{
			Channels:      2, // a, d
			Patterns:      2,
			Subscriptions: 3,
			Published:     9,
			Delivered:     8,
			Dropped:       2,
			Disconnected:  1,
		}, b.Stats())
		assert.Equal(t, uint64(2), drop.Dropped())
		assert.Zero(t, s.Dropped())
	})
}

func TestNew_Options(t *testing.T) {
	opts := &pubsub.Options{BufferSize: 3}
	b := pubsub.New(opts)
	defer b.Close()
	assert.Equal(t, pubsub.Options{BufferSize: 3}, *opts, "New must not modify the caller's options")

	ctx := context.Background()
	s, err := b.Subscribe(ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, 3+1, cap(s.Channel()), "BufferSize plus room for the creating call's confirmations")

	for _, bad := range []pubsub.Options{{BufferSize: -1}, {BlockTimeout: -1}, {Policy: pubsub.Block + 1}} {
		func() {
			defer func() {
				err, _ := recover().(error)
				assert.ErrorIs(t, err, pubsub.ErrInvalidOptions, "New(%+v) must panic", bad)
			}()
			pubsub.New(&bad)
		}()
	}
}

func TestBroker_NewSubscriptionOptions(t *testing.T) {
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()
	for _, bad := range []pubsub.SubscriptionOptions{{BufferSize: -1}, {BlockTimeout: -1}, {Policy: 9}} {
		_, err := b.NewSubscription(ctx, &bad)
		assert.ErrorIs(t, err, pubsub.ErrInvalidOptions, "%+v", bad)
	}
	s, err := b.NewSubscription(ctx, &pubsub.SubscriptionOptions{})
	require.NoError(t, err)
	assert.Equal(t, pubsub.DefaultBufferSize, cap(s.Channel()))
}

func TestKindAndPolicyStrings(t *testing.T) {
	assert.Equal(t, "subscribe", pubsub.KindSubscribe.String())
	assert.Equal(t, "unsubscribe", pubsub.KindUnsubscribe.String())
	assert.Equal(t, "psubscribe", pubsub.KindPSubscribe.String())
	assert.Equal(t, "punsubscribe", pubsub.KindPUnsubscribe.String())
	assert.Equal(t, "message", pubsub.KindMessage.String())
	assert.Equal(t, "pmessage", pubsub.KindPMessage.String())
	assert.Equal(t, "dropped", pubsub.KindDropped.String())
	assert.Equal(t, "Kind(0)", pubsub.Kind(0).String())
	assert.Equal(t, "Kind(0)", pubsub.Message{}.String())
	assert.Equal(t, "Disconnect", pubsub.Disconnect.String())
	assert.Equal(t, "DropNewest", pubsub.DropNewest.String())
	assert.Equal(t, "DropOldest", pubsub.DropOldest.String())
	assert.Equal(t, "Block", pubsub.Block.String())
	assert.Equal(t, "Policy(7)", pubsub.Policy(7).String())
}

// TestSubscription_NoNames: Subscribe-family calls without names follow
// nothing new; a subscription started without names waits, open, until it
// follows something or unsubscribes.
func TestSubscription_NoNames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		b := pubsub.New(nil)
		defer b.Close()
		s, err := b.Subscribe(ctx)
		require.NoError(t, err)
		require.NoError(t, s.Subscribe(ctx))
		require.NoError(t, s.PSubscribe(ctx))
		got, open := ready(s)
		assert.Empty(t, got)
		assert.True(t, open)
		assert.Equal(t, 1, b.Stats().Subscriptions)

		require.NoError(t, s.PUnsubscribe(ctx))
		got, open = ready(s)
		assert.Equal(t, []string{"punsubscribe  0"}, got)
		assert.False(t, open)
	})
}
