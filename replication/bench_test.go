package replication_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/rdb"
	"github.com/emberkv/ember/internal/resp"
	"github.com/emberkv/ember/internal/split"
	"github.com/emberkv/ember/replication"
	"github.com/emberkv/ember/store"
)

// benchKeys and benchValue are the 16-byte keys and 64-byte values of the
// performance targets. The keys are made on first use, all in one string: as
// a package variable they were 1M more objects for every collection in every
// benchmark (and in the lag benchmark's follower process, this binary too),
// and as 1M strings made on first use they stayed for every later benchmark
// of the process to mark: BenchmarkLagProcess after one that had made them,
// p99 0.72-1.70 ms (median 1.10) against 0.57-1.20 (0.63) alone, 5
// alternating runs each.
var benchKeys = sync.OnceValue(func() keySet {
	var b strings.Builder
	b.Grow(benchKeyCount * 16)
	for i := range benchKeyCount {
		fmt.Fprintf(&b, "key:%012d", i)
	}
	return keySet(b.String())
})

const benchKeyCount = 1 << 20

// keySet is benchKeyCount keys of 16 bytes, one after the other.
type keySet string

// at returns key i.
func (k keySet) at(i int) string { return string(k[i*16 : i*16+16]) }

var benchValue = string(bytes.Repeat([]byte("v"), 64))

// fakeLeader answers one follower's handshake with a full resync of an
// empty snapshot at offset 0, then writes stream and waits until closed.
func fakeLeader(tb testing.TB, stream []byte) (addr string, done <-chan struct{}) {
	tb.Helper()
	ln := listenLoopback(tb)
	var empty bytes.Buffer
	require.NoError(tb, rdb.NewWriter(&empty, nil).Close())
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		c, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer c.Close()
		r := resp.NewReader(bufio.NewReader(c), nil)
		for {
			args, _, err := r.ReadCommandStrings(nil)
			if err != nil {
				return
			}
			switch args[0] {
			case "PING":
				_, _ = c.Write([]byte("+PONG\r\n"))
			case "REPLCONF":
				if len(args) > 1 && args[1] == "ACK" {
					continue
				}
				_, _ = c.Write([]byte("+OK\r\n"))
			case "PSYNC":
				hdr := fmt.Sprintf("+FULLRESYNC %s 0\r\n$%d\r\n", bytes.Repeat([]byte("a"), 40), empty.Len())
				_, _ = c.Write(append([]byte(hdr), empty.Bytes()...))
				_, _ = c.Write(stream)
				// Read the ACKs until the follower goes away.
				for {
					if _, _, err := r.ReadCommandStrings(nil); err != nil {
						return
					}
				}
			}
		}
	}()
	tb.Cleanup(func() { ln.Close() })
	return ln.Addr().String(), finished
}

// BenchmarkFollower_Apply measures how many mutations per second a follower
// applies from a leader over loopback: SETs of 16-byte keys and 64-byte
// values, as a Redis master streams them.
func BenchmarkFollower_Apply(b *testing.B) {
	const n = 1 << 20
	keys := benchKeys()
	var stream []byte
	for i := range n {
		stream = resp.AppendCommand(stream, "SET", keys.at(i%(256<<10)), benchValue)
	}
	for b.Loop() {
		b.StopTimer()
		fs, err := store.New(nil)
		require.NoError(b, err)
		addr, done := fakeLeader(b, stream)
		f, err := replication.NewFollower(fs, addr, nil)
		require.NoError(b, err)
		b.StartTimer()
		start := time.Now()
		require.NoError(b, f.Start())
		require.NoError(b, f.WaitForOffset(context.Background(), int64(len(stream))))
		elapsed := time.Since(start)
		b.StopTimer()
		b.ReportMetric(float64(n)/elapsed.Seconds(), "mutations/s")
		f.Close()
		<-done
		fs.Close()
		b.StartTimer()
	}
}

// BenchmarkLeader_Write measures the leader's write throughput (SETs from
// one goroutine, as redis-server's one thread, and from one per P) without
// replication, with a Leader serving but no follower, and with
// one follower attached over loopback, in this process or in another.
// writes/s is the leader's own rate: the clock stops when the writers are
// done. With a follower, synced-writes/s also counts the time the follower
// then takes to acknowledge the last write (Leader.WaitForFollowers), the
// rate of writes applied on the follower, and the run fails if the
// follower's link dropped on the way (a follower too far behind is cut off
// and resyncs). The leader keeps a 256 MiB backlog, Redis's hard
// output-buffer limit for a replica, for what the follower applies late;
// before the clock starts the ring is written full once, so that no timed
// write pays for the first touch of its pages (which took the feed's cost
// from about 100 to 400 ns per write with one writer).
func BenchmarkLeader_Write(b *testing.B) {
	keys := benchKeys()
	for _, mode := range []string{"plain", "feed", "follower", "follower-process"} {
		b.Run("mode="+mode, func(b *testing.B) {
			const backlog = 256 << 20
			ls := newStore(b, &store.Options{FeedBacklog: backlog})
			var l *replication.Leader
			switch mode {
			case "feed":
				startLeader(b, ls, nil)
			case "follower":
				var addr string
				l, addr = startLeader(b, ls, nil)
				f := startFollower(b, newStore(b, nil), addr, nil)
				waitSynced(b, f, l)
			case "follower-process":
				var addr string
				l, addr = startLeader(b, ls, nil)
				startFollowerProcess(b, addr)
				eventually(b, 10*time.Second, func() bool {
					f := l.Info().Followers
					return len(f) == 1 && f[0].State == "online"
				}, "child follower online")
			}
			// Warm the feed's ring: write it full once, untimed, so that
			// the timed writes do not pay for the first touch of its pages.
			for i := range backlog/80 + 1 {
				require.NoError(b, ls.Set(keys.at(i&(1<<18-1)), benchValue))
			}
			if l != nil {
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				_, err := l.WaitForFollowers(ctx, 1)
				cancel()
				require.NoError(b, err)
			}
			writers := []int{1}
			if procs := runtime.GOMAXPROCS(0); procs > 1 {
				writers = append(writers, procs)
			}
			for _, w := range writers {
				b.Run("writers="+strconv.Itoa(w), func(b *testing.B) { timedWrites(b, ls, l, w) })
			}
		})
	}
}

// timedWrites is BenchmarkLeader_Write's clocked part: b.N SETs on ls from
// writers goroutines, which take runs of keys in chunks from a counter
// shared once per chunk (b.RunParallel's is shared every few writes: see
// internal/split). l is the Leader with a follower attached, or nil.
func timedWrites(b *testing.B, ls *store.Store, l *replication.Leader, writers int) {
	keys := benchKeys()
	runtime.GC()
	var link replication.FollowerInfo
	if l != nil {
		link = l.Info().Followers[0]
	}
	b.ReportAllocs()
	b.ResetTimer()
	split.Run(writers, b.N, func(_, from, to int) {
		for i := from; i < to; i++ {
			if err := ls.Set(keys.at(i&(1<<18-1)), benchValue); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
	if l == nil {
		return
	}
	// The follower must still be attached, and catch up: the time it takes
	// after the last write gives the rate of writes applied on the follower.
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	n, err := l.WaitForFollowers(ctx, 1)
	cancel()
	catchUp := time.Since(start)
	require.NoError(b, err)
	require.Equal(b, 1, n)
	now := l.Info().Followers
	require.Len(b, now, 1)
	require.Equal(b, link.Addr, now[0].Addr, "the follower's link dropped during the run")
	b.ReportMetric(float64(b.N)/(b.Elapsed()+catchUp).Seconds(), "synced-writes/s")
}

// BenchmarkLeader_FeedCost is the cost of the feed on one writer: a SET
// with the feed started minus one without.
func BenchmarkLeader_FeedCost(b *testing.B) {
	keys := benchKeys()
	for _, feed := range []bool{false, true} {
		b.Run("feed="+strconv.FormatBool(feed), func(b *testing.B) {
			ls := newStore(b, nil)
			if feed {
				_, err := ls.Feed()
				require.NoError(b, err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := ls.Set(keys.at(i&(1<<16-1)), benchValue); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkFullSync_1M measures a full resync of a million keys (16-byte
// keys, 64-byte values): from the follower's start to its link being up
// with the whole snapshot loaded.
func BenchmarkFullSync_1M(b *testing.B) {
	ls := newStore(b, nil)
	const n = 1_000_000
	p := ls.Pipeline()
	for i := range n {
		p.Set(fmt.Sprintf("key:%012d", i), benchValue)
		if p.Len() == 10_000 {
			require.NoError(b, p.Exec())
			p = ls.Pipeline()
		}
	}
	require.NoError(b, p.Exec())
	l, addr := startLeader(b, ls, nil)
	for b.Loop() {
		b.StopTimer()
		fs, err := store.New(nil)
		require.NoError(b, err)
		f, err := replication.NewFollower(fs, addr, nil)
		require.NoError(b, err)
		runtime.GC()
		b.StartTimer()
		start := time.Now()
		require.NoError(b, f.Start())
		require.NoError(b, f.WaitForOffset(context.Background(), l.Offset()))
		for !f.LinkUp() {
			time.Sleep(100 * time.Microsecond)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/sync")
		b.StopTimer()
		keys, _ := fs.DBSize()
		require.Equal(b, int64(n), keys)
		f.Close()
		fs.Close()
		b.StartTimer()
	}
}

// BenchmarkLag measures the time from a write on the leader to its
// visibility on a follower in the same process over loopback, at a paced
// 100k writes/s for one second, and reports its percentiles (see
// lagRecorder; BenchmarkLagProcess puts the follower in another process).
func BenchmarkLag(b *testing.B) {
	const rate, n = 100_000, 100_000
	ls := newStore(b, nil)
	l, addr := startLeader(b, ls, nil)
	for b.Loop() {
		b.StopTimer()
		require.NoError(b, ls.FlushAll()) // the new follower's sync brings no old lag: keys
		rec := newLagRecorder(n)
		fs, err := store.New(&store.Options{Notify: rec.notify})
		require.NoError(b, err)
		rec.st = fs
		f := startFollower(b, fs, addr, nil)
		require.NoError(b, ls.Set("warm", "up"))
		waitSynced(b, f, l)
		b.StartTimer()
		require.NoError(b, writePaced(ls, n, rate))
		p50, p99, p999, err := rec.wait(10 * time.Second)
		b.StopTimer()
		require.NoError(b, err)
		b.ReportMetric(p50, "p50-µs")
		b.ReportMetric(p99, "p99-µs")
		b.ReportMetric(p999, "p99.9-µs")
		f.Close()
		fs.Close()
		b.StartTimer()
	}
}

// BenchmarkWriteLatency_DuringFullSync compares the p99 latency of
// leader writes in steady state with a follower attached, and while a
// second follower receives a full resync of a million keys.
func BenchmarkWriteLatency_DuringFullSync(b *testing.B) {
	keys := benchKeys()
	ls := newStore(b, nil)
	p := ls.Pipeline()
	for i := range 1_000_000 {
		p.Set(fmt.Sprintf("key:%012d", i), benchValue)
		if p.Len() == 10_000 {
			require.NoError(b, p.Exec())
			p = ls.Pipeline()
		}
	}
	require.NoError(b, p.Exec())
	l, addr := startLeader(b, ls, nil)
	f := startFollower(b, newStore(b, nil), addr, nil)
	waitSynced(b, f, l)

	measure := func(d time.Duration) time.Duration {
		var lat []time.Duration
		end := time.Now().Add(d)
		for i := 0; time.Now().Before(end); i++ {
			t0 := time.Now()
			require.NoError(b, ls.Set(keys.at(i%benchKeyCount), benchValue))
			lat = append(lat, time.Since(t0))
			if i%10 == 0 {
				time.Sleep(10 * time.Microsecond) // about 100k writes/s
			}
		}
		slices.Sort(lat)
		return lat[len(lat)*99/100]
	}
	for b.Loop() {
		steady := measure(500 * time.Millisecond)
		fs, err := store.New(nil)
		require.NoError(b, err)
		f2, err := replication.NewFollower(fs, addr, nil)
		require.NoError(b, err)
		require.NoError(b, f2.Start())
		during := measure(400 * time.Millisecond)
		f2.Close()
		fs.Close()
		b.ReportMetric(float64(steady.Nanoseconds()), "steady-p99-ns")
		b.ReportMetric(float64(during.Nanoseconds()), "fullsync-p99-ns")
	}
}
