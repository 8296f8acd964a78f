// Package ember is an embeddable, in-process key-value store with Redis
// semantics, for Go programs that would otherwise run a Redis server: as a
// cache inside a program, as a faithful Redis stand-in in tests, and (in
// progress) mirrored between processes over the Redis replication protocol.
//
// The work is done by its packages:
//
//   - [github.com/emberkv/ember/store]: the keyspace. [store.Store] holds
//     strings and hashes with one method per Redis command (Get, SetArgs,
//     IncrBy, HSet, Expire, Scan, ...), millisecond TTLs removed exactly at
//     their deadline, atomic pipelines, and a mutation feed of absolute
//     effects with consistent snapshots, which replication consumes.
//   - [github.com/emberkv/ember/pubsub]: a broker. [pubsub.Broker] delivers
//     Redis's subscribe/unsubscribe confirmations and messages, for channels
//     and glob patterns, on Go channels, with a bounded buffer and an
//     explicit policy for slow subscribers; it can publish the store's
//     keyspace notifications.
//
// A short tour:
//
//	s, _ := store.New(nil)
//	defer s.Close()
//	s.Set("greeting", "hello")
//	v, ok, _ := s.Get("greeting")                      // "hello", true
//	s.SetArgs("session", "u1", store.SetArgs{EX: 60}) // SET session u1 EX 60
//	s.HSet("profile:user:42", "name", "Alice")
//
//	b := pubsub.New(nil)
//	defer b.Close()
//	sub, _ := b.Subscribe(ctx, "news")
//	b.Publish(ctx, "news", "hi")
//	for m := range sub.Channel() { ... }
//
// Errors carry Redis's own text ("WRONGTYPE Operation against a key holding
// the wrong kind of value") and are sentinels for errors.Is. A missing key
// is never an error: it is reported with an ok flag.
package ember
