// Package upstream reads caching hints from upstream HTTP responses.
package upstream

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxAge returns the max-age directive of Cache-Control.
func MaxAge(h http.Header) (time.Duration, bool) {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		if strings.EqualFold(name, "max-age") {
			secs, err := strconv.Atoi(strings.Trim(val, `"`))
			return time.Duration(secs) * time.Second, err == nil && secs >= 0
		}
	}
	return 0, false
}

// RetryAfter returns the delay requested by a Retry-After header, which is
// either delta-seconds or an HTTP date.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(secs) * time.Second, secs >= 0
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return t.Sub(now), true
}

// Expires returns the absolute time from an Expires header.
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
