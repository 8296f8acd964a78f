package resp

import "strconv"

// AppendArrayLen appends the header of a RESP array of n elements: "*<n>\r\n".
func AppendArrayLen(dst []byte, n int) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

// AppendBulkString appends s as a RESP bulk string: "$<len>\r\n<s>\r\n".
func AppendBulkString(dst []byte, s string) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(s)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, s...)
	return append(dst, '\r', '\n')
}

// AppendBulk appends b as a RESP bulk string: "$<len>\r\n<b>\r\n".
func AppendBulk(dst []byte, b []byte) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// AppendCommand appends args as a RESP array of bulk strings, the form of every
// request and of every command in the replication stream.
func AppendCommand(dst []byte, args ...string) []byte {
	dst = AppendArrayLen(dst, len(args))
	for _, a := range args {
		dst = AppendBulkString(dst, a)
	}
	return dst
}

// AppendSimpleString appends s as a RESP simple string: "+<s>\r\n". CR and LF
// in s, which the type cannot carry, are replaced by spaces.
func AppendSimpleString(dst []byte, s string) []byte {
	return appendLine(dst, '+', s)
}

// AppendError appends an error reply: "-<msg>\r\n". msg starts with the error
// code, as in "ERR syntax error" or "WRONGTYPE Operation against a key holding
// the wrong kind of value"; like Redis, CR and LF in msg are replaced by
// spaces.
func AppendError(dst []byte, msg string) []byte {
	return appendLine(dst, '-', msg)
}

// appendLine appends c, s with CR and LF turned into spaces, and CR LF.
func appendLine[S ~string | ~[]byte](dst []byte, c byte, s S) []byte {
	dst = append(dst, c)
	start := len(dst)
	dst = append(dst, s...)
	for i := start; i < len(dst); i++ {
		if dst[i] == '\r' || dst[i] == '\n' {
			dst[i] = ' '
		}
	}
	return append(dst, '\r', '\n')
}

// AppendInt appends n as a RESP integer: ":<n>\r\n".
func AppendInt(dst []byte, n int64) []byte {
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// AppendNullBulk appends the RESP2 null bulk string "$-1\r\n", the reply to a
// GET of a missing key.
func AppendNullBulk(dst []byte) []byte {
	return append(dst, "$-1\r\n"...)
}

// AppendNullArray appends the RESP2 null array "*-1\r\n".
func AppendNullArray(dst []byte) []byte {
	return append(dst, "*-1\r\n"...)
}

// AppendBulkLen appends only the header of a bulk string, "$<n>\r\n". Followed
// by n bytes and "\r\n" it makes a bulk string; followed by n bytes alone it
// is the disk form of an RDB payload on the replication link.
func AppendBulkLen(dst []byte, n int64) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, '\r', '\n')
}

// AppendArgs appends args as a RESP array of bulk strings, like
// AppendCommand but from byte slices.
func AppendArgs(dst []byte, args [][]byte) []byte {
	dst = AppendArrayLen(dst, len(args))
	for _, a := range args {
		dst = AppendBulk(dst, a)
	}
	return dst
}
