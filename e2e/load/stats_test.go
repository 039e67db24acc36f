package load

import (
	"testing"
	"time"
)

func TestPercentileNearestRank(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	// 1..100 ms, shuffled a little: the p-th percentile is p ms.
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = (i*37)%100 + 1
	}
	for _, c := range []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"p50 of ten is the fifth", ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 50, 5 * time.Millisecond},
		{"p95 of ten is the tenth", ms(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 95, 10 * time.Millisecond},
		{"p50 of five is the third", ms(15, 20, 35, 40, 50), 50, 35 * time.Millisecond},  // Wikipedia's example: rank ceil(2.5) = 3
		{"p30 of five is the second", ms(50, 40, 35, 20, 15), 30, 20 * time.Millisecond}, // rank ceil(1.5) = 2
		{"p40 of five is exactly the second", ms(15, 20, 35, 40, 50), 40, 20 * time.Millisecond},
		{"p100 is the largest", ms(15, 20, 35, 40, 50), 100, 50 * time.Millisecond},
		{"p50 of a hundred", ms(hundred...), 50, 50 * time.Millisecond},
		{"p95 of a hundred", ms(hundred...), 95, 95 * time.Millisecond},
		{"p99 of a hundred", ms(hundred...), 99, 99 * time.Millisecond},
	} {
		if got := Percentile(c.samples, c.p); got != c.want {
			t.Errorf("%s: Percentile(p=%v) = %v, want %v", c.name, c.p, got, c.want)
		}
	}
}

func TestPercentileLeavesSamplesAlone(t *testing.T) {
	s := []time.Duration{3, 1, 2}
	Percentile(s, 50)
	if s[0] != 3 || s[1] != 1 || s[2] != 2 {
		t.Errorf("samples reordered: %v", s)
	}
}
