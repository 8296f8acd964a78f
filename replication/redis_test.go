package replication_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/leakcheck"
	"github.com/emberkv/ember/internal/rdb"
	"github.com/emberkv/ember/internal/resp/resptest"
	"github.com/emberkv/ember/pubsub"
	"github.com/emberkv/ember/replication"
)

// TestLeader_RedisReplica: a stock redis-server replica of an Ember leader
// loads its snapshot, then follows a random workload; afterwards every key,
// value, field and TTL on the replica equals the leader's.
func TestLeader_RedisReplica(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH")
	}
	t.Cleanup(leakcheck.Check(t)) // first registered, so it runs after the other cleanups
	st := newStore(t, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	workload(t, st, rng, 3000, 500) // in the snapshot

	ev := newEvents()
	l, addr := startLeader(t, st, &replication.LeaderOptions{OnEvent: ev.add, PingPeriod: 200 * time.Millisecond})
	r := resptest.StartRedis(t, "", "--replicaof", "127.0.0.1", portOf(t, addr))
	c := dialClient(t, r.Addr)

	// Writes while the replica syncs and after.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		workload(t, st, rand.New(rand.NewPCG(3, 4)), 5000, 500)
	}()
	wg.Wait()
	time.Sleep(400 * time.Millisecond) // the short TTLs have passed: no key changes while comparing

	eventually(t, 20*time.Second, func() bool {
		in := c.info(t)
		return in["master_link_status"] == "up" && in["master_repl_offset"] == strconv.FormatInt(l.Offset(), 10)
	}, "replica at offset %d: %v", l.Offset(), c.info(t))

	in := c.info(t)
	assert.Equal(t, l.ReplID(), in["master_replid"])
	requireSameState(t, storeState(t, st), redisState(t, c))
	assert.Equal(t, 1, ev.count(replication.EventFullSyncServed), ev.String())

	// The leader sees the replica's ACKs and listening port.
	eventually(t, 10*time.Second, func() bool {
		f := l.Info().Followers
		return len(f) == 1 && f[0].State == "online" && f[0].Offset == l.Offset()
	}, "ACK: %+v", l.Info().Followers)
	assert.Equal(t, portOf(t, r.Addr), strconv.Itoa(l.Info().Followers[0].Port))
	n, err := l.WaitForFollowers(ctxTimeout(t, 10*time.Second), 1)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// TestLeader_RedisReplicaPartialResync: a redis-server replica whose link
// was cut continues with PSYNC from the backlog.
func TestLeader_RedisReplicaPartialResync(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH")
	}
	t.Cleanup(leakcheck.Check(t)) // first registered, so it runs after the other cleanups
	st := newStore(t, nil)
	ev := newEvents()
	l, addr := startLeader(t, st, &replication.LeaderOptions{OnEvent: ev.add})
	require.NoError(t, st.Set("before", "1"))
	r := resptest.StartRedis(t, "", "--replicaof", "127.0.0.1", portOf(t, addr))
	c := dialClient(t, r.Addr)
	eventually(t, 20*time.Second, func() bool {
		return c.info(t)["master_repl_offset"] == strconv.FormatInt(l.Offset(), 10)
	}, "sync")

	// CLIENT KILL TYPE master cuts the link from the replica's side.
	c.do(t, "CLIENT", "KILL", "TYPE", "master")
	require.NoError(t, st.Set("during", "2"))
	eventually(t, 20*time.Second, func() bool {
		in := c.info(t)
		return in["master_link_status"] == "up" && in["master_repl_offset"] == strconv.FormatInt(l.Offset(), 10)
	}, "resync")
	assert.Equal(t, 1, ev.count(replication.EventFullSyncServed), ev.String())
	assert.GreaterOrEqual(t, ev.count(replication.EventPartialSyncServed), 1, ev.String())
	assert.Equal(t, "2", string(c.do(t, "GET", "during").Str))
}

// TestLeader_RedisCliReplica: redis-cli --replica attaches with SYNC and
// prints the stream.
func TestLeader_RedisCliReplica(t *testing.T) {
	bin, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not on PATH")
	}
	t.Cleanup(leakcheck.Check(t)) // first registered, so it runs after the other cleanups
	st := newStore(t, nil)
	require.NoError(t, st.Set("old", "not in the stream"))
	l, addr := startLeader(t, st, nil)

	var out, errOut syncBuffer
	cmd := exec.Command(bin, "-h", "127.0.0.1", "-p", portOf(t, addr), "--replica")
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	eventually(t, 10*time.Second, func() bool { return strings.Contains(errOut.String(), "SYNC done") }, "redis-cli: %s", &errOut)
	eventually(t, 10*time.Second, func() bool { return len(l.Info().Followers) == 1 }, "follower listed")

	require.NoError(t, st.Set("a", "1"))
	_, err = st.HSet("h", "f", "v")
	require.NoError(t, err)
	p := st.Pipeline()
	p.Set("b", "2")
	p.Del("a")
	require.NoError(t, p.Exec())
	eventually(t, 10*time.Second, func() bool { return strings.Contains(out.String(), `"EXEC"`) }, "stream: %s", &out)
	got := out.String()
	for _, want := range []string{`"SELECT","0"`, `"SET","a","1"`, `"HSET","h","f","v"`, `"MULTI"`, `"SET","b","2"`, `"DEL","a"`, `"EXEC"`} {
		assert.Contains(t, got, want)
	}
	assert.NotContains(t, got, "not in the stream", "redis-cli asked for an RDB without keys")
	f := l.Info().Followers
	require.Len(t, f, 1)
	assert.Equal(t, "online", f[0].State)
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestFollower_RedisPrimary: an Ember follower of a stock redis-server
// loads its snapshot (both payload forms) and applies its stream: strings,
// hashes, TTLs, INCR, MULTI/EXEC, other databases and types (skipped),
// PUBLISH; then it resumes with a partial resync after a cut link.
func TestFollower_RedisPrimary(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH")
	}
	for _, diskless := range []string{"yes", "no"} {
		t.Run("diskless="+diskless, func(t *testing.T) {
			t.Cleanup(leakcheck.Check(t))
			r := resptest.StartRedis(t, "", "--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0")
			c := dialClient(t, r.Addr)
			c.do(t, "SET", "before", "snapshot")
			c.do(t, "HSET", "hbefore", "f", "v", "n", "12345")
			c.do(t, "SET", "ttl", "x", "EX", "1000")
			c.do(t, "RPUSH", "list", "a", "b") // a type Ember does not hold
			c.do(t, "SELECT", "1")
			c.do(t, "SET", "db1", "not db 0")
			c.do(t, "SELECT", "0")

			broker := pubsub.New(nil)
			t.Cleanup(func() { broker.Close() })
			sub, err := broker.Subscribe(ctxTimeout(t, time.Minute), "news")
			require.NoError(t, err)
			<-sub.Channel() // the subscribe confirmation

			fs := newStore(t, nil)
			fev := newEvents()
			cut := &cutter{}
			f := startFollower(t, fs, r.Addr, &replication.FollowerOptions{Broker: broker, OnEvent: fev.add, Dial: cut.dial})
			offset := func() int64 {
				n, err := strconv.ParseInt(c.info(t)["master_repl_offset"], 10, 64)
				require.NoError(t, err)
				return n
			}
			synced := func() {
				eventually(t, 20*time.Second, func() bool { return f.LinkUp() && f.Offset() == offset() },
					"follower at %d, redis at %d", f.Offset(), offset())
			}
			synced()

			c.do(t, "SET", "a", "1")
			c.do(t, "SET", "b", "2", "PX", "100000")
			c.do(t, "INCR", "counter")
			c.do(t, "INCRBYFLOAT", "float", "1.5")
			c.do(t, "HSET", "h", "f1", "v1", "f2", "v2")
			c.do(t, "HDEL", "h", "f1")
			c.do(t, "HINCRBY", "h", "n", "3")
			c.do(t, "EXPIRE", "h", "500")
			c.do(t, "APPEND", "a", "23")
			c.do(t, "DEL", "before")
			c.do(t, "MULTI")
			c.do(t, "SET", "tx1", "x")
			c.do(t, "LPUSH", "list", "c")
			c.do(t, "INCR", "counter")
			c.do(t, "EXEC")
			c.do(t, "SELECT", "2")
			c.do(t, "SET", "db2", "not db 0")
			c.do(t, "SELECT", "0")
			c.do(t, "SET", "after-select", "yes")
			c.do(t, "PUBLISH", "news", "hello followers")
			synced()
			requireSameState(t, redisState(t, c), storeState(t, fs))
			v, _, _ := fs.Get("counter")
			assert.Equal(t, "2", v)
			select {
			case m := <-sub.Channel():
				assert.Equal(t, "hello followers", m.Payload)
			case <-time.After(10 * time.Second):
				t.Fatal("PUBLISH did not reach the follower's broker")
			}

			cut.cut(false)
			c.do(t, "SET", "during", "cut")
			synced()
			assert.Equal(t, 1, fev.count(replication.EventFullSync), fev.String())
			assert.Equal(t, 1, fev.count(replication.EventPartialSync), fev.String())
			requireSameState(t, redisState(t, c), storeState(t, fs))
			// Redis lists the follower with its ACKed offset.
			eventually(t, 10*time.Second, func() bool {
				return strings.Contains(c.info(t)["slave0"], "offset="+strconv.FormatInt(offset(), 10))
			}, "ACK: %v", c.info(t))
		})
	}
}

// TestFollower_RedisSubReplica: a stock redis-server can follow an Ember
// follower (cascading): it gets the leader's history, ID and offsets.
func TestFollower_RedisSubReplica(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH")
	}
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, laddr := startLeader(t, ls, nil)
	workload(t, ls, rand.New(rand.NewPCG(41, 42)), 1000, 200)
	b := startFollower(t, newStore(t, nil), laddr, nil)
	waitSynced(t, b, l)
	baddr := serveFollower(t, b)
	r := resptest.StartRedis(t, "", "--replicaof", "127.0.0.1", portOf(t, baddr))
	c := dialClient(t, r.Addr)
	workload(t, ls, rand.New(rand.NewPCG(43, 44)), 1000, 200)
	time.Sleep(400 * time.Millisecond)
	waitSynced(t, b, l)
	eventually(t, 20*time.Second, func() bool {
		in := c.info(t)
		return in["master_link_status"] == "up" && in["master_repl_offset"] == strconv.FormatInt(l.Offset(), 10)
	}, "redis at the leader's offset %d: %v", l.Offset(), c.info(t))
	assert.Equal(t, l.ReplID(), c.info(t)["master_replid"])
	requireSameState(t, storeState(t, ls), redisState(t, c))
}

// TestLeader_RedisCliRDB: redis-cli --rdb downloads the leader's snapshot.
func TestLeader_RedisCliRDB(t *testing.T) {
	bin, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not on PATH")
	}
	t.Cleanup(leakcheck.Check(t))
	st := newStore(t, nil)
	workload(t, st, rand.New(rand.NewPCG(51, 52)), 500, 100)
	_, addr := startLeader(t, st, nil)
	file := t.TempDir() + "/dump.rdb"
	out, err := exec.Command(bin, "-h", "127.0.0.1", "-p", portOf(t, addr), "--rdb", file).CombinedOutput()
	require.NoError(t, err, "%s", out)
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	r := rdb.NewReader(bytes.NewReader(data), nil)
	got := map[string]bool{}
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got[e.Key] = true
	}
	assert.True(t, r.ChecksumChecked())
	keys, err := st.Keys("*")
	require.NoError(t, err)
	for _, k := range keys {
		assert.True(t, got[k], "key %q in the snapshot", k)
	}
}
