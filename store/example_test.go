package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/emberkv/ember/pubsub"
	"github.com/emberkv/ember/store"
)

func ExampleNew() {
	s, err := store.New(nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()

	_ = s.Set("greeting", "hello")
	v, ok, _ := s.Get("greeting")
	fmt.Println(v, ok)
	_, ok, _ = s.Get("nope")
	fmt.Println(ok)
	// Output:
	// hello true
	// false
}

// StringCache is the thin typed cache that many programs put in front of
// Redis: Fetch returns "" for a missing key, Save takes an optional TTL.
type StringCache struct{ s *store.Store }

// Fetch returns the cached value of key, or "" when there is none.
func (c StringCache) Fetch(key string) (string, error) {
	v, _, err := c.s.Get(key)
	return v, err
}

// Save caches val under key, for ttl if it is positive, else without expiry.
func (c StringCache) Save(key, val string, ttl time.Duration) error {
	if ttl <= 0 {
		return c.s.Set(key, val)
	}
	_, _, err := c.s.SetArgs(key, val, store.SetArgs{PX: ttl.Milliseconds()})
	return err
}

func Example_stringCache() {
	s, _ := store.New(nil)
	defer s.Close()
	cache := StringCache{s}

	_ = cache.Save("user:1:name", "Ada", 0)
	_ = cache.Save("session:xyz", "user:1", 30*time.Minute)
	name, _ := cache.Fetch("user:1:name")
	missing, _ := cache.Fetch("user:2:name")
	ttl, _ := s.TTL("session:xyz")
	fmt.Printf("%q %q %d\n", name, missing, ttl)
	// Output:
	// "Ada" "" 1800
}

func ExampleStore_HSet() {
	s, _ := store.New(nil)
	defer s.Close()

	added, _ := s.HSet("profile:user:42", "name", "Alice", "city", "Lisbon")
	name, _, _ := s.HGet("profile:user:42", "name")
	visits, _ := s.HIncrBy("profile:user:42", "visits", 1)
	fields, _ := s.HKeys("profile:user:42")
	fmt.Println(added, name, visits, fields)

	// A string command on a hash fails as it does in Redis.
	_, _, err := s.Get("profile:user:42")
	fmt.Println(errors.Is(err, store.ErrWrongType), err)
	// Output:
	// 2 Alice 1 [name city visits]
	// true WRONGTYPE Operation against a key holding the wrong kind of value
}

func ExampleStore_Pipeline() {
	s, _ := store.New(nil)
	defer s.Close()

	// MULTI; SET counter:page:home "0"; INCR counter:page:home; GET counter:page:home; EXEC
	p := s.Pipeline()
	set := p.Set("counter:page:home", "0")
	incr := p.Incr("counter:page:home")
	get := p.Get("counter:page:home")
	if err := p.Exec(); err != nil {
		panic(err)
	}
	fmt.Println(set.Val(), incr.Val(), get.Val().Val)
	// Output:
	// OK 1 1
}

func ExampleStore_Update() {
	s, _ := store.New(nil)
	defer s.Close()
	_ = s.Set("balance:alice", "100")
	_ = s.Set("balance:bob", "20")

	// Move 30 from alice to bob only if alice can afford it: nobody writes
	// either key in between, and an error undoes what was written.
	errShort := errors.New("insufficient funds")
	transfer := func(amount int64) error {
		return s.Update([]string{"balance:alice", "balance:bob"}, func(tx *store.Tx) error {
			left, err := tx.DecrBy("balance:alice", amount)
			if err != nil {
				return err
			}
			if left < 0 {
				return errShort
			}
			_, err = tx.IncrBy("balance:bob", amount)
			return err
		})
	}
	fmt.Println(transfer(30), transfer(500))
	a, _, _ := s.Get("balance:alice")
	b, _, _ := s.Get("balance:bob")
	fmt.Println(a, b)
	// Output:
	// <nil> insufficient funds
	// 70 50
}

func ExampleStore_Expire() {
	s, _ := store.New(nil)
	defer s.Close()

	_ = s.Set("otp", "123456")
	ok, _ := s.PExpire("otp", 20)
	fmt.Println(ok)
	// Tests can skip the wait: create the store inside a testing/synctest
	// bubble and time.Sleep advances its clock at once.
	time.Sleep(50 * time.Millisecond)
	_, found, _ := s.Get("otp")
	ttl, _ := s.TTL("otp")
	fmt.Println(found, ttl)
	// Output:
	// true
	// false -2
}

func ExampleStore_Scan() {
	s, _ := store.New(nil)
	defer s.Close()
	for _, k := range []string{"user:1", "user:2", "user:3", "order:1"} {
		_ = s.Set(k, "x")
	}

	var users []string
	cursor := uint64(0)
	for {
		keys, next, err := s.Scan(cursor, "user:*", 2, "")
		if err != nil {
			panic(err)
		}
		users = append(users, keys...)
		if cursor = next; cursor == 0 {
			break
		}
	}
	sort.Strings(users)
	fmt.Println(users)
	// Output:
	// [user:1 user:2 user:3]
}

// Keyspace notifications: a pubsub.Broker's KeyspaceNotifier is the store's
// Notify option. Neither package imports the other.
func ExampleOptions_notify() {
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()
	notify, _ := b.KeyspaceNotifier("KEA") // notify-keyspace-events KEA
	s, _ := store.New(&store.Options{Notify: notify})
	defer s.Close()

	sub, _ := b.Subscribe(ctx, "__keyevent@0__:set")
	<-sub.Channel() // the subscribe confirmation

	_ = s.Set("user:1", "Ada")
	m := <-sub.Channel()
	fmt.Println(m.Kind, m.Channel, m.Payload)
	// Output:
	// message __keyevent@0__:set user:1
}
