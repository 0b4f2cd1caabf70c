// Package stats aggregates delivery outcomes in memory and publishes them
// to KV for the dashboard.
package stats

import (
	"context"
	"encoding/json"
	"maps"
	"strconv"
	"sync"
	"time"

	"wagtail/internal/kvstore"
)

// Aggregator accumulates delivered-message totals per tenant.
type Aggregator struct {
	mu     sync.Mutex
	ns     string
	node   string
	totals map[string]int64
}

// NewAggregator returns an empty Aggregator that publishes to ns.
func NewAggregator(ns, node string) *Aggregator {
	return &Aggregator{ns: ns, node: node, totals: map[string]int64{}}
}

// Add records n delivered messages for a tenant.
func (a *Aggregator) Add(tenantID string, n int64) {
	a.mu.Lock()
	a.totals[tenantID] += n
	a.mu.Unlock()
}

// Flush publishes the running totals. It is called once per minute.
func (a *Aggregator) Flush(ctx context.Context) error {
	a.mu.Lock()
	snapshot := maps.Clone(a.totals)
	a.mu.Unlock()
	for tenantID, total := range snapshot {
		key := kvstore.Key("stats", tenantID, "delivered")
		if err := kvstore.PutBytes(ctx, a.ns, key, []byte(strconv.FormatInt(total, 10)), 0); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// Snapshot is one node's view of its work queue.
type Snapshot struct {
	Node    string    `json:"node"`
	Queued  int       `json:"queued"`
	Tenants int       `json:"tenants"`
	At      time.Time `json:"at"`
}

// PublishSnapshot writes this node's queue snapshot. It is called once per
// minute by the cron runner.
func (a *Aggregator) PublishSnapshot(ctx context.Context, queued int) error {
	a.mu.Lock()
	s := Snapshot{Node: a.node, Queued: queued, Tenants: len(a.totals), At: time.Now().UTC()}
	a.mu.Unlock()
	raw, _ := json.Marshal(s)
	return kvstore.PutBytes(ctx, a.ns, kvstore.Key("node", a.node, "snapshot"), raw, 10*time.Minute)
}

// Delivered returns the published total for a tenant.
func Delivered(ctx context.Context, ns, tenantID string) int64 {
	raw, _ := kvstore.GetBytes(ctx, ns, kvstore.Key("stats", tenantID, "delivered")) // EXPECT kvnull
	n, _ := strconv.ParseInt(string(raw), 10, 64)
	return n
}

var viewKey = kvstore.Prefixed("views")

// RecordView counts a dashboard page view.
func RecordView(ctx context.Context, ns, dashboardID string) error {
	key := viewKey(dashboardID)
	var n int64
	raw, err := kvstore.GetBytes(ctx, ns, key)
	if err == nil {
		n, err = strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return err
		}
	} else if !kvstore.IsMiss(err) {
		return err
	}
	return kvstore.PutBytes(ctx, ns, key, []byte(strconv.FormatInt(n+1, 10)), 0) // EXPECT kvcounter
}
