// Package metrics holds the backend's Prometheus collectors.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collectors groups everything the backend exports on /metrics.
type Collectors struct {
	KVLatency     *prometheus.HistogramVec
	KVErrors      *prometheus.CounterVec
	Downloads     *prometheus.CounterVec
	RelayLag      prometheus.Gauge
	RelayBatch    prometheus.Histogram
	SessionsLive  prometheus.Gauge
	QuotaRejected *prometheus.CounterVec
	Notifications *prometheus.CounterVec
}

// New creates the collectors and registers them with reg.
func New(reg prometheus.Registerer) *Collectors {
	c := &Collectors{
		KVLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "hoopoe",
			Subsystem: "kv",
			Name:      "request_seconds",
			Help:      "Latency of Workers KV REST calls.",
			Buckets:   prometheus.ExponentialBuckets(0.01, 2, 10),
		}, []string{"op"}),
		KVErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "hoopoe",
			Subsystem: "kv",
			Name:      "errors_total",
			Help:      "Failed Workers KV REST calls.",
		}, []string{"op"}),
		Downloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "hoopoe",
			Name:      "episode_downloads_total",
			Help:      "Episode downloads reported by the edge.",
		}, []string{"show"}),
		RelayLag: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "hoopoe",
			Subsystem: "relay",
			Name:      "lag_seconds",
			Help:      "Age of the oldest unrelayed outbox row.",
		}),
		RelayBatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "hoopoe",
			Subsystem: "relay",
			Name:      "batch_rows",
			Help:      "Rows relayed per outbox poll.",
			Buckets:   prometheus.LinearBuckets(0, 50, 10),
		}),
		SessionsLive: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "hoopoe",
			Name:      "sessions_created",
			Help:      "Sessions created since start.",
		}),
		QuotaRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "hoopoe",
			Name:      "quota_rejected_total",
			Help:      "API calls refused by the quota middleware.",
		}, []string{"plan"}),
		Notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "hoopoe",
			Subsystem: "relay",
			Name:      "notifications_total",
			Help:      "Postgres notifications handled, by channel.",
		}, []string{"channel"}),
	}
	reg.MustRegister(c.KVLatency, c.KVErrors, c.Downloads, c.RelayLag, c.RelayBatch,
		c.SessionsLive, c.QuotaRejected, c.Notifications)
	return c
}

// Time starts a timer for one KV operation; call ObserveDuration when done.
func (c *Collectors) Time(op string) *prometheus.Timer {
	return prometheus.NewTimer(c.KVLatency.WithLabelValues(op))
}
