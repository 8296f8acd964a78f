package pubsub_test

import (
	"context"
	"fmt"

	"github.com/emberkv/ember/pubsub"
)

// The classic flow from Redis's documentation: SUBSCRIBE to two channels,
// PUBLISH to one, then UNSUBSCRIBE from one and from the rest.
func Example() {
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()

	sub, err := b.Subscribe(ctx, "news.sports", "news.tech")
	if err != nil {
		panic(err)
	}
	fmt.Println(<-sub.Channel())
	fmt.Println(<-sub.Channel())

	n, _ := b.Publish(ctx, "news.sports", "Match started")
	fmt.Println("receivers:", n)
	fmt.Println(<-sub.Channel())

	_ = sub.Unsubscribe(ctx, "news.sports")
	fmt.Println(<-sub.Channel())
	_ = sub.Unsubscribe(ctx) // the rest: the count reaches 0 and the channel closes
	for m := range sub.Channel() {
		fmt.Println(m)
	}
	fmt.Println("closed, err:", sub.Err())

	// Output:
	// subscribe news.sports 1
	// subscribe news.tech 2
	// receivers: 1
	// message news.sports Match started
	// unsubscribe news.sports 1
	// unsubscribe news.tech 0
	// closed, err: <nil>
}

// A pattern subscription receives pmessages that name the pattern and the
// channel. A subscription that follows a channel and two patterns matching
// it receives the message three times.
func ExampleBroker_PSubscribe() {
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()

	sub, _ := b.PSubscribe(ctx, "news.*", "n*")
	_ = sub.Subscribe(ctx, "news.tech")
	n, _ := b.Publish(ctx, "news.tech", "Go 1.26 released")
	fmt.Println("receivers:", n)
	for range n + 3 { // three confirmations, then the deliveries
		m := <-sub.Channel()
		fmt.Printf("%-10v channel=%q pattern=%q payload=%q count=%d\n", m.Kind, m.Channel, m.Pattern, m.Payload, m.Count)
	}

	// Output:
	// receivers: 3
	// psubscribe channel="" pattern="news.*" payload="" count=1
	// psubscribe channel="" pattern="n*" payload="" count=2
	// subscribe  channel="news.tech" pattern="" payload="" count=3
	// message    channel="news.tech" pattern="" payload="Go 1.26 released" count=0
	// pmessage   channel="news.tech" pattern="n*" payload="Go 1.26 released" count=0
	// pmessage   channel="news.tech" pattern="news.*" payload="Go 1.26 released" count=0
}

// Under DropOldest a subscriber that falls behind loses the oldest messages
// not yet in its channel, sees where and how many, and always gets the most
// recent ones.
func ExampleBroker_NewSubscription() {
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()

	sub, _ := b.NewSubscription(ctx, &pubsub.SubscriptionOptions{BufferSize: 2, Policy: pubsub.DropOldest})
	_ = sub.Subscribe(ctx, "ticks")
	for i := range 100 {
		_, _ = b.Publish(ctx, "ticks", fmt.Sprint(i))
	}
	_ = sub.Unsubscribe(ctx)

	var received []string
	dropped := 0
	for m := range sub.Channel() {
		switch m.Kind {
		case pubsub.KindMessage:
			received = append(received, m.Payload)
		case pubsub.KindDropped:
			dropped += m.Count
		default:
			fmt.Println(m)
		}
	}
	fmt.Println("received + dropped:", len(received)+dropped)
	fmt.Println("last two:", received[len(received)-2:])
	fmt.Println("all counted:", uint64(dropped) == sub.Dropped())

	// Output:
	// subscribe ticks 1
	// unsubscribe ticks 0
	// received + dropped: 100
	// last two: [98 99]
	// all counted: true
}

// KeyspaceNotifier returns the function to pass as the store's Notify option
// (store.New(&store.Options{Notify: notify})). Here a write is simulated by
// calling it as the store would.
func ExampleBroker_KeyspaceNotifier() {
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()

	notify, err := b.KeyspaceNotifier("KEA")
	if err != nil {
		panic(err)
	}
	sub, _ := b.PSubscribe(ctx, "__key*__:*")
	<-sub.Channel() // the confirmation

	notify('$', "set", "user:1") // what the store calls after SET user:1 ...
	fmt.Println(<-sub.Channel())
	fmt.Println(<-sub.Channel())

	// Output:
	// pmessage __key*__:* __keyspace@0__:user:1 set
	// pmessage __key*__:* __keyevent@0__:set user:1
}

// OnPublish sees every message published, with subscribers or not: a
// replication leader uses it to put PUBLISH into its stream.
func ExampleBroker_OnPublish() {
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()
	b.OnPublish(func(channel, payload string) {
		fmt.Printf("PUBLISH %s %q\n", channel, payload)
	})
	n, _ := b.Publish(ctx, "alerts", "disk full")
	fmt.Println("local receivers:", n)

	// Output:
	// PUBLISH alerts "disk full"
	// local receivers: 0
}
