// Package kvlimiter keeps rate-limit windows in KV, with a floor of its
// own under the configured window.
package kvlimiter

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type Config struct {
	Window time.Duration
}

type Limiter struct {
	ns     *kv.Namespace
	window time.Duration
}

func New(ns *kv.Namespace, cfg Config) *Limiter {
	return &Limiter{ns: ns, window: cfg.Window}
}

// Mark keeps the key a window and a half, and at least ten seconds: a
// floor below KV's minimum, reported here.
func (l *Limiter) Mark(key string) error {
	ttl := l.window + l.window/2
	if ttl < 10*time.Second {
		ttl = 10 * time.Second
	}
	return l.ns.PutString(key, "1", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutSeconds keeps the value secs seconds.
func PutSeconds(ns *kv.Namespace, key, v string, secs int64) error {
	ttl := time.Duration(secs) * time.Second
	return ns.PutString(key, v, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}
