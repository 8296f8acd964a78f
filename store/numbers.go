package store

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// parseInt parses s as Redis's string2ll does: optional '-', no '+', no
// leading zeros, no spaces, within int64.
func parseInt(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	if s == "0" {
		return 0, true
	}
	neg := s[0] == '-'
	d := s
	if neg {
		d = s[1:]
	}
	if len(d) == 0 || d[0] < '1' || d[0] > '9' {
		return 0, false
	}
	var u uint64
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// addInt adds delta to v, failing as Redis does on overflow.
func addInt(v, delta int64) (int64, bool) {
	if (delta < 0 && v < 0 && delta < math.MinInt64-v) ||
		(delta > 0 && v > 0 && delta > math.MaxInt64-v) {
		return 0, false
	}
	return v + delta, true
}

// Redis does float arithmetic in C long double (x87 extended precision: a
// 64-bit mantissa) and prints results with "%.17Lf" stripped of trailing
// zeros, so that 0.1 + 0.2 answers "0.3". The same precision and rounding
// here give the same strings.
const longDoublePrec = 64

// parseLongDouble parses s as Redis's string2ld does (strtold, whole string,
// shorter than 5 KiB, no spaces, no NaN, and not out of long double range:
// an overflow or an underflow to zero is not a number either).
func parseLongDouble(s string) (*big.Float, bool) {
	if len(s) == 0 || len(s) >= 5*1024 || strings.ContainsAny(s, " \t\r\n\v\f_") {
		return nil, false
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	// strtold spells infinity "inf" or "infinity" in any case, and knows the
	// "0x" prefix but not big's "0b" and "0o".
	if strings.EqualFold(body, "inf") || strings.EqualFold(body, "infinity") {
		return new(big.Float).SetPrec(longDoublePrec).SetInf(s[0] == '-'), true
	}
	if len(body) > 1 && body[0] == '0' && strings.IndexByte("bBoO", body[1]) >= 0 {
		return nil, false
	}
	f, _, err := big.ParseFloat(s, 0, longDoublePrec, big.ToNearestEven)
	if err != nil || f.IsInf() {
		return nil, false
	}
	// x87 long double: the largest finite value is below 2^16384 and the
	// smallest subnormal is 2^-16445; anything under half of it is zero.
	if exp := f.MantExp(nil); f.Sign() != 0 && (exp > 16384 || exp < -16445) {
		return nil, false
	}
	return f, true
}

// incrFloat adds incr to the number held in cur (empty for a missing key) and
// returns the result as Redis would store it. notNum is the error for a value
// that is not a number.
func incrFloat(cur string, exists bool, incr float64, notNum error) (string, error) {
	v := new(big.Float).SetPrec(longDoublePrec)
	if exists {
		f, ok := parseLongDouble(cur)
		if !ok {
			return "", notNum
		}
		v = f
	}
	// Redis checks the value before the increment.
	if math.IsNaN(incr) {
		return "", ErrNotFloat
	}
	if math.IsInf(incr, 0) || v.IsInf() {
		return "", ErrNaN
	}
	// The increment as the user would have typed it: its shortest decimal form.
	d, _ := parseLongDouble(strconv.FormatFloat(incr, 'g', -1, 64))
	v.SetPrec(longDoublePrec).Add(v, d)
	if v.IsInf() || v.MantExp(nil) > 16384 {
		return "", ErrNaN
	}
	return formatLongDouble(v), nil
}

// formatLongDouble prints f as Redis's ld2string in LD_STR_HUMAN mode.
func formatLongDouble(f *big.Float) string {
	s := f.Text('f', 17)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}
