package replication

import (
	"strconv"
	"time"
)

// EventKind says what an [Event] reports.
type EventKind uint8

// The kinds of [Event].
const (
	// EventLinkUp: a follower's stream started flowing after a full or a
	// partial resync (Redis's master_link_status:up).
	EventLinkUp EventKind = iota + 1
	// EventLinkDown: a follower lost its link (Err says why); it keeps
	// serving reads and reconnects.
	EventLinkDown
	// EventFullSync: a follower received a full resync (a snapshot, then
	// the stream). Keys is the number of keys in the snapshot.
	EventFullSync
	// EventPartialSync: a follower's PSYNC was answered with +CONTINUE: it
	// resumed from the leader's backlog, without a snapshot.
	EventPartialSync
	// EventReplIDChanged: a follower adopted a new replication ID (a new
	// leader history after a full resync, or a promoted leader's ID after a
	// partial one), or a follower was promoted.
	EventReplIDChanged
	// EventFollowerConnected: a leader started serving a follower (it sent
	// PSYNC or SYNC).
	EventFollowerConnected
	// EventFollowerDisconnected: a leader stopped serving a follower (Err
	// says why).
	EventFollowerDisconnected
	// EventSyncFailed: a follower's attempt to connect and sync failed
	// before its link came up (Err says why: a dial error, ErrAuth, a
	// refused sync...). It tries again after a backoff.
	EventSyncFailed
	// EventFullSyncServed: a leader sent a follower a full resync. Keys is
	// the number of keys in the snapshot.
	EventFullSyncServed
	// EventPartialSyncServed: a leader let a follower resume from its
	// backlog (+CONTINUE).
	EventPartialSyncServed
)

var eventNames = [...]string{
	EventLinkUp:               "link-up",
	EventLinkDown:             "link-down",
	EventFullSync:             "full-sync",
	EventPartialSync:          "partial-sync",
	EventReplIDChanged:        "replid-changed",
	EventFollowerConnected:    "follower-connected",
	EventFollowerDisconnected: "follower-disconnected",
	EventSyncFailed:           "sync-failed",
	EventFullSyncServed:       "full-sync-served",
	EventPartialSyncServed:    "partial-sync-served",
}

// String returns the kind's name, such as "partial-sync".
func (k EventKind) String() string {
	if int(k) < len(eventNames) && eventNames[k] != "" {
		return eventNames[k]
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event is something that happened to a replication link, as reported to
// the OnEvent option of [LeaderOptions] and [FollowerOptions].
type Event struct {
	// Kind is what happened.
	Kind EventKind
	// Time is when it happened.
	Time time.Time
	// Addr is the peer: the leader's address for a follower's events, the
	// follower's remote address for a leader's.
	Addr string
	// ReplID and Offset are the replication ID and the stream offset the
	// event happened at: for a resync, the history and offset the stream
	// continues from.
	ReplID string
	Offset int64
	// Keys is the number of keys in the snapshot of a full resync.
	Keys int64
	// Err is why a link went down, if known.
	Err error
}

// String formats the event for logs.
func (e Event) String() string {
	s := e.Kind.String() + " addr=" + e.Addr + " replid=" + e.ReplID + " offset=" + strconv.FormatInt(e.Offset, 10)
	if e.Kind == EventFullSync || e.Kind == EventFullSyncServed {
		s += " keys=" + strconv.FormatInt(e.Keys, 10)
	}
	if e.Err != nil {
		s += " err=" + e.Err.Error()
	}
	return s
}
