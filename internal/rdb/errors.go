package rdb

import "errors"

// Errors returned by Reader. The returned errors wrap these with the byte
// offset and, where known, the key; test them with errors.Is.
var (
	// ErrCorrupt reports data that cannot be a valid RDB file: a bad length
	// encoding, an unknown opcode, a listpack or ziplist that fails its
	// integrity checks, a bad LZF stream, a string above the size limit.
	ErrCorrupt = errors.New("rdb: corrupt file")
	// ErrChecksum reports a nonzero stored CRC-64 that differs from the one
	// computed over the file.
	ErrChecksum = errors.New("rdb: checksum mismatch")
	// ErrVersion reports a bad magic string or an RDB version outside 1..10
	// (Redis 7.0 reads up to 10; 7.2 writes 11).
	ErrVersion = errors.New("rdb: unsupported format version")
	// ErrUnsupportedType reports a key of a type whose layout the Reader
	// cannot skip safely: streams, module values, zipmap hashes.
	ErrUnsupportedType = errors.New("rdb: unsupported value type")
	// ErrClosed is returned by Writer methods called after Close.
	ErrClosed = errors.New("rdb: writer closed")
)
