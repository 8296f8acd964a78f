package resp

import (
	"bufio"
	"io"
	"math"
	"slices"
)

// Defaults for [ReaderOptions].
const (
	// DefaultMaxBulkLen is Redis's default proto-max-bulk-len, 512 MiB.
	DefaultMaxBulkLen = 512 << 20
	// DefaultMaxArrayLen is the largest multibulk count Redis 7 accepts (INT_MAX).
	DefaultMaxArrayLen = math.MaxInt32
	// DefaultMaxLineLen is Redis's PROTO_INLINE_MAX_SIZE, 64 KiB: the longest
	// inline request or length header line.
	DefaultMaxLineLen = 64 << 10
	// DefaultMaxDepth bounds how deeply ReadValue follows nested arrays.
	DefaultMaxDepth = 64
)

const (
	// chunkSize is how far a buffer grows ahead of the bytes that have
	// arrived when a bulk string is longer than what is buffered, so that a
	// "$2147483647" header costs no more than the bytes that follow it.
	chunkSize = 64 << 10
	// keepBufCap is the largest scratch buffer kept between commands; a
	// bigger one (left by a huge argument) is dropped.
	keepBufCap = 4 << 20
	// bufioSize is the size of the bufio.Reader NewReader wraps around a
	// plain io.Reader (Redis reads 16 KiB at a time too).
	bufioSize = 16 << 10
)

// ReaderOptions bounds what a Reader accepts. The zero value (or a nil
// pointer) gives Redis's defaults.
type ReaderOptions struct {
	// MaxBulkLen is the longest bulk string accepted; longer ones fail with
	// "invalid bulk length". Zero means DefaultMaxBulkLen (512 MiB). Redis
	// exempts the link from its master from this limit: pass math.MaxInt64
	// for that. Memory is committed only as bytes arrive, never up front.
	MaxBulkLen int64
	// MaxArrayLen is the largest element count of an array or request; larger
	// ones fail with "invalid multibulk length". Zero means
	// DefaultMaxArrayLen. Memory for elements grows as they arrive.
	MaxArrayLen int64
	// MaxLineLen is the longest inline request or header line, not counting
	// its CR LF. Zero means DefaultMaxLineLen (64 KiB).
	MaxLineLen int
	// MaxDepth is the deepest array nesting ReadValue accepts. Zero means
	// DefaultMaxDepth.
	MaxDepth int
}

// RequestKind says in which form a request arrived.
type RequestKind uint8

const (
	// Multibulk is a request sent as an array of bulk strings. "*0\r\n" and
	// "*-1\r\n" are multibulk requests without arguments, which Redis ignores.
	Multibulk RequestKind = iota
	// Inline is a request sent as one text line. A line holding only blanks
	// is an inline request without arguments.
	Inline
	// KeepAlive is an empty line, "\n" or "\r\n". Redis skips it; from a
	// replica it refreshes the replica's last-ACK time, and before a PSYNC
	// reply or an RDB payload it is the master's keep-alive.
	KeepAlive
)

// String returns the kind's name.
func (k RequestKind) String() string {
	switch k {
	case Multibulk:
		return "multibulk"
	case Inline:
		return "inline"
	case KeepAlive:
		return "keepalive"
	}
	return "RequestKind(?)"
}

// Command is one request read by [Reader.ReadCommand].
type Command struct {
	// Args are the request's arguments, command name first. The slices point
	// into the Reader's buffer and are valid only until the next call on the
	// Reader; copy what must outlive it.
	Args [][]byte
	// Kind is the form the request arrived in.
	Kind RequestKind
	// Size is the number of bytes the request occupied on the wire,
	// terminators included: the amount by which a replication offset
	// advances for it.
	Size int64
}

// Reader reads RESP2 values, requests and raw bytes from a stream, and
// counts the bytes it consumes. A Reader is not safe for concurrent use.
type Reader struct {
	br    *bufio.Reader
	ownBR bool // br was made by the Reader, so Reset may reuse it
	opts  ReaderOptions
	n     int64 // bytes consumed from br

	buf  []byte   // argument bytes of the current command
	ends []int    // end offset in buf of each argument
	line []byte   // a line that did not fit in br's buffer
	args [][]byte // argument slice reused by ReadCommandStrings
}

// NewReader returns a Reader of rd. If rd is a *bufio.Reader it is used as
// is (so the caller may keep using it for other reads); otherwise it is
// wrapped in one. opts may be nil.
func NewReader(rd io.Reader, opts *ReaderOptions) *Reader {
	r := &Reader{}
	if opts != nil {
		r.opts = *opts
	}
	if r.opts.MaxBulkLen <= 0 {
		r.opts.MaxBulkLen = DefaultMaxBulkLen
	}
	if r.opts.MaxArrayLen <= 0 {
		r.opts.MaxArrayLen = DefaultMaxArrayLen
	}
	if r.opts.MaxLineLen <= 0 {
		r.opts.MaxLineLen = DefaultMaxLineLen
	}
	if r.opts.MaxDepth <= 0 {
		r.opts.MaxDepth = DefaultMaxDepth
	}
	r.Reset(rd)
	return r
}

// Reset makes r read from rd, with the byte count back at zero; the options
// and buffers are kept.
func (r *Reader) Reset(rd io.Reader) {
	switch br, ok := rd.(*bufio.Reader); {
	case ok:
		r.br, r.ownBR = br, false
	case r.ownBR:
		r.br.Reset(rd) // reuse our own buffer, never a caller's
	default:
		r.br, r.ownBR = bufio.NewReaderSize(rd, bufioSize), true
	}
	r.n = 0
}

// InputOffset returns the number of bytes consumed so far. Bytes buffered
// ahead but not yet returned are not counted.
func (r *Reader) InputOffset() int64 { return r.n }

// Buffered returns the number of bytes that can be read without reading from
// the underlying reader.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Read reads raw bytes, implementing io.Reader, and counts them. Use it (or
// io.ReadFull over it) for data that is not RESP-framed.
func (r *Reader) Read(p []byte) (int, error) {
	n, err := r.br.Read(p)
	r.n += int64(n)
	return n, err
}

// discard consumes n bytes that are known to be buffered.
func (r *Reader) discard(n int) {
	d, _ := r.br.Discard(n)
	r.n += int64(d)
}

// ReadLine reads one line and returns it without its "\n" and without a "\r"
// just before it, as Redis's replica reads handshake replies. An empty line
// is a keep-alive. The result is valid until the next call on r. A line
// longer than MaxLineLen fails with ReasonTooBigLine; a stream that ends
// inside a line fails with io.ErrUnexpectedEOF, and one that ends before it
// with io.EOF.
func (r *Reader) ReadLine() ([]byte, error) {
	line, err := r.readLine(ReasonTooBigLine)
	if err != nil {
		return nil, err
	}
	return trimCR(line), nil
}

func trimCR(line []byte) []byte {
	if n := len(line); n > 0 && line[n-1] == '\r' {
		return line[:n-1]
	}
	return line
}

// readLine returns the next line without its "\n" (a preceding "\r", if
// any, is kept). The content may be at most MaxLineLen bytes besides the
// "\r"; otherwise it fails with tooBig as reason. io.EOF means that the
// stream ended before the line began.
func (r *Reader) readLine(tooBig string) ([]byte, error) {
	limit := r.opts.MaxLineLen
	frag, err := r.br.ReadSlice('\n')
	r.n += int64(len(frag))
	if err == nil {
		line := frag[:len(frag)-1]
		if len(trimCR(line)) > limit {
			return nil, protoErr(tooBig)
		}
		return line, nil
	}
	// Slow path: the line is longer than br's buffer, or the stream ended.
	r.line = append(r.line[:0], frag...)
	for err == bufio.ErrBufferFull {
		if len(r.line) > limit+1 {
			return nil, protoErr(tooBig)
		}
		frag, err = r.br.ReadSlice('\n')
		r.n += int64(len(frag))
		r.line = append(r.line, frag...)
	}
	if err != nil {
		if err == io.EOF {
			if len(r.line) == 0 {
				return nil, io.EOF
			}
			if len(r.line) > limit+1 {
				return nil, protoErr(tooBig)
			}
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line := r.line[:len(r.line)-1]
	if len(trimCR(line)) > limit {
		return nil, protoErr(tooBig)
	}
	return line, nil
}

// headerNumber parses the number of a "<c><number>\r" header line (as
// returned by readLine), whose type byte the caller has checked.
func headerNumber(line []byte) (int64, bool) {
	if len(line) < 2 || line[len(line)-1] != '\r' {
		return 0, false
	}
	return parseInt(line[1 : len(line)-1])
}

// unexpected turns io.EOF inside a frame into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// ReadCommand reads one request: a multibulk array of bulk strings, an
// inline line, or an empty keep-alive line, parsed as Redis 7.0 parses
// client input. The arguments are appended to args[:0] (pass the previous
// Command's Args to read without allocating) and, like the bytes they point
// to, stay valid until the next call on r.
//
// At the end of the stream between requests it returns io.EOF; inside a
// request, io.ErrUnexpectedEOF. Malformed input gives a *ProtocolError
// (errors.Is(err, ErrProtocol)); the stream cannot be resynchronized after it.
// Unlike Redis, the CR LF after bulk data and at the end of header lines is
// checked rather than skipped.
func (r *Reader) ReadCommand(args [][]byte) (Command, error) {
	start := r.n
	args = args[:0]
	if cap(r.buf) > keepBufCap {
		r.buf = nil
	}
	r.buf = r.buf[:0]
	r.ends = r.ends[:0]

	first, err := r.br.Peek(1)
	if err != nil {
		return Command{}, err
	}
	if first[0] != '*' {
		return r.readInline(args, start)
	}

	line, err := r.readLine(ReasonTooBigMultibulkCount)
	if err != nil {
		return Command{}, unexpected(err)
	}
	count, ok := headerNumber(line)
	if !ok || count > r.opts.MaxArrayLen {
		return Command{}, protoErr(ReasonInvalidMultibulkLength)
	}
	// Redis ignores "*0" and any negative count ("*-1").
	for i := int64(0); i < count; i++ {
		line, err := r.readLine(ReasonTooBigBulkCount)
		if err != nil {
			return Command{}, unexpected(err)
		}
		if len(line) == 0 {
			return Command{}, expectedDollar('\n')
		}
		if line[0] != '$' {
			return Command{}, expectedDollar(line[0])
		}
		n, ok := headerNumber(line)
		if !ok || n < 0 || n > r.opts.MaxBulkLen {
			return Command{}, protoErr(ReasonInvalidBulkLength)
		}
		if r.buf, err = r.appendBulk(r.buf, n); err != nil {
			return Command{}, err
		}
		r.ends = append(r.ends, len(r.buf))
	}
	prev := 0
	for _, end := range r.ends {
		args = append(args, r.buf[prev:end:end])
		prev = end
	}
	return Command{Args: args, Kind: Multibulk, Size: r.n - start}, nil
}

// appendBulk appends n bytes of bulk data to dst and consumes the CR LF
// that follows them. dst grows only as bytes arrive, by at most chunkSize
// beyond them.
func (r *Reader) appendBulk(dst []byte, n int64) ([]byte, error) {
	base := len(dst)
	for need := uint64(n) + 2; need > 0; { // uint64: n may be math.MaxInt64
		step := int(min(need, chunkSize))
		dst = slices.Grow(dst, step)
		got, err := io.ReadFull(r.br, dst[len(dst):len(dst)+step])
		r.n += int64(got)
		dst = dst[:len(dst)+got]
		if err != nil {
			return dst, unexpected(err)
		}
		need -= uint64(step)
	}
	end := len(dst) - 2
	if end < base || dst[end] != '\r' || dst[end+1] != '\n' {
		return dst, protoErr(ReasonBulkTerminator)
	}
	return dst[:end], nil
}

// readInline reads an inline request or a keep-alive.
func (r *Reader) readInline(args [][]byte, start int64) (Command, error) {
	line, err := r.readLine(ReasonTooBigInline)
	if err != nil {
		return Command{}, unexpected(err)
	}
	line = trimCR(line)
	if len(line) == 0 {
		return Command{Args: args, Kind: KeepAlive, Size: r.n - start}, nil
	}
	r.buf = append(r.buf, line...)
	args, ok := splitArgs(r.buf, args)
	if !ok {
		return Command{}, protoErr(ReasonUnbalancedQuotes)
	}
	return Command{Args: args, Kind: Inline, Size: r.n - start}, nil
}

// ReadCommandStrings is ReadCommand with the arguments copied into strings,
// which the caller owns. They are appended to dst[:0]; the returned
// Command's Args are those of ReadCommand, valid until the next call.
func (r *Reader) ReadCommandStrings(dst []string) ([]string, Command, error) {
	dst = dst[:0]
	cmd, err := r.ReadCommand(r.args)
	r.args = cmd.Args[:0]
	if err != nil {
		return dst, cmd, err
	}
	for _, a := range cmd.Args {
		dst = append(dst, string(a))
	}
	return dst, cmd, nil
}

// parseInt parses a decimal int64 the way Redis's string2ll does: optional
// '-', no '+', no leading zeros, no "-0", no spaces, at most 20 bytes.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) >= 21 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}
