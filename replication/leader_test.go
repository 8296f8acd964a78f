package replication_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/leakcheck"
	"github.com/emberkv/ember/pubsub"
	"github.com/emberkv/ember/replication"
	"github.com/emberkv/ember/store"
)

// TestLeader_PubSub: messages published through the leader reach the
// subscribers of the follower's broker.
func TestLeader_PubSub(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	lb, fb := pubsub.New(nil), pubsub.New(nil)
	t.Cleanup(func() { lb.Close(); fb.Close() })
	ls := newStore(t, nil)
	l, addr := startLeader(t, ls, &replication.LeaderOptions{Broker: lb})
	f := startFollower(t, newStore(t, nil), addr, &replication.FollowerOptions{Broker: fb})
	waitSynced(t, f, l)

	ctx := ctxTimeout(t, 10*time.Second)
	local, err := lb.Subscribe(ctx, "news")
	require.NoError(t, err)
	<-local.Channel()
	remote, err := fb.PSubscribe(ctx, "ne*")
	require.NoError(t, err)
	<-remote.Channel()

	n, err := l.Publish(ctx, "news", "hello")
	require.NoError(t, err)
	assert.Equal(t, 1, n, "one local delivery")
	for _, sub := range []*pubsub.Subscription{local, remote} {
		select {
		case m := <-sub.Channel():
			assert.Equal(t, "news", m.Channel)
			assert.Equal(t, "hello", m.Payload)
		case <-ctx.Done():
			t.Fatal("message not delivered")
		}
	}
}

// TestLeader_BrokerPublish: a Publish on the leader's broker itself reaches
// the follower's subscribers, in order with Leader.Publish; keyspace
// notifications do not travel (the follower derives its own), and a closed
// Leader no longer hooks the broker.
func TestLeader_BrokerPublish(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	lb, fb := pubsub.New(nil), pubsub.New(nil)
	t.Cleanup(func() { lb.Close(); fb.Close() })
	notify, err := lb.KeyspaceNotifier("KEA")
	require.NoError(t, err)
	ls := newStore(t, &store.Options{Notify: notify})
	l, addr := startLeader(t, ls, &replication.LeaderOptions{Broker: lb})
	f := startFollower(t, newStore(t, nil), addr, &replication.FollowerOptions{Broker: fb})
	waitSynced(t, f, l)

	ctx := ctxTimeout(t, 10*time.Second)
	remote, err := fb.PSubscribe(ctx, "*")
	require.NoError(t, err)
	<-remote.Channel()
	local, err := lb.PSubscribe(ctx, "__key*")
	require.NoError(t, err)
	<-local.Channel()

	require.NoError(t, ls.Set("k", "v")) // two keyspace notifications on the leader
	_, err = lb.Publish(ctx, "direct", "1")
	require.NoError(t, err)
	_, err = l.Publish(ctx, "via-leader", "2")
	require.NoError(t, err)
	_, err = lb.Publish(ctx, "direct", "3")
	require.NoError(t, err)
	var got []string
	for range 3 {
		select {
		case m := <-remote.Channel():
			got = append(got, m.Channel+" "+m.Payload)
		case <-ctx.Done():
			t.Fatal("message not delivered")
		}
	}
	assert.Equal(t, []string{"direct 1", "via-leader 2", "direct 3"}, got,
		"no keyspace notification in the stream, the rest in order")
	for range 2 {
		m := <-local.Channel()
		assert.Contains(t, m.Channel, "__key", "the leader's own notifications are delivered locally")
	}

	before := l.Offset()
	require.NoError(t, l.Close())
	_, err = lb.Publish(ctx, "direct", "after close")
	require.NoError(t, err)
	assert.Equal(t, before, l.Offset(), "a closed Leader records nothing")
}

// TestLeader_WaitForFollowers is WAIT: it counts the followers that have
// acknowledged the writes made before the call.
func TestLeader_WaitForFollowers(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	// A long ACK period: WaitForFollowers must ask (GETACK) rather than wait.
	l, addr := startLeader(t, ls, nil)
	c1, c2 := &cutter{}, &cutter{}
	f1 := startFollower(t, newStore(t, nil), addr, &replication.FollowerOptions{Dial: c1.dial, AckPeriod: time.Hour})
	f2 := startFollower(t, newStore(t, nil), addr, &replication.FollowerOptions{Dial: c2.dial, AckPeriod: time.Hour})
	waitSynced(t, f1, l)
	waitSynced(t, f2, l)

	require.NoError(t, ls.Set("k", "v"))
	start := time.Now()
	n, err := l.WaitForFollowers(ctxTimeout(t, 10*time.Second), 2)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Less(t, time.Since(start), 5*time.Second)

	c2.cut(true)
	eventually(t, 5*time.Second, func() bool { return len(l.Info().Followers) == 1 }, "f2 gone")
	require.NoError(t, ls.Set("k", "w"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	n, err = l.WaitForFollowers(ctx, 2)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, 1, n, "%+v offset %d", l.Info().Followers, l.Offset())
	c2.up()
}

// TestLeader_Shutdown: a graceful shutdown lets the followers receive and
// acknowledge the last writes before the links close.
func TestLeader_Shutdown(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, err := replication.NewLeader(ls, nil)
	require.NoError(t, err)
	ln := listenLoopback(t)
	served := make(chan error, 1)
	go func() { served <- l.Serve(ln) }()
	fs := newStore(t, nil)
	f := startFollower(t, fs, ln.Addr().String(), &replication.FollowerOptions{AckPeriod: time.Hour})
	waitSynced(t, f, l)
	for i := range 1000 {
		require.NoError(t, ls.Set("k", string(rune('a'+i%26))))
	}
	final := l.Offset()
	require.NoError(t, l.Shutdown(ctxTimeout(t, 10*time.Second)))
	require.ErrorIs(t, <-served, replication.ErrClosed)
	assert.GreaterOrEqual(t, f.Offset(), final)
	want, _, _ := ls.Get("k")
	got, _, _ := fs.Get("k")
	assert.Equal(t, want, got)
	require.NoError(t, l.Shutdown(context.Background()), "idempotent")
	require.NoError(t, l.Close())
	_, err = l.Publish(context.Background(), "c", "m")
	require.ErrorIs(t, err, replication.ErrClosed)
	require.ErrorIs(t, l.Serve(listenLoopback(t)), replication.ErrClosed)
}

// TestLeader_TLS: leader and follower speak TLS; a plain-text follower gets
// nowhere.
func TestLeader_TLS(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	cert, pool := selfSigned(t)
	ls := newStore(t, nil)
	require.NoError(t, ls.Set("secret", "over tls"))
	l, addr := startLeader(t, ls, &replication.LeaderOptions{
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	})
	fs := newStore(t, nil)
	f := startFollower(t, fs, addr, &replication.FollowerOptions{
		TLSConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	})
	waitSynced(t, f, l)
	v, _, _ := fs.Get("secret")
	assert.Equal(t, "over tls", v)

	plain := newStore(t, nil)
	pf, err := replication.NewFollower(plain, addr, &replication.FollowerOptions{HandshakeTimeout: 200 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, pf.Run(ctx), context.DeadlineExceeded)
	assert.False(t, pf.LinkUp())
	require.NoError(t, pf.Close())

	_, err = replication.NewLeader(ls, &replication.LeaderOptions{TLSConfig: &tls.Config{}})
	assert.ErrorContains(t, err, "certificate")
}

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ember test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// TestInfo_String checks the Redis layout of INFO replication, for a leader
// (served over the wire too) and a follower.
func TestInfo_String(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, addr := startLeader(t, ls, nil)
	f := startFollower(t, newStore(t, nil), addr, &replication.FollowerOptions{AnnouncePort: 7001, AnnounceIP: "10.0.0.9"})
	require.NoError(t, ls.Set("a", "1"))
	waitSynced(t, f, l)
	eventually(t, 5*time.Second, func() bool { return l.Info().Followers[0].Offset == l.Offset() }, "ACK")

	li := l.Info().String()
	names := func(s string) []string {
		var out []string
		for _, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
			name, _, _ := strings.Cut(line, ":")
			out = append(out, name)
		}
		return out
	}
	assert.Equal(t, []string{"# Replication", "role", "connected_slaves", "slave0", "master_failover_state",
		"master_replid", "master_replid2", "master_repl_offset", "second_repl_offset", "repl_backlog_active",
		"repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen"}, names(li))
	m := parseInfo(li)
	assert.Equal(t, "master", m["role"])
	assert.Regexp(t, `^ip=10\.0\.0\.9,port=7001,state=online,offset=\d+,lag=\d+$`, m["slave0"])
	assert.Equal(t, l.ReplID(), m["master_replid"])
	assert.Equal(t, strings.Repeat("0", 40), m["master_replid2"])
	assert.Equal(t, "-1", m["second_repl_offset"])
	assert.Equal(t, "1", m["repl_backlog_active"])

	c := dialClient(t, addr)
	wire := parseInfo(string(c.do(t, "INFO", "replication").Str))
	assert.Equal(t, m["master_replid"], wire["master_replid"])

	fi := f.Info().String()
	assert.Equal(t, []string{"# Replication", "role", "master_host", "master_port", "master_link_status",
		"master_last_io_seconds_ago", "master_sync_in_progress", "slave_read_repl_offset", "slave_repl_offset",
		"slave_priority", "slave_read_only", "replica_announced", "connected_slaves", "master_failover_state",
		"master_replid", "master_replid2", "master_repl_offset", "second_repl_offset", "repl_backlog_active",
		"repl_backlog_size", "repl_backlog_first_byte_offset", "repl_backlog_histlen"}, names(fi))
	m = parseInfo(fi)
	host, port, _ := net.SplitHostPort(addr)
	assert.Equal(t, "slave", m["role"])
	assert.Equal(t, host, m["master_host"])
	assert.Equal(t, port, m["master_port"])
	assert.Equal(t, "up", m["master_link_status"])
	assert.Equal(t, "0", m["master_sync_in_progress"])
	assert.Equal(t, "1", m["slave_read_only"])
	assert.Equal(t, m["slave_repl_offset"], m["master_repl_offset"])
}

func TestInfo_BacklogSize(t *testing.T) {
	st := newStore(t, &store.Options{FeedBacklog: 1 << 20})
	l, err := replication.NewLeader(st, nil)
	require.NoError(t, err)
	defer l.Close()
	assert.Equal(t, int64(1<<20), l.Info().BacklogSize)
	assert.Contains(t, l.Info().String(), "repl_backlog_size:1048576\r\n")
}
