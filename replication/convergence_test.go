package replication_test

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/emberkv/ember/internal/leakcheck"
	"github.com/emberkv/ember/replication"
	"github.com/emberkv/ember/store"
)

// TestConvergence: concurrent writers on a leader while the links of a
// chain (leader → B → C) and of a second follower D are cut at random, some
// for long enough to overrun the backlog. After quiescence every follower
// equals the leader, key by key.
func TestConvergence(t *testing.T) {
	t.Cleanup(leakcheck.Check(t))
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))

	ls := newStore(t, &store.Options{FeedBacklog: 2 << 20})
	l, laddr := startLeader(t, ls, &replication.LeaderOptions{PingPeriod: 50 * time.Millisecond})
	workload(t, ls, rng, 2000, 500)

	cb, cc, cd := &cutter{}, &cutter{}, &cutter{}
	bs, cs, ds := newStore(t, nil), newStore(t, nil), newStore(t, nil)
	bev, cev, dev := newEvents(), newEvents(), newEvents()
	b := startFollower(t, bs, laddr, &replication.FollowerOptions{Dial: cb.dial, OnEvent: bev.add, AckPeriod: 20 * time.Millisecond})
	baddr := serveFollower(t, b)
	c := startFollower(t, cs, baddr, &replication.FollowerOptions{Dial: cc.dial, OnEvent: cev.add})
	d := startFollower(t, ds, laddr, &replication.FollowerOptions{Dial: cd.dial, OnEvent: dev.add})

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(10+w)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				workload(t, ls, r, 50, 500)
			}
		}()
	}
	wg.Add(1)
	go func() { // chaos
		defer wg.Done()
		r := rand.New(rand.NewPCG(seed, 2))
		cutters := []*cutter{cb, cc, cd}
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(5+r.IntN(60)) * time.Millisecond):
			}
			ct := cutters[r.IntN(len(cutters))]
			down := r.IntN(3) == 0
			ct.cut(down)
			if down {
				time.Sleep(time.Duration(r.IntN(150)) * time.Millisecond)
				ct.up()
			}
		}
	}()
	time.Sleep(2 * time.Second)
	close(stop)
	wg.Wait()
	for _, ct := range []*cutter{cb, cc, cd} {
		ct.up()
	}
	time.Sleep(400 * time.Millisecond) // the short TTLs have passed; the sweeper's DELs are out

	for _, f := range []*replication.Follower{b, c, d} {
		waitSynced(t, f, l)
	}
	want := storeState(t, ls)
	for name, s := range map[string]*store.Store{"B": bs, "C": cs, "D": ds} {
		t.Logf("%s: %d keys", name, len(want))
		requireSameState(t, want, storeState(t, s))
	}
	t.Logf("B: %d full, %d partial; C: %d full, %d partial; D: %d full, %d partial",
		bev.count(replication.EventFullSync), bev.count(replication.EventPartialSync),
		cev.count(replication.EventFullSync), cev.count(replication.EventPartialSync),
		dev.count(replication.EventFullSync), dev.count(replication.EventPartialSync))
}
