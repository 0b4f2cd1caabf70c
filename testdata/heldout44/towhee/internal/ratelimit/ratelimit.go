//go:build !js

// Package ratelimit throttles the backend's public endpoints per client IP.
package ratelimit

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/riverside-libraries/towhee/internal/restkv"
)

// Window is one fixed-size throttle window.
type Window struct {
	Name  string
	Limit int
	Span  time.Duration
}

// ClientIP returns the caller's address as Cloudflare reports it.
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

// Allow records one request from ip in the current window and reports
// whether it is within the limit.
func (w Window) Allow(ctx context.Context, c *restkv.Client, ip string) (bool, error) {
	slot := time.Now().Unix() / int64(w.Span.Seconds())
	key := fmt.Sprintf("ratelimit:%s:%s:%d", w.Name, ip, slot)
	n := 0
	raw, err := c.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !restkv.IsNotFound(err):
		return true, err
	}
	if n >= w.Limit {
		return false, nil
	}
	if err := c.Put(ctx, key, []byte(strconv.Itoa(n+1)), 2*w.Span); err != nil { // EXPECT kvcounter|kvrace
		return true, err
	}
	return true, nil
}
