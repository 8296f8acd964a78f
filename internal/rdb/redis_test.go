package rdb_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/rdb"
	"github.com/emberkv/ember/internal/resp"
	"github.com/emberkv/ember/internal/resp/resptest"
)

// client is a minimal pipelining RESP client for the tests.
type client struct {
	t    testing.TB
	conn net.Conn
	r    *resp.Reader
	out  []byte
	n    int
}

func newClient(t testing.TB, s *resptest.Server) *client {
	c := s.Dial(t)
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	return &client{t: t, conn: c, r: resp.NewReader(c, nil)}
}

// send queues a command; flush writes the queue and returns the replies.
func (c *client) send(args ...string) { c.out = resp.AppendCommand(c.out, args...); c.n++ }

func (c *client) flush() []resp.Value {
	c.t.Helper()
	_, err := c.conn.Write(c.out)
	require.NoError(c.t, err)
	c.out = c.out[:0]
	replies := make([]resp.Value, 0, c.n)
	for ; c.n > 0; c.n-- {
		v, err := c.r.ReadValue()
		require.NoError(c.t, err)
		replies = append(replies, v)
	}
	return replies
}

func (c *client) do(args ...string) resp.Value {
	c.t.Helper()
	c.send(args...)
	v := c.flush()[0]
	require.NotEqual(c.t, resp.Error, v.Type, "%q: %s", args, v.Str)
	return v
}

// futureDataset is randomDataset with every expiry in the future, since a
// master drops expired keys when it loads a file.
func futureDataset(seed uint64, n int) (map[string]model, []string) {
	m, order := randomDataset(rand.New(rand.NewPCG(seed, seed)), n)
	for k, e := range m {
		if e.expire != 0 {
			e.expire = 4102444800000 + e.expire%1_000_000_000
			m[k] = e
		}
	}
	return m, order
}

// TestRedis_LoadsWriterOutput writes an RDB with the Writer, checks it with
// redis-check-rdb, starts redis-server on it and reads every key back.
func TestRedis_LoadsWriterOutput(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH")
	}
	for _, version := range []int{10, 9} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			dir := t.TempDir()
			m, order := futureDataset(uint64(version), 400)
			f, err := os.Create(filepath.Join(dir, "x.rdb"))
			require.NoError(t, err)
			w := rdb.NewWriter(f, &rdb.WriterOptions{Version: version})
			writeDataset(t, w, m, order)
			require.NoError(t, w.Close())
			require.NoError(t, f.Close())

			if check, err := exec.LookPath("redis-check-rdb"); err == nil {
				out, err := exec.Command(check, filepath.Join(dir, "x.rdb")).CombinedOutput()
				require.NoError(t, err, "%s", out)
				assert.Contains(t, string(out), "RDB looks OK")
				assert.Contains(t, string(out), fmt.Sprintf("[info] %d keys read", len(m)))
				assert.Contains(t, string(out), "Checksum OK")
			}

			s := resptest.StartRedis(t, dir, "--dbfilename", "x.rdb")
			c := newClient(t, s)
			sizes := map[int]int64{}
			for _, e := range m {
				sizes[e.db]++
			}
			for db := range 3 {
				c.do("SELECT", strconv.Itoa(db))
				assert.Equal(t, sizes[db], c.do("DBSIZE").Int, "db %d", db)
				var keys []string
				for _, k := range order {
					e := m[k]
					if e.db != db {
						continue
					}
					keys = append(keys, k)
					if e.hash {
						c.send("HGETALL", k)
					} else {
						c.send("GET", k)
					}
					c.send("PEXPIRETIME", k)
				}
				replies := c.flush()
				for i, k := range keys {
					e, v, ttl := m[k], replies[2*i], replies[2*i+1]
					if e.hash {
						got := map[string]string{}
						for j := 0; j+1 < len(v.Elems); j += 2 {
							got[string(v.Elems[j].Str)] = string(v.Elems[j+1].Str)
						}
						assert.Equal(t, pairs(e.fields), got, "%q", k)
					} else {
						assert.Equal(t, e.value, string(v.Str), "%q", k)
					}
					want := e.expire
					if want == 0 {
						want = -1
					}
					assert.Equal(t, want, ttl.Int, "%q", k)
				}
			}
		})
	}
}

// TestRedis_ReaderReadsSave fills a real redis-server with every kind of
// key, has it SAVE, and decodes its dump with the Reader.
func TestRedis_ReaderReadsSave(t *testing.T) {
	s := resptest.StartRedis(t, "")
	c := newClient(t, s)

	m, order := futureDataset(99, 600)
	for _, k := range order {
		e := m[k]
		c.send("SELECT", strconv.Itoa(e.db))
		if e.hash {
			c.send(append([]string{"HSET", k}, e.fields...)...)
		} else {
			c.send("SET", k, e.value)
		}
		if e.expire != 0 {
			c.send("PEXPIREAT", k, strconv.FormatInt(e.expire, 10))
		}
	}
	// Compressible values (LZF) and a big listpack hash.
	c.send("SELECT", "0")
	c.send("SET", "lzf", strings.Repeat("abcdefgh", 500))
	m["lzf"] = model{value: strings.Repeat("abcdefgh", 500)}
	var fields []string
	for i := range 300 {
		fields = append(fields, fmt.Sprintf("f%d", i), strconv.Itoa(i*1000-150000))
	}
	c.send(append([]string{"HSET", "lp"}, fields...)...)
	m["lp"] = model{hash: true, fields: fields}
	// Types the Reader skips.
	c.send("RPUSH", "list", "a", "b", "1")
	c.send("SADD", "iset", "1", "2")
	c.send("SADD", "sset", "x", "y")
	c.send("ZADD", "zset", "1", "one", "2.5", "two")
	c.send("FUNCTION", "LOAD", "#!lua name=emberlib\nredis.register_function('ember_f', function() return 1 end)")
	for _, v := range c.flush() {
		require.NotEqual(t, resp.Error, v.Type, "%s", v.Str)
	}
	c.do("SAVE")

	data, err := os.ReadFile(filepath.Join(s.Dir, "dump.rdb"))
	require.NoError(t, err)
	entries, r, err := decodeAll(data)
	require.NoError(t, err)
	assert.True(t, r.ChecksumChecked())
	assert.Equal(t, []string{"#!lua name=emberlib\nredis.register_function('ember_f', function() return 1 end)"}, r.Functions())

	var skippedKeys []string
	seen := 0
	for _, e := range entries {
		if e.Kind == rdb.KindSkipped {
			skippedKeys = append(skippedKeys, e.Key+"/"+rdb.TypeName(e.Type))
			continue
		}
		want, ok := m[e.Key]
		if !assert.True(t, ok, "%q", e.Key) {
			continue
		}
		seen++
		assert.Equal(t, want.db, e.DB, e.Key)
		assert.Equal(t, want.expire, e.ExpireAtMs, e.Key)
		if want.hash {
			assert.Equal(t, rdb.KindHash, e.Kind, e.Key)
			if e.Type == rdb.TypeHashListpack {
				assert.Equal(t, want.fields, e.Fields, "a listpack keeps insertion order: %q", e.Key)
			} else {
				assert.Equal(t, pairs(want.fields), pairs(e.Fields), e.Key)
			}
		} else {
			assert.Equal(t, want.value, e.Value, e.Key)
		}
	}
	assert.Equal(t, len(m), seen)
	sort.Strings(skippedKeys)
	assert.Equal(t, []string{"iset/set-intset", "list/list-quicklist2", "sset/set", "zset/zset-listpack"}, skippedKeys)
	assert.True(t, bytes.Contains(data, []byte{0xC3}), "some string was LZF-compressed")
}

// TestRedis_ReplicationPayload attaches to a real redis-server as a replica
// and decodes its full-sync payload, in both the disk ("$<len>") and the
// diskless ("$EOF:<mark>") form, straight from the link: resp.Payload feeds
// the Reader, and the command stream is read after it from the same
// connection.
func TestRedis_ReplicationPayload(t *testing.T) {
	for _, diskless := range []string{"no", "yes"} {
		t.Run("diskless="+diskless, func(t *testing.T) {
			s := resptest.StartRedis(t, "", "--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0")
			c := newClient(t, s)
			c.do("SET", "s", "v")
			c.do("HSET", "h", "f", "1")
			c.do("PEXPIREAT", "h", "4102444800000")
			c.do("SELECT", "5")
			c.do("SET", "n", "12345")

			link := newClient(t, s)
			link.send("REPLCONF", "capa", "eof", "capa", "psync2")
			require.Equal(t, "OK", string(link.flush()[0].Str))
			link.send("PSYNC", "?", "-1")
			_, err := link.conn.Write(link.out)
			require.NoError(t, err)
			link.out, link.n = link.out[:0], 0

			var replid string
			var header []byte
			for header == nil {
				line, err := link.r.ReadLine()
				require.NoError(t, err)
				switch {
				case len(line) == 0: // keep-alive
				case bytes.HasPrefix(line, []byte("+FULLRESYNC ")):
					replid = strings.Fields(string(line))[1]
				default:
					header = bytes.Clone(line)
				}
			}
			require.Len(t, replid, 40)
			p, err := link.r.Payload(header)
			require.NoError(t, err)
			if diskless == "yes" {
				assert.Equal(t, int64(-1), p.Len())
			} else {
				assert.Positive(t, p.Len())
			}

			r := rdb.NewReader(p, nil)
			got := map[string]rdb.Entry{}
			for {
				e, err := r.Next()
				if err == io.EOF {
					break
				}
				require.NoError(t, err)
				got[e.Key] = e
			}
			assert.True(t, r.ChecksumChecked())
			assert.Equal(t, "v", got["s"].Value)
			assert.Equal(t, []string{"f", "1"}, got["h"].Fields)
			assert.Equal(t, int64(4102444800000), got["h"].ExpireAtMs)
			assert.Equal(t, 5, got["n"].DB)
			assert.Equal(t, "12345", got["n"].Value)
			id, _ := r.AuxValue("repl-id")
			assert.Equal(t, replid, id)
			_, ok := r.AuxValue("repl-offset")
			assert.True(t, ok)
			// The payload reader stopped exactly at the end of the RDB.
			n, err := io.Copy(io.Discard, p)
			assert.NoError(t, err)
			assert.Zero(t, n)

			// After an EOF-marked payload Redis streams only once we ACK, and
			// it ignores an ACK that arrives before it has put us online: ACK
			// every 100 ms, as a replica does every second.
			stop := make(chan struct{})
			acked := make(chan struct{})
			go func() {
				defer close(acked)
				ack := resp.AppendCommand(nil, "REPLCONF", "ACK", "0")
				for {
					if _, err := link.conn.Write(ack); err != nil {
						return
					}
					select {
					case <-stop:
						return
					case <-time.After(100 * time.Millisecond):
					}
				}
			}()
			defer func() { close(stop); <-acked }()
			c.do("SET", "after", "sync")
			for {
				cmd, err := link.r.ReadCommand(nil)
				require.NoError(t, err)
				if len(cmd.Args) > 0 && string(cmd.Args[0]) == "SET" {
					assert.Equal(t, "after", string(cmd.Args[1]))
					break
				}
			}
		})
	}
}
