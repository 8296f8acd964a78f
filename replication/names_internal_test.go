package replication

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCommandName(t *testing.T) {
	for in, want := range map[string]string{
		"SET": "SET", "set": "SET", "sEt": "SET", // the fast path
		"hset": "HSET", "PExpireAt": "PEXPIREAT", "multi": "MULTI", // interned
		"sex": "SEX", "se": "SE", "sets": "SETS", "s\x05t": "S\x05T", // not SET
		"frobnicate": "FROBNICATE",
	} {
		assert.Equal(t, want, commandName([]byte(in)), "commandName(%q)", in)
	}
}
