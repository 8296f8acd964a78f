package replication

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/emberkv/ember/store"
)

// Leader serves a store's mutation feed to followers over the Redis
// replication protocol: Ember Followers, and stock redis-server replicas or
// redis-cli --replica. Create one with [NewLeader], give it a listener with
// [Leader.Serve] or an address with [Leader.ListenAndServe], and stop it
// with [Leader.Close] or [Leader.Shutdown]. Its methods are safe for
// concurrent use.
type Leader struct {
	st  *store.Store
	srv *server
	cfg leaderConfig

	closeOnce sync.Once
}

// NewLeader returns a Leader of s. It starts the store's feed (see
// [store.Store.Feed]) and picks a new random replication ID, so that
// followers of a previous leader process, whose data this one may not have,
// resync in full instead of continuing a history it does not share. opts may
// be nil.
//
// The store must not be in replica mode, and must outlive the Leader.
func NewLeader(s *store.Store, opts *LeaderOptions) (*Leader, error) {
	cfg, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	if s.Replica() {
		return nil, errors.New("replication: NewLeader: the store is in replica mode (a Follower's?)")
	}
	srv, err := newServer(s, cfg, freshIDs(), nil)
	if err != nil {
		return nil, err
	}
	if b := cfg.Broker; b != nil {
		// Whatever publishes on the broker goes into the stream, in the
		// order its subscribers receive it, as Redis propagates PUBLISH.
		b.OnPublish(func(channel, message string) {
			srv.feed.Append("PUBLISH", channel, message)
		})
	}
	return &Leader{st: s, srv: srv, cfg: cfg}, nil
}

// Serve accepts follower connections on l until the Leader is closed, and
// then returns ErrClosed (or an error from l). With LeaderOptions.TLSConfig
// set, it speaks TLS over l. Serve may be called several times, with
// different listeners, concurrently.
func (l *Leader) Serve(ln net.Listener) error {
	return l.srv.serve(ln)
}

// ListenAndServe listens on the TCP address addr and serves followers there
// (see Serve). An empty addr means DefaultAddr, 127.0.0.1:6379; an address
// without a host, such as ":6380", listens on the loopback interface only,
// as Redis's default "bind 127.0.0.1" does. Give a host, such as
// "0.0.0.0:6380" or "10.0.0.5:6380", to listen elsewhere.
func (l *Leader) ListenAndServe(addr string) error {
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	return l.Serve(ln)
}

// listen opens a TCP listener, on loopback when addr names no host.
func listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("replication: listen on %q: %w", addr, err)
	}
	if host == "" {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("replication: %w", err)
	}
	return ln, nil
}

// Addr returns the address of one of the listeners the Leader serves on,
// or nil if it serves on none yet.
func (l *Leader) Addr() net.Addr { return l.srv.listenAddr() }

// ReplID returns the Leader's replication ID: 40 hex characters, new for
// every Leader (and for every promotion).
func (l *Leader) ReplID() string { return l.srv.ids().id }

// Offset returns the stream offset of the last write (master_repl_offset).
// A program that wants to read its own write on a follower takes the
// offset after the write and passes it to [Follower.WaitForOffset].
func (l *Leader) Offset() int64 { return l.srv.feed.Offset() }

// Info returns the Leader's replication status, as INFO replication shows
// it on a Redis master.
func (l *Leader) Info() Info { return l.srv.leaderInfo() }

// WaitForFollowers blocks until n followers have acknowledged every write
// made before the call, like Redis's WAIT, and returns the number that
// have. If ctx ends first, it returns that number and ctx's error. It asks
// followers for an acknowledgement at once (REPLCONF GETACK) rather than
// waiting for their periodic one. Followers attached with SYNC (redis-cli)
// never acknowledge and are not counted.
func (l *Leader) WaitForFollowers(ctx context.Context, n int) (int, error) {
	if l.closed() {
		return 0, ErrClosed
	}
	target := l.srv.feed.Offset()
	if got := l.srv.countAcked(target); got >= n {
		return got, nil
	}
	l.srv.feed.Append("REPLCONF", "GETACK", "*")
	return l.srv.waitAcks(ctx, n, target)
}

// Publish publishes message on channel to the LeaderOptions.Broker, if
// any, and puts the PUBLISH into the stream, so that each follower
// publishes it to its own broker, as Redis propagates PUBLISH to replicas.
// It returns the number of local deliveries (see pubsub.Broker.Publish).
// With a Broker, publishing on the broker directly does the same: the
// Leader hooks it (see pubsub.Broker.OnPublish) until it is closed.
func (l *Leader) Publish(ctx context.Context, channel, message string) (int, error) {
	if l.closed() {
		return 0, ErrClosed
	}
	b := l.cfg.Broker
	if b == nil {
		l.srv.feed.Append("PUBLISH", channel, message)
		return 0, nil
	}
	n, err := b.Publish(ctx, channel, message)
	if err != nil {
		return 0, fmt.Errorf("replication: publish: %w", err)
	}
	return n, nil
}

func (l *Leader) closed() bool {
	l.srv.mu.Lock()
	defer l.srv.mu.Unlock()
	return l.srv.mu.closed
}

// Close closes the listeners and every follower connection at once, and
// returns when every goroutine the Leader started has exited. Followers
// keep their data and reconnect to whatever listens at the address later.
// Close is idempotent; it does not close the store.
func (l *Leader) Close() error {
	l.closeOnce.Do(func() {
		if b := l.cfg.Broker; b != nil {
			b.OnPublish(nil)
		}
		l.srv.close()
	})
	return nil
}

// Shutdown stops the Leader gracefully: it closes the listeners, lets the
// followers receive the stream up to the current offset and waits for them
// to acknowledge it, then closes as Close does. If ctx ends first, Shutdown
// closes at once and returns ctx's error.
func (l *Leader) Shutdown(ctx context.Context) error {
	if l.closed() {
		return nil
	}
	l.srv.drain()
	target := l.srv.feed.Offset()
	var err error
	if l.srv.countAcked(target) < l.srv.ackers() {
		l.srv.feed.Append("REPLCONF", "GETACK", "*")
		err = l.srv.waitAllAcked(ctx, target)
	}
	l.Close()
	if errors.Is(err, ErrClosed) {
		err = nil
	}
	return err
}

// newPromotedLeader wraps the server of a promoted follower.
func newPromotedLeader(s *store.Store, srv *server) *Leader {
	return &Leader{st: s, srv: srv, cfg: srv.cfg}
}
