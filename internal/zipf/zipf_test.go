package zipf_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/emberkv/ember/internal/zipf"
)

// TestGenerator_Distribution: ranks stay in range, and rank frequencies fall
// off as 1/(k+1)^0.99.
func TestGenerator_Distribution(t *testing.T) {
	const n, draws = 1000, 200000
	z := zipf.New(rand.New(rand.NewPCG(1, 2)), n, 0.99)
	counts := make([]int, n)
	for range draws {
		k := z.Next()
		require.True(t, k >= 0 && k < n, "rank %d out of range", k)
		counts[k]++
	}
	// P(0)/P(9) = 10^0.99 ≈ 9.8; allow sampling noise.
	ratio := float64(counts[0]) / float64(counts[9])
	assert.InDelta(t, 9.8, ratio, 1.5)
	assert.Greater(t, counts[0], counts[1])
	assert.Greater(t, counts[1], counts[100])
}
