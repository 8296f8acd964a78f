package pubsub

import "github.com/emberkv/ember/internal/glob"

// This file holds the broker's two indexes: channels by name (a map), and
// patterns by literal prefix (a radix tree), so that Publish only tests the
// patterns whose literal prefix the channel starts with. Redis tests every
// pattern on every PUBLISH; here a pattern such as "user.1234.*" costs a
// publish to "orders.9" nothing, and only patterns with no literal prefix
// ("*.created") are tested every time.
//
// Everything here is guarded by Broker.mu.

// topic is a channel or a pattern that at least one subscription follows.
type topic struct {
	name  string  // the channel name or the pattern
	slots []*slot // the subscriptions following it, in no particular order

	// Patterns only.
	exact bool   // the pattern has no special characters: it matches prefix only
	node  *pnode // the index node holding the topic
	at    int    // the topic's position in node.topics
}

// slot is one subscription's membership in one topic.
type slot struct {
	sub *Subscription
	t   *topic
	at  int // the slot's position in t.slots
}

// addSlot appends a new membership of s to t.
func (t *topic) addSlot(s *Subscription) *slot {
	sl := &slot{sub: s, t: t, at: len(t.slots)}
	t.slots = append(t.slots, sl)
	return sl
}

// removeSlot removes sl from its topic in O(1), moving the last slot into its
// place. It reports whether the topic is now empty.
func (t *topic) removeSlot(sl *slot) bool {
	last := len(t.slots) - 1
	moved := t.slots[last]
	t.slots[sl.at] = moved
	moved.at = sl.at
	t.slots[last] = nil
	t.slots = t.slots[:last]
	return len(t.slots) == 0
}

// patternIndex is a radix tree over the literal prefixes of patterns: a
// pattern's topic sits at the node that spells its prefix. Publishing to a
// channel walks the one path that spells a prefix of the channel, testing
// only the patterns found on it.
type patternIndex struct {
	root pnode
}

// pnode is a node of the radix tree.
type pnode struct {
	label  string   // the bytes on the edge from parent; empty only at the root
	parent *pnode   // nil at the root
	kids   []*pnode // sorted by the first byte of their label, which is unique
	topics []*topic // patterns whose literal prefix ends exactly here
}

// kid returns the child whose label starts with c, or nil.
func (n *pnode) kid(c byte) *pnode {
	i := n.kidIndex(c)
	if i < len(n.kids) && n.kids[i].label[0] == c {
		return n.kids[i]
	}
	return nil
}

// kidIndex returns where a child starting with c is or would be in n.kids.
func (n *pnode) kidIndex(c byte) int {
	lo, hi := 0, len(n.kids)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if n.kids[mid].label[0] < c {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func (n *pnode) addTopic(t *topic) {
	t.node, t.at = n, len(n.topics)
	n.topics = append(n.topics, t)
}

// insert adds the pattern topic t under its literal prefix.
func (x *patternIndex) insert(t *topic) {
	prefix, exact := glob.LiteralPrefix(t.name)
	t.exact = exact
	n, rest := &x.root, prefix
	for rest != "" {
		k := n.kid(rest[0])
		if k == nil {
			leaf := &pnode{label: rest, parent: n}
			i := n.kidIndex(rest[0])
			n.kids = append(n.kids, nil)
			copy(n.kids[i+1:], n.kids[i:])
			n.kids[i] = leaf
			n = leaf
			break
		}
		common := commonPrefixLen(k.label, rest)
		if common < len(k.label) {
			// Split k's edge: n -> mid -> k.
			mid := &pnode{label: k.label[:common], parent: n, kids: []*pnode{k}}
			n.kids[n.kidIndex(k.label[0])] = mid
			k.label = k.label[common:]
			k.parent = mid
			k = mid
		}
		n, rest = k, rest[common:]
	}
	n.addTopic(t)
}

// remove takes the pattern topic t out of the index and prunes the nodes
// left without purpose.
func (x *patternIndex) remove(t *topic) {
	n := t.node
	last := len(n.topics) - 1
	moved := n.topics[last]
	n.topics[t.at] = moved
	moved.at = t.at
	n.topics[last] = nil
	n.topics = n.topics[:last]
	t.node = nil

	// Drop empty leaves, bottom up.
	for n != &x.root && len(n.topics) == 0 && len(n.kids) == 0 {
		p := n.parent
		i := p.kidIndex(n.label[0])
		copy(p.kids[i:], p.kids[i+1:])
		p.kids[len(p.kids)-1] = nil
		p.kids = p.kids[:len(p.kids)-1]
		n = p
	}
	// A node left with no topics and a single child merges with it.
	if n != &x.root && len(n.topics) == 0 && len(n.kids) == 1 {
		k := n.kids[0]
		n.label += k.label
		n.kids = k.kids
		n.topics = k.topics
		for _, g := range n.kids {
			g.parent = n
		}
		for _, pt := range n.topics {
			pt.node = n
		}
	}
}

// commonPrefixLen returns the length of the longest common prefix of a and b.
func commonPrefixLen(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// matches reports whether the pattern topic t, found on the walk for
// channel at depth (so channel[:depth] is t's literal prefix), matches it.
func (t *topic) matches(channel string, depth int) bool {
	if t.exact {
		return depth == len(channel)
	}
	return glob.Match(t.name, channel)
}
