package replication_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/replication"
	"github.com/emberkv/ember/store"
)

// The cross-process lag benchmark runs its follower in a child process: the
// test binary itself, started with lagFollowerEnv set.
const lagFollowerEnv = "EMBER_LAG_FOLLOWER"

// plainFollowerEnv makes the test binary a follower of the address in it,
// until its standard input closes.
const plainFollowerEnv = "EMBER_FOLLOWER"

func TestMain(m *testing.M) {
	if addr := os.Getenv(plainFollowerEnv); addr != "" {
		if err := plainFollower(addr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if addr := os.Getenv(lagFollowerEnv); addr != "" {
		n, _ := strconv.Atoi(os.Getenv(lagFollowerEnv + "_N"))
		if err := lagFollower(addr, n); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// lagFollower follows addr until it has seen keys lag:0 ... lag:n-1 (see
// lagRecorder) and prints the percentiles of write-to-visible lag in µs:
// "p50 p99 p99.9".
func lagFollower(addr string, n int) error {
	rec := newLagRecorder(n)
	st, err := store.New(&store.Options{Notify: rec.notify})
	if err != nil {
		return err
	}
	defer st.Close()
	rec.st = st
	f, err := replication.NewFollower(st, addr, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Start(); err != nil {
		return err
	}
	fmt.Println("ready")
	p50, p99, p999, err := rec.wait(time.Minute)
	if err != nil {
		return err
	}
	fmt.Printf("%.1f %.1f %.1f\n", p50, p99, p999)
	return nil
}

// lagRecorder measures write-to-visible lag on a follower's store: the
// leader writes keys "lag:<i>" whose values are its unix-ns clock at the
// write, and the follower store's Notify hook, which runs in the goroutine
// that applied the write right after it became visible, reads the clock
// again. No measuring goroutine has to be woken, so its scheduling delay is
// not part of the figure (a scheduler trace put that at p50 36-43 µs and p99
// 247-298 µs when a goroutine waited on the feed instead).
type lagRecorder struct {
	st   *store.Store // set before the follower starts
	n    int
	lags []int64 // ns; read only after done is closed
	done chan struct{}
}

func newLagRecorder(n int) *lagRecorder {
	return &lagRecorder{n: n, lags: make([]int64, 0, n), done: make(chan struct{})}
}

// notify is the follower store's Notify hook.
func (r *lagRecorder) notify(_ byte, event, key string) {
	if event != "set" || !strings.HasPrefix(key, "lag:") || len(r.lags) == r.n {
		return
	}
	now := time.Now().UnixNano()
	v, ok, err := r.st.Get(key)
	if !ok || err != nil {
		return
	}
	ts, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return
	}
	r.lags = append(r.lags, now-ts)
	if len(r.lags) == r.n {
		close(r.done)
	}
}

// wait waits until n writes were seen or d passed, and returns the
// percentiles p50, p99 and p99.9 in µs.
func (r *lagRecorder) wait(d time.Duration) (p50, p99, p999 float64, err error) {
	select {
	case <-r.done:
	case <-time.After(d):
		return 0, 0, 0, fmt.Errorf("follower saw fewer than %d writes in %v", r.n, d)
	}
	slices.Sort(r.lags)
	pct := func(p float64) float64 { return float64(r.lags[int(p*float64(len(r.lags)-1))]) / 1e3 }
	return pct(0.5), pct(0.99), pct(0.999), nil
}

// writePaced writes keys lag:0 ... lag:n-1 to s at rate writes/s, each
// with its unix-ns clock as the value. It sleeps only when it is more than
// 100 µs ahead of the schedule; a sleep for every write measured p50 38-41
// µs instead of 294-337, p99 1.4-2.7 ms instead of 0.96-1.2. A time.Sleep of
// less than a millisecond returns after about 1.1 ms on Linux (the runtime
// waits in epoll with a timeout in ms), so at 100k writes/s the writes come
// in bursts of about 110. Sleeping with nanosleep instead (about 130 µs,
// bursts of about 15) halved the p50 across processes and left the p99
// where it was (see the README).
func writePaced(s *store.Store, n, rate int) error {
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
		if ahead := time.Until(due); ahead > 100*time.Microsecond {
			time.Sleep(ahead) // pace without spinning: the box may have few cores
		}
		if err := s.Set("lag:"+strconv.Itoa(i), strconv.FormatInt(time.Now().UnixNano(), 10)); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkLagProcess measures write-to-visible lag with the follower in
// another process, over loopback, at a paced 100k writes/s for one second,
// two ways: cpus=shared lets both processes run on every CPU, as they do by
// default, and cpus=split holds the leader's process to one CPU and the
// follower's to another (taskset; skipped without it or with fewer than two
// CPUs), as if each had a machine of its own. With both on every CPU, each
// Go runtime counts every CPU as its own, and a collection in one process
// puts its idle mark workers on the CPU the other process's goroutines were
// about to use; the OS cannot tell those workers are idle work (see
// golang/go#17969).
func BenchmarkLagProcess(b *testing.B) {
	b.Run("cpus=shared", func(b *testing.B) { benchLagProcess(b, nil) })
	b.Run("cpus=split", func(b *testing.B) {
		cpus, err := affinity(os.Getpid())
		if err != nil || len(cpus) < 2 {
			b.Skipf("needs taskset and two CPUs (%v, %v)", cpus, err)
		}
		setAffinity(b, os.Getpid(), cpus[:1])
		defer setAffinity(b, os.Getpid(), cpus)
		benchLagProcess(b, cpus[1:2])
	})
}

// benchLagProcess is BenchmarkLagProcess with the follower process held to
// childCPUs when that is not empty.
func benchLagProcess(b *testing.B, childCPUs []string) {
	const rate, n = 100_000, 100_000
	for b.Loop() {
		b.StopTimer()
		ls := newStore(b, nil)
		l, addr := startLeader(b, ls, nil)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		if len(childCPUs) > 0 {
			cmd = exec.Command("taskset", "-c", strings.Join(childCPUs, ","), os.Args[0], "-test.run=^$")
		}
		cmd.Env = append(os.Environ(), lagFollowerEnv+"="+addr, lagFollowerEnv+"_N="+strconv.Itoa(n))
		out, err := cmd.StdoutPipe()
		require.NoError(b, err)
		cmd.Stderr = os.Stderr
		require.NoError(b, cmd.Start())
		lines := bufio.NewScanner(out)
		require.True(b, lines.Scan())
		require.Equal(b, "ready", lines.Text())
		eventually(b, 10*time.Second, func() bool { return len(l.Info().Followers) == 1 && l.Info().Followers[0].State == "online" }, "child follower")
		b.StartTimer()
		require.NoError(b, writePaced(ls, n, rate))
		b.StopTimer()
		require.True(b, lines.Scan(), "child's result")
		var p50, p99, p999 float64
		_, err = fmt.Sscanf(strings.TrimSpace(lines.Text()), "%f %f %f", &p50, &p99, &p999)
		require.NoError(b, err)
		require.NoError(b, cmd.Wait())
		b.ReportMetric(p50, "p50-µs")
		b.ReportMetric(p99, "p99-µs")
		b.ReportMetric(p999, "p99.9-µs")
		b.StartTimer()
	}
}

// affinity returns the CPUs the process pid may run on, as taskset lists
// them ("0", "1", ...; ranges expanded).
func affinity(pid int) ([]string, error) {
	out, err := exec.Command("taskset", "-c", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return nil, err
	}
	_, list, ok := strings.Cut(strings.TrimSpace(string(out)), ": ")
	if !ok {
		return nil, fmt.Errorf("taskset printed %q", out)
	}
	var cpus []string
	for part := range strings.SplitSeq(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			cpus = append(cpus, lo)
			continue
		}
		from, err1 := strconv.Atoi(lo)
		to, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("taskset printed %q", out)
		}
		for c := from; c <= to; c++ {
			cpus = append(cpus, strconv.Itoa(c))
		}
	}
	return cpus, nil
}

// setAffinity holds every thread of the process pid to cpus; the threads it
// starts later inherit that.
func setAffinity(tb testing.TB, pid int, cpus []string) {
	tb.Helper()
	out, err := exec.Command("taskset", "-a", "-c", "-p", strings.Join(cpus, ","), strconv.Itoa(pid)).CombinedOutput()
	require.NoError(tb, err, "taskset: %s", out)
}

func plainFollower(addr string) error {
	st, err := store.New(nil)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := replication.NewFollower(st, addr, nil)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Start(); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes it
	return nil
}

// startFollowerProcess runs a follower of addr in a child process, stopped
// at the end of the test.
func startFollowerProcess(tb testing.TB, addr string) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), plainFollowerEnv+"="+addr)
	stdin, err := cmd.StdinPipe()
	require.NoError(tb, err)
	cmd.Stderr = os.Stderr
	require.NoError(tb, cmd.Start())
	tb.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
}

// BenchmarkStalls measures what the lag benchmarks cannot help: for one
// second a goroutine per P reads the clock in a loop, and every gap between
// two readings over 500 µs is a time the machine did not run it. At 100k
// writes/s a stall of 1 ms on the writer's, the sender's or the follower's
// CPU puts about a hundred writes (0.1% of a second's) over 1 ms of lag.
func BenchmarkStalls(b *testing.B) {
	procs := runtime.GOMAXPROCS(0)
	for b.Loop() {
		var over500us, over1ms atomic.Int64
		var stalled atomic.Int64 // ns
		var wg sync.WaitGroup
		for range procs {
			wg.Go(func() {
				start := time.Now()
				last := start
				for last.Sub(start) < time.Second {
					now := time.Now()
					if d := now.Sub(last); d > 500*time.Microsecond {
						over500us.Add(1)
						stalled.Add(int64(d))
						if d > time.Millisecond {
							over1ms.Add(1)
						}
					}
					last = now
				}
			})
		}
		wg.Wait()
		b.ReportMetric(float64(over500us.Load())/float64(procs), "stalls>0.5ms/s/P")
		b.ReportMetric(float64(over1ms.Load())/float64(procs), "stalls>1ms/s/P")
		b.ReportMetric(float64(stalled.Load())/1e6/float64(procs), "stalled-ms/s/P")
	}
}
