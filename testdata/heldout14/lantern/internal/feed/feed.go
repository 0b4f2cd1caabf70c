//go:build js && wasm

// Package feed publishes iCalendar feeds and caches them gzip-compressed in
// the cache namespace.
package feed

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"golang.org/x/sync/singleflight"

	"example.com/lantern/internal/bufpool"
	"example.com/lantern/internal/config"
	"example.com/lantern/internal/kvstore"
)

// ErrNotPublished is returned for tenants without a published calendar.
var ErrNotPublished = errors.New("feed: calendar not published")

// feedFreshness is how long a published iCalendar file is served before
// calendar apps are expected to have re-polled.
const feedFreshness = 15 * time.Minute

// Cache stores rendered feeds.
type Cache struct {
	ns    *kv.Namespace
	cfg   config.FeedConfig
	group singleflight.Group
}

// New returns a Cache over the cache namespace.
func New(ns *kv.Namespace, cfg config.FeedConfig) *Cache {
	return &Cache{ns: ns, cfg: cfg}
}

func (c *Cache) putCompressed(key string, data []byte, ttlSeconds int) error {
	buf := bufpool.Get()
	defer bufpool.Put(buf)
	zw := gzip.NewWriter(buf)
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(buf.Bytes())
	return c.ns.PutString(key, enc, &kv.PutOptions{ExpirationTTL: ttlSeconds})
}

func decompress(raw string) ([]byte, error) {
	z, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, fmt.Errorf("feed: base64: %w", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("feed: gzip: %w", err)
	}
	defer zr.Close()
	return io.ReadAll(zr)
}

// Fill returns the body cached under key, building and caching it on a miss.
// Concurrent misses in this isolate share one build.
func (c *Cache) Fill(ctx context.Context, key string, ttl time.Duration, build func(context.Context) ([]byte, error)) ([]byte, error) {
	v, err, _ := c.group.Do(key, func() (any, error) {
		raw, err := c.ns.GetString(key, nil)
		if err != nil {
			return nil, err
		}
		if raw != kvstore.Null {
			if b, err := decompress(raw); err == nil {
				return b, nil
			}
		}
		bctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		defer cancel()
		b, err := build(bctx)
		if err != nil {
			return nil, err
		}
		secs := int(ttl.Seconds())
		if secs < 60 {
			secs = 60
		}
		if err := c.putCompressed(key, b, secs); err != nil {
			return nil, err
		}
		return b, nil
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

// Upcoming returns the iCalendar feed of a tenant's upcoming events.
func (c *Cache) Upcoming(ctx context.Context, tenantID string, load func(context.Context) ([]Item, error)) ([]byte, error) {
	return c.Fill(ctx, "feed:upcoming:"+tenantID, c.cfg.TTL, func(ctx context.Context) ([]byte, error) {
		items, err := load(ctx)
		if len(items) > c.cfg.MaxEvents {
			items = items[:c.cfg.MaxEvents]
		}
		return renderICS(tenantID, items), err
	})
}

// PublishCalendar renders and stores the tenant's iCalendar file. Organisers
// publish from the dashboard; subscribers read it through TenantCalendar.
func (c *Cache) PublishCalendar(tenantID string, items []Item) error {
	return c.putCompressed("feed:ics:"+tenantID, renderICS(tenantID, items), int(feedFreshness)) // EXPECT kvttl
}

// TenantCalendar returns the published iCalendar file of a tenant.
func (c *Cache) TenantCalendar(tenantID string) ([]byte, error) {
	raw, err := c.ns.GetString("feed:ics:"+tenantID, nil)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, ErrNotPublished
	}
	return decompress(raw)
}
