package rdb

import "errors"

// LZF limits. A back reference is at most 3 input bytes for 264 output
// bytes, so no valid input expands by more than lzfMaxRatio.
const (
	lzfMaxLiteral = 32
	lzfMaxRatio   = 88
)

var (
	errLZFTruncated = errors.New("lzf: truncated input")
	errLZFOverflow  = errors.New("lzf: output longer than announced")
	errLZFBackRef   = errors.New("lzf: back reference before start of output")
	errLZFShort     = errors.New("lzf: output shorter than announced")
)

// lzfDecompress decompresses src into dst, which must be exactly as long as
// the uncompressed data. The format is a sequence of runs, each starting
// with a control byte c:
//
//	c < 32:   a literal run of the next c+1 input bytes
//	c >= 32:  a back reference: length L = c>>5 (if L == 7, plus the next
//	          byte), then one more byte lo; copy L+2 bytes from
//	          out_pos - ((c&31)<<8) - lo - 1, byte by byte, so the source
//	          may overlap the bytes being written (repeating a pattern)
func lzfDecompress(dst, src []byte) error {
	ip, op := 0, 0
	for ip < len(src) {
		c := int(src[ip])
		ip++
		if c < lzfMaxLiteral {
			n := c + 1
			if ip+n > len(src) {
				return errLZFTruncated
			}
			if op+n > len(dst) {
				return errLZFOverflow
			}
			copy(dst[op:], src[ip:ip+n])
			ip += n
			op += n
			continue
		}
		n := c >> 5
		if n == 7 {
			if ip >= len(src) {
				return errLZFTruncated
			}
			n += int(src[ip])
			ip++
		}
		if ip >= len(src) {
			return errLZFTruncated
		}
		ref := op - (c&0x1f)<<8 - int(src[ip]) - 1
		ip++
		n += 2
		if op+n > len(dst) {
			return errLZFOverflow
		}
		if ref < 0 {
			return errLZFBackRef
		}
		if ref+n <= op {
			copy(dst[op:op+n], dst[ref:ref+n])
		} else {
			for i := range n {
				dst[op+i] = dst[ref+i]
			}
		}
		op += n
	}
	if op != len(dst) {
		return errLZFShort
	}
	return nil
}
