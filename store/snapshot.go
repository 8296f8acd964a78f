package store

// Entry is one key of a snapshot.
type Entry struct {
	// Key is the key's name.
	Key string
	// Hash reports that the key holds a hash; otherwise it holds a string.
	Hash bool
	// Value is the string value (strings only).
	Value string
	// Fields holds field, value, field, value, ... (hashes only). It belongs
	// to the callee.
	Fields []string
	// ExpireAt is the key's deadline in unix ms, 0 when it has none. Keys
	// past their deadline but not yet removed are included, with it.
	ExpireAt int64
}

// Snapshot calls fn for every key of the store while writes go on, and
// returns the feed offset it is consistent with: the snapshot holds every
// effect up to that offset, and possibly some later ones, so that applying
// the feed from that offset on over the snapshot gives the store's state (the
// feed's effects are absolute, so applying one twice changes nothing). It
// starts the feed if it has not started.
//
// Shards are copied one at a time under their lock, and fn is called
// without any lock held; fn must not keep Entry.Fields beyond the call. If fn
// returns an error, Snapshot stops and returns it. The consumer must read the
// feed from the returned offset before the backlog moves past it.
func (s *Store) Snapshot(fn func(e Entry) error) (int64, error) {
	f, err := s.Feed()
	if err != nil {
		return 0, err
	}
	pos := f.Offset()
	var batch []Entry
	var fields []string
	for i := range s.shards {
		sh := &s.shards[i]
		batch, fields = batch[:0], fields[:0]
		sh.mu.Lock()
		sh.tab.all(func(k string, v value) bool {
			e := Entry{Key: k, ExpireAt: v.deadline()}
			if v.isHash() {
				e.Hash = true
				start := len(fields)
				fields = v.hash().appendPairs(fields)
				e.Fields = fields[start:len(fields):len(fields)]
			} else {
				e.Value = v.str()
			}
			batch = append(batch, e)
			return true
		})
		sh.mu.Unlock()
		for _, e := range batch {
			if err := fn(e); err != nil {
				return 0, err
			}
		}
		if s.closed.Load() {
			return 0, ErrClosed
		}
	}
	return pos, nil
}
