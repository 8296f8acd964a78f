package rdb

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// DefaultRedisVersion is the redis-ver AUX value a Writer writes by default:
// the Redis release whose format it follows.
const DefaultRedisVersion = "7.0.15"

// flushSize is the amount a Writer buffers before writing to its target.
const flushSize = 64 << 10

// WriterOptions configures a Writer. The zero value (or a nil pointer) writes
// an RDB version 10 file with the AUX fields of a plain Redis 7.0 SAVE.
type WriterOptions struct {
	// Version is the RDB version in the header: 10 (Redis 7.0) or 9 (read
	// by Redis 5.0 to 7.x, so also by 6.x replicas). Zero means 10. The
	// key encodings written are valid in both.
	Version int
	// RedisVersion is the redis-ver AUX value. Empty means
	// DefaultRedisVersion.
	RedisVersion string
	// CTime is the ctime AUX value (creation time). Zero means the time of
	// the first write.
	CTime time.Time
	// UsedMem is the used-mem AUX value, in bytes. Zero writes 0.
	UsedMem int64
	// ReplID, when not empty, adds the AUX fields Redis writes in an RDB made
	// for replication: repl-stream-db (ReplStreamDB), repl-id (ReplID, 40
	// characters) and repl-offset (ReplOffset).
	ReplID       string
	ReplOffset   int64
	ReplStreamDB int
	// NoAux omits all AUX fields, including Aux.
	NoAux bool
	// Aux are extra AUX fields, written after the standard ones.
	Aux []AuxField
}

// Writer encodes an RDB stream: the header and AUX fields, then keys, then,
// on Close, the EOF opcode and the CRC-64. Output is buffered; nothing is
// guaranteed to reach the target before Close. The first error (from the
// target or a bad argument) is returned by every later call. A Writer is
// not safe for concurrent use.
type Writer struct {
	w       io.Writer
	opts    WriterOptions
	buf     []byte
	crc     uint64
	written int64
	err     error
	started bool
	closed  bool
	dbSet   bool
}

// NewWriter returns a Writer to w. It does no I/O until the first write.
// opts may be nil; an invalid option is reported by the first method call.
func NewWriter(w io.Writer, opts *WriterOptions) *Writer {
	wr := &Writer{w: w, buf: make([]byte, 0, 4096)}
	if opts != nil {
		wr.opts = *opts
		wr.opts.Aux = append([]AuxField(nil), opts.Aux...)
	}
	if wr.opts.Version == 0 {
		wr.opts.Version = maxVersion
	}
	if wr.opts.Version != 9 && wr.opts.Version != 10 {
		wr.err = fmt.Errorf("rdb: writer: unsupported version %d (want 9 or 10)", wr.opts.Version)
	}
	if wr.opts.RedisVersion == "" {
		wr.opts.RedisVersion = DefaultRedisVersion
	}
	return wr
}

// Written returns the number of bytes written to the target so far; after
// Close, the size of the whole file.
func (w *Writer) Written() int64 { return w.written }

// start writes the header and AUX fields once.
func (w *Writer) start() {
	if w.started {
		return
	}
	w.started = true
	w.buf = fmt.Appendf(w.buf, "REDIS%04d", w.opts.Version)
	if w.opts.NoAux {
		return
	}
	ctime := w.opts.CTime
	if ctime.IsZero() {
		ctime = time.Now()
	}
	w.aux("redis-ver", w.opts.RedisVersion)
	w.aux("redis-bits", strconv.Itoa(strconv.IntSize))
	w.aux("ctime", strconv.FormatInt(ctime.Unix(), 10))
	w.aux("used-mem", strconv.FormatInt(w.opts.UsedMem, 10))
	if w.opts.ReplID != "" {
		w.aux("repl-stream-db", strconv.Itoa(w.opts.ReplStreamDB))
		w.aux("repl-id", w.opts.ReplID)
		w.aux("repl-offset", strconv.FormatInt(w.opts.ReplOffset, 10))
	}
	if w.opts.Version >= 10 {
		w.aux("aof-base", "0")
	}
	for _, a := range w.opts.Aux {
		w.aux(a.Key, a.Value)
	}
}

func (w *Writer) aux(key, value string) {
	w.buf = append(w.buf, opAux)
	w.appendString(key)
	w.appendString(value)
}

// check returns the sticky error, or ErrClosed after Close.
func (w *Writer) check() error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return ErrClosed
	}
	return nil
}

// SelectDB starts database db: it writes SELECTDB and a RESIZEDB hint with
// the expected numbers of keys and of keys with an expiry (0, 0 if
// unknown). Keys written without a SelectDB go to database 0.
func (w *Writer) SelectDB(db int, keys, expires uint64) error {
	if err := w.check(); err != nil {
		return err
	}
	if db < 0 || db > math.MaxInt32 {
		return fmt.Errorf("rdb: writer: database %d out of range", db)
	}
	w.start()
	w.buf = append(w.buf, opSelectDB)
	w.buf = appendLen(w.buf, uint64(db))
	w.buf = append(w.buf, opResizeDB)
	w.buf = appendLen(w.buf, keys)
	w.buf = appendLen(w.buf, expires)
	w.dbSet = true
	return w.maybeFlush()
}

// keyHeader writes what precedes a key: SELECTDB 0 if no database was
// selected, the expiry if any, the type byte and the key.
func (w *Writer) keyHeader(t byte, key string, expireAtMs int64) {
	w.start()
	if !w.dbSet {
		w.buf = append(w.buf, opSelectDB, 0)
		w.dbSet = true
	}
	if expireAtMs != 0 {
		if expireAtMs == -1 {
			expireAtMs = 0 // Redis reads a stored -1 as "no expiry"; 0 is as much in the past
		}
		w.buf = append(w.buf, opExpireTimeMs)
		w.buf = binary.LittleEndian.AppendUint64(w.buf, uint64(expireAtMs))
	}
	w.buf = append(w.buf, t)
	w.appendString(key)
}

// WriteString writes a string key. expireAtMs is the absolute expiry in Unix
// milliseconds, or 0 for none; a past expiry is written as given (except -1,
// which Redis would read as "none" and is written as 0, matching
// Entry.ExpireAtMs), since whether to drop expired keys is the loader's
// decision.
func (w *Writer) WriteString(key, value string, expireAtMs int64) error {
	if err := w.check(); err != nil {
		return err
	}
	w.keyHeader(TypeString, key, expireAtMs)
	w.appendString(value)
	return w.maybeFlush()
}

// WriteHash writes a hash key (as RDB type 4, a hash table, which every
// Redis version reads; Redis converts small ones to listpacks on load).
// fieldsAndValues alternates fields and values and must hold at least one
// pair: Redis has no empty hashes. expireAtMs is as for WriteString.
func (w *Writer) WriteHash(key string, fieldsAndValues []string, expireAtMs int64) error {
	if err := w.check(); err != nil {
		return err
	}
	if len(fieldsAndValues) == 0 || len(fieldsAndValues)%2 != 0 {
		return fmt.Errorf("rdb: writer: hash %q needs field/value pairs, got %d strings", key, len(fieldsAndValues))
	}
	w.keyHeader(TypeHash, key, expireAtMs)
	w.buf = appendLen(w.buf, uint64(len(fieldsAndValues)/2))
	for _, s := range fieldsAndValues {
		w.appendString(s)
		if len(w.buf) >= flushSize {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return w.maybeFlush()
}

// Close writes the EOF opcode and the CRC-64 and flushes. It does not close
// the target. A second Close returns nil.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	if w.err != nil {
		return w.err
	}
	w.start()
	w.buf = append(w.buf, opEOF)
	w.crc = CRC64(w.crc, w.buf)
	w.buf = binary.LittleEndian.AppendUint64(w.buf, w.crc)
	err := w.write()
	w.closed = true
	return err
}

func (w *Writer) maybeFlush() error {
	if len(w.buf) >= flushSize {
		return w.flush()
	}
	return nil
}

// flush writes the buffer, adding it to the checksum.
func (w *Writer) flush() error {
	w.crc = CRC64(w.crc, w.buf)
	return w.write()
}

func (w *Writer) write() error {
	n, err := w.w.Write(w.buf)
	w.written += int64(n)
	if err == nil && n < len(w.buf) {
		err = io.ErrShortWrite
	}
	w.buf = w.buf[:0]
	if err != nil {
		w.err = fmt.Errorf("rdb: writer: %w", err)
	}
	return w.err
}

// appendString appends s with the integer encoding when Redis would use it,
// else length-prefixed. A long string is copied in pieces, flushing as the
// buffer fills, so the buffer stays small.
func (w *Writer) appendString(s string) {
	if v, ok := intEncoding(s); ok {
		w.buf = appendInt(w.buf, v)
		return
	}
	w.buf = appendLen(w.buf, uint64(len(s)))
	for len(s) > 0 {
		if len(w.buf) >= flushSize && w.flush() != nil {
			return // the error is sticky
		}
		k := min(len(s), flushSize-len(w.buf)+4096)
		w.buf = append(w.buf, s[:k]...)
		s = s[k:]
	}
}

// appendLen appends n in the shortest length encoding.
func appendLen(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, byte(n>>8)|0x40, byte(n))
	case n <= math.MaxUint32:
		dst = append(dst, 0x80)
		return binary.BigEndian.AppendUint32(dst, uint32(n))
	}
	dst = append(dst, 0x81)
	return binary.BigEndian.AppendUint64(dst, n)
}

// appendInt appends v (which fits in 32 bits) with the smallest integer
// string encoding.
func appendInt(dst []byte, v int64) []byte {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(dst, 0xC0, byte(v))
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return binary.LittleEndian.AppendUint16(append(dst, 0xC1), uint16(v))
	}
	return binary.LittleEndian.AppendUint32(append(dst, 0xC2), uint32(v))
}

// intEncoding reports whether Redis would store s with an integer encoding:
// at most 11 characters, a canonical decimal (no '+', no leading zeros, not
// "-0") that fits in 32 bits.
func intEncoding(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 11 {
		return 0, false
	}
	i := 0
	if s[0] == '-' {
		i = 1
	}
	if i == len(s) || s[i] < '0' || s[i] > '9' || (s[i] == '0' && len(s) > 1) {
		return 0, false
	}
	var v int64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0') // at most 11 digits: no overflow
	}
	if s[0] == '-' {
		v = -v
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, false
	}
	return v, true
}
