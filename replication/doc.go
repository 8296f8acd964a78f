// Package replication mirrors a store between processes over the Redis
// replication protocol. A [Leader] serves a store's mutation feed over TCP;
// a Follower mirrors it into its own store, which then serves reads
// locally. Because the link speaks Redis's protocol (RESP framing, PSYNC,
// an RDB snapshot for a full resync, replication IDs and byte offsets), a
// stock redis-server started with --replicaof, or redis-cli --replica, can
// follow an Ember leader too.
package replication
