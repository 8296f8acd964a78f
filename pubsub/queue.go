package pubsub

import "sync"

// dropChannelSize caps the channel of a subscription under a drop policy:
// the values in the channel belong to the receiver and are never dropped, so
// it is kept small; the policy applies to the queue behind it.
const dropChannelSize = 32

// queue holds the values waiting behind the channel of a subscription under
// a drop policy. While the queue is empty, publishers (holding Broker.mu and
// queue.mu) send straight into the channel; once a value does not fit, it
// and every value after it go to the queue, and the subscription's pump
// goroutine moves them into the channel, in order, as the receiver makes
// room. So "the oldest message" that DropOldest drops is the oldest one not
// yet in the channel.
//
// Messages in the queue are bounded by limit. Confirmations are never
// dropped and do not count against it (the subscriber's own calls make
// them); [KindDropped] notices coalesce, so they stay few.
type queue struct {
	ch chan Message // the subscription's channel

	mu sync.Mutex

	// Guarded by mu.
	buf      []Message // ring buffer: the values are buf[head], buf[head+1], ... (mod len)
	head, n  int
	messages int  // values of kind message or pmessage in buf
	limit    int  // bound on messages
	inflight bool // the pump holds a value it popped and is sending it
	waiting  bool // the pump is parked and must be woken
	retired  bool // the subscription is out of the broker: nothing more will be pushed
	exited   bool // the pump has returned

	wake chan struct{} // capacity 1: a pending wake-up for the pump
}

func newQueue(ch chan Message, limit int) *queue {
	return &queue{
		ch:    ch,
		buf:   make([]Message, min(limit, 16)),
		limit: limit,
		wake:  make(chan struct{}, 1),
	}
}

func isMessage(k Kind) bool { return k == KindMessage || k == KindPMessage }

// at returns a pointer to the i-th value from the head.
func (q *queue) at(i int) *Message {
	return &q.buf[(q.head+i)%len(q.buf)]
}

// appendLocked adds m at the tail, growing the ring when it is full.
func (q *queue) appendLocked(m *Message) {
	if q.n == len(q.buf) {
		grown := make([]Message, 2*len(q.buf)+1)
		for i := 0; i < q.n; i++ {
			grown[i] = *q.at(i)
		}
		q.buf, q.head = grown, 0
	}
	*q.at(q.n) = *m
	q.n++
	if isMessage(m.Kind) {
		q.messages++
	}
}

// sendDirectLocked sends m straight into the channel if nothing waits in
// the queue or in the pump's hands and the channel has room.
func (q *queue) sendDirectLocked(m *Message) bool {
	if q.n > 0 || q.inflight {
		return false
	}
	select {
	case q.ch <- *m:
		return true
	default:
		return false
	}
}

// pushControl delivers a confirmation. It never fails.
func (q *queue) pushControl(m *Message) {
	q.mu.Lock()
	if !q.sendDirectLocked(m) {
		q.appendLocked(m)
		q.wakeLocked()
	}
	q.mu.Unlock()
}

// pushMessage delivers a message under policy (DropNewest or DropOldest). It
// reports whether m was delivered (sent or queued) and whether a message was
// dropped.
func (q *queue) pushMessage(m *Message, policy Policy) (delivered, dropped bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.sendDirectLocked(m) {
		return true, false
	}
	switch {
	case q.messages < q.limit:
		q.appendLocked(m)
		delivered = true
	case policy == DropNewest:
		q.noteDropAtTailLocked()
		dropped = true
	default: // DropOldest
		q.dropOldestLocked()
		q.appendLocked(m)
		delivered, dropped = true, true
	}
	q.wakeLocked()
	return delivered, dropped
}

// noteDropAtTailLocked records one message dropped at the tail: the last
// value becomes or stays a KindDropped notice.
func (q *queue) noteDropAtTailLocked() {
	if q.n > 0 {
		if last := q.at(q.n - 1); last.Kind == KindDropped {
			last.Count++
			return
		}
	}
	q.appendLocked(&Message{Kind: KindDropped, Count: 1})
}

// dropOldestLocked replaces the oldest queued message with a KindDropped
// notice, or folds it into the notice just before it.
func (q *queue) dropOldestLocked() {
	i := 0
	for !isMessage(q.at(i).Kind) {
		i++ // only confirmations and notices come first, so this stays short
	}
	q.messages--
	if i > 0 {
		if prev := q.at(i - 1); prev.Kind == KindDropped {
			prev.Count++
			// Close the gap: shift the values before i one step towards the tail.
			for j := i; j > 0; j-- {
				*q.at(j) = *q.at(j - 1)
			}
			*q.at(0) = Message{}
			q.head = (q.head + 1) % len(q.buf)
			q.n--
			return
		}
	}
	*q.at(i) = Message{Kind: KindDropped, Count: 1}
}

// popLocked removes and returns the value at the head; the queue must not be
// empty.
func (q *queue) popLocked() Message {
	p := q.at(0)
	m := *p
	*p = Message{} // drop references to the strings
	q.head = (q.head + 1) % len(q.buf)
	q.n--
	if isMessage(m.Kind) {
		q.messages--
	}
	return m
}

// wakeLocked wakes the pump if it is parked.
func (q *queue) wakeLocked() {
	if q.waiting {
		q.waiting = false
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

// retire records that the subscription left the broker, so that nothing
// more is pushed and only the pump can still send on the channel. The pump
// closes the channel once the queue is empty (or when told to stop); if it
// has returned already, retire closes it.
func (q *queue) retire() {
	q.mu.Lock()
	q.retired = true
	q.wakeLocked()
	exited := q.exited
	q.mu.Unlock()
	if exited {
		close(q.ch)
	}
}

// pumpExit records that the pump returned, and closes the channel if the
// subscription is retired. Publishers may still send on the channel until it
// is, so only the last of pumpExit and retire closes it.
func (q *queue) pumpExit() {
	q.mu.Lock()
	q.exited = true
	retired := q.retired
	q.mu.Unlock()
	if retired {
		close(q.ch)
	}
}
