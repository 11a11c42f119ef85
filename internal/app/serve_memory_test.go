package app

import "testing"

// serve's memory limit is 416 MiB, or a quarter above the live heap when
// that is more: never under what is live, which would have the collector
// run without pause.
func TestMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{{0, 416 << 20}, {100 << 20, 416 << 20}, {330 << 20, 416 << 20}, {340 << 20, 425 << 20}, {800 << 20, 1000 << 20}} {
		if got := memoryLimit(c.live); got != c.want {
			t.Errorf("live %d MiB: limit %d, want %d", c.live>>20, got, c.want)
		}
		if got := memoryLimit(c.live); uint64(got) <= c.live {
			t.Errorf("live %d MiB: limit %d is not above it", c.live>>20, got)
		}
	}
}
