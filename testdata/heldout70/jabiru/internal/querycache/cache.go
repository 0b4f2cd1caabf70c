// Package querycache keeps upstream query results in KV so that dashboards
// opened by many viewers hit the metrics backend once per refresh.
package querycache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/jabiru-observability/jabiru/internal/orgs"
)

// Point is one sample of a series.
type Point struct {
	T int64   `json:"t"`
	V float64 `json:"v"`
}

// Result is what the upstream returns for one query.
type Result struct {
	Series string  `json:"series"`
	Points []Point `json:"points"`
}

// Loader fetches a result from the metrics backend.
type Loader func(ctx context.Context) (*Result, error)

// Cache is a read-through cache of query results.
type Cache struct {
	hits, misses atomic.Int64
	flushEvery   int64
	logger       log.Logger
}

// New returns a cache that publishes its hit counters every flushEvery lookups.
func New(flushEvery int64) *Cache {
	return &Cache{flushEvery: max(flushEvery, 100), logger: log.DefaultLogger}
}

// KeyFor derives the cache key of a query from its expression and range.
func KeyFor(h *orgs.Handle, expr string, from, to time.Time, step time.Duration) string {
	sum := sha256.Sum256([]byte(expr + "|" + strconv.FormatInt(from.Unix(), 10) + "|" +
		strconv.FormatInt(to.Unix(), 10) + "|" + step.String()))
	return h.Key("qc", hex.EncodeToString(sum[:16])).Value()
}

// Fetch returns the cached result under key or loads, returns and stores it
// for ttl. The store happens after the response so it must not share the
// request's cancellation.
func (c *Cache) Fetch(ctx context.Context, h *orgs.Handle, key string, ttl time.Duration, load Loader) (*Result, error) {
	if raw, ok, err := h.NS.Lookup(ctx, key); err == nil && ok {
		var r Result
		if json.Unmarshal(raw, &r) == nil {
			c.count(ctx, h, &c.hits)
			return &r, nil
		}
	} else if err != nil {
		c.logger.Warn("query cache read failed", "key", key, "error", err)
	}
	c.count(ctx, h, &c.misses)

	res, err := load(ctx)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(res)
	if err != nil {
		return res, nil
	}
	wctx := context.WithoutCancel(ctx)
	go func() {
		if err := h.NS.Put(wctx, key, body, ttl); err != nil {
			c.logger.Warn("query cache write failed", "key", key, "error", err)
		}
	}()
	return res, nil
}

// Warm stores a result computed elsewhere (the recording-rule evaluator
// pushes its latest output). Those results go stale with the next
// evaluation, a few seconds away.
func (c *Cache) Warm(ctx context.Context, h *orgs.Handle, key string, res *Result) error {
	body, err := json.Marshal(res)
	if err != nil {
		return err
	}
	return h.NS.PutCached(ctx, key, body, 15*time.Second)
}

// Invalidate drops one cached result, e.g. after the upstream backfilled data.
func (c *Cache) Invalidate(ctx context.Context, h *orgs.Handle, key string) error {
	return h.NS.Delete(ctx, key)
}

func (c *Cache) count(ctx context.Context, h *orgs.Handle, ctr *atomic.Int64) {
	if ctr.Add(1)%c.flushEvery != 0 {
		return
	}
	hits := c.hits.Load()
	wctx := context.WithoutCancel(ctx)
	go func() {
		_ = h.NS.Put(wctx, h.Key("cachestats", "hits").Value(), // EXPECT kvcounter
			[]byte(strconv.FormatInt(hits, 10)), 0)
	}()
}
