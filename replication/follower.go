package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emberkv/ember/store"
)

// Follower mirrors a leader's store into its own, as a Redis replica does
// (REPLICAOF): it connects, loads the leader's snapshot, applies the
// stream, and reconnects with a partial resync when the link breaks. Its
// store is read-only to the program meanwhile, and keeps serving reads
// while the link is down. Create one with [NewFollower], run it with
// [Follower.Run] or [Follower.Start], stop it with [Follower.Close]. Its
// methods are safe for concurrent use.
//
// A Follower can serve followers of its own ([Follower.Serve]): they get the
// leader's stream byte for byte, with the same replication ID and offsets.
type Follower struct {
	st   *store.Store
	feed *store.Feed
	cfg  followerConfig
	log  *slog.Logger
	srv  *server // serves this follower's followers; becomes the Leader's at Promote

	// applyMu is held while a run of stream commands is applied and
	// relayed to the feed, and by the snapshots taken for this follower's
	// followers, so that a snapshot matches the feed's offset exactly.
	applyMu sync.Mutex

	ctx    context.Context // ends at Close and Promote
	cancel context.CancelFunc
	wg     sync.WaitGroup // Run (and Start's goroutine), and each link's acker

	wake    chan struct{} // SetLeaderAddr: reconnect now (capacity 1)
	addrGen atomic.Uint64 // bumped by SetLeaderAddr; a link of an older one applies nothing more
	lastIO  atomic.Int64  // unix ns of the last bytes from the leader
	readOff atomic.Int64  // offset of the stream bytes read (slave_read_repl_offset)

	mu struct {
		sync.Mutex
		addr      string
		running   bool // Run is running
		closed    bool
		promoting bool
		leader    *Leader // after Promote
		synced    bool    // holds a leader's history that PSYNC can continue
		legacy    bool    // synced with SYNC: the leader wants no ACKs
		db        int     // the database the leader's stream is in
		linkUp    bool
		syncing   bool
		everUp    bool
		downSince time.Time
		kick      context.CancelFunc // ends the current link
		kicked    bool               // the link was ended on purpose: reconnect at once
	}
}

// NewFollower returns a Follower that mirrors the leader at addr ("host:port")
// into s. It puts s in replica mode (see [store.Store.SetReplica]): from now
// on the program's writes to s fail with store.ErrReadOnly, and s takes its
// keys from the leader only, replacing what it held at the first full
// resync. opts may be nil. Nothing happens on the network until Run or
// Start.
func NewFollower(s *store.Store, addr string, opts *FollowerOptions) (*Follower, error) {
	cfg, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("replication: leader address %q: %w", addr, err)
	}
	if err := s.SetReplica(true); err != nil {
		return nil, fmt.Errorf("replication: replica mode: %w", err)
	}
	f := &Follower{st: s, cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1)}
	f.srv, err = newServer(s, cfg.serve, freshIDs(), f)
	if err != nil {
		return nil, err
	}
	f.feed = f.srv.feed
	f.ctx, f.cancel = context.WithCancel(context.Background())
	f.mu.addr = addr
	return f, nil
}

// Run replicates until ctx ends or the Follower is closed or promoted: it
// connects, syncs, applies the stream, and after any failure waits (with
// backoff) and reconnects, resuming with a partial resync when the leader
// still has the missing bytes. It returns ctx's error, ErrClosed or
// ErrPromoted. Only one Run may be active at a time.
func (f *Follower) Run(ctx context.Context) error {
	f.mu.Lock()
	switch {
	case f.mu.closed:
		f.mu.Unlock()
		return ErrClosed
	case f.mu.promoting:
		f.mu.Unlock()
		return ErrPromoted
	case f.mu.running:
		f.mu.Unlock()
		return errors.New("replication: Follower.Run is already running")
	}
	f.mu.running = true
	f.wg.Add(1)
	f.mu.Unlock()
	defer f.wg.Done()
	defer func() {
		f.mu.Lock()
		f.mu.running = false
		f.mu.Unlock()
	}()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(f.ctx, cancel)()

	backoff := f.cfg.MinBackoff
	for {
		synced, err := f.session(ctx)
		if ctx.Err() != nil {
			f.linkDown(nil)
			return f.stopReason(ctx)
		}
		f.linkDown(err)
		if errors.Is(err, store.ErrClosed) {
			return fmt.Errorf("replication: follower's store closed: %w", err)
		}
		f.mu.Lock()
		kicked := f.mu.kicked
		f.mu.kicked = false
		f.mu.Unlock()
		if synced || kicked {
			backoff = f.cfg.MinBackoff
		}
		if kicked {
			continue
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		f.log.Info("replication: link down, reconnecting", "leader", f.addr(), "err", err, "in", wait)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-f.wake:
			t.Stop()
			backoff = f.cfg.MinBackoff
			continue
		case <-ctx.Done():
			t.Stop()
			return f.stopReason(ctx)
		}
		backoff = min(2*backoff, f.cfg.MaxBackoff)
	}
}

// stopReason tells why Run stops.
func (f *Follower) stopReason(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.mu.promoting:
		return ErrPromoted
	case f.mu.closed:
		return ErrClosed
	}
	return ctx.Err()
}

// Start runs the Follower in a goroutine of its own (see Run) until Close
// or Promote.
func (f *Follower) Start() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.mu.closed:
		return ErrClosed
	case f.mu.promoting:
		return ErrPromoted
	case f.mu.running:
		return errors.New("replication: Follower is already running")
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		if err := f.Run(f.ctx); err != nil && !errors.Is(err, ErrClosed) && !errors.Is(err, ErrPromoted) && !errors.Is(err, context.Canceled) {
			f.log.Error("replication: follower stopped", "err", err)
		}
	}()
	return nil
}

// Close stops replicating and serving, closes the link and the follower's
// followers, and returns when every goroutine the Follower started has
// exited (Run returns ErrClosed). The store stays in replica mode with the
// data it has. Close is idempotent. After Promote, Close leaves the Leader
// running.
func (f *Follower) Close() error {
	f.mu.Lock()
	if f.mu.closed {
		f.mu.Unlock()
		return nil
	}
	f.mu.closed = true
	promoted := f.mu.leader != nil || f.mu.promoting
	f.mu.Unlock()
	f.cancel()
	f.wg.Wait()
	if !promoted {
		f.srv.close()
	}
	return nil
}

// Serve accepts followers of this follower on l (cascading replication, as
// Redis's sub-replicas): they receive the leader's stream byte for byte,
// with the same replication ID and offsets, and are dropped, to resync,
// whenever this follower full-resyncs. While the link to the leader is down
// they are refused (NOMASTERLINK), as Redis does. Settings come from
// FollowerOptions.Serve. Serve returns ErrClosed after Close; after
// Promote it goes on serving for the Leader.
func (f *Follower) Serve(l net.Listener) error { return f.srv.serve(l) }

// ListenAndServe listens on addr and serves followers there (see Serve and
// [Leader.ListenAndServe] for the address).
func (f *Follower) ListenAndServe(addr string) error {
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	return f.Serve(ln)
}

// SetLeaderAddr makes the Follower follow the leader at addr from now on,
// as REPLICAOF with a new address does: the current link is closed and the
// Follower reconnects at once, asking to continue its history (a promoted
// follower of the same leader grants that). Nothing the old leader sends
// after SetLeaderAddr returns is applied; a command being applied as it is
// called may still complete.
func (f *Follower) SetLeaderAddr(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("replication: leader address %q: %w", addr, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mu.addr = addr
	f.addrGen.Add(1)
	if f.mu.kick != nil {
		f.mu.kicked = true
		f.mu.kick()
	}
	select {
	case f.wake <- struct{}{}:
	default:
	}
	return nil
}

func (f *Follower) addr() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mu.addr
}

// Offset returns the offset of the stream applied so far
// (slave_repl_offset): the store holds every write of the leader up to it.
func (f *Follower) Offset() int64 { return f.feed.Offset() }

// ReplID returns the replication ID of the history the Follower holds: its
// leader's, once synced.
func (f *Follower) ReplID() string { return f.srv.ids().id }

// LinkUp reports whether the stream from the leader is flowing.
func (f *Follower) LinkUp() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.mu.linkUp
}

// WaitForOffset blocks until the Follower has applied the leader's stream up
// to offset, such as the [Leader.Offset] the leader had after a write, so
// that a read on the follower sees that write (read-your-writes across
// processes). It returns ctx's error if ctx ends first, and ErrClosed if
// the Follower is closed. Offsets count within one history: after the
// follower full-resyncs to a new leader they are not comparable.
func (f *Follower) WaitForOffset(ctx context.Context, offset int64) error {
	if f.feed.Offset() >= offset {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(f.ctx, cancel)()
	if err := f.feed.Wait(ctx, offset-1); err != nil {
		if f.ctx.Err() != nil {
			return f.stopReason(ctx)
		}
		if errors.Is(err, store.ErrClosed) {
			return fmt.Errorf("replication: %w", err)
		}
		return err
	}
	return nil
}

// Info returns the Follower's replication status, as INFO replication shows
// it on a Redis replica (or, after Promote, the Leader's).
func (f *Follower) Info() Info {
	f.mu.Lock()
	l := f.mu.leader
	f.mu.Unlock()
	if l != nil {
		return l.Info()
	}
	return f.info()
}

func (f *Follower) info() Info {
	f.mu.Lock()
	in := Info{
		Role:           "slave",
		LinkUp:         f.mu.linkUp,
		SyncInProgress: f.mu.syncing,
		ReadOnly:       true,
		LastIO:         -1,
		LinkDownSince:  -1,
	}
	host, port, _ := net.SplitHostPort(f.mu.addr)
	in.LeaderHost = host
	in.LeaderPort, _ = strconv.Atoi(port)
	if in.LinkUp {
		in.LastIO = time.Since(time.Unix(0, f.lastIO.Load()))
		in.LinkDownSince = 0
	} else if f.mu.everUp {
		in.LinkDownSince = time.Since(f.mu.downSince)
	}
	f.mu.Unlock()
	in.Followers = f.srv.followers()
	f.srv.fillStream(&in)
	in.ReadOffset = in.Offset
	if in.LinkUp {
		in.ReadOffset = max(in.Offset, f.readOff.Load())
	}
	return in
}

// Promote turns the Follower into a leader, as REPLICAOF NO ONE does: it
// stops following, makes its store writable, and starts a new replication
// history, keeping the old one as secondary (replid2, second_repl_offset)
// so that its own followers and the old leader's other followers, pointed
// at it with SetLeaderAddr, continue with a partial resync. It returns the
// Leader, which owns the listeners and followers from now on; Run returns
// ErrPromoted. Calling it again returns the same Leader. It must not be
// called from an OnEvent callback.
func (f *Follower) Promote() (*Leader, error) {
	f.mu.Lock()
	switch {
	case f.mu.leader != nil:
		l := f.mu.leader
		f.mu.Unlock()
		return l, nil
	case f.mu.closed || f.mu.promoting:
		f.mu.Unlock()
		return nil, ErrClosed
	}
	f.mu.promoting = true
	f.mu.Unlock()
	f.cancel()
	f.wg.Wait() // Run and the link are over

	f.applyMu.Lock()
	offset := f.feed.Offset()
	ids := f.srv.ids().shift(offset)
	err := f.st.SetReplica(false)
	if err == nil {
		f.srv.promote(ids)
	}
	f.applyMu.Unlock()
	if err != nil {
		f.srv.close()
		return nil, fmt.Errorf("replication: promote: %w", err)
	}
	l := newPromotedLeader(f.st, f.srv)
	f.mu.Lock()
	f.mu.leader = l
	f.mu.linkUp = false
	f.mu.Unlock()
	f.log.Info("replication: promoted to leader", "replid", ids.id, "replid2", ids.id2, "second_repl_offset", ids.second)
	f.emit(Event{Kind: EventReplIDChanged, ReplID: ids.id, Offset: offset})
	return l, nil
}

// The upstream interface, for the server of this follower's followers.

func (f *Follower) refuseSync() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.mu.linkUp {
		return errNoMaster
	}
	return ""
}

func (f *Follower) pause() func() {
	f.applyMu.Lock()
	return f.applyMu.Unlock
}

func (f *Follower) linkDown(err error) {
	f.mu.Lock()
	was := f.mu.linkUp
	f.mu.linkUp = false
	f.mu.syncing = false
	if was {
		f.mu.downSince = time.Now()
	}
	addr := f.mu.addr
	f.mu.Unlock()
	switch {
	case was:
		f.log.Warn("replication: link down", "leader", addr, "err", err)
		f.emit(Event{Kind: EventLinkDown, Addr: addr, ReplID: f.ReplID(), Offset: f.Offset(), Err: err})
	case err != nil:
		f.log.Warn("replication: sync failed", "leader", addr, "err", err)
		f.emit(Event{Kind: EventSyncFailed, Addr: addr, ReplID: f.ReplID(), Offset: f.Offset(), Err: err})
	}
}

func (f *Follower) emit(e Event) {
	if f.cfg.OnEvent != nil {
		if e.Time.IsZero() {
			e.Time = time.Now()
		}
		f.cfg.OnEvent(e)
	}
}
