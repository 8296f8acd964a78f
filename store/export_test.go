package store

// NewWithShards is New with a fixed shard count, for tests.
func NewWithShards(opts *Options, n int) (*Store, error) {
	o := opts.withDefaults()
	o.shards = n
	return New(&o)
}
