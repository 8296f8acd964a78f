package replication

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/emberkv/ember/internal/resp"
	"github.com/emberkv/ember/store"
)

// server serves followers from a store's feed: the serving half of a
// [Leader], and of a [Follower] that has followers of its own (cascading).
// It outlives a promotion: the Follower's server becomes the Leader's.
type server struct {
	st   *store.Store
	feed *store.Feed
	cfg  leaderConfig
	log  *slog.Logger

	quit chan struct{}  // closed by close: stops the pinger and every wait
	wg   sync.WaitGroup // accept loops, connections, their writers and keep-alives, the pinger
	acks notifier       // signalled on every REPLCONF ACK

	mu struct {
		sync.Mutex
		closed    bool
		draining  bool // Shutdown has begun: no new followers
		ids       replIDs
		up        upstream // the Follower this server relays for; nil when it is a leader
		listeners map[net.Listener]struct{}
		peers     map[*peer]struct{} // every open connection
		followers int                // peers that sent PSYNC or SYNC
		seq       uint64             // connections accepted
	}
}

// upstream is what a server needs from the Follower it relays for.
type upstream interface {
	// refuseSync returns the error a follower's PSYNC gets while the
	// upstream link is down ("NOMASTERLINK ..."), or "".
	refuseSync() string
	// pause stops applying the upstream stream until the returned function
	// is called, so that a snapshot is consistent with the feed's offset
	// (a Redis master's stream is not idempotent: INCR).
	pause() (resume func())
	// info returns the follower's replication status.
	info() Info
}

func newServer(st *store.Store, cfg leaderConfig, ids replIDs, up upstream) (*server, error) {
	feed, err := st.Feed()
	if err != nil {
		return nil, fmt.Errorf("replication: start the store's feed: %w", err)
	}
	s := &server{st: st, feed: feed, cfg: cfg, log: cfg.Logger, quit: make(chan struct{})}
	s.mu.ids = ids
	s.mu.up = up
	s.mu.listeners = map[net.Listener]struct{}{}
	s.mu.peers = map[*peer]struct{}{}
	s.wg.Add(1)
	go s.pinger()
	return s, nil
}

// serve accepts connections on l until the server closes; it returns
// ErrClosed then.
func (s *server) serve(l net.Listener) error {
	if s.cfg.TLSConfig != nil {
		l = tls.NewListener(l, s.cfg.TLSConfig)
	}
	s.mu.Lock()
	if s.mu.closed || s.mu.draining {
		s.mu.Unlock()
		l.Close()
		return ErrClosed
	}
	s.mu.listeners[l] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.mu.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()
	s.log.Info("replication: serving followers", "addr", l.Addr().String())
	var delay time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			stopped := s.mu.closed || s.mu.draining
			s.mu.Unlock()
			if stopped {
				return ErrClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("replication: accept: %w", err)
			}
			// Transient (EMFILE, a failed TLS accept...): back off, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.log.Warn("replication: accept", "err", err, "retry_in", delay)
			select {
			case <-time.After(delay):
			case <-s.quit:
				return ErrClosed
			}
			continue
		}
		delay = 0
		s.startConn(c)
	}
}

// maxConns bounds the open connections, handshaking ones included.
func (s *server) maxConnsLocked() int { return 2*s.cfg.MaxFollowers + 16 }

func (s *server) startConn(c net.Conn) {
	s.mu.Lock()
	if s.mu.closed || s.mu.draining {
		s.mu.Unlock()
		c.Close()
		return
	}
	if len(s.mu.peers) >= s.maxConnsLocked() {
		s.mu.Unlock()
		_ = c.SetWriteDeadline(time.Now().Add(time.Second))
		_, _ = c.Write(resp.AppendError(nil, "ERR max number of clients reached"))
		c.Close()
		return
	}
	p := newPeer(s, c)
	s.mu.seq++
	p.seq = s.mu.seq
	s.mu.peers[p] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go p.run()
}

// ids returns the replication IDs the server serves.
func (s *server) ids() replIDs {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.ids
}

// upstream returns the Follower the server relays for, nil for a leader.
func (s *server) upstream() upstream {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.up
}

// register counts p as a follower, within the limit.
func (s *server) register(p *peer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.mu.closed || s.mu.draining:
		return ErrClosed
	case s.mu.followers >= s.cfg.MaxFollowers:
		return errTooManyFollowers
	}
	s.mu.followers++
	p.follower = true
	return nil
}

var errTooManyFollowers = errors.New("max number of replicas reached")

func (s *server) remove(p *peer) {
	s.mu.Lock()
	delete(s.mu.peers, p)
	if p.follower {
		p.follower = false
		s.mu.followers--
	}
	s.mu.Unlock()
	s.acks.notify() // waiters may have been waiting for it
}

// followers returns the followers' status, in no particular order.
func (s *server) followers() []FollowerInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []FollowerInfo
	for p := range s.mu.peers {
		if p.follower {
			out = append(out, p.info())
		}
	}
	slices.SortFunc(out, func(a, b FollowerInfo) int { return cmp.Compare(a.seq, b.seq) })
	return out
}

// pinger puts a PING into the stream every PingPeriod while the server is a
// leader with followers, as Redis's replicationCron does.
func (s *server) pinger() {
	defer s.wg.Done()
	t := time.NewTicker(s.cfg.PingPeriod)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case <-t.C:
		}
		s.mu.Lock()
		ping := s.mu.up == nil && s.mu.followers > 0 && !s.mu.closed
		s.mu.Unlock()
		if ping {
			s.feed.Append("ping")
		}
	}
}

// selectCmd is the SELECT a leader puts in front of the stream of every
// full resync, as Redis does (slaveseldb = -1).
var selectCmd = resp.AppendCommand(nil, "SELECT", "0")

// fullSyncStart returns the offset the stream of a new full resync starts
// from. A leader appends a SELECT there; a relaying follower cannot add to
// its master's stream, and its caller holds the pause.
func (s *server) fullSyncStart(leader bool) int64 {
	if leader {
		return s.feed.AppendRaw(selectCmd) - int64(len(selectCmd))
	}
	return s.feed.Offset()
}

// waitAcks waits until n followers have acknowledged offset target, and
// returns how many have.
func (s *server) waitAcks(ctx context.Context, n int, target int64) (int, error) {
	for {
		ch := s.acks.wait()
		got := s.countAcked(target)
		if got >= n {
			return got, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return got, ctx.Err()
		case <-s.quit:
			return got, ErrClosed
		}
	}
}

// waitAllAcked waits until every follower that acknowledges (not SYNC
// ones) has acknowledged target.
func (s *server) waitAllAcked(ctx context.Context, target int64) error {
	for {
		ch := s.acks.wait()
		if s.countAcked(target) >= s.ackers() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.quit:
			return ErrClosed
		}
	}
}

// ackers returns the number of followers that send ACKs.
func (s *server) ackers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p := range s.mu.peers {
		if p.follower && !p.preSync {
			n++
		}
	}
	return n
}

// countAcked returns the number of followers whose ACK reached target.
func (s *server) countAcked(target int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for p := range s.mu.peers {
		if p.follower && !p.preSync && p.ackOff.Load() >= target {
			n++
		}
	}
	return n
}

// drain stops accepting followers and closes the listeners: the first half
// of Shutdown.
func (s *server) drain() {
	s.mu.Lock()
	s.mu.draining = true
	for l := range s.mu.listeners {
		l.Close()
	}
	for p := range s.mu.peers {
		if !p.follower {
			p.closeConn()
		}
	}
	s.mu.Unlock()
}

// close stops everything and waits for every goroutine to exit.
func (s *server) close() {
	s.mu.Lock()
	if !s.mu.closed {
		s.mu.closed = true
		close(s.quit)
		for l := range s.mu.listeners {
			l.Close()
		}
		for p := range s.mu.peers {
			p.closeConn()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// listenAddr returns the address of one of the server's listeners, or nil.
func (s *server) listenAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	for l := range s.mu.listeners {
		return l.Addr()
	}
	return nil
}

// go1 runs f as a goroutine that close waits for, unless the server is
// closed already.
func (s *server) go1(f func()) bool {
	s.mu.Lock()
	if s.mu.closed {
		s.mu.Unlock()
		return false
	}
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// emit reports an event to the OnEvent option.
func (s *server) emit(e Event) {
	if s.cfg.OnEvent != nil {
		if e.Time.IsZero() {
			e.Time = time.Now()
		}
		s.cfg.OnEvent(e)
	}
}

// notifier wakes every waiter at once, like a sync.Cond that works with
// select.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns a channel that is closed at the next notify.
func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

func (n *notifier) notify() {
	n.mu.Lock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
	n.mu.Unlock()
}

// setIDs changes the served history. With drop, every follower is
// disconnected, so that it resyncs and learns of the change (Redis does so
// after a full resync of its own, and at a promotion).
func (s *server) setIDs(ids replIDs, drop bool) {
	s.mu.Lock()
	s.mu.ids = ids
	if drop {
		s.dropFollowersLocked()
	}
	s.mu.Unlock()
}

func (s *server) dropFollowersLocked() {
	for p := range s.mu.peers {
		if p.follower {
			p.closeConn()
		}
	}
}

// promote makes the server a leader's: it stops relaying for up, takes the
// new IDs and drops its followers so that they resync (partially, thanks to
// the secondary ID).
func (s *server) promote(ids replIDs) {
	s.mu.Lock()
	s.mu.up = nil
	s.mu.ids = ids
	s.dropFollowersLocked()
	s.mu.Unlock()
}
