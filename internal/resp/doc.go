// Package resp reads and writes RESP2, the Redis serialization protocol used on
// the replication link and in the store's mutation feed.
//
// # Wire format
//
// Every line ends in CR LF. The first byte of a value names its type:
//
//	+OK\r\n                          simple string (no CR or LF inside)
//	-ERR syntax error\r\n            error; the first word is the error code
//	:1000\r\n                        signed 64-bit integer
//	$3\r\nhey\r\n                    bulk string: $<len>\r\n <len bytes> \r\n
//	$-1\r\n                          null bulk string
//	*2\r\n$4\r\nECHO\r\n$3\r\nhey\r\n  array: *<count>\r\n then count values
//	*-1\r\n                          null array
//
// A request (and every command of the replication stream) is an array of bulk
// strings, the multibulk form. A request whose first byte is not '*' is an
// inline command: one line split into arguments like a shell line, as Redis's
// sdssplitargs does:
//
//	SET "a b" 'c'\r\n     ->  ["SET", "a b", "c"]
//	\r\n                  ->  an empty line: a keep-alive, not a command
//
// Lengths and counts are decimal numbers in Redis's strict form (no sign but
// '-', no leading zeros). Redis's limits apply and are configurable in
// [ReaderOptions]: 64 KiB for a line, 512 MiB for a bulk string.
//
// During a full sync the replication link carries an RDB payload framed as
// "$<len>\r\n" followed by exactly len bytes (no trailing CR LF), or as
// "$EOF:<40-byte mark>\r\n" followed by the bytes and the same mark; see
// [Reader.Payload].
//
// # Errors
//
// Malformed input yields an error for which errors.Is(err, [ErrProtocol])
// holds; errors.As with a *[ProtocolError] gives Redis's reason text (for
// example "invalid bulk length"), which a server can send back as
// "-ERR Protocol error: <reason>". After a protocol error the stream is out
// of step and the connection should be closed, as Redis does.
//
// # Concurrency
//
// A Reader is not safe for concurrent use. The Append functions are pure.
package resp
