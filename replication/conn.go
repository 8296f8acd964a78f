package replication

import (
	"errors"
	"net"
	"sync"
	"time"
)

// deadlineConn sets a fresh deadline before every Read and Write, so that
// no network operation can block longer than its timeout (DESIGN §6). A
// zero timeout leaves that direction without a deadline.
type deadlineConn struct {
	net.Conn
	mu           sync.Mutex // guards the timeouts, which the owner changes between phases
	readTimeout  time.Duration
	writeTimeout time.Duration
	onRead       func() // called after every read that got bytes; set before use
	beforeRead   func() // called before every read (it may block); owned by the reading goroutine
}

func newDeadlineConn(c net.Conn, read, write time.Duration) *deadlineConn {
	return &deadlineConn{Conn: c, readTimeout: read, writeTimeout: write}
}

func (c *deadlineConn) Read(p []byte) (int, error) {
	if c.beforeRead != nil {
		c.beforeRead()
	}
	c.mu.Lock()
	d := c.readTimeout
	c.mu.Unlock()
	if d > 0 {
		if err := c.Conn.SetReadDeadline(time.Now().Add(d)); err != nil {
			return 0, err
		}
	}
	n, err := c.Conn.Read(p)
	if n > 0 && c.onRead != nil {
		c.onRead()
	}
	return n, err
}

func (c *deadlineConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	d := c.writeTimeout
	c.mu.Unlock()
	if d > 0 {
		if err := c.Conn.SetWriteDeadline(time.Now().Add(d)); err != nil {
			return 0, err
		}
	}
	return c.Conn.Write(p)
}

// isTimeout reports whether err is a network timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (c *deadlineConn) setTimeouts(read, write time.Duration) {
	c.mu.Lock()
	c.readTimeout, c.writeTimeout = read, write
	c.mu.Unlock()
}
