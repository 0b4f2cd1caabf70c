package kvttl

import (
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"

	"kvlint.test/cfv6/cfgcache"
)

// A config struct of another package, changed after it was handed to the
// constructor: the lifetime is checked where it is written.
func wireCache(client *cloudflare.Client) *cfgcache.Cache {
	cfg := cfgcache.DefaultConfig()
	cache := cfgcache.New(client, cfg)
	if os.Getenv("LIVE") == "1" {
		cfg.TTL = 25 * time.Second // want `ExpirationTTL 25 \(kept in Config.TTL, which a later put reads\) is below KV's 60-second minimum`
	}
	return cache
}

func wireThroughAccessor(client *cloudflare.Client) *cfgcache.Cache {
	cache := cfgcache.New(client, cfgcache.DefaultConfig())
	cache.Config().TTL = 30 * time.Second // want `ExpirationTTL 30 \(kept in Config.TTL, which a later put reads\) is below`
	return cache
}

// Quiet: an hour, and a field that is no lifetime.
func wireSlowCache(client *cloudflare.Client) *cfgcache.Cache {
	cfg := cfgcache.DefaultConfig()
	cfg.TTL = time.Hour
	cfg.Timeout = 5 * time.Second
	return cfgcache.New(client, cfg)
}
