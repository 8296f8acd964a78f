package store

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Apply runs one write command given in Redis form, such as the Args of an
// [Effect]: this is how a feed is replayed into another store. It accepts
// the commands the feed records (SET with its options, DEL, HSET, HDEL,
// PEXPIREAT, PERSIST, MSET, FLUSHALL) and the other write commands of
// strings, hashes and keys that a Redis primary propagates (INCRBY, APPEND,
// EXPIRE, RENAME, ...); PING and SELECT 0 are accepted and do nothing.
// MULTI and EXEC are not commands here: pass the commands between them to
// [Store.ApplyBatch].
func (s *Store) Apply(args ...string) error {
	if len(args) >= 3 && args[0] == "SET" {
		if at, ok := plainSet(args); ok {
			if done, err := s.applySet(args[1], args[2], at); done {
				return err
			}
		}
	}
	if len(args) >= 2 {
		if spec, ok := lookupApply(args[0]); ok && spec.oneKey(args) && len(args)-1 >= spec.minArgs {
			// One key, one shard: the common case of a replication
			// stream, without the allocations of a batch.
			// The Tx escapes (spec.run is a func value): a pooled one
			// spares a follower an allocation per command.
			t := txPool.Get().(*Tx)
			*t = Tx{apply: true}
			defer func() { *t = Tx{}; txPool.Put(t) }()
			if err := s.begin1(t, args[1], true); err != nil {
				return err
			}
			defer s.end(t)
			return spec.run(t, args[1:])
		}
	}
	return s.ApplyBatch([][]string{args})
}

var txPool = sync.Pool{New: func() any { return new(Tx) }}

// plainSet reports whether args are SET key val or SET key val PXAT <ms>
// with a positive deadline, the forms a master streams for nearly all of
// its string writes, and returns the deadline (0 for none).
func plainSet(args []string) (at int64, ok bool) {
	switch {
	case len(args) == 3:
		return 0, true
	case len(args) == 5 && args[3] == "PXAT":
		at, err := strconv.ParseInt(args[4], 10, 64)
		return at, err == nil && at > 0
	}
	return 0, false
}

// applySet is Apply of a plain SET (see plainSet) on a replica whose store
// has no Notify func, which is what a follower applies most: there is no
// effect to record and no event to send, so it runs without a transaction,
// as Set does. done is false when the general path must run instead.
func (s *Store) applySet(key, val string, at int64) (done bool, err error) {
	if s.closed.Load() {
		return true, ErrClosed
	}
	if s.notify != nil || !s.replica.Load() {
		return false, nil
	}
	h := hashKey(key)
	i := s.indexOf(h)
	sh := &s.shards[i]
	sh.mu.Lock()
	if !s.replica.Load() { // SetReplica holds every shard: read it again under the lock
		sh.mu.Unlock()
		return false, nil
	}
	j := sh.tab.find(key, h)
	if at == 0 && j >= 0 && sh.tab.swapSameLength(j, val) {
		sh.cmds++
		sh.mu.Unlock()
		return true, nil
	}
	if j < 0 {
		sh.tab.makeRoom() // before readers are shut out
	}
	sh.seq.Add(1) // the rest of lock
	var old int64
	if j >= 0 {
		// A replica keeps expired keys until its master deletes them, and
		// its master's commands see them: the key is simply replaced.
		p := &sh.tab.slot(j).val
		old = p.deadline()
		p.store(newString(val, at))
	} else {
		sh.tab.insertNew(key, h, newString(val, at))
	}
	s.setDeadlineLocked(i, key, h, old, at)
	sh.cmds++
	sh.unlock()
	return true, nil
}

// CanApply reports whether [Store.Apply] and [Store.ApplyBatch] run the
// command name, in any case: the write commands of strings, hashes and keys
// that a Redis primary propagates, and PING and SELECT (which do nothing).
// A replication link uses it to tell a command it must apply from one it
// cannot.
func CanApply(name string) bool {
	_, ok := lookupApply(name)
	return ok
}

// ApplyCommands returns the names of the commands that [Store.Apply] runs,
// in upper case and sorted.
func ApplyCommands() []string {
	return slices.Sorted(maps.Keys(applyTable))
}

// lookupApply finds a command's spec, trying the name as given before
// upper-casing it (which allocates).
func lookupApply(name string) (applySpec, bool) {
	if spec, ok := applyTable[name]; ok {
		return spec, true
	}
	spec, ok := applyTable[strings.ToUpper(name)]
	return spec, ok
}

// ApplyBatch runs write commands in Redis form as one atomic step, as EXEC
// does. Every command runs even if one fails; the first error is returned.
func (s *Store) ApplyBatch(cmds [][]string) error {
	var keys []string
	all := false
	for _, c := range cmds {
		if len(c) == 0 {
			return errApply("empty command")
		}
		spec, ok := lookupApply(c[0])
		if !ok {
			return fmt.Errorf("ERR unknown command '%s'", c[0])
		}
		if len(c)-1 < spec.minArgs {
			return fmt.Errorf("ERR wrong number of arguments for '%s' command", strings.ToLower(c[0]))
		}
		switch spec.keys {
		case keysAll:
			all = true
		case keysNone:
		case keysFirst:
			keys = append(keys, c[1])
		case keysFirstTwo:
			keys = append(keys, c[1], c[2])
		case keysEveryOther:
			for i := 1; i < len(c); i += 2 {
				keys = append(keys, c[i])
			}
		case keysRest:
			keys = append(keys, c[1:]...)
		}
	}
	t := Tx{apply: true}
	var err error
	if all {
		err = s.beginAll(&t, true)
	} else {
		err = s.beginKeys(&t, true, keys...)
	}
	if err != nil {
		return err
	}
	defer s.end(&t)
	var first error
	for _, c := range cmds {
		spec, _ := lookupApply(c[0])
		if err := spec.run(&t, c[1:]); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func errApply(msg string) error { return fmt.Errorf("ERR %s", msg) }

type keySpec uint8

const (
	keysNone keySpec = iota
	keysFirst
	keysFirstTwo
	keysEveryOther
	keysRest
	keysAll
)

type applySpec struct {
	keys    keySpec
	minArgs int
	run     func(t *Tx, a []string) error
}

// oneKey reports whether the command args (name first) names exactly one
// key: all that a command of keysFirst names, and DEL, UNLINK or MSET with
// one key (a master propagates each expired key as a DEL of its own).
func (spec applySpec) oneKey(args []string) bool {
	switch spec.keys {
	case keysFirst:
		return true
	case keysRest:
		return len(args) == 2
	case keysEveryOther:
		return len(args) == 3
	}
	return false
}

func applyInt(s string) (int64, error) {
	n, ok := parseInt(s)
	if !ok {
		return 0, ErrNotInteger
	}
	return n, nil
}

func applyFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, ErrNotFloat
	}
	return f, nil
}

func noArgs(a []string, n int) error {
	if len(a) != n {
		return ErrSyntax
	}
	return nil
}

// parseSetArgs parses SET's options as Redis's parser does: an option may
// repeat (the last value wins, and only it is checked), but two different
// expiry options, or one with KEEPTTL, or NX with XX, are a syntax error.
func parseSetArgs(a []string) (SetArgs, error) {
	var o SetArgs
	var expiry, value string // the expiry option given, and its last value
	for i := 0; i < len(a); i++ {
		switch opt := strings.ToUpper(a[i]); opt {
		case "NX", "XX":
			if (opt == "NX" && o.XX) || (opt == "XX" && o.NX) {
				return o, ErrSyntax
			}
			o.NX, o.XX = o.NX || opt == "NX", o.XX || opt == "XX"
		case "GET":
			o.Get = true
		case "KEEPTTL":
			if expiry != "" {
				return o, ErrSyntax
			}
			o.KeepTTL = true
		case "EX", "PX", "EXAT", "PXAT":
			if o.KeepTTL || (expiry != "" && expiry != opt) || i+1 >= len(a) {
				return o, ErrSyntax
			}
			expiry, value = opt, a[i+1]
			i++
		default:
			return o, ErrSyntax
		}
	}
	if expiry == "" {
		return o, nil
	}
	n, err := applyInt(value)
	if err != nil {
		return o, err
	}
	if n <= 0 {
		return o, errExpireSet
	}
	switch expiry {
	case "EX":
		o.EX = n
	case "PX":
		o.PX = n
	case "EXAT":
		o.EXAT = n
	default:
		o.PXAT = n
	}
	return o, nil
}

func parseExpireFlags(a []string) ([]ExpireFlag, error) {
	var f []ExpireFlag
	for _, s := range a {
		switch strings.ToUpper(s) {
		case "NX":
			f = append(f, NX)
		case "XX":
			f = append(f, XX)
		case "GT":
			f = append(f, GT)
		case "LT":
			f = append(f, LT)
		default:
			return nil, fmt.Errorf("ERR Unsupported option %s", s)
		}
	}
	return f, nil
}

func expireCmd(unit int64, abs bool, invalid error) applySpec {
	return applySpec{keysFirst, 2, func(t *Tx, a []string) error {
		n, err := applyInt(a[1])
		if err != nil {
			return err
		}
		flags, err := parseExpireFlags(a[2:])
		if err != nil {
			return err
		}
		_, err = t.expire(a[0], n, unit, abs, invalid, flags)
		return err
	}}
}

func incrCmd(sign int64, withArg bool) applySpec {
	n := 1
	if !withArg {
		n = 0
	}
	return applySpec{keysFirst, 1 + n, func(t *Tx, a []string) error {
		d := int64(1)
		if withArg {
			var err error
			if d, err = applyInt(a[1]); err != nil {
				return err
			}
		}
		if sign < 0 {
			_, err := t.DecrBy(a[0], d)
			return err
		}
		_, err := t.IncrBy(a[0], d)
		return err
	}}
}

var applyTable map[string]applySpec

func init() {
	applyTable = map[string]applySpec{
		"PING": {keysNone, 0, func(*Tx, []string) error { return nil }},
		"SELECT": {keysNone, 1, func(_ *Tx, a []string) error {
			if a[0] != "0" {
				return errApply("DB index is out of range")
			}
			return nil
		}},
		"SET": {keysFirst, 2, func(t *Tx, a []string) error {
			o, err := parseSetArgs(a[2:])
			if err != nil {
				return err
			}
			_, _, err = t.SetArgs(a[0], a[1], o)
			return err
		}},
		"SETNX":  {keysFirst, 2, func(t *Tx, a []string) error { _, err := t.SetNX(a[0], a[1]); return err }},
		"GETDEL": {keysFirst, 1, func(t *Tx, a []string) error { _, _, err := t.GetDel(a[0]); return err }},
		"MSET":   {keysEveryOther, 2, func(t *Tx, a []string) error { return t.MSet(a...) }},
		"MSETNX": {keysEveryOther, 2, func(t *Tx, a []string) error { _, err := t.MSetNX(a...); return err }},
		"INCR":   incrCmd(1, false),
		"DECR":   incrCmd(-1, false),
		"INCRBY": incrCmd(1, true),
		"DECRBY": incrCmd(-1, true),
		"INCRBYFLOAT": {keysFirst, 2, func(t *Tx, a []string) error {
			f, err := applyFloat(a[1])
			if err != nil {
				return err
			}
			_, err = t.IncrByFloat(a[0], f)
			return err
		}},
		"APPEND": {keysFirst, 2, func(t *Tx, a []string) error { _, err := t.Append(a[0], a[1]); return err }},
		"SETRANGE": {keysFirst, 3, func(t *Tx, a []string) error {
			off, err := applyInt(a[1])
			if err != nil {
				return err
			}
			_, err = t.SetRange(a[0], off, a[2])
			return err
		}},
		"HSET":  {keysFirst, 3, func(t *Tx, a []string) error { _, err := t.HSet(a[0], a[1:]...); return err }},
		"HMSET": {keysFirst, 3, func(t *Tx, a []string) error { _, err := t.HSet(a[0], a[1:]...); return err }},
		"HSETNX": {keysFirst, 3, func(t *Tx, a []string) error {
			if err := noArgs(a, 3); err != nil {
				return err
			}
			_, err := t.HSetNX(a[0], a[1], a[2])
			return err
		}},
		"HDEL": {keysFirst, 2, func(t *Tx, a []string) error { _, err := t.HDel(a[0], a[1:]...); return err }},
		"HINCRBY": {keysFirst, 3, func(t *Tx, a []string) error {
			n, err := applyInt(a[2])
			if err != nil {
				return err
			}
			_, err = t.HIncrBy(a[0], a[1], n)
			return err
		}},
		"HINCRBYFLOAT": {keysFirst, 3, func(t *Tx, a []string) error {
			f, err := applyFloat(a[2])
			if err != nil {
				return err
			}
			_, err = t.HIncrByFloat(a[0], a[1], f)
			return err
		}},
		"DEL":       {keysRest, 1, func(t *Tx, a []string) error { _, err := t.Del(a...); return err }},
		"UNLINK":    {keysRest, 1, func(t *Tx, a []string) error { _, err := t.Del(a...); return err }},
		"EXPIRE":    expireCmd(1000, false, errExpireExpire),
		"PEXPIRE":   expireCmd(1, false, errExpirePExpire),
		"EXPIREAT":  expireCmd(1000, true, errExpireExpireAt),
		"PEXPIREAT": expireCmd(1, true, errExpirePExpAt),
		"PERSIST":   {keysFirst, 1, func(t *Tx, a []string) error { _, err := t.Persist(a[0]); return err }},
		"RENAME":    {keysFirstTwo, 2, func(t *Tx, a []string) error { return t.Rename(a[0], a[1]) }},
		"RENAMENX":  {keysFirstTwo, 2, func(t *Tx, a []string) error { _, err := t.RenameNX(a[0], a[1]); return err }},
		"COPY": {keysFirstTwo, 2, func(t *Tx, a []string) error {
			replace := false
			for _, o := range a[2:] {
				if !strings.EqualFold(o, "REPLACE") {
					return ErrSyntax
				}
				replace = true
			}
			_, err := t.Copy(a[0], a[1], replace)
			return err
		}},
		"FLUSHALL": {keysAll, 0, func(t *Tx, _ []string) error { t.flushAll(); return nil }},
		"FLUSHDB":  {keysAll, 0, func(t *Tx, _ []string) error { t.flushAll(); return nil }},
	}
}
