package replication_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/leakcheck"
	"github.com/emberkv/ember/replication"
	"github.com/emberkv/ember/store"
)

// startFollower starts a Follower of addr into s; it is closed at the end
// of the test. Backoffs are short so that reconnections are quick.
func startFollower(t testing.TB, s *store.Store, addr string, opts *replication.FollowerOptions) *replication.Follower {
	t.Helper()
	var o replication.FollowerOptions
	if opts != nil {
		o = *opts
	}
	if o.MinBackoff == 0 {
		o.MinBackoff, o.MaxBackoff = 5*time.Millisecond, 50*time.Millisecond
	}
	f, err := replication.NewFollower(s, addr, &o)
	require.NoError(t, err)
	require.NoError(t, f.Start())
	cleanup(t, func() { require.NoError(t, f.Close()) })
	return f
}

// waitSynced waits until f has applied everything l has written.
func waitSynced(t testing.TB, f *replication.Follower, l *replication.Leader) {
	t.Helper()
	eventually(t, 20*time.Second, func() bool {
		return f.LinkUp() && f.Offset() == l.Offset()
	}, "follower at %d (up %v), leader at %d", f.Offset(), f.LinkUp(), l.Offset())
}

// cutter dials the leader for a Follower, and cuts the link on demand.
type cutter struct {
	mu    sync.Mutex
	conns []net.Conn
	down  bool
	dials int
}

func (c *cutter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return nil, errors.New("link held down by the test")
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err == nil {
		c.conns = append(c.conns, conn)
		c.dials++
	}
	return conn, err
}

// cut closes the follower's connections; with down, it refuses new ones
// until up is called.
func (c *cutter) cut(down bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = down
	for _, conn := range c.conns {
		conn.Close()
	}
	c.conns = nil
}

func (c *cutter) up() {
	c.mu.Lock()
	c.down = false
	c.mu.Unlock()
}

func TestFollower_FullSync(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	workload(t, ls, rand.New(rand.NewPCG(5, 6)), 3000, 400)
	lev, fev := newEvents(), newEvents()
	l, addr := startLeader(t, ls, &replication.LeaderOptions{OnEvent: lev.add})

	fs := newStore(t, nil)
	require.NoError(t, fs.Set("stale", "replaced by the snapshot"))
	f := startFollower(t, fs, addr, &replication.FollowerOptions{OnEvent: fev.add})
	workload(t, ls, rand.New(rand.NewPCG(7, 8)), 3000, 400)
	time.Sleep(400 * time.Millisecond) // the short TTLs have passed
	waitSynced(t, f, l)

	requireSameState(t, storeState(t, ls), storeState(t, fs))
	assert.Equal(t, l.ReplID(), f.ReplID())
	assert.Equal(t, 1, fev.count(replication.EventFullSync), fev.String())
	assert.Equal(t, 1, fev.count(replication.EventLinkUp), fev.String())
	assert.Equal(t, 0, fev.count(replication.EventPartialSync), fev.String())
	assert.Equal(t, 1, lev.count(replication.EventFullSyncServed), lev.String())

	in := f.Info()
	assert.Equal(t, "slave", in.Role)
	assert.True(t, in.LinkUp)
	assert.Equal(t, l.Offset(), in.Offset)
	assert.Equal(t, l.ReplID(), in.ReplID)
	assert.Contains(t, in.String(), "master_link_status:up\r\n")
	li := l.Info()
	assert.Equal(t, "master", li.Role)
	require.Len(t, li.Followers, 1)
	eventually(t, 5*time.Second, func() bool { return l.Info().Followers[0].Offset == l.Offset() }, "ACK")
}

// TestFollower_Pipe runs the link over net.Pipe, through the Dial option
// and a listener of pipes.
func TestFollower_Pipe(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	require.NoError(t, ls.Set("a", "1"))
	l, err := replication.NewLeader(ls, nil)
	require.NoError(t, err)
	pl := newPipeListener()
	served := make(chan error, 1)
	go func() { served <- l.Serve(pl) }()
	t.Cleanup(func() {
		l.Close()
		require.ErrorIs(t, <-served, replication.ErrClosed)
	})
	fs := newStore(t, nil)
	f := startFollower(t, fs, "leader:6379", &replication.FollowerOptions{Dial: pl.dial})
	_, err = ls.HSet("h", "f", "v")
	require.NoError(t, err)
	waitSynced(t, f, l)
	requireSameState(t, storeState(t, ls), storeState(t, fs))
}

// pipeListener is a net.Listener whose connections are net.Pipes made by
// its dial method.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (p *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	c, s := net.Pipe()
	select {
	case p.conns <- s:
		return c, nil
	case <-p.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.done:
		return nil, net.ErrClosed
	}
}

func (p *pipeListener) Close() error {
	p.once.Do(func() { close(p.done) })
	return nil
}

func (p *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }

// TestFollower_PartialResync: after a cut link the follower continues from
// the leader's backlog, without a snapshot.
func TestFollower_PartialResync(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	lev, fev := newEvents(), newEvents()
	l, addr := startLeader(t, ls, &replication.LeaderOptions{OnEvent: lev.add})
	workload(t, ls, rand.New(rand.NewPCG(9, 10)), 1000, 200)
	fs := newStore(t, nil)
	c := &cutter{}
	f := startFollower(t, fs, addr, &replication.FollowerOptions{Dial: c.dial, OnEvent: fev.add})
	waitSynced(t, f, l)

	for i := range 3 {
		c.cut(true)
		eventually(t, 5*time.Second, func() bool { return !f.LinkUp() }, "link down")
		workload(t, ls, rand.New(rand.NewPCG(11, uint64(i))), 500, 200)
		v, ok, err := fs.Get("k1")
		_, _, _ = v, ok, err // reads go on while the link is down
		assert.False(t, f.Info().LinkUp)
		assert.Contains(t, f.Info().String(), "master_link_status:down\r\n")
		c.up()
		waitSynced(t, f, l)
	}
	time.Sleep(400 * time.Millisecond)
	waitSynced(t, f, l)
	requireSameState(t, storeState(t, ls), storeState(t, fs))
	assert.Equal(t, 1, fev.count(replication.EventFullSync), fev.String())
	assert.Equal(t, 3, fev.count(replication.EventPartialSync), fev.String())
	assert.Equal(t, 3, fev.count(replication.EventLinkDown), fev.String())
	assert.Equal(t, 3, lev.count(replication.EventPartialSyncServed), lev.String())
}

// TestFollower_BacklogOverrun: when the leader's backlog no longer holds
// what the follower missed, it resyncs in full.
func TestFollower_BacklogOverrun(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, &store.Options{FeedBacklog: 16 << 10})
	fev := newEvents()
	l, addr := startLeader(t, ls, nil)
	fs := newStore(t, nil)
	c := &cutter{}
	f := startFollower(t, fs, addr, &replication.FollowerOptions{Dial: c.dial, OnEvent: fev.add})
	require.NoError(t, ls.Set("a", "1"))
	waitSynced(t, f, l)

	c.cut(true)
	eventually(t, 5*time.Second, func() bool { return !f.LinkUp() }, "link down")
	for i := range 1000 {
		require.NoError(t, ls.Set("k"+strconv.Itoa(i), "a value of some length to fill the backlog"))
	}
	first, _ := l.Info().BacklogFirstByteOffset, 0
	require.Greater(t, first, f.Offset()+1, "the backlog moved past the follower")
	c.up()
	waitSynced(t, f, l)
	requireSameState(t, storeState(t, ls), storeState(t, fs))
	assert.Equal(t, 2, fev.count(replication.EventFullSync), fev.String())
	assert.Equal(t, 0, fev.count(replication.EventPartialSync), fev.String())
}

// TestFollower_OutputLimit: a follower whose connection falls further
// behind than the output limit is disconnected, and resyncs.
func TestFollower_OutputLimit(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	lev, fev := newEvents(), newEvents()
	l, addr := startLeader(t, ls, &replication.LeaderOptions{OutputLimit: 256 << 10, OnEvent: lev.add})
	fs := newStore(t, nil)
	var gate sync.Mutex // held: the follower reads nothing
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &gatedConn{Conn: c, gate: &gate}, nil
	}
	f := startFollower(t, fs, addr, &replication.FollowerOptions{Dial: dial, OnEvent: fev.add})
	require.NoError(t, ls.Set("a", "1"))
	waitSynced(t, f, l)

	gate.Lock()
	value := string(make([]byte, 1<<10))
	for i := range 20 << 10 { // 20 MiB: more than the socket buffers hold
		require.NoError(t, ls.Set("k"+strconv.Itoa(i%1000), value))
	}
	gate.Unlock()
	eventually(t, 20*time.Second, func() bool { return lev.count(replication.EventFollowerDisconnected) > 0 }, "disconnect")
	ev, _ := lev.last(replication.EventFollowerDisconnected)
	assert.ErrorIs(t, ev.Err, replication.ErrOutputLimit)
	waitSynced(t, f, l)
	requireSameState(t, storeState(t, ls), storeState(t, fs))
	assert.GreaterOrEqual(t, fev.count(replication.EventLinkDown), 1, fev.String())
}

// gatedConn reads only while gate is not held.
type gatedConn struct {
	net.Conn
	gate *sync.Mutex
}

func (c *gatedConn) Read(p []byte) (int, error) {
	c.gate.Lock()
	//lint:ignore SA2001 an empty critical section waits for the gate
	c.gate.Unlock()
	return c.Conn.Read(p)
}

func TestFollower_ReadOnly(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, addr := startLeader(t, ls, nil)
	fs := newStore(t, nil)
	f := startFollower(t, fs, addr, nil)
	require.NoError(t, ls.Set("a", "1"))
	waitSynced(t, f, l)
	err := fs.Set("a", "2")
	require.ErrorIs(t, err, store.ErrReadOnly)
	assert.EqualError(t, err, "READONLY You can't write against a read only replica.")
	_, err = fs.HSet("h", "f", "v")
	require.ErrorIs(t, err, store.ErrReadOnly)
	v, ok, err := fs.Get("a")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "1", v)
	assert.True(t, f.Info().ReadOnly)
}

// TestFollower_TTL: the follower hides an expired key at once but deletes
// it only when the leader's DEL arrives.
func TestFollower_TTL(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, addr := startLeader(t, ls, nil)
	fs := newStore(t, nil)
	c := &cutter{}
	f := startFollower(t, fs, addr, &replication.FollowerOptions{Dial: c.dial})
	deadline := time.Now().Add(2 * time.Second)
	_, _, err := ls.SetArgs("soon", "x", store.SetArgs{PXAT: deadline.UnixMilli()})
	require.NoError(t, err)
	require.NoError(t, ls.Set("keep", "y"))
	waitSynced(t, f, l)
	pttl, err := fs.PTTL("soon")
	require.NoError(t, err)
	assert.InDelta(t, time.Until(deadline).Milliseconds(), pttl, 200)

	c.cut(true) // the leader's DEL cannot arrive
	require.Positive(t, time.Until(deadline), "the test was too slow to cut the link before the deadline")
	time.Sleep(time.Until(deadline) + 300*time.Millisecond)
	_, ok, err := fs.Get("soon")
	require.NoError(t, err)
	assert.False(t, ok, "expired keys are hidden")
	n, err := fs.DBSize()
	require.NoError(t, err)
	assert.Equal(t, int64(2), n, "but the follower does not delete them itself")

	c.up()
	eventually(t, 10*time.Second, func() bool {
		n, _ := fs.DBSize()
		return n == 1
	}, "the leader's DEL removes it")
	waitSynced(t, f, l)
}

// TestFollower_RestartedLeader: a new, empty leader at the same address has
// a new replication ID, so the follower resyncs in full (and drops its
// data) instead of continuing a history the new leader does not have.
func TestFollower_RestartedLeader(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l1, err := replication.NewLeader(ls, nil)
	require.NoError(t, err)
	ln := listenLoopback(t)
	addr := ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- l1.Serve(ln) }()
	require.NoError(t, ls.Set("old", "data"))

	fs := newStore(t, nil)
	fev := newEvents()
	f := startFollower(t, fs, addr, &replication.FollowerOptions{OnEvent: fev.add})
	waitSynced(t, f, l1)
	oldID := f.ReplID()
	require.NoError(t, l1.Close())
	require.ErrorIs(t, <-done, replication.ErrClosed)

	// The "restarted process": a fresh store, a fresh leader, the same port.
	ls2 := newStore(t, nil)
	require.NoError(t, ls2.Set("new", "1"))
	l2, err := replication.NewLeader(ls2, nil)
	require.NoError(t, err)
	var ln2 net.Listener
	eventually(t, 5*time.Second, func() bool {
		ln2, err = net.Listen("tcp", addr)
		return err == nil
	}, "listen again on %s", addr)
	done2 := make(chan error, 1)
	go func() { done2 <- l2.Serve(ln2) }()
	t.Cleanup(func() {
		l2.Close()
		<-done2
	})
	waitSynced(t, f, l2)
	assert.NotEqual(t, oldID, f.ReplID())
	assert.Equal(t, l2.ReplID(), f.ReplID())
	assert.Equal(t, 2, fev.count(replication.EventFullSync), fev.String())
	requireSameState(t, storeState(t, ls2), storeState(t, fs))
	_, ok, _ := fs.Get("old")
	assert.False(t, ok)
}

// TestFollower_WaitForOffset: read-your-writes across processes.
func TestFollower_WaitForOffset(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, addr := startLeader(t, ls, nil)
	fs := newStore(t, nil)
	f := startFollower(t, fs, addr, nil)
	for i := range 100 {
		k := "k" + strconv.Itoa(i)
		require.NoError(t, ls.Set(k, strconv.Itoa(i)))
		require.NoError(t, f.WaitForOffset(ctxTimeout(t, 10*time.Second), l.Offset()))
		v, ok, err := fs.Get(k)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, strconv.Itoa(i), v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, f.WaitForOffset(ctx, l.Offset()+1000), context.DeadlineExceeded)
}

func TestFollower_AuthRefused(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	require.NoError(t, ls.Set("secret", "data"))
	_, addr := startLeader(t, ls, &replication.LeaderOptions{Password: "s3cret"})
	for _, pass := range []string{"", "wrong"} {
		fev := newEvents()
		fs := newStore(t, nil)
		f, err := replication.NewFollower(fs, addr, &replication.FollowerOptions{Password: pass, MinBackoff: time.Millisecond, OnEvent: fev.add})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		err = f.Run(ctx)
		cancel()
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.False(t, f.Info().LinkUp)
		n, _ := fs.DBSize()
		assert.Zero(t, n, "no data without the password (%q)", pass)
		assert.Zero(t, fev.count(replication.EventFullSync))
		ev, ok := fev.last(replication.EventSyncFailed)
		require.True(t, ok, fev.String())
		assert.ErrorIs(t, ev.Err, replication.ErrAuth)
		require.NoError(t, f.Close())
	}
	fs := newStore(t, nil)
	f := startFollower(t, fs, addr, &replication.FollowerOptions{Password: "s3cret"})
	eventually(t, 10*time.Second, func() bool { return f.LinkUp() }, "link with the password")
	v, _, _ := fs.Get("secret")
	assert.Equal(t, "data", v)
}

func TestLeader_NoAuthRefusals(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	require.NoError(t, ls.Set("secret", "data"))
	_, addr := startLeader(t, ls, &replication.LeaderOptions{Password: "s3cret"})
	c := dialClient(t, addr)
	for _, cmd := range [][]string{{"PING"}, {"REPLCONF", "listening-port", "1"}, {"PSYNC", "?", "-1"}, {"SYNC"}, {"INFO"}} {
		v := c.do(t, cmd...)
		assert.Equal(t, "NOAUTH Authentication required.", string(v.Str), "%v", cmd)
	}
	assert.Equal(t, "WRONGPASS invalid username-password pair or user is disabled.", string(c.do(t, "AUTH", "nope").Str))
	assert.Equal(t, "WRONGPASS invalid username-password pair or user is disabled.", string(c.do(t, "AUTH", "bob", "s3cret").Str))
	assert.Equal(t, "NOAUTH Authentication required.", string(c.do(t, "PING").Str))
	assert.Equal(t, "OK", string(c.do(t, "AUTH", "default", "s3cret").Str))
	assert.Equal(t, "PONG", string(c.do(t, "PING").Str))
	assert.Equal(t, "OK", string(c.do(t, "REPLCONF", "listening-port", "7000", "capa", "eof", "capa", "psync2").Str))
	assert.Equal(t, "ERR Unrecognized REPLCONF option: bogus", string(c.do(t, "REPLCONF", "bogus", "1").Str))
	assert.Equal(t, "ERR syntax error", string(c.do(t, "REPLCONF", "capa").Str))
	assert.Contains(t, string(c.do(t, "FOO", "bar").Str), "ERR unknown command 'FOO', with args beginning with: 'bar' ")
}

// TestFollower_StoreClosed: a follower whose store is closed stops.
func TestFollower_StoreClosed(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, addr := startLeader(t, ls, nil)
	fs, err := store.New(nil)
	require.NoError(t, err)
	f, err := replication.NewFollower(fs, addr, &replication.FollowerOptions{MinBackoff: time.Millisecond})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- f.Run(context.Background()) }()
	require.NoError(t, ls.Set("a", "1"))
	waitSynced(t, f, l)
	require.NoError(t, fs.Close())
	require.NoError(t, ls.Set("b", "2")) // the next apply fails
	select {
	case err := <-done:
		require.ErrorIs(t, err, store.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	require.NoError(t, f.Close())
	require.ErrorIs(t, f.Run(context.Background()), replication.ErrClosed)
	require.ErrorIs(t, f.Start(), replication.ErrClosed)

	_, err = replication.NewLeader(newReplicaStore(t), nil)
	require.ErrorContains(t, err, "replica mode")
}

func newReplicaStore(t testing.TB) *store.Store {
	s := newStore(t, nil)
	require.NoError(t, s.SetReplica(true))
	return s
}

// TestFollower_SetLeaderAddr: a follower pointed at another leader of the
// same history (a follower of its leader) continues from it.
func TestFollower_SetLeaderAddr(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, laddr := startLeader(t, ls, nil)
	b := startFollower(t, newStore(t, nil), laddr, nil)
	baddr := serveFollower(t, b)
	fev := newEvents()
	fs := newStore(t, nil)
	f := startFollower(t, fs, laddr, &replication.FollowerOptions{OnEvent: fev.add, MinBackoff: time.Hour})
	require.NoError(t, ls.Set("a", "1"))
	waitSynced(t, b, l)
	waitSynced(t, f, l)
	require.NoError(t, f.SetLeaderAddr(baddr))
	require.NoError(t, ls.Set("b", "2"))
	waitSynced(t, f, l)
	assert.Equal(t, baddr, net.JoinHostPort(f.Info().LeaderHost, strconv.Itoa(f.Info().LeaderPort)))
	assert.Equal(t, 1, fev.count(replication.EventFullSync), fev.String())
	assert.Equal(t, 1, fev.count(replication.EventPartialSync), fev.String())
	require.Error(t, f.SetLeaderAddr("no port"))
}

// lingeringConn is a connection whose Close leaves it open until the test
// releases it, as a connection slow to close would be.
type lingeringConn struct {
	net.Conn
	release <-chan struct{}
	once    sync.Once
}

func (c *lingeringConn) Close() error {
	c.once.Do(func() {
		go func() {
			<-c.release
			c.Conn.Close()
		}()
	})
	return nil
}

// TestFollower_SetLeaderAddr_OldLinkStops: once SetLeaderAddr returns, what
// the old leader sends is not applied, even where the old connection is
// still open and readable (here its Close is held back).
func TestFollower_SetLeaderAddr_OldLinkStops(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	release := make(chan struct{})
	ls := newStore(t, nil)
	l, laddr := startLeader(t, ls, nil)
	// The new address accepts and never answers: the follower waits in
	// its handshake there.
	hole := listenLoopback(t)
	var held []net.Conn
	var heldMu sync.Mutex
	go func() {
		for {
			c, err := hole.Accept()
			if err != nil {
				return
			}
			heldMu.Lock()
			held = append(held, c)
			heldMu.Unlock()
		}
	}()
	t.Cleanup(func() {
		hole.Close()
		heldMu.Lock()
		defer heldMu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(ctx, network, addr)
		if err != nil || addr != laddr {
			return c, err
		}
		return &lingeringConn{Conn: c, release: release}, nil
	}
	fs := newStore(t, nil)
	f := startFollower(t, fs, laddr, &replication.FollowerOptions{Dial: dial, HandshakeTimeout: time.Second})
	t.Cleanup(func() { close(release) }) // before the follower's Close, which waits for the old link
	require.NoError(t, ls.Set("a", "1"))
	waitSynced(t, f, l)
	before := f.Offset()

	require.NoError(t, f.SetLeaderAddr(hole.Addr().String()))
	require.NoError(t, ls.Set("b", "2"))
	// The old link reads "b" (its connection is open) and must drop it.
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) {
		_, ok, err := fs.Get("b")
		require.NoError(t, err)
		require.False(t, ok, "the old leader's write after SetLeaderAddr was applied")
		time.Sleep(5 * time.Millisecond)
	}
	assert.Equal(t, before, f.Offset())
	v, ok, err := fs.Get("a")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "1", v)
}
