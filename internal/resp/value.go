package resp

import "bytes"

// Type is the type of a RESP2 value, named by its first byte on the wire.
type Type byte

// The RESP2 types.
const (
	SimpleString Type = '+'
	Error        Type = '-'
	Integer      Type = ':'
	BulkString   Type = '$'
	Array        Type = '*'
)

// String returns the type's name.
func (t Type) String() string {
	switch t {
	case SimpleString:
		return "simple string"
	case Error:
		return "error"
	case Integer:
		return "integer"
	case BulkString:
		return "bulk string"
	case Array:
		return "array"
	}
	return "Type(" + string(rune(t)) + ")"
}

// Value is one RESP2 value as read by [Reader.ReadValue]. It owns its
// memory.
type Value struct {
	// Type is the value's type.
	Type Type
	// Str is the text of a simple string or error (without the leading
	// '+' or '-') or the contents of a bulk string.
	Str []byte
	// Int is the value of an integer.
	Int int64
	// Elems are the elements of an array.
	Elems []Value
	// Null marks the null bulk string "$-1" and the null array "*-1".
	Null bool
}

// Equal reports whether v and w are the same value. A null bulk string
// differs from an empty one, and a null array from an empty array.
func (v Value) Equal(w Value) bool {
	if v.Type != w.Type || v.Null != w.Null || v.Int != w.Int ||
		!bytes.Equal(v.Str, w.Str) || len(v.Elems) != len(w.Elems) {
		return false
	}
	for i := range v.Elems {
		if !v.Elems[i].Equal(w.Elems[i]) {
			return false
		}
	}
	return true
}

// ReadValue reads one complete RESP2 value, such as a reply from a Redis
// server. Lines must end in CR LF, numbers must be in Redis's strict form,
// and arrays may nest up to MaxDepth levels. At the end of the stream
// between values it returns io.EOF; inside one, io.ErrUnexpectedEOF.
func (r *Reader) ReadValue() (Value, error) {
	line, err := r.readLine(ReasonTooBigLine)
	if err != nil {
		return Value{}, err
	}
	return r.readValue(line, 0)
}

// readValue parses the value whose first line (without "\n") is line.
func (r *Reader) readValue(line []byte, depth int) (Value, error) {
	if len(line) == 0 {
		return Value{}, unknownType('\n')
	}
	t := Type(line[0])
	switch t {
	case SimpleString, Error, Integer, BulkString, Array:
	default:
		return Value{}, unknownType(line[0])
	}
	if line[len(line)-1] != '\r' || len(line) < 2 {
		return Value{}, protoErr(ReasonLineTerminator)
	}
	body := line[1 : len(line)-1]
	switch t {
	case SimpleString, Error:
		if bytes.IndexByte(body, '\r') >= 0 {
			return Value{}, protoErr(ReasonInvalidSimple)
		}
		return Value{Type: t, Str: bytes.Clone(body)}, nil
	case Integer:
		v, ok := parseInt(body)
		if !ok {
			return Value{}, protoErr(ReasonInvalidInteger)
		}
		return Value{Type: Integer, Int: v}, nil
	case BulkString:
		n, ok := parseInt(body)
		if !ok || n < -1 || n > r.opts.MaxBulkLen {
			return Value{}, protoErr(ReasonInvalidBulkLength)
		}
		if n == -1 {
			return Value{Type: BulkString, Null: true}, nil
		}
		var dst []byte
		if n+2 <= chunkSize {
			dst = make([]byte, 0, n+2)
		}
		dst, err := r.appendBulk(dst, n)
		if err != nil {
			return Value{}, err
		}
		return Value{Type: BulkString, Str: dst}, nil
	}
	// Array.
	n, ok := parseInt(body)
	if !ok || n < -1 || n > r.opts.MaxArrayLen {
		return Value{}, protoErr(ReasonInvalidMultibulkLength)
	}
	if n == -1 {
		return Value{Type: Array, Null: true}, nil
	}
	if depth >= r.opts.MaxDepth {
		return Value{}, protoErr(ReasonTooDeep)
	}
	// Elements are appended as they arrive: the count alone commits no memory.
	elems := make([]Value, 0, min(n, 16))
	for i := int64(0); i < n; i++ {
		line, err := r.readLine(ReasonTooBigLine)
		if err != nil {
			return Value{}, unexpected(err)
		}
		e, err := r.readValue(line, depth+1)
		if err != nil {
			return Value{}, err
		}
		elems = append(elems, e)
	}
	return Value{Type: Array, Elems: elems}, nil
}

// AppendValue appends v in its wire form. Simple strings and errors have
// CR and LF replaced by spaces so that the framing stays intact.
func AppendValue(dst []byte, v Value) []byte {
	switch v.Type {
	case SimpleString:
		return appendLine(dst, '+', v.Str)
	case Error:
		return appendLine(dst, '-', v.Str)
	case Integer:
		return AppendInt(dst, v.Int)
	case BulkString:
		if v.Null {
			return AppendNullBulk(dst)
		}
		return AppendBulk(dst, v.Str)
	case Array:
		if v.Null {
			return AppendNullArray(dst)
		}
		dst = AppendArrayLen(dst, len(v.Elems))
		for _, e := range v.Elems {
			dst = AppendValue(dst, e)
		}
		return dst
	}
	return dst
}
