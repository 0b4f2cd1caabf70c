// Package expiry turns upstream caching hints into storage lifetimes and
// spreads lifetimes out so entries written together do not expire together.
package expiry

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Jitter returns base plus a random amount in [0, spread).
func Jitter(base, spread time.Duration) time.Duration {
	if spread <= 0 {
		return base
	}
	return base + rand.N(spread)
}

// Clamp bounds d to [lo, hi].
func Clamp(d, lo, hi time.Duration) time.Duration { return min(max(d, lo), hi) }

// FromCacheControl returns the max-age of h. ok is false when the response
// may not be cached or carries no age.
func FromCacheControl(h http.Header) (d time.Duration, ok bool) {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache", "private":
			return 0, false
		case "max-age":
			if n, err := strconv.Atoi(strings.Trim(val, `"`)); err == nil {
				d, ok = time.Duration(n)*time.Second, true
			}
		}
	}
	return d, ok
}

// FromRetryAfter parses Retry-After as delta-seconds or an HTTP date.
func FromRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t.Sub(now), true
	}
	return 0, false
}

// FromExpires returns the time left until the Expires header's date.
func FromExpires(h http.Header, now time.Time) (time.Duration, bool) {
	t, err := http.ParseTime(h.Get("Expires"))
	if err != nil {
		return 0, false
	}
	return t.Sub(now), true
}

// Lifetime picks a TTL from h: Cache-Control first, then Expires, then
// fallback with jitter. The result is always within [lo, hi].
func Lifetime(h http.Header, now time.Time, lo, hi, fallback, spread time.Duration) time.Duration {
	if d, ok := FromCacheControl(h); ok {
		return Clamp(d, lo, hi)
	}
	if d, ok := FromExpires(h, now); ok {
		return Clamp(d, lo, hi)
	}
	return Clamp(Jitter(fallback, spread), lo, hi)
}
