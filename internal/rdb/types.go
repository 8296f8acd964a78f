package rdb

import "strconv"

// Value type bytes, as they precede a key in an RDB file (src/rdb.h).
const (
	TypeString           byte = 0
	TypeList             byte = 1
	TypeSet              byte = 2
	TypeZSet             byte = 3
	TypeHash             byte = 4
	TypeZSet2            byte = 5
	TypeModule           byte = 6
	TypeModule2          byte = 7
	TypeHashZipmap       byte = 9
	TypeListZiplist      byte = 10
	TypeSetIntset        byte = 11
	TypeZSetZiplist      byte = 12
	TypeHashZiplist      byte = 13
	TypeListQuicklist    byte = 14
	TypeStreamListpacks  byte = 15
	TypeHashListpack     byte = 16
	TypeZSetListpack     byte = 17
	TypeListQuicklist2   byte = 18
	TypeStreamListpacks2 byte = 19
)

// Opcodes: bytes in the place of a type byte that are not keys.
const (
	opFunctionPreGA byte = 0xF6 // library from 7.0-rc1/rc2: name, engine, [desc], code
	opFunction2     byte = 0xF5 // library source
	opModuleAux     byte = 0xF7
	opIdle          byte = 0xF8
	opFreq          byte = 0xF9
	opAux           byte = 0xFA
	opResizeDB      byte = 0xFB
	opExpireTimeMs  byte = 0xFC
	opExpireTime    byte = 0xFD
	opSelectDB      byte = 0xFE
	opEOF           byte = 0xFF
)

var typeNames = map[byte]string{
	TypeString:           "string",
	TypeList:             "list",
	TypeSet:              "set",
	TypeZSet:             "zset",
	TypeHash:             "hash",
	TypeZSet2:            "zset2",
	TypeModule:           "module",
	TypeModule2:          "module2",
	TypeHashZipmap:       "hash-zipmap",
	TypeListZiplist:      "list-ziplist",
	TypeSetIntset:        "set-intset",
	TypeZSetZiplist:      "zset-ziplist",
	TypeHashZiplist:      "hash-ziplist",
	TypeListQuicklist:    "list-quicklist",
	TypeStreamListpacks:  "stream",
	TypeHashListpack:     "hash-listpack",
	TypeZSetListpack:     "zset-listpack",
	TypeListQuicklist2:   "list-quicklist2",
	TypeStreamListpacks2: "stream2",
}

// TypeName returns a short name for an RDB value type byte, such as
// "hash-listpack" for 16, or "type 42" for a byte that is not a type.
func TypeName(t byte) string {
	if name, ok := typeNames[t]; ok {
		return name
	}
	return "type " + strconv.Itoa(int(t))
}

// Kind is how an [Entry] is to be used.
type Kind uint8

const (
	// KindString is a string key; the value is in Entry.Value.
	KindString Kind = iota + 1
	// KindHash is a hash key; its fields and values are in Entry.Fields.
	KindHash
	// KindSkipped is a key the Reader did not decode: a list, set or sorted
	// set (any encoding), or an empty hash, which Redis also drops on load.
	// Entry.Type tells which.
	KindSkipped
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindString:
		return "string"
	case KindHash:
		return "hash"
	case KindSkipped:
		return "skipped"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Entry is one key read from an RDB file.
type Entry struct {
	// DB is the database the key belongs to (the last SELECTDB; 0 if none).
	DB int
	// Key is the key's name.
	Key string
	// Kind says which of Value and Fields holds the data.
	Kind Kind
	// Value is a string key's value.
	Value string
	// Fields are a hash key's fields and values, alternating:
	// field1, value1, field2, value2, ... in file order.
	Fields []string
	// ExpireAtMs is the key's absolute expiry in Unix milliseconds, or 0
	// if it has none. It may be in the past: dropping or hiding such keys
	// is the caller's decision (a Redis master drops them on load, a
	// replica keeps them). A stored expiry of exactly 0 ms is reported as
	// -1, equally in the past, so that it is not mistaken for "none"; a
	// stored -1 is Redis's own "no expiry" and is reported as 0.
	ExpireAtMs int64
	// Type is the RDB value type byte, such as TypeHashListpack.
	Type byte
}

// AuxField is a name/value pair from an AUX opcode: metadata such as
// "redis-ver", "repl-id" or "repl-offset".
type AuxField struct {
	Key, Value string
}
