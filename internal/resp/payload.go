package resp

import (
	"bytes"
	"io"
)

// EOFMarkLen is the length of the mark that delimits a diskless RDB payload
// ("$EOF:<mark>\r\n" ... "<mark>").
const EOFMarkLen = 40

// Payload reads the body of an RDB transfer on the replication link, in
// either of the forms a Redis master uses:
//
//	$<len>\r\n<len bytes>                  disk form: exactly len bytes, no CR LF after
//	$EOF:<40-byte mark>\r\n<bytes><mark>   diskless form: ends where the mark appears
//
// It stops exactly at the end of the payload, so the command stream that
// follows can be read from the same Reader. Get one with [Reader.Payload].
type Payload struct {
	r    *Reader
	size int64 // announced size, or -1 for the EOF-mark form
	left int64 // bytes still to read in the sized form

	mark    []byte
	done    bool
	pend    []byte // payload bytes found but not yet returned
	win     []byte // scratch: held-back tail plus newly buffered bytes
	tail    []byte // up to EOFMarkLen-1 bytes that may begin the mark
	tailArr [EOFMarkLen]byte
}

// Payload parses header, the "$<len>" or "$EOF:<mark>" line that precedes an
// RDB payload (as returned by ReadLine, so without its CR LF), and returns a
// reader of the payload's bytes. As Redis does, a mark longer than 40 bytes is
// cut to its first 40. The caller skips keep-alive empty lines before the
// header, and handles "-ERR ..." replies, itself.
func (r *Reader) Payload(header []byte) (*Payload, error) {
	if len(header) < 2 || header[0] != '$' {
		return nil, protoErr(ReasonInvalidPayload)
	}
	if rest, ok := bytes.CutPrefix(header[1:], []byte("EOF:")); ok {
		if len(rest) < EOFMarkLen {
			return nil, protoErr(ReasonInvalidPayload)
		}
		p := &Payload{r: r, size: -1, mark: bytes.Clone(rest[:EOFMarkLen])}
		p.tail = p.tailArr[:0]
		return p, nil
	}
	n, ok := parseInt(header[1:])
	if !ok || n < 0 {
		return nil, protoErr(ReasonInvalidPayload)
	}
	return &Payload{r: r, size: n, left: n}, nil
}

// Len returns the announced length of a disk-form payload, or -1 for the
// EOF-mark form.
func (p *Payload) Len() int64 { return p.size }

// Mark returns the 40-byte end mark of the diskless form, or nil.
func (p *Payload) Mark() []byte { return p.mark }

// Read reads payload bytes. It returns io.EOF after the last one, and
// io.ErrUnexpectedEOF if the stream ends before the payload does.
func (p *Payload) Read(b []byte) (int, error) {
	if p.mark == nil {
		if p.left == 0 {
			return 0, io.EOF
		}
		if int64(len(b)) > p.left {
			b = b[:p.left]
		}
		n, err := p.r.Read(b)
		p.left -= int64(n)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return n, err
	}
	for len(p.pend) == 0 {
		if p.done {
			return 0, io.EOF
		}
		if err := p.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(b, p.pend)
	p.pend = p.pend[n:]
	return n, nil
}

// fill takes the bytes buffered in the Reader and moves those that cannot
// belong to the mark into pend. It consumes nothing past the mark.
func (p *Payload) fill() error {
	br := p.r.br
	if _, err := br.Peek(1); err != nil {
		return unexpected(err)
	}
	data, _ := br.Peek(br.Buffered())
	p.win = append(append(p.win[:0], p.tail...), data...)
	if i := bytes.Index(p.win, p.mark); i >= 0 {
		p.r.discard(i + len(p.mark) - len(p.tail))
		p.pend = p.win[:i]
		p.tail = p.tail[:0]
		p.done = true
		return nil
	}
	keep := min(len(p.win), len(p.mark)-1)
	p.pend = p.win[:len(p.win)-keep]
	p.tail = append(p.tailArr[:0], p.win[len(p.win)-keep:]...)
	p.r.discard(len(data))
	return nil
}
