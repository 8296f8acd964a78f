package store

// String commands: https://redis.io/docs/latest/commands/?group=string
//
// Values are Go strings: the store keeps the caller's string as it is (no
// copy) and returns strings that share memory with what it holds, which is
// safe because Go strings are immutable.

import (
	"math"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/emberkv/ember/internal/resp"
)

// Get returns the value of key; ok is false when the key does not exist.
// It fails with [ErrWrongType] when key holds a hash.
// https://redis.io/docs/latest/commands/get/
func (s *Store) Get(key string) (string, bool, error) {
	// hashKey's common case inline: the call cost 1-2% of a GET of 1M keys
	// (30 alternating rounds, Ember over a map behind an interface: 1.048
	// with it, 1.037 without).
	var h uint64
	if n := len(key); uint(n-8) <= 8 {
		h = shortHash(key, n)
	} else {
		h = hashKey(key)
	}
	sh := &s.shards[s.indexOf(h)]
	// The read without the lock (see shard.seq and tableView) is written out
	// here, with one call for every case but the two common ones: the probe
	// in a function of its own made the path longer, and the fewer
	// instructions a GET runs the more of the next GET's cache misses overlap
	// this one's.
	var flagged value // a value with flags read without the lock, for getSlow
	if s0, tv := sh.seq.Load(), sh.tab.view.Load(); s0&1 == 0 && tv != nil && !s.closed.Load() {
		slots := tv.slots
		n := len(slots)
		want := metaOf(h, len(key))
		i := home(want, n)
		// The probe only loads words: with no call in the loop (the key's
		// bytes are compared after it) its values stay in registers. It
		// stops at the first slot with the key's meta or at an empty one.
		// GET of 4096 keys in cache: 28.1-29.2 -> 27.5-27.8 ns (3
		// interleaved runs); GetZipf 234.6 -> 211.7 ns (p=0.16, n=8).
		found := -1 // -1: probed every slot; -2: an empty slot; else the slot
		var kp unsafe.Pointer
		var v value
		for range n {
			sl := &slots[i]
			m := atomic.LoadUint64(&sl.meta)
			if m == want {
				kp = atomic.LoadPointer(&sl.kp)
				v = value{p: atomic.LoadPointer(&sl.val.p), n: atomic.LoadUint64(&sl.val.n)}
				found = i
				break
			}
			if m == 0 {
				found = -2
				break
			}
			if i++; i == n {
				i = 0
			}
		}
		// Read seq again before following the key's pointer or answering
		// a miss: a key and its meta read while a writer changed them may
		// not match.
		if sh.seq.Load() == s0 {
			switch {
			case found == -2:
				s.countRead(sh, false)
				return "", false, nil
			case found >= 0 && sameKey(unsafe.String((*byte)(kp), len(key)), key):
				if v.n&flagsTTL == 0 {
					s.countRead(sh, true)
					return unsafe.String((*byte)(v.p), int(v.n)), true, nil
				}
				if v.n&(flagBoxed|flagHash) == 0 {
					// A string with its deadline packed in n (flagTimed),
					// answered here as getValue and countGet would: one
					// call, the clock, instead of three. BenchmarkGetTTL
					// over the baseline's GET, 6 alternating processes:
					// 1.11-1.68 (median 1.48) -> 1.08-1.49 (1.30). What
					// is left is the clock's reading (see clock).
					if int64(v.n&timedAtMask) <= s.nowMs() {
						s.countRead(sh, false)
						return "", false, nil
					}
					s.countRead(sh, true)
					return unsafe.String((*byte)(v.p), int(v.n>>timedAtBits&timedLenMask)), true, nil
				}
				flagged = v
			}
			// Otherwise another key with the same meta (one in 2^32 probes)
			// stood first: the locked path looks further.
		}
	}
	return s.getSlow(key, h, sh, flagged)
}

// getSlow is Get when the read without the lock did not answer. flagged is
// the key's value if that read found one with flags: a string with a
// deadline (in the value or in an immutable box) is answered from it; a hash,
// which keeps its deadline in the hash where writers change it, and every
// other case (a writer came in between, a closed store) are read again under
// the lock.
func (s *Store) getSlow(key string, h uint64, sh *shard, flagged value) (string, bool, error) {
	if flagged.n&flagsTTL == 0 || flagged.isHash() {
		return s.getLocked(key, h, sh)
	}
	val, hit, err := s.getValue(flagged, true)
	return s.countGet(sh, val, hit, err)
}

// getLocked is Get under the shard's lock, for when the read without it
// cannot be trusted.
func (s *Store) getLocked(key string, h uint64, sh *shard) (string, bool, error) {
	if s.closed.Load() {
		return "", false, ErrClosed
	}
	sh.mu.Lock()
	v, found := sh.tab.get(key, h)
	val, hit, err := s.getValue(v, found)
	sh.mu.Unlock()
	return s.countGet(sh, val, hit, err)
}

// countGet counts a GET once and returns its answer.
func (s *Store) countGet(sh *shard, val string, hit bool, err error) (string, bool, error) {
	s.countRead(sh, hit)
	return val, hit && err == nil, err
}

// countRead counts a GET or HGET as a keyspace hit or miss, which Stats
// also counts as a command, unless the store has Options.NoReadStats. It
// inlines, so Get's calls with a constant compile to one atomic add.
func (s *Store) countRead(sh *shard, hit bool) {
	switch {
	case s.noReadStats:
	case hit:
		sh.fastHits.Add(1)
	default:
		sh.fastMisses.Add(1)
	}
}

// getValue answers GET for v, the value of a key (found is false when the
// key is missing); hit is false for a missing or expired key.
func (s *Store) getValue(v value, found bool) (val string, hit bool, err error) {
	switch {
	case !found:
		return "", false, nil
	case v.n&flagsTTL == 0:
		return v.str(), true, nil
	}
	if at := v.deadline(); at != 0 && at <= s.nowMs() {
		return "", false, nil
	}
	if v.isHash() {
		return "", true, ErrWrongType
	}
	return v.str(), true, nil
}

// Get is [Store.Get] inside a transaction.
func (t *Tx) Get(key string) (string, bool, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return "", false, err
	}
	v, ok := t.lookup(i, sh, key)
	switch {
	case !ok:
		return "", false, nil
	case v.isHash():
		return "", false, ErrWrongType
	}
	return v.str(), true, nil
}

// Set sets key to val, whatever key held before, and removes any TTL: a plain
// SET. For NX, XX, GET and expiry options see [Store.SetArgs].
// https://redis.io/docs/latest/commands/set/
func (s *Store) Set(key, val string) error {
	if s.closed.Load() {
		return ErrClosed
	}
	h := hashKey(key)
	sh := &s.shards[s.indexOf(h)]
	sh.mu.Lock()
	if s.replica.Load() {
		sh.mu.Unlock()
		return ErrReadOnly
	}
	switch j := sh.tab.find(key, h); {
	case j < 0:
		sh.insertNew(key, h, stringValue(val))
	case sh.tab.slot(j).val.n&flagsTTL != 0:
		sh.mu.Unlock()
		_, _, err := s.SetArgs(key, val, SetArgs{})
		return err
	case sh.tab.swapSameLength(j, val):
	default:
		sh.seq.Add(1)
		sh.tab.slot(j).val.store(stringValue(val))
		sh.seq.Add(1)
	}
	if f := s.feed.Load(); f != nil {
		b := resp3(sh.scratch[:0], "SET", key, val)
		f.append(b, 1, false)
		sh.scratch = keepScratch(b)
	}
	sh.cmds++
	sh.mu.Unlock()
	if s.notify != nil {
		s.notify('$', "set", key)
	}
	return nil
}

// Set is [Store.Set] inside a transaction.
func (t *Tx) Set(key, val string) error {
	_, _, err := t.SetArgs(key, val, SetArgs{})
	return err
}

// SetArgs holds SET's options. The zero value is a plain SET. At most one of
// EX, PX, EXAT, PXAT and KeepTTL may be set, and not both NX and XX;
// otherwise the command fails with [ErrSyntax].
type SetArgs struct {
	NX      bool  // only set a key that does not exist
	XX      bool  // only set a key that exists
	Get     bool  // return the previous value (the key must hold a string)
	EX      int64 // TTL in seconds (> 0)
	PX      int64 // TTL in milliseconds (> 0)
	EXAT    int64 // deadline in unix seconds (> 0)
	PXAT    int64 // deadline in unix milliseconds (> 0)
	KeepTTL bool  // keep the key's current TTL
}

// deadline turns the SET/GETEX expiry options into an absolute deadline in
// unix ms (0 for none), as Redis's parseExtendedStringArgumentsOrReply and
// getExpireMillisecondsOrReply do.
func deadlineOf(ex, px, exat, pxat int64, now func() int64, invalid error) (int64, int, error) {
	n := 0
	var at int64
	bad := false // reported only after every option is counted: two are a syntax error first
	for _, o := range [...]struct {
		v    int64
		unit int64
		abs  bool
	}{{ex, 1000, false}, {px, 1, false}, {exat, 1000, true}, {pxat, 1, true}} {
		if o.v == 0 {
			continue
		}
		n++
		if o.v < 0 || o.v > math.MaxInt64/o.unit {
			bad = true
			continue
		}
		at = o.v * o.unit
		if !o.abs {
			if at > math.MaxInt64-now() {
				bad = true
				continue
			}
			at += now()
		}
	}
	if bad {
		return 0, n, invalid
	}
	return at, n, nil
}

// SetArgs is SET with its options. Without Get, ok reports whether the value
// was written (Redis's OK against nil when NX or XX stops it) and prev is
// empty. With Get, prev and ok are the previous value and whether there was
// one (Redis's reply to SET ... GET); with NX and Get, an existing key is
// returned and left unchanged. An expiry in the past sets a key that is
// already gone.
// https://redis.io/docs/latest/commands/set/
func (s *Store) SetArgs(key, val string, a SetArgs) (prev string, ok bool, err error) {
	if !a.NX && !a.XX && !a.Get && !a.KeepTTL {
		if done, err := s.setExpiring(key, val, a); done {
			return "", err == nil, err
		}
	}
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return "", false, err
	}
	defer s.end(&t)
	return t.SetArgs(key, val, a)
}

// maxRelativeMs bounds the relative TTLs that setExpiring adds to the clock
// without deadlineOf's overflow checks: 2^53 ms is 285,000 years.
const maxRelativeMs = 1 << 53

// setExpiring is SET with at most an expiry option, for a key that is
// missing or holds a string, with or without a deadline still to come: the
// commonest write of a cache, done without a transaction. done is false
// when the general path must run.
func (s *Store) setExpiring(key, val string, a SetArgs) (done bool, err error) {
	if s.closed.Load() {
		return true, ErrClosed
	}
	var at, now int64
	n := 1
	switch {
	case a.EX|a.EXAT|a.PXAT == 0 && a.PX > 0 && a.PX <= maxRelativeMs:
		now = s.nowMs()
		at = now + a.PX // the commonest: SET k v PX ms, as SetTTL writes it
	case a.PX|a.EXAT|a.PXAT == 0 && a.EX > 0 && a.EX <= maxRelativeMs/1000:
		now = s.nowMs()
		at = now + a.EX*1000
	default:
		clock := func() int64 {
			if now == 0 {
				now = s.nowMs()
			}
			return now
		}
		var err error
		at, n, err = deadlineOf(a.EX, a.PX, a.EXAT, a.PXAT, clock, errExpireSet)
		if n > 1 {
			return true, ErrSyntax
		}
		if err != nil {
			return true, err
		}
	}
	h := hashKey(key)
	i := s.indexOf(h)
	sh := &s.shards[i]
	sh.lock()
	if s.replica.Load() {
		sh.unlock()
		return true, ErrReadOnly
	}
	var old int64 // the deadline the key had
	if j := sh.tab.find(key, h); j < 0 {
		// A new key goes in with its value: one store of each word of
		// the slot, not an empty value first and the value after.
		sh.tab.insertNew(key, h, newString(val, at))
	} else {
		p := &sh.tab.slot(j).val
		if p.n&flagsTTL != 0 {
			// A string with a deadline still to come is overwritten here too
			// (a cache refreshing its keys with SET k v PX ms does nothing
			// else): BenchmarkSetRefreshTTL 915 -> 768 ns, p=0.002, 6
			// interleaved runs, where the general path ran a transaction. A
			// hash, and a key whose deadline passed (which the general path
			// expires first, with its event), are not.
			if p.isHash() {
				sh.unlock()
				return false, nil
			}
			old = p.deadline()
			if now == 0 {
				now = s.nowMs()
			}
			if old <= now {
				sh.unlock()
				return false, nil
			}
		}
		p.store(newString(val, at))
	}
	s.setDeadlineLocked(i, key, h, old, at)
	if f := s.feed.Load(); f != nil {
		b := resp3(sh.scratch[:0], "SET", key, val)
		if at != 0 {
			b[1] = '5' // *3 → *5: SET key val PXAT <ms>
			b = resp.AppendBulkString(b, "PXAT")
			b = appendBulkInt(b, at)
		}
		f.append(b, 1, false)
		sh.scratch = keepScratch(b)
	}
	sh.cmds++
	sh.unlock()
	if s.notify != nil {
		s.notify('$', "set", key)
		if n == 1 {
			s.notify('g', "expire", key)
		}
	}
	return true, nil
}

// SetArgs is [Store.SetArgs] inside a transaction.
func (t *Tx) SetArgs(key, val string, a SetArgs) (string, bool, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return "", false, err
	}
	t.touch(i, sh, key)
	at, n, err := deadlineOf(a.EX, a.PX, a.EXAT, a.PXAT, t.clock, errExpireSet)
	if (a.NX && a.XX) || n > 1 || (n == 1 && a.KeepTTL) {
		return "", false, ErrSyntax
	}
	if err != nil {
		return "", false, err
	}
	var old value
	var existed bool
	if a.Get {
		old, existed = t.lookup(i, sh, key) // the GET option counts as a read, as in Redis
	} else {
		old, existed = t.get(i, sh, key)
	}
	var prev string
	if a.Get && existed {
		if old.isHash() {
			return "", false, ErrWrongType
		}
		prev = old.str()
	}
	if (a.NX && existed) || (a.XX && !existed) {
		if a.Get {
			return prev, existed, nil
		}
		return "", false, nil
	}
	var v value
	if a.KeepTTL {
		v = replaceString(old, val, existed)
		at = v.deadline()
	} else {
		v = newString(val, at)
	}
	t.put(i, sh, key, v, old, existed)
	t.recSet(key, val, at, a.KeepTTL)
	t.note('$', "set", key)
	if n == 1 {
		t.note('g', "expire", key)
	}
	if a.Get {
		return prev, existed, nil
	}
	return "", true, nil
}

// SetNX sets key to val only if key does not exist, and reports whether it did.
// https://redis.io/docs/latest/commands/setnx/
func (s *Store) SetNX(key, val string) (bool, error) {
	_, ok, err := s.SetArgs(key, val, SetArgs{NX: true})
	return ok, err
}

// SetNX is [Store.SetNX] inside a transaction.
func (t *Tx) SetNX(key, val string) (bool, error) {
	_, ok, err := t.SetArgs(key, val, SetArgs{NX: true})
	return ok, err
}

// GetDel returns the value of key and deletes the key.
// https://redis.io/docs/latest/commands/getdel/
func (s *Store) GetDel(key string) (string, bool, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return "", false, err
	}
	defer s.end(&t)
	return t.GetDel(key)
}

// GetDel is [Store.GetDel] inside a transaction.
func (t *Tx) GetDel(key string) (string, bool, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return "", false, err
	}
	t.touch(i, sh, key)
	v, ok := t.lookup(i, sh, key)
	if !ok {
		return "", false, nil
	}
	if v.isHash() {
		return "", false, ErrWrongType
	}
	t.remove(i, sh, key, v)
	t.rec("DEL", key)
	t.note('g', "del", key)
	return v.str(), true, nil
}

// GetExArgs holds GETEX's options. The zero value changes nothing (a plain
// GET). At most one field may be set, else [ErrSyntax].
type GetExArgs struct {
	EX      int64 // new TTL in seconds (> 0)
	PX      int64 // new TTL in milliseconds (> 0)
	EXAT    int64 // new deadline in unix seconds (> 0)
	PXAT    int64 // new deadline in unix milliseconds (> 0)
	Persist bool  // remove the TTL
}

// GetEx returns the value of key and changes its TTL. A deadline in the past
// deletes the key (its value is still returned).
// https://redis.io/docs/latest/commands/getex/
func (s *Store) GetEx(key string, a GetExArgs) (string, bool, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return "", false, err
	}
	defer s.end(&t)
	return t.GetEx(key, a)
}

// GetEx is [Store.GetEx] inside a transaction.
func (t *Tx) GetEx(key string, a GetExArgs) (string, bool, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return "", false, err
	}
	t.touch(i, sh, key)
	at, n, err := deadlineOf(a.EX, a.PX, a.EXAT, a.PXAT, t.clock, errExpireGetEx)
	if n > 1 || (n == 1 && a.Persist) {
		return "", false, ErrSyntax
	}
	v, ok := t.lookup(i, sh, key)
	if !ok {
		return "", false, nil
	}
	if v.isHash() {
		return "", false, ErrWrongType
	}
	// Redis validates the expire time only once it has found the key.
	if err != nil {
		return "", false, err
	}
	val := v.str()
	switch {
	case n == 1 && at <= t.clock() && !t.replica:
		t.remove(i, sh, key, v)
		t.rec("DEL", key)
		t.note('g', "del", key)
	case n == 1:
		t.setDeadline(i, sh, key, v, at)
		t.recKeyInt("PEXPIREAT", key, at)
		t.note('g', "expire", key)
	case a.Persist && v.deadline() != 0:
		t.setDeadline(i, sh, key, v, 0)
		t.rec("PERSIST", key)
		t.note('g', "persist", key)
	}
	return val, true, nil
}

// Value is a string that may be missing, as one element of Redis's array
// replies that hold nils (MGET, HMGET). Single results say the same with
// (value, ok).
type Value struct {
	Val string // the value; empty when !OK
	OK  bool   // false where Redis answers nil
}

// MGet returns the values of keys, in order; a missing key, or one holding a
// hash, gives a Value with OK false.
// https://redis.io/docs/latest/commands/mget/
func (s *Store) MGet(keys ...string) ([]Value, error) {
	if len(keys) == 0 {
		return nil, errArgsMGet
	}
	var t Tx
	if err := s.beginCmd(&t, false, keys...); err != nil {
		return nil, err
	}
	defer s.end(&t)
	return t.MGet(keys...)
}

// MGet is [Store.MGet] inside a transaction.
func (t *Tx) MGet(keys ...string) ([]Value, error) {
	if len(keys) == 0 {
		return nil, errArgsMGet
	}
	out := make([]Value, len(keys))
	for j, k := range keys {
		i, sh, err := t.shard(k)
		if err != nil {
			return nil, err
		}
		if v, ok := t.lookup(i, sh, k); ok && !v.isHash() {
			out[j] = Value{v.str(), true}
		}
	}
	return out, nil
}

// MSet sets each key to its value, removing their TTLs, all at once. pairs
// alternates keys and values; an empty or odd list fails with Redis's "wrong
// number of arguments" error, which matches [ErrArity].
// https://redis.io/docs/latest/commands/mset/
func (s *Store) MSet(pairs ...string) error {
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return errArgsMSet
	}
	var t Tx
	if err := s.beginCmd(&t, true, evens(pairs)...); err != nil {
		return err
	}
	defer s.end(&t)
	return t.MSet(pairs...)
}

var (
	errArgsMSet   = arityError("mset")
	errArgsMSetNX = arityError("msetnx")
	errArgsHSet   = arityError("hset")
	errArgsMGet   = arityError("mget")
	errArgsDel    = arityError("del")
	errArgsExists = arityError("exists")
	errArgsHDel   = arityError("hdel")
	errArgsHMGet  = arityError("hmget")
)

func evens(pairs []string) []string {
	keys := make([]string, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		keys = append(keys, pairs[i])
	}
	return keys
}

// MSet is [Store.MSet] inside a transaction.
func (t *Tx) MSet(pairs ...string) error {
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return errArgsMSet
	}
	for j := 0; j < len(pairs); j += 2 {
		if _, _, err := t.shard(pairs[j]); err != nil {
			return err
		}
	}
	for j := 0; j < len(pairs); j += 2 {
		k := pairs[j]
		i, sh, _ := t.shard(k)
		t.touch(i, sh, k)
		old, existed := t.get(i, sh, k)
		t.put(i, sh, k, stringValue(pairs[j+1]), old, existed)
		t.note('$', "set", k)
	}
	if t.feed != nil {
		t.rec(append([]string{"MSET"}, pairs...)...)
	}
	return nil
}

// MSetNX sets every key to its value only if none of them exists, and
// reports whether it did.
// https://redis.io/docs/latest/commands/msetnx/
func (s *Store) MSetNX(pairs ...string) (bool, error) {
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return false, errArgsMSetNX
	}
	var t Tx
	if err := s.beginCmd(&t, true, evens(pairs)...); err != nil {
		return false, err
	}
	defer s.end(&t)
	return t.MSetNX(pairs...)
}

// MSetNX is [Store.MSetNX] inside a transaction.
func (t *Tx) MSetNX(pairs ...string) (bool, error) {
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return false, errArgsMSetNX
	}
	for j := 0; j < len(pairs); j += 2 {
		i, sh, err := t.shard(pairs[j])
		if err != nil {
			return false, err
		}
		if _, ok := t.get(i, sh, pairs[j]); ok {
			return false, nil
		}
	}
	return true, t.MSet(pairs...)
}

// Incr adds 1 to the integer held in key (0 if missing) and returns the
// result, keeping the key's TTL.
// https://redis.io/docs/latest/commands/incr/
func (s *Store) Incr(key string) (int64, error) { return s.IncrBy(key, 1) }

// Incr is [Store.Incr] inside a transaction.
func (t *Tx) Incr(key string) (int64, error) { return t.IncrBy(key, 1) }

// Decr subtracts 1 from the integer held in key (0 if missing).
// https://redis.io/docs/latest/commands/decr/
func (s *Store) Decr(key string) (int64, error) { return s.IncrBy(key, -1) }

// Decr is [Store.Decr] inside a transaction.
func (t *Tx) Decr(key string) (int64, error) { return t.IncrBy(key, -1) }

// DecrBy subtracts decrement from the integer held in key (0 if missing).
// https://redis.io/docs/latest/commands/decrby/
func (s *Store) DecrBy(key string, decrement int64) (int64, error) {
	if decrement == math.MinInt64 {
		return 0, errDecrOverflow
	}
	return s.IncrBy(key, -decrement)
}

var errDecrOverflow = &cmdError{"ERR decrement would overflow", ErrOverflow}

// DecrBy is [Store.DecrBy] inside a transaction.
func (t *Tx) DecrBy(key string, decrement int64) (int64, error) {
	if decrement == math.MinInt64 {
		return 0, errDecrOverflow
	}
	return t.IncrBy(key, -decrement)
}

// IncrBy adds increment to the integer held in key (0 if missing) and returns
// the result, keeping the key's TTL. The value must be a 64-bit integer in
// Redis's strict decimal form ([ErrNotInteger]), and the sum must fit
// ([ErrOverflow]).
// https://redis.io/docs/latest/commands/incrby/
func (s *Store) IncrBy(key string, increment int64) (int64, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.IncrBy(key, increment)
}

// IncrBy is [Store.IncrBy] inside a transaction.
func (t *Tx) IncrBy(key string, increment int64) (int64, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return 0, err
	}
	t.touch(i, sh, key)
	old, existed := t.get(i, sh, key)
	var cur int64
	if existed {
		if old.isHash() {
			return 0, ErrWrongType
		}
		var ok bool
		if cur, ok = parseInt(old.str()); !ok {
			return 0, ErrNotInteger
		}
	}
	n, ok := addInt(cur, increment)
	if !ok {
		return 0, ErrOverflow
	}
	s := strconv.FormatInt(n, 10)
	v := replaceString(old, s, existed)
	t.put(i, sh, key, v, old, existed)
	t.recSet(key, s, v.deadline(), true)
	t.note('$', "incrby", key)
	return n, nil
}

// IncrByFloat adds increment to the number held in key (0 if missing) and
// returns the result as Redis formats it ("10.6", "5200"), keeping the TTL.
// https://redis.io/docs/latest/commands/incrbyfloat/
func (s *Store) IncrByFloat(key string, increment float64) (string, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return "", err
	}
	defer s.end(&t)
	return t.IncrByFloat(key, increment)
}

// IncrByFloat is [Store.IncrByFloat] inside a transaction.
func (t *Tx) IncrByFloat(key string, increment float64) (string, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return "", err
	}
	t.touch(i, sh, key)
	old, existed := t.get(i, sh, key)
	var cur string
	if existed {
		if old.isHash() {
			return "", ErrWrongType
		}
		cur = old.str()
	}
	s, err := incrFloat(cur, existed, increment, ErrNotFloat)
	if err != nil {
		return "", err
	}
	v := replaceString(old, s, existed)
	t.put(i, sh, key, v, old, existed)
	t.recSet(key, s, v.deadline(), true)
	t.note('$', "incrbyfloat", key)
	return s, nil
}

// maxString is Redis's proto-max-bulk-len: the longest string a write may make.
const maxString = 512 << 20

// Append appends val to the string held in key (creating it if missing) and
// returns the new length, keeping the TTL.
// https://redis.io/docs/latest/commands/append/
func (s *Store) Append(key, val string) (int64, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.Append(key, val)
}

// Append is [Store.Append] inside a transaction.
func (t *Tx) Append(key, val string) (int64, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return 0, err
	}
	t.touch(i, sh, key)
	old, existed := t.get(i, sh, key)
	s := val
	if existed {
		if old.isHash() {
			return 0, ErrWrongType
		}
		if len(old.str())+len(val) > maxString {
			return 0, ErrTooLarge
		}
		s = old.str() + val
	}
	v := replaceString(old, s, existed)
	t.put(i, sh, key, v, old, existed)
	t.recSet(key, s, v.deadline(), true)
	t.note('$', "append", key)
	return int64(len(s)), nil
}

// StrLen returns the length of the string held in key, 0 if missing.
// https://redis.io/docs/latest/commands/strlen/
func (s *Store) StrLen(key string) (int64, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.StrLen(key)
}

// StrLen is [Store.StrLen] inside a transaction.
func (t *Tx) StrLen(key string) (int64, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return 0, err
	}
	v, ok := t.lookup(i, sh, key)
	switch {
	case !ok:
		return 0, nil
	case v.isHash():
		return 0, ErrWrongType
	}
	return int64(len(v.str())), nil
}

// GetRange returns the substring of the value of key between the offsets
// start and end, both inclusive; negative offsets count from the end.
// https://redis.io/docs/latest/commands/getrange/
func (s *Store) GetRange(key string, start, end int64) (string, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return "", err
	}
	defer s.end(&t)
	return t.GetRange(key, start, end)
}

// GetRange is [Store.GetRange] inside a transaction.
func (t *Tx) GetRange(key string, start, end int64) (string, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return "", err
	}
	v, ok := t.lookup(i, sh, key)
	if !ok {
		return "", nil
	}
	if v.isHash() {
		return "", ErrWrongType
	}
	s := v.str()
	n := int64(len(s))
	if start < 0 && end < 0 && start > end {
		return "", nil
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		return "", nil
	}
	return s[start : end+1], nil
}

// SetRange overwrites the value of key from offset on with val, padding with
// zero bytes past the end, and returns the new length, keeping the TTL. An
// empty val changes nothing and creates no key.
// https://redis.io/docs/latest/commands/setrange/
func (s *Store) SetRange(key string, offset int64, val string) (int64, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.SetRange(key, offset, val)
}

// SetRange is [Store.SetRange] inside a transaction.
func (t *Tx) SetRange(key string, offset int64, val string) (int64, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return 0, err
	}
	t.touch(i, sh, key)
	if offset < 0 {
		return 0, ErrOffsetRange
	}
	old, existed := t.get(i, sh, key)
	var cur string
	if existed {
		if old.isHash() {
			return 0, ErrWrongType
		}
		cur = old.str()
	}
	if len(val) == 0 {
		return int64(len(cur)), nil
	}
	if offset > maxString-int64(len(val)) { // offset+len would overflow for a huge offset
		return 0, ErrTooLarge
	}
	n := max(int64(len(cur)), offset+int64(len(val)))
	b := make([]byte, n)
	copy(b, cur)
	copy(b[offset:], val)
	s := unsafe.String(&b[0], len(b)) // b is ours alone from here on
	v := replaceString(old, s, existed)
	t.put(i, sh, key, v, old, existed)
	t.recSet(key, s, v.deadline(), true)
	t.note('$', "setrange", key)
	return n, nil
}

// resp3 appends a three-argument command without a variadic slice.
func resp3(dst []byte, a, b, c string) []byte {
	dst = resp.AppendArrayLen(dst, 3)
	dst = resp.AppendBulkString(dst, a)
	dst = resp.AppendBulkString(dst, b)
	return resp.AppendBulkString(dst, c)
}
