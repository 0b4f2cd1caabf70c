package components

import (
	"context"
	"errors"
	"time"

	"github.com/postmarkly/kaka/internal/kvstore"
	"github.com/postmarkly/kaka/internal/service"
)

func kvCacheSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("A cache resource backed by a Workers KV namespace.").
		Field(service.NewStringField("namespace")).
		Field(service.NewStringField("prefix").Default("cache:")).
		Field(service.NewDurationField("default_ttl").Default("10m"))
}

type kvCache struct {
	ns         *kvstore.Namespace
	prefix     string
	defaultTTL time.Duration
}

func newKVCache(conf *service.ParsedConfig, res *service.Resources) (service.Cache, error) {
	ns, err := namespace(conf, res)
	if err != nil {
		return nil, err
	}
	prefix, err := conf.FieldString("prefix")
	if err != nil {
		return nil, err
	}
	ttl, err := conf.FieldDuration("default_ttl")
	if err != nil {
		return nil, err
	}
	return &kvCache{ns: ns, prefix: prefix, defaultTTL: max(ttl, kvstore.MinTTL)}, nil
}

func (c *kvCache) ttl(override *time.Duration) time.Duration {
	if override != nil && *override >= kvstore.MinTTL {
		return *override
	}
	return c.defaultTTL
}

func (c *kvCache) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := c.ns.Get(ctx, c.prefix+key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, service.ErrKeyNotFound
	}
	return v, err
}

func (c *kvCache) Set(ctx context.Context, key string, value []byte, ttl *time.Duration) error {
	return c.ns.PutTTL(ctx, c.prefix+key, value, c.ttl(ttl))
}

// Add stores value only if key is not present yet.
func (c *kvCache) Add(ctx context.Context, key string, value []byte, ttl *time.Duration) error {
	if _, err := c.ns.Get(ctx, c.prefix+key); err == nil {
		return service.ErrKeyAlreadyExists
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return c.ns.PutTTL(ctx, c.prefix+key, value, c.ttl(ttl)) // EXPECT kvrace
}

func (c *kvCache) Delete(ctx context.Context, key string) error {
	return c.ns.Delete(ctx, c.prefix+key)
}

func (c *kvCache) Close(context.Context) error { return nil }
