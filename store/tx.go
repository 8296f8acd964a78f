package store

import (
	"math/bits"
	"strconv"

	"github.com/emberkv/ember/internal/resp"
)

// Tx is the store as seen by a transaction: the function given to
// [Store.Update], and internally every single command, runs with a Tx that
// holds the locks of the shards its keys live in. A Tx has one method per
// command with the same meaning as the Store's; its writes become visible to
// other goroutines all at once, when the transaction ends.
//
// A Tx is valid only inside the function it was given to, and is not safe for
// concurrent use.
type Tx struct {
	s        *Store
	now      int64 // unix ms, read once per transaction (as Redis does per command)
	write    bool
	one      int      // index of the only shard held, or -1 when held is used
	held     shardSet // the shards held, for multi-key transactions
	feed     *Feed    // nil when nobody consumes the feed: record nothing
	eff      []byte   // effects recorded so far, RESP-encoded
	neff     int
	inline   [2]note             // the first notifications, when the store has a Notify func
	notes    []note              // the others (allocated only for a third)
	nnotes   int                 // notifications recorded, inline ones included
	undo     map[string]saved    // Update only: each key's state before its first write
	apply    bool                // set before begin by Apply, ApplyBatch and Load
	declared map[string]struct{} // Update only: the keys fn may use
	replica  bool                // the store is a replica (read under the locks)
	hkey     string              // the last key hashed, and its hash
	hval     uint64
}

// saved is a key's state before a transaction wrote it.
type saved struct {
	i       int
	v       value // a deep copy
	existed bool
}

// shardSet is a set of shard indexes, a bit each. It lives in the Tx, on its
// caller's stack: a set of 1,024 bits allocated for each multi-key command
// cost MGET of 4 keys 128 bytes and an allocation.
type shardSet struct {
	small [4]uint64 // stores of up to 256 shards
	big   []uint64  // larger ones
}

// reset empties the set for a store of n shards.
func (ss *shardSet) reset(n int) {
	*ss = shardSet{}
	if n > 64*len(ss.small) {
		ss.big = make([]uint64, (n+63)/64)
	}
}

func (ss *shardSet) words() []uint64 {
	if ss.big != nil {
		return ss.big
	}
	return ss.small[:]
}

func (ss *shardSet) has(i int) bool { return ss.words()[i>>6]&(1<<(i&63)) != 0 }
func (ss *shardSet) add(i int)      { ss.words()[i>>6] |= 1 << (i & 63) }

// note is a keyspace event to deliver once the locks are released.
type note struct {
	class      byte
	event, key string
}

// begin1 starts a transaction on the shard of one key.
func (s *Store) begin1(t *Tx, key string, write bool) error {
	if s.closed.Load() {
		return ErrClosed
	}
	h := hashKey(key)
	i := s.indexOf(h)
	t.s, t.one, t.write = s, i, write
	t.hkey, t.hval = key, h
	sh := &s.shards[i]
	if write {
		sh.lock()
	} else {
		sh.mu.Lock()
	}
	if err := t.startLocked(); err != nil {
		t.unlockAll()
		return err
	}
	return nil
}

// beginCmd starts the transaction of a command that touches keys and no
// other key (DEL, EXISTS, MGET, MSET, MSETNX): with one key, the common
// call, it takes that key's shard as begin1 does, without a set of shards.
// (Update and pipelines use beginKeys: a Tx from begin1 does not check that
// a key is one it holds.)
func (s *Store) beginCmd(t *Tx, write bool, keys ...string) error {
	if len(keys) == 1 {
		return s.begin1(t, keys[0], write)
	}
	return s.beginKeys(t, write, keys...)
}

// beginKeys starts a transaction on the shards of all keys, locked in
// ascending shard order so that transactions never deadlock.
func (s *Store) beginKeys(t *Tx, write bool, keys ...string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	t.s, t.one, t.write = s, -1, write
	t.held.reset(len(s.shards))
	for _, k := range keys {
		t.held.add(s.index(k))
	}
	t.lockAll()
	if err := t.startLocked(); err != nil {
		t.unlockAll()
		return err
	}
	return nil
}

// beginAll starts a transaction holding every shard.
func (s *Store) beginAll(t *Tx, write bool) error {
	if s.closed.Load() {
		return ErrClosed
	}
	t.s, t.one, t.write = s, -1, write
	t.held.reset(len(s.shards))
	for i := range s.shards {
		t.held.add(i)
	}
	t.lockAll()
	if err := t.startLocked(); err != nil {
		t.unlockAll()
		return err
	}
	return nil
}

// lockAll locks the shards in held, in ascending order.
func (t *Tx) lockAll() {
	for w, word := range t.held.words() {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			if sh := &t.s.shards[w*64+b]; t.write {
				sh.lock()
			} else {
				sh.mu.Lock()
			}
		}
	}
}

// unlockAll releases what begin1, beginKeys or beginAll locked.
func (t *Tx) unlockAll() {
	if t.one >= 0 {
		if sh := &t.s.shards[t.one]; t.write {
			sh.unlock()
		} else {
			sh.mu.Unlock()
		}
		return
	}
	for w, word := range t.held.words() {
		for word != 0 {
			b := bits.TrailingZeros64(word)
			word &^= 1 << b
			if sh := &t.s.shards[w*64+b]; t.write {
				sh.unlock()
			} else {
				sh.mu.Unlock()
			}
		}
	}
}

// first returns the lowest shard held, whose scratch buffer the transaction uses.
func (t *Tx) first() *shard {
	if t.one >= 0 {
		return &t.s.shards[t.one]
	}
	for w, word := range t.held.words() {
		if word != 0 {
			return &t.s.shards[w*64+bits.TrailingZeros64(word)]
		}
	}
	return nil
}

// startLocked prepares a transaction whose locks are held; it refuses a
// write from the program to a replica.
func (t *Tx) startLocked() error {
	t.replica = t.s.replica.Load()
	if !t.write {
		return nil
	}
	if t.replica {
		if !t.apply {
			return ErrReadOnly
		}
		// Applying the master's stream: the follower relays the master's
		// bytes to its own followers, so nothing is recorded here.
		return nil
	}
	// Loaded under the locks: a write either records its effect or commits
	// before a snapshot that starts the feed can copy its shard.
	if t.feed = t.s.feed.Load(); t.feed != nil {
		if sh := t.first(); sh != nil {
			t.eff = sh.scratch[:0]
		}
	}
	return nil
}

// end commits the transaction: its effects go to the feed while the locks
// are still held, then the locks are released and the notifications sent.
func (s *Store) end(t *Tx) {
	first := t.first()
	if first != nil {
		first.cmds++ // held: see shard.cmds
	}
	if t.feed != nil {
		t.feed.append(t.eff, t.neff, true)
		if first != nil {
			first.scratch = keepScratch(t.eff)
		}
	}
	t.unlockAll()
	if s.notify != nil {
		for _, n := range t.inline[:min(t.nnotes, len(t.inline))] {
			s.notify(n.class, n.event, n.key)
		}
		for _, n := range t.notes {
			s.notify(n.class, n.event, n.key)
		}
	}
}

// hash returns hashKey(key), remembering the last key: a command usually
// looks its key up and then stores it.
func (t *Tx) hash(key string) uint64 {
	if t.hval == 0 || key != t.hkey {
		t.hkey, t.hval = key, hashKey(key)
	}
	return t.hval
}

// clock returns the transaction's time in unix ms.
func (t *Tx) clock() int64 {
	if t.now == 0 {
		t.now = t.s.nowMs()
	}
	return t.now
}

// shard returns the index and shard of key, which the transaction must hold.
func (t *Tx) shard(key string) (int, *shard, error) {
	if t.one >= 0 {
		return t.one, &t.s.shards[t.one], nil
	}
	if t.declared != nil {
		if _, ok := t.declared[key]; !ok {
			return 0, nil, ErrKeyNotLocked
		}
	}
	i := t.s.index(key)
	if !t.held.has(i) {
		return 0, nil, ErrKeyNotLocked
	}
	return i, &t.s.shards[i], nil
}

// get returns key's live value. A key past its deadline is absent; in a
// write transaction it is also removed (lazy expiry), recording DEL.
func (t *Tx) get(i int, sh *shard, key string) (value, bool) {
	v, ok := sh.tab.get(key, t.hash(key))
	if !ok {
		return v, false
	}
	if at := v.deadline(); at != 0 && at <= t.clock() {
		if t.replica {
			// A replica hides expired keys from readers but never removes
			// them: its master sends DEL when they expire. Commands from the
			// master see them, as the master still did when it sent them.
			if t.apply {
				return v, true
			}
			return value{}, false
		}
		if t.write {
			t.touch(i, sh, key)
			t.remove(i, sh, key, v)
			sh.expired++
			t.rec("DEL", key)
			t.note('x', "expired", key)
		}
		return value{}, false
	}
	return v, true
}

// lookup is get for commands that count keyspace hits and misses.
func (t *Tx) lookup(i int, sh *shard, key string) (value, bool) {
	v, ok := t.get(i, sh, key)
	switch {
	case t.s.noReadStats:
	case ok:
		sh.hits++
	default:
		sh.misses++
	}
	return v, ok
}

// touch is called by every write before it changes key: inside Update it
// saves the key's state so that an error can undo the transaction.
func (t *Tx) touch(i int, sh *shard, key string) {
	if t.undo == nil {
		return
	}
	if _, ok := t.undo[key]; ok {
		return
	}
	v, ok := sh.tab.get(key, t.hash(key))
	if ok {
		v = deepCopy(v)
	}
	t.undo[key] = saved{i, v, ok}
}

func deepCopy(v value) value {
	if v.isHash() {
		h := v.hash().clone()
		h.at = v.hash().at
		return hashValue(h)
	}
	return newString(v.str(), v.deadline())
}

// rollback restores every key the transaction wrote and forgets its effects
// and notifications.
func (t *Tx) rollback() {
	for key, sv := range t.undo {
		sh := &t.s.shards[sv.i]
		if cur, ok := sh.tab.get(key, hashKey(key)); ok {
			t.remove(sv.i, sh, key, cur)
		}
		if sv.existed {
			t.put(sv.i, sh, key, sv.v, value{}, false)
		}
	}
	t.eff, t.neff, t.notes, t.nnotes = t.eff[:0], 0, t.notes[:0], 0
}

// put stores v under key, replacing old (existed reports whether there was
// one), and keeps the expiry index in step.
func (t *Tx) put(i int, sh *shard, key string, v, old value, existed bool) {
	var oldAt int64
	if existed {
		oldAt = old.deadline()
	}
	sh.tab.set(key, t.hash(key), v)
	t.s.setDeadlineLocked(i, key, t.hash(key), oldAt, v.deadline())
}

// remove deletes key, whose value is v, without recording anything.
func (t *Tx) remove(i int, sh *shard, key string, v value) {
	sh.tab.del(key, t.hash(key))
	if at := v.deadline(); at != 0 {
		t.s.setDeadlineLocked(i, key, t.hash(key), at, 0)
	}
	sh.tab.maybeShrink()
}

// setDeadline changes the deadline of key's value v to at (0 for none) and
// returns the new value.
func (t *Tx) setDeadline(i int, sh *shard, key string, v value, at int64) value {
	old := v.deadline()
	if old == at {
		return v
	}
	switch {
	case v.isHash():
		v.hash().at = at
	case at == 0:
		v = stringValue(v.str())
	default:
		v = newString(v.str(), at)
	}
	sh.tab.set(key, t.hash(key), v)
	t.s.setDeadlineLocked(i, key, t.hash(key), old, at)
	return v
}

// replaceString returns a string value holding s with the deadline of old
// (KEEPTTL).
func replaceString(old value, s string, existed bool) value {
	if existed {
		return newString(s, old.deadline())
	}
	return stringValue(s)
}

// note records a notification for end to send once the locks are released.
// The first two are kept in the Tx itself: a write command of one key sends
// one or two (SET with a TTL: set, expire), and a slice for them was an
// allocation per write.
func (t *Tx) note(class byte, event, key string) {
	switch {
	case t.s.notify == nil:
		return
	case t.nnotes < len(t.inline):
		t.inline[t.nnotes] = note{class, event, key}
	default:
		t.notes = append(t.notes, note{class, event, key})
	}
	t.nnotes++
}

// rec records a command as an effect.
func (t *Tx) rec(args ...string) {
	if t.feed == nil {
		return
	}
	t.eff = resp.AppendCommand(t.eff, args...)
	t.neff++
}

// recSet records the SET that recreates a string key: its value and its
// deadline (at, 0 for none), or KEEPTTL when keep is set and the key has one.
func (t *Tx) recSet(key, val string, at int64, keep bool) {
	if t.feed == nil {
		return
	}
	n := 3
	if at != 0 {
		n = 5
		if keep {
			n = 4
		}
	}
	t.eff = resp.AppendArrayLen(t.eff, n)
	t.eff = resp.AppendBulkString(t.eff, "SET")
	t.eff = resp.AppendBulkString(t.eff, key)
	t.eff = resp.AppendBulkString(t.eff, val)
	switch {
	case at != 0 && keep:
		t.eff = resp.AppendBulkString(t.eff, "KEEPTTL")
	case at != 0:
		t.eff = resp.AppendBulkString(t.eff, "PXAT")
		t.eff = appendBulkInt(t.eff, at)
	}
	t.neff++
}

// recKeyInt records "<cmd> <key> <n>", such as PEXPIREAT k <ms>.
func (t *Tx) recKeyInt(cmd, key string, n int64) {
	if t.feed == nil {
		return
	}
	t.eff = resp.AppendArrayLen(t.eff, 3)
	t.eff = resp.AppendBulkString(t.eff, cmd)
	t.eff = resp.AppendBulkString(t.eff, key)
	t.eff = appendBulkInt(t.eff, n)
	t.neff++
}

// recValue records the effects that recreate key holding v from nothing.
func (t *Tx) recValue(key string, v value) {
	if t.feed == nil {
		return
	}
	if !v.isHash() {
		t.recSet(key, v.str(), v.deadline(), false)
		return
	}
	h := v.hash()
	t.rec("DEL", key)
	pairs := h.appendPairs(make([]string, 0, 2*h.len()))
	t.eff = resp.AppendArrayLen(t.eff, 2+len(pairs))
	t.eff = resp.AppendBulkString(t.eff, "HSET")
	t.eff = resp.AppendBulkString(t.eff, key)
	for _, p := range pairs {
		t.eff = resp.AppendBulkString(t.eff, p)
	}
	t.neff++
	if h.at != 0 {
		t.recKeyInt("PEXPIREAT", key, h.at)
	}
}

func appendBulkInt(dst []byte, n int64) []byte {
	var tmp [20]byte
	return resp.AppendBulk(dst, strconv.AppendInt(tmp[:0], n, 10))
}

// appendCommand2 appends a two-argument command without a variadic slice.
func appendCommand2(dst []byte, a, b string) []byte {
	dst = resp.AppendArrayLen(dst, 2)
	dst = resp.AppendBulkString(dst, a)
	return resp.AppendBulkString(dst, b)
}
