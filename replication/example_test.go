package replication_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emberkv/ember/replication"
	"github.com/emberkv/ember/store"
)

// A leader and a follower in one process, over loopback: the follower's
// store mirrors the leader's, and WaitForOffset gives read-your-writes.
func Example() {
	primary, _ := store.New(nil)
	defer primary.Close()
	leader, err := replication.NewLeader(primary, nil)
	if err != nil {
		panic(err)
	}
	defer leader.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go leader.Serve(ln)

	replica, _ := store.New(nil)
	defer replica.Close()
	follower, err := replication.NewFollower(replica, ln.Addr().String(), nil)
	if err != nil {
		panic(err)
	}
	defer follower.Close()
	if err := follower.Start(); err != nil {
		panic(err)
	}

	_ = primary.Set("greeting", "hello")
	_, _ = primary.HSet("user:1", "name", "ada")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := follower.WaitForOffset(ctx, leader.Offset()); err != nil {
		panic(err)
	}
	v, _, _ := replica.Get("greeting")
	name, _, _ := replica.HGet("user:1", "name")
	fmt.Println(v, name)
	fmt.Println(replica.Set("greeting", "bye"))
	fmt.Println(follower.ReplID() == leader.ReplID())
	// Output:
	// hello ada
	// READONLY You can't write against a read only replica.
	// true
}

// Promote turns a follower into a leader whose store is writable; the old
// history stays valid as its secondary replication ID.
func ExampleFollower_Promote() {
	primary, _ := store.New(nil)
	defer primary.Close()
	leader, _ := replication.NewLeader(primary, nil)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go leader.Serve(ln)
	_ = primary.Set("k", "v1")

	replica, _ := store.New(nil)
	defer replica.Close()
	follower, _ := replication.NewFollower(replica, ln.Addr().String(), nil)
	defer follower.Close()
	_ = follower.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = follower.WaitForOffset(ctx, leader.Offset())
	oldID := leader.ReplID()
	leader.Close() // the old leader goes away

	promoted, err := follower.Promote()
	if err != nil {
		panic(err)
	}
	defer promoted.Close()
	fmt.Println(replica.Set("k", "v2"))
	in := promoted.Info()
	fmt.Println(in.Role, in.ReplID2 == oldID, in.ReplID != oldID)
	// Output:
	// <nil>
	// master true true
}

// Info renders as Redis's INFO replication does (lines end in CR LF, shown
// here without the CR).
func ExampleInfo_String() {
	in := replication.Info{
		Role:                   "master",
		Followers:              []replication.FollowerInfo{{IP: "127.0.0.1", Port: 6380, State: "online", Offset: 888, Lag: time.Second}},
		ReplID:                 "cf3bd9bea565d19625065a54b6ff193837130ed9",
		ReplID2:                "0000000000000000000000000000000000000000",
		Offset:                 888,
		SecondOffset:           -1,
		BacklogActive:          true,
		BacklogSize:            1 << 20,
		BacklogFirstByteOffset: 1,
		BacklogHistlen:         888,
	}
	fmt.Print(strings.ReplaceAll(in.String(), "\r\n", "\n"))
	// Output:
	// # Replication
	// role:master
	// connected_slaves:1
	// slave0:ip=127.0.0.1,port=6380,state=online,offset=888,lag=1
	// master_failover_state:no-failover
	// master_replid:cf3bd9bea565d19625065a54b6ff193837130ed9
	// master_replid2:0000000000000000000000000000000000000000
	// master_repl_offset:888
	// second_repl_offset:-1
	// repl_backlog_active:1
	// repl_backlog_size:1048576
	// repl_backlog_first_byte_offset:1
	// repl_backlog_histlen:888
}
