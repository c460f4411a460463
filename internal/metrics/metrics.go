// Package metrics keeps per-route request counters and latency histograms
// and writes them in the Prometheus text exposition format (version 0.0.4).
// It is stdlib-only: the set of series is small and fixed by the route table.
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Buckets are the latency histogram's upper bounds, in seconds.
var Buckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type key struct {
	route  string
	status int
}

type series struct {
	count   atomic.Uint64
	sumNano atomic.Uint64
	buckets []atomic.Uint64 // cumulative counts are computed when writing
}

// Registry holds HTTP request series. The zero value is not usable; use New.
type Registry struct {
	mu     sync.RWMutex
	series map[key]*series
	start  time.Time
}

// New returns an empty Registry.
func New() *Registry { return &Registry{series: map[key]*series{}, start: time.Now()} }

// Observe records one request to route (the route pattern, e.g.
// "GET /v1/instances") that answered status after d.
func (r *Registry) Observe(route string, status int, d time.Duration) {
	k := key{route, status}
	r.mu.RLock()
	s := r.series[k]
	r.mu.RUnlock()
	if s == nil {
		r.mu.Lock()
		if s = r.series[k]; s == nil {
			s = &series{buckets: make([]atomic.Uint64, len(Buckets))}
			r.series[k] = s
		}
		r.mu.Unlock()
	}
	s.count.Add(1)
	s.sumNano.Add(uint64(d.Nanoseconds()))
	sec := d.Seconds()
	for i, ub := range Buckets {
		if sec <= ub {
			s.buckets[i].Add(1)
			break
		}
	}
}

// WriteTo writes every series in the text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	r.mu.RLock()
	keys := make([]key, 0, len(r.series))
	for k := range r.series {
		keys = append(keys, k)
	}
	r.mu.RUnlock()
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].route != keys[j].route {
			return keys[i].route < keys[j].route
		}
		return keys[i].status < keys[j].status
	})
	cw := &countingWriter{w: w}
	fmt.Fprintf(cw, "# HELP iic_http_requests_total HTTP requests by route and status.\n# TYPE iic_http_requests_total counter\n")
	for _, k := range keys {
		s := r.get(k)
		fmt.Fprintf(cw, "iic_http_requests_total{route=%s,status=\"%d\"} %d\n", quote(k.route), k.status, s.count.Load())
	}
	fmt.Fprintf(cw, "# HELP iic_http_request_duration_seconds HTTP request latency by route and status.\n# TYPE iic_http_request_duration_seconds histogram\n")
	for _, k := range keys {
		s := r.get(k)
		labels := fmt.Sprintf("route=%s,status=\"%d\"", quote(k.route), k.status)
		var cum uint64
		for i, ub := range Buckets {
			cum += s.buckets[i].Load()
			fmt.Fprintf(cw, "iic_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels, formatFloat(ub), cum)
		}
		n := s.count.Load()
		fmt.Fprintf(cw, "iic_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels, n)
		fmt.Fprintf(cw, "iic_http_request_duration_seconds_sum{%s} %s\n", labels, formatFloat(float64(s.sumNano.Load())/1e9))
		fmt.Fprintf(cw, "iic_http_request_duration_seconds_count{%s} %d\n", labels, n)
	}
	fmt.Fprintf(cw, "# HELP iic_uptime_seconds Seconds since the process started.\n# TYPE iic_uptime_seconds gauge\niic_uptime_seconds %s\n",
		formatFloat(time.Since(r.start).Seconds()))
	return cw.n, cw.err
}

// Count returns how many requests to route answered with a status in
// [lo, hi].
func (r *Registry) Count(route string, lo, hi int) uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var n uint64
	for k, s := range r.series {
		if k.route == route && k.status >= lo && k.status <= hi {
			n += s.count.Load()
		}
	}
	return n
}

func (r *Registry) get(k key) *series {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.series[k]
}

func quote(s string) string { return strconv.Quote(s) }

func formatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
