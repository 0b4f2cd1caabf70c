// Package ratelimit throttles abusive clients of the public endpoints.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/chiffchaff/podhost/internal/kvstore"
)

// AllowFunc reports whether the client may proceed.
type AllowFunc func(ctx context.Context, client string) (bool, error)

// NewWindowLimiter returns a fixed-window limiter allowing limit requests
// per window for each client.
func NewWindowLimiter(ns *kvstore.Namespace, prefix string, limit int, window time.Duration, now func() time.Time) AllowFunc {
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	return func(ctx context.Context, client string) (bool, error) {
		slot := now().Truncate(window).Unix()
		key := fmt.Sprintf("%s%s:%d", prefix, client, slot)
		n := 0
		raw, err := ns.Get(ctx, key)
		if err == nil {
			n, _ = strconv.Atoi(string(raw))
		} else if !errors.Is(err, kvstore.ErrNotFound) {
			return true, err
		}
		if n >= limit {
			return false, nil
		}
		return true, ns.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), ttl) // EXPECT kvcounter|kvrace
	}
}

// ClientIP returns the connecting client's address.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
