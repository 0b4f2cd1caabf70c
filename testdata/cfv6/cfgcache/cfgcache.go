// Package cfgcache keeps its settings behind a pointer that callers may
// still change after they handed it over.
package cfgcache

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type Config struct {
	Name    string
	TTL     time.Duration
	Timeout time.Duration
}

func DefaultConfig() *Config {
	return &Config{Name: "results", TTL: 5 * time.Minute, Timeout: time.Second}
}

type Cache struct {
	client *cloudflare.Client
	cfg    *Config
}

func New(client *cloudflare.Client, cfg *Config) *Cache { return &Cache{client: client, cfg: cfg} }

func (c *Cache) Config() *Config { return c.cfg }

func (c *Cache) Put(ctx context.Context, key, body string) error {
	_, err := c.client.KV.Namespaces.Values.Update(ctx, "ns", c.cfg.Name+":"+key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		ExpirationTTL: cloudflare.F(c.cfg.TTL.Seconds()),
	})
	return err
}
