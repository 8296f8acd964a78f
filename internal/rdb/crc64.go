package rdb

import (
	"encoding/binary"
	"sync"
)

// crcPoly is the CRC-64/Jones polynomial in reflected (LSB-first) form; the
// normal form is 0xad93d23594c935a9. Redis uses it with reflected input and
// output, initial value 0 and no final XOR, which hash/crc64 cannot express
// (it complements the CRC before and after), hence this table.
const crcPoly = 0x95ac9329ac4bc9b5

var (
	crcOnce   sync.Once
	crcTables *[8][256]uint64
)

// makeCRCTables builds the tables for slicing-by-8: t[0] is the classic
// byte-at-a-time table, and t[k][b] is the CRC of byte b followed by k zero
// bytes, so eight input bytes can be folded in with eight lookups.
func makeCRCTables() {
	t := new([8][256]uint64)
	for i := range 256 {
		c := uint64(i)
		for range 8 {
			if c&1 == 1 {
				c = c>>1 ^ crcPoly
			} else {
				c >>= 1
			}
		}
		t[0][i] = c
	}
	for i := range 256 {
		c := t[0][i]
		for k := 1; k < 8; k++ {
			c = t[0][c&0xff] ^ c>>8
			t[k][i] = c
		}
	}
	crcTables = t
}

// CRC64 returns the CRC-64/Jones checksum of p continued from crc (start
// with 0): the checksum Redis stores at the end of an RDB file.
func CRC64(crc uint64, p []byte) uint64 {
	crcOnce.Do(makeCRCTables)
	t := crcTables
	for len(p) >= 8 {
		crc ^= binary.LittleEndian.Uint64(p)
		crc = t[7][crc&0xff] ^ t[6][crc>>8&0xff] ^ t[5][crc>>16&0xff] ^ t[4][crc>>24&0xff] ^
			t[3][crc>>32&0xff] ^ t[2][crc>>40&0xff] ^ t[1][crc>>48&0xff] ^ t[0][crc>>56]
		p = p[8:]
	}
	for _, b := range p {
		crc = t[0][byte(crc)^b] ^ crc>>8
	}
	return crc
}
