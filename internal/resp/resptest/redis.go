// Package resptest starts a throwaway redis-server for integration tests of
// the codecs in internal/resp and internal/rdb.
package resptest

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Server is a redis-server child process listening on 127.0.0.1.
type Server struct {
	// Addr is the server's "127.0.0.1:<port>" address.
	Addr string
	// Dir is the server's working directory (its --dir).
	Dir string
	// Log is the path of the server's log file.
	Log string
}

// StartRedis starts redis-server on a free loopback port, in dir (a fresh
// temporary directory if dir is ""), with the given extra arguments (such as
// "--dbfilename", "x.rdb"). It skips the test when redis-server is not on
// PATH, waits at most 10 s for the server to accept connections, and kills
// it by PID in t.Cleanup.
func StartRedis(t testing.TB, dir string, args ...string) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	if dir == "" {
		dir = t.TempDir()
	}
	var lastErr error
	var lastLog string
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("resptest: free port: %v", err)
		}
		s := &Server{
			Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
			Dir:  dir,
			Log:  filepath.Join(dir, fmt.Sprintf("redis-%d.log", port)),
		}
		all := append([]string{
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--dir", dir, "--logfile", s.Log,
			"--save", "", "--appendonly", "no", "--daemonize", "no",
		}, args...)
		cmd := exec.Command(bin, all...)
		if err := cmd.Start(); err != nil {
			t.Fatalf("resptest: start redis-server: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		stop := func() {
			_ = cmd.Process.Kill()
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
			}
		}
		lastLog = s.Log
		if lastErr = waitReady(s.Addr, exited); lastErr == nil {
			t.Cleanup(stop)
			return s
		}
		stop()
	}
	log, _ := os.ReadFile(lastLog)
	t.Fatalf("resptest: redis-server did not start: %v\n%s", lastErr, log)
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady waits until the server answers PING with +PONG, for at most 10 s.
func waitReady(addr string, exited <-chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("exited: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			_, err = c.Write([]byte("PING\r\n"))
			if err == nil {
				var line []byte
				line, err = bufio.NewReader(c).ReadBytes('\n')
				if err == nil && bytes.HasPrefix(line, []byte("+PONG")) {
					c.Close()
					return nil
				}
				// -LOADING while an RDB loads: keep waiting.
			}
			c.Close()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no PONG from %s within 10s", addr)
}

// Dial connects to the server with a 10 s deadline on the whole connection.
func (s *Server) Dial(t testing.TB) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr, 5*time.Second)
	if err != nil {
		t.Fatalf("resptest: dial %s: %v", s.Addr, err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}
