//go:build js && wasm

// Package feeds caches promoters' event feeds at the edge.
package feeds

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/boxoffice/knot/internal/clock"
)

// nationalFeedURL is the signed CDN URL the national promoter gave us. The
// signature is rotated by hand once a year.
const nationalFeedURL = "https://feeds.tourline.example/v3/national/events.json" +
	"?region=all&fields=id,name,venue,doors,onsale,price_bands,lineup,support,age_limit" +
	"&Expires=1893456000&Key-Pair-Id=K2JCJMDEHXQW5F&Signature=" +
	"bead6c98250a66c7e5457545c275f1178df2415123fd5c862e9205dad1a9647a4afecaaeb3711d4ac949580b46d1bf16fff83f80a32b7e60b5d7855f30ac20e99471616778c76d117cfa5529aafc1b6ddaf4c0e22cf23ca810f0c4ea1af171bfae2447b8df7fa07446edab8a8325a84eae7534e63d55d141de6e5ba95e8593b4337339aff749794650ba00a38211a59cc598ad75fb837cfc148b76453a24250f799cf6b1bdbd41b0d1dcc5420826852456153b1a22ae21f8524b50de648af1a6dec51bfc9d466c78f14525e2326dfa477a16b2efbe2caf84fe25e800b412b98c"

// maxAge returns the max-age (or s-maxage) directive, and whether one was sent.
func maxAge(h http.Header) (time.Duration, bool) {
	cc := h.Get("Cache-Control")
	if cc == "" {
		return 0, false
	}
	var found time.Duration
	ok := false
	for _, part := range strings.Split(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return 0, false
		case "s-maxage":
			if n, err := strconv.Atoi(val); err == nil {
				return time.Duration(n) * time.Second, true
			}
		case "max-age":
			if n, err := strconv.Atoi(val); err == nil {
				found, ok = time.Duration(n)*time.Second, true
			}
		}
	}
	return found, ok
}

// retryAfter reads Retry-After as seconds or as an HTTP date.
func retryAfter(h http.Header, c clock.Clock) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return time.Minute
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return clock.Until(c, t)
	}
	return time.Minute
}

// feedTTL turns the upstream caching headers into a KV lifetime between one
// minute and six hours.
func feedTTL(h http.Header, c clock.Clock) time.Duration {
	ttl := 15 * time.Minute
	if d, ok := maxAge(h); ok {
		ttl = d
	} else if t, err := http.ParseTime(h.Get("Expires")); err == nil {
		ttl = t.Sub(c.Now())
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	if ttl > 6*time.Hour {
		ttl = 6 * time.Hour
	}
	return ttl
}
