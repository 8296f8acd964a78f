package pubsub_test

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/pubsub"
)

func TestKeyspaceNotifier_Flags(t *testing.T) {
	b := pubsub.New(nil)
	defer b.Close()
	for _, ok := range []string{"KEA", "AKE", "K$", "Eg", "Ex", "KEm", "KEn", "Kg$lshzxetmdn", "K", "E"} {
		notify, err := b.KeyspaceNotifier(ok)
		assert.NoError(t, err, "%q", ok)
		assert.NotNil(t, notify, "%q", ok)
	}
	for _, bad := range []string{"", "A", "g$", "KQ", "Kk", "ke", "K E"} {
		_, err := b.KeyspaceNotifier(bad)
		assert.ErrorIs(t, err, pubsub.ErrNotifyFlags, "%q", bad)
	}
}

type event struct {
	class      byte
	event, key string
}

func TestKeyspaceNotifier_Events(t *testing.T) {
	set := event{'$', "set", "k"}
	tests := []struct {
		name   string
		flags  string
		events []event
		want   []string // as received by a subscription to __key*__:*
	}{
		{"K and E", "KEA", []event{set}, []string{
			"pmessage __key*__:* __keyspace@0__:k set",
			"pmessage __key*__:* __keyevent@0__:set k",
		}},
		{"keyspace only", "K$", []event{set, {'g', "del", "k"}}, []string{
			"pmessage __key*__:* __keyspace@0__:k set",
		}},
		{"keyevent only, expired class", "Ex", []event{set, {'x', "expired", "k"}}, []string{
			"pmessage __key*__:* __keyevent@0__:expired k",
		}},
		{"generic class", "Eg", []event{{'g', "del", "a"}, {'g', "rename_from", "b"}, {'g', "rename_to", "c"}, {'h', "hset", "h"}}, []string{
			"pmessage __key*__:* __keyevent@0__:del a",
			"pmessage __key*__:* __keyevent@0__:rename_from b",
			"pmessage __key*__:* __keyevent@0__:rename_to c",
		}},
		{"hash class", "Kh", []event{{'h', "hset", "user"}, {'h', "hdel", "user"}, set}, []string{
			"pmessage __key*__:* __keyspace@0__:user hset",
			"pmessage __key*__:* __keyspace@0__:user hdel",
		}},
		{"A has every class but m and n", "EA", []event{
			{'g', "del", "k"}, {'$', "set", "k"}, {'l', "lpush", "k"}, {'s', "sadd", "k"}, {'h', "hset", "k"},
			{'z', "zadd", "k"}, {'x', "expired", "k"}, {'e', "evicted", "k"}, {'t', "xadd", "k"}, {'d', "module", "k"},
			{'m', "keymiss", "k"}, {'n', "new", "k"},
		}, []string{
			"pmessage __key*__:* __keyevent@0__:del k", "pmessage __key*__:* __keyevent@0__:set k",
			"pmessage __key*__:* __keyevent@0__:lpush k", "pmessage __key*__:* __keyevent@0__:sadd k",
			"pmessage __key*__:* __keyevent@0__:hset k", "pmessage __key*__:* __keyevent@0__:zadd k",
			"pmessage __key*__:* __keyevent@0__:expired k", "pmessage __key*__:* __keyevent@0__:evicted k",
			"pmessage __key*__:* __keyevent@0__:xadd k", "pmessage __key*__:* __keyevent@0__:module k",
		}},
		{"m and n on their own", "Emn", []event{set, {'m', "keymiss", "k"}, {'n', "new", "k"}}, []string{
			"pmessage __key*__:* __keyevent@0__:keymiss k",
			"pmessage __key*__:* __keyevent@0__:new k",
		}},
		{"no class, nothing", "KE", []event{set, {'x', "expired", "k"}}, nil},
		{"unknown class ignored", "KEA", []event{{'?', "odd", "k"}, {'K', "odd", "k"}}, nil},
		{"keys are taken as they are", "K$", []event{{'$', "set", "a:b c*"}, {'$', "set", ""}}, []string{
			"pmessage __key*__:* __keyspace@0__:a:b c* set",
			"pmessage __key*__:* __keyspace@0__: set",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := pubsub.New(nil)
				defer b.Close()
				notify, err := b.KeyspaceNotifier(tc.flags)
				require.NoError(t, err)
				sub, err := b.PSubscribe(context.Background(), "__key*__:*")
				require.NoError(t, err)
				for _, e := range tc.events {
					notify(e.class, e.event, e.key)
				}
				got, _ := ready(sub)
				assert.Equal(t, append([]string{"psubscribe __key*__:* 1"}, tc.want...), got)
			})
		})
	}
}

// TestKeyspaceNotifier_Channels: a subscriber can follow one key or one
// event by channel, as with Redis.
func TestKeyspaceNotifier_Channels(t *testing.T) {
	ctx := context.Background()
	b := pubsub.New(nil)
	defer b.Close()
	notify, err := b.KeyspaceNotifier("KEA")
	require.NoError(t, err)
	key, err := b.Subscribe(ctx, "__keyspace@0__:user:1")
	require.NoError(t, err)
	expired, err := b.Subscribe(ctx, "__keyevent@0__:expired")
	require.NoError(t, err)
	recv(t, key)
	recv(t, expired)

	notify('$', "set", "user:2")
	notify('$', "set", "user:1")
	notify('x', "expired", "user:1")
	assert.Equal(t, "message __keyspace@0__:user:1 set", recv(t, key).String())
	assert.Equal(t, "message __keyspace@0__:user:1 expired", recv(t, key).String())
	assert.Equal(t, "message __keyevent@0__:expired user:1", recv(t, expired).String())
}

// TestKeyspaceNotifier_Idle: with nobody subscribed, a notification costs
// neither a publish nor an allocation.
func TestKeyspaceNotifier_Idle(t *testing.T) {
	b := pubsub.New(nil)
	notify, err := b.KeyspaceNotifier("KEA")
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(100, func() { notify('$', "set", "some:key") })
	assert.Zero(t, allocs)
	assert.Zero(t, b.Stats().Published)

	require.NoError(t, b.Close())
	notify('$', "set", "k") // harmless after Close
}
