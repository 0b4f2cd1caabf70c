// Package ttl derives storage lifetimes: jittered defaults and lifetimes
// taken from upstream HTTP caching headers.
package ttl

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Jitter returns base plus a random amount in [0, spread), so that keys
// written together do not all expire together.
func Jitter(base, spread time.Duration) time.Duration {
	if spread <= 0 {
		return base
	}
	return base + rand.N(spread)
}

// MaxAge returns the Cache-Control max-age of h.
func MaxAge(h http.Header) (time.Duration, bool) {
	var out time.Duration
	found := false
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			if strings.EqualFold(name, "no-store") || strings.EqualFold(name, "no-cache") {
				return 0, false
			}
			continue
		}
		if strings.EqualFold(name, "max-age") {
			if n, err := strconv.Atoi(strings.Trim(val, `"`)); err == nil && n >= 0 {
				out, found = time.Duration(n)*time.Second, true
			}
		}
	}
	return out, found
}

// RetryAfter parses Retry-After as delay-seconds or an HTTP date.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

// Expires parses the Expires header.
func Expires(h http.Header) (time.Time, bool) {
	v := h.Get("Expires")
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
