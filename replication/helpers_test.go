package replication_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/resp"
	"github.com/emberkv/ember/replication"
	"github.com/emberkv/ember/store"
)

// cleanup registers fn as a cleanup of t, and lets it go once it has run.
// testing keeps a benchmark's cleanup closures reachable into its next run
// with -count (it shortens their slice without clearing it), so a closure
// that held a store kept the previous run's keys and feed on the heap of the
// next: 50 MB in BenchmarkLag, for the collector to mark during the run.
func cleanup(t testing.TB, fn func()) {
	held := &fn
	t.Cleanup(func() {
		f := *held
		*held = nil
		f()
	})
}

// newStore returns a store closed at the end of the test.
func newStore(t testing.TB, opts *store.Options) *store.Store {
	t.Helper()
	s, err := store.New(opts)
	require.NoError(t, err)
	cleanup(t, func() { s.Close() })
	return s
}

// listenLoopback returns a listener on a free loopback port.
func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}

// startLeader starts a Leader of s serving on a loopback port and returns
// it with its address; the Leader is closed at the end of the test.
func startLeader(t testing.TB, s *store.Store, opts *replication.LeaderOptions) (*replication.Leader, string) {
	t.Helper()
	l, err := replication.NewLeader(s, opts)
	require.NoError(t, err)
	ln := listenLoopback(t)
	done := make(chan error, 1)
	go func() { done <- l.Serve(ln) }()
	cleanup(t, func() {
		l.Close()
		select {
		case err := <-done:
			if !errors.Is(err, replication.ErrClosed) {
				t.Errorf("Serve returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after Close")
		}
	})
	return l, ln.Addr().String()
}

// eventually polls cond every 10 ms until it holds or timeout passes.
func eventually(t testing.TB, timeout time.Duration, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: "+format, append([]any{timeout}, args...)...)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// events collects a node's events for assertions.
type events struct {
	mu  sync.Mutex
	all []replication.Event
	ch  chan struct{}
}

func newEvents() *events { return &events{ch: make(chan struct{}, 1)} }

func (e *events) add(ev replication.Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
	select {
	case e.ch <- struct{}{}:
	default:
	}
}

func (e *events) count(k replication.EventKind) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.all {
		if ev.Kind == k {
			n++
		}
	}
	return n
}

func (e *events) String() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b strings.Builder
	for _, ev := range e.all {
		b.WriteString(ev.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// client is a minimal RESP client for checking a redis-server (or a
// Leader's INFO).
type client struct {
	c net.Conn
	r *resp.Reader
}

func dialClient(t testing.TB, addr string) *client {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &client{c: c, r: resp.NewReader(bufio.NewReader(c), nil)}
}

func (c *client) do(t testing.TB, args ...string) resp.Value {
	t.Helper()
	require.NoError(t, c.c.SetDeadline(time.Now().Add(10*time.Second)))
	_, err := c.c.Write(resp.AppendCommand(nil, args...))
	require.NoError(t, err)
	v, err := c.r.ReadValue()
	require.NoError(t, err, "%v", args)
	return v
}

// info returns the fields of INFO replication.
func (c *client) info(t testing.TB) map[string]string {
	t.Helper()
	v := c.do(t, "INFO", "replication")
	require.Equal(t, resp.BulkString, v.Type, "INFO: %s", v.Str)
	return parseInfo(string(v.Str))
}

func parseInfo(s string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(s, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = v
		}
	}
	return m
}

// keyState is one key as both sides are compared: its type, value and TTL.
type keyState struct {
	hash   bool
	value  string
	fields map[string]string
	pttl   int64 // -1 without TTL
}

// storeState reads every visible key of s.
func storeState(t testing.TB, s *store.Store) map[string]keyState {
	t.Helper()
	keys, err := s.Keys("*")
	require.NoError(t, err)
	out := make(map[string]keyState, len(keys))
	for _, k := range keys {
		var ks keyState
		typ, err := s.Type(k)
		require.NoError(t, err)
		switch typ {
		case "string":
			v, ok, err := s.Get(k)
			require.NoError(t, err)
			if !ok {
				continue // expired meanwhile
			}
			ks.value = v
		case "hash":
			m, err := s.HGetAll(k)
			require.NoError(t, err)
			ks.hash, ks.fields = true, m
		default:
			continue
		}
		ks.pttl, err = s.PTTL(k)
		require.NoError(t, err)
		out[k] = ks
	}
	return out
}

// requireSameState compares two key sets key by key, TTLs within ±1 s.
func requireSameState(t testing.TB, want, got map[string]keyState) {
	t.Helper()
	var missing, extra []string
	for k := range want {
		if _, ok := got[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	require.Empty(t, missing, "keys missing on the follower")
	require.Empty(t, extra, "keys only on the follower")
	for k, w := range want {
		g := got[k]
		require.Equal(t, w.hash, g.hash, "type of %q", k)
		if w.hash {
			require.Equal(t, w.fields, g.fields, "fields of %q", k)
		} else {
			require.Equal(t, w.value, g.value, "value of %q", k)
		}
		if w.pttl < 0 || g.pttl < 0 {
			require.Equal(t, w.pttl, g.pttl, "TTL of %q", k)
		} else {
			require.InDelta(t, w.pttl, g.pttl, 1000, "TTL of %q", k)
		}
	}
}

// redisState reads every key of a redis-server through c.
func redisState(t testing.TB, c *client) map[string]keyState {
	t.Helper()
	out := map[string]keyState{}
	v := c.do(t, "KEYS", "*")
	require.Equal(t, resp.Array, v.Type)
	for _, e := range v.Elems {
		k := string(e.Str)
		var ks keyState
		typ := c.do(t, "TYPE", k)
		switch string(typ.Str) {
		case "string":
			g := c.do(t, "GET", k)
			if g.Null {
				continue
			}
			ks.value = string(g.Str)
		case "hash":
			h := c.do(t, "HGETALL", k)
			ks.hash, ks.fields = true, map[string]string{}
			for i := 0; i+1 < len(h.Elems); i += 2 {
				ks.fields[string(h.Elems[i].Str)] = string(h.Elems[i+1].Str)
			}
		default:
			continue
		}
		ks.pttl = c.do(t, "PTTL", k).Int
		if ks.pttl == -2 {
			continue
		}
		out[k] = ks
	}
	return out
}

// workload runs n random writes on s: strings, hashes, TTLs (long ones, and
// short ones that expire during the run), deletes and batches. Keys are
// drawn from a space of nkeys names.
func workload(t testing.TB, s *store.Store, rng *rand.Rand, n, nkeys int) {
	t.Helper()
	key := func() string { return "k" + strconv.Itoa(rng.IntN(nkeys)) }
	hkey := func() string { return "h" + strconv.Itoa(rng.IntN(nkeys/4+1)) }
	val := func() string {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		if rng.IntN(10) == 0 {
			return strconv.Itoa(rng.IntN(1 << 20)) // integer-encoded in the RDB
		}
		return string(b)
	}
	ignore := func(err error) {
		if err != nil && !errors.Is(err, store.ErrWrongType) && !errors.Is(err, store.ErrNoSuchKey) {
			require.NoError(t, err)
		}
	}
	for range n {
		switch op := rng.IntN(100); {
		case op < 30:
			ignore(s.Set(key(), val()))
		case op < 40:
			_, _, err := s.SetArgs(key(), val(), store.SetArgs{PX: int64(60_000 + rng.IntN(600_000))})
			ignore(err)
		case op < 43:
			_, _, err := s.SetArgs(key(), val(), store.SetArgs{PX: int64(1 + rng.IntN(300))})
			ignore(err)
		case op < 60:
			_, err := s.HSet(hkey(), "f"+strconv.Itoa(rng.IntN(8)), val(), "g"+strconv.Itoa(rng.IntN(8)), val())
			ignore(err)
		case op < 65:
			_, err := s.HDel(hkey(), "f"+strconv.Itoa(rng.IntN(8)))
			ignore(err)
		case op < 72:
			_, err := s.Del(key())
			ignore(err)
		case op < 78:
			_, err := s.Expire(key(), int64(100+rng.IntN(1000)))
			ignore(err)
		case op < 80:
			_, err := s.Persist(key())
			ignore(err)
		case op < 84:
			_, err := s.Incr("counter" + strconv.Itoa(rng.IntN(4)))
			ignore(err)
		case op < 86:
			_, err := s.PExpire(hkey(), int64(60_000+rng.IntN(60_000)))
			ignore(err)
		case op < 88:
			ignore(s.Rename(key(), key()))
		default:
			p := s.Pipeline()
			for range 1 + rng.IntN(5) {
				switch rng.IntN(4) {
				case 0:
					p.Set(key(), val())
				case 1:
					p.HSet(hkey(), "f"+strconv.Itoa(rng.IntN(8)), val())
				case 2:
					p.Del(key())
				case 3:
					p.PExpire(key(), int64(60_000+rng.IntN(60_000)))
				}
			}
			ignore(p.Exec())
		}
	}
}

func portOf(t testing.TB, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	return port
}

// ctxTimeout returns a context that ends after d or with the test.
func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

var _ = fmt.Sprintf

func (e *events) last(k replication.EventKind) (replication.Event, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := len(e.all) - 1; i >= 0; i-- {
		if e.all[i].Kind == k {
			return e.all[i], true
		}
	}
	return replication.Event{}, false
}
