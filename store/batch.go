package store

// Batches. Ember offers two ways to run several commands as one atomic step:
//
//   - A Pipeline queues commands and runs them all at once with Exec, like
//     Redis's MULTI/EXEC: no other goroutine sees a state between two of its
//     commands, and each queued command has a typed result. As in Redis, a
//     command that fails (a WRONGTYPE, say) does not stop the others.
//   - Update runs a function while it holds the locks of the keys it names,
//     which covers what WATCH-based check-and-set is for in Redis without
//     retries: the function reads, decides and writes, and nobody writes
//     those keys in between. If it returns an error, its writes are undone.
//
// Both record their effects in the feed as one MULTI ... EXEC.

// Result is the result of a command queued in a [Pipeline], available once
// [Pipeline.Exec] has run.
type Result[T any] struct {
	val T
	err error
}

// Val returns the command's value (the zero value if it failed).
func (r *Result[T]) Val() T { return r.val }

// Err returns the command's error, [ErrDiscarded] before Exec has run it.
func (r *Result[T]) Err() error { return r.err }

// Result returns the command's value and error.
func (r *Result[T]) Result() (T, error) { return r.val, r.err }

// Pipeline queues commands to run atomically. Create one with
// [Store.Pipeline]; it is not safe for concurrent use.
type Pipeline struct {
	s    *Store
	keys []string
	ops  []func(*Tx) error
}

// Pipeline returns an empty pipeline on s.
func (s *Store) Pipeline() *Pipeline { return &Pipeline{s: s} }

// queue adds a command on keys whose result comes from f.
func queue[T any](p *Pipeline, f func(t *Tx) (T, error), keys ...string) *Result[T] {
	r := &Result[T]{err: ErrDiscarded}
	p.keys = append(p.keys, keys...)
	p.ops = append(p.ops, func(t *Tx) error { r.val, r.err = f(t); return r.err })
	return r
}

func queueValue(p *Pipeline, f func(t *Tx) (string, bool, error), keys ...string) *Result[Value] {
	return queue(p, func(t *Tx) (Value, error) {
		v, ok, err := f(t)
		return Value{v, ok}, err
	}, keys...)
}

func queueOK(p *Pipeline, f func(t *Tx) error, keys ...string) *Result[string] {
	return queue(p, func(t *Tx) (string, error) {
		if err := f(t); err != nil {
			return "", err
		}
		return "OK", nil
	}, keys...)
}

// Len returns the number of queued commands.
func (p *Pipeline) Len() int { return len(p.ops) }

// Discard drops the queued commands; their results keep [ErrDiscarded].
func (p *Pipeline) Discard() { p.keys, p.ops = nil, nil }

// Exec runs the queued commands in order as one atomic step and empties the
// pipeline. It returns the first command error, if any (every command still
// runs, as in Redis's EXEC); each result holds its own value and error.
// On a closed store nothing runs and Exec returns [ErrClosed].
func (p *Pipeline) Exec() error {
	ops, keys := p.ops, p.keys
	p.Discard()
	if len(ops) == 0 {
		return nil
	}
	var t Tx
	if err := p.s.beginKeys(&t, true, keys...); err != nil {
		return err
	}
	defer p.s.end(&t)
	var firstErr error
	for _, op := range ops {
		if err := op(&t); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	first := t.first()
	first.cmds += uint64(len(ops) - 1) // end counts one; held: see shard.cmds
	return firstErr
}

// Update calls fn with a transaction holding the locks of keys, which are
// the only keys fn may use ([ErrKeyNotLocked] otherwise). Other goroutines
// see all of fn's writes at once, when Update returns, or none of them: when
// fn returns an error (or panics) its writes are undone and Update returns
// that error. fn must not call the Store itself, which would deadlock on the
// locks it holds; it uses the Tx.
func (s *Store) Update(keys []string, fn func(tx *Tx) error) (err error) {
	var t Tx
	if err := s.beginKeys(&t, true, keys...); err != nil {
		return err
	}
	t.undo = make(map[string]saved)
	t.declared = make(map[string]struct{}, len(keys))
	for _, k := range keys {
		t.declared[k] = struct{}{}
	}
	defer s.end(&t)
	defer func() {
		if r := recover(); r != nil {
			t.rollback()
			panic(r)
		}
	}()
	if err = fn(&t); err != nil {
		t.rollback()
	}
	return err
}
