package store

import (
	"context"
	"errors"
	"strconv"
	"sync"

	"github.com/emberkv/ember/internal/resp"
)

// Feed is the store's mutation feed: every successful write, recorded as its
// absolute effect in Redis command form (RESP arrays of bulk strings), in
// commit order. It is the stream that replication serves and that a
// persistence layer can append to a file.
//
// Effects are absolute, so re-applying any suffix of the feed over a state
// that already contains part of it converges to the same state:
//
//	INCR k               → SET k <new> KEEPTTL
//	HINCRBY h f 1        → HSET h f <new>
//	EXPIRE k 10          → PEXPIREAT k <unix ms>
//	SET k v EX 10        → SET k v PXAT <unix ms>
//	a key expiring       → DEL k
//	RENAME a b           → MULTI, DEL a, DEL b, SET b <value> [PXAT <unix ms>], EXEC
//	a batch (Pipeline)   → MULTI … EXEC around its effects
//
// Positions in the feed are byte offsets counted as Redis counts replication
// offsets: the first byte written has offset 1, and [Feed.Offset] is the
// offset of the last byte written. The feed keeps the most recent
// [Options.FeedBacklog] bytes; a reader that falls further behind gets
// [ErrFeedTruncated].
//
// A Feed is safe for concurrent use.
type Feed struct {
	mu      sync.Mutex
	buf     []byte // ring: the byte with offset k is at buf[(k-1)%len(buf)]
	end     int64  // offset of the last byte written
	base    int64  // offset before the first byte written since the feed started
	changed chan struct{}
	waiting bool  // someone waits on changed: close and replace it on append
	waitMin int64 // while waiting: the lowest position a waiter waits past
	closed  bool
}

// Feed starts the store's mutation feed, if it has not started yet, and
// returns it. Until the first call, writes record nothing and pay nothing.
func (s *Store) Feed() (*Feed, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	if f := s.feed.Load(); f != nil {
		return f, nil
	}
	f := &Feed{buf: make([]byte, s.feedBacklog), changed: make(chan struct{})}
	if !s.feed.CompareAndSwap(nil, f) {
		return s.feed.Load(), nil
	}
	return f, nil
}

var (
	multiCmd = []byte("*1\r\n$5\r\nMULTI\r\n")
	execCmd  = []byte("*1\r\n$4\r\nEXEC\r\n")
)

// append writes the encoded effects b; with multi, wrapped in MULTI/EXEC.
// The caller holds the locks of the write that produced them.
func (f *Feed) append(b []byte, n int, multi bool) {
	if n == 0 {
		return
	}
	f.mu.Lock()
	if multi && n > 1 {
		f.putLocked(multiCmd)
		f.putLocked(b)
		f.putLocked(execCmd)
	} else {
		f.putLocked(b)
	}
	f.wakeLocked()
	f.mu.Unlock()
}

func (f *Feed) putLocked(p []byte) {
	size := int64(len(f.buf))
	if int64(len(p)) > size {
		f.end += int64(len(p)) - size
		p = p[int64(len(p))-size:]
	}
	for len(p) > 0 {
		i := int(f.end % size)
		n := copy(f.buf[i:], p)
		p = p[n:]
		f.end += int64(n)
	}
}

// wakeLocked wakes the waiters once the feed has gone past the position
// one of them waits for: a follower's WaitForOffset far ahead is not woken
// by every write.
func (f *Feed) wakeLocked() {
	if f.waiting && f.end > f.waitMin {
		f.wakeAllLocked()
	}
}

func (f *Feed) wakeAllLocked() {
	if f.waiting {
		close(f.changed)
		f.changed = make(chan struct{})
		f.waiting = false
	}
}

func (f *Feed) close() {
	f.mu.Lock()
	f.closed = true
	f.wakeAllLocked()
	f.mu.Unlock()
}

// Append records a command that is not a store write, such as a PUBLISH or a
// PING that replication carries in the same stream, and returns the feed's
// offset after it. Like every effect it must be safe to apply again.
func (f *Feed) Append(args ...string) int64 {
	b := resp.AppendCommand(nil, args...)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.putLocked(b)
	f.wakeLocked()
	return f.end
}

// AppendRaw appends bytes that are already RESP commands, such as a master's
// stream that a follower relays to its own followers, and returns the feed's
// offset after them. The caller keeps them in step with the store: a
// follower appends each command once it has applied it.
func (f *Feed) AppendRaw(p []byte) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.putLocked(p)
	f.wakeLocked()
	return f.end
}

// Reset drops every byte the feed holds and makes offset the offset of the
// last byte written, so that the next byte has offset+1: a follower does so
// after a full resync, to count offsets as its master does. Readers get
// [ErrFeedTruncated] for positions before it.
func (f *Feed) Reset(offset int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.base, f.end = offset, offset
	f.wakeAllLocked()
}

// Size returns the number of bytes the feed keeps ([Options.FeedBacklog]):
// Redis's repl_backlog_size.
func (f *Feed) Size() int { return len(f.buf) }

// Offset returns the offset of the last byte written to the feed.
func (f *Feed) Offset() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.end
}

// Backlog returns the offsets of the oldest and the newest byte the feed
// still holds; first > last when it holds none.
func (f *Feed) Backlog() (first, last int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.firstLocked(), f.end
}

func (f *Feed) firstLocked() int64 {
	return max(f.base, f.end-int64(len(f.buf))) + 1
}

// ReadAt copies into p the bytes that follow offset pos (the byte with offset
// pos+1 first) and returns how many it copied: 0 when nothing follows pos yet.
// It returns [ErrFeedTruncated] when the bytes after pos are no longer held.
func (f *Feed) ReadAt(p []byte, pos int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if pos+1 < f.firstLocked() || pos > f.end {
		return 0, ErrFeedTruncated
	}
	size := int64(len(f.buf))
	n := 0
	for n < len(p) && pos < f.end {
		i := pos % size
		m := copy(p[n:], f.buf[i:min(size, i+(f.end-pos))])
		n += m
		pos += int64(m)
	}
	return n, nil
}

// Wait blocks until the feed holds a byte after offset pos, ctx is done, or
// the store is closed ([ErrClosed]).
func (f *Feed) Wait(ctx context.Context, pos int64) error {
	for {
		f.mu.Lock()
		if f.end > pos {
			f.mu.Unlock()
			return nil
		}
		if f.closed {
			f.mu.Unlock()
			return ErrClosed
		}
		if !f.waiting || pos < f.waitMin {
			f.waitMin = pos
		}
		f.waiting = true
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Effect is one command read from the feed.
type Effect struct {
	// Args is the command and its arguments, e.g. ["SET", "k", "v", "PXAT", "1700000000000"].
	Args []string
	// Offset is the feed offset of the effect's last byte.
	Offset int64
}

// FeedReader decodes the feed into effects, from a position on. It is not
// safe for concurrent use.
type FeedReader struct {
	f   *Feed
	pos int64  // offset of the last byte consumed into buf
	buf []byte // undecoded bytes after the last effect returned
	off int64  // offset of the last byte of the last effect returned
}

// Reader returns a reader of the effects that follow offset pos, such as the
// offset returned by [Store.Snapshot] or [Feed.Offset].
func (f *Feed) Reader(pos int64) *FeedReader {
	return &FeedReader{f: f, pos: pos, off: pos}
}

var errFeedCorrupt = errors.New("store: corrupt feed")

// Next returns the next effect, waiting for one until ctx is done.
func (r *FeedReader) Next(ctx context.Context) (Effect, error) {
	for {
		if args, n, ok := decodeCommand(r.buf); ok {
			if args == nil {
				return Effect{}, errFeedCorrupt
			}
			r.buf = r.buf[n:]
			r.off += int64(n)
			return Effect{Args: args, Offset: r.off}, nil
		}
		if err := r.f.Wait(ctx, r.pos); err != nil {
			return Effect{}, err
		}
		var chunk [4096]byte
		n, err := r.f.ReadAt(chunk[:], r.pos)
		if err != nil {
			return Effect{}, err
		}
		r.buf = append(r.buf, chunk[:n]...)
		r.pos += int64(n)
	}
}

// Offset returns the feed offset of the last byte of the last effect returned.
func (r *FeedReader) Offset() int64 { return r.off }

// decodeCommand decodes one RESP array of bulk strings, as the feed writes
// them, from the front of b. ok is false when b holds no complete command;
// args is nil when b is not a command.
func decodeCommand(b []byte) (args []string, n int, ok bool) {
	line := func(i int) (int64, int, bool) { // parses "<c><int>\r\n" at i
		for j := i + 1; j+1 < len(b); j++ {
			if b[j] == '\r' {
				v, err := strconv.ParseInt(string(b[i+1:j]), 10, 64)
				if err != nil || v < 0 {
					return -1, j + 2, true
				}
				return v, j + 2, true
			}
		}
		return 0, 0, false
	}
	if len(b) == 0 {
		return nil, 0, false
	}
	if b[0] != '*' {
		return nil, 0, true
	}
	cnt, i, ok := line(0)
	if !ok {
		return nil, 0, false
	}
	if cnt < 0 {
		return nil, 0, true
	}
	args = make([]string, 0, cnt)
	for range cnt {
		if i >= len(b) {
			return nil, 0, false
		}
		if b[i] != '$' {
			return nil, 0, true
		}
		l, j, ok := line(i)
		if !ok {
			return nil, 0, false
		}
		if l < 0 {
			return nil, 0, true
		}
		if int64(len(b)-j) < l+2 {
			return nil, 0, false
		}
		args = append(args, string(b[j:j+int(l)]))
		i = j + int(l) + 2
	}
	return args, i, true
}
