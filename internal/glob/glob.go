// Package glob matches strings against Redis glob-style patterns, exactly as
// Redis's stringmatchlen does (case-sensitive). The store uses it for KEYS and
// SCAN MATCH, the pub/sub broker for PSUBSCRIBE and PUBSUB CHANNELS.
//
// # Syntax
//
//	token    matches
//	*        any run of bytes, including none
//	?        exactly one byte
//	[abc]    one byte among a, b and c
//	[^abc]   one byte that is none of a, b and c
//	[a-z]    one byte in the range a..z; a reversed range [z-a] means the same
//	\x       the byte x itself, outside and inside brackets
//
// Everything else is a literal byte. Matching is by bytes, not runes.
//
// # Redis's corner cases, kept on purpose
//
//   - A non-empty pattern never matches the empty string, not even "*".
//     Redis's KEYS and SCAN treat a lone "*" as "everything" before matching;
//     callers that implement those commands must do the same.
//   - An unterminated bracket runs to the end of the pattern: "[abc" is the
//     set {a, b, c}, "[" matches nothing and "[^" matches any byte.
//   - "[]" is an empty set (matches nothing), "[^]" matches any byte, and a
//     ']' right after '[' closes the set.
//   - Inside brackets, "x-y" is a range whenever three bytes remain, even
//     when y is the closing ']': "[a-]" is the unterminated set of the
//     range ']'..'a', while "[-a]" is the set {-, a}.
//   - A trailing lone backslash matches a backslash.
//   - Redis bounds its recursion to 1000 nested '*' groups: a pattern with
//     more than 1000 separate runs of '*' never matches anything (1001 runs
//     still match when the last run ends the pattern). Match reproduces that
//     answer without recursing.
//   - Range bounds compare as signed bytes (0x80..0xff sort before 0x00),
//     as Redis does on x86-64, where C's char is signed: "[\x00-\xff]" is
//     the range 0xff..0x00 and matches only those two bytes. Redis built
//     for arm64, where char is unsigned, answers differently for ranges
//     with one bound below 0x80 and the other at or above it.
//
// Match runs in O(len(pattern) × len(s)) time in the worst case and
// O(len(pattern) + len(s)) in the common one, never exponential, and it
// allocates nothing.
package glob

import "strings"

// maxStarRuns is Redis's nesting limit: stringmatchlen gives up (no match)
// when it would recurse past 1000 levels, one level per run of '*'.
const maxStarRuns = 1000

// Match reports whether s matches the Redis glob pattern.
func Match(pattern, s string) bool {
	return matchLimit(pattern, s, maxStarRuns)
}

// matchLimit is Match with the star-run limit as a parameter, so tests can
// exercise the limit with short patterns.
func matchLimit(pattern, s string, limit int) bool {
	if len(s) == 0 {
		// Redis only looks at the pattern while both sides have bytes left,
		// so an empty string matches only an empty pattern.
		return len(pattern) == 0
	}
	if overLimit(pattern, limit) {
		return false
	}
	return match(pattern, s)
}

// match is the classic two-cursor wildcard matcher: it remembers only the
// most recent '*' and, on a mismatch, lets that star swallow one more byte.
// Earlier stars never need revisiting, which keeps the work polynomial.
func match(pattern, s string) bool {
	p, i := 0, 0
	starP, starI := -1, 0 // pattern index just after the last star run, and where it resumed in s
	for i < len(s) {
		if p < len(pattern) {
			ok, next := false, p+1
			switch pc := pattern[p]; pc {
			case '*':
				for p < len(pattern) && pattern[p] == '*' {
					p++
				}
				if p == len(pattern) {
					return true
				}
				starP, starI = p, i
				continue
			case '?', '[', '\\':
				ok, next = matchOne(pattern, p, s[i])
			default:
				ok = pc == s[i]
			}
			if ok {
				p = next
				i++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starI++
		p, i = starP, starI
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// matchOne matches the single-byte token that starts at pattern[p] (anything
// but '*') against c. It returns whether c matches and where the next token
// starts.
func matchOne(pattern string, p int, c byte) (bool, int) {
	switch pattern[p] {
	case '?':
		return true, p + 1
	case '\\':
		if p+1 < len(pattern) {
			return pattern[p+1] == c, p + 2
		}
		return c == '\\', p + 1
	case '[':
		return matchSet(pattern, p, c)
	default:
		return pattern[p] == c, p + 1
	}
}

// matchSet matches c against the bracket expression that starts at
// pattern[p] == '['. It returns whether c matches and where the next token
// starts (just past the closing ']', or the end of an unterminated set).
func matchSet(pattern string, p int, c byte) (bool, int) {
	q := p + 1
	negate := q < len(pattern) && pattern[q] == '^'
	if negate {
		q++
	}
	found := false
	for {
		if q >= len(pattern) {
			// Unterminated: the set ends with the pattern.
			break
		}
		b := pattern[q]
		switch {
		case b == '\\' && len(pattern)-q >= 2:
			q++
			if pattern[q] == c {
				found = true
			}
		case b == ']':
			return found != negate, q + 1
		case len(pattern)-q >= 3 && pattern[q+1] == '-':
			// Redis compares C chars, signed on x86-64: see the package doc.
			lo, hi, sc := int8(b), int8(pattern[q+2]), int8(c)
			if lo > hi {
				lo, hi = hi, lo
			}
			if lo <= sc && sc <= hi {
				found = true
			}
			q += 2
		default:
			if b == c {
				found = true
			}
		}
		q++
	}
	return found != negate, len(pattern)
}

// overLimit reports whether pattern holds enough runs of '*' that Redis's
// recursion limit makes it unmatchable: more than limit runs, unless exactly
// limit+1 runs and the last one ends the pattern (Redis answers "match" for a
// final '*' without recursing).
func overLimit(pattern string, limit int) bool {
	if strings.Count(pattern, "*") <= limit {
		return false // cheap common case: not enough '*' bytes at all
	}
	runs, endsWithStar := 0, false
	for p := 0; p < len(pattern); {
		if pattern[p] == '*' {
			for p < len(pattern) && pattern[p] == '*' {
				p++
			}
			runs++
			endsWithStar = p == len(pattern)
			continue
		}
		// Any byte will do: only where the token ends matters here.
		_, p = matchOne(pattern, p, 0)
	}
	return runs > limit+1 || (runs == limit+1 && !endsWithStar)
}

// LiteralPrefix returns the longest prefix that every string matching pattern
// starts with, as the literal bytes before the first '*', '?' or '[', with
// backslash escapes resolved. exact is true when the whole pattern is literal,
// that is when pattern matches prefix and nothing else.
//
// The prefix shares memory with pattern when it holds no escapes; otherwise
// it is a new string.
func LiteralPrefix(pattern string) (prefix string, exact bool) {
	end := 0 // pattern[:end] is the literal part
	escapes := 0
	for end < len(pattern) {
		switch pattern[end] {
		case '*', '?', '[':
			return unescape(pattern[:end], escapes), false
		case '\\':
			if end+1 < len(pattern) {
				escapes++
				end += 2
				continue
			}
		}
		end++
	}
	return unescape(pattern, escapes), true
}

// unescape resolves the backslash escapes of a literal pattern part, where
// escapes counts the backslashes that escape something.
func unescape(lit string, escapes int) string {
	if escapes == 0 {
		return lit
	}
	buf := make([]byte, 0, len(lit)-escapes)
	for i := 0; i < len(lit); i++ {
		if lit[i] == '\\' && i+1 < len(lit) {
			i++
		}
		buf = append(buf, lit[i])
	}
	return string(buf)
}
