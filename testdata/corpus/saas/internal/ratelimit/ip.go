// Package ratelimit throttles clients by IP and by tenant.
package ratelimit

import (
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

// IPLimiter is a fixed-window limiter keyed by client IP.
type IPLimiter struct {
	ns     *kv.Namespace
	limit  int
	window time.Duration
}

// NewIP binds the LIMITS namespace.
func NewIP() (*IPLimiter, error) {
	ns, err := kv.NewNamespace(config.BindingLimits)
	if err != nil {
		return nil, err
	}
	return &IPLimiter{ns: ns, limit: config.IPRequestsPerWindow, window: config.RateWindow}, nil
}

// Allow reports whether ip may make another request now.
func (l *IPLimiter) Allow(ip string, now time.Time) (bool, error) {
	win := now.Unix() / int64(l.window.Seconds())
	key := kvstore.IPWindowKey(ip, win)
	raw, err := l.ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	hits := 0
	if !kvstore.Missing(raw) {
		hits, _ = strconv.Atoi(raw)
	}
	if hits >= l.limit {
		return false, nil
	}
	hits++
	err = l.ns.PutString(key, strconv.Itoa(hits), &kv.PutOptions{ // EXPECT kvcounter|kvrace
		ExpirationTTL: int(l.window.Seconds()) * 2,
	})
	return true, err
}

// Burst guards expensive endpoints (exports, password reset) against
// bursts from one address.
func (l *IPLimiter) Burst(ip, route string) (bool, error) {
	key := "burst:" + route + ":" + ip
	raw, err := l.ns.GetString(key, nil) // DEBATABLE kvnull
	if err != nil {
		return false, err
	}
	n, _ := strconv.Atoi(raw)
	if n >= config.BurstRequests {
		return false, nil
	}
	opts := kv.PutOptions{ExpirationTTL: config.BurstWindowSeconds}       // EXPECT kvttl
	if err := l.ns.PutString(key, strconv.Itoa(n+1), &opts); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	return true, nil
}

// Block bans an address for the given duration (abuse desk).
func (l *IPLimiter) Block(ip string, d time.Duration, reason string) error {
	return l.ns.PutString("blocked:"+ip, reason, &kv.PutOptions{
		Expiration: int(time.Now().Add(d).Unix()),
	})
}

// Penalize puts an address in the penalty box after a failed CAPTCHA.
func (l *IPLimiter) Penalize(ip string) error {
	return l.ns.PutString("penalty:"+ip, "captcha", &kv.PutOptions{
		ExpirationTTL: 30, // EXPECT kvttl
	})
}

// Penalized reports whether ip is in the penalty box.
func (l *IPLimiter) Penalized(ip string) (bool, error) {
	v, err := l.ns.GetString("penalty:"+ip, nil)
	if err != nil {
		return false, err
	}
	return !kvstore.Missing(v), nil
}

// Blocked reports whether ip is banned.
func (l *IPLimiter) Blocked(ip string) (bool, error) {
	v, err := l.ns.GetString("blocked:"+ip, &kv.GetOptions{CacheTTL: 30})
	if err != nil {
		return false, err
	}
	return !kvstore.Missing(v), nil
}

// Unblock lifts a ban.
func (l *IPLimiter) Unblock(ip string) error {
	return l.ns.Delete("blocked:" + ip)
}
