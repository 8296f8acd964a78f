package replication_test

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/leakcheck"
	"github.com/emberkv/ember/replication"
	"github.com/emberkv/ember/store"
)

// serveFollower makes f serve followers of its own on a loopback port and
// returns the address.
func serveFollower(t testing.TB, f *replication.Follower) string {
	t.Helper()
	ln := listenLoopback(t)
	done := make(chan error, 1)
	go func() { done <- f.Serve(ln) }()
	t.Cleanup(func() {
		f.Close()
		select {
		case err := <-done:
			if !errors.Is(err, replication.ErrClosed) {
				t.Errorf("Serve returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return")
		}
	})
	return ln.Addr().String()
}

// TestFollower_Cascade: leader → B → C. C receives the leader's stream
// through B with the leader's replication ID and offsets; a full resync of
// B drops C, which resyncs too.
func TestFollower_Cascade(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, &store.Options{FeedBacklog: 64 << 10})
	l, laddr := startLeader(t, ls, nil)
	workload(t, ls, rand.New(rand.NewPCG(21, 22)), 2000, 300)

	bs := newStore(t, nil)
	bcut := &cutter{}
	bev := newEvents()
	b := startFollower(t, bs, laddr, &replication.FollowerOptions{Dial: bcut.dial, OnEvent: bev.add})
	baddr := serveFollower(t, b)
	cs := newStore(t, nil)
	cev := newEvents()
	c := startFollower(t, cs, baddr, &replication.FollowerOptions{OnEvent: cev.add})

	workload(t, ls, rand.New(rand.NewPCG(23, 24)), 2000, 300)
	time.Sleep(400 * time.Millisecond)
	waitSynced(t, b, l)
	waitSynced(t, c, l)
	assert.Equal(t, l.ReplID(), c.ReplID(), "the leader's history, through B")
	requireSameState(t, storeState(t, ls), storeState(t, cs))
	require.Len(t, b.Info().Followers, 1)
	// (With a 64 KiB backlog and writes going on, B may have needed more
	// than one full sync to catch up: count from here.)
	bFull, cFull := bev.count(replication.EventFullSync), cev.count(replication.EventFullSync)
	bPartial := bev.count(replication.EventPartialSync)

	// B loses its link for a moment: C stays connected and goes on from
	// where it was once B is back.
	bcut.cut(false)
	require.NoError(t, ls.Set("while-b-reconnects", "1"))
	waitSynced(t, b, l)
	waitSynced(t, c, l)
	assert.Equal(t, bPartial+1, bev.count(replication.EventPartialSync), bev.String())
	assert.Equal(t, bFull, bev.count(replication.EventFullSync), bev.String())
	assert.Equal(t, cFull, cev.count(replication.EventFullSync), cev.String())

	// B misses more than the leader's backlog: it resyncs in full, and so
	// does C (dropped by B).
	bcut.cut(true)
	eventually(t, 5*time.Second, func() bool { return !b.LinkUp() }, "B down")
	for i := range 2000 {
		require.NoError(t, ls.Set("burst"+strconv.Itoa(i), "a value to push the backlog along"))
	}
	bcut.up()
	waitSynced(t, b, l)
	waitSynced(t, c, l)
	assert.Equal(t, bFull+1, bev.count(replication.EventFullSync), bev.String())
	assert.Greater(t, cev.count(replication.EventFullSync), cFull, cev.String())
	requireSameState(t, storeState(t, ls), storeState(t, cs))
}

// TestFollower_CascadeIdenticalBytes: C's feed holds exactly the bytes of
// the leader's, at the same offsets.
func TestFollower_CascadeIdenticalBytes(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	ls := newStore(t, nil)
	l, laddr := startLeader(t, ls, nil)
	b := startFollower(t, newStore(t, nil), laddr, nil)
	baddr := serveFollower(t, b)
	cs := newStore(t, nil)
	c := startFollower(t, cs, baddr, nil)
	eventually(t, 10*time.Second, func() bool { return c.LinkUp() }, "C up")
	start := c.Offset()
	workload(t, ls, rand.New(rand.NewPCG(25, 26)), 500, 100)
	waitSynced(t, c, l)

	lf, err := ls.Feed()
	require.NoError(t, err)
	cf, err := cs.Feed()
	require.NoError(t, err)
	n := l.Offset() - start
	want, got := make([]byte, n), make([]byte, n)
	_, err = lf.ReadAt(want, start)
	require.NoError(t, err)
	_, err = cf.ReadAt(got, start)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

// TestFollower_Promote: leader A with followers B (which serves C) and D.
// A goes away; B is promoted; C and D (pointed at B) continue with partial
// resyncs thanks to B's secondary replication ID.
func TestFollower_Promote(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	as := newStore(t, nil)
	a, aaddr := startLeader(t, as, nil)
	workload(t, as, rand.New(rand.NewPCG(27, 28)), 1000, 200)

	bs := newStore(t, nil)
	b := startFollower(t, bs, aaddr, nil)
	baddr := serveFollower(t, b)
	cev, dev := newEvents(), newEvents()
	cs, ds := newStore(t, nil), newStore(t, nil)
	c := startFollower(t, cs, baddr, &replication.FollowerOptions{OnEvent: cev.add})
	d := startFollower(t, ds, aaddr, &replication.FollowerOptions{OnEvent: dev.add})
	time.Sleep(400 * time.Millisecond)
	for _, f := range []*replication.Follower{b, c, d} {
		waitSynced(t, f, a)
	}
	oldID, offset := a.ReplID(), a.Offset()
	require.NoError(t, a.Close())

	nb, err := b.Promote()
	require.NoError(t, err)
	t.Cleanup(func() { nb.Close() })
	again, err := b.Promote()
	require.NoError(t, err)
	assert.Same(t, nb, again)
	in := nb.Info()
	assert.Equal(t, "master", in.Role)
	assert.Equal(t, oldID, in.ReplID2)
	assert.Equal(t, offset+1, in.SecondOffset)
	assert.NotEqual(t, oldID, in.ReplID)
	assert.Equal(t, "master", b.Info().Role, "the Follower reports as its Leader")
	assert.Equal(t, in.ReplID, b.Info().ReplID)

	require.NoError(t, bs.Set("after-promotion", "1"), "the store is writable")
	require.NoError(t, d.SetLeaderAddr(baddr))
	waitSynced(t, c, nb)
	waitSynced(t, d, nb)
	for _, f := range []*replication.Follower{c, d} {
		assert.Equal(t, nb.ReplID(), f.ReplID())
		fi := f.Info()
		assert.Equal(t, oldID, fi.ReplID2)
		assert.Equal(t, offset+1, fi.SecondOffset)
	}
	assert.Equal(t, 1, cev.count(replication.EventFullSync), cev.String())
	assert.Equal(t, 1, dev.count(replication.EventFullSync), dev.String())
	assert.GreaterOrEqual(t, cev.count(replication.EventPartialSync), 1, cev.String())
	assert.GreaterOrEqual(t, dev.count(replication.EventPartialSync), 1, dev.String())
	requireSameState(t, storeState(t, bs), storeState(t, cs))
	requireSameState(t, storeState(t, bs), storeState(t, ds))
	v, _, _ := ds.Get("after-promotion")
	assert.Equal(t, "1", v)
	assert.ErrorIs(t, b.Run(ctxTimeout(t, time.Second)), replication.ErrPromoted)
}

// TestFollower_NoMasterLink: a follower whose own link is down refuses to
// serve syncs.
func TestFollower_NoMasterLink(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	fs := newStore(t, nil)
	f, err := replication.NewFollower(fs, "127.0.0.1:1", nil) // never started
	require.NoError(t, err)
	addr := serveFollower(t, f)
	c := dialClient(t, addr)
	v := c.do(t, "PSYNC", "?", "-1")
	assert.Equal(t, "NOMASTERLINK Can't SYNC while not connected with my master", string(v.Str))
	in := parseInfo(string(c.do(t, "INFO").Str))
	assert.Equal(t, "slave", in["role"])
	assert.Equal(t, "down", in["master_link_status"])
	assert.Equal(t, "-1", in["master_link_down_since_seconds"])
}
