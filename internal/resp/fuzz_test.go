package resp_test

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"

	"github.com/emberkv/ember/internal/resp"
)

// fuzzSeeds are valid frames (and a few near misses) that seed FuzzReader;
// testdata/fuzz/FuzzReader holds more.
var fuzzSeeds = []string{
	"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n",
	"*1\r\n$4\r\nping\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n",
	"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n",
	"*0\r\n*-1\r\n\r\n\n",
	"PING\r\nSET \"a b\" 'c\\'d' \"\\x41\\n\"\r\n",
	"SYNC\r\n",
	"+OK\r\n-ERR syntax error\r\n:42\r\n$-1\r\n*-1\r\n",
	"*2\r\n*1\r\n:1\r\n$3\r\nhey\r\n",
	"$EOF:0123456789012345678901234567890123456789\r\n",
	"*1\r\n$2147483647\r\nabc",
	"*2147483647\r\n",
}

// FuzzReader feeds each input, split in two reads, through ReadCommand and
// ReadValue. It checks that nothing panics, that memory stays proportional
// to the input whatever the headers announce, that a one-byte-at-a-time
// reader sees exactly the same thing, and that decoded requests and values
// encode back to the bytes they came from (or, for inline requests, to a
// multibulk form that decodes to the same arguments).
func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		budget := uint64(4<<20 + 64*len(data))
		var cmds []string
		if n := heapAllocs(func() { cmds = fuzzCommands(t, halves(data), data) }); n > budget {
			t.Fatalf("ReadCommand allocated %d bytes for %d input bytes", n, len(data))
		}
		if again := fuzzCommands(t, iotest.OneByteReader(bytes.NewReader(data)), data); !equalStrings(cmds, again) {
			t.Fatalf("split reads differ:\n%q\n%q", cmds, again)
		}
		if n := heapAllocs(func() { fuzzValues(t, data) }); n > budget {
			t.Fatalf("ReadValue allocated %d bytes for %d input bytes", n, len(data))
		}
	})
}

// fuzzCommands reads requests until an error and returns a trace of them.
func fuzzCommands(t *testing.T, src io.Reader, data []byte) []string {
	r := resp.NewReader(src, nil)
	var trace []string
	var args [][]byte
	for {
		start := r.InputOffset()
		cmd, err := r.ReadCommand(args)
		if err != nil {
			return append(trace, "error: "+err.Error())
		}
		args = cmd.Args
		if cmd.Size <= 0 || start+cmd.Size != r.InputOffset() || r.InputOffset() > int64(len(data)) {
			t.Fatalf("bad size %d at %d", cmd.Size, start)
		}
		raw := data[start : start+cmd.Size]
		enc := resp.AppendArgs(nil, cmd.Args)
		switch {
		case cmd.Kind == resp.Multibulk && len(cmd.Args) > 0:
			if !bytes.Equal(enc, raw) {
				t.Fatalf("re-encoded %q as %q", raw, enc)
			}
		case cmd.Kind == resp.Inline && len(cmd.Args) > 0:
			back, err := resp.NewReader(bytes.NewReader(enc), nil).ReadCommand(nil)
			if err != nil || !equalArgs(back.Args, cmd.Args) {
				t.Fatalf("inline %q: round trip gave %q, %v", raw, back.Args, err)
			}
		case cmd.Kind == resp.KeepAlive:
			if string(raw) != "\n" && string(raw) != "\r\n" {
				t.Fatalf("keep-alive from %q", raw)
			}
		}
		trace = append(trace, cmd.Kind.String()+" "+string(argsTrace(cmd.Args)))
	}
}

// argsTrace renders arguments for comparing two runs.
func argsTrace(args [][]byte) []byte { return resp.AppendArgs(nil, args) }

// fuzzValues reads values until an error; each must encode back to its bytes.
func fuzzValues(t *testing.T, data []byte) {
	r := resp.NewReader(halves(data), nil)
	for {
		start := r.InputOffset()
		v, err := r.ReadValue()
		if err != nil {
			return
		}
		raw := data[start:r.InputOffset()]
		if enc := resp.AppendValue(nil, v); !bytes.Equal(enc, raw) {
			t.Fatalf("value %q re-encoded as %q", raw, enc)
		}
	}
}

func equalArgs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
