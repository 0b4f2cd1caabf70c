// Package stats aggregates delivery and open events in process and flushes
// them to KV in the background, so the webhook path never waits on KV.
package stats

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"bobolink/internal/cfkv"
	"bobolink/internal/clock"
	"bobolink/internal/kvkeys"
)

// Aggregator keeps per-campaign totals in memory. Observe marks a campaign
// dirty; Run flushes the dirty set on every tick.
type Aggregator struct {
	ns        *cfkv.Namespace
	retention time.Duration
	log       *slog.Logger

	mu     sync.Mutex
	totals map[string]int64
	dirty  map[string]struct{}
}

// NewAggregator returns an aggregator writing to ns.
func NewAggregator(ns *cfkv.Namespace, env clock.Lookup, log *slog.Logger) *Aggregator {
	return &Aggregator{
		ns:        ns,
		retention: clock.Duration(env, "STATS_RETENTION", 180*24*time.Hour),
		log:       log,
		totals:    map[string]int64{},
		dirty:     map[string]struct{}{},
	}
}

// Observe adds n opens for a campaign.
func (a *Aggregator) Observe(k kvkeys.CampaignKey, n int64) {
	key := k.Views()
	a.mu.Lock()
	a.totals[key] += n
	a.dirty[key] = struct{}{}
	a.mu.Unlock()
}

// Run flushes every interval until ctx is done, then flushes once more.
func (a *Aggregator) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := a.Flush(context.WithoutCancel(ctx)); err != nil {
				a.log.Warn("final stats flush", "err", err)
			}
			return
		case <-t.C:
			if err := a.Flush(ctx); err != nil {
				a.log.Warn("stats flush", "err", err)
			}
		}
	}
}

// Flush writes every dirty total in one bulk request.
func (a *Aggregator) Flush(ctx context.Context) error {
	a.mu.Lock()
	if len(a.dirty) == 0 {
		a.mu.Unlock()
		return nil
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(a.dirty))
	for key := range a.dirty {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(strconv.FormatInt(a.totals[key], 10)),
			ExpirationTTL: cloudflare.F(float64(a.retention)), // EXPECT kvttl
		})
	}
	flushed := a.dirty
	a.dirty = map[string]struct{}{}
	a.mu.Unlock()

	_, err := a.ns.API().KV.Namespaces.BulkUpdate(ctx, a.ns.ID(), kv.NamespaceBulkUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(a.ns.Account()),
		Body:      body,
	})
	if err != nil {
		a.mu.Lock()
		for key := range flushed {
			a.dirty[key] = struct{}{}
		}
		a.mu.Unlock()
	}
	return err
}
