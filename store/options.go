package store

// Options configures a Store. The zero value, and a nil *Options, give a
// store with the defaults below.
type Options struct {
	// Notify, when not nil, is called after every write with the Redis
	// keyspace event it causes: class is 'g' (generic: del, expire,
	// rename_from, rename_to, persist, copy_to), '$' (string: set, incrby,
	// incrbyfloat, append, setrange), 'h' (hash: hset, hdel, hincrby,
	// hincrbyfloat) or 'x' (expired), and event is Redis's event name. It is
	// called outside the store's locks, in the writer's goroutine (the
	// sweeper's for expired keys), in commit order for a given key. A
	// pubsub.Broker's KeyspaceNotifier has this signature. Nil means no
	// notifications, at no cost.
	Notify func(class byte, event, key string)

	// FeedBacklog is the number of bytes of recent effects the mutation feed
	// keeps once it is started (see [Store.Feed]); readers that fall further
	// behind get [ErrFeedTruncated]. Zero means 16 MiB.
	FeedBacklog int

	// NoReadStats stops the reads that count themselves on every call
	// (Get, HGet, and the keys read by MGet, Exists and the other read
	// commands) from counting: Stats then reports no Hits or Misses, and
	// its Commands leaves out Get and HGet. Counting a Get or HGet is one
	// atomic add on a counter that every reader of its shard shares, the
	// only memory such a read writes: on two CPUs reading the same hot keys
	// it costs the 90/10 mix of GET and SET on Zipf keys about 6% of its
	// time (see the README), and more as CPUs are added. Writes are counted
	// either way. Redis always counts, and so does Ember by default.
	NoReadStats bool

	// shards overrides the shard count in tests (see export_test.go).
	shards int
	// noSweep starts no sweepers, in tests: a key past its deadline then
	// stays until a command reads it (lazy expiry), whatever the scheduler
	// does.
	noSweep bool
}

const defaultFeedBacklog = 16 << 20

// withDefaults returns a copy of o (which may be nil) with defaults applied.
func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.FeedBacklog <= 0 {
		c.FeedBacklog = defaultFeedBacklog
	}
	return c
}
