// Package telemetry holds the process-wide Prometheus collectors.
package telemetry

import "github.com/prometheus/client_golang/prometheus"

var (
	// KVLatency times every KV REST call by namespace and operation.
	KVLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "crossbill",
		Name:      "kv_request_seconds",
		Help:      "Latency of Workers KV REST calls.",
		Buckets:   prometheus.ExponentialBuckets(0.01, 2, 10),
	}, []string{"namespace", "op"})

	// KVMisses counts reads that found no key.
	KVMisses = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "crossbill",
		Name:      "kv_misses_total",
		Help:      "KV reads that returned 404.",
	}, []string{"namespace"})

	// HoldsPlaced counts seat holds by event.
	HoldsPlaced = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "crossbill",
		Name:      "holds_placed_total",
		Help:      "Seat holds accepted.",
	}, []string{"event"})

	// MagicLinksSent counts sign-in emails.
	MagicLinksSent = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "crossbill",
		Name:      "magic_links_sent_total",
		Help:      "Magic sign-in links issued.",
	})

	// OutboxLag is the age of the oldest unrelayed outbox row.
	OutboxLag = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "crossbill",
		Name:      "outbox_lag_seconds",
		Help:      "Age of the oldest outbox row not yet relayed to KV.",
	})

	// RelayBatch observes how many rows each relay pass moved.
	RelayBatch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: "crossbill",
		Name:      "outbox_relay_batch_size",
		Help:      "Rows relayed per pass.",
		Buckets:   []float64{0, 1, 5, 25, 100, 250, 500},
	})

	// DashboardViews counts dashboard renders per event in process.
	DashboardViews = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "crossbill",
		Name:      "dashboard_views_total",
		Help:      "Promoter dashboard renders.",
	}, []string{"event"})
)

// Register adds all collectors to reg.
func Register(reg prometheus.Registerer) {
	reg.MustRegister(KVLatency, KVMisses, HoldsPlaced, MagicLinksSent, OutboxLag, RelayBatch, DashboardViews)
}
