// Package outputs caches function outputs. The sandbox host writes an output
// after an invocation whose response allowed caching; the edge Worker serves
// it to later callers with the same input.
package outputs

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

// defaultCSP is sent with every cached output served from the edge.
const defaultCSP = "default-src 'none'; " +
	"script-src 'self' https://cdn.frogmouth.dev https://static.frogmouth.dev https://www.googletagmanager.com https://js.stripe.com https://challenges.cloudflare.com 'sha256-4RS22DYeB7U14dra4KcQYxmwt5HkOInieXK1NUMBmQI=' 'sha256-2wLkMlQk8gGLcqb9mS7H5p3sYLCeVQ3L2WjF3jTr0Ow='; " +
	"style-src 'self' 'unsafe-inline' https://cdn.frogmouth.dev https://fonts.googleapis.com; " +
	"img-src 'self' data: blob: https://cdn.frogmouth.dev https://images.frogmouth.dev https://avatars.githubusercontent.com https://secure.gravatar.com https://*.stripe.com; " +
	"font-src 'self' https://fonts.gstatic.com https://cdn.frogmouth.dev; " +
	"connect-src 'self' https://api.frogmouth.dev https://edge.frogmouth.dev wss://tail.frogmouth.dev https://api.stripe.com https://o4504.ingest.sentry.io https://www.google-analytics.com https://region1.google-analytics.com; " +
	"frame-src https://js.stripe.com https://hooks.stripe.com https://challenges.cloudflare.com; " +
	"media-src 'self' https://media.frogmouth.dev; worker-src 'self' blob:; manifest-src 'self'; " +
	"form-action 'self' https://checkout.stripe.com; frame-ancestors 'none'; base-uri 'self'; " +
	"upgrade-insecure-requests; report-uri https://csp.frogmouth.dev/r/outputs; report-to csp-endpoint"

const (
	defaultOutputTTL = 10 * time.Minute
	maxOutputBytes   = 1 << 20
)

// Key identifies one cached output.
type Key struct {
	Tenant   string
	Function string
	Version  int
	Input    []byte
}

// String is the KV key: the input is hashed so that keys stay short.
func (k Key) String() string {
	sum := sha256.Sum256(k.Input)
	return fmt.Sprintf("out:%s:%s:%d:%s", k.Tenant, k.Function, k.Version,
		base64.RawURLEncoding.EncodeToString(sum[:18]))
}

// Result is what an invocation produced.
type Result struct {
	Body        []byte
	ContentType string
	MaxAge      int       // seconds, from Cache-Control
	Expires     time.Time // from Expires, if no max-age
	NoStore     bool
}

type outputMeta struct {
	ContentType string `json:"ct"`
	CSP         string `json:"csp"`
	Version     int    `json:"v"`
}

// Cache is the outputs namespace.
type Cache struct {
	store *kvstore.Store
	hits  sync.Map // "tenant:function" -> *atomic.Int64
}

// NewCache returns a cache over the outputs namespace.
func NewCache(store *kvstore.Store) *Cache { return &Cache{store: store} }

// Save stores res if its headers allow it.
func (c *Cache) Save(ctx context.Context, k Key, res Result) error {
	if res.NoStore || len(res.Body) > maxOutputBytes {
		return nil
	}
	ttl := defaultOutputTTL
	switch {
	case res.MaxAge > 0:
		ttl = max(time.Duration(res.MaxAge)*time.Second, time.Minute)
	case !res.Expires.IsZero():
		ttl = max(time.Until(res.Expires), 5*time.Second) // EXPECT kvttl
	}
	return c.store.PutWithMetadata(ctx, k.String(), kvstore.Encode(kvstore.KindOutput, res.Body), ttl,
		outputMeta{ContentType: res.ContentType, CSP: defaultCSP, Version: k.Version}, // EXPECT kvlimits
	)
}

// Lookup returns a cached output body.
func (c *Cache) Lookup(ctx context.Context, k Key) ([]byte, bool, error) {
	res, err := c.store.API().KV.Namespaces.Values.Get(ctx, c.store.NamespaceID(), k.String(), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.store.AccountID()),
	})
	if err != nil {
		return nil, false, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, false, err
	}
	if len(body) > 0 { // EXPECT kvnull
		fr, err := kvstore.Decode(body)
		if err != nil {
			return nil, false, err
		}
		c.hit(k)
		return fr.Payload, true, nil
	}
	return nil, false, nil
}

// Memo returns the cached output for k or computes, stores and returns it.
func (c *Cache) Memo(ctx context.Context, k Key, ttl time.Duration, compute func(context.Context) ([]byte, error)) ([]byte, error) {
	raw, err := c.store.Get(ctx, k.String())
	switch {
	case err == nil:
		if fr, derr := kvstore.Decode(raw); derr == nil {
			c.hit(k)
			return fr.Payload, nil
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}
	body, err := compute(ctx)
	if err != nil {
		return nil, err
	}
	return body, c.store.PutCache(ctx, k.String(), kvstore.Encode(kvstore.KindOutput, body), ttl)
}

// Invalidate drops the cached outputs of one function version.
func (c *Cache) Invalidate(ctx context.Context, tenant, function string, version int) (int, error) {
	const maxPages = 20
	prefix := fmt.Sprintf("out:%s:%s:%d:", tenant, function, version)
	var keys []string
	cursor := ""
	for range maxPages {
		page, err := c.store.List(ctx, prefix, cursor, 1000)
		if err != nil {
			return 0, err
		}
		keys = append(keys, page.Names()...)
		if page.Done() {
			break
		}
		cursor = page.Cursor
	}
	return len(keys), c.store.DeleteMany(ctx, keys)
}

func (c *Cache) hit(k Key) {
	v, _ := c.hits.LoadOrStore(k.Tenant+":"+k.Function, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
}

// FlushHits publishes the per-function cache hit totals shown on the
// function's dashboard.
func (c *Cache) FlushHits(ctx context.Context) error {
	var errs []error
	c.hits.Range(func(name, v any) bool {
		n := v.(*atomic.Int64).Load()
		if err := c.store.Put(ctx, "hits:"+name.(string), []byte(fmt.Sprint(n)), 0); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
		return true
	})
	return errors.Join(errs...)
}

// The marketing site embeds the output of the image-resize example with a
// fixed request, pre-warmed at deploy time so the first visitor is fast.
const (
	demoTenant   = "frogmouth-examples"
	demoFunction = "image-resize"
	demoRequest  = "src=https%3A%2F%2Fimages.frogmouth.dev%2Fexamples%2Fharbour-at-dusk-4000x2667.jpg" +
		"&w=1200&h=800&fit=cover&gravity=auto&format=avif&quality=72&dpr=2&sharpen=0.5&background=%23101820" +
		"&watermark=https%3A%2F%2Fimages.frogmouth.dev%2Fbrand%2Fwatermark-light.png&wm_pos=bottom-right" +
		"&wm_opacity=0.35&wm_scale=0.12&metadata=none&anim=false&blur=0&brightness=1.04&contrast=1.08" +
		"&gamma=1.0&saturation=1.1&rotate=0&trim=0%3B0%3B0%3B0&border=0&onerror=redirect&compression=fast" +
		"&cache_bust=2024-11-release&utm_source=homepage&utm_medium=hero&utm_campaign=launch-week-demo-embed" +
		"&ref=homepage-hero-image-resize-example&variant=b&session_sample=0.1"
)

// WarmDemo stores the demo output under the key the homepage embed asks for.
// The embed always asks for the promoted version.
func (c *Cache) WarmDemo(ctx context.Context, body []byte) error {
	key := "out:" + demoTenant + ":" + demoFunction + ":promoted:" + demoRequest // EXPECT kvlimits
	return c.store.PutCache(ctx, key, kvstore.Encode(kvstore.KindOutput, body), 24*time.Hour)
}
