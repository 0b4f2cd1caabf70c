package kvstore

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Lifetimes kept in fields: given once to an option or a constructor,
// used by every later put.

type Repo struct {
	ns  *kv.Namespace
	ttl time.Duration // want ttl:"kv field: put"
}

type RepoOption func(*Repo)

func WithTTL(d time.Duration) RepoOption { // want WithTTL:`kv wrapper: sets Repo.ttl for put\(ExpirationTTL=\(int \(\(time.Duration\).Seconds \$0\)\)\)`
	return func(r *Repo) { r.ttl = d }
}

func NewRepo(ns *kv.Namespace, opts ...RepoOption) *Repo { // want NewRepo:`kv result fields: ns=\$0`
	r := &Repo{ns: ns, ttl: time.Hour}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// NewRepoFor takes the lifetime itself.
func NewRepoFor(ns *kv.Namespace, ttl time.Duration) *Repo { // want NewRepoFor:`kv wrapper: sets Repo.ttl for put` NewRepoFor:`kv builder: ns=\$0; ttl=\$1` NewRepoFor:`kv result fields: ns=\$0 ttl=\$1`
	return &Repo{ns: ns, ttl: ttl}
}

func (r *Repo) Put(key, value string) error { // want Put:`kv wrapper: put`
	return r.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(r.ttl.Seconds())})
}

// A config struct: the caller's literal gives the lifetime.
type LimiterConfig struct {
	Window time.Duration // want Window:"kv field: put"
}

type Limiter struct {
	ns  *kv.Namespace
	cfg LimiterConfig // want cfg:"kv field: put"
}

func NewLimiter(ns *kv.Namespace, cfg LimiterConfig) *Limiter { // want NewLimiter:`kv wrapper: sets Limiter.cfg for put\(ExpirationTTL=\(int \(\(time.Duration\).Seconds \(Window \$1\)\)\)\)` NewLimiter:`kv builder: ns=\$0; cfg=\$1` NewLimiter:`kv result fields: ns=\$0 cfg=\$1`
	return &Limiter{ns: ns, cfg: cfg}
}

func (l *Limiter) Mark(key string) error { // want Mark:`kv wrapper: put`
	return l.ns.PutString(key, "1", &kv.PutOptions{ExpirationTTL: int(l.cfg.Window.Seconds())})
}

// Options collected in a config of their own, then copied into the type.
type cacheConfig struct{ ttl time.Duration } // want ttl:"kv field: put"

type CacheOption func(*cacheConfig)

func WithCacheTTL(d time.Duration) CacheOption { // want WithCacheTTL:`kv wrapper: sets cacheConfig.ttl for put`
	return func(c *cacheConfig) { c.ttl = d }
}

type TTLCache struct {
	ns  *kv.Namespace
	ttl time.Duration // want ttl:"kv field: put"
}

func NewTTLCache(ns *kv.Namespace, opts ...CacheOption) *TTLCache { // want NewTTLCache:`kv builder: ns=\$0; ttl=\(ttl \?\)` NewTTLCache:`kv result fields: ns=\$0`
	cfg := cacheConfig{ttl: time.Hour}
	for _, opt := range opts {
		opt(&cfg)
	}
	return &TTLCache{ns: ns, ttl: cfg.ttl}
}

func (c *TTLCache) Put(key, value string) error { // want Put:`kv wrapper: put`
	return c.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(c.ttl.Seconds())})
}

// A constructor that raises whatever the options set: no setter.
type SafeCache struct {
	ns  *kv.Namespace
	ttl time.Duration // want ttl:"kv field: put"
}

type SafeOption func(*SafeCache)

func WithSafeTTL(d time.Duration) SafeOption {
	return func(c *SafeCache) { c.ttl = d }
}

func NewSafeCache(ns *kv.Namespace, opts ...SafeOption) *SafeCache { // want NewSafeCache:"clamps SafeCache.ttl" NewSafeCache:`kv result fields: ns=\$0`
	c := &SafeCache{ns: ns, ttl: time.Hour}
	for _, opt := range opts {
		opt(c)
	}
	if c.ttl < time.Minute {
		c.ttl = time.Minute
	}
	return c
}

func (c *SafeCache) Put(key, value string) error { // want Put:`kv wrapper: put`
	return c.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(c.ttl.Seconds())})
}
