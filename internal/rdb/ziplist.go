package rdb

import (
	"encoding/binary"
	"errors"
	"strconv"
)

var (
	errZiplistHeader  = errors.New("ziplist: bad header")
	errZiplistEntry   = errors.New("ziplist: bad entry encoding")
	errZiplistBounds  = errors.New("ziplist: entry past the end")
	errZiplistPrevlen = errors.New("ziplist: previous-entry length does not match")
	errZiplistTail    = errors.New("ziplist: tail offset does not point at the last entry")
	errZiplistCount   = errors.New("ziplist: element count does not match header")
)

// appendZiplist validates the ziplist zl (what Redis <= 6.2 stores for small
// hashes, lists and sorted sets) and appends its elements to dst, integers
// rendered in decimal. Layout:
//
//	<zlbytes uint32 LE> <zltail uint32 LE> <zllen uint16 LE> <entry>* 0xFF
//	entry = <prevlen: 1 byte < 254, or 0xFE + uint32 LE> <encoding> [data]
//
// It checks what Redis's deep ziplistValidateIntegrity checks.
func appendZiplist(dst []string, zl []byte) ([]string, error) {
	const headerSize = 10
	if len(zl) < headerSize+1 || binary.LittleEndian.Uint32(zl) != uint32(len(zl)) || zl[len(zl)-1] != 0xFF {
		return dst, errZiplistHeader
	}
	last := len(zl) - 1 // index of the end marker
	tail := uint64(binary.LittleEndian.Uint32(zl[4:]))
	if tail > uint64(last) {
		return dst, errZiplistHeader
	}
	header := int(binary.LittleEndian.Uint16(zl[8:]))
	p, prevSize, prevStart, count := headerSize, 0, -1, 0
	for zl[p] != 0xFF {
		start := p
		prevlen := int(zl[p])
		p++
		if prevlen == 0xFE {
			if p+4 > last {
				return dst, errZiplistBounds
			}
			prevlen = int(binary.LittleEndian.Uint32(zl[p:]))
			p += 4
		}
		if prevlen != prevSize {
			return dst, errZiplistPrevlen
		}
		if p >= last {
			return dst, errZiplistBounds
		}
		b := zl[p]
		var elem string
		switch {
		case b>>6 == 0, b>>6 == 1, b>>6 == 2: // strings
			var n uint64
			switch b >> 6 {
			case 0:
				n = uint64(b & 0x3F)
				p++
			case 1:
				if p+2 > last {
					return dst, errZiplistBounds
				}
				n = uint64(b&0x3F)<<8 | uint64(zl[p+1])
				p += 2
			default:
				if p+5 > last {
					return dst, errZiplistBounds
				}
				n = uint64(binary.BigEndian.Uint32(zl[p+1:]))
				p += 5
			}
			if uint64(p)+n > uint64(last) {
				return dst, errZiplistBounds
			}
			elem = string(zl[p : p+int(n)])
			p += int(n)
		case b >= 0xF1 && b <= 0xFD: // immediate 0..12
			elem = strconv.Itoa(int(b&0x0F) - 1)
			p++
		default:
			var width int
			switch b {
			case 0xC0:
				width = 2
			case 0xD0:
				width = 4
			case 0xE0:
				width = 8
			case 0xF0:
				width = 3
			case 0xFE:
				width = 1
			default:
				return dst, errZiplistEntry
			}
			if p+1+width > last {
				return dst, errZiplistBounds
			}
			elem = strconv.FormatInt(leInt(zl[p+1:p+1+width]), 10)
			p += 1 + width
		}
		dst = append(dst, elem)
		prevSize, prevStart = p-start, start
		count++
	}
	if p != last {
		return dst, errZiplistBounds
	}
	if prevStart >= 0 && uint64(prevStart) != tail {
		return dst, errZiplistTail
	}
	if header != 65535 && header != count {
		return dst, errZiplistCount
	}
	return dst, nil
}
