// Package kvttl holds kvttl's cases for github.com/cloudflare/cloudflare-go/v3,
// whose single-value write takes no expiration: a TTL goes in a bulk write.
package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

type Store struct {
	client  *cloudflare.Client
	account string
	ns      string
}

type PutOptions struct{ TTL time.Duration }

type PutOption func(*PutOptions)

func WithTTL(d time.Duration) PutOption { return func(o *PutOptions) { o.TTL = d } }

// resolve applies the options, as a helper of its own.
func resolve(opts []PutOption) PutOptions {
	var o PutOptions
	for _, fn := range opts {
		fn(&o)
	}
	return o
}

// Put sets the pair's TTL after its literal, only when one is asked for.
func (s *Store) Put(ctx context.Context, key, value string, opts ...PutOption) error {
	o := resolve(opts)
	body := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(key),
		Value: cloudflare.F(value),
	}
	if o.TTL > 0 {
		body.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.account),
		Body:      []kv.NamespaceBulkUpdateParamsBody{body},
	})
	return err
}

func direct(ctx context.Context, s *Store, key string) error {
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F("1"),
			ExpirationTTL: cloudflare.F(30.0), // want `ExpirationTTL 30 is below KV's 60-second minimum`
		}},
	})
	return err
}

// Config is loaded at startup; its defaults are constants.
type Config struct {
	CodeTTL  time.Duration
	CacheTTL time.Duration
}

func Defaults() Config {
	return Config{
		CodeTTL:  45 * time.Second, // want `ExpirationTTL 45 \(kept in Config.CodeTTL, which a later bulk put reads\) is below KV's 60-second minimum`
		CacheTTL: time.Hour,
	}
}

type Codes struct {
	store *Store
	cfg   Config
}

func (c *Codes) Save(ctx context.Context, id, code string) error {
	return c.store.Put(ctx, "code:"+id, code, WithTTL(c.cfg.CodeTTL))
}

func (c *Codes) Cache(ctx context.Context, id, v string) error {
	return c.store.Put(ctx, "cache:"+id, v, WithTTL(c.cfg.CacheTTL))
}

func callers(ctx context.Context, s *Store) {
	_ = s.Put(ctx, "a", "1", WithTTL(10*time.Second)) // want `ExpirationTTL 10 \(passed to WithTTL`
	_ = s.Put(ctx, "b", "1", WithTTL(10*time.Minute))
	_ = s.Put(ctx, "c", "1")
}
