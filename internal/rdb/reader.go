package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// DefaultMaxStringLen is the default bound on one string, Redis's
// proto-max-bulk-len default (512 MiB).
const DefaultMaxStringLen = 512 << 20

const (
	// bufSize is the largest window the Reader keeps on its input, and
	// minBufSize the first.
	bufSize    = 64 << 10
	minBufSize = 4 << 10
	// keepScratch is the largest scratch buffer kept from one key to the
	// next; a bigger one, left by a huge value, is dropped.
	keepScratch = 4 << 20
	// maxVersion is the newest RDB version Redis 7.0 reads.
	maxVersion = 10
)

// ReaderOptions bounds what a Reader accepts. The zero value (or a nil
// pointer) gives the defaults.
type ReaderOptions struct {
	// MaxStringLen bounds every string in the file (key, value, field, AUX
	// value, listpack or ziplist blob), before and after LZF
	// decompression. Zero means DefaultMaxStringLen. Memory is committed
	// as bytes arrive, never from a length alone.
	MaxStringLen int64
}

// Reader decodes an RDB stream one key at a time. It reads ahead from its
// source, so give it a source that ends where the RDB ends (a file, or the
// payload reader of the replication link). A Reader is not safe for
// concurrent use.
type Reader struct {
	src    io.Reader
	srcErr error
	opts   ReaderOptions

	buf    []byte // window on the input: buf[r:w] is unread
	r, w   int
	hashed int    // buf[hashed:r] is consumed but not yet in crc
	crc    uint64 // CRC-64 of the consumed bytes before buf[hashed]
	base   int64  // input offset of buf[0]
	full   bool   // the last read filled the window: grow it

	err       error // sticky: returned by every Next after the first failure
	started   bool
	version   int
	db        int
	keysHint  uint64
	expHint   uint64
	aux       []AuxField
	functions []string
	checked   bool

	key    []byte // the current key (and, for a string, its value)
	str    []byte // a raw string longer than the window
	lzfIn  []byte
	lzfOut []byte
	num    [24]byte // an integer-encoded string in decimal
}

// NewReader returns a Reader of the RDB stream src. It does no I/O: the
// header is read by the first call to Next. opts may be nil.
func NewReader(src io.Reader, opts *ReaderOptions) *Reader {
	r := &Reader{src: src}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.MaxStringLen <= 0 {
		r.opts.MaxStringLen = DefaultMaxStringLen
	}
	return r
}

// Version returns the RDB version from the header, or 0 before the first
// call to Next.
func (r *Reader) Version() int { return r.version }

// Aux returns the AUX fields read so far, in file order. Redis writes them
// all before the first key, so after the first call to Next they are
// complete in practice.
func (r *Reader) Aux() []AuxField { return r.aux }

// AuxValue returns the value of the last AUX field named name (compared
// case-insensitively, as Redis does), such as "repl-id", "repl-offset" or
// "repl-stream-db".
func (r *Reader) AuxValue(name string) (string, bool) {
	for i := len(r.aux) - 1; i >= 0; i-- {
		if strings.EqualFold(r.aux[i].Key, name) {
			return r.aux[i].Value, true
		}
	}
	return "", false
}

// Functions returns the function library sources (FUNCTION2 opcodes, and
// the 7.0-rc form translated to "#!<engine> name=<name>\n<code>") read so
// far. The Reader only collects them.
func (r *Reader) Functions() []string { return r.functions }

// ResizeHint returns the key and expiry counts of the last RESIZEDB opcode:
// a sizing hint for the current database, not a promise.
func (r *Reader) ResizeHint() (keys, expires uint64) { return r.keysHint, r.expHint }

// ChecksumChecked reports whether the file's CRC-64 was verified. It is
// false until Next has returned io.EOF, and for files written with the
// checksum disabled (a stored 0) or older than version 5.
func (r *Reader) ChecksumChecked() bool { return r.checked }

// Next returns the next key. At the end of the file, after the checksum has
// been verified, it returns io.EOF. Opcodes that are not keys (AUX,
// SELECTDB, RESIZEDB, expiry, LRU/LFU hints, module AUX data, functions) are
// consumed on the way. Keys of types the Reader does not decode come back
// with Kind KindSkipped; streams, module values and zipmaps fail with
// ErrUnsupportedType. After an error every later call returns the same
// error.
func (r *Reader) Next() (Entry, error) {
	if r.err != nil {
		return Entry{}, r.err
	}
	e, err := r.next()
	if err != nil {
		r.err = err
	}
	return e, err
}

func (r *Reader) next() (Entry, error) {
	if !r.started {
		r.started = true
		if err := r.readHeader(); err != nil {
			return Entry{}, err
		}
	}
	for _, s := range []*[]byte{&r.key, &r.str, &r.lzfIn, &r.lzfOut} {
		if cap(*s) > keepScratch {
			*s = nil
		}
	}
	var expire int64
	hasExpire := false
	for {
		op, err := r.readByte()
		if err != nil {
			return Entry{}, err
		}
		switch op {
		case opEOF:
			return Entry{}, r.finish()
		case opSelectDB:
			db, err := r.readLen()
			if err != nil {
				return Entry{}, err
			}
			if db > math.MaxInt32 {
				return Entry{}, r.corrupt("SELECTDB %d out of range", db)
			}
			r.db = int(db)
		case opResizeDB:
			if r.keysHint, err = r.readLen(); err != nil {
				return Entry{}, err
			}
			if r.expHint, err = r.readLen(); err != nil {
				return Entry{}, err
			}
		case opAux:
			key, err := r.readString()
			if err != nil {
				return Entry{}, err
			}
			val, err := r.readString()
			if err != nil {
				return Entry{}, err
			}
			r.aux = append(r.aux, AuxField{Key: key, Value: val})
		case opExpireTime:
			b, err := r.readN(4)
			if err != nil {
				return Entry{}, err
			}
			expire, hasExpire = int64(int32(binary.LittleEndian.Uint32(b)))*1000, true
		case opExpireTimeMs:
			b, err := r.readN(8)
			if err != nil {
				return Entry{}, err
			}
			expire, hasExpire = int64(binary.LittleEndian.Uint64(b)), true
		case opFreq:
			if _, err := r.readN(1); err != nil {
				return Entry{}, err
			}
		case opIdle:
			if _, err := r.readLen(); err != nil {
				return Entry{}, err
			}
		case opModuleAux:
			if err := r.skipModuleAux(); err != nil {
				return Entry{}, err
			}
		case opFunction2:
			code, err := r.readString()
			if err != nil {
				return Entry{}, err
			}
			r.functions = append(r.functions, code)
		case opFunctionPreGA:
			if err := r.readFunctionPreGA(); err != nil {
				return Entry{}, err
			}
		default:
			e, err := r.readEntry(op)
			if err != nil {
				return Entry{}, err
			}
			if hasExpire {
				switch expire {
				case -1: // Redis's "no expiry"
				case 0:
					e.ExpireAtMs = -1
				default:
					e.ExpireAtMs = expire
				}
			}
			return e, nil
		}
	}
}

// readHeader reads and checks "REDIS" and the 4-digit version.
func (r *Reader) readHeader() error {
	b, err := r.readN(9)
	if err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("%w: file shorter than its header: %w", ErrVersion, err)
		}
		return err
	}
	if string(b[:5]) != "REDIS" {
		return fmt.Errorf("%w: bad magic %q", ErrVersion, b[:5])
	}
	v := 0
	for _, c := range b[5:9] {
		if c < '0' || c > '9' {
			return fmt.Errorf("%w: bad version %q", ErrVersion, b[5:9])
		}
		v = v*10 + int(c-'0')
	}
	if v < 1 || v > maxVersion {
		return fmt.Errorf("%w: can't handle RDB format version %d", ErrVersion, v)
	}
	r.version = v
	return nil
}

// finish verifies the CRC-64 trailer (versions 5 and later) after the EOF
// opcode and returns io.EOF or the mismatch.
func (r *Reader) finish() error {
	r.crc = CRC64(r.crc, r.buf[r.hashed:r.r])
	r.hashed = r.r
	if r.version < 5 {
		return io.EOF
	}
	b, err := r.readN(8)
	if err != nil {
		return err
	}
	r.hashed = r.r // the trailer is not part of the checksum
	stored := binary.LittleEndian.Uint64(b)
	if stored == 0 {
		return io.EOF // saved with rdbchecksum no
	}
	if stored != r.crc {
		return fmt.Errorf("%w: stored %016x, computed %016x", ErrChecksum, stored, r.crc)
	}
	r.checked = true
	return io.EOF
}

// readEntry reads the key and value of a key of type t.
func (r *Reader) readEntry(t byte) (Entry, error) {
	switch t {
	case TypeHashZipmap, TypeModule, TypeModule2, TypeStreamListpacks, TypeStreamListpacks2:
		return Entry{}, fmt.Errorf("%w %d (%s) at offset %d", ErrUnsupportedType, t, TypeName(t), r.offset()-1)
	}
	if _, known := typeNames[t]; !known {
		return Entry{}, r.corrupt("unknown value type %d", t)
	}
	kb, err := r.readBytes()
	if err != nil {
		return Entry{}, err
	}
	r.key = append(r.key[:0], kb...)
	e := Entry{DB: r.db, Type: t, Kind: KindSkipped}
	if t == TypeString {
		// Key and value share one allocation: the caller keeps both anyway.
		v, err := r.readBytes()
		if err != nil {
			return Entry{}, r.withKey(string(r.key), err)
		}
		r.key = append(r.key, v...)
		kv := string(r.key)
		e.Key, e.Value, e.Kind = kv[:len(kb)], kv[len(kb):], KindString
		return e, nil
	}
	e.Key = string(r.key)
	if err := r.readValue(&e); err != nil {
		return Entry{}, r.withKey(e.Key, err)
	}
	return e, nil
}

// readValue reads the value of e.Type into e.
func (r *Reader) readValue(e *Entry) error {
	switch e.Type {
	case TypeHash:
		n, err := r.readLen()
		if err != nil || n == 0 {
			return err // an empty hash is skipped, as Redis does
		}
		// The count alone commits little memory: fields grow as they arrive.
		fields := make([]string, 0, 2*min(n, 512))
		for i := uint64(0); i < n; i++ {
			f, err := r.readString()
			if err != nil {
				return err
			}
			v, err := r.readString()
			if err != nil {
				return err
			}
			fields = append(fields, f, v)
		}
		e.Fields, e.Kind = fields, KindHash
		return nil

	case TypeHashListpack, TypeHashZiplist:
		blob, err := r.readBytes()
		if err != nil {
			return err
		}
		var fields []string
		if e.Type == TypeHashListpack {
			fields, err = appendListpack(nil, blob)
		} else {
			fields, err = appendZiplist(nil, blob)
		}
		if err != nil {
			return r.corrupt("%v", err)
		}
		if len(fields)%2 != 0 {
			return r.corrupt("hash with an odd number of elements (%d)", len(fields))
		}
		if len(fields) > 0 {
			e.Fields, e.Kind = fields, KindHash
		}
		return nil

	case TypeList, TypeSet, TypeListQuicklist:
		n, err := r.readLen()
		if err != nil {
			return err
		}
		for i := uint64(0); i < n; i++ {
			if err := r.skipString(); err != nil {
				return err
			}
		}
		return nil

	case TypeZSet, TypeZSet2:
		n, err := r.readLen()
		if err != nil {
			return err
		}
		for i := uint64(0); i < n; i++ {
			if err := r.skipString(); err != nil {
				return err
			}
			if e.Type == TypeZSet2 {
				_, err = r.readN(8) // binary double
			} else {
				err = r.skipDoubleString()
			}
			if err != nil {
				return err
			}
		}
		return nil

	case TypeListQuicklist2:
		n, err := r.readLen()
		if err != nil {
			return err
		}
		for i := uint64(0); i < n; i++ {
			container, err := r.readLen()
			if err != nil {
				return err
			}
			if container != 1 && container != 2 { // plain or packed
				return r.corrupt("quicklist container %d", container)
			}
			if err := r.skipString(); err != nil {
				return err
			}
		}
		return nil

	case TypeListZiplist, TypeSetIntset, TypeZSetZiplist, TypeZSetListpack:
		return r.skipString()
	}
	return r.corrupt("unknown value type %d", e.Type)
}

// skipDoubleString skips a sorted-set score of the old zset type: one
// length byte (253 NaN, 254 +inf, 255 -inf) then that many ASCII bytes.
func (r *Reader) skipDoubleString() error {
	n, err := r.readByte()
	if err != nil || n >= 253 {
		return err
	}
	return r.skip(uint64(n))
}

// skipModuleAux skips a MODULE_AUX opcode's payload: module id, the "when"
// opcode (always 2) and value, then typed items until opcode 0.
func (r *Reader) skipModuleAux() error {
	if _, err := r.readLen(); err != nil { // module id
		return err
	}
	whenOp, err := r.readLen()
	if err != nil {
		return err
	}
	if whenOp != 2 {
		return r.corrupt("module aux: bad when opcode %d", whenOp)
	}
	if _, err := r.readLen(); err != nil {
		return err
	}
	for {
		op, err := r.readLen()
		if err != nil {
			return err
		}
		switch op {
		case 0: // end
			return nil
		case 1, 2: // signed or unsigned integer
			_, err = r.readLen()
		case 3: // float
			_, err = r.readN(4)
		case 4: // double
			_, err = r.readN(8)
		case 5:
			err = r.skipString()
		default:
			return r.corrupt("module aux: unknown opcode %d", op)
		}
		if err != nil {
			return err
		}
	}
}

// readFunctionPreGA reads a library in the 7.0-rc format (name, engine,
// optional description, code) and records it in the FUNCTION2 form.
func (r *Reader) readFunctionPreGA() error {
	name, err := r.readString()
	if err != nil {
		return err
	}
	engine, err := r.readString()
	if err != nil {
		return err
	}
	hasDesc, err := r.readLen()
	if err != nil {
		return err
	}
	if hasDesc != 0 {
		if err := r.skipString(); err != nil {
			return err
		}
	}
	code, err := r.readString()
	if err != nil {
		return err
	}
	r.functions = append(r.functions, "#!"+engine+" name="+name+"\n"+code)
	return nil
}

// Low-level input.

// offset returns the input offset of the next unread byte.
func (r *Reader) offset() int64 { return r.base + int64(r.r) }

// fill makes at least need (<= bufSize) unread bytes available, moving the
// unread bytes to the front of the window first.
func (r *Reader) fill(need int) error {
	for r.w-r.r < need {
		if r.srcErr != nil {
			if r.srcErr == io.EOF {
				return fmt.Errorf("rdb: truncated at offset %d: %w", r.base+int64(r.w), io.ErrUnexpectedEOF)
			}
			return fmt.Errorf("rdb: read at offset %d: %w", r.base+int64(r.w), r.srcErr)
		}
		if r.r > 0 {
			r.crc = CRC64(r.crc, r.buf[r.hashed:r.r])
			r.w = copy(r.buf, r.buf[r.r:r.w])
			r.base += int64(r.r)
			r.r, r.hashed = 0, 0
		}
		// The window starts small (small files are common: tests, empty
		// syncs) and doubles up to bufSize while reads keep filling it.
		if len(r.buf) < need || (r.full && len(r.buf) < bufSize) {
			grown := make([]byte, max(need, minBufSize, min(2*len(r.buf), bufSize)))
			copy(grown, r.buf[:r.w])
			r.buf = grown
		}
		n, err := r.src.Read(r.buf[r.w:])
		r.full = n == len(r.buf)-r.w
		r.w += n
		if err != nil {
			r.srcErr = err
		}
	}
	return nil
}

// readN consumes n (<= bufSize) bytes and returns them; they are valid
// until the next read.
func (r *Reader) readN(n int) ([]byte, error) {
	if r.w-r.r < n {
		if err := r.fill(n); err != nil {
			return nil, err
		}
	}
	b := r.buf[r.r : r.r+n]
	r.r += n
	return b, nil
}

func (r *Reader) readByte() (byte, error) {
	if r.r == r.w {
		if err := r.fill(1); err != nil {
			return 0, err
		}
	}
	b := r.buf[r.r]
	r.r++
	return b, nil
}

// skip consumes n bytes.
func (r *Reader) skip(n uint64) error {
	for n > 0 {
		if r.r == r.w {
			if err := r.fill(1); err != nil {
				return err
			}
		}
		k := int(min(n, uint64(r.w-r.r)))
		r.r += k
		n -= uint64(k)
	}
	return nil
}

// appendN appends n bytes to dst as they arrive, so that memory follows
// the input rather than the announced length.
func (r *Reader) appendN(dst []byte, n uint64) ([]byte, error) {
	for n > 0 {
		if r.r == r.w {
			if err := r.fill(1); err != nil {
				return dst, err
			}
		}
		k := int(min(n, uint64(r.w-r.r)))
		dst = append(dst, r.buf[r.r:r.r+k]...)
		r.r += k
		n -= uint64(k)
	}
	return dst, nil
}

// Length and string encodings.

// encoding values returned by readLenOrEncoding for the special forms.
const (
	encNone  = -1
	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// readLenOrEncoding reads a length, or the kind of a special string
// encoding (first byte 11xxxxxx):
//
//	00xxxxxx             6-bit length
//	01xxxxxx yyyyyyyy    14-bit length, big-endian
//	0x80 + 4 bytes       32-bit length, big-endian
//	0x81 + 8 bytes       64-bit length, big-endian
//	11xxxxxx             special encoding x: 0 int8, 1 int16, 2 int32, 3 LZF
func (r *Reader) readLenOrEncoding() (n uint64, enc int, err error) {
	b, err := r.readByte()
	if err != nil {
		return 0, encNone, err
	}
	switch b >> 6 {
	case 0:
		return uint64(b & 0x3F), encNone, nil
	case 1:
		b2, err := r.readByte()
		return uint64(b&0x3F)<<8 | uint64(b2), encNone, err
	case 2:
		switch b {
		case 0x80:
			p, err := r.readN(4)
			if err != nil {
				return 0, encNone, err
			}
			return uint64(binary.BigEndian.Uint32(p)), encNone, nil
		case 0x81:
			p, err := r.readN(8)
			if err != nil {
				return 0, encNone, err
			}
			return binary.BigEndian.Uint64(p), encNone, nil
		}
		return 0, encNone, r.corrupt("bad length byte 0x%02x", b)
	}
	return 0, int(b & 0x3F), nil
}

// readLen reads a plain length (a count, a db number).
func (r *Reader) readLen() (uint64, error) {
	n, enc, err := r.readLenOrEncoding()
	if err == nil && enc != encNone {
		err = r.corrupt("string encoding %d where a length was expected", enc)
	}
	return n, err
}

// readBytes reads a string in any encoding and returns its bytes, valid
// until the next read.
func (r *Reader) readBytes() ([]byte, error) {
	n, enc, err := r.readLenOrEncoding()
	if err != nil {
		return nil, err
	}
	switch enc {
	case encNone:
		if n > uint64(r.opts.MaxStringLen) {
			return nil, r.corrupt("string of %d bytes exceeds limit", n)
		}
		if n <= bufSize {
			return r.readN(int(n))
		}
		r.str, err = r.appendN(r.str[:0], n)
		return r.str, err
	case encInt8, encInt16, encInt32:
		p, err := r.readN(1 << enc)
		if err != nil {
			return nil, err
		}
		return strconv.AppendInt(r.num[:0], leInt(p), 10), nil
	case encLZF:
		return r.readLZF()
	}
	return nil, r.corrupt("unknown string encoding %d", enc)
}

// readLZF reads an LZF-compressed string: compressed length, uncompressed
// length, compressed bytes.
func (r *Reader) readLZF() ([]byte, error) {
	clen, err := r.readLen()
	if err != nil {
		return nil, err
	}
	ulen, err := r.readLen()
	if err != nil {
		return nil, err
	}
	limit := uint64(r.opts.MaxStringLen)
	switch {
	case clen > limit || ulen > limit:
		return nil, r.corrupt("LZF string of %d->%d bytes exceeds limit", clen, ulen)
	case ulen == 0:
		return nil, r.corrupt("LZF string with zero length")
	case ulen > clen*lzfMaxRatio:
		return nil, r.corrupt("LZF string cannot expand %d bytes to %d", clen, ulen)
	}
	// Read the compressed bytes first: the output buffer, at most
	// lzfMaxRatio times larger, is allocated only once they have arrived.
	var in []byte
	if clen <= bufSize {
		in, err = r.readN(int(clen))
	} else {
		r.lzfIn, err = r.appendN(r.lzfIn[:0], clen)
		in = r.lzfIn
	}
	if err != nil {
		return nil, err
	}
	if uint64(cap(r.lzfOut)) < ulen {
		r.lzfOut = make([]byte, ulen)
	}
	out := r.lzfOut[:ulen]
	if err := lzfDecompress(out, in); err != nil {
		return nil, r.corrupt("%v", err)
	}
	return out, nil
}

// readString reads a string in any encoding into a new Go string.
func (r *Reader) readString() (string, error) {
	b, err := r.readBytes()
	return string(b), err
}

// skipString consumes a string in any encoding without decoding it.
func (r *Reader) skipString() error {
	n, enc, err := r.readLenOrEncoding()
	if err != nil {
		return err
	}
	switch enc {
	case encNone:
		return r.skip(n)
	case encInt8, encInt16, encInt32:
		return r.skip(1 << enc)
	case encLZF:
		clen, err := r.readLen()
		if err != nil {
			return err
		}
		if _, err := r.readLen(); err != nil {
			return err
		}
		return r.skip(clen)
	}
	return r.corrupt("unknown string encoding %d", enc)
}

// Errors.

func (r *Reader) corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: at offset %d: %s", ErrCorrupt, r.offset(), fmt.Sprintf(format, args...))
}

// keyError adds the key being decoded to an error.
type keyError struct {
	key string
	err error
}

func (e *keyError) Error() string { return fmt.Sprintf("%v (key %q)", e.err, e.key) }
func (e *keyError) Unwrap() error { return e.err }

func (r *Reader) withKey(key string, err error) error {
	if len(key) > 64 {
		key = key[:64] + "..."
	}
	return &keyError{key: key, err: err}
}
