package store_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/store"
)

// model is the reference the store is compared with: the obvious map-based
// implementation of the same commands, with deadlines checked on every read.
type model struct {
	m map[string]*mentry
}

type mentry struct {
	str  string
	hash map[string]string // nil for strings
	at   int64
}

func now() int64 { return time.Now().UnixMilli() }

func (m *model) live(k string) *mentry {
	e := m.m[k]
	if e != nil && e.at != 0 && e.at <= now() {
		delete(m.m, k)
		return nil
	}
	return e
}

func (m *model) strOf(k string) (*mentry, error) {
	e := m.live(k)
	if e != nil && e.hash != nil {
		return nil, store.ErrWrongType
	}
	return e, nil
}

func (m *model) hashOf(k string) (*mentry, error) {
	e := m.live(k)
	if e != nil && e.hash == nil {
		return nil, store.ErrWrongType
	}
	return e, nil
}

// result is what one operation answered, rendered to compare.
func result(vals ...any) string { return fmt.Sprint(vals...) }

type op struct {
	name  string
	model func(m *model) string
	store func(s *store.Store) string
}

func randomOp(r *rand.Rand) op {
	key := "k" + strconv.Itoa(r.IntN(8))
	key2 := "k" + strconv.Itoa(r.IntN(8))
	field := "f" + strconv.Itoa(r.IntN(4))
	val := strconv.Itoa(r.IntN(5) - 1)
	if r.IntN(4) == 0 {
		val = "x" + val
	}
	ms := int64(r.IntN(3000) + 1)
	switch r.IntN(17) {
	case 0:
		return op{"SET " + key + " " + val,
			func(m *model) string { m.m[key] = &mentry{str: val}; return result("OK", nil) },
			func(s *store.Store) string { return result("OK", s.Set(key, val)) }}
	case 1:
		nx, xx, get, keep := r.IntN(3) == 0, r.IntN(3) == 0, r.IntN(2) == 0, r.IntN(3) == 0
		px := int64(0)
		if !keep && r.IntN(2) == 0 {
			px = ms
		}
		a := store.SetArgs{NX: nx, XX: xx, Get: get, PX: px, KeepTTL: keep}
		return op{fmt.Sprintf("SETARGS %s %s %+v", key, val, a),
			func(m *model) string {
				if nx && xx {
					return result("", false, store.ErrSyntax)
				}
				e := m.live(key)
				var prev string
				if get && e != nil {
					if e.hash != nil {
						return result("", false, store.ErrWrongType)
					}
					prev = e.str
				}
				if (nx && e != nil) || (xx && e == nil) {
					if get {
						return result(prev, e != nil, nil)
					}
					return result("", false, nil)
				}
				ne := &mentry{str: val}
				if px != 0 {
					ne.at = now() + px
				} else if keep && e != nil {
					ne.at = e.at
				}
				m.m[key] = ne
				if get {
					return result(prev, e != nil, nil)
				}
				return result("", true, nil)
			},
			func(s *store.Store) string { p, ok, err := s.SetArgs(key, val, a); return result(p, ok, err) }}
	case 2:
		return op{"GET " + key,
			func(m *model) string {
				e, err := m.strOf(key)
				if err != nil || e == nil {
					return result("", false, err)
				}
				return result(e.str, true, nil)
			},
			func(s *store.Store) string { v, ok, err := s.Get(key); return result(v, ok, err) }}
	case 3:
		return op{"DEL " + key + " " + key2,
			func(m *model) string {
				n := 0
				for _, k := range []string{key, key2} {
					if m.live(k) != nil {
						delete(m.m, k)
						n++
					}
				}
				return result(int64(n), nil)
			},
			func(s *store.Store) string { n, err := s.Del(key, key2); return result(n, err) }}
	case 4:
		d := int64(r.IntN(7) - 3)
		return op{fmt.Sprintf("INCRBY %s %d", key, d),
			func(m *model) string {
				e, err := m.strOf(key)
				if err != nil {
					return result(int64(0), err)
				}
				if e == nil {
					e = &mentry{str: "0"}
					m.m[key] = e
				}
				n, perr := strconv.ParseInt(e.str, 10, 64)
				if perr != nil || strconv.FormatInt(n, 10) != e.str {
					return result(int64(0), store.ErrNotInteger)
				}
				e.str = strconv.FormatInt(n+d, 10)
				return result(n+d, nil)
			},
			func(s *store.Store) string { n, err := s.IncrBy(key, d); return result(n, err) }}
	case 5:
		return op{"APPEND " + key + " " + val,
			func(m *model) string {
				e, err := m.strOf(key)
				if err != nil {
					return result(int64(0), err)
				}
				if e == nil {
					e = &mentry{}
					m.m[key] = e
				}
				e.str += val
				return result(int64(len(e.str)), nil)
			},
			func(s *store.Store) string { n, err := s.Append(key, val); return result(n, err) }}
	case 6:
		return op{"HSET " + key + " " + field + " " + val,
			func(m *model) string {
				e, err := m.hashOf(key)
				if err != nil {
					return result(int64(0), err)
				}
				if e == nil {
					e = &mentry{hash: map[string]string{}}
					m.m[key] = e
				}
				_, had := e.hash[field]
				e.hash[field] = val
				if had {
					return result(int64(0), nil)
				}
				return result(int64(1), nil)
			},
			func(s *store.Store) string { n, err := s.HSet(key, field, val); return result(n, err) }}
	case 7:
		return op{"HGET " + key + " " + field,
			func(m *model) string {
				e, err := m.hashOf(key)
				if err != nil || e == nil {
					return result("", false, err)
				}
				v, ok := e.hash[field]
				return result(v, ok, nil)
			},
			func(s *store.Store) string { v, ok, err := s.HGet(key, field); return result(v, ok, err) }}
	case 8:
		return op{"HDEL " + key + " " + field,
			func(m *model) string {
				e, err := m.hashOf(key)
				if err != nil || e == nil {
					return result(int64(0), err)
				}
				if _, ok := e.hash[field]; !ok {
					return result(int64(0), nil)
				}
				delete(e.hash, field)
				if len(e.hash) == 0 {
					delete(m.m, key)
				}
				return result(int64(1), nil)
			},
			func(s *store.Store) string { n, err := s.HDel(key, field); return result(n, err) }}
	case 9:
		d := int64(r.IntN(5) - 2)
		return op{fmt.Sprintf("HINCRBY %s %s %d", key, field, d),
			func(m *model) string {
				e, err := m.hashOf(key)
				if err != nil {
					return result(int64(0), err)
				}
				if e == nil {
					e = &mentry{hash: map[string]string{}}
					m.m[key] = e
				}
				cur := int64(0)
				if v, ok := e.hash[field]; ok {
					n, perr := strconv.ParseInt(v, 10, 64)
					if perr != nil || strconv.FormatInt(n, 10) != v {
						return result(int64(0), store.ErrHashNotInteger)
					}
					cur = n
				}
				e.hash[field] = strconv.FormatInt(cur+d, 10)
				return result(cur+d, nil)
			},
			func(s *store.Store) string { n, err := s.HIncrBy(key, field, d); return result(n, err) }}
	case 10:
		flags := []store.ExpireFlag{}
		names := []string{}
		for _, f := range []struct {
			f store.ExpireFlag
			n string
		}{{store.NX, "NX"}, {store.XX, "XX"}, {store.GT, "GT"}, {store.LT, "LT"}} {
			if r.IntN(5) == 0 {
				flags = append(flags, f.f)
				names = append(names, f.n)
			}
		}
		pms := ms
		if r.IntN(8) == 0 {
			pms = -ms
		}
		return op{fmt.Sprintf("PEXPIRE %s %d %v", key, pms, names),
			func(m *model) string {
				has := func(n string) bool {
					for _, x := range names {
						if x == n {
							return true
						}
					}
					return false
				}
				if has("NX") && (has("XX") || has("GT") || has("LT")) {
					return result(false, store.ErrExpireNXAndOther)
				}
				if has("GT") && has("LT") {
					return result(false, store.ErrExpireGTAndLT)
				}
				e := m.live(key)
				if e == nil {
					return result(false, nil)
				}
				at := now() + pms
				switch {
				case has("NX") && e.at != 0, has("XX") && e.at == 0,
					has("GT") && (e.at == 0 || at <= e.at), has("LT") && e.at != 0 && at >= e.at:
					return result(false, nil)
				}
				if at <= now() {
					delete(m.m, key)
				} else {
					e.at = at
				}
				return result(true, nil)
			},
			func(s *store.Store) string { ok, err := s.PExpire(key, pms, flags...); return result(ok, err) }}
	case 11:
		return op{"PERSIST " + key,
			func(m *model) string {
				e := m.live(key)
				if e == nil || e.at == 0 {
					return result(false, nil)
				}
				e.at = 0
				return result(true, nil)
			},
			func(s *store.Store) string { ok, err := s.Persist(key); return result(ok, err) }}
	case 12:
		return op{"PTTL " + key,
			func(m *model) string {
				e := m.live(key)
				switch {
				case e == nil:
					return result(int64(-2), nil)
				case e.at == 0:
					return result(int64(-1), nil)
				}
				return result(e.at-now(), nil)
			},
			func(s *store.Store) string { n, err := s.PTTL(key); return result(n, err) }}
	case 13:
		return op{"EXISTS " + key + " " + key2 + " " + key,
			func(m *model) string {
				n := int64(0)
				for _, k := range []string{key, key2, key} {
					if m.live(k) != nil {
						n++
					}
				}
				return result(n, nil)
			},
			func(s *store.Store) string { n, err := s.Exists(key, key2, key); return result(n, err) }}
	case 14:
		return op{"RENAME " + key + " " + key2,
			func(m *model) string {
				e := m.live(key)
				if e == nil {
					return result(store.ErrNoSuchKey)
				}
				m.live(key2)
				delete(m.m, key)
				m.m[key2] = e
				return result(nil)
			},
			func(s *store.Store) string { return result(s.Rename(key, key2)) }}
	case 15:
		return op{"TYPE " + key,
			func(m *model) string {
				e := m.live(key)
				switch {
				case e == nil:
					return result("none", nil)
				case e.hash != nil:
					return result("hash", nil)
				}
				return result("string", nil)
			},
			func(s *store.Store) string { v, err := s.Type(key); return result(v, err) }}
	default:
		d := time.Duration(r.IntN(1500)) * time.Millisecond
		return op{"SLEEP " + d.String(),
			func(m *model) string { return "" },
			func(s *store.Store) string { time.Sleep(d); return "" }}
	}
}

// TestStore_MatchesModel runs long random operation sequences against the
// store and the model, on a synctest clock, and requires identical answers
// after every operation and identical contents at the end. It runs seeds 0
// to 99, or as many as EMBER_MODEL_SEEDS says (the key hash is seeded per
// process, so every run also lays the keys out differently).
func TestStore_MatchesModel(t *testing.T) {
	seeds := uint64(100)
	if env := os.Getenv("EMBER_MODEL_SEEDS"); env != "" {
		n, err := strconv.ParseUint(env, 10, 64)
		require.NoError(t, err, "EMBER_MODEL_SEEDS")
		seeds = n
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := rand.New(rand.NewPCG(seed, 42))
				s, err := store.NewWithShards(nil, 4)
				require.NoError(t, err)
				defer s.Close()
				m := &model{m: map[string]*mentry{}}
				var history []string
				for range 3000 {
					o := randomOp(r)
					history = append(history, o.name)
					want, got := o.model(m), o.store(s)
					if want != got {
						n := len(history)
						t.Fatalf("seed %d op %d %s: store %q, model %q\nlast ops: %v", seed, n, o.name, got, want, history[max(0, n-10):])
					}
				}
				requireSameContents(t, m, s)
			})
		})
	}
}

func requireSameContents(t *testing.T, m *model, s *store.Store) {
	t.Helper()
	want := []string{} // Keys answers an empty list, not nil, for an empty store
	for k := range m.m {
		if m.live(k) != nil {
			want = append(want, k)
		}
	}
	got, err := s.Keys("*")
	require.NoError(t, err)
	sort.Strings(want)
	sort.Strings(got)
	require.Equal(t, want, got)
	for _, k := range want {
		e := m.m[k]
		if e.hash != nil {
			h, err := s.HGetAll(k)
			require.NoError(t, err)
			require.Equal(t, e.hash, h, k)
		} else {
			v, _, err := s.Get(k)
			require.NoError(t, err)
			require.Equal(t, e.str, v, k)
		}
		at, err := s.PExpireTime(k)
		require.NoError(t, err)
		if e.at == 0 {
			require.Equal(t, int64(-1), at, k)
		} else {
			require.Equal(t, e.at, at, k)
		}
	}
}
