package replication

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/emberkv/ember/pubsub"
)

// Defaults that zero fields of [LeaderOptions] and [FollowerOptions] stand for.
// They are Redis's own where Redis has the setting.
const (
	DefaultAddr             = "127.0.0.1:6379" // ListenAndServe with an empty address
	DefaultPingPeriod       = 10 * time.Second // repl-ping-replica-period
	DefaultTimeout          = 60 * time.Second // repl-timeout
	DefaultHandshakeTimeout = 5 * time.Second  // repl_syncio_timeout
	DefaultKeepAlivePeriod  = time.Second      // the "\n" a preparing master sends
	DefaultAckPeriod        = time.Second      // REPLCONF ACK from a replica
	DefaultMaxFollowers     = 128              // followers a leader serves at once
	DefaultMinBackoff       = 100 * time.Millisecond
	DefaultMaxBackoff       = 5 * time.Second
)

// LeaderOptions configures a [Leader], and the serving side of a [Follower]
// that has followers of its own. The zero value, and a nil *LeaderOptions,
// give the defaults noted on each field. The options are copied; changing
// them afterwards has no effect.
type LeaderOptions struct {
	// Password, when not empty, is required from every follower (Redis's
	// requirepass): before a successful AUTH every command but AUTH is
	// refused with Redis's NOAUTH error, and nothing is sent. It is compared
	// in constant time. AUTH with a user name accepts only "default", as
	// Redis's requirepass does.
	Password string

	// TLSConfig, when not nil, makes ListenAndServe and Serve speak TLS
	// (Serve wraps the listener it is given). It needs at least one
	// certificate.
	TLSConfig *tls.Config

	// MaxFollowers bounds the followers served at once; more are refused
	// with an error at PSYNC. Zero means DefaultMaxFollowers.
	MaxFollowers int

	// OutputLimit bounds, in bytes, how far a follower's connection may fall
	// behind the stream before the leader closes it (Redis's
	// client-output-buffer-limit for replicas). The follower then
	// reconnects and resyncs. Zero means the store's feed backlog
	// (store.Options.FeedBacklog), the most it can be.
	OutputLimit int64

	// PingPeriod is how often a leader with followers puts a PING into the
	// stream, so that followers can tell a quiet leader from a dead link.
	// Zero means DefaultPingPeriod (10 s, as Redis).
	PingPeriod time.Duration

	// ReadTimeout bounds every read from a follower; a follower that has
	// been online that long without a REPLCONF ACK is disconnected (Redis's
	// repl-timeout). Followers attached with SYNC, such as redis-cli
	// --replica, never ACK and are not timed out. Zero means DefaultTimeout.
	ReadTimeout time.Duration

	// WriteTimeout bounds every write to a follower. Zero means
	// DefaultTimeout.
	WriteTimeout time.Duration

	// KeepAlivePeriod is how often a newline is sent to a follower while its
	// snapshot is being prepared. Zero means DefaultKeepAlivePeriod.
	KeepAlivePeriod time.Duration

	// Broker, when not nil, is the leader's broker: every message
	// published on it, by [Leader.Publish] or by its own Publish, also goes
	// into the stream, so that followers publish it to theirs (keyspace
	// notifications excepted: followers derive their own). The Leader
	// installs the broker's OnPublish hook, and removes it on Close.
	Broker *pubsub.Broker

	// Logger receives the leader's log records. Nil means no logging.
	Logger *slog.Logger

	// OnEvent, when not nil, is called for every [Event]: followers
	// connecting and going away, full and partial resyncs served. It is
	// called from the connection's goroutine and must not block.
	OnEvent func(Event)
}

// FollowerOptions configures a [Follower]. The zero value, and a nil
// *FollowerOptions, give the defaults noted on each field. The options are
// copied; changing them afterwards has no effect.
type FollowerOptions struct {
	// User and Password authenticate to the leader (Redis's masteruser and
	// masterauth): AUTH <password>, or AUTH <user> <password> when User is
	// set. Empty Password means no AUTH.
	User, Password string

	// TLSConfig, when not nil, makes the follower speak TLS to the leader.
	// An empty ServerName is taken from the leader's address.
	TLSConfig *tls.Config

	// Dial opens the connection to the leader. Nil means a net.Dialer with
	// HandshakeTimeout. Tests pass one that returns one end of a net.Pipe.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	// AnnounceIP, when not empty, is sent as REPLCONF ip-address (Redis's
	// replica-announce-ip). AnnouncePort is sent as REPLCONF
	// listening-port; zero means the port of the follower's own listener if
	// it serves followers, else 0.
	AnnounceIP   string
	AnnouncePort int

	// HandshakeTimeout bounds each read of a handshake reply and the dial.
	// Zero means DefaultHandshakeTimeout (5 s).
	HandshakeTimeout time.Duration

	// ReadTimeout bounds every read of the stream: a leader silent that long
	// (it PINGs every 10 s) is taken for dead and the follower reconnects.
	// Zero means DefaultTimeout (60 s).
	ReadTimeout time.Duration

	// WriteTimeout bounds every write to the leader. Zero means
	// DefaultTimeout.
	WriteTimeout time.Duration

	// AckPeriod is how often the follower sends REPLCONF ACK with its
	// offset. Zero means DefaultAckPeriod (1 s, as Redis).
	AckPeriod time.Duration

	// MinBackoff and MaxBackoff bound the wait before each reconnection
	// attempt; it doubles from MinBackoff up to MaxBackoff, with jitter,
	// and starts over after a successful sync. Zero means
	// DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration

	// Broker, when not nil, receives the PUBLISH commands of the stream:
	// messages published on the leader reach the follower's subscribers.
	Broker *pubsub.Broker

	// Serve configures the follower's own followers (cascading replication,
	// see [Follower.Serve]) and the Leader that [Follower.Promote] returns.
	// Nil means the defaults of LeaderOptions. Its Logger and OnEvent
	// default to the follower's.
	Serve *LeaderOptions

	// Logger receives the follower's log records. Nil means no logging.
	Logger *slog.Logger

	// OnEvent, when not nil, is called for every [Event]: the link going up
	// and down, full and partial resyncs, replication ID changes. It is
	// called from the follower's goroutines and must not block.
	OnEvent func(Event)
}

// leaderConfig is a validated LeaderOptions with defaults applied.
type leaderConfig struct {
	LeaderOptions
}

func (o *LeaderOptions) resolve() (leaderConfig, error) {
	var c leaderConfig
	if o != nil {
		c.LeaderOptions = *o
	}
	switch {
	case c.MaxFollowers < 0:
		return c, fmt.Errorf("replication: negative MaxFollowers %d", c.MaxFollowers)
	case c.OutputLimit < 0:
		return c, fmt.Errorf("replication: negative OutputLimit %d", c.OutputLimit)
	case c.PingPeriod < 0 || c.ReadTimeout < 0 || c.WriteTimeout < 0 || c.KeepAlivePeriod < 0:
		return c, fmt.Errorf("replication: negative duration in LeaderOptions")
	case c.TLSConfig != nil && len(c.TLSConfig.Certificates) == 0 && c.TLSConfig.GetCertificate == nil && c.TLSConfig.GetConfigForClient == nil:
		return c, fmt.Errorf("replication: TLSConfig has no certificate")
	}
	if c.MaxFollowers == 0 {
		c.MaxFollowers = DefaultMaxFollowers
	}
	if c.PingPeriod == 0 {
		c.PingPeriod = DefaultPingPeriod
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultTimeout
	}
	if c.KeepAlivePeriod == 0 {
		c.KeepAlivePeriod = DefaultKeepAlivePeriod
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// followerConfig is a validated FollowerOptions with defaults applied.
type followerConfig struct {
	FollowerOptions
	serve leaderConfig
}

func (o *FollowerOptions) resolve() (followerConfig, error) {
	var c followerConfig
	if o != nil {
		c.FollowerOptions = *o
	}
	switch {
	case c.HandshakeTimeout < 0 || c.ReadTimeout < 0 || c.WriteTimeout < 0 || c.AckPeriod < 0 ||
		c.MinBackoff < 0 || c.MaxBackoff < 0:
		return c, fmt.Errorf("replication: negative duration in FollowerOptions")
	case c.AnnouncePort < 0 || c.AnnouncePort > 65535:
		return c, fmt.Errorf("replication: AnnouncePort %d out of range", c.AnnouncePort)
	}
	if c.HandshakeTimeout == 0 {
		c.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = DefaultTimeout
	}
	if c.AckPeriod == 0 {
		c.AckPeriod = DefaultAckPeriod
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = DefaultMinBackoff
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	c.MaxBackoff = max(c.MaxBackoff, c.MinBackoff)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	var so LeaderOptions
	if c.Serve != nil {
		so = *c.Serve
	}
	if so.Logger == nil {
		so.Logger = c.Logger
	}
	if so.OnEvent == nil {
		so.OnEvent = c.OnEvent
	}
	serve, err := so.resolve()
	if err != nil {
		return c, err
	}
	c.serve = serve
	return c, nil
}
