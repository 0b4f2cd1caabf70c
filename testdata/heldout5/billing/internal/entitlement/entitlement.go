// Package entitlement publishes per-customer entitlement snapshots to the
// edge namespace, where the API gateway worker reads them on every request.
package entitlement

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

// Snapshot is what the edge sees for a customer.
type Snapshot struct {
	CustomerID  string           `json:"customer_id"`
	PlanID      string           `json:"plan_id"`
	Features    map[string]bool  `json:"features"`
	Limits      map[string]int64 `json:"limits"`
	Version     int64            `json:"version"`
	PublishedAt time.Time        `json:"published_at"`
	// ValidUntil is set for trials and fixed-term grants.
	ValidUntil time.Time `json:"valid_until,omitzero"`
}

// Source computes snapshots from the billing database.
type Source interface {
	Entitlements(ctx context.Context, customerID string) (Snapshot, error)
}

// Publisher writes snapshots to the edge.
type Publisher struct {
	edge        kvstore.KV
	bulk        kvstore.BulkWriter
	src         Source
	clock       clock.Clock
	ttl         time.Duration
	concurrency int
	maxPages    int

	// Key maps a customer ID to its edge key.
	Key func(customerID string) string
}

// Option configures a Publisher.
type Option func(*Publisher)

// WithTTL sets how long a snapshot stays at the edge without a refresh.
func WithTTL(d time.Duration) Option { return func(p *Publisher) { p.ttl = d } }

// WithConcurrency bounds parallel source queries in PublishAll.
func WithConcurrency(n int) Option { return func(p *Publisher) { p.concurrency = n } }

// WithMaxPages bounds RefreshExpiring.
func WithMaxPages(n int) Option { return func(p *Publisher) { p.maxPages = n } }

const keyPrefix = "ent:"

// NewPublisher wires a publisher.
func NewPublisher(edge kvstore.KV, bulk kvstore.BulkWriter, src Source, clk clock.Clock, opts ...Option) *Publisher {
	p := &Publisher{
		edge: edge, bulk: bulk, src: src, clock: clk,
		ttl: 6 * time.Hour, concurrency: 8, maxPages: 20,
		Key: func(id string) string { return keyPrefix + id },
	}
	for _, o := range opts {
		o(p)
	}
	return p
}

func (p *Publisher) encode(s Snapshot) ([]byte, error) {
	s.PublishedAt = p.clock.Now().UTC()
	return json.Marshal(s)
}

// Publish recomputes and writes one customer's snapshot.
func (p *Publisher) Publish(ctx context.Context, customerID string) error {
	snap, err := p.src.Entitlements(ctx, customerID)
	if err != nil {
		return err
	}
	buf, err := p.encode(snap)
	if err != nil {
		return err
	}
	return p.edge.Put(ctx, p.Key(customerID), buf, kvstore.WithTTL(p.ttl))
}

// Lookup reads the snapshot the edge currently serves.
func (p *Publisher) Lookup(ctx context.Context, customerID string) (Snapshot, error) {
	raw, err := p.edge.Get(ctx, p.Key(customerID))
	if err != nil {
		return Snapshot{}, err
	}
	var s Snapshot
	return s, json.Unmarshal(raw, &s)
}

// GrantFeature turns a feature on at the edge right away, ahead of the
// next full publish (support uses this for comps).
func (p *Publisher) GrantFeature(ctx context.Context, customerID, feature string) error {
	snap, err := p.Lookup(ctx, customerID)
	if err != nil {
		return fmt.Errorf("grant %s: %w", feature, err)
	}
	if snap.Features == nil {
		snap.Features = map[string]bool{}
	}
	snap.Features[feature] = true
	snap.Version++
	buf, err := p.encode(snap)
	if err != nil {
		return err
	}
	return p.edge.Put(ctx, p.Key(customerID), buf, kvstore.WithTTL(p.ttl)) // EXPECT kvrace
}

// PublishAll recomputes snapshots for many customers and writes them with
// bulk requests.
func (p *Publisher) PublishAll(ctx context.Context, customerIDs []string) error {
	entries := make([]kvstore.BulkEntry, len(customerIDs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.concurrency)
	for i, id := range customerIDs {
		g.Go(func() error {
			snap, err := p.src.Entitlements(gctx, id)
			if err != nil {
				return fmt.Errorf("customer %s: %w", id, err)
			}
			buf, err := p.encode(snap)
			if err != nil {
				return err
			}
			e := kvstore.BulkEntry{Key: p.Key(id), Value: string(buf)}
			if !snap.ValidUntil.IsZero() {
				e.Expiration = snap.ValidUntil.UnixMilli() // EXPECT kvttl
			} else {
				e.ExpirationTTL = int64(p.ttl.Seconds())
			}
			entries[i] = e
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return p.bulk.PutMany(ctx, entries)
}

// RefreshExpiring republishes snapshots that expire within horizon. It
// walks at most maxPages pages per run; the job runs every few minutes.
func (p *Publisher) RefreshExpiring(ctx context.Context, horizon time.Duration) (int, error) {
	deadline := p.clock.Now().Add(horizon)
	cursor, refreshed := "", 0
	for range p.maxPages {
		page, err := p.edge.List(ctx, kvstore.ListQuery{Prefix: keyPrefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return refreshed, err
		}
		for _, k := range page.Keys {
			if k.Expiration.IsZero() || k.Expiration.After(deadline) {
				continue
			}
			if err := p.Publish(ctx, strings.TrimPrefix(k.Name, keyPrefix)); err != nil {
				return refreshed, err
			}
			refreshed++
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return refreshed, nil
}

// Revoke removes a customer's snapshot after cancellation; the edge falls
// back to the free tier.
func (p *Publisher) Revoke(ctx context.Context, customerID string) error {
	return p.edge.Delete(ctx, p.Key(customerID)) // DEBATABLE kvsession
}
