package dispatch_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/intake"
)

// BenchmarkNearest measures one nearest-team suggestion (3 teams) over
// 10^3 and 10^5 available teams spread over a city-sized area.
func BenchmarkNearest(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("teams=%d", n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			x := dispatch.NewIndex()
			for i := range n {
				x.Put(&dispatch.Team{ID: fmt.Sprint(i), Status: dispatch.StatusAvailable, Lat: 34.9 + r.Float64()*0.8, Lng: 113.4 + r.Float64()*1.0})
			}
			pts := make([]intake.Point, 1024)
			for i := range pts {
				pts[i] = intake.Point{Lat: 34.9 + r.Float64()*0.8, Lng: 113.4 + r.Float64()*1.0}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if got := x.Nearest(pts[i%len(pts)], 3, 30); len(got) != 3 {
					b.Fatal(len(got))
				}
			}
		})
	}
}
