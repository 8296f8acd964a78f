package rdb_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/emberkv/ember/internal/rdb"
)

func Example() {
	var file bytes.Buffer
	w := rdb.NewWriter(&file, &rdb.WriterOptions{
		ReplID:     "0123456789abcdef0123456789abcdef01234567",
		ReplOffset: 1000,
	})
	_ = w.SelectDB(0, 2, 1)
	_ = w.WriteString("greeting", "hello", 0)
	_ = w.WriteHash("user:1", []string{"name", "ada", "visits", "3"}, 4102444800000)
	if err := w.Close(); err != nil {
		panic(err)
	}

	r := rdb.NewReader(&file, nil)
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		switch e.Kind {
		case rdb.KindString:
			fmt.Printf("db%d %s = %q\n", e.DB, e.Key, e.Value)
		case rdb.KindHash:
			fmt.Printf("db%d %s = %q, expires at %d\n", e.DB, e.Key, e.Fields, e.ExpireAtMs)
		}
	}
	id, _ := r.AuxValue("repl-id")
	offset, _ := r.AuxValue("repl-offset")
	fmt.Println("repl-id", id, "offset", offset, "checksum ok:", r.ChecksumChecked())
	// Output:
	// db0 greeting = "hello"
	// db0 user:1 = ["name" "ada" "visits" "3"], expires at 4102444800000
	// repl-id 0123456789abcdef0123456789abcdef01234567 offset 1000 checksum ok: true
}
