package pubsub_test

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/emberkv/ember/pubsub"
)

// allPolicies lists every policy, for tests whose outcome must not depend on
// it (buffers large enough that none applies).
var allPolicies = []pubsub.Policy{pubsub.Disconnect, pubsub.DropNewest, pubsub.DropOldest, pubsub.Block}

// ready returns the values s has ready and whether its channel is still
// open. It must run inside a synctest bubble: synctest.Wait lets the
// subscription's pump, if any, hand over everything it holds.
func ready(s *pubsub.Subscription) (got []string, open bool) {
	for {
		synctest.Wait()
		select {
		case m, ok := <-s.Channel():
			if !ok {
				return got, false
			}
			got = append(got, m.String())
		default:
			return got, true
		}
	}
}

// recv receives one value from s, failing the test if none comes in time.
func recv(t testing.TB, s *pubsub.Subscription) pubsub.Message {
	t.Helper()
	select {
	case m, ok := <-s.Channel():
		if !ok {
			t.Fatalf("channel closed (err %v)", s.Err())
		}
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no value within 10s")
	}
	return pubsub.Message{}
}

// recvClosed waits for s's channel to close, failing the test on a value or
// a timeout.
func recvClosed(t testing.TB, s *pubsub.Subscription) {
	t.Helper()
	select {
	case m, ok := <-s.Channel():
		if ok {
			t.Fatalf("got %v, want the channel closed", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("channel not closed within 10s")
	}
}
