package replication

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
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

// link is one connection of a Follower to its leader: the handshake, the
// sync, then the stream.
type link struct {
	f    *Follower
	addr string
	gen  uint64 // the Follower's addrGen when the link began
	conn net.Conn
	dc   *deadlineConn
	r    *resp.Reader

	wmu  sync.Mutex   // serializes writes: ACKs from the acker and from GETACK
	mode atomic.Int32 // what the acker sends: nothing, newlines, or ACKs
}

const (
	modeIdle      int32 = iota // handshake: the acker is silent
	modeLoading                // receiving the snapshot: newlines keep the leader's timer fresh
	modeStreaming              // REPLCONF ACK <offset>
	modeLegacy                 // synced with SYNC: the leader wants nothing
)

// session runs one link until it fails or ctx ends. synced reports that it
// got as far as streaming.
func (f *Follower) session(ctx context.Context) (synced bool, err error) {
	ctx, kick := context.WithCancel(ctx)
	defer kick()
	f.mu.Lock()
	f.mu.kick = kick
	addr := f.mu.addr
	gen := f.addrGen.Load()
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.mu.kick = nil
		f.mu.Unlock()
	}()

	conn, err := f.dial(ctx, addr)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	defer context.AfterFunc(ctx, func() { conn.Close() })()

	l := &link{f: f, addr: addr, gen: gen, conn: conn}
	l.dc = newDeadlineConn(conn, f.cfg.HandshakeTimeout, f.cfg.WriteTimeout)
	l.dc.onRead = func() { f.lastIO.Store(time.Now().UnixNano()) }
	l.r = resp.NewReader(bufio.NewReaderSize(l.dc, 64<<10), nil)

	stop := make(chan struct{})
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		l.acker(stop)
	}()
	defer close(stop)

	if err := l.handshake(); err != nil {
		return false, l.wrap(err)
	}
	if err := l.psync(ctx); err != nil {
		return false, l.wrap(err)
	}
	return true, l.wrap(l.stream(ctx))
}

// wrap gives a link error its context, unless ctx ended it.
func (l *link) wrap(err error) error {
	if err == nil {
		return nil
	}
	if isTimeout(err) && !errors.Is(err, ErrTimeout) {
		err = fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return fmt.Errorf("replication: link to %s: %w", l.addr, err)
}

// dial connects to the leader, with TLS when configured.
func (f *Follower) dial(ctx context.Context, addr string) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, f.cfg.HandshakeTimeout)
	defer cancel()
	var conn net.Conn
	var err error
	if f.cfg.Dial != nil {
		conn, err = f.cfg.Dial(dctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(dctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("replication: dial %s: %w", addr, err)
	}
	if f.cfg.TLSConfig != nil {
		cfg := f.cfg.TLSConfig.Clone()
		if cfg.ServerName == "" {
			cfg.ServerName, _, _ = net.SplitHostPort(addr)
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(dctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("replication: TLS handshake with %s: %w", addr, err)
		}
		conn = tc
	}
	return conn, nil
}

func (l *link) send(b []byte) error {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	_, err := l.dc.Write(b)
	return err
}

// readReply reads one reply line of the handshake, skipping the newlines a
// leader sends as keep-alives.
func (l *link) readReply() (string, error) {
	for {
		line, err := l.r.ReadLine()
		if err != nil {
			return "", err
		}
		if len(line) > 0 {
			return string(line), nil
		}
	}
}

// handshake sends PING, AUTH and the REPLCONFs as a Redis 7 replica does.
func (l *link) handshake() error {
	f := l.f
	if err := l.send(resp.AppendCommand(nil, "PING")); err != nil {
		return err
	}
	reply, err := l.readReply()
	if err != nil {
		return err
	}
	if !strings.HasPrefix(reply, "+") && !strings.HasPrefix(reply, "-NOAUTH") &&
		!strings.HasPrefix(reply, "-NOPERM") && !strings.HasPrefix(reply, "-ERR operation not permitted") {
		return fmt.Errorf("%w: PING answered %q", ErrProtocol, reply)
	}
	var b []byte
	var sent []string
	if f.cfg.Password != "" {
		if f.cfg.User != "" {
			b = resp.AppendCommand(b, "AUTH", f.cfg.User, f.cfg.Password)
		} else {
			b = resp.AppendCommand(b, "AUTH", f.cfg.Password)
		}
		sent = append(sent, "AUTH")
	}
	port := f.cfg.AnnouncePort
	if port == 0 {
		if a, ok := f.srv.listenAddr().(*net.TCPAddr); ok {
			port = a.Port
		}
	}
	b = resp.AppendCommand(b, "REPLCONF", "listening-port", strconv.Itoa(port))
	sent = append(sent, "REPLCONF listening-port")
	if f.cfg.AnnounceIP != "" {
		b = resp.AppendCommand(b, "REPLCONF", "ip-address", f.cfg.AnnounceIP)
		sent = append(sent, "REPLCONF ip-address")
	}
	b = resp.AppendCommand(b, "REPLCONF", "capa", "eof", "capa", "psync2")
	sent = append(sent, "REPLCONF capa")
	if err := l.send(b); err != nil {
		return err
	}
	for _, what := range sent {
		reply, err := l.readReply()
		if err != nil {
			return err
		}
		if !strings.HasPrefix(reply, "-") {
			continue
		}
		if what == "AUTH" {
			return fmt.Errorf("%w: %s", ErrAuth, reply[1:])
		}
		f.log.Warn("replication: leader refused "+what, "leader", l.addr, "reply", reply)
	}
	return nil
}

// psync asks to continue the follower's history, and carries out the full
// or partial resync the leader grants.
func (l *link) psync(ctx context.Context) error {
	f := l.f
	f.mu.Lock()
	synced := f.mu.synced
	f.mu.Unlock()
	ids := f.srv.ids()
	var cmd []byte
	if synced {
		cmd = resp.AppendCommand(nil, "PSYNC", ids.id, strconv.FormatInt(f.feed.Offset()+1, 10))
	} else {
		cmd = resp.AppendCommand(nil, "PSYNC", "?", "-1")
	}
	if err := l.send(cmd); err != nil {
		return err
	}
	reply, err := l.readReply()
	if err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(reply, "+FULLRESYNC"):
		fields := strings.Fields(reply)
		if len(fields) != 3 || len(fields[1]) != replIDLen {
			return fmt.Errorf("%w: bad reply to PSYNC: %q", ErrProtocol, reply)
		}
		offset, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil || offset < 0 {
			return fmt.Errorf("%w: bad reply to PSYNC: %q", ErrProtocol, reply)
		}
		return l.fullSync(fields[1], offset, false)
	case strings.HasPrefix(reply, "+CONTINUE"):
		id := strings.TrimSpace(strings.TrimPrefix(reply, "+CONTINUE"))
		if id != "" && len(id) != replIDLen {
			return fmt.Errorf("%w: bad reply to PSYNC: %q", ErrProtocol, reply)
		}
		l.partialSync(id)
		return nil
	case strings.HasPrefix(reply, "-NOMASTERLINK"), strings.HasPrefix(reply, "-LOADING"):
		return fmt.Errorf("replication: leader not ready: %s", reply[1:])
	case strings.HasPrefix(reply, "-NOAUTH"), strings.HasPrefix(reply, "-NOPERM"), strings.HasPrefix(reply, "-WRONGPASS"):
		return fmt.Errorf("%w: %s", ErrAuth, reply[1:])
	case strings.HasPrefix(reply, "-"):
		// A leader without PSYNC: the old SYNC, a payload without a
		// FULLRESYNC line.
		f.log.Info("replication: PSYNC refused, trying SYNC", "leader", l.addr, "reply", reply)
		if err := l.send([]byte("SYNC\r\n")); err != nil {
			return err
		}
		return l.fullSync(newReplID(), 0, true)
	}
	return fmt.Errorf("%w: unexpected reply to PSYNC: %q", ErrProtocol, reply)
}

// fullSync receives the snapshot and loads it into the store, which keeps
// serving its old data until the new one is complete.
func (l *link) fullSync(id string, offset int64, legacy bool) error {
	f := l.f
	f.mu.Lock()
	f.mu.syncing = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.mu.syncing = false
		f.mu.Unlock()
	}()
	l.mode.Store(modeLoading)
	l.dc.setTimeouts(f.cfg.ReadTimeout, f.cfg.WriteTimeout)
	hdr, err := l.readReply()
	if err != nil {
		return err
	}
	if strings.HasPrefix(hdr, "-") {
		return fmt.Errorf("replication: leader refused the sync: %s", hdr[1:])
	}
	payload, err := l.r.Payload([]byte(hdr))
	if err != nil {
		return fmt.Errorf("%w: snapshot header %q: %w", ErrProtocol, hdr, err)
	}
	start := time.Now()

	f.applyMu.Lock()
	defer f.applyMu.Unlock()
	if l.moved() {
		return errAddrChanged
	}
	keys, skipped, db, err := f.load(payload, func() { l.conn.Close() })
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, payload); err != nil {
		return fmt.Errorf("%w: after the snapshot: %w", ErrProtocol, err)
	}
	// Drop this follower's followers before the feed forgets their
	// positions; they cannot sync again before the link is up.
	old := f.srv.ids()
	f.srv.setIDs(replIDs{id: id, id2: zeroReplID, second: -1}, true)
	f.feed.Reset(offset)
	f.readOff.Store(offset)
	f.mu.Lock()
	f.mu.synced = !legacy
	f.mu.legacy = legacy
	f.mu.db = db
	f.mu.Unlock()
	if legacy {
		l.mode.Store(modeLegacy)
	} else {
		l.mode.Store(modeStreaming)
		if payload.Mark() != nil {
			// The leader waits for this ACK to start the stream.
			if err := l.sendAck(); err != nil {
				return err
			}
		}
	}
	f.log.Info("replication: full resync", "leader", l.addr, "replid", id, "offset", offset,
		"keys", keys, "skipped", skipped, "took", time.Since(start))
	f.emit(Event{Kind: EventFullSync, Addr: l.addr, ReplID: id, Offset: offset, Keys: keys})
	if old.id != id {
		f.emit(Event{Kind: EventReplIDChanged, Addr: l.addr, ReplID: id, Offset: offset})
	}
	return nil
}

// load replaces the store's keys with the RDB payload's. Keys of other
// databases than 0 and of types Ember does not hold (lists, sets, ...) are
// skipped. The payload is read and decoded in a goroutine of its own, ahead
// of the store's loading; abort ends the link, to stop that goroutine when
// the loading fails.
func (f *Follower) load(payload io.Reader, abort func()) (keys, skipped int64, db int, err error) {
	rr := rdb.NewReader(payload, nil)
	batches := make(chan []store.Entry, 4)
	stop := make(chan struct{})
	var decodeErr error   // written before batches is closed
	var resizeHint uint64 // the RDB's key count, written before the first batch is sent
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer close(batches)
		batch := make([]store.Entry, 0, loadBatch)
		send := func() bool {
			select {
			case batches <- batch:
				batch = make([]store.Entry, 0, loadBatch)
				return true
			case <-stop:
				return false
			}
		}
		for {
			e, err := rr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				decodeErr = fmt.Errorf("%w: snapshot: %w", ErrProtocol, err)
				return
			}
			if resizeHint == 0 {
				resizeHint, _ = rr.ResizeHint()
			}
			if e.DB != 0 || (e.Kind != rdb.KindString && e.Kind != rdb.KindHash) {
				skipped++
				continue
			}
			se := store.Entry{Key: e.Key, ExpireAt: e.ExpireAtMs}
			if se.ExpireAt < 0 {
				se.ExpireAt = 1 // a deadline at 0 ms: long past
			}
			if e.Kind == rdb.KindHash {
				se.Hash, se.Fields = true, e.Fields
			} else {
				se.Value = e.Value
			}
			batch = append(batch, se)
			if len(batch) == loadBatch && !send() {
				return
			}
		}
		if len(batch) > 0 {
			send()
		}
	}()
	err = f.st.Load(func(ld *store.Loader) error {
		reserved := false
		for batch := range batches {
			if !reserved {
				// The RDB's RESIZEDB count came before its first key, and
				// the decoder read it before sending the first batch.
				ld.Reserve(int(resizeHint))
				reserved = true
			}
			for _, se := range batch {
				if err := ld.Add(se); err != nil {
					return err
				}
			}
			keys += int64(len(batch))
		}
		return decodeErr
	})
	close(stop)
	if err != nil {
		abort() // the decoder may be waiting for the network
	}
	for range batches { // wait for the decoder
	}
	if err != nil {
		return 0, 0, 0, fmt.Errorf("replication: load snapshot: %w", err)
	}
	if v, ok := rr.AuxValue("repl-stream-db"); ok {
		db, _ = strconv.Atoi(v)
	}
	if skipped > 0 {
		f.log.Warn("replication: snapshot keys skipped (other databases, or types Ember does not hold)", "count", skipped)
	}
	return keys, skipped, db, nil
}

// loadBatch is the number of decoded snapshot keys handed to the store's
// loading at a time.
const loadBatch = 1024

// partialSync continues the history after +CONTINUE; a new ID means the
// leader was promoted: the old ID becomes the secondary one.
func (l *link) partialSync(id string) {
	f := l.f
	cur := f.srv.ids()
	offset := f.feed.Offset()
	if id != "" && id != cur.id {
		f.srv.setIDs(replIDs{id: id, id2: cur.id, second: offset + 1}, true)
		f.emit(Event{Kind: EventReplIDChanged, Addr: l.addr, ReplID: id, Offset: offset})
	} else {
		id = cur.id
	}
	f.readOff.Store(offset)
	f.mu.Lock()
	legacy := f.mu.legacy
	f.mu.Unlock()
	if !legacy {
		l.mode.Store(modeStreaming)
	}
	f.log.Info("replication: partial resync", "leader", l.addr, "replid", id, "offset", offset)
	f.emit(Event{Kind: EventPartialSync, Addr: l.addr, ReplID: id, Offset: offset})
}

// sendAck sends REPLCONF ACK with the applied offset.
func (l *link) sendAck() error {
	return l.send(resp.AppendCommand(nil, "REPLCONF", "ACK", strconv.FormatInt(l.f.feed.Offset(), 10)))
}

// acker sends REPLCONF ACK every AckPeriod while streaming, and a newline
// every second while loading a snapshot, until stop is closed.
func (l *link) acker(stop <-chan struct{}) {
	t := time.NewTicker(min(l.f.cfg.AckPeriod, time.Second))
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		var err error
		switch l.mode.Load() {
		case modeLoading:
			err = l.send([]byte{'\n'})
		case modeStreaming:
			if time.Since(last) >= l.f.cfg.AckPeriod-time.Millisecond {
				last = time.Now()
				err = l.sendAck()
			}
		}
		if err != nil {
			l.conn.Close() // the reader then fails too
			return
		}
	}
}

// stream applies the leader's command stream and relays it, byte for byte,
// to the feed (and so to this follower's followers).
func (l *link) stream(ctx context.Context) error {
	f := l.f
	f.mu.Lock()
	f.mu.linkUp = true
	f.mu.everUp = true
	db := f.mu.db
	addr := f.mu.addr
	f.mu.Unlock()
	f.lastIO.Store(time.Now().UnixNano())
	l.dc.setTimeouts(f.cfg.ReadTimeout, f.cfg.WriteTimeout)
	f.log.Info("replication: link up", "leader", addr, "offset", f.feed.Offset())
	f.emit(Event{Kind: EventLinkUp, Addr: addr, ReplID: f.ReplID(), Offset: f.feed.Offset()})
	defer func() {
		f.mu.Lock()
		f.mu.db = db
		f.mu.Unlock()
	}()

	a := applier{f: f, ctx: ctx, warned: map[string]bool{}}
	defer a.flush()
	// Before the reader waits for the network, even inside a command, what
	// was applied becomes visible (feed, offset, WaitForOffset) and
	// snapshots for this follower's followers may run.
	l.dc.beforeRead = a.flush
	defer func() { l.dc.beforeRead = nil }()
	var args [][]byte
	for {
		if len(a.pending) >= streamChunk {
			a.flush()
		}
		cmd, err := l.r.ReadCommand(args)
		if err != nil {
			var pe *resp.ProtocolError
			if errors.As(err, &pe) {
				return fmt.Errorf("%w: stream: %w", ErrProtocol, err)
			}
			return err
		}
		args = cmd.Args
		switch cmd.Kind {
		case resp.KeepAlive:
			continue // not part of the stream
		case resp.Inline:
			return fmt.Errorf("%w: leader using the inline protocol", ErrProtocol)
		}
		f.readOff.Add(cmd.Size)
		raw := resp.AppendArgs(a.scratch[:0], args)
		a.scratch = raw
		if int64(len(raw)) != cmd.Size {
			if len(args) != 0 {
				return fmt.Errorf("%w: command not in canonical RESP form", ErrProtocol)
			}
			raw = []byte("*-1\r\n")[:cmd.Size] // "*0" or "*-1": nothing to do
		}
		a.lock()
		if l.moved() {
			return errAddrChanged // not applied, so not counted
		}
		if len(args) == 0 {
			a.commit(raw)
			continue
		}
		name := commandName(args[0])
		if a.inMulti {
			if name == "EXEC" {
				db = a.exec(db)
				if a.err != nil {
					return a.err
				}
				a.commit(raw)
			} else {
				a.queue(args, raw) // SELECT too: exec applies it in order
			}
			continue
		}
		switch name {
		case "MULTI":
			a.inMulti = true
			a.txRaw = append(a.txRaw[:0], raw...)
			continue
		case "SELECT":
			if len(args) == 2 {
				if n, err := strconv.Atoi(string(args[1])); err == nil {
					db = n
				}
			}
		case "REPLCONF":
			if len(args) >= 2 && bytes.EqualFold(args[1], []byte("GETACK")) {
				// The ACK reports what was applied before the GETACK.
				a.flush()
				if l.mode.Load() == modeStreaming {
					if err := l.sendAck(); err != nil {
						return err
					}
				}
				a.lock()
			}
		case "PING", "EXEC":
		case "PUBLISH":
			if len(args) == 3 {
				a.publish(string(args[1]), string(args[2]))
			}
		default:
			switch {
			case db != 0:
			case name != "SET" && !store.CanApply(name):
				a.warn(name, errUnsupported)
			default:
				a.cmd = appendStrings(a.cmd[:0], name, args)
				a.one[0] = a.cmd
				a.apply(a.one[:])
				clear(a.cmd) // the store keeps the strings, not the slice
			}
		}
		if a.err != nil {
			return a.err
		}
		a.commit(raw)
	}
}

// applier applies stream commands to the store and relays their bytes.
type applier struct {
	f       *Follower
	ctx     context.Context
	locked  bool       // holds f.applyMu
	pending []byte     // bytes of applied commands, not yet in the feed
	scratch []byte     // the current command re-encoded
	inMulti bool       // between MULTI and EXEC
	tx      [][]string // the queued commands
	txRaw   []byte     // bytes of MULTI and the queued commands
	cmd     []string   // scratch: the command being applied
	err     error      // the store is closed
	one     [1][]string
	warned  map[string]bool
}

func (a *applier) lock() {
	if !a.locked {
		a.f.applyMu.Lock()
		a.locked = true
	}
}

// flush relays the applied bytes to the feed and releases the store to
// snapshots. A transaction in progress stays aside: nothing of it is
// applied yet.
func (a *applier) flush() {
	if len(a.pending) > 0 {
		a.f.feed.AppendRaw(a.pending)
		a.pending = a.pending[:0]
	}
	if a.locked {
		a.f.applyMu.Unlock()
		a.locked = false
	}
}

// commit records raw as applied.
func (a *applier) commit(raw []byte) { a.pending = append(a.pending, raw...) }

// queue adds a command to the transaction in progress.
func (a *applier) queue(args [][]byte, raw []byte) {
	a.tx = append(a.tx, toStrings(args))
	a.txRaw = append(a.txRaw, raw...)
}

// exec applies the queued transaction as one atomic batch, moves its bytes
// to pending, and returns the database the stream is in after it.
func (a *applier) exec(db int) int {
	var batch [][]string
	var pubs [][]string
	cur := db
	for _, c := range a.tx {
		name := commandName([]byte(c[0]))
		switch name {
		case "SELECT":
			if len(c) == 2 {
				if n, err := strconv.Atoi(c[1]); err == nil {
					cur = n
				}
			}
			continue
		case "PING", "REPLCONF":
			continue
		case "PUBLISH":
			pubs = append(pubs, c)
			continue
		}
		if cur != 0 {
			continue
		}
		if !store.CanApply(name) {
			a.warn(name, errUnsupported)
			continue
		}
		batch = append(batch, c)
	}
	if len(batch) > 0 {
		a.apply(batch)
	}
	for _, p := range pubs {
		if len(p) == 3 {
			a.publish(p[1], p[2])
		}
	}
	a.pending = append(a.pending, a.txRaw...)
	a.tx, a.txRaw, a.inMulti = a.tx[:0], a.txRaw[:0], false
	return cur
}

var errUnsupported = errors.New("command not supported by the store: ignored")

// errAddrChanged ends a link whose leader address was changed
// (SetLeaderAddr) while it ran.
var errAddrChanged = errors.New("replication: leader address changed")

// moved reports that SetLeaderAddr was called since the link began. Checked
// with applyMu held before each command is applied, it keeps a command the
// old leader sent after SetLeaderAddr returned from being applied, even
// when it is already in the reader's buffer or the connection is slow to
// close.
func (l *link) moved() bool { return l.f.addrGen.Load() != l.gen }

// apply runs commands on the store. A failing command is logged, once per
// command name, and skipped, as a Redis replica does; only a closed store
// stops the link.
func (a *applier) apply(cmds [][]string) {
	var err error
	if len(cmds) == 1 {
		err = a.f.st.Apply(cmds[0]...)
	} else {
		err = a.f.st.ApplyBatch(cmds)
	}
	if err != nil {
		if errors.Is(err, store.ErrClosed) {
			a.err = err
			return
		}
		a.warn(strings.ToUpper(cmds[0][0]), err)
	}
}

func (a *applier) warn(name string, err error) {
	if !a.warned[name] {
		a.warned[name] = true
		a.f.log.Warn("replication: a command from the leader failed", "cmd", name, "err", err)
	}
}

func (a *applier) publish(channel, message string) {
	if b := a.f.cfg.Broker; b != nil {
		if _, err := b.Publish(a.ctx, channel, message); err != nil {
			a.warn("PUBLISH", err)
		}
	}
}

// toStrings converts a command to strings, which the store may keep: the
// name is interned, and the arguments share one allocation.
func toStrings(args [][]byte) []string {
	return appendStrings(make([]string, 0, len(args)), commandName(args[0]), args)
}

// appendStrings appends name, then args[1:] as strings that share one
// allocation.
func appendStrings(dst []string, name string, args [][]byte) []string {
	dst = append(dst, name)
	n := 0
	for _, b := range args[1:] {
		n += len(b)
	}
	var buf strings.Builder
	buf.Grow(n)
	for _, b := range args[1:] {
		buf.Write(b)
	}
	all := buf.String()
	for _, b := range args[1:] {
		dst = append(dst, all[:len(b)])
		all = all[len(b):]
	}
	return dst
}

// commandNames interns command names in upper case, so that the hot path
// allocates nothing for them: the commands the store applies and those the
// link handles itself.
var commandNames = map[string]string{}

func init() {
	names := append(store.ApplyCommands(), "MULTI", "EXEC", "REPLCONF", "PUBLISH")
	for _, n := range names {
		commandNames[n] = n
		commandNames[strings.ToLower(n)] = n
	}
}

// commandName returns b's command name in upper case.
func commandName(b []byte) string {
	// SET, nearly every command of a stream, without the map's hashing.
	if len(b) == 3 && b[0]|0x20 == 's' && b[1]|0x20 == 'e' && b[2]|0x20 == 't' {
		return "SET"
	}
	if n, ok := commandNames[string(b)]; ok {
		return n
	}
	return strings.ToUpper(string(b))
}
