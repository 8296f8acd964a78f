package store

// Generic key commands: https://redis.io/docs/latest/commands/?group=generic

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/emberkv/ember/internal/glob"
)

// Del removes keys and returns how many existed.
// https://redis.io/docs/latest/commands/del/
func (s *Store) Del(keys ...string) (int64, error) {
	if len(keys) == 0 {
		return 0, errArgsDel
	}
	var t Tx
	if err := s.beginCmd(&t, true, keys...); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.Del(keys...)
}

// Del is [Store.Del] inside a transaction.
func (t *Tx) Del(keys ...string) (int64, error) {
	if len(keys) == 0 {
		return 0, errArgsDel
	}
	for _, k := range keys {
		if _, _, err := t.shard(k); err != nil {
			return 0, err
		}
	}
	var one [1]string
	deleted := one[:0] // no allocation for the one key of most calls
	for _, k := range keys {
		i, sh, _ := t.shard(k)
		t.touch(i, sh, k)
		v, ok := t.get(i, sh, k)
		if !ok {
			continue
		}
		t.remove(i, sh, k, v)
		deleted = append(deleted, k)
		t.note('g', "del", k)
	}
	switch {
	case len(deleted) == 0 || t.feed == nil:
	case len(deleted) == 1:
		t.rec("DEL", deleted[0])
	default:
		t.rec(append([]string{"DEL"}, deleted...)...)
	}
	return int64(len(deleted)), nil
}

// Exists returns how many of keys exist; a key named twice counts twice.
// https://redis.io/docs/latest/commands/exists/
func (s *Store) Exists(keys ...string) (int64, error) {
	if len(keys) == 0 {
		return 0, errArgsExists
	}
	var t Tx
	if err := s.beginCmd(&t, false, keys...); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.Exists(keys...)
}

// Exists is [Store.Exists] inside a transaction.
func (t *Tx) Exists(keys ...string) (int64, error) {
	if len(keys) == 0 {
		return 0, errArgsExists
	}
	var n int64
	for _, k := range keys {
		i, sh, err := t.shard(k)
		if err != nil {
			return 0, err
		}
		if _, ok := t.lookup(i, sh, k); ok {
			n++
		}
	}
	return n, nil
}

// Type returns the type of the value at key: "string", "hash", or "none"
// when the key does not exist.
// https://redis.io/docs/latest/commands/type/
func (s *Store) Type(key string) (string, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return "", err
	}
	defer s.end(&t)
	return t.Type(key)
}

// Type is [Store.Type] inside a transaction.
func (t *Tx) Type(key string) (string, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return "", err
	}
	v, ok := t.lookup(i, sh, key)
	if !ok {
		return "none", nil
	}
	return v.typeName(), nil
}

// ExpireFlag is a condition of the EXPIRE family. Flags combine with |;
// NX cannot be combined with the others, nor GT with LT.
type ExpireFlag uint8

// The EXPIRE family's conditions. A key without a TTL counts as having an
// infinite one for GT and LT.
const (
	NX ExpireFlag = 1 << iota // set the TTL only if the key has none
	XX                        // set the TTL only if the key has one
	GT                        // set the TTL only if it is later than the current one
	LT                        // set the TTL only if it is earlier than the current one
)

// Expire sets a TTL of seconds on key and reports whether it did (false when
// the key is missing or a condition fails). A TTL of 0 or less deletes the key.
// https://redis.io/docs/latest/commands/expire/
func (s *Store) Expire(key string, seconds int64, flags ...ExpireFlag) (bool, error) {
	return s.expire(key, seconds, 1000, false, errExpireExpire, flags)
}

// PExpire is [Store.Expire] with a TTL in milliseconds.
// https://redis.io/docs/latest/commands/pexpire/
func (s *Store) PExpire(key string, ms int64, flags ...ExpireFlag) (bool, error) {
	return s.expire(key, ms, 1, false, errExpirePExpire, flags)
}

// ExpireAt sets key's deadline to a unix time in seconds; a deadline in the
// past deletes the key.
// https://redis.io/docs/latest/commands/expireat/
func (s *Store) ExpireAt(key string, unixSeconds int64, flags ...ExpireFlag) (bool, error) {
	return s.expire(key, unixSeconds, 1000, true, errExpireExpireAt, flags)
}

// PExpireAt is [Store.ExpireAt] with a unix time in milliseconds.
// https://redis.io/docs/latest/commands/pexpireat/
func (s *Store) PExpireAt(key string, unixMs int64, flags ...ExpireFlag) (bool, error) {
	return s.expire(key, unixMs, 1, true, errExpirePExpAt, flags)
}

// Expire is [Store.Expire] inside a transaction.
func (t *Tx) Expire(key string, seconds int64, flags ...ExpireFlag) (bool, error) {
	return t.expire(key, seconds, 1000, false, errExpireExpire, flags)
}

// PExpire is [Store.PExpire] inside a transaction.
func (t *Tx) PExpire(key string, ms int64, flags ...ExpireFlag) (bool, error) {
	return t.expire(key, ms, 1, false, errExpirePExpire, flags)
}

// ExpireAt is [Store.ExpireAt] inside a transaction.
func (t *Tx) ExpireAt(key string, unixSeconds int64, flags ...ExpireFlag) (bool, error) {
	return t.expire(key, unixSeconds, 1000, true, errExpireExpireAt, flags)
}

// PExpireAt is [Store.PExpireAt] inside a transaction.
func (t *Tx) PExpireAt(key string, unixMs int64, flags ...ExpireFlag) (bool, error) {
	return t.expire(key, unixMs, 1, true, errExpirePExpAt, flags)
}

func (s *Store) expire(key string, n, unit int64, abs bool, invalid error, flags []ExpireFlag) (bool, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return false, err
	}
	defer s.end(&t)
	return t.expire(key, n, unit, abs, invalid, flags)
}

func (t *Tx) expire(key string, n, unit int64, abs bool, invalid error, flags []ExpireFlag) (bool, error) {
	var f ExpireFlag
	for _, fl := range flags {
		f |= fl
	}
	if f&NX != 0 && f&(XX|GT|LT) != 0 {
		return false, ErrExpireNXAndOther
	}
	if f&GT != 0 && f&LT != 0 {
		return false, ErrExpireGTAndLT
	}
	if n > math.MaxInt64/unit || n < math.MinInt64/unit {
		return false, invalid
	}
	at := n * unit
	if !abs {
		now := t.clock()
		if (at > 0 && now > math.MaxInt64-at) || (at < 0 && now < math.MinInt64-at) {
			return false, invalid
		}
		at += now
	}
	i, sh, err := t.shard(key)
	if err != nil {
		return false, err
	}
	t.touch(i, sh, key)
	v, ok := t.get(i, sh, key)
	if !ok {
		return false, nil
	}
	cur := v.deadline()
	switch {
	case f&NX != 0 && cur != 0,
		f&XX != 0 && cur == 0,
		f&GT != 0 && (cur == 0 || at <= cur),
		f&LT != 0 && cur != 0 && at >= cur:
		return false, nil
	}
	if at <= t.clock() && !t.replica {
		t.remove(i, sh, key, v)
		t.rec("DEL", key)
		t.note('g', "del", key)
		return true, nil
	}
	t.setDeadline(i, sh, key, v, at)
	t.recKeyInt("PEXPIREAT", key, at)
	t.note('g', "expire", key)
	return true, nil
}

// TTL returns the remaining time to live of key in seconds (rounded), -2 when
// the key does not exist and -1 when it has no TTL.
// https://redis.io/docs/latest/commands/ttl/
func (s *Store) TTL(key string) (int64, error) { return s.ttl(key, false, false) }

// PTTL is [Store.TTL] in milliseconds.
// https://redis.io/docs/latest/commands/pttl/
func (s *Store) PTTL(key string) (int64, error) { return s.ttl(key, true, false) }

// ExpireTime returns key's deadline as a unix time in seconds, -2 when the
// key does not exist and -1 when it has no TTL.
// https://redis.io/docs/latest/commands/expiretime/
func (s *Store) ExpireTime(key string) (int64, error) { return s.ttl(key, false, true) }

// PExpireTime is [Store.ExpireTime] in milliseconds.
// https://redis.io/docs/latest/commands/pexpiretime/
func (s *Store) PExpireTime(key string) (int64, error) { return s.ttl(key, true, true) }

// TTL is [Store.TTL] inside a transaction.
func (t *Tx) TTL(key string) (int64, error) { return t.ttl(key, false, false) }

// PTTL is [Store.PTTL] inside a transaction.
func (t *Tx) PTTL(key string) (int64, error) { return t.ttl(key, true, false) }

// ExpireTime is [Store.ExpireTime] inside a transaction.
func (t *Tx) ExpireTime(key string) (int64, error) { return t.ttl(key, false, true) }

// PExpireTime is [Store.PExpireTime] inside a transaction.
func (t *Tx) PExpireTime(key string) (int64, error) { return t.ttl(key, true, true) }

func (s *Store) ttl(key string, ms, abs bool) (int64, error) {
	var t Tx
	if err := s.begin1(&t, key, false); err != nil {
		return 0, err
	}
	defer s.end(&t)
	return t.ttl(key, ms, abs)
}

func (t *Tx) ttl(key string, ms, abs bool) (int64, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return 0, err
	}
	v, ok := t.lookup(i, sh, key)
	if !ok {
		return -2, nil
	}
	at := v.deadline()
	switch {
	case at == 0:
		return -1, nil
	case abs && ms:
		return at, nil
	case abs:
		return (at + 500) / 1000, nil // rounded, as Redis's EXPIRETIME does
	}
	left := max(at-t.clock(), 0)
	if ms {
		return left, nil
	}
	return (left + 500) / 1000, nil
}

// Persist removes the TTL of key and reports whether it had one.
// https://redis.io/docs/latest/commands/persist/
func (s *Store) Persist(key string) (bool, error) {
	var t Tx
	if err := s.begin1(&t, key, true); err != nil {
		return false, err
	}
	defer s.end(&t)
	return t.Persist(key)
}

// Persist is [Store.Persist] inside a transaction.
func (t *Tx) Persist(key string) (bool, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return false, err
	}
	t.touch(i, sh, key)
	v, ok := t.get(i, sh, key)
	if !ok || v.deadline() == 0 {
		return false, nil
	}
	t.setDeadline(i, sh, key, v, 0)
	t.rec("PERSIST", key)
	t.note('g', "persist", key)
	return true, nil
}

// Rename renames key to newkey, replacing whatever newkey held; the TTL
// moves with the value. It fails with [ErrNoSuchKey] when key is missing.
// https://redis.io/docs/latest/commands/rename/
func (s *Store) Rename(key, newkey string) error {
	var t Tx
	if err := s.beginKeys(&t, true, key, newkey); err != nil {
		return err
	}
	defer s.end(&t)
	return t.Rename(key, newkey)
}

// Rename is [Store.Rename] inside a transaction.
func (t *Tx) Rename(key, newkey string) error {
	_, err := t.rename(key, newkey, false)
	return err
}

// RenameNX renames key to newkey only if newkey does not exist, and reports
// whether it did.
// https://redis.io/docs/latest/commands/renamenx/
func (s *Store) RenameNX(key, newkey string) (bool, error) {
	var t Tx
	if err := s.beginKeys(&t, true, key, newkey); err != nil {
		return false, err
	}
	defer s.end(&t)
	return t.RenameNX(key, newkey)
}

// RenameNX is [Store.RenameNX] inside a transaction.
func (t *Tx) RenameNX(key, newkey string) (bool, error) {
	return t.rename(key, newkey, true)
}

func (t *Tx) rename(key, newkey string, nx bool) (bool, error) {
	i, sh, err := t.shard(key)
	if err != nil {
		return false, err
	}
	j, dsh, err := t.shard(newkey)
	if err != nil {
		return false, err
	}
	v, ok := t.get(i, sh, key)
	if !ok {
		return false, ErrNoSuchKey
	}
	if key == newkey {
		return !nx, nil
	}
	old, exists := t.get(j, dsh, newkey)
	if exists && nx {
		return false, nil
	}
	t.touch(i, sh, key)
	t.touch(j, dsh, newkey)
	t.remove(i, sh, key, v)
	if exists {
		t.remove(j, dsh, newkey, old)
	}
	// The value moves as it is: its deadline is re-indexed under the new name.
	t.put(j, dsh, newkey, v, value{}, false)
	t.rec("DEL", key)
	t.recValue(newkey, v)
	t.note('g', "rename_from", key)
	t.note('g', "rename_to", newkey)
	return true, nil
}

// ErrSameObject is returned by Copy when the source and the destination are
// the same key.
var ErrSameObject = errors.New("ERR source and destination objects are the same")

// Copy copies the value at src, with its TTL, to dst and reports whether it
// did: not when src is missing, nor when dst exists and replace is false.
// https://redis.io/docs/latest/commands/copy/
func (s *Store) Copy(src, dst string, replace bool) (bool, error) {
	var t Tx
	if err := s.beginKeys(&t, true, src, dst); err != nil {
		return false, err
	}
	defer s.end(&t)
	return t.Copy(src, dst, replace)
}

// Copy is [Store.Copy] inside a transaction.
func (t *Tx) Copy(src, dst string, replace bool) (bool, error) {
	if src == dst {
		return false, ErrSameObject
	}
	i, sh, err := t.shard(src)
	if err != nil {
		return false, err
	}
	j, dsh, err := t.shard(dst)
	if err != nil {
		return false, err
	}
	v, ok := t.lookup(i, sh, src)
	if !ok {
		return false, nil
	}
	old, exists := t.get(j, dsh, dst)
	if exists && !replace {
		return false, nil
	}
	var c value
	if v.isHash() {
		h := v.hash().clone()
		h.at = v.hash().at
		c = hashValue(h)
	} else {
		c = newString(v.str(), v.deadline())
	}
	t.touch(j, dsh, dst)
	if exists {
		t.remove(j, dsh, dst, old)
	}
	t.put(j, dsh, dst, c, value{}, false)
	t.recValue(dst, c)
	t.note('g', "copy_to", dst)
	return true, nil
}

// RandomKey returns a random key; ok is false when the store is empty.
// https://redis.io/docs/latest/commands/randomkey/
func (s *Store) RandomKey() (key string, ok bool, err error) {
	if s.closed.Load() {
		return "", false, ErrClosed
	}
	s.cmds.Add(1)
	now := s.nowMs()
	n := len(s.shards)
	start := rand.IntN(n)
	// Start at a random shard and take the first live key in Go's (randomly
	// started) map order.
	for j := range n {
		sh := &s.shards[(start+j)%n]
		sh.mu.Lock()
		k, ok := sh.tab.random(func(v value) bool {
			at := v.deadline()
			return at == 0 || at > now
		})
		sh.mu.Unlock()
		if ok {
			return k, true, nil
		}
	}
	return "", false, nil
}

// DBSize returns the number of keys, counting expired keys not yet removed,
// as Redis does.
// https://redis.io/docs/latest/commands/dbsize/
func (s *Store) DBSize() (int64, error) {
	if s.closed.Load() {
		return 0, ErrClosed
	}
	s.cmds.Add(1)
	var n int64
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += int64(sh.tab.len())
		sh.mu.Unlock()
	}
	return n, nil
}

// FlushAll removes every key, atomically.
// https://redis.io/docs/latest/commands/flushall/
func (s *Store) FlushAll() error {
	var t Tx
	if err := s.beginAll(&t, true); err != nil {
		return err
	}
	defer s.end(&t)
	t.flushAll()
	return nil
}

// flushAll empties every shard; the transaction holds them all.
func (t *Tx) flushAll() {
	for i := range t.s.shards {
		sh := &t.s.shards[i]
		sh.tab.clear()
		sh.exp = expiryIndex{}
	}
	t.rec("FLUSHALL")
}

// Keys returns every key matching the glob pattern, read atomically.
// Like Redis's KEYS it holds up every writer while it runs: prefer Scan.
// https://redis.io/docs/latest/commands/keys/
func (s *Store) Keys(pattern string) ([]string, error) {
	var t Tx
	if err := s.beginAll(&t, false); err != nil {
		return nil, err
	}
	defer s.end(&t)
	now := t.clock()
	keys := []string{}
	all := pattern == "*"
	for i := range s.shards {
		s.shards[i].tab.all(func(k string, v value) bool {
			if at := v.deadline(); at != 0 && at <= now {
				return true
			}
			if all || glob.Match(pattern, k) {
				keys = append(keys, k)
			}
			return true
		})
	}
	return keys, nil
}

// Scan iterates the keyspace: start with cursor 0 and call again with the
// returned cursor until it is 0. match filters keys by a glob pattern ("" for
// all), typ by type ("string", "hash", in any case; "" for all); filters
// apply after a page is chosen, so a page may come back empty. count is the
// work per call (0 means 10; below 0 is [ErrSyntax]). As in Redis, a key present for the
// whole iteration is returned (exactly once here), and the iteration ends.
// Each call locks one shard at a time.
// https://redis.io/docs/latest/commands/scan/
func (s *Store) Scan(cursor uint64, match string, count int64, typ string) ([]string, uint64, error) {
	if s.closed.Load() {
		return nil, 0, ErrClosed
	}
	if count < 0 {
		return nil, 0, ErrSyntax
	}
	if count == 0 {
		count = 10
	}
	s.cmds.Add(1)
	now := s.nowMs()
	out := []string{}
	seen := 0
	for seen < int(count) {
		i := s.index0(cursor)
		sh := &s.shards[i]
		sh.mu.Lock()
		keys, next := scanHashed(sh.tab.all, cursor, int(count)-seen)
		seen += len(keys)
		for _, k := range keys {
			v, _ := sh.tab.get(k, hashKey(k))
			if at := v.deadline(); at != 0 && at <= now {
				continue
			}
			if match != "" && match != "*" && !glob.Match(match, k) {
				continue
			}
			if typ != "" {
				// Redis type-checks each key with a read lookup, which
				// counts a keyspace hit.
				if !s.noReadStats {
					sh.hits++
				}
				if !strings.EqualFold(typ, v.typeName()) {
					continue
				}
			}
			out = append(out, k)
		}
		sh.mu.Unlock()
		if next != 0 {
			return out, next, nil
		}
		if i == len(s.shards)-1 {
			return out, 0, nil
		}
		cursor = uint64(i+1) << s.shift
	}
	return out, cursor, nil
}

// index0 returns the shard whose hash range holds cursor.
func (s *Store) index0(cursor uint64) int {
	if len(s.shards) == 1 {
		return 0
	}
	return int(cursor >> s.shift)
}
