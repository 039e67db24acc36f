package load

import (
	"slices"
	"time"
)

// Percentile is the nearest-rank p-th percentile (0 < p <= 100) of samples:
// the smallest sample that at least p percent of the samples are no greater
// than. It is always one of the samples, never an interpolation, so a p99 of
// 100 samples is the 99th smallest. It returns 0 for no samples. samples is
// not modified.
func Percentile(samples []time.Duration, p float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	// rank = ceil(p/100 * n), computed in integers where possible so that
	// p = 50 of 10 samples is rank 5, not 5.000000001 rounded up to 6.
	n := len(sorted)
	rank := int(p * float64(n) / 100)
	if float64(rank)*100 < p*float64(n) {
		rank++
	}
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// Summary is the percentiles of one kind of round trip.
type Summary struct {
	Count         int
	P50, P95, P99 time.Duration
	Max           time.Duration
}

// Summarize computes the Summary of samples.
func Summarize(samples []time.Duration) Summary {
	return Summary{
		Count: len(samples),
		P50:   Percentile(samples, 50),
		P95:   Percentile(samples, 95),
		P99:   Percentile(samples, 99),
		Max:   Percentile(samples, 100),
	}
}

// ratio is a/b, or 0 when b is 0.
func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
