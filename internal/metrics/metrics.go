// Package metrics exposes Prometheus metrics in the text exposition format.
// Haven needs only counters, gauges and histograms with a few labels, which
// the standard library serves well; every name starts with "haven_".
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Registry holds metrics and writes them out.
type Registry struct {
	mu      sync.Mutex
	metrics []metric
	gauges  []gaugeFunc
}

type metric interface {
	write(w io.Writer)
}

type gaugeFunc struct {
	name, help string
	fn         func() float64
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

func checkName(name string) {
	if !strings.HasPrefix(name, "haven_") {
		panic("metrics: name must start with haven_: " + name)
	}
}

// CounterVec is a counter with labels.
type CounterVec struct {
	name, help string
	labels     []string
	mu         sync.Mutex
	vals       map[string]float64
}

// Counter registers a counter with the given label names.
func (r *Registry) Counter(name, help string, labels ...string) *CounterVec {
	checkName(name)
	c := &CounterVec{name: name, help: help, labels: labels, vals: map[string]float64{}}
	r.mu.Lock()
	r.metrics = append(r.metrics, c)
	r.mu.Unlock()
	return c
}

// Inc adds one for the label values.
func (c *CounterVec) Inc(values ...string) { c.Add(1, values...) }

// Add adds v for the label values.
func (c *CounterVec) Add(v float64, values ...string) {
	k := labelKey(c.labels, values)
	c.mu.Lock()
	c.vals[k] += v
	c.mu.Unlock()
}

// Value returns the current count for the label values.
func (c *CounterVec) Value(values ...string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.vals[labelKey(c.labels, values)]
}

func (c *CounterVec) write(w io.Writer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n", c.name, c.help, c.name)
	for _, k := range sortedKeys(c.vals) {
		fmt.Fprintf(w, "%s%s %s\n", c.name, k, num(c.vals[k]))
	}
}

// GaugeFunc registers a gauge read when metrics are scraped.
func (r *Registry) GaugeFunc(name, help string, fn func() float64) {
	checkName(name)
	r.mu.Lock()
	r.gauges = append(r.gauges, gaugeFunc{name, help, fn})
	r.mu.Unlock()
}

// HistogramVec is a histogram with labels.
type HistogramVec struct {
	name, help string
	labels     []string
	buckets    []float64
	mu         sync.Mutex
	series     map[string]*hseries
}

type hseries struct {
	counts []uint64
	sum    float64
	count  uint64
}

// Histogram registers a histogram with upper bucket bounds.
func (r *Registry) Histogram(name, help string, buckets []float64, labels ...string) *HistogramVec {
	checkName(name)
	h := &HistogramVec{name: name, help: help, labels: labels, buckets: buckets, series: map[string]*hseries{}}
	r.mu.Lock()
	r.metrics = append(r.metrics, h)
	r.mu.Unlock()
	return h
}

// Observe records v for the label values.
func (h *HistogramVec) Observe(v float64, values ...string) {
	k := labelKey(h.labels, values)
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.series[k]
	if s == nil {
		s = &hseries{counts: make([]uint64, len(h.buckets))}
		h.series[k] = s
	}
	for i, b := range h.buckets {
		if v <= b {
			s.counts[i]++
		}
	}
	s.sum += v
	s.count++
}

func (h *HistogramVec) write(w io.Writer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", h.name, h.help, h.name)
	keys := make([]string, 0, len(h.series))
	for k := range h.series {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s := h.series[k]
		inner := strings.TrimSuffix(strings.TrimPrefix(k, "{"), "}")
		sep := ""
		if inner != "" {
			sep = ","
		}
		for i, b := range h.buckets {
			fmt.Fprintf(w, "%s_bucket{%s%sle=\"%s\"} %d\n", h.name, inner, sep, num(b), s.counts[i])
		}
		fmt.Fprintf(w, "%s_bucket{%s%sle=\"+Inf\"} %d\n", h.name, inner, sep, s.count)
		fmt.Fprintf(w, "%s_sum%s %s\n%s_count%s %d\n", h.name, k, num(s.sum), h.name, k, s.count)
	}
}

// Write writes every metric in the text exposition format.
func (r *Registry) Write(w io.Writer) {
	r.mu.Lock()
	ms := append([]metric(nil), r.metrics...)
	gs := append([]gaugeFunc(nil), r.gauges...)
	r.mu.Unlock()
	for _, m := range ms {
		m.write(w)
	}
	for _, g := range gs {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", g.name, g.help, g.name, g.name, num(g.fn()))
	}
}

func labelKey(names, values []string) string {
	if len(names) != len(values) {
		panic(fmt.Sprintf("metrics: %d label values for %d labels", len(values), len(names)))
	}
	if len(names) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(n)
		b.WriteString(`="`)
		b.WriteString(escape(values[i]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var escaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)

func escape(s string) string {
	if !strings.ContainsAny(s, "\\\n\"") {
		return s
	}
	return escaper.Replace(s)
}

func sortedKeys(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func num(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
