package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// A store whose read-cache lifetime is an option kept in a field, and
// whose reads build the SDK's options in a helper.
type catalog struct {
	ns       *kv.Namespace
	cacheTTL int
}

type catalogOption func(*catalog)

func withCacheTTL(d time.Duration) catalogOption {
	return func(c *catalog) { c.cacheTTL = int(d / time.Second) }
}

func newCatalog(ns *kv.Namespace, opts ...catalogOption) *catalog {
	c := &catalog{ns: ns}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *catalog) getOptions() *kv.GetOptions {
	if c.cacheTTL == 0 {
		return nil
	}
	return &kv.GetOptions{CacheTTL: c.cacheTTL}
}

func (c *catalog) get(key string) (string, error) {
	return c.ns.GetString(key, c.getOptions())
}

func wireCatalogs(ns *kv.Namespace) (*catalog, *catalog) {
	fast := newCatalog(ns, withCacheTTL(15*time.Second)) // want `CacheTTL 15 .*below`
	slow := newCatalog(ns, withCacheTTL(5*time.Minute))
	return fast, slow
}
