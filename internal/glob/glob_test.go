package glob

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// matchCases hold Redis's own answers: the examples of the KEYS documentation,
// the KEYS tests of Redis's tests/unit/keyspace.tcl, and corner cases checked
// against redis-server 7.0 with SET <s> then KEYS <pattern>.
var matchCases = []struct {
	pattern, s string
	want       bool
}{
	// KEYS documentation.
	{"h?llo", "hello", true},
	{"h?llo", "hallo", true},
	{"h?llo", "hxllo", true},
	{"h?llo", "hllo", false},
	{"h*llo", "hllo", true},
	{"h*llo", "heeeello", true},
	{"h*llo", "hello world", false},
	{"h[ae]llo", "hello", true},
	{"h[ae]llo", "hallo", true},
	{"h[ae]llo", "hillo", false},
	{"h[^e]llo", "hallo", true},
	{"h[^e]llo", "hbllo", true},
	{"h[^e]llo", "hello", false},
	{"h[a-b]llo", "hallo", true},
	{"h[a-b]llo", "hbllo", true},
	{"h[a-b]llo", "hcllo", false},

	// keyspace.tcl: KEYS with pattern, KEYS with hashtag.
	{"foo*", "foo_a", true},
	{"foo*", "foo", true},
	{"foo*", "key_x", false},
	{"{a}*", "{a}x", true},
	{"{a}*", "{b}a", false},
	{"*{b}*", "{b}c", true},
	{"*{b}*", "{a}z", false},

	// keyspace.tcl: regression for pattern matching long nested loops.
	{"a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", strings.Repeat("a", 40), false},

	// Stars.
	{"*", "x", true},
	{"**", "x", true},
	{"*", "", false},  // a non-empty pattern never matches ""
	{"**", "", false}, // same
	{"", "", true},
	{"", "a", false},
	{"a*", "a", true},
	{"a**", "a", true},
	{"a*b*c", "abc", true},
	{"a*b*c", "axxbyyc", true},
	{"a*b*c", "axxbyy", false},
	{"*a", "bba", true},
	{"*a", "ab", false},
	{"*?", "a", true},
	{"?*", "ab", true},
	{"?", "", false},
	{"*ab*ab", "abab", true},
	{"*ab*ab", "ababa", false},

	// Escapes.
	{`\*`, "*", true},
	{`\*`, "a", false},
	{`\?`, "?", true},
	{`\?`, "x", false},
	{`a\[b`, "a[b", true},
	{`\\`, `\`, true},
	{`\`, `\`, true}, // a trailing lone backslash is a literal backslash
	{`a\`, `a\`, true},
	{`\a`, "a", true},

	// Sets.
	{"[abc]", "b", true},
	{"[abc]", "d", false},
	{"[^abc]", "d", true},
	{"[^abc]", "a", false},
	{"[a-c]", "b", true},
	{"[c-a]", "b", true}, // reversed range
	{"[c-a]", "d", false},
	{"[a-]", "-", false}, // the unterminated range ']'..'a'
	{"[a-]", "_", true},
	{"[a-]", "b", false},
	{"[-a]", "-", true},
	{"[]", "a", false},     // empty set
	{"[]a]", "]a]", false}, // ']' right after '[' closes the set
	{"[]a]", "a", false},
	{"[^]", "x", true},
	{"[a-]]", "]", true}, // the range ']'..'a'
	{"[a-]]", "b", false},
	{`[\]]`, "]", true},
	{`[\]]`, `\`, false},
	{`[\-a]`, "-", true},
	{`[\-a]`, "b", false},
	{`[a\-z]`, "m", false},
	{`[a-\]`, `\`, true},
	{`[a-\]`, "_", true},
	{`[a-\]`, "b", false},
	{"[*]", "*", true},
	{"[*]", "a", false},
	{"[?]", "?", true},
	{"[?]", "a", false},

	// Unterminated sets run to the end of the pattern.
	{"[", "[", false},
	{"[", "a", false},
	{"[^", "a", true},
	{"[^", "^", true},
	{"[abc", "b", true},
	{"[abc", "d", false},
	{"[a-z", "m", true},
	{"[a-z", "z", true},
	{"[a-", "-", true},
	{`[\`, `\`, true},
	{`[\`, "a", false},
	{"x[", "x", false},
	{"*[", "a", false},

	// Bytes, not runes.
	{"?", "é", false},
	{"??", "é", true},
	{"caf?", "café", false},
	{"caf??", "café", true},
	{"[\x00-\x7f]", "\x00", true},
	{"\x00*", "\x00abc", true},
	{"[\x80-\xff]", "\xc3", true},
	{"[\x80-\xff]", "a", false},
	{"[\x00-\xff]", "a", false}, // signed chars: the range 0xff..0x00
	{"[\x00-\xff]", "\xff", true},
	{"[\x00-\xff]", "\x00", true},
	{"[a-\x80]", "b", false},
	{"[a-\x80]", "\xff", true},
}

func TestMatch(t *testing.T) {
	for _, tc := range matchCases {
		assert.Equal(t, tc.want, Match(tc.pattern, tc.s), "Match(%q, %q)", tc.pattern, tc.s)
		// The reference implementation must agree with Redis too.
		assert.Equal(t, tc.want, refMatch(tc.pattern, tc.s, maxStarRuns), "refMatch(%q, %q)", tc.pattern, tc.s)
	}
}

// TestMatch_StarLimit pins Redis's nesting limit of 1000 '*' runs.
func TestMatch_StarLimit(t *testing.T) {
	long := strings.Repeat("a", 2000)
	tests := []struct {
		name    string
		pattern string
		s       string
		want    bool
	}{
		// keyspace.tcl: regression for pattern matching very long nested loops.
		{"50000 runs", strings.Repeat("*?", 50000), strings.Repeat("a", 50000), false},
		{"1000 runs", strings.Repeat("*a", 1000), long, true},
		{"1001 runs", strings.Repeat("*a", 1001), long, false},
		{"1001 runs ending the pattern", strings.Repeat("a*", 1001), long, true},
		{"1002 runs ending the pattern", strings.Repeat("a*", 1002), long, false},
		{"1001 runs, string ends at the last", strings.Repeat("a*", 1000) + "a*", strings.Repeat("a", 1001), true},
		{"stars in brackets are not runs", strings.Repeat("[*]", 1500), strings.Repeat("*", 1500), true},
		{"escaped stars are not runs", strings.Repeat(`\*`, 1500), strings.Repeat("*", 1500), true},
		{"consecutive stars are one run", strings.Repeat("*", 5000) + "a", "a", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Match(tc.pattern, tc.s))
		})
	}
}

// TestMatch_SmallStarLimit compares the limit logic with the reference using a
// limit small enough for short fuzz-like inputs to reach it.
func TestMatch_SmallStarLimit(t *testing.T) {
	patterns := []string{"*a*b", "a*b*", "*a*b*", "*?*?*?", "?*?*", "**a**b**", "*[*]*", `*\**`, "*a*"}
	strs := []string{"ab", "aab", "abab", "a", "b", "***", "xyz", "a*b"}
	for limit := 0; limit <= 3; limit++ {
		for _, p := range patterns {
			for _, s := range strs {
				assert.Equal(t, refMatch(p, s, limit), matchLimit(p, s, limit), "limit %d, %q vs %q", limit, p, s)
			}
		}
	}
}

func TestLiteralPrefix(t *testing.T) {
	tests := []struct {
		pattern string
		prefix  string
		exact   bool
	}{
		{"", "", true},
		{"news", "news", true},
		{"news.*", "news.", false},
		{"news.?x", "news.", false},
		{"news.[ab]", "news.", false},
		{"*", "", false},
		{"?", "", false},
		{"[", "", false},
		{`a\*b`, "a*b", true},
		{`a\*b*`, "a*b", false},
		{`\\*`, `\`, false},
		{`a\`, `a\`, true},
		{`\`, `\`, true},
		{"a]b-^", "a]b-^", true},
		{`user\.1*`, "user.1", false},
	}
	for _, tc := range tests {
		prefix, exact := LiteralPrefix(tc.pattern)
		assert.Equal(t, tc.prefix, prefix, "LiteralPrefix(%q) prefix", tc.pattern)
		assert.Equal(t, tc.exact, exact, "LiteralPrefix(%q) exact", tc.pattern)
	}
}

// sink keeps results alive so the compiler cannot drop the calls.
var sink bool

func TestMatch_NoAllocs(t *testing.T) {
	long := strings.Repeat("*?", 2000)
	allocs := testing.AllocsPerRun(100, func() {
		for _, tc := range matchCases {
			sink = Match(tc.pattern, tc.s)
		}
		sink = Match(long, "abc")
	})
	assert.Zero(t, allocs)
}

func TestLiteralPrefix_NoAllocsWithoutEscapes(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_, sink = LiteralPrefix("user.1234.*")
		_, sink = LiteralPrefix("user.1234")
	})
	assert.Zero(t, allocs)
}

// checkPrefix verifies LiteralPrefix's promise on one input: a string that
// matches pattern starts with the prefix, and for an exact pattern it equals
// the prefix.
func checkPrefix(t *testing.T, pattern, s string) {
	t.Helper()
	prefix, exact := LiteralPrefix(pattern)
	if exact {
		assert.Equal(t, s == prefix, Match(pattern, s), "exact pattern %q vs %q", pattern, s)
	}
	if Match(pattern, s) {
		assert.True(t, strings.HasPrefix(s, prefix), "%q matches %q but lacks prefix %q", s, pattern, prefix)
	}
}

func FuzzMatch(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.pattern, tc.s)
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 64 || len(s) > 64 {
			t.Skip("the reference is quadratic; short inputs cover the grammar")
		}
		want := refMatch(pattern, s, maxStarRuns)
		if got := Match(pattern, s); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference says %v", pattern, s, got, want)
		}
		// Small limits exercise Redis's nesting cut-off on short inputs.
		for limit := 0; limit <= 2; limit++ {
			if got, want := matchLimit(pattern, s, limit), refMatch(pattern, s, limit); got != want {
				t.Fatalf("limit %d: matchLimit(%q, %q) = %v, reference says %v", limit, pattern, s, got, want)
			}
		}
		checkPrefix(t, pattern, s)
		// Also check the prefix promise against a string built from it.
		prefix, _ := LiteralPrefix(pattern)
		checkPrefix(t, pattern, prefix+s)
	})
}

func BenchmarkMatch(b *testing.B) {
	cases := []struct{ name, pattern, s string }{
		{"literal", "news.sports.football", "news.sports.football"},
		{"prefix-star", "news.*", "news.sports.football"},
		{"set", "news.[a-z]*.foot?all", "news.sports.football"},
		{"many-stars-miss", "a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", strings.Repeat("a", 40)},
		{"star-question-long", strings.Repeat("*?", 500), strings.Repeat("a", 1000)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = Match(c.pattern, c.s)
			}
		})
	}
}
