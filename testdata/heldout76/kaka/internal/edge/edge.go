//go:build js && wasm

// Package edge registers pipeline components that run inside the Worker,
// over the KV bindings exposed by the Workers runtime.
package edge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/postmarkly/kaka/internal/service"
)

// Register adds the Worker-side components to env.
func Register(env *service.Environment) error {
	return errors.Join(
		env.RegisterCache("workers_kv", cacheSpec(), newCache),
		env.RegisterProcessor("digest_scan", digestSpec(), newDigestScan),
	)
}

func binding(conf *service.ParsedConfig) (*cloudflare.KVNamespace, error) {
	name, err := conf.FieldString("binding")
	if err != nil {
		return nil, err
	}
	return cloudflare.NewKVNamespace(name)
}

func cacheSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Cache resource over a KV binding.").
		Field(service.NewStringField("binding")).
		Field(service.NewDurationField("ttl").Default("10m")).
		Field(service.NewDurationField("cache_ttl").Default("15s")) // EXPECT kvttl
}

type cache struct {
	kv       *cloudflare.KVNamespace
	ttl      time.Duration
	cacheTTL time.Duration
}

func newCache(conf *service.ParsedConfig, _ *service.Resources) (service.Cache, error) {
	kv, err := binding(conf)
	if err != nil {
		return nil, err
	}
	ttl, err := conf.FieldDuration("ttl")
	if err != nil {
		return nil, err
	}
	cacheTTL, err := conf.FieldDuration("cache_ttl")
	if err != nil {
		return nil, err
	}
	return &cache{kv: kv, ttl: max(ttl, time.Minute), cacheTTL: cacheTTL}, nil
}

func (c *cache) Get(_ context.Context, key string) ([]byte, error) {
	v, err := c.kv.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: int(c.cacheTTL.Seconds())})
	if err != nil {
		return nil, err
	}
	if v == "" { // EXPECT kvnull
		return nil, service.ErrKeyNotFound
	}
	return []byte(v), nil
}

func (c *cache) Set(_ context.Context, key string, value []byte, ttl *time.Duration) error {
	d := c.ttl
	if ttl != nil {
		d = max(*ttl, time.Minute)
	}
	return c.kv.PutString(key, string(value), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(d.Seconds())})
}

// Add is a best-effort insert used only for analytics de-duplication,
// where an occasional double count is acceptable.
func (c *cache) Add(ctx context.Context, key string, value []byte, ttl *time.Duration) error {
	return c.Set(ctx, key, value, ttl)
}

func (c *cache) Delete(_ context.Context, key string) error { return c.kv.Delete(key) }

func (c *cache) Close(context.Context) error { return nil }

func digestSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Summary("Attaches pending digest entries for the message's recipient.").
		Field(service.NewStringField("binding")).
		Field(service.NewIntField("page_size").Default(2000)). // EXPECT kvlimits
		Field(service.NewIntField("max_pages").Default(5))
}

type digestScan struct {
	kv       *cloudflare.KVNamespace
	pageSize int
	maxPages int
}

func newDigestScan(conf *service.ParsedConfig, _ *service.Resources) (service.Processor, error) {
	kv, err := binding(conf)
	if err != nil {
		return nil, err
	}
	d := &digestScan{kv: kv}
	if d.pageSize, err = conf.FieldInt("page_size"); err != nil {
		return nil, err
	}
	if d.maxPages, err = conf.FieldInt("max_pages"); err != nil {
		return nil, err
	}
	return d, nil
}

func (d *digestScan) Process(_ context.Context, msg *service.Message) (service.MessageBatch, error) {
	rcpt, ok := msg.MetaGet("recipient")
	if !ok {
		return service.MessageBatch{msg}, nil
	}
	prefix := "digest-pending:" + rcpt + ":"
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: d.pageSize}
	n := 0
	for page := 0; page < d.maxPages; page++ {
		res, err := d.kv.List(opts)
		if err != nil {
			return nil, err
		}
		n += len(res.Keys)
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: d.pageSize, Cursor: res.Cursor}
	}
	msg.MetaSet("digest_items", fmt.Sprint(n))
	return service.MessageBatch{msg}, nil
}

func (d *digestScan) Close(context.Context) error { return nil }
