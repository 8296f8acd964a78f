// Package replication mirrors a store between processes over the Redis
// replication protocol. A [Leader] serves a store's mutation feed over TCP;
// a [Follower], in another process or the same one, mirrors it into its own
// store, which then serves reads locally. Because the link speaks Redis's
// protocol (RESP framing, Redis's handshake, an RDB snapshot for a full
// resync, replication IDs and byte offsets), a stock redis-server started
// with --replicaof, and redis-cli --replica, can follow an Ember leader, and
// an Ember follower can follow a redis-server.
//
//	// In the leader's process:
//	l, err := replication.NewLeader(st, nil)
//	go l.ListenAndServe(":6380")          // no host: loopback only
//	...
//	st.Set("k", "v")
//	off := l.Offset()                     // hand it to readers that need this write
//
//	// In a follower's process:
//	f, err := replication.NewFollower(st2, "10.0.0.5:6380", nil)
//	f.Start()
//	f.WaitForOffset(ctx, off)             // read-your-writes
//	v, ok, err := st2.Get("k")
//
// # The link
//
// The follower opens the connection and sends the handshake of a Redis 7
// replica; the leader answers as redis-server 7 does. Every line ends in
// CR LF; commands are RESP arrays of bulk strings.
//
//	follower                                         leader
//	   PING                                 ------>
//	                                        <------  +PONG    (-NOAUTH ... if a password is set)
//	   AUTH [user] <password>   (if set)    ------>
//	   REPLCONF listening-port <port>
//	   REPLCONF capa eof capa psync2
//	                                        <------  +OK  (-WRONGPASS ... ends the attempt)
//	                                                 +OK
//	                                                 +OK
//	   PSYNC <replid> <offset+1>            ------>
//	   (PSYNC ? -1 the first time)
//
//	partial resync: the leader still holds every byte after offset
//	                                        <------  +CONTINUE <replid>
//	                                                 the stream from offset+1 on
//
//	full resync:
//	                                        <------  +FULLRESYNC <replid> <offset>
//	                                                 "\n" every second while the snapshot is prepared
//	                                                 $EOF:<40-byte mark>\r\n <RDB file> <mark>
//	                                                 or $<len>\r\n <RDB file, len bytes, no CR LF>
//	   REPLCONF ACK <offset>    (after $EOF:) ------>
//	                                        <------  the stream from offset+1 on
//
//	streaming, for as long as the link lives:
//	                                        <------  *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n
//	                                                 *1\r\n$5\r\nMULTI\r\n ... *1\r\n$4\r\nEXEC\r\n
//	                                                 *1\r\n$4\r\nping\r\n        (every 10 s)
//	                                                 REPLCONF GETACK *       (WaitForFollowers)
//	   REPLCONF ACK <offset>    (every second, ------>
//	                             and at once after GETACK)
//
// The stream is the store's feed (see store.Feed): every write as its
// absolute effect (SET k v PXAT <ms>, HSET, HDEL, DEL, PEXPIREAT, PERSIST,
// MULTI/EXEC around batches), plus the SELECT, PING, PUBLISH and GETACK that
// replication adds. Offsets count the bytes of the stream exactly as Redis
// counts master_repl_offset: the handshake, the RDB payload and the "\n"
// keep-alives do not count. A follower's offset is the offset of the last
// whole command (a whole MULTI ... EXEC) it has applied.
//
// The RDB file is version 10, as Redis 7.0 writes it (see internal/rdb):
//
//	REDIS0010  AUX fields (redis-ver, repl-id, repl-offset, repl-stream-db, ...)
//	0xFE 0  0xFB <keys> <expires>                 SELECTDB 0, RESIZEDB
//	[0xFC <8-byte LE unix ms>] <type> <key> <value>  per key: strings (type 0), hashes (4)
//	0xFF <8-byte LE CRC-64>
//
// # Histories and resyncs
//
// A replication ID names one history of the data: the stream, byte by byte.
// Every Leader starts a new one, so a leader process that restarts with an
// empty (or any) store makes its followers resync in full instead of
// continuing a history it does not have. A follower keeps its leader's ID
// and its offset across reconnections and asks to continue: the leader
// grants a partial resync (+CONTINUE) when its backlog, the store's feed
// (store.Options.FeedBacklog, 16 MiB by default), still holds every byte the
// follower lacks; otherwise it sends a full resync. The snapshot is taken
// while writes go on; its stream starts at an offset the snapshot already
// includes, which is harmless because the feed's effects are absolute.
//
// A follower can serve followers of its own ([Follower.Serve]). It relays
// its leader's stream byte for byte, so its followers share the leader's ID
// and offsets and can later continue with any node of the chain. A follower
// that resyncs in full drops its followers, which resync too. A follower
// whose link is down refuses syncs (NOMASTERLINK), as Redis does.
//
// [Follower.Promote] turns a follower into a leader with a new ID, keeping
// the old one as secondary (replid2, second_repl_offset): its followers,
// and the old leader's other followers pointed at it with
// [Follower.SetLeaderAddr], continue with a partial resync.
//
// # Followers' stores
//
// A Follower puts its store in replica mode (see store.Store.SetReplica):
// the program's writes fail with Redis's READONLY error, reads go on, also
// while the link is down (check [Follower.LinkUp] or [Follower.Info] for
// staleness). A full resync replaces the keyspace at once: readers see the
// old data or the new, never a mix. As on a Redis replica, keys past their
// deadline are hidden from reads but deleted only when the leader's DEL
// arrives. From a redis-server leader, keys in databases other than 0 and
// types Ember does not hold (lists, sets, sorted sets, streams) are skipped.
//
// # Concurrency
//
// Leaders and Followers are safe for concurrent use. Every goroutine they
// start (the accept loops run on the callers of Serve; per connection, a
// reader and a writer, and a keep-alive while a snapshot is prepared; a
// pinger; a follower's link and its ACK sender) is tracked, and Close (or
// Shutdown) returns only once all have exited. Close is idempotent.
//
// OnEvent callbacks and log records are issued from those goroutines, in
// the order things happen on each link; a callback must not block, and must
// not call Close or Promote.
//
// A follower applies the stream from one goroutine; a batch (MULTI ... EXEC)
// is applied atomically, as one store transaction, and its bytes reach the
// follower's feed, and so its offset, together. Snapshots for its own
// followers pause the applying, so that they match an offset exactly (a
// redis-server's stream, unlike Ember's, holds non-idempotent commands such
// as INCR).
//
// Every network read and write has a deadline (LeaderOptions.ReadTimeout
// and WriteTimeout, FollowerOptions.HandshakeTimeout, ReadTimeout and
// WriteTimeout). Input from the network is untrusted: lengths are bounded
// before anything is allocated, a malformed frame ends that connection with
// ErrProtocol, and a follower whose connection falls further behind the
// stream than the output limit is disconnected (ErrOutputLimit) and resyncs
// later.
//
// # Performance
//
// The benchmarks in bench_test.go and lag_process_test.go measure what the
// package promises; run them with go test -run '^$' -bench . ./replication.
// Figures on a shared 2-core test machine, over loopback (see the
// benchmarks for the exact workloads):
//
//	follower apply rate, 16-byte keys, 64-byte values    1.0-1.4 M SETs/s
//	feed cost per leader write (one writer)              about 45 ns
//	leader writes/s, 2 writers: feed on, no follower     4-5 M
//	                            one follower process     1.7-1.9 M (the follower competes for the 2 cores)
//	full resync of 1M keys                               1.2-1.3 s, 1.1 s of it in store.Store.Load
//	write-to-visible lag at 100k writes/s                p50 0.15-0.2 ms, p99 0.3-2 ms (GC of the shared process)
//	leader write p99 during a full resync                unchanged (about 1.5 µs)
package replication
