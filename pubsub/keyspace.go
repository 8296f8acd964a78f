package pubsub

import (
	"context"
	"fmt"
)

// Notification classes, one bit per letter of notify-keyspace-events
// (https://redis.io/docs/latest/develop/use/keyspace-notifications/).
const (
	notifyKeyspace = 1 << iota // K
	notifyKeyevent             // E
	notifyGeneric              // g
	notifyString               // $
	notifyList                 // l
	notifySet                  // s
	notifyHash                 // h
	notifyZset                 // z
	notifyExpired              // x
	notifyEvicted              // e
	notifyStream               // t
	notifyKeyMiss              // m
	notifyModule               // d
	notifyNew                  // n

	// notifyAll is A: every class but m (key misses) and n (new keys), as
	// in Redis.
	notifyAll = notifyGeneric | notifyString | notifyList | notifySet | notifyHash |
		notifyZset | notifyExpired | notifyEvicted | notifyStream | notifyModule
)

// classBit maps a class letter, as passed to the notifier and as written in
// the flags, to its bit; 0 for anything else.
func classBit(c byte) int {
	switch c {
	case 'g':
		return notifyGeneric
	case '$':
		return notifyString
	case 'l':
		return notifyList
	case 's':
		return notifySet
	case 'h':
		return notifyHash
	case 'z':
		return notifyZset
	case 'x':
		return notifyExpired
	case 'e':
		return notifyEvicted
	case 't':
		return notifyStream
	case 'm':
		return notifyKeyMiss
	case 'd':
		return notifyModule
	case 'n':
		return notifyNew
	}
	return 0
}

// parseNotifyFlags reads notify-keyspace-events flags as Redis does.
func parseNotifyFlags(flags string) (int, error) {
	bits := 0
	for i := 0; i < len(flags); i++ {
		switch c := flags[i]; c {
		case 'A':
			bits |= notifyAll
		case 'K':
			bits |= notifyKeyspace
		case 'E':
			bits |= notifyKeyevent
		default:
			bit := classBit(c)
			if bit == 0 {
				return 0, fmt.Errorf("%w: %q: invalid event class character, use 'Ag$lshzxeKEtmdn'", ErrNotifyFlags, flags)
			}
			bits |= bit
		}
	}
	if bits&(notifyKeyspace|notifyKeyevent) == 0 {
		return 0, fmt.Errorf("%w: %q: neither K (keyspace) nor E (keyevent) is set, so nothing would be published", ErrNotifyFlags, flags)
	}
	return bits, nil
}

// KeyspaceNotifier returns a function that publishes Redis keyspace
// notifications on b, for the events selected by flags, written as Redis's
// notify-keyspace-events setting:
//
//	K  keyspace events, published to __keyspace@0__:<key> with the event as payload
//	E  keyevent events, published to __keyevent@0__:<event> with the key as payload
//	g  generic commands (del, expire, rename_from, rename_to, persist, copy_to, ...)
//	$  string commands        l  list commands         s  set commands
//	h  hash commands          z  sorted set commands   t  stream commands
//	x  expired events (when a key is removed on expiry)
//	e  evicted events         d  module events         n  new keys
//	m  key misses
//	A  alias for g$lshzxetd (not m, not n)
//
// At least one of K and E is needed, and one class letter for anything to be
// published. The function's signature is that of the store's Notify option,
// which wires keyspace notifications without either package importing the
// other:
//
//	notify, err := broker.KeyspaceNotifier("KEA")
//	st, err := store.New(&store.Options{Notify: notify})
//
// class is the event's class letter ('g', '$', 'h', 'x', ...) and event
// Redis's event name ("set", "del", "expired", ...); unknown classes are
// ignored. The function is safe for concurrent use, publishes with
// context.Background(), builds no channel name while nobody follows
// anything, and does nothing once the broker is closed.
func (b *Broker) KeyspaceNotifier(flags string) (func(class byte, event, key string), error) {
	if b.closed.Load() {
		return nil, ErrClosed
	}
	bits, err := parseNotifyFlags(flags)
	if err != nil {
		return nil, err
	}
	return func(class byte, event, key string) {
		if bits&classBit(class) == 0 || b.topics.Load() == 0 {
			return
		}
		ctx := context.Background()
		if bits&notifyKeyspace != 0 {
			_, _ = b.publish(ctx, "__keyspace@0__:"+key, event, false)
		}
		if bits&notifyKeyevent != 0 {
			_, _ = b.publish(ctx, "__keyevent@0__:"+event, key, false)
		}
	}, nil
}
