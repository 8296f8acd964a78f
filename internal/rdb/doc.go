// Package rdb reads and writes RDB, the snapshot format of Redis, as Redis
// 7.0 writes it (version 10) and reads it (versions 1 to 10).
//
// # Format
//
//	+-------+---------+-------------------------------------------------+
//	| REDIS | 0010    | magic and 4-digit version, 9 bytes              |
//	+-------+---------+-------------------------------------------------+
//	| 0xFA  | name    value             AUX field (redis-ver, repl-id..)|
//	| 0xF5  | code                      FUNCTION2 library             |
//	| 0xF7  | module id, when, items    MODULE_AUX (skipped)          |
//	+-------+---------------------------------------------------------+
//	| 0xFE  | db                        SELECTDB                      |
//	| 0xFB  | keys  expires             RESIZEDB (a sizing hint)      |
//	|   per key:                                                      |
//	| [0xFC | 8-byte LE ms]             EXPIRETIME_MS (or 0xFD: 4-byte |
//	|                                   LE seconds), for the next key |
//	| [0xF8 | idle] [0xF9 | freq]       LRU / LFU hints               |
//	| type  | key   value               type byte: 0 string, 4 hash,  |
//	|                                   16 hash listpack, 13 hash     |
//	|                                   ziplist, ... (see Type*)      |
//	+-------+---------------------------------------------------------+
//	| 0xFF  | 8-byte LE CRC-64/Jones of every byte before it (0 = not |
//	|       | computed; absent before version 5)                      |
//	+-------+---------------------------------------------------------+
//
// Lengths use a variable encoding chosen by the top bits of the first byte:
//
//	00xxxxxx                 6-bit length
//	01xxxxxx yyyyyyyy        14-bit length, big-endian
//	10000000 + 4 bytes       32-bit length, big-endian
//	10000001 + 8 bytes       64-bit length, big-endian
//	11xxxxxx                 a string in a special encoding x:
//	                         0, 1, 2: an 8, 16 or 32-bit little-endian integer
//	                         (the string is its decimal form); 3: LZF, followed
//	                         by compressed length, plain length, compressed bytes
//
// A string is a length and its bytes, or a special encoding. A hash of type
// 4 is a count and that many field/value string pairs; types 16 and 13 are
// one string holding a listpack or a ziplist of alternating fields and
// values. Any string, including those blobs, may be LZF-compressed.
//
// # Reading and writing
//
// [Reader] streams keys one at a time with [Reader.Next], decoding strings
// and hashes and skipping (but reporting) lists, sets and sorted sets. Every
// length is checked against a limit before use, and buffers grow only as
// bytes arrive, so a corrupt or hostile length cannot make it allocate much
// more than its input; a corrupt file is an error, never a panic.
//
// [Writer] writes strings and hashes (type 0 and 4, with Redis's integer
// encoding of numeric strings), in a form stock redis-server and
// redis-check-rdb accept. It writes no LZF and no listpacks: both are
// optional for a reader.
//
// Neither Readers nor Writers are safe for concurrent use.
package rdb
