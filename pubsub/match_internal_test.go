package pubsub

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/glob"
)

// check verifies the radix tree's invariants: parent links, kids sorted by
// a unique first byte, non-empty labels below the root, topics that know
// their node and position and whose literal prefix spells the node's path,
// and compactness (no empty leaf; no topic-less node with a single kid).
func (x *patternIndex) check(t *testing.T) (topics int) {
	t.Helper()
	var walk func(n *pnode, path string)
	walk = func(n *pnode, path string) {
		if n != &x.root {
			require.NotEmpty(t, n.label, "path %q", path)
			require.True(t, len(n.topics) > 0 || len(n.kids) > 1, "node %q is not compact", path)
		}
		for i, tp := range n.topics {
			require.Same(t, n, tp.node, "topic %q", tp.name)
			require.Equal(t, i, tp.at, "topic %q", tp.name)
			prefix, exact := glob.LiteralPrefix(tp.name)
			require.Equal(t, prefix, path, "topic %q", tp.name)
			require.Equal(t, exact, tp.exact, "topic %q", tp.name)
			topics++
		}
		for i, k := range n.kids {
			require.Same(t, n, k.parent, "kid %q of %q", k.label, path)
			if i > 0 {
				require.Less(t, n.kids[i-1].label[0], k.label[0], "kids of %q", path)
			}
			walk(k, path+k.label)
		}
	}
	walk(&x.root, "")
	return topics
}

// lookup returns the names of the topics that match channel, found as
// Publish finds them.
func (x *patternIndex) lookup(channel string) []string {
	var out []string
	node, depth := &x.root, 0
	for {
		for _, t := range node.topics {
			if t.matches(channel, depth) {
				out = append(out, t.name)
			}
		}
		if depth == len(channel) {
			break
		}
		k := node.kid(channel[depth])
		if k == nil || !strings.HasPrefix(channel[depth:], k.label) {
			break
		}
		node, depth = k, depth+len(k.label)
	}
	slices.Sort(out)
	return out
}

func TestPatternIndex_Example(t *testing.T) {
	var x patternIndex
	add := func(p string) *topic {
		tp := &topic{name: p}
		x.insert(tp)
		return tp
	}
	all := map[string]*topic{}
	for _, p := range []string{"news.*", "news.sports", "news.sp*", "n*", "*", "new?", `news\.tech`, "weather.[ab]*", ""} {
		all[p] = add(p)
	}
	x.check(t)
	assert.Equal(t, []string{"*", "n*", "news.*", "news.sp*", "news.sports"}, x.lookup("news.sports"))
	assert.Equal(t, []string{"*", "n*", "news.*", `news\.tech`}, x.lookup("news.tech"))
	assert.Equal(t, []string{"*", "n*", "new?"}, x.lookup("news"))
	assert.Equal(t, []string{"*", "weather.[ab]*"}, x.lookup("weather.alps"))
	assert.Equal(t, []string{""}, x.lookup(""))
	assert.Equal(t, []string{"*"}, x.lookup("x"))

	for _, p := range []string{"news.sp*", "news.*", "n*", "*", "news.sports", "new?", `news\.tech`, "weather.[ab]*", ""} {
		x.remove(all[p])
		x.check(t)
	}
	assert.Empty(t, x.root.kids)
	assert.Empty(t, x.root.topics)
}

// TestPatternIndex_Random inserts and removes random patterns and compares
// every lookup with testing each pattern, as Redis does.
func TestPatternIndex_Random(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab.*?[]^-\\")
	randomString := func(n int, alpha []byte) string {
		b := make([]byte, rng.IntN(n+1))
		for i := range b {
			b[i] = alpha[rng.IntN(len(alpha))]
		}
		return string(b)
	}
	var x patternIndex
	live := map[string]*topic{}
	for round := range 1000 {
		if len(live) > 0 && rng.IntN(3) == 0 {
			var names []string
			for p := range live {
				names = append(names, p)
			}
			slices.Sort(names)
			p := names[rng.IntN(len(names))]
			x.remove(live[p])
			delete(live, p)
		} else {
			p := randomString(6, alphabet)
			if live[p] == nil {
				live[p] = &topic{name: p}
				x.insert(live[p])
			}
		}
		require.Equal(t, len(live), x.check(t), "round %d", round)
		for range 5 {
			channel := randomString(7, []byte("ab.*?[]"))
			var want []string
			for p := range live {
				if glob.Match(p, channel) {
					want = append(want, p)
				}
			}
			slices.Sort(want)
			require.Equal(t, want, x.lookup(channel), "round %d, channel %q", round, channel)
		}
	}
}
