// Package quota enforces per-tenant API rate limits and monthly quotas.
package quota

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/d1"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/cloudflare/cloudflare-go/v4/packages/pagination"

	"example.com/edgeconf/internal/storage"
)

// Decision is the outcome of one rate-limit check.
type Decision struct {
	Allowed   bool
	Limit     int
	Remaining int
	ResetAt   time.Time
}

// Limiter decides whether the request identified by key may proceed.
type Limiter interface {
	Allow(ctx context.Context, key string) (Decision, error)
}

// LimiterConfig is shared by the limiter implementations.
type LimiterConfig struct {
	Limit  int
	Window time.Duration
	Prefix string
}

// ---------------------------------------------------------------------------
// Fixed window kept in KV (legacy; used by the free tier edge).

type fixedWindow struct {
	Count int       `json:"n"`
	First time.Time `json:"first"`
}

// KVLimiter is a fixed-window limiter whose windows live in KV.
type KVLimiter struct {
	store storage.Store
	cfg   LimiterConfig
	now   func() time.Time
}

// NewKVLimiter returns a fixed-window limiter on store.
func NewKVLimiter(store storage.Store, cfg LimiterConfig) *KVLimiter {
	if cfg.Prefix == "" {
		cfg.Prefix = "ratelimit:"
	}
	return &KVLimiter{store: store, cfg: cfg, now: time.Now}
}

func (l *KVLimiter) Allow(ctx context.Context, key string) (Decision, error) {
	now := l.now()
	start := now.Truncate(l.cfg.Window)
	d := Decision{Limit: l.cfg.Limit, ResetAt: start.Add(l.cfg.Window)}
	k := fmt.Sprintf("%s%s:%d", l.cfg.Prefix, key, start.Unix())

	w, err := storage.GetJSON[fixedWindow](ctx, l.store, k)
	if err != nil && !storage.IsNotFound(err) {
		return d, err
	}
	if w.Count >= l.cfg.Limit {
		return d, nil
	}
	if w.First.IsZero() {
		w.First = now
	}
	w.Count++
	// Keep the window around for twice its length so late requests still
	// find it; KV will not take less than a minute.
	ttl := max(2*l.cfg.Window, time.Minute)
	if err := storage.PutJSON(ctx, l.store, k, w, ttl); err != nil { // EXPECT kvcounter
		return d, err
	}
	d.Allowed, d.Remaining = true, l.cfg.Limit-w.Count
	return d, nil
}

// ---------------------------------------------------------------------------
// Token bucket kept in KV through a typed repository (burst limits).

type tokenBucket struct {
	Tokens  int       `json:"tokens"`
	Updated time.Time `json:"updated"`
}

// BucketLimiter refills one token every RefillEvery up to Capacity.
type BucketLimiter struct {
	buckets     *storage.Repo[tokenBucket]
	capacity    int
	refillEvery time.Duration
	now         func() time.Time
}

// NewBucketLimiter returns a token-bucket limiter on store.
func NewBucketLimiter(store storage.Store, capacity int, refillEvery time.Duration) *BucketLimiter {
	return &BucketLimiter{
		buckets:     storage.NewRepo[tokenBucket](store, "burst:", storage.WithTTL(time.Hour)),
		capacity:    capacity,
		refillEvery: refillEvery,
		now:         time.Now,
	}
}

func (b *BucketLimiter) Allow(ctx context.Context, key string) (Decision, error) {
	now := b.now()
	st, err := b.buckets.Get(ctx, key)
	switch {
	case storage.IsNotFound(err):
		st = tokenBucket{Tokens: b.capacity, Updated: now}
	case err != nil:
		return Decision{}, err
	}
	if refill := int(now.Sub(st.Updated) / b.refillEvery); refill > 0 {
		st.Tokens = min(b.capacity, st.Tokens+refill)
		st.Updated = st.Updated.Add(time.Duration(refill) * b.refillEvery)
	}
	d := Decision{Limit: b.capacity, ResetAt: st.Updated.Add(b.refillEvery)}
	if st.Tokens <= 0 {
		return d, nil
	}
	st.Tokens--
	if err := b.buckets.Put(ctx, key, st); err != nil { // EXPECT kvcounter
		return d, err
	}
	d.Allowed, d.Remaining = true, st.Tokens
	return d, nil
}

// ---------------------------------------------------------------------------
// D1-backed fixed window (paid tiers). The increment happens in SQL, so
// concurrent requests cannot lose updates.

type d1QueryFunc func(context.Context, string, d1.DatabaseQueryParams, ...option.RequestOption) (*pagination.SinglePage[d1.QueryResult], error)

// D1Limiter counts hits with an UPSERT in D1.
type D1Limiter struct {
	query      d1QueryFunc
	accountID  string
	databaseID string
	cfg        LimiterConfig
	now        func() time.Time
}

// NewD1Limiter returns a limiter backed by the rate_windows table.
func NewD1Limiter(client *cloudflare.Client, accountID, databaseID string, cfg LimiterConfig) *D1Limiter {
	return &D1Limiter{
		query:      client.D1.Database.Query,
		accountID:  accountID,
		databaseID: databaseID,
		cfg:        cfg,
		now:        time.Now,
	}
}

const upsertHit = `INSERT INTO rate_windows (bucket, window_start, hits) VALUES (?1, ?2, 1)
ON CONFLICT (bucket, window_start) DO UPDATE SET hits = hits + 1
RETURNING hits`

func (l *D1Limiter) Allow(ctx context.Context, key string) (Decision, error) {
	start := l.now().Truncate(l.cfg.Window)
	d := Decision{Limit: l.cfg.Limit, ResetAt: start.Add(l.cfg.Window)}
	page, err := l.query(ctx, l.databaseID, d1.DatabaseQueryParams{
		AccountID: cloudflare.F(l.accountID),
		Sql:       cloudflare.F(upsertHit),
		Params:    cloudflare.F([]string{l.cfg.Prefix + key, strconv.FormatInt(start.Unix(), 10)}),
	})
	if err != nil {
		return d, fmt.Errorf("quota: d1 upsert: %w", err)
	}
	hits, err := firstInt(page, "hits")
	if err != nil {
		return d, err
	}
	d.Allowed = hits <= l.cfg.Limit
	d.Remaining = max(0, l.cfg.Limit-hits)
	return d, nil
}

func firstInt(page *pagination.SinglePage[d1.QueryResult], col string) (int, error) {
	if page == nil || len(page.Result) == 0 || len(page.Result[0].Results) == 0 {
		return 0, errors.New("quota: d1 returned no rows")
	}
	row, ok := page.Result[0].Results[0].(map[string]any)
	if !ok {
		return 0, fmt.Errorf("quota: unexpected d1 row %T", page.Result[0].Results[0])
	}
	v, ok := row[col].(float64)
	if !ok {
		return 0, fmt.Errorf("quota: column %q missing", col)
	}
	return int(v), nil
}

// ---------------------------------------------------------------------------
// Durable Object limiter: one object per key, reached through the
// ratelimiter Worker's stub endpoint.

// DOLimiter asks the rate-limiter Durable Object for a decision.
type DOLimiter struct {
	endpoint *url.URL
	hc       *http.Client
	cfg      LimiterConfig
}

// NewDOLimiter returns a limiter that calls endpoint (the Worker in front of
// the RateLimiter Durable Object class).
func NewDOLimiter(endpoint string, hc *http.Client, cfg LimiterConfig) (*DOLimiter, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Second}
	}
	return &DOLimiter{endpoint: u, hc: hc, cfg: cfg}, nil
}

type doResponse struct {
	Allowed   bool  `json:"allowed"`
	Remaining int   `json:"remaining"`
	ResetAt   int64 `json:"reset_at"`
}

func (l *DOLimiter) Allow(ctx context.Context, key string) (Decision, error) {
	u := l.endpoint.JoinPath("objects", url.PathEscape(l.cfg.Prefix+key), "hit")
	body, _ := json.Marshal(map[string]int64{"limit": int64(l.cfg.Limit), "window_ms": l.cfg.Window.Milliseconds()})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Decision{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := l.hc.Do(req)
	if err != nil {
		return Decision{}, fmt.Errorf("quota: durable object: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Decision{}, fmt.Errorf("quota: durable object status %d", res.StatusCode)
	}
	var out doResponse
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return Decision{}, err
	}
	return Decision{Allowed: out.Allowed, Limit: l.cfg.Limit, Remaining: out.Remaining, ResetAt: time.UnixMilli(out.ResetAt)}, nil
}
