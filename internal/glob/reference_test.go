package glob

// This file holds a deliberately plain reference for Match: it follows the
// shape of Redis's stringmatchlen (walk pattern and string together, recurse
// on '*' with a depth counter, stop when either side runs out) instead of
// Match's iterative algorithm, and it parses bracket sets its own way. The
// memo keeps it polynomial; it allocates freely.

// refMatch reports whether s matches pattern under Redis's rules, with limit
// as the recursion limit (Redis uses 1000).
func refMatch(pattern, s string, limit int) bool {
	r := ref{p: pattern, s: s, limit: limit, memo: map[[2]int]bool{}}
	return r.walk(0, 0, 0)
}

type ref struct {
	p, s  string
	limit int
	memo  map[[2]int]bool // (pattern index, string index) -> result
}

// walk matches p[pi:] against s[si:] at recursion depth depth. The depth is
// a function of pi (one level per '*' run before pi), so memoizing on
// (pi, si) alone is sound.
func (r *ref) walk(pi, si, depth int) bool {
	if depth > r.limit {
		return false
	}
	key := [2]int{pi, si}
	if v, ok := r.memo[key]; ok {
		return v
	}
	v := r.walkUncached(pi, si, depth)
	r.memo[key] = v
	return v
}

func (r *ref) walkUncached(pi, si, depth int) bool {
	for pi < len(r.p) && si < len(r.s) {
		c := r.s[si]
		switch r.p[pi] {
		case '*':
			for pi+1 < len(r.p) && r.p[pi+1] == '*' {
				pi++
			}
			if pi == len(r.p)-1 {
				return true
			}
			// The star takes 0, 1, 2, ... bytes, leaving at least one.
			for k := si; k < len(r.s); k++ {
				if r.walk(pi+1, k, depth+1) {
					return true
				}
			}
			return false
		case '?':
			pi++
		case '\\':
			if pi+1 < len(r.p) {
				pi++
			}
			if r.p[pi] != c {
				return false
			}
			pi++
		case '[':
			set := parseSet(r.p, pi)
			if !set.has(c) {
				return false
			}
			pi = set.end
		default:
			if r.p[pi] != c {
				return false
			}
			pi++
		}
		si++
		if si == len(r.s) {
			for pi < len(r.p) && r.p[pi] == '*' {
				pi++
			}
			break
		}
	}
	return pi == len(r.p) && si == len(r.s)
}

// refSet is a parsed bracket expression.
type refSet struct {
	negate bool
	single []byte    // bytes listed alone or escaped
	ranges [][2]int8 // inclusive ranges, low first, as signed chars
	end    int       // index of the token after the set
}

func (s refSet) has(c byte) bool {
	in := false
	for _, b := range s.single {
		in = in || b == c
	}
	for _, r := range s.ranges {
		in = in || (r[0] <= int8(c) && int8(c) <= r[1])
	}
	return in != s.negate
}

// parseSet reads the set opening at p[start] == '['. Items are read one at a
// time: an escape pair, a closing ']', a range "x-y", or a single byte. A set
// that never closes swallows the rest of the pattern.
func parseSet(p string, start int) refSet {
	var set refSet
	rest := p[start+1:]
	used := start + 1
	if len(rest) > 0 && rest[0] == '^' {
		set.negate = true
		rest, used = rest[1:], used+1
	}
	for len(rest) > 0 {
		switch {
		case rest[0] == '\\' && len(rest) > 1:
			set.single = append(set.single, rest[1])
			rest, used = rest[2:], used+2
		case rest[0] == ']':
			set.end = used + 1
			return set
		case len(rest) > 2 && rest[1] == '-':
			lo, hi := int8(rest[0]), int8(rest[2])
			if hi < lo {
				lo, hi = hi, lo
			}
			set.ranges = append(set.ranges, [2]int8{lo, hi})
			rest, used = rest[3:], used+3
		default:
			set.single = append(set.single, rest[0])
			rest, used = rest[1:], used+1
		}
	}
	set.end = len(p)
	return set
}
