package store

// Hash commands: https://redis.io/docs/latest/commands/?group=hash

import (
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/emberkv/ember/internal/glob"
	"github.com/emberkv/ember/internal/resp"
)

// hashOf returns the live hash held by key; ok is false if key is missing.
func (t *Tx) hashOf(i int, sh *shard, key string, count bool) (h *hash, ok bool, err error) {
	var v value
	if count {
		v, ok = t.lookup(i, sh, key)
	} else {
		v, ok = t.get(i, sh, key)
	}
	if !ok {
		return nil, false, nil
	}
	if !v.isHash() {
		return nil, false, ErrWrongType
	}
	return v.hash(), true, nil
}

// keepHash stores h under key when the hash was created, or moved by set
// from orig to h.
func (t *Tx) keepHash(i int, sh *shard, key string, h, orig *hash, created bool) {
	switch {
	case created:
		t.put(i, sh, key, hashValue(h), value{}, false)
	case h != orig:
		// Same key, same deadline: the expiry index needs no change.
		sh.tab.set(key, t.hash(key), hashValue(h))
	}
}

// hashForWrite returns the hash held by key, creating an empty one (not yet
// stored) when key is missing; created reports that.
func (t *Tx) hashForWrite(i int, sh *shard, key string, hint int) (h *hash, created bool, err error) {
	h, ok, err := t.hashOf(i, sh, key, false)
	if err != nil || ok {
		return h, false, err
	}
	return newHash(hint), true, nil
}

// HSet sets the given fields of the hash at key (pairs alternates fields and
// values), creating the key if needed, and returns how many fields are new.
// https://redis.io/docs/latest/commands/hset/
func (s *Store) HSet(key string, pairs ...string) (int64, error) {
	if len(pairs) == 2 && s.notify == nil {
		if added, done, err := s.hsetOne(key, pairs[0], pairs[1]); done {
			return added, err
		}
	}
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.HSet(key, pairs...)
}

// hsetOne is HSet of one field, the common case, under the shard's mutex
// without a transaction: one lookup of the key where the transaction looks
// it up again to store a hash that moved, and seq moves only when the table
// changes (a new key, a hash moved to a larger object), since lock-free
// readers never look inside a hash. done is false when the transaction must
// answer instead: the key holds a string (WRONGTYPE, unless its deadline
// has passed) or a hash with a deadline, which may have passed.
func (s *Store) hsetOne(key, field, val string) (added int64, done bool, err error) {
	if s.closed.Load() {
		return 0, true, ErrClosed
	}
	h := hashKey(key)
	sh := &s.shards[s.indexOf(h)]
	sh.mu.Lock()
	if s.replica.Load() {
		sh.mu.Unlock()
		return 0, true, ErrReadOnly
	}
	if j := sh.tab.find(key, h); j < 0 {
		hs := newHash(1)
		hs.set(field, val)
		sh.insertNew(key, h, hashValue(hs))
		added = 1
	} else {
		v := sh.tab.slot(j).val
		if !v.isHash() || v.hash().at != 0 {
			sh.mu.Unlock()
			return 0, false, nil
		}
		hs := v.hash()
		moved, isNew := hs.set(field, val)
		if moved != hs {
			sh.seq.Add(1)
			sh.tab.slot(j).val.store(hashValue(moved))
			sh.seq.Add(1)
		}
		if isNew {
			added = 1
		}
	}
	if f := s.feed.Load(); f != nil {
		b := resp.AppendCommand(sh.scratch[:0], "HSET", key, field, val)
		f.append(b, 1, false)
		sh.scratch = keepScratch(b)
	}
	sh.cmds++
	sh.mu.Unlock()
	return added, true, nil
}

// HSet is [Store.HSet] inside a transaction.
func (t *Tx) HSet(key string, pairs ...string) (int64, error) {
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return 0, errArgsHSet
	}
	i, sh, err := t.shard(key)
	if err != nil {
		return 0, err
	}
	t.touch(i, sh, key)
	h, created, err := t.hashForWrite(i, sh, key, len(pairs)/2)
	if err != nil {
		return 0, err
	}
	var added int64
	orig := h
	for j := 0; j < len(pairs); j += 2 {
		var isNew bool
		if h, isNew = h.set(pairs[j], pairs[j+1]); isNew {
			added++
		}
	}
	t.keepHash(i, sh, key, h, orig, created)
	if t.feed != nil {
		t.recHSet(key, pairs...)
	}
	t.note('h', "hset", key)
	return added, nil
}

func (t *Tx) recHSet(key string, pairs ...string) {
	args := make([]string, 0, 2+len(pairs))
	args = append(append(args, "HSET", key), pairs...)
	t.rec(args...)
}

// HSetNX sets field of the hash at key only if the field does not exist, and
// reports whether it did.
// https://redis.io/docs/latest/commands/hsetnx/
func (s *Store) HSetNX(key, field, val string) (bool, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return false, err
	}
	defer s.end(&t)
	return t.HSetNX(key, field, val)
}

// HSetNX is [Store.HSetNX] inside a transaction.
func (t *Tx) HSetNX(key, field, val string) (bool, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return false, err
	}
	t.touch(i, sh, key)
	h, created, err := t.hashForWrite(i, sh, key, 1)
	if err != nil {
		return false, err
	}
	if _, ok := h.get(field); ok {
		return false, nil
	}
	moved, _ := h.set(field, val)
	t.keepHash(i, sh, key, moved, h, created)
	if t.feed != nil {
		t.recHSet(key, field, val)
	}
	t.note('h', "hset", key)
	return true, nil
}

// HGet returns the value of field in the hash at key; ok is false when the
// key or the field does not exist.
// https://redis.io/docs/latest/commands/hget/
func (s *Store) HGet(key, field string) (val string, ok bool, err error) {
	if s.closed.Load() {
		return "", false, ErrClosed
	}
	h := hashKey(key)
	sh := &s.shards[s.indexOf(h)]
	sh.mu.Lock()
	v, found := sh.tab.get(key, h)
	switch {
	case !found:
	case !v.isHash():
		// An expired string is no key at all, not the wrong type.
		if at := v.deadline(); at != 0 && at <= s.nowMs() {
			found = false
		} else {
			err = ErrWrongType
		}
	case v.hash().at != 0 && v.hash().at <= s.nowMs():
		found = false
	default:
		val, ok = v.hash().get(field)
	}
	sh.mu.Unlock()
	s.countRead(sh, found) // one counter update per read
	return val, ok, err
}

// HGet is [Store.HGet] inside a transaction.
func (t *Tx) HGet(key, field string) (string, bool, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return "", false, err
	}
	h, ok, err := t.hashOf(i, sh, key, true)
	if !ok {
		return "", false, err
	}
	v, ok := h.get(field)
	return v, ok, nil
}

// HMGet returns the values of fields in the hash at key, in order.
// https://redis.io/docs/latest/commands/hmget/
func (s *Store) HMGet(key string, fields ...string) ([]Value, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return nil, err
	}
	defer s.end(&t)
	return t.HMGet(key, fields...)
}

// HMGet is [Store.HMGet] inside a transaction.
func (t *Tx) HMGet(key string, fields ...string) ([]Value, error) {
	if len(fields) == 0 {
		return nil, errArgsHMGet
	}
	i, sh, err := t.shard(key)
	if err != nil {
		return nil, err
	}
	h, ok, err := t.hashOf(i, sh, key, true)
	if err != nil {
		return nil, err
	}
	out := make([]Value, len(fields))
	if ok {
		for j, f := range fields {
			out[j].Val, out[j].OK = h.get(f)
		}
	}
	return out, nil
}

// HGetAll returns the fields and values of the hash at key, as a map that
// belongs to the caller; empty when the key is missing.
// https://redis.io/docs/latest/commands/hgetall/
func (s *Store) HGetAll(key string) (map[string]string, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return nil, err
	}
	defer s.end(&t)
	return t.HGetAll(key)
}

// HGetAll is [Store.HGetAll] inside a transaction.
func (t *Tx) HGetAll(key string) (map[string]string, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return nil, err
	}
	h, ok, err := t.hashOf(i, sh, key, true)
	if err != nil {
		return nil, err
	}
	if !ok {
		return map[string]string{}, nil
	}
	m := make(map[string]string, h.len())
	if h.m != nil {
		for f, v := range h.m {
			m[f] = v
		}
	} else {
		for p, j := h.pairs(), 0; j < len(p); j += 2 {
			m[p[j]] = p[j+1]
		}
	}
	return m, nil
}

// HDel removes fields from the hash at key and returns how many were there.
// Removing the last field removes the key.
// https://redis.io/docs/latest/commands/hdel/
func (s *Store) HDel(key string, fields ...string) (int64, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.HDel(key, fields...)
}

// HDel is [Store.HDel] inside a transaction.
func (t *Tx) HDel(key string, fields ...string) (int64, error) {
	if len(fields) == 0 {
		return 0, errArgsHDel
	}
	i, sh, err := t.shard(key)
	if err != nil {
		return 0, err
	}
	t.touch(i, sh, key)
	h, ok, err := t.hashOf(i, sh, key, false)
	if !ok {
		return 0, err
	}
	var n int64
	deleted := make([]string, 0, len(fields))
	for _, f := range fields {
		if h.del(f) {
			n++
			deleted = append(deleted, f)
		}
	}
	if n == 0 {
		return 0, nil
	}
	if t.feed != nil {
		t.rec(append([]string{"HDEL", key}, deleted...)...)
	}
	t.note('h', "hdel", key)
	if h.len() == 0 {
		t.remove(i, sh, key, hashValue(h))
		t.note('g', "del", key)
	}
	return n, nil
}

// HExists reports whether field exists in the hash at key.
// https://redis.io/docs/latest/commands/hexists/
func (s *Store) HExists(key, field string) (bool, error) {
	_, ok, err := s.HGet(key, field)
	return ok, err
}

// HExists is [Store.HExists] inside a transaction.
func (t *Tx) HExists(key, field string) (bool, error) {
	_, ok, err := t.HGet(key, field)
	return ok, err
}

// HLen returns the number of fields in the hash at key.
// https://redis.io/docs/latest/commands/hlen/
func (s *Store) HLen(key string) (int64, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.HLen(key)
}

// HLen is [Store.HLen] inside a transaction.
func (t *Tx) HLen(key string) (int64, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return 0, err
	}
	h, ok, err := t.hashOf(i, sh, key, true)
	if !ok {
		return 0, err
	}
	return int64(h.len()), nil
}

// HKeys returns the fields of the hash at key.
// https://redis.io/docs/latest/commands/hkeys/
func (s *Store) HKeys(key string) ([]string, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return nil, err
	}
	defer s.end(&t)
	return t.HKeys(key)
}

// HKeys is [Store.HKeys] inside a transaction.
func (t *Tx) HKeys(key string) ([]string, error) { return t.hashColumn(key, 0) }

// HVals returns the values of the hash at key.
// https://redis.io/docs/latest/commands/hvals/
func (s *Store) HVals(key string) ([]string, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return nil, err
	}
	defer s.end(&t)
	return t.HVals(key)
}

// HVals is [Store.HVals] inside a transaction.
func (t *Tx) HVals(key string) ([]string, error) { return t.hashColumn(key, 1) }

// hashColumn returns the fields (col 0) or the values (col 1) of a hash.
func (t *Tx) hashColumn(key string, col int) ([]string, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return nil, err
	}
	h, ok, err := t.hashOf(i, sh, key, true)
	if !ok {
		return []string{}, err
	}
	pairs := h.appendPairs(make([]string, 0, 2*h.len()))
	out := make([]string, 0, h.len())
	for j := col; j < len(pairs); j += 2 {
		out = append(out, pairs[j])
	}
	return out, nil
}

// HIncrBy adds increment to the integer in field of the hash at key (0 if
// missing) and returns the result.
// https://redis.io/docs/latest/commands/hincrby/
func (s *Store) HIncrBy(key, field string, increment int64) (int64, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.HIncrBy(key, field, increment)
}

// HIncrBy is [Store.HIncrBy] inside a transaction.
func (t *Tx) HIncrBy(key, field string, increment int64) (int64, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return 0, err
	}
	t.touch(i, sh, key)
	h, created, err := t.hashForWrite(i, sh, key, 1)
	if err != nil {
		return 0, err
	}
	var cur int64
	if old, ok := h.get(field); ok {
		if cur, ok = parseInt(old); !ok {
			return 0, ErrHashNotInteger
		}
	}
	n, ok := addInt(cur, increment)
	if !ok {
		return 0, ErrOverflow
	}
	s := strconv.FormatInt(n, 10)
	moved, _ := h.set(field, s)
	t.keepHash(i, sh, key, moved, h, created)
	if t.feed != nil {
		t.recHSet(key, field, s)
	}
	t.note('h', "hincrby", key)
	return n, nil
}

// HIncrByFloat adds increment to the number in field of the hash at key (0 if
// missing) and returns the result as Redis formats it.
// https://redis.io/docs/latest/commands/hincrbyfloat/
func (s *Store) HIncrByFloat(key, field string, increment float64) (string, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return "", err
	}
	defer s.end(&t)
	return t.HIncrByFloat(key, field, increment)
}

var errHashIncrNaN = &cmdError{"ERR value is NaN or Infinity", ErrNaN}

// HIncrByFloat is [Store.HIncrByFloat] inside a transaction.
func (t *Tx) HIncrByFloat(key, field string, increment float64) (string, error) {
	// Redis rejects a NaN or infinite increment before it looks at the key.
	if math.IsNaN(increment) {
		return "", ErrNotFloat
	}
	if math.IsInf(increment, 0) {
		return "", errHashIncrNaN
	}
	i, sh, err := t.shard(key)
	if err != nil {
		return "", err
	}
	t.touch(i, sh, key)
	h, created, err := t.hashForWrite(i, sh, key, 1)
	if err != nil {
		return "", err
	}
	old, exists := h.get(field)
	s, err := incrFloat(old, exists, increment, ErrHashNotFloat)
	if err != nil {
		return "", err
	}
	moved, _ := h.set(field, s)
	t.keepHash(i, sh, key, moved, h, created)
	if t.feed != nil {
		t.recHSet(key, field, s)
	}
	t.note('h', "hincrbyfloat", key)
	return s, nil
}

// HStrLen returns the length of the value of field in the hash at key, 0 if
// missing.
// https://redis.io/docs/latest/commands/hstrlen/
func (s *Store) HStrLen(key, field string) (int64, error) {
	v, _, err := s.HGet(key, field)
	return int64(len(v)), err
}

// HStrLen is [Store.HStrLen] inside a transaction.
func (t *Tx) HStrLen(key, field string) (int64, error) {
	v, _, err := t.HGet(key, field)
	return int64(len(v)), err
}

// HRandField returns random fields of the hash at key: with count > 0, up to
// count distinct fields; with count < 0, exactly -count fields that may
// repeat. With withValues each field is followed by its value. (Redis's form
// without a count is count 1 here.)
// https://redis.io/docs/latest/commands/hrandfield/
func (s *Store) HRandField(key string, count int64, withValues bool) ([]string, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return nil, err
	}
	defer s.end(&t)
	return t.HRandField(key, count, withValues)
}

var errHRandFieldRange = &cmdError{"ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807", ErrValueRange}

// maxRandFields bounds the fields HRandField returns for a negative count
// (which may repeat fields): 2^27 strings are 2 GiB of string headers.
const maxRandFields = 1 << 27

// HRandField is [Store.HRandField] inside a transaction.
func (t *Tx) HRandField(key string, count int64, withValues bool) ([]string, error) {
	if count < -math.MaxInt64 {
		return nil, errHRandFieldRange
	}
	if withValues && (count < -math.MaxInt64/2 || count > math.MaxInt64/2) {
		return nil, ErrValueRange
	}
	if count < -maxRandFields {
		// Redis would try to send that many; a Go slice of them cannot be made.
		return nil, ErrValueRange
	}
	i, sh, err := t.shard(key)
	if err != nil {
		return nil, err
	}
	h, ok, err := t.hashOf(i, sh, key, true)
	if !ok || count == 0 {
		return []string{}, err
	}
	pairs := h.appendPairs(make([]string, 0, 2*h.len()))
	n := len(pairs) / 2
	width := 1
	if withValues {
		width = 2
	}
	if count < 0 {
		out := make([]string, 0, int(-count)*width)
		for range -count {
			j := 2 * rand.IntN(n)
			out = append(out, pairs[j:j+width]...)
		}
		return out, nil
	}
	if count > int64(n) {
		count = int64(n)
	}
	// A partial Fisher-Yates shuffle of the pairs picks count distinct fields.
	for j := 0; j < int(count); j++ {
		k := j + rand.IntN(n-j)
		pairs[2*j], pairs[2*k] = pairs[2*k], pairs[2*j]
		pairs[2*j+1], pairs[2*k+1] = pairs[2*k+1], pairs[2*j+1]
	}
	out := make([]string, 0, int(count)*width)
	for j := 0; j < int(count); j++ {
		out = append(out, pairs[2*j:2*j+width]...)
	}
	return out, nil
}

// HScan iterates the fields of the hash at key: start with cursor 0 and call
// again with the returned cursor until it is 0. It returns fields and values
// alternately. match filters fields by a glob pattern ("" for all); count is
// the amount of work per call (0 means 10, below 0 is [ErrSyntax]). Fields
// present for the whole iteration are returned at least once; a hash of up
// to 32 fields is returned whole in one call, as Redis does for small hashes.
// https://redis.io/docs/latest/commands/hscan/
func (s *Store) HScan(key string, cursor uint64, match string, count int64) ([]string, uint64, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return nil, 0, err
	}
	defer s.end(&t)
	return t.HScan(key, cursor, match, count)
}

// HScan is [Store.HScan] inside a transaction.
func (t *Tx) HScan(key string, cursor uint64, match string, count int64) ([]string, uint64, error) {
	if count < 0 {
		return nil, 0, ErrSyntax
	}
	if count == 0 {
		count = 10
	}
	i, sh, err := t.shard(key)
	if err != nil {
		return nil, 0, err
	}
	h, ok, err := t.hashOf(i, sh, key, true)
	if !ok {
		return []string{}, 0, err
	}
	out := []string{}
	if h.m == nil {
		for p, j := h.pairs(), 0; j < len(p); j += 2 {
			if match == "" || match == "*" || glob.Match(match, p[j]) {
				out = append(out, p[j], p[j+1])
			}
		}
		return out, 0, nil
	}
	fields, next := scanHashed(func(f func(string, string) bool) {
		for k, v := range h.m {
			if !f(k, v) {
				return
			}
		}
	}, cursor, int(count))
	for _, f := range fields {
		if match == "" || match == "*" || glob.Match(match, f) {
			out = append(out, f, h.m[f])
		}
	}
	return out, next, nil
}
