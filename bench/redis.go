package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server process that bench started on a free
// loopback port, with persistence off. Every one is registered until it is
// stopped, and stopAllRedis stops whatever is left, by PID, on every way out
// of the program.
type redisServer struct {
	cmd    *exec.Cmd
	addr   string
	dir    string
	exited chan struct{}
}

var servers struct {
	mu     sync.Mutex
	live   map[*redisServer]bool
	closed bool // stopAllRedis was called: start no more
}

var errStopping = errors.New("bench is stopping")

// redisPath is the redis-server binary, or "" when there is none.
var redisPath = func() string {
	p, err := exec.LookPath("redis-server")
	if err != nil {
		return ""
	}
	return p
}()

// redisVersion returns redis-server's version line, or why there is none.
func redisVersion() string {
	if redisPath == "" {
		return "not on PATH: the redis rows are skipped"
	}
	out, err := exec.Command(redisPath, "--version").Output()
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return strings.TrimSpace(string(out))
}

// freePort returns a TCP port of 127.0.0.1 that nothing listened on a
// moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startRedis starts a redis-server on a free loopback port and waits until
// it answers PING. extra are more "--name value" arguments.
func startRedis(extra ...string) (*redisServer, error) {
	if redisPath == "" {
		return nil, errNoRedis
	}
	var lastErr error
	for range 3 { // the free port may be taken between the check and the start
		s, err := startRedisOnce(extra)
		if err == nil || errors.Is(err, errStopping) {
			return s, err
		}
		lastErr = err
	}
	return nil, lastErr
}

func startRedisOnce(extra []string) (*redisServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ember-bench-redis-")
	if err != nil {
		return nil, err
	}
	args := []string{
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--daemonize", "no",
		"--loglevel", "warning",
		"--logfile", filepath.Join(dir, "redis.log"),
		// The benchmarks make clients and replicas fall behind on purpose;
		// let the flow control of the benchmark bound them, not Redis.
		"--client-output-buffer-limit", "pubsub 0 0 0",
		"--client-output-buffer-limit", "replica 0 0 0",
		"--repl-diskless-sync", "yes",
		"--repl-diskless-sync-delay", "0",
		"--repl-backlog-size", "256mb",
	}
	args = append(args, extra...)
	cmd := exec.Command(redisPath, args...)
	cmd.Dir = dir
	// Its own process group, so that a ^C on the terminal reaches bench
	// only, which then stops it; and killed if bench dies without doing so.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &redisServer{cmd: cmd, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(s.exited)
	}()
	servers.mu.Lock()
	if servers.closed {
		servers.mu.Unlock()
		_ = cmd.Process.Kill()
		<-s.exited
		os.RemoveAll(dir)
		return nil, errStopping
	}
	if servers.live == nil {
		servers.live = map[*redisServer]bool{}
	}
	servers.live[s] = true
	servers.mu.Unlock()

	deadline := time.Now().Add(5 * time.Second)
	for {
		select {
		case <-s.exited:
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			s.stop()
			return nil, fmt.Errorf("redis-server exited at start: %s", strings.TrimSpace(string(log)))
		default:
		}
		if err := s.ping(); err == nil {
			return s, nil
		} else if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("redis-server did not answer on %s: %w", s.addr, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *redisServer) ping() error {
	c, err := net.DialTimeout("tcp", s.addr, 100*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return errors.New("unexpected reply " + strings.TrimSpace(line))
	}
	return nil
}

// client returns a go-redis client of the server with a pool big enough for
// every goroutine of the benchmarks.
func (s *redisServer) client() *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr:            s.addr,
		PoolSize:        64,
		ReadTimeout:     30 * time.Second,
		WriteTimeout:    30 * time.Second,
		DisableIdentity: true,
		Protocol:        2,
	})
}

// stop ends the process by its PID (SIGTERM, then SIGKILL after 3 s),
// waits for it and removes its directory. It is idempotent.
func (s *redisServer) stop() {
	servers.mu.Lock()
	live := servers.live[s]
	delete(servers.live, s)
	servers.mu.Unlock()
	if !live {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(3 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.dir)
}

// stopAllRedis stops every redis-server still running, and any that a
// task starts meanwhile.
func stopAllRedis() {
	servers.mu.Lock()
	servers.closed = true
	var all []*redisServer
	for s := range servers.live {
		all = append(all, s)
	}
	servers.mu.Unlock()
	for _, s := range all {
		s.stop()
	}
}

// info returns the fields of an INFO section as a map.
func redisInfo(ctx context.Context, c *redis.Client, section string) (map[string]string, error) {
	txt, err := c.Info(ctx, section).Result()
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for line := range strings.SplitSeq(txt, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok {
			m[k] = v
		}
	}
	return m, nil
}

func infoFloat(m map[string]string, k string) float64 {
	f, _ := strconv.ParseFloat(m[k], 64)
	return f
}

// cpuSeconds is the CPU time the server has used, user and system.
func (s *redisServer) cpuSeconds(ctx context.Context, c *redis.Client) float64 {
	m, err := redisInfo(ctx, c, "cpu")
	if err != nil {
		return 0
	}
	return infoFloat(m, "used_cpu_user") + infoFloat(m, "used_cpu_sys")
}

// --- the contender ---

var bg = context.Background()

// redisStore is a redis-server of its own, started for one store instance
// and stopped by Close.
type redisStore struct {
	srv  *redisServer
	c    *redis.Client
	pipe bool
	redisSession
}

func openRedis(pipelined bool) func(openOpts) (kvStore, error) {
	return func(openOpts) (kvStore, error) {
		srv, err := startRedis()
		if err != nil {
			return nil, err
		}
		c := srv.client()
		return &redisStore{srv: srv, c: c, pipe: pipelined, redisSession: redisSession{c}}, nil
	}
}

func (r *redisStore) Session() ops {
	if r.pipe {
		return newPipeSession(r.c, 100)
	}
	return r.redisSession
}

// Bulk returns a pipelined session for loading, untimed, what the timed part
// of a workload did not.
func (r *redisStore) Bulk() ops { return newPipeSession(r.c, 1000) }

func (r *redisStore) Set(k, v string) {
	if r.pipe {
		panic("pipelined redis: use a Session")
	}
	r.redisSession.Set(k, v)
}

func (r *redisStore) Len() int {
	n, _ := r.c.DBSize(bg).Result()
	return int(n)
}

func (r *redisStore) Close() {
	_ = r.c.Close()
	r.srv.stop()
}

// redisSession sends one command per round trip.
type redisSession struct{ c *redis.Client }

func (r redisSession) Set(k, v string)   { r.c.Set(bg, k, v, 0) }
func (r redisSession) Get(k string) bool { return r.c.Get(bg, k).Err() == nil }
func (r redisSession) SetTTL(k, v string, ttl time.Duration) {
	r.c.Set(bg, k, v, ttl)
}
func (r redisSession) HSet(k, f, v string)   { r.c.HSet(bg, k, f, v) }
func (r redisSession) HGet(k, f string) bool { return r.c.HGet(bg, k, f).Err() == nil }
func (r redisSession) Sync() int             { return 0 }

// pipeSession queues commands and sends them n at a time.
type pipeSession struct {
	p      redis.Pipeliner
	n, max int
	misses int // of the batches already sent
}

func newPipeSession(c *redis.Client, max int) *pipeSession {
	return &pipeSession{p: c.Pipeline(), max: max}
}

func (p *pipeSession) queued() {
	if p.n++; p.n == p.max {
		p.misses += p.flush()
	}
}

func (p *pipeSession) Set(k, v string) {
	p.p.Set(bg, k, v, 0)
	p.queued()
}
func (p *pipeSession) Get(k string) bool {
	p.p.Get(bg, k)
	p.queued()
	return true
}
func (p *pipeSession) SetTTL(k, v string, ttl time.Duration) {
	p.p.Set(bg, k, v, ttl)
	p.queued()
}
func (p *pipeSession) HSet(k, f, v string) {
	p.p.HSet(bg, k, f, v)
	p.queued()
}
func (p *pipeSession) HGet(k, f string) bool {
	p.p.HGet(bg, k, f)
	p.queued()
	return true
}

// Sync sends what is queued and returns how many GETs and HGETs missed
// since the last Sync.
func (p *pipeSession) Sync() int {
	m := p.misses + p.flush()
	p.misses = 0
	return m
}

func (p *pipeSession) flush() int {
	if p.n == 0 {
		return 0
	}
	cmds, _ := p.p.Exec(bg)
	p.n = 0
	misses := 0
	for _, c := range cmds {
		if errors.Is(c.Err(), redis.Nil) {
			misses++
		}
	}
	return misses
}
