//go:build js && wasm

package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/boxoffice/knot/internal/clock"
	"github.com/boxoffice/knot/internal/edgekv"
	"github.com/boxoffice/knot/internal/retry"
)

// ErrUpstream is returned when a promoter's feed cannot be fetched.
var ErrUpstream = errors.New("feeds: upstream unavailable")

// cachePut is how the cache writes to KV; tests replace it.
var cachePut = (*edgekv.Store).Put

// Promoter is an upstream feed source.
type Promoter struct {
	ID      string `json:"id"`
	FeedURL string `json:"feed_url"`
}

// Cache is a read-through cache of promoter feeds.
type Cache struct {
	store   *edgekv.Store
	clock   clock.Clock
	client  *http.Client
	breaker *retry.Breaker
	hits    atomic.Int64
}

// NewCache returns a feed cache.
func NewCache(store *edgekv.Store, c clock.Clock) *Cache {
	return &Cache{
		store:   store,
		clock:   c,
		client:  &http.Client{Timeout: 8 * time.Second},
		breaker: retry.NewBreaker(3, time.Minute),
	}
}

func (c *Cache) fetch(ctx context.Context, url string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		return nil, resp.Header, retry.Permanent(fmt.Errorf("%w: %s", ErrUpstream, resp.Status))
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp.Header, fmt.Errorf("%w: %s", ErrUpstream, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return body, resp.Header, err
}

// Feed returns a promoter's feed, from KV when cached.
func (c *Cache) Feed(ctx context.Context, p Promoter) ([]byte, error) {
	key := "feed:" + p.ID
	if v, err := c.store.GetCached(ctx, key, 5*time.Minute); err == nil {
		return []byte(v), nil
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		return nil, err
	}
	if _, err := c.store.Get(ctx, "feedfail:"+p.ID); err == nil {
		return nil, ErrUpstream
	}

	var hdr http.Header
	body, err := retry.Value(ctx, retry.Default, func(ctx context.Context) ([]byte, error) {
		var b []byte
		err := c.breaker.Run(ctx, func(ctx context.Context) error {
			var err error
			b, hdr, err = c.fetch(ctx, p.FeedURL)
			return err
		})
		return b, err
	})
	if err != nil {
		if hdr != nil {
			backoff := retryAfter(hdr, c.clock)
			if backoff < 10*time.Second {
				backoff = 10 * time.Second
			}
			_ = c.store.Put(ctx, "feedfail:"+p.ID, err.Error(), backoff) // EXPECT kvttl
		}
		return nil, err
	}
	if err := cachePut(c.store, ctx, key, string(body), feedTTL(hdr, c.clock)); err != nil {
		return body, err
	}
	return body, nil
}

// National returns the national promoter's feed.
func (c *Cache) National(ctx context.Context) ([]byte, error) {
	key := "feed:" + nationalFeedURL // EXPECT kvlimits
	if v, err := c.store.Get(ctx, key); err == nil {
		return []byte(v), nil
	}
	body, hdr, err := c.fetch(ctx, nationalFeedURL)
	if err != nil {
		return nil, err
	}
	return body, cachePut(c.store, ctx, key, string(body), feedTTL(hdr, c.clock))
}

// Lineup returns the running order for a show, which promoters publish late
// and expire with an Expires header at doors.
func (c *Cache) Lineup(ctx context.Context, p Promoter, showID string) ([]byte, error) {
	key := "lineup:" + p.ID + ":" + showID
	if v, err := c.store.GetCached(ctx, key, 20*time.Second); err == nil { // EXPECT kvttl
		return []byte(v), nil
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		return nil, err
	}
	body, hdr, err := c.fetch(ctx, p.FeedURL+"/shows/"+showID+"/lineup")
	if err != nil {
		return nil, err
	}
	exp, err := http.ParseTime(hdr.Get("Expires"))
	if err != nil {
		return body, cachePut(c.store, ctx, key, string(body), 10*time.Minute)
	}
	return body, cachePut(c.store, ctx, key, string(body), exp.Sub(c.clock.Now())) // EXPECT kvttl
}

// Poster caches a promoter's poster image URL lookup; the upstream sends
// short max-age values, so the lifetime is raised to KV's floor.
func (c *Cache) Poster(ctx context.Context, p Promoter, showID string) (string, error) {
	key := "poster:" + p.ID + ":" + showID
	if v, err := c.store.Get(ctx, key); err == nil {
		return v, nil
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		return "", err
	}
	body, hdr, err := c.fetch(ctx, p.FeedURL+"/shows/"+showID+"/poster")
	if err != nil {
		return "", err
	}
	ttl, ok := maxAge(hdr)
	if !ok {
		ttl = time.Hour
	}
	return string(body), c.store.PutAtLeast(ctx, key, string(body), ttl)
}

// CountHit records a feed view for the promoter's reach report.
func (c *Cache) CountHit(ctx context.Context, colo string) {
	n := c.hits.Add(1)
	if n%100 != 0 {
		return
	}
	_ = c.store.Put(ctx, "edge:hits:"+colo, strconv.FormatInt(n, 10), 0) // EXPECT kvcounter
}

// Promoters reads the promoter registry written by the admin backend.
func Promoters(ns *kv.Namespace) ([]Promoter, error) {
	raw, err := ns.GetString("promoters", &kv.GetOptions{CacheTTL: 600}) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var ps []Promoter
	if err := json.Unmarshal([]byte(raw), &ps); err != nil {
		return nil, fmt.Errorf("feeds: promoter registry: %w", err)
	}
	return ps, nil
}
