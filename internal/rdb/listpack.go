package rdb

import (
	"encoding/binary"
	"errors"
	"strconv"
)

var (
	errListpackHeader = errors.New("listpack: bad header")
	errListpackEntry  = errors.New("listpack: bad entry encoding")
	errListpackBounds = errors.New("listpack: entry past the end")
	errListpackBack   = errors.New("listpack: back length does not match entry")
	errListpackEnd    = errors.New("listpack: end marker before the end")
	errListpackCount  = errors.New("listpack: element count does not match header")
)

// listpackUnknownCount in the header means "count the elements by scanning".
const listpackUnknownCount = 65535

// appendListpack validates the listpack lp and appends its elements to dst,
// integers rendered in decimal. Layout:
//
//	<total bytes uint32 LE> <count uint16 LE> <entry>* 0xFF
//	entry = <encoding and data> <backlen: the size of encoding+data,
//	        1 to 5 bytes, readable from right to left>
//
// It checks what Redis's lpValidateIntegrity checks: the total size, the end
// marker, that every entry and its backlen stay inside, that each backlen
// matches its entry, and the count.
func appendListpack(dst []string, lp []byte) ([]string, error) {
	if len(lp) < 7 || binary.LittleEndian.Uint32(lp) != uint32(len(lp)) || lp[len(lp)-1] != 0xFF {
		return dst, errListpackHeader
	}
	header := int(binary.LittleEndian.Uint16(lp[4:]))
	last := len(lp) - 1 // index of the end marker
	p, count := 6, 0
	for lp[p] != 0xFF {
		b := lp[p]
		var size int // encoding + data
		var elem string
		switch {
		case b&0x80 == 0: // 7-bit unsigned integer
			size = 1
			elem = strconv.Itoa(int(b))
		case b&0xC0 == 0x80: // string up to 63 bytes
			size = 1 + int(b&0x3F)
			if p+size > last {
				return dst, errListpackBounds
			}
			elem = string(lp[p+1 : p+size])
		case b&0xE0 == 0xC0: // 13-bit signed integer
			if p+2 > last {
				return dst, errListpackBounds
			}
			size = 2
			v := int(b&0x1F)<<8 | int(lp[p+1])
			if v >= 1<<12 {
				v -= 1 << 13
			}
			elem = strconv.Itoa(v)
		case b&0xF0 == 0xE0: // string up to 4095 bytes
			if p+2 > last {
				return dst, errListpackBounds
			}
			size = 2 + (int(b&0x0F)<<8 | int(lp[p+1]))
			if p+size > last {
				return dst, errListpackBounds
			}
			elem = string(lp[p+2 : p+size])
		case b == 0xF0: // string with a 32-bit length
			if p+5 > last {
				return dst, errListpackBounds
			}
			n := uint64(binary.LittleEndian.Uint32(lp[p+1:]))
			if uint64(p)+5+n > uint64(last) {
				return dst, errListpackBounds
			}
			size = 5 + int(n)
			elem = string(lp[p+5 : p+size])
		case b >= 0xF1 && b <= 0xF4: // 16, 24, 32 or 64-bit signed integer
			width := [...]int{2, 3, 4, 8}[b-0xF1]
			size = 1 + width
			if p+size > last {
				return dst, errListpackBounds
			}
			elem = strconv.FormatInt(leInt(lp[p+1:p+size]), 10)
		default: // 0xF5..0xFE
			return dst, errListpackEntry
		}
		bl := backlenSize(size)
		if p+size+bl > last {
			return dst, errListpackBounds
		}
		if decodeBacklen(lp[p+size:p+size+bl]) != uint64(size) {
			return dst, errListpackBack
		}
		p += size + bl
		dst = append(dst, elem)
		count++
	}
	if p != last {
		return dst, errListpackEnd
	}
	if header != listpackUnknownCount && header != count {
		return dst, errListpackCount
	}
	return dst, nil
}

// backlenSize is the number of bytes a listpack backlen takes for an entry
// of size n.
func backlenSize(n int) int {
	switch {
	case n <= 127:
		return 1
	case n < 16383:
		return 2
	case n < 2097151:
		return 3
	case n < 268435455:
		return 4
	}
	return 5
}

// decodeBacklen reads a backlen from right to left: the last byte holds
// the lowest 7 bits, and a set high bit means another byte to the left.
// It returns an impossible value if the bytes do not form one backlen of
// exactly len(b) bytes.
func decodeBacklen(b []byte) uint64 {
	var v uint64
	shift := 0
	for i := len(b) - 1; i >= 0; i-- {
		v |= uint64(b[i]&0x7F) << shift
		more := b[i]&0x80 != 0
		if more != (i > 0) {
			return 1<<64 - 1
		}
		shift += 7
	}
	return v
}

// leInt decodes a little-endian two's complement integer of 1 to 8 bytes.
func leInt(b []byte) int64 {
	var u uint64
	for i := len(b) - 1; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	shift := 64 - 8*len(b)
	return int64(u<<shift) >> shift
}
