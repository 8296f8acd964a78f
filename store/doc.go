// Package store is Ember's keyspace: strings and hashes with Redis 7
// semantics, millisecond TTLs with exact expiry, atomic batches, and a
// mutation feed with consistent snapshots for replication.
//
// # Commands
//
// [Store] has one method per Redis command, named as the command in Go case
// (Get, Set, SetArgs for SET's options, HSet, Expire, Scan, ...); each method
// links to the command's page on redis.io, whose semantics it follows:
// return values, edge cases and error texts. Errors are sentinels such as
// [ErrWrongType] and [ErrNotInteger] carrying Redis's own message. A missing
// key is never an error: single results say so with an ok flag, as a map
// lookup does, and multiple results with [Value.OK]. Redis integer replies
// are int64.
//
// Keys and values are Go strings. The store keeps the strings it is given
// without copying them and hands out strings that share its memory; both are
// safe because Go strings are immutable.
//
// # Expiry
//
// A key past its deadline is never visible to any read. Each shard indexes
// its keys with a deadline by deadline (in queues, and a B-tree for the
// deadlines that come out of order), and a background sweeper removes them
// at their deadline (not by random sampling, as Redis does), in bounded
// batches; writes that meet an expired key remove it first.
//
// Time comes from time.Now (on amd64, between two readings of it a second
// apart, from the CPU's time-stamp counter, which is cheaper to read; see
// the README's design section). To test TTLs without sleeping, create the
// store inside a testing/synctest bubble: the bubble's clock drives both the
// deadlines and the sweeper, and time.Sleep advances it instantly (see the
// Example for Store.Expire). Outside a bubble, keys expire in real time.
//
// # Batches
//
// [Store.Pipeline] queues commands and runs them atomically, like MULTI/EXEC,
// with a typed [Result] per command. [Store.Update] runs a function holding
// the locks of the keys it names, for check-and-set, and undoes its writes if
// it returns an error.
//
// # Feed and snapshots
//
// [Store.Feed] starts the mutation feed: every successful write recorded as
// its absolute effect in Redis command form, in commit order, as RESP bytes
// with Redis replication offsets. [Store.Snapshot] copies the store while
// writes go on and returns the feed offset it is consistent with. Until the
// feed is started, writes pay nothing for it.
//
// # Concurrency
//
// A Store is safe for concurrent use. The keyspace is split into shards by a
// hash of the key, each with its own lock; a command locks the shards of its
// keys (in ascending order when there are several), so commands on different
// keys rarely wait for each other. [Store.Keys] and [Store.FlushAll] lock
// every shard. [Store.Get] of a string takes no lock at all: it reads the
// shard optimistically and checks that no write it could have seen half done
// came in between (looking again under the lock if one did), so readers
// never wait for each other and rarely for writers.
package store
