// Package zipf draws Zipf-distributed ranks for benchmarks, including the
// exponent 0.99 of YCSB workloads, which math/rand's Zipf (s > 1) cannot.
package zipf

import (
	"math"
	"math/rand/v2"
)

// Generator draws ranks in [0, n) with P(rank k) proportional to
// 1/(k+1)^theta, for 0 < theta < 1: the generator of Gray et al., "Quickly
// generating billion-record synthetic databases", used by YCSB. It is not
// safe for concurrent use.
type Generator struct {
	r                        *rand.Rand
	n                        float64
	theta, alpha, zetan, eta float64
	half                     float64
}

// New returns a generator of ranks in [0, n) drawn with r.
func New(r *rand.Rand, n int, theta float64) *Generator {
	zeta := func(n int) float64 {
		s := 0.0
		for i := 1; i <= n; i++ {
			s += 1 / math.Pow(float64(i), theta)
		}
		return s
	}
	z := &Generator{r: r, n: float64(n), theta: theta, zetan: zeta(n)}
	z.alpha = 1 / (1 - theta)
	z.eta = (1 - math.Pow(2/z.n, 1-theta)) / (1 - zeta(2)/z.zetan)
	z.half = 1 + math.Pow(0.5, theta)
	return z
}

// Next returns the next rank.
func (z *Generator) Next() int {
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
