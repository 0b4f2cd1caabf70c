// Package telemetry holds the Prometheus collectors shared by the backend
// processes. Counters that matter to finance live in Postgres; these are
// operational signals only.
package telemetry

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Registry is the process-wide registry served on /metrics.
var Registry = prometheus.NewRegistry()

var (
	// KVOps counts KV calls by operation and outcome.
	KVOps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "treecreeper",
		Subsystem: "kv",
		Name:      "operations_total",
		Help:      "Workers KV REST calls by operation and outcome.",
	}, []string{"op", "outcome"})

	// KVLatency observes KV call latency.
	KVLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "treecreeper",
		Subsystem: "kv",
		Name:      "latency_seconds",
		Help:      "Workers KV REST latency.",
		Buckets:   prometheus.ExponentialBuckets(0.01, 2, 10),
	}, []string{"op"})

	// EndpointRequests counts go-kit endpoint invocations.
	EndpointRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "treecreeper",
		Name:      "endpoint_requests_total",
		Help:      "Endpoint invocations by endpoint and result.",
	}, []string{"endpoint", "result"})

	// OutboxLag is the age of the oldest unrelayed outbox row.
	OutboxLag = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "treecreeper",
		Subsystem: "outbox",
		Name:      "lag_seconds",
		Help:      "Age of the oldest outbox row not yet projected to KV.",
	})

	// OutboxRelayed counts rows projected to KV.
	OutboxRelayed = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "treecreeper",
		Subsystem: "outbox",
		Name:      "relayed_total",
		Help:      "Outbox rows projected to KV.",
	})

	// PortalViews counts portal page views per tenant.
	PortalViews = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "treecreeper",
		Subsystem: "portal",
		Name:      "views_total",
		Help:      "Customer portal page views.",
	}, []string{"tenant"})
)

func init() {
	Registry.MustRegister(KVOps, KVLatency, EndpointRequests, OutboxLag, OutboxRelayed, PortalViews)
}
