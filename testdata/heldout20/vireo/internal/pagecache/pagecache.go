// Package pagecache keeps rendered consultation pages in KV. When a page is
// missing, one renderer takes a short lock so that a popular consultation
// opening does not send every request to the renderer at once.
package pagecache

import (
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"time"

	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

const (
	lockPoll     = 250 * time.Millisecond
	maxLockPolls = 8
	localTTL     = 5 * time.Second
	// indexKey holds the rendered consultation index the edge worker serves
	// for the site root.
	indexKey = "."
)

var (
	pageAt = kvx.Prefixed("page:")
	lockAt = kvx.Prefixed("page-lock:")
)

// Renderer produces a page's HTML from the authoritative data.
type Renderer func(ctx context.Context, slug string) ([]byte, error)

type localEntry struct {
	html []byte
	at   time.Time
}

// Cache serves rendered pages.
type Cache struct {
	Store kvstore.Store
	TTL   time.Duration
	Clock func() time.Time

	mu    sync.RWMutex
	local map[string]localEntry
}

// New returns a cache with an empty in-process layer.
func New(s kvstore.Store, ttl time.Duration, clock func() time.Time) *Cache {
	return &Cache{Store: s, TTL: ttl, Clock: clock, local: make(map[string]localEntry)}
}

func (c *Cache) fromLocal(slug string) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.local[slug]
	if !ok || c.Clock().Sub(e.at) > localTTL {
		return nil, false
	}
	return e.html, true
}

func (c *Cache) remember(slug string, html []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.local[slug] = localEntry{html: html, at: c.Clock()}
}

// Page returns the rendered page for slug, rendering it on a miss.
func (c *Cache) Page(ctx context.Context, slug string, render Renderer) ([]byte, error) {
	if html, ok := c.fromLocal(slug); ok {
		return html, nil
	}
	html, err := c.Store.Get(ctx, pageAt(slug))
	if err == nil {
		c.remember(slug, html)
		return html, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}

	held, err := c.acquire(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !held {
		if html, ok := c.await(ctx, slug); ok {
			return html, nil
		}
	}
	html, err = render(ctx, slug)
	if err != nil {
		return nil, err
	}
	if err := c.Store.Put(ctx, pageAt(slug), html, kvstore.WriteOptions{
		TTL:      cmp.Or(c.TTL, 5*time.Minute),
		Metadata: map[string]int64{"rendered": c.Clock().Unix()},
	}); err != nil {
		return nil, err
	}
	c.remember(slug, html)
	if held {
		_ = c.Store.Delete(ctx, lockAt(slug))
	}
	return html, nil
}

func (c *Cache) acquire(ctx context.Context, slug string) (bool, error) {
	busy, err := kvx.Exists(ctx, c.Store, lockAt(slug))
	if err != nil || busy {
		return false, err
	}
	err = c.Store.Put(ctx, lockAt(slug), []byte(rand.Text()), kvstore.WriteOptions{ // EXPECT kvrace
		TTL: 10 * time.Second, // EXPECT kvttl
	})
	return err == nil, err
}

// await polls for the page another renderer is producing.
func (c *Cache) await(ctx context.Context, slug string) ([]byte, bool) {
	t := time.NewTicker(lockPoll)
	defer t.Stop()
	for range maxLockPolls {
		select {
		case <-ctx.Done():
			return nil, false
		case <-t.C:
		}
		if html, err := c.Store.Get(ctx, pageAt(slug)); err == nil {
			c.remember(slug, html)
			return html, true
		}
	}
	return nil, false
}

// Invalidate drops a page after its consultation changed.
func (c *Cache) Invalidate(ctx context.Context, slug string) error {
	c.mu.Lock()
	delete(c.local, slug)
	c.mu.Unlock()
	return c.Store.Delete(ctx, pageAt(slug))
}

// WarmIndex stores the pre-rendered consultation index.
func (c *Cache) WarmIndex(ctx context.Context, html []byte) error {
	return c.Store.Put(ctx,
		indexKey, // EXPECT kvlimits
		html, kvstore.WriteOptions{TTL: cmp.Or(c.TTL, 5*time.Minute)})
}
