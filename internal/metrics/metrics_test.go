package metrics

import (
	"strings"
	"testing"
)

func TestExposition(t *testing.T) {
	r := NewRegistry()
	c := r.Counter("haven_http_requests_total", "Requests.", "route", "code")
	c.Inc("GET /login", "200")
	c.Inc("GET /login", "200")
	c.Inc(`x"y`, "500")
	h := r.Histogram("haven_http_request_duration_seconds", "Latency.", []float64{0.1, 1}, "route")
	h.Observe(0.05, "GET /")
	h.Observe(0.5, "GET /")
	r.GaugeFunc("haven_up", "Up.", func() float64 { return 1 })
	var b strings.Builder
	r.Write(&b)
	out := b.String()
	for _, want := range []string{
		`haven_http_requests_total{route="GET /login",code="200"} 2`,
		`haven_http_requests_total{route="x\"y",code="500"} 1`,
		`haven_http_request_duration_seconds_bucket{route="GET /",le="0.1"} 1`,
		`haven_http_request_duration_seconds_bucket{route="GET /",le="1"} 2`,
		`haven_http_request_duration_seconds_bucket{route="GET /",le="+Inf"} 2`,
		`haven_http_request_duration_seconds_count{route="GET /"} 2`,
		"# TYPE haven_up gauge\nhaven_up 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a name without the haven_ prefix was accepted")
		}
	}()
	r.Counter("requests_total", "x")
}
