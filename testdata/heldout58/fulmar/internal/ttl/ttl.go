// Package ttl derives KV lifetimes from the request and from upstream
// responses.
package ttl

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Floor is the shortest lifetime Workers KV accepts.
const Floor = time.Minute

// FromDeadline is the time left before the request context gives up, or def
// when the context has no deadline.
func FromDeadline(ctx context.Context, def time.Duration) time.Duration {
	if deadline, ok := ctx.Deadline(); ok {
		return time.Until(deadline)
	}
	return def
}

// FromDeadlineAtLeast is FromDeadline never going below Floor.
func FromDeadlineAtLeast(ctx context.Context, def time.Duration) time.Duration {
	return max(FromDeadline(ctx, def), Floor)
}

// FromCookie returns how long the browser will keep c.
func FromCookie(c *http.Cookie) time.Duration {
	switch {
	case c.MaxAge > 0:
		return time.Duration(c.MaxAge) * time.Second
	case !c.Expires.IsZero():
		return time.Until(c.Expires)
	default:
		return 24 * time.Hour
	}
}

// MaxAge parses the max-age directive of a Cache-Control header.
func MaxAge(h http.Header) (time.Duration, bool) {
	for part := range strings.SplitSeq(h.Get("Cache-Control"), ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || !strings.EqualFold(name, "max-age") {
			continue
		}
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return 0, false
		}
		return time.Duration(n) * time.Second, true
	}
	return 0, false
}

// RetryAfter parses a Retry-After header given in seconds or as a date.
func RetryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// Expires parses the Expires header of an upstream response.
func Expires(h http.Header) (time.Time, bool) {
	t, err := http.ParseTime(h.Get("Expires"))
	return t, err == nil
}
