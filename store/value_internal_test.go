package store

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestValueEncodings checks that every string value gives back its bytes and
// deadline, on both sides of the limits of the packed (flagTimed) form.
func TestValueEncodings(t *testing.T) {
	long := strings.Repeat("x", timedLenMask+1)
	for _, c := range []struct {
		name  string
		s     string
		at    int64
		flags uint64
	}{
		{"plain", "hello", 0, 0},
		{"empty", "", 0, 0},
		{"timed", "hello", 1_800_000_000_000, flagTimed},
		{"timed empty", "", 1, flagTimed},
		{"longest timed", long[1:], timedAtMask, flagTimed},
		{"too long", long, 1_800_000_000_000, flagBoxed},
		{"too late", "hello", timedAtMask + 1, flagBoxed},
		{"negative deadline", "hello", -5, flagBoxed},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := newString(c.s, c.at)
			assert.Equal(t, c.flags, v.n&(flagTimed|flagBoxed|flagHash))
			assert.Equal(t, c.s, v.str())
			assert.Equal(t, c.at, v.deadline())
			assert.False(t, v.isHash())
			assert.Equal(t, "string", v.typeName())
		})
	}
}
