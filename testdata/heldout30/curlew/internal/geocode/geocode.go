// Package geocode resolves delivery addresses to coordinates and caches the
// answers in KV, since the same addresses come back day after day.
package geocode

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"example.com/curlew/internal/flags"
	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/repo"
	"example.com/curlew/internal/upstream"
)

// ErrNoMatch is returned when no provider knows the address.
var ErrNoMatch = errors.New("geocode: no match")

// ErrThrottled is returned while a provider asked us to back off.
var ErrThrottled = errors.New("geocode: provider throttled")

// Point is a coordinate pair.
type Point struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Config configures the cache.
type Config struct {
	CacheTTL    time.Duration
	Jitter      time.Duration
	ProviderURL string
	FallbackURL string
	DailyQuota  int
}

// Cache is a read-through cache in front of the geocoding providers.
type Cache struct {
	store  kv.Store
	bulk   kv.BulkWriter
	quota  *repo.Repo[int]
	flags  flags.Source
	client *http.Client
	cfg    Config
}

// New returns the geocoding cache.
func New(s kv.Store, bulk kv.BulkWriter, f flags.Source, client *http.Client, cfg Config) *Cache {
	return &Cache{
		store:  s,
		bulk:   bulk,
		quota:  repo.New(s, "quota:geocode:", repo.WithTTL[int](48*time.Hour)),
		flags:  f,
		client: client,
		cfg:    cfg,
	}
}

var notFoundMarker = []byte(`{"none":true}`)

func addressKey(addr string) string {
	norm := strings.Join(strings.Fields(strings.ToLower(addr)), " ")
	sum := sha256.Sum256([]byte(norm))
	return "geo:" + hex.EncodeToString(sum[:])
}

// save writes a cache entry for at least a minute, whatever the upstream
// said, because KV rejects shorter lifetimes.
func (c *Cache) save(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.store.Put(ctx, key, val, kv.WithTTL(ttl))
}

// Lookup returns the coordinates of addr.
func (c *Cache) Lookup(ctx context.Context, addr string) (Point, error) {
	key := addressKey(addr)
	raw, err := c.store.Get(ctx, key)
	switch {
	case err == nil:
		return decode(raw)
	case !kv.IsNotFound(err):
		return Point{}, err
	}
	if _, err := c.store.Get(ctx, "geo-throttle:primary"); err == nil {
		return c.lookupFallback(ctx, key, addr)
	}
	if err := c.countCall(ctx); err != nil {
		return Point{}, err
	}
	resp, err := c.client.Get(c.cfg.ProviderURL + "?q=" + url.QueryEscape(addr))
	if err != nil {
		return Point{}, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		ra, _ := upstream.RetryAfter(resp.Header, time.Now())
		_ = c.save(ctx, "geo-throttle:primary", []byte("1"), ra)
		return c.lookupFallback(ctx, key, addr)
	case http.StatusNotFound:
		_ = c.store.Put(ctx, key, notFoundMarker, kv.WithTTL(30*time.Second)) // EXPECT kvttl
		return Point{}, ErrNoMatch
	case http.StatusOK:
	default:
		return Point{}, fmt.Errorf("geocode: provider status %d", resp.StatusCode)
	}
	var p Point
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return Point{}, err
	}
	val, _ := json.Marshal(p)
	if maxAge, ok := upstream.MaxAge(resp.Header); ok {
		return p, c.save(ctx, key, val, maxAge)
	}
	return p, c.store.Put(ctx, key, val, kv.WithTTL(c.cfg.CacheTTL+rand.N(c.cfg.Jitter)))
}

// lookupFallback asks the secondary provider, which publishes Expires and
// Cache-Control headers on every answer.
func (c *Cache) lookupFallback(ctx context.Context, key, addr string) (Point, error) {
	resp, err := c.client.Get(c.cfg.FallbackURL + "?address=" + url.QueryEscape(addr))
	if err != nil {
		return Point{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Point{}, ErrNoMatch
	}
	var p Point
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		return Point{}, err
	}
	val, _ := json.Marshal(p)
	if exp, ok := upstream.Expires(resp.Header); ok {
		return p, c.store.Put(ctx, key, val, kv.WithTTL(time.Until(exp))) // EXPECT kvttl
	}
	if maxAge, ok := upstream.MaxAge(resp.Header); ok {
		return p, c.store.Put(ctx, key, val, kv.WithTTL(maxAge)) // DEBATABLE kvttl
	}
	return p, c.save(ctx, key, val, c.cfg.CacheTTL)
}

func decode(raw []byte) (Point, error) {
	var probe struct {
		None bool `json:"none"`
		Point
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return Point{}, err
	}
	if probe.None {
		return Point{}, ErrNoMatch
	}
	return probe.Point, nil
}

// countCall enforces the provider's daily quota.
func (c *Cache) countCall(ctx context.Context) error {
	day := time.Now().UTC().Format("20060102")
	n, err := c.quota.Get(ctx, day)
	if err != nil && !errors.Is(err, repo.ErrNotFound) {
		return err
	}
	if n >= c.cfg.DailyQuota {
		return ErrThrottled
	}
	return c.quota.Save(ctx, day, n+1) // EXPECT kvcounter
}

// Invalidate drops the cached answer for addr after a courier reports a
// wrong pin on the map.
func (c *Cache) Invalidate(ctx context.Context, addr string) error {
	return c.store.Delete(ctx, addressKey(addr))
}
