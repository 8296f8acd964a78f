package pubsub

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// refQueue is the queue's specification on a plain slice.
type refQueue struct {
	vals  []Message
	limit int
}

func (r *refQueue) messages() int {
	n := 0
	for _, m := range r.vals {
		if isMessage(m.Kind) {
			n++
		}
	}
	return n
}

func (r *refQueue) push(m Message, policy Policy) {
	if !isMessage(m.Kind) || r.messages() < r.limit {
		r.vals = append(r.vals, m)
		return
	}
	if policy == DropNewest {
		if n := len(r.vals); n > 0 && r.vals[n-1].Kind == KindDropped {
			r.vals[n-1].Count++
		} else {
			r.vals = append(r.vals, Message{Kind: KindDropped, Count: 1})
		}
		return
	}
	i := 0
	for !isMessage(r.vals[i].Kind) {
		i++
	}
	if i > 0 && r.vals[i-1].Kind == KindDropped {
		r.vals[i-1].Count++
		r.vals = append(r.vals[:i], r.vals[i+1:]...)
	} else {
		r.vals[i] = Message{Kind: KindDropped, Count: 1}
	}
	r.vals = append(r.vals, m)
}

func (q *queue) contents() []Message {
	out := make([]Message, q.n)
	for i := range out {
		out[i] = *q.at(i)
	}
	return out
}

// TestQueue_MatchesReference runs random pushes and pops on the ring and on
// the reference, with small limits so that the ring wraps and grows.
func TestQueue_MatchesReference(t *testing.T) {
	for _, policy := range []Policy{DropNewest, DropOldest} {
		for limit := 1; limit <= 5; limit++ {
			t.Run(fmt.Sprintf("%v/limit=%d", policy, limit), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(limit), uint64(policy)))
				q, ref := newQueue(nil, limit), &refQueue{limit: limit} // a nil channel: never room, everything is queued
				seq := 0
				for step := range 5000 {
					switch op := rng.IntN(10); {
					case op < 5:
						seq++
						m := Message{Kind: KindMessage, Channel: "c", Payload: fmt.Sprint(seq)}
						queued, dropped := q.pushMessage(&m, policy)
						wasFull := ref.messages() >= limit
						ref.push(m, policy)
						require.Equal(t, !wasFull || policy == DropOldest, queued, "step %d", step)
						require.Equal(t, wasFull, dropped, "step %d", step)
					case op < 6:
						m := Message{Kind: KindSubscribe, Channel: fmt.Sprint("s", step), Count: 1}
						q.pushControl(&m)
						ref.push(m, policy)
					default:
						if len(ref.vals) == 0 {
							continue
						}
						q.mu.Lock()
						got := q.popLocked()
						q.mu.Unlock()
						require.Equal(t, ref.vals[0], got, "step %d", step)
						ref.vals = ref.vals[1:]
					}
					require.Equal(t, ref.vals, q.contents(), "step %d", step)
					require.Equal(t, ref.messages(), q.messages, "step %d", step)
				}
			})
		}
	}
}
