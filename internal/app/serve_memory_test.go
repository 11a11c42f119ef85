package app

import "testing"

// serve's memory limit is 512 MiB, or a quarter above the live heap when
// that is more: never under what is live, which would have the collector
// run without pause.
func TestMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{{0, 512 << 20}, {100 << 20, 512 << 20}, {400 << 20, 512 << 20}, {410 << 20, 512<<20 + 512<<10}, {800 << 20, 1000 << 20}} {
		if got := memoryLimit(c.live); got != c.want {
			t.Errorf("live %d MiB: limit %d, want %d", c.live>>20, got, c.want)
		}
		if got := memoryLimit(c.live); uint64(got) <= c.live {
			t.Errorf("live %d MiB: limit %d is not above it", c.live>>20, got)
		}
	}
}
