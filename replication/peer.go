package replication

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emberkv/ember/internal/rdb"
	"github.com/emberkv/ember/internal/resp"
	"github.com/emberkv/ember/store"
)

// Follower connection states, as INFO replication names them.
const (
	stateHandshake  int32 = iota // before PSYNC/SYNC
	stateWaitBgsave              // preparing the snapshot
	stateSendBulk                // sending the snapshot
	stateOnline                  // streaming
)

var stateNames = [...]string{"handshake", "wait_bgsave", "send_bulk", "online"}

// Redis's replies to a replica's handshake.
const (
	errNoAuth     = "NOAUTH Authentication required."
	errWrongPass  = "WRONGPASS invalid username-password pair or user is disabled."
	errNoPassword = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
	errSyntax     = "ERR syntax error"
	errNotInteger = "ERR value is not an integer or out of range"
	errNoMaster   = "NOMASTERLINK Can't SYNC while not connected with my master"
	errFilterEOF  = "ERR Filtered replica requires EOF capability"
)

// streamChunk is the most a follower's writer sends in one write.
const streamChunk = 64 << 10

// peer is one connection to a server: a follower in the making, then a
// follower. Its goroutine (run) reads the handshake and then the follower's
// ACKs; a second goroutine (syncAndStream) writes the snapshot and the
// stream.
type peer struct {
	s      *server
	seq    uint64 // connection order, for INFO
	conn   net.Conn
	dc     *deadlineConn
	br     *bufio.Reader
	addr   string // remote address
	ctx    context.Context
	cancel context.CancelFunc

	wmu sync.Mutex // serializes writes: handshake replies, keep-alives, payload, stream

	// Set by the handshake, before the writer starts; read-only after.
	authed              bool
	port                int    // REPLCONF listening-port
	announceIP          string // REPLCONF ip-address
	capaEOF, capaPSYNC2 bool
	rdbOnly, filtered   bool
	preSync             bool // attached with SYNC: no FULLRESYNC line, no ACKs

	follower bool // counted in server.mu.followers; guarded by server.mu

	state   atomic.Int32
	ackOff  atomic.Int64
	ackTime atomic.Int64 // unix ns of the last ACK or newline
	acked   chan struct{}
	ackOnce sync.Once

	errMu sync.Mutex
	err   error // why the connection ended, first cause
}

func newPeer(s *server, c net.Conn) *peer {
	ctx, cancel := context.WithCancel(context.Background())
	p := &peer{
		s:      s,
		conn:   c,
		dc:     newDeadlineConn(c, s.cfg.ReadTimeout, s.cfg.WriteTimeout),
		addr:   c.RemoteAddr().String(),
		ctx:    ctx,
		cancel: cancel,
		acked:  make(chan struct{}),
	}
	p.br = bufio.NewReaderSize(p.dc, 16<<10)
	p.authed = s.cfg.Password == ""
	return p
}

// closeConn ends the connection; both goroutines then return.
func (p *peer) closeConn() {
	p.cancel()
	p.conn.Close()
}

func (p *peer) fail(err error) {
	p.errMu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.errMu.Unlock()
	p.closeConn()
}

func (p *peer) cause() error {
	p.errMu.Lock()
	defer p.errMu.Unlock()
	return p.err
}

// write sends b, serialized with the other writers.
func (p *peer) write(b []byte) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err := p.dc.Write(b)
	return err
}

func (p *peer) reply(msg string) error { return p.write(resp.AppendSimpleString(nil, msg)) }
func (p *peer) replyErr(msg string) error {
	return p.write(resp.AppendError(nil, msg))
}

// run is the connection's goroutine.
func (p *peer) run() {
	defer p.s.wg.Done()
	err := p.serve()
	if err != nil && !errors.Is(err, io.EOF) {
		p.fail(err)
	} else {
		p.closeConn()
	}
	wasFollower := p.isFollower()
	p.s.remove(p)
	if wasFollower {
		cause := p.cause()
		if cause == nil {
			cause = err
		}
		p.s.log.Info("replication: follower disconnected", "addr", p.addr, "err", cause)
		p.s.emit(Event{Kind: EventFollowerDisconnected, Addr: p.addr, Offset: p.ackOff.Load(), Err: cause})
	}
}

func (p *peer) isFollower() bool {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	return p.follower
}

// serve reads the handshake, starts the sync, then reads ACKs.
func (p *peer) serve() error {
	r := p.newReader()
	var args []string
	for {
		var cmd resp.Command
		var err error
		args, cmd, err = r.ReadCommandStrings(args)
		if err != nil {
			return p.readError(err)
		}
		if cmd.Kind == resp.KeepAlive || len(args) == 0 {
			continue
		}
		name := strings.ToLower(args[0])
		if !p.authed && name != "auth" {
			if err := p.replyErr(errNoAuth); err != nil {
				return err
			}
			continue
		}
		switch name {
		case "ping":
			err = p.ping(args)
		case "auth":
			var ok bool
			if ok, err = p.auth(args); ok {
				r = p.newReader() // lift the limits of unauthenticated clients
			}
		case "replconf":
			err = p.replconf(args)
		case "psync", "sync":
			var started bool
			started, err = p.startSync(args)
			if err == nil && started {
				return p.readAcks(r)
			}
		case "info":
			err = p.write(resp.AppendBulkString(nil, p.infoText(args)))
		case "quit":
			_ = p.reply("OK")
			return nil
		default:
			err = p.replyErr(unknownCommand(args))
		}
		if err != nil {
			return err
		}
	}
}

// newReader returns a RESP reader of the connection with Redis's limits
// for an unauthenticated client until AUTH succeeds (10 arguments, 16 KiB
// each).
func (p *peer) newReader() *resp.Reader {
	if p.authed {
		return resp.NewReader(p.br, nil)
	}
	return resp.NewReader(p.br, &resp.ReaderOptions{MaxArrayLen: 10, MaxBulkLen: 16 << 10})
}

// readError answers a protocol error as Redis does, and wraps err.
func (p *peer) readError(err error) error {
	var pe *resp.ProtocolError
	if errors.As(err, &pe) {
		_ = p.replyErr("ERR Protocol error: " + pe.Reason)
		return fmt.Errorf("%w: from %s: %w", ErrProtocol, p.addr, err)
	}
	if errors.Is(err, io.EOF) {
		return err
	}
	if isTimeout(err) {
		return fmt.Errorf("%w: reading from follower %s: %w", ErrTimeout, p.addr, err)
	}
	return fmt.Errorf("replication: read from %s: %w", p.addr, err)
}

func unknownCommand(args []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ERR unknown command '%.128s', with args beginning with: ", args[0])
	for _, a := range args[1:] {
		if b.Len() > 256 {
			break
		}
		fmt.Fprintf(&b, "'%.128s' ", a)
	}
	return b.String()
}

func (p *peer) ping(args []string) error {
	switch len(args) {
	case 1:
		return p.reply("PONG")
	case 2:
		return p.write(resp.AppendBulkString(nil, args[1]))
	}
	return p.replyErr("ERR wrong number of arguments for 'ping' command")
}

// auth handles AUTH [user] password; ok reports a successful login.
func (p *peer) auth(args []string) (ok bool, err error) {
	if len(args) < 2 || len(args) > 3 {
		return false, p.replyErr(errSyntax)
	}
	want := p.s.cfg.Password
	if want == "" {
		if len(args) == 2 {
			return false, p.replyErr(errNoPassword)
		}
		// AUTH default <anything> succeeds for a passwordless default user.
		if args[1] == "default" {
			return true, p.reply("OK")
		}
		return false, p.replyErr(errWrongPass)
	}
	user, pass := "default", args[1]
	if len(args) == 3 {
		user, pass = args[1], args[2]
	}
	// Hashing first makes the comparison's time independent of the length
	// of the secret, too.
	got, exp := sha256.Sum256([]byte(pass)), sha256.Sum256([]byte(want))
	match := subtle.ConstantTimeCompare(got[:], exp[:]) == 1
	if !match || user != "default" {
		p.s.log.Warn("replication: AUTH failed", "addr", p.addr)
		return false, p.replyErr(errWrongPass)
	}
	p.authed = true
	return true, p.reply("OK")
}

// replconf handles REPLCONF's option/value pairs before the sync.
func (p *peer) replconf(args []string) error {
	if len(args)%2 != 1 {
		return p.replyErr(errSyntax)
	}
	for j := 1; j < len(args); j += 2 {
		opt, val := strings.ToLower(args[j]), args[j+1]
		switch opt {
		case "listening-port":
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || n > 65535 {
				return p.replyErr(errNotInteger)
			}
			p.port = n
		case "ip-address":
			if len(val) > 46 {
				return p.replyErr("ERR REPLCONF ip-address provided by replica instance is too long: " + strconv.Itoa(len(val)) + " bytes")
			}
			p.announceIP = val
		case "capa":
			switch strings.ToLower(val) {
			case "eof":
				p.capaEOF = true
			case "psync2":
				p.capaPSYNC2 = true
			} // unknown capabilities are ignored
		case "ack":
			p.noteAck(val)
			return nil // never answered
		case "getack":
			return nil // only a master sends it; never answered
		case "rdb-only":
			switch val {
			case "0":
				p.rdbOnly = false
			case "1":
				p.rdbOnly = true
			default:
				return p.replyErr(errSyntax)
			}
		case "rdb-filter-only":
			// An include list: only "functions" exists, and Ember has no
			// functions; any filter excludes the keys.
			for _, f := range strings.Fields(val) {
				if !strings.EqualFold(f, "functions") {
					return p.replyErr("ERR Unsupported rdb-filter-only option: " + f)
				}
			}
			p.filtered = true
		default:
			return p.replyErr("ERR Unrecognized REPLCONF option: " + args[j])
		}
	}
	return p.reply("OK")
}

// noteAck records a REPLCONF ACK <offset>.
func (p *peer) noteAck(val string) {
	off, err := strconv.ParseInt(val, 10, 64)
	if err != nil {
		return
	}
	for {
		cur := p.ackOff.Load()
		if off <= cur || p.ackOff.CompareAndSwap(cur, off) {
			break
		}
	}
	p.ackTime.Store(time.Now().UnixNano())
	p.ackOnce.Do(func() { close(p.acked) })
	p.s.acks.notify()
}

// startSync answers PSYNC or SYNC. started reports that the follower is
// being served (its writer runs); otherwise the handshake goes on, as after
// a refusal.
func (p *peer) startSync(args []string) (started bool, err error) {
	psync := strings.EqualFold(args[0], "psync")
	if psync && len(args) < 3 || !psync && len(args) != 1 {
		return false, p.replyErr(fmt.Sprintf("ERR wrong number of arguments for '%s' command", strings.ToLower(args[0])))
	}
	if up := p.s.upstream(); up != nil {
		if msg := up.refuseSync(); msg != "" {
			return false, p.replyErr(msg)
		}
	}
	if p.filtered && !p.capaEOF {
		return false, p.replyErr(errFilterEOF)
	}
	var offset int64
	if psync {
		offset, err = strconv.ParseInt(args[2], 10, 64)
		if err != nil {
			return false, p.replyErr(errNotInteger)
		}
	}
	p.preSync = !psync
	if err := p.s.register(p); err != nil {
		if errors.Is(err, ErrClosed) {
			return false, err
		}
		return false, p.replyErr("ERR " + err.Error())
	}
	p.ackTime.Store(time.Now().UnixNano())

	if psync && !p.filtered && !p.rdbOnly {
		if ids, ok := p.tryPartial(args[1], offset); ok {
			reply := "+CONTINUE\r\n"
			if p.capaPSYNC2 {
				reply = "+CONTINUE " + ids.id + "\r\n"
			}
			if err := p.write([]byte(reply)); err != nil {
				return false, err
			}
			p.state.Store(stateOnline)
			p.s.log.Info("replication: partial resync", "addr", p.addr, "replid", ids.id, "offset", offset)
			p.s.emit(Event{Kind: EventFollowerConnected, Addr: p.addr, ReplID: ids.id, Offset: offset - 1})
			p.s.emit(Event{Kind: EventPartialSyncServed, Addr: p.addr, ReplID: ids.id, Offset: offset - 1})
			return p.startWriter(func() error { return p.stream(offset - 1) })
		}
	}
	p.s.emit(Event{Kind: EventFollowerConnected, Addr: p.addr, ReplID: p.s.ids().id})
	return p.startWriter(func() error {
		pos, err := p.fullSync()
		if err != nil || p.rdbOnly {
			return err
		}
		return p.stream(pos)
	})
}

func (p *peer) startWriter(f func() error) (bool, error) {
	if !p.s.go1(func() {
		if err := f(); err != nil {
			p.fail(err)
		}
	}) {
		return false, ErrClosed
	}
	return true, nil
}

// tryPartial decides whether PSYNC id offset can continue from the backlog
// (masterTryPartialResynchronization).
func (p *peer) tryPartial(id string, offset int64) (replIDs, bool) {
	ids := p.s.ids()
	if !ids.canContinue(id, offset) {
		return ids, false
	}
	first, last := p.s.feed.Backlog()
	return ids, first <= offset && offset <= last+1
}

// fullSync sends +FULLRESYNC and the snapshot, and returns the offset the
// stream continues from.
func (p *peer) fullSync() (int64, error) {
	s := p.s
	p.state.Store(stateWaitBgsave)
	up := s.upstream()
	ids := s.ids()
	start := time.Now()
	var pos, keys int64
	var err error
	if up == nil && p.capaEOF && !p.preSync {
		pos, keys, err = p.sendLiveSnapshot(ids.id)
	} else {
		pos, keys, err = p.sendBufferedSnapshot(ids.id, up)
	}
	if err != nil {
		return 0, err
	}
	if p.capaEOF && !p.preSync {
		// The follower knows the payload ended only when it sees the mark,
		// so nothing may follow until it says it is loaded (Redis's
		// repl_start_cmd_stream_on_ack).
		t := time.NewTimer(s.cfg.ReadTimeout)
		defer t.Stop()
		select {
		case <-p.acked:
		case <-p.ctx.Done():
			return 0, context.Cause(p.ctx)
		case <-t.C:
			return 0, fmt.Errorf("%w: no ACK from %s after the snapshot", ErrTimeout, p.addr)
		}
	}
	p.state.Store(stateOnline)
	s.log.Info("replication: full resync", "addr", p.addr, "replid", ids.id, "offset", pos, "keys", keys, "took", time.Since(start))
	s.emit(Event{Kind: EventFullSyncServed, Addr: p.addr, ReplID: ids.id, Offset: pos, Keys: keys})
	return pos, nil
}

// sendLiveSnapshot is a leader's full sync to a follower that reads the
// EOF-mark form: the RDB is written to the connection while the snapshot
// is taken and writes go on.
func (p *peer) sendLiveSnapshot(id string) (pos, keys int64, err error) {
	pos = p.s.fullSyncStart(true)
	mark := eofMark()
	hdr := fmt.Appendf(nil, "+FULLRESYNC %s %d\r\n$EOF:%s\r\n", id, pos, mark)
	if err := p.write(hdr); err != nil {
		return 0, 0, err
	}
	p.state.Store(stateSendBulk)
	keys, err = p.writeRDB(p.lockedWriter(), id, pos, p.filtered)
	if err != nil {
		return 0, 0, err
	}
	return pos, keys, p.write(mark)
}

// sendBufferedSnapshot takes the snapshot into memory, sending keep-alive
// newlines meanwhile, then sends +FULLRESYNC (but to SYNC) and the payload
// in the form the follower reads: EOF-mark or sized.
func (p *peer) sendBufferedSnapshot(id string, up upstream) (pos, keys int64, err error) {
	stop, done := make(chan struct{}), make(chan struct{})
	if !p.s.go1(func() { defer close(done); p.keepAlive(stop) }) {
		return 0, 0, ErrClosed
	}
	var buf bytes.Buffer
	func() {
		defer close(stop)
		if up != nil {
			resume := up.pause()
			defer resume()
		}
		pos = p.s.fullSyncStart(up == nil)
		keys, err = p.writeRDB(&buf, id, pos, p.filtered)
	}()
	<-done // no keep-alive may follow the header
	if err != nil {
		return 0, 0, err
	}
	var hdr []byte
	if !p.preSync {
		hdr = fmt.Appendf(hdr, "+FULLRESYNC %s %d\r\n", id, pos)
	}
	var mark []byte
	if p.capaEOF && !p.preSync {
		mark = eofMark()
		hdr = fmt.Appendf(hdr, "$EOF:%s\r\n", mark)
	} else {
		hdr = resp.AppendBulkLen(hdr, int64(buf.Len()))
	}
	if err := p.write(hdr); err != nil {
		return 0, 0, err
	}
	p.state.Store(stateSendBulk)
	for b := buf.Bytes(); len(b) > 0; {
		n := min(len(b), 1<<20)
		if err := p.write(b[:n]); err != nil {
			return 0, 0, err
		}
		b = b[n:]
	}
	if mark != nil {
		if err := p.write(mark); err != nil {
			return 0, 0, err
		}
	}
	return pos, keys, nil
}

// keepAlive writes a newline every KeepAlivePeriod until stop is closed.
func (p *peer) keepAlive(stop <-chan struct{}) {
	t := time.NewTicker(p.s.cfg.KeepAlivePeriod)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-p.ctx.Done():
			return
		case <-t.C:
			if err := p.write([]byte{'\n'}); err != nil {
				p.fail(err)
				return
			}
		}
	}
}

// writeRDB writes the store's snapshot (no keys when empty) as an RDB file
// to w, and returns the number of keys.
func (p *peer) writeRDB(w io.Writer, id string, pos int64, empty bool) (int64, error) {
	opts := &rdb.WriterOptions{ReplID: id, ReplOffset: pos}
	rw := rdb.NewWriter(w, opts)
	var keys int64
	if !empty {
		st := p.s.st.Stats()
		if err := rw.SelectDB(0, uint64(st.Keys), uint64(st.Expires)); err != nil {
			return 0, err
		}
		_, err := p.s.st.Snapshot(func(e store.Entry) error {
			keys++
			if e.Hash {
				return rw.WriteHash(e.Key, e.Fields, e.ExpireAt)
			}
			return rw.WriteString(e.Key, e.Value, e.ExpireAt)
		})
		if err != nil {
			return 0, fmt.Errorf("replication: snapshot for %s: %w", p.addr, err)
		}
	}
	if err := rw.Close(); err != nil {
		return 0, fmt.Errorf("replication: snapshot for %s: %w", p.addr, err)
	}
	return keys, nil
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func (p *peer) lockedWriter() io.Writer {
	return writerFunc(func(b []byte) (int, error) {
		if err := p.write(b); err != nil {
			return 0, err
		}
		return len(b), nil
	})
}

// eofMark returns a random 40-character mark for the EOF-mark payload form.
func eofMark() []byte {
	var b [resp.EOFMarkLen / 2]byte
	_, _ = rand.Read(b[:])
	return []byte(hex.EncodeToString(b[:]))
}

// stream sends the feed from offset pos on (the byte pos+1 first) until the
// connection ends.
func (p *peer) stream(pos int64) error {
	feed := p.s.feed
	limit := p.s.cfg.OutputLimit
	buf := make([]byte, streamChunk)
	for {
		if limit > 0 {
			if behind := feed.Offset() - pos; behind > limit {
				return fmt.Errorf("%w: %s is %d bytes behind", ErrOutputLimit, p.addr, behind)
			}
		}
		n, err := feed.ReadAt(buf, pos)
		if errors.Is(err, store.ErrFeedTruncated) {
			return fmt.Errorf("%w: %s fell out of the backlog at offset %d", ErrOutputLimit, p.addr, pos)
		}
		if err != nil {
			return fmt.Errorf("replication: read feed: %w", err)
		}
		if n == 0 {
			if err := feed.Wait(p.ctx, pos); err != nil {
				if errors.Is(err, store.ErrClosed) {
					return fmt.Errorf("replication: %w", err)
				}
				return context.Cause(p.ctx)
			}
			continue
		}
		if err := p.write(buf[:n]); err != nil {
			return fmt.Errorf("replication: write to %s: %w", p.addr, err)
		}
		pos += int64(n)
	}
}

// readAcks reads what a follower sends once it is served: REPLCONF ACK
// <offset> (and newlines while it loads). A follower that has been online
// for ReadTimeout without sending anything is disconnected, but not one
// attached with SYNC, which never ACKs (redis-cli --replica).
func (p *peer) readAcks(r *resp.Reader) error {
	var args [][]byte
	for {
		before := r.InputOffset()
		cmd, err := r.ReadCommand(args)
		if err != nil {
			if isTimeout(err) && r.InputOffset() == before &&
				(p.preSync || p.state.Load() != stateOnline) {
				continue
			}
			return p.readError(err)
		}
		args = cmd.Args
		switch {
		case cmd.Kind == resp.KeepAlive:
			p.ackTime.Store(time.Now().UnixNano())
		case len(args) >= 3 && bytes.EqualFold(args[0], []byte("replconf")) && bytes.EqualFold(args[1], []byte("ack")):
			p.noteAck(string(args[2])) // a trailing FACK <aof offset> is ignored
		default:
			if len(args) > 0 {
				p.s.log.Debug("replication: ignoring a command from a follower", "addr", p.addr, "cmd", string(args[0]))
			}
		}
	}
}

// info returns the follower's line of INFO replication.
func (p *peer) info() FollowerInfo {
	ip := p.announceIP
	if ip == "" {
		ip, _, _ = net.SplitHostPort(p.addr)
	}
	fi := FollowerInfo{
		seq:    p.seq,
		Addr:   p.addr,
		IP:     ip,
		Port:   p.port,
		State:  stateNames[p.state.Load()],
		Offset: p.ackOff.Load(),
	}
	if p.state.Load() == stateOnline {
		fi.Lag = time.Duration(time.Now().UnixNano() - p.ackTime.Load())
	}
	return fi
}

// infoText answers INFO: the replication section, which is all there is.
func (p *peer) infoText(args []string) string {
	var in Info
	if up := p.s.upstream(); up != nil {
		in = up.info()
	} else {
		in = p.s.leaderInfo()
	}
	return in.String()
}
