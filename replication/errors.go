package replication

import "errors"

// Errors returned by Leaders and Followers. Returned errors wrap these with
// context; test for them with errors.Is.
var (
	// ErrClosed is returned by Serve, Run and the other methods of a Leader
	// or Follower after Close (or Shutdown) has been called, like
	// net/http's ErrServerClosed.
	ErrClosed = errors.New("replication: closed")

	// ErrPromoted is returned by a Follower's Run, and by its methods, after
	// Promote has turned it into a Leader.
	ErrPromoted = errors.New("replication: follower promoted to leader")

	// ErrAuth reports that the leader refused the follower's password (or
	// wants one the follower does not have). The follower keeps retrying,
	// as a Redis replica does, and reports each failure in an
	// EventSyncFailed.
	ErrAuth = errors.New("replication: authentication failed")

	// ErrProtocol reports a peer that broke the replication protocol: a
	// malformed frame, an unexpected reply, an RDB payload that cannot be
	// decoded. The connection is closed; a follower reconnects.
	ErrProtocol = errors.New("replication: protocol error")

	// ErrOutputLimit reports a follower connection that fell further behind
	// the leader's stream than the output limit (or the backlog) allows. The
	// leader closes it; the follower reconnects and resyncs.
	ErrOutputLimit = errors.New("replication: follower output limit exceeded")

	// ErrTimeout reports a peer silent for longer than the read timeout.
	ErrTimeout = errors.New("replication: timeout")
)
