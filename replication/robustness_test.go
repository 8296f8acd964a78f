package replication_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/leakcheck"
	"github.com/emberkv/ember/internal/rdb"
	"github.com/emberkv/ember/internal/resp"
	"github.com/emberkv/ember/replication"
	"github.com/emberkv/ember/store"
)

func TestLeader_MaxFollowers(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, addr := startLeader(t, ls, &replication.LeaderOptions{MaxFollowers: 1})
	f1 := startFollower(t, newStore(t, nil), addr, nil)
	waitSynced(t, f1, l)
	f2 := startFollower(t, newStore(t, nil), addr, nil)
	time.Sleep(200 * time.Millisecond)
	assert.False(t, f2.LinkUp())
	assert.Len(t, l.Info().Followers, 1)
	c := dialClient(t, addr)
	assert.Equal(t, "ERR max number of replicas reached", string(c.do(t, "PSYNC", "?", "-1").Str))
}

// allocDuring returns the bytes allocated by the process while f runs.
func allocDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// scriptedLeader is a fake leader for one follower session over net.Pipe:
// it discards what the follower sends and sends script.
type scriptedLeader struct {
	mu     sync.Mutex
	dials  int
	script []byte
	cancel context.CancelFunc
	wg     sync.WaitGroup
	conns  []net.Conn
}

func (s *scriptedLeader) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dials++
	if s.dials > 1 {
		s.cancel() // one session is all we want
		return nil, io.EOF
	}
	c, srv := net.Pipe()
	s.conns = append(s.conns, c, srv)
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		_, _ = io.Copy(io.Discard, srv)
	}()
	go func() {
		defer s.wg.Done()
		_, _ = srv.Write(s.script)
		srv.Close()
	}()
	return c, nil
}

// runScripted runs one follower session against script, and returns the
// follower's store.
func runScripted(t testing.TB, script []byte) *store.Store {
	fs, err := store.New(nil)
	require.NoError(t, err)
	s := &scriptedLeader{script: script}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.cancel = cancel
	f, err := replication.NewFollower(fs, "leader:6379", &replication.FollowerOptions{
		Dial: s.dial, MinBackoff: time.Microsecond, MaxBackoff: time.Microsecond,
		HandshakeTimeout: time.Second, ReadTimeout: time.Second,
	})
	require.NoError(t, err)
	err = f.Run(ctx)
	require.ErrorIs(t, err, context.Canceled, "the session ended and the follower tried again")
	require.NoError(t, f.Close())
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return fs
}

const handshakeReplies = "+PONG\r\n+OK\r\n+OK\r\n"

func fullResync(offset string, payload []byte) []byte {
	b := []byte(handshakeReplies + "+FULLRESYNC " + strings.Repeat("a", 40) + " " + offset + "\r\n")
	b = resp.AppendBulkLen(b, int64(len(payload)))
	return append(b, payload...)
}

func emptyRDB(t testing.TB) []byte {
	var b bytes.Buffer
	w := rdb.NewWriter(&b, nil)
	require.NoError(t, w.WriteString("seed", "1", 0))
	require.NoError(t, w.Close())
	return b.Bytes()
}

// TestFollower_HostileLeader: a leader that announces huge lengths, in the
// snapshot header, in the snapshot or in the stream, costs the follower no
// more memory than the bytes it actually sends, and only that link.
func TestFollower_HostileLeader(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	for name, script := range map[string][]byte{
		"payload":      []byte(handshakeReplies + "+FULLRESYNC " + strings.Repeat("a", 40) + " 0\r\n$2147483648\r\nREDIS0010\xfa"),
		"rdb string":   fullResync("0", []byte("REDIS0010\x00\x03key\x80\x7f\xff\xff\xffabc")),
		"stream bulk":  append(fullResync("0", emptyRDB(t)), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000000\r\nabc"...),
		"stream array": append(fullResync("0", emptyRDB(t)), "*2000000000\r\n$3\r\nSET\r\n"...),
		"inline":       append(fullResync("0", emptyRDB(t)), "SET k v\r\n"...),
		"bad reply":    []byte(handshakeReplies + "+WHAT\r\n"),
		"bad id":       []byte(handshakeReplies + "+FULLRESYNC short 0\r\n"),
	} {
		t.Run(name, func(t *testing.T) {
			var fs *store.Store
			n := allocDuring(func() { fs = runScripted(t, script) })
			assert.Less(t, n, uint64(64<<20), "allocated %d bytes", n)
			_, ok, err := fs.Get("k")
			require.NoError(t, err)
			assert.False(t, ok)
			fs.Close()
		})
	}
}

// TestLeader_HostileFollower: huge lengths from a follower, before and after
// AUTH, end that connection without allocating them.
func TestLeader_HostileFollower(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, addr := startLeader(t, ls, &replication.LeaderOptions{Password: "pw"})
	send := func(t *testing.T, pre string, hostile string) string {
		c, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer c.Close()
		require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
		_, err = c.Write([]byte(pre + hostile))
		require.NoError(t, err)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
		b, _ := io.ReadAll(c)
		return string(b)
	}
	n := allocDuring(func() {
		out := send(t, "", "*1\r\n$2000000000\r\nabc")
		assert.Equal(t, "-ERR Protocol error: invalid bulk length\r\n", out, "16 KiB at most before AUTH")
		out = send(t, "", "*100\r\n")
		assert.Equal(t, "-ERR Protocol error: invalid multibulk length\r\n", out, "10 arguments at most before AUTH")
		out = send(t, "AUTH pw\r\n", "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$2000000000\r\nabc")
		assert.Equal(t, "+OK\r\n-ERR Protocol error: invalid bulk length\r\n", out, "512 MiB at most after")
		out = send(t, "AUTH pw\r\n", "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$500000000\r\nabc")
		assert.Equal(t, "+OK\r\n", out, "the connection ends when the input does")
	})
	assert.Less(t, n, uint64(64<<20), "allocated %d bytes", n)
	assert.Empty(t, l.Info().Followers)
}

// FuzzFollowerStream feeds arbitrary leader output to a follower: whatever
// it gets, it must end the link cleanly, without panicking or hanging.
func FuzzFollowerStream(f *testing.F) {
	rdbBytes := emptyRDB(f)
	f.Add(fullResync("0", rdbBytes))
	f.Add(append(fullResync("100", rdbBytes), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n*1\r\n$4\r\nEXEC\r\n"...))
	f.Add(append(fullResync("0", rdbBytes), "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n*1\r\n$4\r\nping\r\n"...))
	f.Add([]byte(handshakeReplies + "+FULLRESYNC " + strings.Repeat("b", 40) + " 7\r\n\n\n$EOF:" + strings.Repeat("m", 40) + "\r\n" + string(rdbBytes) + strings.Repeat("m", 40) + "*1\r\n$4\r\nPING\r\n"))
	f.Add(append(fullResync("0", rdbBytes), "*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n*3\r\n$4\r\nMSET\r\n$1\r\nm\r\n$1\r\nv\r\n*2\r\n$6\r\nUNLINK\r\n$1\r\nm\r\n*2\r\n$4\r\nMSET\r\n$1\r\nx\r\n"...))
	f.Add([]byte(handshakeReplies + "+CONTINUE\r\n*1\r\n$4\r\nPING\r\n"))
	f.Add([]byte(handshakeReplies + "-ERR no psync\r\n$0\r\n"))
	f.Add([]byte("-NOAUTH Authentication required.\r\n-WRONGPASS x\r\n"))
	f.Fuzz(func(t *testing.T, script []byte) {
		fs := runScripted(t, script)
		fs.Close()
	})
}

// TestFollower_SplitCommand: what a follower applied becomes visible even
// when the next command arrives in pieces.
func TestFollower_SplitCommand(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	c, srv := net.Pipe()
	defer srv.Close()
	var once sync.Once
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		conn := net.Conn(nil)
		once.Do(func() { conn = c })
		if conn == nil {
			return nil, io.EOF
		}
		return conn, nil
	}
	fs := newStore(t, nil)
	f := startFollower(t, fs, "leader:1", &replication.FollowerOptions{Dial: dial})
	go func() { _, _ = io.Copy(io.Discard, srv) }()
	first := "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
	second := "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"
	_, err := srv.Write(append(fullResync("0", emptyRDB(t)), first+second[:10]...))
	require.NoError(t, err)
	require.NoError(t, f.WaitForOffset(ctxTimeout(t, 5*time.Second), int64(len(first))))
	v, _, _ := fs.Get("a")
	assert.Equal(t, "1", v)
	_, err = srv.Write([]byte(second[10:]))
	require.NoError(t, err)
	require.NoError(t, f.WaitForOffset(ctxTimeout(t, 5*time.Second), int64(len(first+second))))
	v, _, _ = fs.Get("b")
	assert.Equal(t, "2", v)
}

// TestTimeouts: a leader drops an online follower that stops acknowledging,
// and a follower drops a leader that goes silent.
func TestTimeouts(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	lev := newEvents()
	l, addr := startLeader(t, ls, &replication.LeaderOptions{ReadTimeout: 300 * time.Millisecond, PingPeriod: time.Hour, OnEvent: lev.add})
	fev := newEvents()
	f := startFollower(t, newStore(t, nil), addr, &replication.FollowerOptions{AckPeriod: time.Hour, ReadTimeout: 500 * time.Millisecond, OnEvent: fev.add})
	require.NoError(t, ls.Set("a", "1"))
	eventually(t, 10*time.Second, func() bool { return lev.count(replication.EventFollowerDisconnected) > 0 }, "leader drops the silent follower")
	ev, _ := lev.last(replication.EventFollowerDisconnected)
	assert.ErrorIs(t, ev.Err, replication.ErrTimeout)
	waitSynced(t, f, l)

	l2, addr2 := startLeader(t, newStore(t, nil), &replication.LeaderOptions{PingPeriod: time.Hour})
	fev2 := newEvents()
	f2 := startFollower(t, newStore(t, nil), addr2, &replication.FollowerOptions{ReadTimeout: 300 * time.Millisecond, OnEvent: fev2.add})
	waitSynced(t, f2, l2)
	eventually(t, 10*time.Second, func() bool { return fev2.count(replication.EventLinkDown) > 0 }, "follower drops the silent leader")
	ev, _ = fev2.last(replication.EventLinkDown)
	assert.ErrorIs(t, ev.Err, replication.ErrTimeout)
}

// TestLeader_SizedPayload: a follower without "capa eof" gets the $<len>
// form, after keep-alive newlines while the snapshot is prepared, then the
// stream at once.
func TestLeader_SizedPayload(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	p := ls.Pipeline()
	for i := range 200_000 {
		p.Set("key:"+strconv.Itoa(i), "value")
	}
	require.NoError(t, p.Exec())
	l, addr := startLeader(t, ls, &replication.LeaderOptions{KeepAlivePeriod: time.Millisecond})
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	require.NoError(t, c.SetDeadline(time.Now().Add(30*time.Second)))
	_, err = c.Write(resp.AppendCommand(resp.AppendCommand(nil, "REPLCONF", "capa", "psync2"), "PSYNC", "?", "-1"))
	require.NoError(t, err)
	r := resp.NewReader(bufio.NewReader(c), nil)
	line, err := r.ReadLine()
	require.NoError(t, err)
	require.Equal(t, "+OK", string(line))
	newlines := 0
	for {
		line, err = r.ReadLine()
		require.NoError(t, err)
		if len(line) > 0 {
			break
		}
		newlines++
	}
	assert.Positive(t, newlines, "keep-alives while the snapshot is prepared")
	fields := strings.Fields(string(line))
	require.Len(t, fields, 3, "%q", line)
	assert.Equal(t, "+FULLRESYNC", fields[0])
	assert.Equal(t, l.ReplID(), fields[1])
	hdr, err := r.ReadLine()
	require.NoError(t, err)
	payload, err := r.Payload(hdr)
	require.NoError(t, err)
	assert.Positive(t, payload.Len())
	rr := rdb.NewReader(payload, nil)
	keys := 0
	for {
		_, err := rr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		keys++
	}
	assert.Equal(t, 200_000, keys)
	require.NoError(t, ls.Set("after", "1"))
	for _, want := range [][]string{{"SELECT", "0"}, {"SET", "after", "1"}} {
		args, _, err := r.ReadCommandStrings(nil)
		require.NoError(t, err)
		assert.Equal(t, want, args)
	}
}
