package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds Stepwise's Prometheus collectors, registered on a registry
// of their own (never the global default). The engine wiring feeds the
// execution figures; the server counts API requests itself. All methods are
// safe for concurrent use and on a nil *Metrics.
type Metrics struct {
	reg         *prometheus.Registry
	started     prometheus.Counter
	finished    *prometheus.CounterVec
	transitions prometheus.Counter
	duration    *prometheus.HistogramVec
	queue       *prometheus.GaugeVec
	api         *prometheus.CounterVec
}

// NewMetrics creates the collectors on a new registry, with the Go runtime
// and process collectors.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		started: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "stepwise", Name: "executions_started_total",
			Help: "Executions started.",
		}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "stepwise", Name: "executions_finished_total",
			Help: "Executions that ended, by final status (SUCCEEDED, FAILED, TIMED_OUT, ABORTED).",
		}, []string{"status"}),
		transitions: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "stepwise", Name: "state_transitions_total",
			Help: "State transitions, as AWS bills them.",
		}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "stepwise", Name: "execution_duration_seconds",
			Help:    "Execution durations from start to stop, by final status.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 12),
		}, []string{"status"}),
		queue: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "stepwise", Name: "queue_depth",
			Help: "Items waiting in an engine queue (ready executions, timers, tasks, activity tasks).",
		}, []string{"queue"}),
		api: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "stepwise", Name: "api_requests_total",
			Help: "AWS API requests by operation and result (ok or the AWS error name).",
		}, []string{"operation", "result"}),
	}
	reg.MustRegister(m.started, m.finished, m.transitions, m.duration, m.queue, m.api,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, st := range []string{"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"} {
		m.finished.WithLabelValues(st)
	}
	return m
}

// Registry returns the registry /metrics serves.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ExecutionStarted counts one started execution.
func (m *Metrics) ExecutionStarted() {
	if m != nil {
		m.started.Inc()
	}
}

// ExecutionFinished counts an execution that ended with status after d.
func (m *Metrics) ExecutionFinished(status string, d time.Duration) {
	if m == nil {
		return
	}
	m.finished.WithLabelValues(status).Inc()
	m.duration.WithLabelValues(status).Observe(d.Seconds())
}

// Transitions counts n state transitions.
func (m *Metrics) Transitions(n int) {
	if m != nil && n > 0 {
		m.transitions.Add(float64(n))
	}
}

// SetQueueDepth reports how many items wait in the named queue.
func (m *Metrics) SetQueueDepth(queue string, n int) {
	if m != nil {
		m.queue.WithLabelValues(queue).Set(float64(n))
	}
}

// apiRequest counts one API request; unknown operations share one label
// so a client cannot grow the label set without bound.
func (m *Metrics) apiRequest(opName string, err error, known bool) {
	if m == nil {
		return
	}
	if !known {
		opName = "unknown"
	}
	result := "ok"
	if err != nil {
		e, _ := toAPIError(err)
		result = e.Code
	}
	m.api.WithLabelValues(opName, result).Inc()
}
