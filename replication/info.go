package replication

import (
	"strconv"
	"strings"
	"time"
)

// Info is a node's replication status: the fields of Redis's INFO
// replication, with Go types. [Info.String] renders it in Redis's layout.
type Info struct {
	// Role is "master" for a Leader (or a promoted Follower) and "slave"
	// for a Follower, as Redis names them.
	Role string

	// The fields below, down to ReadOnly, are a follower's only.

	// LeaderHost and LeaderPort are the leader's address (master_host,
	// master_port).
	LeaderHost string
	LeaderPort int
	// LinkUp reports that the stream is flowing (master_link_status:up).
	LinkUp bool
	// LastIO is the time since the last byte from the leader
	// (master_last_io_seconds_ago), -1 without a link.
	LastIO time.Duration
	// SyncInProgress reports that a snapshot is being received
	// (master_sync_in_progress).
	SyncInProgress bool
	// ReadOffset is the offset of the stream bytes read from the leader,
	// which may end inside a command (slave_read_repl_offset); Offset is
	// that of the bytes applied (slave_repl_offset).
	ReadOffset int64
	// LinkDownSince is how long the link has been down
	// (master_link_down_since_seconds), -1 if it was never up; 0 while up.
	LinkDownSince time.Duration
	// ReadOnly is always true for a follower (slave_read_only:1).
	ReadOnly bool

	// Followers are the connections served, in connection order
	// (connected_slaves, slave0, slave1, ...).
	Followers []FollowerInfo

	// ReplID is the current replication ID (master_replid); ReplID2 the
	// previous one after a promotion, or 40 zeros (master_replid2).
	ReplID, ReplID2 string
	// Offset is the offset of the last stream byte produced, or applied by a
	// follower (master_repl_offset, and slave_repl_offset).
	Offset int64
	// SecondOffset is the highest offset still accepted for ReplID2 plus
	// one, or -1 (second_repl_offset).
	SecondOffset int64
	// Backlog describes the stream bytes held for partial resyncs
	// (repl_backlog_active, repl_backlog_size,
	// repl_backlog_first_byte_offset, repl_backlog_histlen); the backlog is
	// the store's feed (store.Options.FeedBacklog).
	BacklogActive          bool
	BacklogSize            int64
	BacklogFirstByteOffset int64
	BacklogHistlen         int64
}

// FollowerInfo is one follower connection as a leader sees it: a slaveN
// line of INFO replication.
type FollowerInfo struct {
	seq uint64
	// Addr is the connection's remote address.
	Addr string
	// IP is the follower's announced IP (REPLCONF ip-address), else the
	// connection's; Port is its announced listening port, 0 if none.
	IP   string
	Port int
	// State is "wait_bgsave" (preparing its snapshot), "send_bulk" (sending
	// it) or "online" (streaming).
	State string
	// Offset is the last offset the follower acknowledged.
	Offset int64
	// Lag is the time since its last acknowledgement while online, else 0.
	Lag time.Duration
}

// String renders the status as Redis's INFO replication does: a
// "# Replication" header and one name:value line per field, each ending in
// CR LF.
func (in Info) String() string {
	var b strings.Builder
	line := func(name, value string) {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(value)
		b.WriteString("\r\n")
	}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	secs := func(d time.Duration) string {
		if d < 0 {
			return "-1"
		}
		return itoa(int64(d / time.Second))
	}
	bit := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	b.WriteString("# Replication\r\n")
	line("role", in.Role)
	if in.Role == "slave" {
		line("master_host", in.LeaderHost)
		line("master_port", strconv.Itoa(in.LeaderPort))
		status := "down"
		if in.LinkUp {
			status = "up"
		}
		line("master_link_status", status)
		line("master_last_io_seconds_ago", secs(in.LastIO))
		line("master_sync_in_progress", bit(in.SyncInProgress))
		line("slave_read_repl_offset", itoa(in.ReadOffset))
		line("slave_repl_offset", itoa(in.Offset))
		if !in.LinkUp {
			line("master_link_down_since_seconds", secs(in.LinkDownSince))
		}
		line("slave_priority", "100")
		line("slave_read_only", bit(in.ReadOnly))
		line("replica_announced", "1")
	}
	line("connected_slaves", strconv.Itoa(len(in.Followers)))
	for i, f := range in.Followers {
		line("slave"+strconv.Itoa(i), "ip="+f.IP+",port="+strconv.Itoa(f.Port)+",state="+f.State+
			",offset="+itoa(f.Offset)+",lag="+itoa(int64(f.Lag/time.Second)))
	}
	line("master_failover_state", "no-failover")
	line("master_replid", in.ReplID)
	line("master_replid2", in.ReplID2)
	line("master_repl_offset", itoa(in.Offset))
	line("second_repl_offset", itoa(in.SecondOffset))
	line("repl_backlog_active", bit(in.BacklogActive))
	line("repl_backlog_size", itoa(in.BacklogSize))
	line("repl_backlog_first_byte_offset", itoa(in.BacklogFirstByteOffset))
	line("repl_backlog_histlen", itoa(in.BacklogHistlen))
	return b.String()
}

// leaderInfo is the status of a server acting as a leader.
func (s *server) leaderInfo() Info {
	in := Info{Role: "master", Followers: s.followers()}
	s.fillStream(&in)
	return in
}

// fillStream fills the fields about the served history and the backlog.
func (s *server) fillStream(in *Info) {
	ids := s.ids()
	first, last := s.feed.Backlog()
	in.ReplID, in.ReplID2, in.SecondOffset = ids.id, ids.id2, ids.second
	in.Offset = last
	in.BacklogActive = true
	in.BacklogSize = int64(s.feed.Size())
	in.BacklogFirstByteOffset = first
	in.BacklogHistlen = max(0, last-first+1)
}
