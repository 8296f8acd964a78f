package main

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/emberkv/ember/internal/zipf"
)

// dataset is the one key/value set every contender is given: n keys of 16
// bytes ("key:000000000042"), n values of 64 random lowercase letters, and
// the orders in which the workloads visit them. It is built once, from a
// fixed seed, before anything is measured.
type dataset struct {
	keys    []string
	vals    []string
	alt     []string // other values for the same keys, for the writes of the mixed workloads
	uniform []int32  // a permutation of the key indexes
	zipf    []int32  // key indexes drawn from Zipf(0.99), popular ranks scattered
	fields  []string // the 10 field names of the hash workloads
}

const (
	hashFields = 10
	valueSize  = 64
	payload64  = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

func newDataset(n int) *dataset {
	r := rand.New(rand.NewPCG(1, 2))
	d := &dataset{
		keys: make([]string, n),
		vals: make([]string, n),
		alt:  make([]string, n),
	}
	// All values share two backing arrays (as they would arrive in one
	// buffer) so that the set itself is two allocations, not 2n.
	letters := func() string {
		var b strings.Builder
		b.Grow(n * valueSize)
		for range n * valueSize {
			b.WriteByte('a' + byte(r.IntN(26)))
		}
		return b.String()
	}
	vs, as := letters(), letters()
	for i := range n {
		d.keys[i] = fmt.Sprintf("key:%012d", i)
		d.vals[i] = vs[i*valueSize : (i+1)*valueSize]
		d.alt[i] = as[i*valueSize : (i+1)*valueSize]
	}
	d.uniform = make([]int32, n)
	for i := range d.uniform {
		d.uniform[i] = int32(i)
	}
	r.Shuffle(n, func(i, j int) { d.uniform[i], d.uniform[j] = d.uniform[j], d.uniform[i] })
	z := zipf.New(r, n, 0.99)
	d.zipf = make([]int32, n)
	for i := range d.zipf {
		// Scatter the popular ranks over the keyspace, as real hot keys are.
		d.zipf[i] = d.uniform[z.Next()]
	}
	d.fields = make([]string, hashFields)
	for i := range d.fields {
		d.fields[i] = fmt.Sprintf("field:%d", i)
	}
	return d
}
