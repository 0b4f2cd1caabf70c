// Package certcache stores ACME certificates and account keys for the
// control plane's custom playback domains in Workers KV, so every API replica
// serves the same certificates.
package certcache

import (
	"context"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"golang.org/x/crypto/acme/autocert"

	"github.com/framewell/stilt/internal/kvstore"
)

var tracer = otel.Tracer("stilt/certcache")

// challengeTTL bounds how long an http-01 or tls-alpn-01 token is kept. The
// ACME order is long finished by then.
const challengeTTL = time.Hour

// Cache implements autocert.Cache.
type Cache struct {
	ns     *kvstore.Namespace
	prefix string
}

var _ autocert.Cache = (*Cache)(nil)

// New returns a cache that stores entries under "acme:<env>:".
func New(ns *kvstore.Namespace, env string) *Cache {
	return &Cache{ns: ns, prefix: "acme:" + env + ":"}
}

// Get returns the entry stored for name.
func (c *Cache) Get(ctx context.Context, name string) ([]byte, error) {
	ctx, span := tracer.Start(ctx, "certcache.Get")
	defer span.End()
	span.SetAttributes(attribute.String("acme.name", name))

	data, err := c.ns.Get(ctx, c.prefix+name) // DEBATABLE kvnull
	if err != nil {
		span.RecordError(err)
		return nil, autocert.ErrCacheMiss
	}
	return data, nil
}

// Put stores data for name. Certificates and the account key are kept until
// replaced; challenge tokens expire.
func (c *Cache) Put(ctx context.Context, name string, data []byte) error {
	ctx, span := tracer.Start(ctx, "certcache.Put")
	defer span.End()
	span.SetAttributes(attribute.String("acme.name", name), attribute.Int("acme.bytes", len(data)))

	var ttl time.Duration
	if strings.HasSuffix(name, "+http-01") || strings.HasSuffix(name, "+token") {
		ttl = challengeTTL
	}
	if err := c.ns.Put(ctx, c.prefix+name, data, ttl); err != nil {
		span.RecordError(err)
		return err
	}
	return nil
}

// Delete removes the entry for name.
func (c *Cache) Delete(ctx context.Context, name string) error {
	ctx, span := tracer.Start(ctx, "certcache.Delete")
	defer span.End()
	return c.ns.Delete(ctx, c.prefix+name)
}
