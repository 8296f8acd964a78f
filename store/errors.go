package store

import "errors"

// Errors returned by the store's commands. They carry Redis's own error text,
// so that anything speaking RESP can pass them through unchanged; test for
// them with errors.Is. A missing key is never an error: single results report
// it with an ok flag, several results with [Value.OK].
var (
	// ErrWrongType is returned when a command meets a key holding the other
	// kind of value (a hash command on a string, or the reverse).
	ErrWrongType = errors.New("WRONGTYPE Operation against a key holding the wrong kind of value")

	// ErrNotInteger is returned by the INCR family when the value is not a
	// 64-bit integer in Redis's strict decimal form, and for out-of-range
	// arguments.
	ErrNotInteger = errors.New("ERR value is not an integer or out of range")

	// ErrOverflow is returned when an increment would leave the int64 range.
	ErrOverflow = errors.New("ERR increment or decrement would overflow")

	// ErrNotFloat is returned by IncrByFloat when the value is not a number.
	ErrNotFloat = errors.New("ERR value is not a valid float")

	// ErrHashNotInteger is returned by HIncrBy when the field is not an integer.
	ErrHashNotInteger = errors.New("ERR hash value is not an integer")

	// ErrHashNotFloat is returned by HIncrByFloat when the field is not a number.
	ErrHashNotFloat = errors.New("ERR hash value is not a float")

	// ErrNaN is returned when a float increment would produce NaN or an infinity.
	ErrNaN = errors.New("ERR increment would produce NaN or Infinity")

	// ErrNoSuchKey is returned by Rename and RenameNX when the source is missing.
	ErrNoSuchKey = errors.New("ERR no such key")

	// ErrArity is matched by the error of a command called with no keys,
	// fields or pairs where Redis needs at least one, or with an odd list of
	// pairs: "ERR wrong number of arguments for 'del' command".
	ErrArity = errors.New("ERR wrong number of arguments")

	// ErrSyntax is returned for options that cannot be combined, such as NX
	// with XX in SetArgs, or a COUNT below 1 in Scan.
	ErrSyntax = errors.New("ERR syntax error")

	// ErrInvalidExpire is returned for a TTL or deadline that is not positive
	// or overflows; the error text names the command, as Redis's does.
	ErrInvalidExpire = errors.New("ERR invalid expire time")

	// ErrExpireNXAndOther is returned when Expire's NX is combined with XX, GT or LT.
	ErrExpireNXAndOther = errors.New("ERR NX and XX, GT or LT options at the same time are not compatible")

	// ErrExpireGTAndLT is returned when Expire's GT and LT are combined.
	ErrExpireGTAndLT = errors.New("ERR GT and LT options at the same time are not compatible")

	// ErrOffsetRange is returned by SetRange for a negative offset.
	ErrOffsetRange = errors.New("ERR offset is out of range")

	// ErrValueRange is returned for a count whose result could not be held,
	// as HRandField with a huge negative count.
	ErrValueRange = errors.New("ERR value is out of range")

	// ErrTooLarge is returned when a string would exceed Redis's 512 MiB limit.
	ErrTooLarge = errors.New("ERR string exceeds maximum allowed size (proto-max-bulk-len)")

	// ErrReadOnly is returned by every write to a read-only store, such as a
	// follower's.
	//lint:ignore ST1005 Redis's own error text, which ends with a period.
	ErrReadOnly = errors.New("READONLY You can't write against a read only replica.")

	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("store: closed")

	// ErrKeyNotLocked is returned inside Update for a key that was not
	// declared when Update was called.
	ErrKeyNotLocked = errors.New("store: key not declared in Update")

	// ErrDiscarded is the result of every queued command of a Pipeline whose
	// Exec was never called or failed before running it.
	//lint:ignore ST1005 Redis's own error text, which ends with a period.
	ErrDiscarded = errors.New("EXECABORT Transaction discarded because of previous errors.")

	// ErrFeedTruncated is returned by a feed read at a position the feed no
	// longer holds: the reader fell further behind than the backlog.
	ErrFeedTruncated = errors.New("store: feed position no longer in backlog")
)

var (
	errNotReplica = errors.New("store: Load needs a store in replica mode")
	errOddFields  = errors.New("store: a hash entry needs field, value pairs")
)

// cmdError is an error whose text names the command it came from, as Redis's
// do ("ERR invalid expire time in 'set' command"), and that matches a sentinel
// with errors.Is.
type cmdError struct {
	msg      string
	sentinel error
}

func (e *cmdError) Error() string { return e.msg }
func (e *cmdError) Unwrap() error { return e.sentinel }

func arityError(cmd string) error {
	return &cmdError{"ERR wrong number of arguments for '" + cmd + "' command", ErrArity}
}

// Errors naming the command whose expire time is invalid; built once.
var (
	errExpireSet      = &cmdError{"ERR invalid expire time in 'set' command", ErrInvalidExpire}
	errExpireGetEx    = &cmdError{"ERR invalid expire time in 'getex' command", ErrInvalidExpire}
	errExpireExpire   = &cmdError{"ERR invalid expire time in 'expire' command", ErrInvalidExpire}
	errExpirePExpire  = &cmdError{"ERR invalid expire time in 'pexpire' command", ErrInvalidExpire}
	errExpireExpireAt = &cmdError{"ERR invalid expire time in 'expireat' command", ErrInvalidExpire}
	errExpirePExpAt   = &cmdError{"ERR invalid expire time in 'pexpireat' command", ErrInvalidExpire}
)
