// Package certcache keeps the account service's ACME account key and
// certificates in Workers KV, so that every replica serves the same
// certificate and renewals are not repeated per machine.
package certcache

import (
	"context"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"golang.org/x/crypto/acme/autocert"

	"github.com/forumworks/guillemot/internal/kv"
)

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/certcache")

// challengeTTL bounds http-01 challenge tokens, which autocert deletes
// itself once the order completes.
const challengeTTL = 10 * time.Minute

// Cache implements autocert.Cache.
type Cache struct {
	ns     *kv.Namespace
	prefix string
}

var _ autocert.Cache = (*Cache)(nil)

// New returns a cache storing entries under "acme:<prefix>/".
func New(ns *kv.Namespace, prefix string) *Cache {
	return &Cache{ns: ns, prefix: "acme:" + prefix + "/"}
}

// Get returns the stored data or autocert.ErrCacheMiss.
func (c *Cache) Get(ctx context.Context, name string) ([]byte, error) {
	ctx, span := tracer.Start(ctx, "certcache.get")
	defer span.End()
	span.SetAttributes(attribute.String("acme.entry", name))
	data, err := c.ns.Get(ctx, c.prefix+name) // EXPECT kvnull
	if err != nil {
		span.RecordError(err)
		return nil, autocert.ErrCacheMiss
	}
	return data, nil
}

// Put stores data. Certificates and the account key are kept until replaced;
// challenge tokens expire on their own.
func (c *Cache) Put(ctx context.Context, name string, data []byte) error {
	ctx, span := tracer.Start(ctx, "certcache.put")
	defer span.End()
	span.SetAttributes(attribute.String("acme.entry", name), attribute.Int("acme.bytes", len(data)))
	var ttl time.Duration
	if strings.HasSuffix(name, "+token") || strings.HasSuffix(name, "+http-01") {
		ttl = challengeTTL
	}
	if err := c.ns.Put(ctx, c.prefix+name, data, ttl); err != nil {
		span.RecordError(err)
		return err
	}
	return nil
}

// Delete removes an entry.
func (c *Cache) Delete(ctx context.Context, name string) error {
	ctx, span := tracer.Start(ctx, "certcache.delete")
	defer span.End()
	return c.ns.Delete(ctx, c.prefix+name)
}
