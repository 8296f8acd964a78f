package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
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
	z := newZipf(r, n, 0.99)
	d.zipf = make([]int32, n)
	for i := range d.zipf {
		// Scatter the popular ranks over the keyspace, as real hot keys are.
		d.zipf[i] = d.uniform[z.next()]
	}
	d.fields = make([]string, hashFields)
	for i := range d.fields {
		d.fields[i] = fmt.Sprintf("field:%d", i)
	}
	return d
}

// zipf draws ranks in [0, n) with P(rank k) proportional to 1/(k+1)^theta,
// for theta < 1 (math/rand's Zipf needs s > 1): the YCSB generator of Gray
// et al., "Quickly generating billion-record synthetic databases", as in
// store/bench_test.go.
type zipf struct {
	r                        *rand.Rand
	n                        float64
	theta, alpha, zetan, eta float64
	half                     float64
}

func newZipf(r *rand.Rand, n int, theta float64) *zipf {
	zeta := func(n int) float64 {
		s := 0.0
		for i := 1; i <= n; i++ {
			s += 1 / math.Pow(float64(i), theta)
		}
		return s
	}
	z := &zipf{r: r, n: float64(n), theta: theta, zetan: zeta(n)}
	z.alpha = 1 / (1 - theta)
	z.eta = (1 - math.Pow(2/z.n, 1-theta)) / (1 - zeta(2)/z.zetan)
	z.half = 1 + math.Pow(0.5, theta)
	return z
}

func (z *zipf) next() int {
	u := z.r.Float64()
	uz := u * z.zetan
	switch {
	case uz < 1:
		return 0
	case uz < z.half:
		return 1
	}
	k := int(z.n * math.Pow(z.eta*u-z.eta+1, z.alpha))
	return min(k, int(z.n)-1)
}
