package replication_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
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

// lagFollower follows addr until it has seen keys lag:0 ... lag:n-1, whose
// values are the leader's unix-ns clock at the write, and prints the
// percentiles of write-to-visible lag in µs: "p50 p99 p99.9".
func lagFollower(addr string, n int) error {
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
	feed, err := st.Feed()
	if err != nil {
		return err
	}
	fmt.Println("ready")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lags := make([]int64, 0, n)
	next := 0
	for next < n {
		if err := feed.Wait(ctx, feed.Offset()); err != nil {
			return err
		}
		now := time.Now().UnixNano()
		for next < n {
			v, ok, _ := st.Get("lag:" + strconv.Itoa(next))
			if !ok {
				break
			}
			ts, _ := strconv.ParseInt(v, 10, 64)
			lags = append(lags, now-ts)
			next++
		}
	}
	slices.Sort(lags)
	pct := func(p float64) float64 { return float64(lags[int(p*float64(len(lags)-1))]) / 1e3 }
	fmt.Printf("%.1f %.1f %.1f\n", pct(0.5), pct(0.99), pct(0.999))
	return nil
}

// BenchmarkLagProcess measures write-to-visible lag with the follower in
// another process, over loopback, at a paced 100k writes/s for one second.
func BenchmarkLagProcess(b *testing.B) {
	const rate, n = 100_000, 100_000
	for b.Loop() {
		b.StopTimer()
		ls := newStore(b, nil)
		l, addr := startLeader(b, ls, nil)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
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
		start := time.Now()
		for i := range n {
			due := start.Add(time.Duration(i) * time.Second / rate)
			if ahead := time.Until(due); ahead > 100*time.Microsecond {
				time.Sleep(ahead)
			}
			require.NoError(b, ls.Set("lag:"+strconv.Itoa(i), strconv.FormatInt(time.Now().UnixNano(), 10)))
		}
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
