package store_test

// A differential test against a real redis-server: the same commands go to
// the Store and to Redis, and every reply must be the same (values, nil
// against empty, integers, error texts). It is skipped when redis-server is
// not on PATH.
//
// Commands are written in Redis form and run on the Store through redisExec,
// a small dispatcher from Redis arguments to Store methods. Time plays no part:
// TTLs are far in the future, and relative ones are kept far apart, so that
// the few milliseconds between the two sides never change an answer.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/resp/resptest"
	"github.com/emberkv/ember/store"
)

// diffReply is a RESP2 reply in a form both sides can be compared in.
type diffReply struct {
	kind byte // '+' status, '-' error, ':' integer, '$' bulk, '_' nil, '*' array
	str  string
	n    int64
	arr  []diffReply
}

func (r diffReply) String() string {
	switch r.kind {
	case '+':
		return "+" + r.str
	case '-':
		return "-" + r.str
	case ':':
		return ":" + strconv.FormatInt(r.n, 10)
	case '$':
		return strconv.Quote(r.str)
	case '_':
		return "(nil)"
	case '*':
		parts := make([]string, len(r.arr))
		for i, e := range r.arr {
			parts[i] = e.String()
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return "?" + string(r.kind)
}

// Replies built from Store results.

func rErr(err error) diffReply { return diffReply{kind: '-', str: err.Error()} }

func rOK(err error) diffReply {
	if err != nil {
		return rErr(err)
	}
	return diffReply{kind: '+', str: "OK"}
}

func rStatus(s string, err error) diffReply {
	if err != nil {
		return rErr(err)
	}
	return diffReply{kind: '+', str: s}
}

func rInt(n int64, err error) diffReply {
	if err != nil {
		return rErr(err)
	}
	return diffReply{kind: ':', n: n}
}

func rBool(b bool, err error) diffReply {
	if b {
		return rInt(1, err)
	}
	return rInt(0, err)
}

func rBulk(s string, err error) diffReply {
	if err != nil {
		return rErr(err)
	}
	return diffReply{kind: '$', str: s}
}

func rMaybe(s string, ok bool, err error) diffReply {
	if err != nil {
		return rErr(err)
	}
	if !ok {
		return diffReply{kind: '_'}
	}
	return diffReply{kind: '$', str: s}
}

func rStrings(ss []string, err error) diffReply {
	if err != nil {
		return rErr(err)
	}
	r := diffReply{kind: '*', arr: []diffReply{}}
	for _, s := range ss {
		r.arr = append(r.arr, diffReply{kind: '$', str: s})
	}
	return r
}

func rValues(vs []store.Value, err error) diffReply {
	if err != nil {
		return rErr(err)
	}
	r := diffReply{kind: '*', arr: []diffReply{}}
	for _, v := range vs {
		r.arr = append(r.arr, rMaybe(v.Val, v.OK, nil))
	}
	return r
}

func rMap(m map[string]string, err error) diffReply {
	if err != nil {
		return rErr(err)
	}
	var ss []string
	for f, v := range m {
		ss = append(ss, f, v)
	}
	return rStrings(ss, nil)
}

// errArgInt is what Redis answers for an argument that is not an integer;
// the dispatcher gives it for arguments the Go API cannot take.
var errArgInt = errors.New("ERR value is not an integer or out of range")

func argInt(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errArgInt
	}
	return n, nil
}

func argFloat(s string) (float64, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, errors.New("ERR value is not a valid float")
	}
	return f, nil
}

func expireFlags(args []string) ([]store.ExpireFlag, error) {
	var fl []store.ExpireFlag
	for _, a := range args {
		switch strings.ToUpper(a) {
		case "NX":
			fl = append(fl, store.NX)
		case "XX":
			fl = append(fl, store.XX)
		case "GT":
			fl = append(fl, store.GT)
		case "LT":
			fl = append(fl, store.LT)
		default:
			return nil, fmt.Errorf("ERR Unsupported option %s", a)
		}
	}
	return fl, nil
}

// expiryArgs parses the EX/PX/EXAT/PXAT options shared by SET and GETEX.
func expiryArgs(opt, next string, ex, px, exat, pxat *int64) (bool, error) {
	var dst *int64
	switch opt {
	case "EX":
		dst = ex
	case "PX":
		dst = px
	case "EXAT":
		dst = exat
	case "PXAT":
		dst = pxat
	default:
		return false, nil
	}
	n, err := argInt(next)
	if err != nil {
		return true, err
	}
	if n == 0 {
		// The Go API spells "no expiry" as 0, so EX 0 cannot be written.
		panic("redisdiff: EX/PX/EXAT/PXAT 0 cannot be expressed with the Go API")
	}
	*dst = n
	return true, nil
}

// commander is what *store.Store and *store.Tx have in common: the commands
// on keys.
type commander interface {
	Append(key, val string) (int64, error)
	Copy(src, dst string, replace bool) (bool, error)
	Decr(key string) (int64, error)
	DecrBy(key string, decrement int64) (int64, error)
	Del(keys ...string) (int64, error)
	Exists(keys ...string) (int64, error)
	Expire(key string, seconds int64, flags ...store.ExpireFlag) (bool, error)
	ExpireAt(key string, unixSeconds int64, flags ...store.ExpireFlag) (bool, error)
	ExpireTime(key string) (int64, error)
	Get(key string) (string, bool, error)
	GetDel(key string) (string, bool, error)
	GetEx(key string, a store.GetExArgs) (string, bool, error)
	GetRange(key string, start, end int64) (string, error)
	HDel(key string, fields ...string) (int64, error)
	HExists(key, field string) (bool, error)
	HGet(key, field string) (string, bool, error)
	HGetAll(key string) (map[string]string, error)
	HIncrBy(key, field string, increment int64) (int64, error)
	HIncrByFloat(key, field string, increment float64) (string, error)
	HKeys(key string) ([]string, error)
	HLen(key string) (int64, error)
	HMGet(key string, fields ...string) ([]store.Value, error)
	HRandField(key string, count int64, withValues bool) ([]string, error)
	HScan(key string, cursor uint64, match string, count int64) ([]string, uint64, error)
	HSet(key string, pairs ...string) (int64, error)
	HSetNX(key, field, val string) (bool, error)
	HStrLen(key, field string) (int64, error)
	HVals(key string) ([]string, error)
	Incr(key string) (int64, error)
	IncrBy(key string, increment int64) (int64, error)
	IncrByFloat(key string, increment float64) (string, error)
	MGet(keys ...string) ([]store.Value, error)
	MSet(pairs ...string) error
	MSetNX(pairs ...string) (bool, error)
	PExpire(key string, ms int64, flags ...store.ExpireFlag) (bool, error)
	PExpireAt(key string, unixMs int64, flags ...store.ExpireFlag) (bool, error)
	PExpireTime(key string) (int64, error)
	PTTL(key string) (int64, error)
	Persist(key string) (bool, error)
	Rename(key, newkey string) error
	RenameNX(key, newkey string) (bool, error)
	Set(key, val string) error
	SetArgs(key, val string, a store.SetArgs) (string, bool, error)
	SetNX(key, val string) (bool, error)
	SetRange(key string, offset int64, val string) (int64, error)
	StrLen(key string) (int64, error)
	TTL(key string) (int64, error)
	Type(key string) (string, error)
}

var (
	_ commander = (*store.Store)(nil)
	_ commander = (*store.Tx)(nil)
)

// keyspaceOnly reports whether a command needs the whole Store (no Tx has it).
func keyspaceOnly(name string) bool {
	switch strings.ToUpper(name) {
	case "DBSIZE", "FLUSHALL", "KEYS", "RANDOMKEY", "SCAN*":
		return true
	}
	return false
}

// redisExec runs one command given in Redis form on the Store (or inside a
// transaction, on its Tx) and renders the result as Redis would reply.
func redisExec(s commander, args ...string) diffReply {
	a := args[1:]
	switch strings.ToUpper(args[0]) {
	case "GET":
		return rMaybe(s.Get(a[0]))
	case "SET":
		var o store.SetArgs
		for i := 2; i < len(a); i++ {
			opt := strings.ToUpper(a[i])
			switch opt {
			case "NX":
				o.NX = true
			case "XX":
				o.XX = true
			case "GET":
				o.Get = true
			case "KEEPTTL":
				o.KeepTTL = true
			default:
				if i+1 >= len(a) {
					return rErr(store.ErrSyntax)
				}
				ok, err := expiryArgs(opt, a[i+1], &o.EX, &o.PX, &o.EXAT, &o.PXAT)
				if !ok {
					return rErr(store.ErrSyntax)
				}
				if err != nil {
					return rErr(err)
				}
				i++
			}
		}
		if len(a) == 2 {
			return rOK(s.Set(a[0], a[1]))
		}
		prev, ok, err := s.SetArgs(a[0], a[1], o)
		switch {
		case err != nil:
			return rErr(err)
		case o.Get:
			return rMaybe(prev, ok, nil)
		case ok:
			return rOK(nil)
		}
		return diffReply{kind: '_'}
	case "SETNX":
		return rBool(s.SetNX(a[0], a[1]))
	case "GETDEL":
		return rMaybe(s.GetDel(a[0]))
	case "GETEX":
		var o store.GetExArgs
		for i := 1; i < len(a); i++ {
			opt := strings.ToUpper(a[i])
			if opt == "PERSIST" {
				o.Persist = true
				continue
			}
			if i+1 >= len(a) {
				return rErr(store.ErrSyntax)
			}
			ok, err := expiryArgs(opt, a[i+1], &o.EX, &o.PX, &o.EXAT, &o.PXAT)
			if !ok {
				return rErr(store.ErrSyntax)
			}
			if err != nil {
				return rErr(err)
			}
			i++
		}
		return rMaybe(s.GetEx(a[0], o))
	case "MGET":
		return rValues(s.MGet(a...))
	case "MSET":
		return rOK(s.MSet(a...))
	case "MSETNX":
		return rBool(s.MSetNX(a...))
	case "INCR":
		return rInt(s.Incr(a[0]))
	case "DECR":
		return rInt(s.Decr(a[0]))
	case "INCRBY", "DECRBY":
		n, err := argInt(a[1])
		if err != nil {
			return rErr(err)
		}
		if strings.ToUpper(args[0]) == "INCRBY" {
			return rInt(s.IncrBy(a[0], n))
		}
		return rInt(s.DecrBy(a[0], n))
	case "INCRBYFLOAT":
		f, err := argFloat(a[1])
		if err != nil {
			return rErr(err)
		}
		return rBulk(s.IncrByFloat(a[0], f))
	case "APPEND":
		return rInt(s.Append(a[0], a[1]))
	case "STRLEN":
		return rInt(s.StrLen(a[0]))
	case "GETRANGE":
		start, err1 := argInt(a[1])
		end, err2 := argInt(a[2])
		if err := errors.Join(err1, err2); err != nil {
			return rErr(errArgInt)
		}
		return rBulk(s.GetRange(a[0], start, end))
	case "SETRANGE":
		off, err := argInt(a[1])
		if err != nil {
			return rErr(err)
		}
		return rInt(s.SetRange(a[0], off, a[2]))
	case "HSET":
		return rInt(s.HSet(a[0], a[1:]...))
	case "HSETNX":
		return rBool(s.HSetNX(a[0], a[1], a[2]))
	case "HGET":
		return rMaybe(s.HGet(a[0], a[1]))
	case "HMGET":
		return rValues(s.HMGet(a[0], a[1:]...))
	case "HGETALL":
		return rMap(s.HGetAll(a[0]))
	case "HDEL":
		return rInt(s.HDel(a[0], a[1:]...))
	case "HEXISTS":
		return rBool(s.HExists(a[0], a[1]))
	case "HLEN":
		return rInt(s.HLen(a[0]))
	case "HKEYS":
		return rStrings(s.HKeys(a[0]))
	case "HVALS":
		return rStrings(s.HVals(a[0]))
	case "HINCRBY":
		n, err := argInt(a[2])
		if err != nil {
			return rErr(err)
		}
		return rInt(s.HIncrBy(a[0], a[1], n))
	case "HINCRBYFLOAT":
		f, err := argFloat(a[2])
		if err != nil {
			return rErr(err)
		}
		return rBulk(s.HIncrByFloat(a[0], a[1], f))
	case "HSTRLEN":
		return rInt(s.HStrLen(a[0], a[1]))
	case "HRANDFIELD":
		n, err := argInt(a[1])
		if err != nil {
			return rErr(err)
		}
		withValues := len(a) > 2 && strings.EqualFold(a[2], "WITHVALUES")
		return rStrings(s.HRandField(a[0], n, withValues))
	case "DEL":
		return rInt(s.Del(a...))
	case "EXISTS":
		return rInt(s.Exists(a...))
	case "TYPE":
		return rStatus(s.Type(a[0]))
	case "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT":
		n, err := argInt(a[1])
		if err != nil {
			return rErr(err)
		}
		fl, err := expireFlags(a[2:])
		if err != nil {
			return rErr(err)
		}
		switch strings.ToUpper(args[0]) {
		case "EXPIRE":
			return rBool(s.Expire(a[0], n, fl...))
		case "PEXPIRE":
			return rBool(s.PExpire(a[0], n, fl...))
		case "EXPIREAT":
			return rBool(s.ExpireAt(a[0], n, fl...))
		}
		return rBool(s.PExpireAt(a[0], n, fl...))
	case "TTL":
		return rInt(s.TTL(a[0]))
	case "PTTL":
		return rInt(s.PTTL(a[0]))
	case "EXPIRETIME":
		return rInt(s.ExpireTime(a[0]))
	case "PEXPIRETIME":
		return rInt(s.PExpireTime(a[0]))
	case "PERSIST":
		return rBool(s.Persist(a[0]))
	case "RENAME":
		return rOK(s.Rename(a[0], a[1]))
	case "RENAMENX":
		return rBool(s.RenameNX(a[0], a[1]))
	case "COPY":
		replace := len(a) > 2 && strings.EqualFold(a[2], "REPLACE")
		return rBool(s.Copy(a[0], a[1], replace))
	case "DBSIZE":
		return rInt(s.(*store.Store).DBSize())
	case "FLUSHALL":
		return rOK(s.(*store.Store).FlushAll())
	case "KEYS":
		return rStrings(s.(*store.Store).Keys(a[0]))
	case "RANDOMKEY":
		return rMaybe(s.(*store.Store).RandomKey())
	}
	panic("redisdiff: no dispatch for " + args[0])
}

// respConn is a minimal RESP2 client.
type respConn struct {
	c net.Conn
	r *bufio.Reader
	w *bufio.Writer
}

func dialRedis(t *testing.T, srv *resptest.Server) *respConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", srv.Addr, 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return &respConn{c: c, r: bufio.NewReader(c), w: bufio.NewWriter(c)}
}

func (rc *respConn) do(t *testing.T, args ...string) diffReply {
	t.Helper()
	require.NoError(t, rc.c.SetDeadline(time.Now().Add(10*time.Second)))
	fmt.Fprintf(rc.w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(rc.w, "$%d\r\n%s\r\n", len(a), a)
	}
	require.NoError(t, rc.w.Flush())
	r, err := rc.read()
	require.NoError(t, err, "reading the diffReply to %q", args)
	return r
}

func (rc *respConn) read() (diffReply, error) {
	line, err := rc.r.ReadString('\n')
	if err != nil {
		return diffReply{}, err
	}
	if len(line) < 3 || !strings.HasSuffix(line, "\r\n") {
		return diffReply{}, fmt.Errorf("bad diffReply line %q", line)
	}
	kind, body := line[0], line[1:len(line)-2]
	switch kind {
	case '+', '-':
		return diffReply{kind: kind, str: body}, nil
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		return diffReply{kind: ':', n: n}, err
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil {
			return diffReply{}, err
		}
		if n < 0 {
			return diffReply{kind: '_'}, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rc.r, buf); err != nil {
			return diffReply{}, err
		}
		return diffReply{kind: '$', str: string(buf[:n])}, nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil {
			return diffReply{}, err
		}
		if n < 0 {
			return diffReply{kind: '_'}, nil
		}
		r := diffReply{kind: '*', arr: []diffReply{}}
		for range n {
			e, err := rc.read()
			if err != nil {
				return diffReply{}, err
			}
			r.arr = append(r.arr, e)
		}
		return r, nil
	}
	return diffReply{}, fmt.Errorf("bad diffReply type in %q", line)
}

// diffMode says how two replies to a command are compared.
type diffMode uint8

const (
	cmpExact     diffMode = iota
	cmpSet                // an array whose order does not matter
	cmpPairs              // an array of field, value pairs whose order does not matter
	cmpTime               // TTL/PTTL/EXPIRETIME/PEXPIRETIME: equal up to the time between the two sides
	cmpRandField          // HRANDFIELD: same length (and same fields when all are returned)
	cmpNilOrNot           // RANDOMKEY: both nil or both not
)

func modeOf(args []string) diffMode {
	switch strings.ToUpper(args[0]) {
	case "HKEYS", "HVALS", "KEYS":
		return cmpSet
	case "HGETALL":
		return cmpPairs
	case "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME":
		return cmpTime
	case "HRANDFIELD":
		return cmpRandField
	case "RANDOMKEY":
		return cmpNilOrNot
	}
	return cmpExact
}

// normalize returns r in a canonical order for mode.
func normalize(r diffReply, mode diffMode) diffReply {
	if r.kind != '*' {
		return r
	}
	switch mode {
	case cmpSet:
		r.arr = slices.Clone(r.arr)
		slices.SortFunc(r.arr, func(a, b diffReply) int { return strings.Compare(a.String(), b.String()) })
	case cmpPairs:
		var pairs []diffReply
		for i := 0; i+1 < len(r.arr); i += 2 {
			pairs = append(pairs, diffReply{kind: '*', arr: r.arr[i : i+2]})
		}
		slices.SortFunc(pairs, func(a, b diffReply) int { return strings.Compare(a.String(), b.String()) })
		r.arr = nil
		for _, p := range pairs {
			r.arr = append(r.arr, p.arr...)
		}
	}
	return r
}

// sameReply reports whether the Store's reply got matches Redis's want;
// exactTime compares TTLs exactly (for deadlines given in absolute time).
func sameReply(args []string, got, want diffReply, exactTime bool) bool {
	mode := modeOf(args)
	switch mode {
	case cmpTime:
		if !exactTime && got.kind == ':' && want.kind == ':' && got.n >= 0 && want.n >= 0 {
			tol := int64(1)
			if strings.HasPrefix(strings.ToUpper(args[0]), "P") {
				tol = 1000
			}
			return max(got.n-want.n, want.n-got.n) <= tol
		}
	case cmpRandField:
		if got.kind != '*' || want.kind != '*' {
			break
		}
		if len(got.arr) != len(want.arr) {
			return false
		}
		n, _ := strconv.ParseInt(args[2], 10, 64)
		withValues := len(args) > 3
		width := int64(1)
		if withValues {
			width = 2
		}
		if n > 0 && int64(len(want.arr)) < n*width {
			// Every field was returned: the same set on both sides.
			if withValues {
				mode = cmpPairs
			} else {
				mode = cmpSet
			}
			return normalize(got, mode).String() == normalize(want, mode).String()
		}
		return true
	case cmpNilOrNot:
		return (got.kind == '_') == (want.kind == '_')
	}
	return normalize(got, mode).String() == normalize(want, mode).String()
}

// differ runs commands on a Store and on Redis side by side.
type differ struct {
	t      *testing.T
	s      *store.Store
	rc     *respConn
	n      int        // commands compared
	exact  bool       // compare TTL replies exactly (deadlines set in absolute time)
	recent [][]string // the last commands, for failure messages
	// base is the Store's Stats at the last reset, when Redis's were reset
	// too. A SCAN or HSCAN loop counts keyspace hits per call (HSCAN) or per
	// key type-checked (SCAN with TYPE), and the two sides make different
	// numbers of calls, and Redis may return a key twice while its table
	// rehashes: skipped counts what the loops added on each side, to be
	// left out of the comparison (TestStats_KeyspaceHitsAsRedis pins them).
	base    store.Stats
	skipped struct{ hits, misses, redisHits, redisMisses uint64 }
}

func newDiffer(t *testing.T) *differ {
	srv := resptest.StartRedis(t, "")
	s, err := store.New(nil)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	d := &differ{t: t, s: s, rc: dialRedis(t, srv)}
	d.reset()
	return d
}

func (d *differ) reset() {
	require.Equal(d.t, "+OK", d.rc.do(d.t, "FLUSHALL").String())
	require.NoError(d.t, d.s.FlushAll())
	require.Equal(d.t, "+OK", d.rc.do(d.t, "CONFIG", "RESETSTAT").String())
	d.base = d.s.Stats()
	d.skipped = struct{ hits, misses, redisHits, redisMisses uint64 }{}
	d.recent = nil
}

// redisKeyspaceStats returns Redis's keyspace hits and misses (INFO stats).
func (d *differ) redisKeyspaceStats() (hits, misses uint64) {
	d.t.Helper()
	info := d.rc.do(d.t, "INFO", "stats").str
	field := func(name string) uint64 {
		for _, line := range strings.Split(info, "\r\n") {
			if v, ok := strings.CutPrefix(line, name+":"); ok {
				n, err := strconv.ParseUint(v, 10, 64)
				require.NoError(d.t, err, line)
				return n
			}
		}
		d.t.Fatalf("no %s in INFO stats", name)
		return 0
	}
	return field("keyspace_hits"), field("keyspace_misses")
}

// checkStats compares the keyspace hits and misses counted since the last
// reset, SCAN and HSCAN loops left out, with Redis's INFO stats.
func (d *differ) checkStats(context string) {
	d.t.Helper()
	rh, rm := d.redisKeyspaceStats()
	st := d.s.Stats()
	assert.Equal(d.t, rh-d.skipped.redisHits, st.Hits-d.base.Hits-d.skipped.hits, "%s: keyspace hits", context)
	assert.Equal(d.t, rm-d.skipped.redisMisses, st.Misses-d.base.Misses-d.skipped.misses, "%s: keyspace misses", context)
}

// run sends args to both sides and reports a difference (and false) if the
// replies differ. context is printed with a failure (the seed, say).
func (d *differ) run(context string, args ...string) bool {
	d.t.Helper()
	d.recent = append(d.recent, args)
	if len(d.recent) > 12 {
		d.recent = d.recent[1:]
	}
	want := d.rc.do(d.t, args...)
	got := redisExec(d.s, args...)
	d.n++
	if sameReply(args, got, want, d.exact) {
		return true
	}
	var hist strings.Builder
	for _, c := range d.recent {
		fmt.Fprintf(&hist, "\n  %q", c)
	}
	d.t.Errorf("%s: %q\n store: %s\n redis: %s\nlast commands:%s", context, args, got, want, hist.String())
	return false
}

// scanAll iterates SCAN (or HSCAN key) to the end on both sides and compares
// the union of what each returned; the Store must return no key twice.
func (d *differ) scanAll(context string, key, match, count, typ string) bool {
	d.t.Helper()
	d.n++
	// What the loop counts is left out of the comparison (see differ.skipped).
	rh, rm := d.redisKeyspaceStats()
	st := d.s.Stats()
	defer func() {
		rh2, rm2 := d.redisKeyspaceStats()
		st2 := d.s.Stats()
		d.skipped.redisHits += rh2 - rh
		d.skipped.redisMisses += rm2 - rm
		d.skipped.hits += st2.Hits - st.Hits
		d.skipped.misses += st2.Misses - st.Misses
	}()
	redisArgs := func(cursor string) []string {
		var a []string
		if key == "" {
			a = []string{"SCAN", cursor}
		} else {
			a = []string{"HSCAN", key, cursor}
		}
		if match != "" {
			a = append(a, "MATCH", match)
		}
		a = append(a, "COUNT", count)
		if typ != "" {
			a = append(a, "TYPE", typ)
		}
		return a
	}
	var want []string
	wantErr := ""
	for cursor, calls := "0", 0; ; calls++ {
		require.Less(d.t, calls, 10000, "redis SCAN does not end")
		r := d.rc.do(d.t, redisArgs(cursor)...)
		if r.kind == '-' {
			wantErr = r.str
			break
		}
		require.Equal(d.t, byte('*'), r.kind)
		cursor = r.arr[0].str
		for _, e := range r.arr[1].arr {
			want = append(want, e.str)
		}
		if cursor == "0" {
			break
		}
	}
	cnt, err := strconv.ParseInt(count, 10, 64)
	require.NoError(d.t, err)
	var got []string
	gotErr := ""
	seen := map[string]bool{}
	for cursor, calls := uint64(0), 0; ; calls++ {
		require.Less(d.t, calls, 100000, "store SCAN does not end")
		var page []string
		var err error
		if key == "" {
			page, cursor, err = d.s.Scan(cursor, match, cnt, typ)
		} else {
			page, cursor, err = d.s.HScan(key, cursor, match, cnt)
		}
		if err != nil {
			gotErr = err.Error()
			break
		}
		step := 1
		if key != "" {
			step = 2
		}
		for i := 0; i < len(page); i += step {
			if seen[page[i]] {
				d.t.Errorf("%s: %q returned %q twice", context, redisArgs("0"), page[i])
				return false
			}
			seen[page[i]] = true
		}
		got = append(got, page...)
		if cursor == 0 {
			break
		}
	}
	mode := cmpSet
	if key != "" {
		mode = cmpPairs
	}
	g := normalize(rStrings(got, nil), mode).String()
	w := normalize(rStrings(want, nil), mode).String()
	if g == w && gotErr == wantErr {
		return true
	}
	if key == "" && wantErr == "" && gotErr == "" {
		// Redis may return a key twice (rehashing): compare as sets.
		slices.Sort(want)
		want = slices.Compact(want)
		slices.Sort(got)
		if slices.Equal(got, want) {
			return true
		}
	}
	d.t.Errorf("%s: full %q\n store: %s %s\n redis: %s %s", context, redisArgs("0"), g, gotErr, w, wantErr)
	return false
}

// diffGen makes random commands over a small keyspace, so that commands meet
// each other's keys, types and values.
type diffGen struct {
	r    *rand.Rand
	base int64          // unix seconds when the test started
	used map[int64]bool // relative TTLs already handed out
}

var (
	diffKeys   = []string{"k0", "k1", "k2", "k3", "h0", "h1", "big"}
	diffFields = []string{"f0", "f1", "f2", "f3", "n"}
	diffValues = []string{
		"0", "1", "-1", "10", "42", "01", "+1", " 1", "1 ", "-0", "abc", "", "x y",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808",
		"9223372036854775806", "-9223372036854775807",
		"10.50", "5.0e3", "0.1", "3.0", "1e308", "-2.5", ".5", "5.", "1e", "0x10",
		"inf", "-inf", "nan", "Infinity", "1e400", "1e-400", "1_000", "0b11",
	}
	diffIncrs  = []string{"1", "-1", "0", "5", "-7", "100", "9223372036854775807", "-9223372036854775808", "9223372036854775806", "-9223372036854775807"}
	diffFloats = []string{"0.1", "-0.1", "1.5", "10.5", "300", "-0.0025", "0", "1e-20", "2.0e2", "1e308", "-1e308", "inf", "-inf"}
	diffRanges = []string{"0", "1", "2", "3", "-1", "-2", "-3", "-100", "100", "9223372036854775807", "-9223372036854775808"}
	diffGlobs  = []string{"*", "k*", "k?", "h*", "k[0-1]", "k[^0]", "*1*", "?0", "[hk]0", "big", "x*", "\\k*", "k[!0]",
		"k[1-0]", "k[", "k[0-", "[^k]*", "*\\", "\\", "[]", "k[\\0]", "**0", "b?g*", "[a-c]*", "h[^-]", "k[0-1-3]"}
)

func (g *diffGen) pick(s []string) string { return s[g.r.IntN(len(s))] }
func (g *diffGen) key() string            { return g.pick(diffKeys) }
func (g *diffGen) field() string          { return g.pick(diffFields) }

func (g *diffGen) value() string {
	if g.r.IntN(4) == 0 {
		return strconv.Itoa(g.r.IntN(200) - 100)
	}
	return g.pick(diffValues)
}

func (g *diffGen) float() string {
	switch g.r.IntN(4) {
	case 0:
		return strconv.FormatFloat(g.r.NormFloat64()*100, 'g', -1, 64)
	case 1:
		return strconv.FormatFloat(g.r.NormFloat64()*math.Pow(10, float64(g.r.IntN(60)-30)), 'g', -1, 64)
	}
	return g.pick(diffFloats)
}

// rel returns a relative TTL in seconds never handed out before: relative
// TTLs are 10^8 s and more, 10^4 s apart, so that the order of two deadlines
// never depends on the milliseconds between the two sides.
func (g *diffGen) rel() int64 {
	for {
		k := int64(g.r.IntN(100000))
		if !g.used[k] {
			g.used[k] = true
			return 100_000_000 + k*10_000
		}
	}
}

// abs returns a deadline in unix seconds, a million seconds away or more and
// below every relative one, from a small set so that deadlines tie.
func (g *diffGen) abs() int64 { return g.base + 1_000_000 + int64(g.r.IntN(8))*10_000 }

// absMs returns a deadline in unix ms whose sub-second part tests rounding.
func (g *diffGen) absMs() int64 {
	return g.abs()*1000 + []int64{0, 1, 499, 500, 501, 999}[g.r.IntN(6)]
}

func (g *diffGen) i(n int64) string { return strconv.FormatInt(n, 10) }

// expiry returns SET/GETEX expiry options.
func (g *diffGen) expiry() []string {
	switch g.r.IntN(6) {
	case 0:
		return []string{"EX", g.i(g.rel())}
	case 1:
		return []string{"PX", g.i(g.rel()*1000 + int64(g.r.IntN(1000)))}
	case 2:
		return []string{"EXAT", g.i(g.abs())}
	case 3:
		return []string{"PXAT", g.i(g.absMs())}
	case 4:
		return []string{"EX", g.i(-int64(g.r.IntN(3)) - 1)}
	}
	return []string{"PX", "-5"}
}

func (g *diffGen) expireFlags() []string {
	if g.r.IntN(3) == 0 {
		return nil
	}
	fl := []string{"NX", "XX", "GT", "LT"}
	var out []string
	for range 1 + g.r.IntN(2) {
		out = append(out, g.pick(fl))
	}
	return out
}

func (g *diffGen) next() []string {
	k := g.key()
	switch g.r.IntN(60) {
	case 0, 1, 2:
		return []string{"SET", k, g.value()}
	case 3, 4:
		args := []string{"SET", k, g.value()}
		opts := [][]string{{"NX"}, {"XX"}, {"GET"}, {"KEEPTTL"}, g.expiry(), g.expiry()}
		for range g.r.IntN(3) + 1 {
			args = append(args, opts[g.r.IntN(len(opts))]...)
		}
		return args
	case 5:
		return []string{"GET", k}
	case 6:
		return []string{"SETNX", k, g.value()}
	case 7:
		return []string{"GETDEL", k}
	case 8:
		args := []string{"GETEX", k}
		switch g.r.IntN(5) {
		case 0:
		case 1:
			args = append(args, "PERSIST")
		case 2:
			args = append(args, g.expiry()...)
			args = append(args, "PERSIST")
		case 3:
			args = append(args, "EXAT", g.i(g.base-int64(g.r.IntN(100))-1))
		default:
			args = append(args, g.expiry()...)
		}
		return args
	case 9:
		return []string{"MGET", k, g.key(), g.key()}
	case 10:
		args := []string{"MSET"}
		for range g.r.IntN(3) + 1 {
			args = append(args, g.key(), g.value())
		}
		return args
	case 11:
		args := []string{"MSETNX"}
		for range g.r.IntN(3) + 1 {
			args = append(args, g.key(), g.value())
		}
		return args
	case 12:
		return []string{"INCR", k}
	case 13:
		return []string{"DECR", k}
	case 14:
		return []string{"INCRBY", k, g.pick(diffIncrs)}
	case 15:
		return []string{"DECRBY", k, g.pick(diffIncrs)}
	case 16, 17:
		return []string{"INCRBYFLOAT", k, g.float()}
	case 18:
		return []string{"APPEND", k, g.value()}
	case 19:
		return []string{"STRLEN", k}
	case 20:
		return []string{"GETRANGE", k, g.pick(diffRanges), g.pick(diffRanges)}
	case 21:
		off := []string{"0", "1", "3", "10", "-1", "536870912", "9223372036854775807"}
		return []string{"SETRANGE", k, g.pick(off), g.pick([]string{"", "ab", "xyz", "\x00"})}
	case 22, 23, 24:
		args := []string{"HSET", k}
		for range g.r.IntN(3) + 1 {
			args = append(args, g.field(), g.value())
		}
		if k == "big" && g.r.IntN(2) == 0 {
			for i := range 40 {
				args = append(args, "g"+strconv.Itoa(g.r.IntN(60)), strconv.Itoa(i))
			}
		}
		return args
	case 25:
		return []string{"HSETNX", k, g.field(), g.value()}
	case 26:
		return []string{"HGET", k, g.field()}
	case 27:
		return []string{"HMGET", k, g.field(), g.field()}
	case 28:
		return []string{"HGETALL", k}
	case 29, 30:
		args := []string{"HDEL", k}
		for range g.r.IntN(3) + 1 {
			args = append(args, g.field())
		}
		if k == "big" {
			for range 20 {
				args = append(args, "g"+strconv.Itoa(g.r.IntN(60)))
			}
		}
		return args
	case 31:
		return []string{"HEXISTS", k, g.field()}
	case 32:
		return []string{"HLEN", k}
	case 33:
		return []string{"HKEYS", k}
	case 34:
		return []string{"HVALS", k}
	case 35, 36:
		return []string{"HINCRBY", k, g.field(), g.pick(diffIncrs)}
	case 37, 38:
		return []string{"HINCRBYFLOAT", k, g.field(), g.float()}
	case 39:
		return []string{"HSTRLEN", k, g.field()}
	case 40:
		counts := []string{"1", "2", "3", "10", "0", "-1", "-3", "-9223372036854775808", "4611686018427387904", "-4611686018427387904"}
		args := []string{"HRANDFIELD", k, g.pick(counts)}
		if g.r.IntN(2) == 0 {
			args = append(args, "WITHVALUES")
		}
		if (args[2] == "4611686018427387904" || args[2] == "-4611686018427387904") && len(args) == 3 {
			args[2] = "-2" // a huge negative count would really be served
		}
		return args
	case 41:
		return []string{"DEL", k, g.key()}
	case 42:
		return []string{"EXISTS", k, g.key(), k}
	case 43:
		return []string{"TYPE", k}
	case 44, 45:
		cmd := g.pick([]string{"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"})
		var n int64
		switch {
		case g.r.IntN(8) == 0:
			n = -int64(g.r.IntN(3)) // now or in the past: deletes
		case cmd == "EXPIRE":
			n = g.rel()
		case cmd == "PEXPIRE":
			n = g.rel()*1000 + int64(g.r.IntN(1000))
		case cmd == "EXPIREAT":
			n = g.abs()
		default:
			n = g.absMs()
		}
		return append([]string{cmd, k, g.i(n)}, g.expireFlags()...)
	case 46:
		return []string{g.pick([]string{"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}), k}
	case 47:
		return []string{"PERSIST", k}
	case 48:
		return []string{"RENAME", k, g.key()}
	case 49:
		return []string{"RENAMENX", k, g.key()}
	case 50:
		args := []string{"COPY", k, g.key()}
		if g.r.IntN(2) == 0 {
			args = append(args, "REPLACE")
		}
		return args
	case 51:
		return []string{"DBSIZE"}
	case 52:
		return []string{"KEYS", g.pick(diffGlobs)}
	case 53:
		return []string{"RANDOMKEY"}
	case 54:
		if g.r.IntN(10) == 0 {
			return []string{"FLUSHALL"}
		}
		return []string{"EXISTS", k}
	case 55:
		return []string{"SCAN*", "", g.pick(append([]string{""}, diffGlobs...)), g.pick([]string{"1", "2", "10"}), g.pick([]string{"", "string", "hash", "STRING", "none"})}
	case 56:
		return []string{"SCAN*", k, g.pick([]string{"", "*", "f*", "g1*", "?"}), g.pick([]string{"1", "3", "10"}), ""}
	case 57:
		return []string{"SET", k, g.value(), "GET"}
	case 58:
		return []string{"MGET", k}
	}
	return []string{"GET", k}
}

// TestRedisDiff_Random runs seeded random command sequences on a Store and on
// redis-server and requires the same reply to every command, and the same
// keyspace hits and misses at the end of each sequence. Set
// EMBER_DIFF_SEED to replay one seed.
func TestRedisDiff_Random(t *testing.T) {
	d := newDiffer(t)
	seeds := []uint64{1, 2, 3, uint64(time.Now().UnixNano())}
	if env := os.Getenv("EMBER_DIFF_SEED"); env != "" {
		seed, err := strconv.ParseUint(env, 10, 64)
		require.NoError(t, err)
		seeds = []uint64{seed}
	}
	const perSeed = 2500
	for _, seed := range seeds {
		d.reset()
		g := &diffGen{r: rand.New(rand.NewPCG(seed, seed)), base: time.Now().Unix(), used: map[int64]bool{}}
		context := fmt.Sprintf("seed %d (replay with EMBER_DIFF_SEED=%d)", seed, seed)
		for step := range perSeed {
			args := g.next()
			ctx := fmt.Sprintf("%s, step %d", context, step)
			ok := true
			if args[0] == "SCAN*" {
				ok = d.scanAll(ctx, args[1], args[2], args[3], args[4])
			} else {
				ok = d.run(ctx, args...)
			}
			if !ok {
				break
			}
		}
		d.checkStats(context)
	}
	t.Logf("compared %d commands with redis-server", d.n)
}

// TestRedisDiff_Directed compares hand-picked edge cases with redis-server.
func TestRedisDiff_Directed(t *testing.T) {
	d := newDiffer(t)
	d.exact = true
	future := strconv.FormatInt(time.Now().Unix()+1_000_000, 10)
	futureMs := strconv.FormatInt((time.Now().Unix()+1_000_000)*1000+500, 10)
	script := [][]string{
		// SET options.
		{"SET", "s", "v", "NX", "XX"},
		{"SET", "s", "v", "EX", "10", "PX", "100"},
		{"SET", "s", "v", "KEEPTTL", "EX", "10"},
		{"SET", "s", "v", "EX", "-1"},
		{"SET", "s", "v", "EX", "-1", "PX", "5"},
		{"SET", "s", "v", "PXAT", "5", "EX", "-1"},
		{"SET", "s", "v", "EX", "-1", "KEEPTTL"},
		{"SET", "s", "v", "PX", "-1"},
		{"SET", "s", "v", "EXAT", "-1"},
		{"SET", "s", "v", "EX", "9223372036854775807"},
		{"SET", "s", "v", "EX", "9223372036854775"},
		{"SET", "s", "v", "PX", "9223372036854775807"},
		{"SET", "s", "v", "NX", "GET"},
		{"SET", "s", "w", "NX", "GET"},
		{"GET", "s"},
		{"SET", "s", "x", "XX", "GET"},
		{"SET", "none", "x", "XX", "GET"},
		{"SET", "none", "x", "XX"},
		{"EXISTS", "none"},
		{"HSET", "h", "f", "v"},
		{"SET", "h", "x", "GET"},
		{"SET", "h", "x", "NX", "GET"},
		{"SET", "h", "x", "NX"},
		{"SET", "s", "v", "EX", "1000000"},
		{"SET", "s", "v2", "KEEPTTL"},
		{"TTL", "s"},
		{"SET", "s", "v3"},
		{"TTL", "s"},
		{"SET", "h", "x"},
		{"TYPE", "h"},
		// GETEX.
		{"GETEX", "nokey", "EX", "-1"},
		{"HSET", "h2", "f", "v"},
		{"GETEX", "h2", "EX", "-1"},
		{"GETEX", "s", "EX", "-1"},
		{"GETEX", "s", "EX", "10", "PX", "10"},
		{"GETEX", "s", "EX", "-1", "PX", "10"},
		{"GETEX", "s", "PERSIST", "EX", "-1"},
		{"GETEX", "s", "PERSIST", "EX", "10"},
		{"GETEX", "s", "EXAT", future},
		{"EXPIRETIME", "s"},
		{"GETEX", "s", "PERSIST"},
		{"TTL", "s"},
		{"GETEX", "s", "PXAT", "1"},
		{"EXISTS", "s"},
		// Integers.
		{"SET", "n", "9223372036854775807"},
		{"INCR", "n"},
		{"DECRBY", "n", "-9223372036854775808"},
		{"DECRBY", "h2", "-9223372036854775808"},
		{"SET", "n", "-9223372036854775808"},
		{"DECR", "n"},
		{"INCRBY", "n", "-1"},
		{"SET", "n", "01"},
		{"INCR", "n"},
		{"SET", "n", "+1"},
		{"INCR", "n"},
		{"SET", "n", " 1"},
		{"INCR", "n"},
		{"SET", "n", "1 "},
		{"INCR", "n"},
		{"SET", "n", "-0"},
		{"INCR", "n"},
		{"SET", "n", ""},
		{"INCR", "n"},
		{"INCR", "h2"},
		// Floats.
		{"SET", "f", "10.50"},
		{"INCRBYFLOAT", "f", "0.1"},
		{"SET", "f", "5.0e3"},
		{"INCRBYFLOAT", "f", "200"},
		{"INCRBYFLOAT", "nof", "0.1"},
		{"INCRBYFLOAT", "nof", "0.2"},
		{"INCRBYFLOAT", "nof", "-0.3"},
		{"INCRBYFLOAT", "nof2", "-0"},
		{"SET", "f", "1e308"},
		{"INCRBYFLOAT", "f", "1e308"},
		{"SET", "f", "0x10"},
		{"INCRBYFLOAT", "f", "1"},
		{"SET", "f", "0b11"},
		{"INCRBYFLOAT", "f", "1"},
		{"SET", "f", "0o17"},
		{"INCRBYFLOAT", "f", "1"},
		{"SET", "f", "Infinity"},
		{"INCRBYFLOAT", "f", "1"},
		{"SET", "f", "INF"},
		{"INCRBYFLOAT", "f", "1"},
		{"SET", "f", "nan"},
		{"INCRBYFLOAT", "f", "1"},
		{"SET", "f", "1e5000"},
		{"INCRBYFLOAT", "f", "1"},
		{"SET", "f", "1e-5000"},
		{"INCRBYFLOAT", "f", "1"},
		{"SET", "f", "1e4000"},
		{"INCRBYFLOAT", "f", "1"},
		{"SET", "f", "abc"},
		{"INCRBYFLOAT", "f", "inf"},
		{"INCRBYFLOAT", "nof3", "inf"},
		{"INCRBYFLOAT", "h2", "1"},
		{"HINCRBYFLOAT", "hf", "x", "inf"},
		{"HINCRBYFLOAT", "s", "x", "inf"},
		{"HINCRBYFLOAT", "hf", "x", "10.50"},
		{"HINCRBYFLOAT", "hf", "x", "0.1"},
		{"HSET", "hf", "y", "abc"},
		{"HINCRBYFLOAT", "hf", "y", "1"},
		{"HINCRBY", "hf", "y", "1"},
		{"HSET", "hf", "i", "9223372036854775807"},
		{"HINCRBY", "hf", "i", "1"},
		{"HINCRBY", "hf", "i", "-1"},
		// Ranges.
		{"SET", "r", "Hello World"},
		{"GETRANGE", "r", "0", "4"},
		{"GETRANGE", "r", "-5", "-1"},
		{"GETRANGE", "r", "-1", "-5"},
		{"GETRANGE", "r", "5", "3"},
		{"GETRANGE", "r", "-100", "100"},
		{"GETRANGE", "r", "100", "200"},
		{"GETRANGE", "none", "0", "-1"},
		{"GETRANGE", "h2", "0", "-1"},
		{"SETRANGE", "r", "6", "Redis"},
		{"SETRANGE", "r", "20", "!"},
		{"GET", "r"},
		{"SETRANGE", "r", "-1", "x"},
		{"SETRANGE", "r", "536870912", "x"},
		{"SETRANGE", "r", "536870911", ""},
		{"SETRANGE", "r", "9223372036854775807", "x"},
		{"SETRANGE", "none", "5", ""},
		{"EXISTS", "none"},
		{"SETRANGE", "h2", "0", "x"},
		{"SETRANGE", "h2", "-1", "x"},
		{"APPEND", "none2", ""},
		{"EXISTS", "none2"},
		// Hashes.
		{"HDEL", "h2", "f"},
		{"EXISTS", "h2"},
		{"HDEL", "s", "f"},
		{"HSET", "hr", "a", "1", "b", "2", "c", "3"},
		{"HRANDFIELD", "hr", "-9223372036854775808"},
		{"HRANDFIELD", "hr", "4611686018427387904", "WITHVALUES"},
		{"HRANDFIELD", "hr", "-4611686018427387904", "WITHVALUES"},
		{"HRANDFIELD", "hr", "5", "WITHVALUES"},
		{"HRANDFIELD", "hr", "0"},
		{"HRANDFIELD", "nohash", "5"},
		{"HRANDFIELD", "r", "5"},
		{"HSETNX", "hr", "a", "x"},
		{"HSETNX", "hr", "d", "x"},
		{"HGET", "r", "a"},
		{"HMGET", "r", "a"},
		{"HGETALL", "r"},
		{"HLEN", "r"},
		{"HKEYS", "r"},
		{"HVALS", "r"},
		{"HSTRLEN", "r", "a"},
		{"HEXISTS", "r", "a"},
		{"HINCRBY", "r", "a", "1"},
		{"HSETNX", "r", "a", "1"},
		{"HSET", "r", "a", "1"},
		{"HMGET", "nohash", "a", "b"},
		// Keys and TTLs.
		{"SET", "t", "v"},
		{"EXPIRE", "t", "100", "NX", "XX"},
		{"EXPIRE", "t", "100", "GT", "LT"},
		{"EXPIRE", "t", "100", "NX", "GT"},
		{"EXPIRE", "t", "100", "XX"},
		{"EXPIRE", "t", "100", "GT"},
		{"EXPIRE", "t", "100", "LT"},
		{"TTL", "t"},
		{"EXPIREAT", "t", future, "NX"},
		{"EXPIREAT", "t", future, "GT"},
		{"EXPIREAT", "t", future, "LT"},
		{"PEXPIREAT", "t", futureMs, "GT"},
		{"EXPIRETIME", "t"},
		{"PEXPIRETIME", "t"},
		{"EXPIRE", "t", "9223372036854775807"},
		{"EXPIRE", "t", "-9223372036854775808"},
		{"PEXPIRE", "t", "9223372036854775807"},
		{"EXPIREAT", "t", "9223372036854775807"},
		{"PERSIST", "t"},
		{"PERSIST", "t"},
		{"TTL", "t"},
		{"TTL", "nokey"},
		{"PTTL", "nokey"},
		{"EXPIRETIME", "nokey"},
		{"EXPIRETIME", "t"},
		{"EXPIRE", "nokey", "100"},
		{"EXPIRE", "t", "0"},
		{"EXISTS", "t"},
		{"SET", "t", "v"},
		{"PEXPIRE", "t", "-1"},
		{"EXISTS", "t"},
		{"RENAME", "nokey", "x"},
		{"RENAME", "nokey", "nokey"},
		{"RENAMENX", "nokey", "nokey"},
		{"SET", "a", "1"},
		{"RENAME", "a", "a"},
		{"RENAMENX", "a", "a"},
		{"SET", "b", "2"},
		{"RENAMENX", "a", "b"},
		{"RENAME", "a", "b"},
		{"GET", "b"},
		{"COPY", "b", "b"},
		{"COPY", "nokey", "c"},
		{"COPY", "b", "c"},
		{"COPY", "b", "c"},
		{"COPY", "hr", "c", "REPLACE"},
		{"TYPE", "c"},
		{"HGETALL", "c"},
		{"EXISTS", "b", "b", "c", "nokey"},
		{"DEL", "b", "b", "c"},
		{"TYPE", "nokey"},
		{"MSET"},
		{"MSET", "a"},
		{"MSET", "a", "1", "b"},
		{"MSETNX", "a", "1", "b"},
		{"MSETNX", "x1", "1", "a", "2"},
		{"EXISTS", "x1"},
		{"MSETNX", "x1", "1", "x2", "2"},
		{"MGET", "x1", "x2", "hr", "nokey"},
		{"HSET", "odd", "a"},
		{"HSET", "odd", "a", "b", "c"},
		{"MSET", "a*b", "1", "a[b", "1", "a\\b", "1", "a]b", "1", "a-b", "1", "ab", "1", "a?b", "1", "a^b", "1"},
		{"KEYS", "a*b"},
		{"KEYS", "a\\*b"},
		{"KEYS", "a[*]b"},
		{"KEYS", "a[[]b"},
		{"KEYS", "a[]]b"},
		{"KEYS", "a[\\]]b"},
		{"KEYS", "a\\\\b"},
		{"KEYS", "a[\\\\]b"},
		{"KEYS", "a[-]b"},
		{"KEYS", "a[^a-z]b"},
		{"KEYS", "a[!^]b"},
		{"KEYS", "a?b"},
		{"KEYS", "a[a-]b"},
		{"KEYS", "a[z-a]b"},
		{"KEYS", "a\\?b"},
		{"KEYS", "a[b"},
		{"KEYS", "a["},
		{"KEYS", "a\\"},
		{"KEYS", "x?"},
		{"KEYS", "[a-x]*"},
		{"KEYS", "*"},
		{"DBSIZE"},
	}
	for i, args := range script {
		d.run(fmt.Sprintf("directed step %d", i), args...)
	}
	for _, typ := range []string{"", "string", "hash", "STRING", "Hash", "none", "list"} {
		d.scanAll("directed", "", "", "3", typ)
	}
	require.NoError(t, d.s.FlushAll())
	d.rc.do(t, "FLUSHALL")
	// A big hash: the Store's map encoding against Redis's hashtable.
	for i := range 300 {
		d.run("big hash", "HSET", "big", "f"+strconv.Itoa(i), strconv.Itoa(i))
	}
	for _, c := range []string{"1", "7", "100"} {
		d.scanAll("big hash", "big", "", c, "")
		d.scanAll("big hash", "big", "f1*", c, "")
	}
	d.run("big hash", "HLEN", "big")
	d.run("big hash", "HGETALL", "big")
	d.exact = false
	d.run("big hash", "HRANDFIELD", "big", "400", "WITHVALUES")
	for i := range 300 {
		d.run("big hash", "HDEL", "big", "f"+strconv.Itoa(i))
	}
	d.run("big hash", "EXISTS", "big")
	t.Logf("compared %d commands with redis-server", d.n)
}

// TestRedisDiff_Transactions runs random batches of commands in MULTI/EXEC on
// Redis and in one Update on the Store (every command through the Tx), and
// requires the same reply to each command; the state afterwards is compared
// with single commands.
func TestRedisDiff_Transactions(t *testing.T) {
	d := newDiffer(t)
	seed := uint64(time.Now().UnixNano())
	if env := os.Getenv("EMBER_DIFF_SEED"); env != "" {
		var err error
		seed, err = strconv.ParseUint(env, 10, 64)
		require.NoError(t, err)
	}
	g := &diffGen{r: rand.New(rand.NewPCG(seed, 7)), base: time.Now().Unix(), used: map[int64]bool{}}
	context := fmt.Sprintf("seed %d (replay with EMBER_DIFF_SEED=%d)", seed, seed)
	for batch := range 300 {
		var cmds [][]string
		for len(cmds) < 1+g.r.IntN(8) {
			if args := g.next(); !keyspaceOnly(args[0]) {
				cmds = append(cmds, args)
			}
		}
		require.Equal(t, "+OK", d.rc.do(t, "MULTI").String())
		for _, c := range cmds {
			require.Equal(t, "+QUEUED", d.rc.do(t, c...).String(), "%q", c)
		}
		want := d.rc.do(t, "EXEC")
		require.Equal(t, byte('*'), want.kind)
		require.Len(t, want.arr, len(cmds))

		var got []diffReply
		require.NoError(t, d.s.Update(diffKeys, func(tx *store.Tx) error {
			for _, c := range cmds {
				got = append(got, redisExec(tx, c...))
			}
			return nil
		}))
		for i, c := range cmds {
			d.n++
			if !sameReply(c, got[i], want.arr[i], false) {
				t.Fatalf("%s, batch %d, command %d of %q: %q\n store: %s\n redis: %s", context, batch, i, cmds, c, got[i], want.arr[i])
			}
		}
		for _, k := range diffKeys {
			for _, c := range [][]string{{"TYPE", k}, {"GET", k}, {"HGETALL", k}, {"PEXPIRETIME", k}} {
				require.True(t, d.run(context, c...))
			}
		}
	}
	d.checkStats(context)
	t.Logf("compared %d commands with redis-server", d.n)
}
