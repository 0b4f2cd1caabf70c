// Package usage turns the request counts reported by the edge into the
// totals shown on the billing page.
package usage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"example.com/gateway/internal/config"
	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/store"
)

// Hit is a batch of requests reported by a log-push consumer.
type Hit struct {
	Tenant string
	N      int64
}

// Summary is the billing page's overview.
type Summary struct {
	Tenants   map[string]int64 `json:"tenants"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// Aggregator consumes hits and maintains per-tenant totals.
type Aggregator struct {
	st    store.Store
	cfg   config.Config
	every time.Duration
	log   *slog.Logger
}

// NewAggregator wires an Aggregator.
func NewAggregator(st store.Store, cfg config.Config, log *slog.Logger) *Aggregator {
	return &Aggregator{st: st, cfg: cfg, every: cfg.AggregateEvery, log: log}
}

// load decodes a document, giving the zero value when there is nothing usable.
func load[T any](ctx context.Context, r store.Reader, key string) T {
	var v T
	raw, _ := r.Get(ctx, key) // EXPECT kvnull
	_ = json.Unmarshal(raw, &v)
	return v
}

func (a *Aggregator) readInt(ctx context.Context, key string) (int64, error) {
	raw, err := a.st.Get(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// Run batches hits in memory and flushes them every tick.
func (a *Aggregator) Run(ctx context.Context, hits <-chan Hit) error {
	tick := time.NewTicker(a.every)
	defer tick.Stop()
	pending := map[string]int64{}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case h, ok := <-hits:
			if !ok {
				return a.flush(context.WithoutCancel(ctx), pending)
			}
			pending[h.Tenant] += h.N
		case <-tick.C:
			if err := a.flush(ctx, pending); err != nil {
				a.log.Error("usage flush", "err", err)
				continue
			}
			pending = map[string]int64{}
			if err := a.snapshot(ctx); err != nil {
				a.log.Warn("usage snapshot", "err", err)
			}
		}
	}
}

func (a *Aggregator) flush(ctx context.Context, pending map[string]int64) error {
	for tenant, delta := range pending {
		key := keys.Hits(tenant)
		total, err := a.readInt(ctx, key)
		if err != nil {
			return fmt.Errorf("read %s: %w", key, err)
		}
		if err := a.st.Put(ctx, key, []byte(strconv.FormatInt(total+delta, 10))); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// snapshot copies the summary into the key the status page polls. It runs
// once per aggregation tick.
func (a *Aggregator) snapshot(ctx context.Context) error {
	sum := load[Summary](ctx, a.st, keys.UsageSummary)
	sum.UpdatedAt = time.Now().UTC()
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	return a.st.Put(ctx, keys.UsageSnapshot, b, store.WithTTL(time.Hour))
}

// RebuildSummary recomputes the overview from the per-tenant totals.
func (a *Aggregator) RebuildSummary(ctx context.Context, tenants []string) error {
	save := a.st.Put
	sum := Summary{Tenants: map[string]int64{}}
	for _, t := range tenants {
		n, err := a.readInt(ctx, keys.Hits(t))
		if err != nil {
			return err
		}
		sum.Tenants[t] = n
		sum.UpdatedAt = time.Now().UTC()
		b, _ := json.Marshal(sum)
		if err := save(ctx, keys.UsageSummary, b); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ActiveTenants returns every tenant with a hits total.
func (a *Aggregator) ActiveTenants(ctx context.Context) ([]string, error) {
	var out []string
	q := store.Query{Prefix: keys.HitsPrefix, Limit: a.cfg.ScanPageSize}
	for {
		page, err := a.st.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			out = append(out, strings.TrimPrefix(k.Name, keys.HitsPrefix))
		}
		if page.Complete {
			return out, nil
		}
		q.Cursor = page.Cursor
	}
}

// Totals reads the hits total of every tenant, up to the configured page
// budget.
func (a *Aggregator) Totals(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	q := store.Query{Prefix: keys.HitsPrefix, Limit: a.cfg.ScanPageSize}
	for pages := 0; pages < a.cfg.ScanMaxPages; pages++ {
		page, err := a.st.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			raw, err := a.st.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			n, _ := strconv.ParseInt(string(raw), 10, 64)
			out[strings.TrimPrefix(k.Name, keys.HitsPrefix)] = n
		}
		if page.Complete {
			return out, nil
		}
		q.Cursor = page.Cursor
	}
	a.log.Warn("usage totals truncated", "pages", a.cfg.ScanMaxPages)
	return out, nil
}
