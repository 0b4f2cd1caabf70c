// Package ratelimit provides the per-API-key limits of the management API,
// with counts kept in KV so every replica sees roughly the same numbers.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/httprate"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/ruffgate/ruff/internal/kv"
)

var tracer = otel.Tracer("github.com/ruffgate/ruff/internal/ratelimit")

// Counter implements httprate.LimitCounter with one key per client and
// window.
type Counter struct {
	ns     *kv.Namespace
	prefix string
	window time.Duration
}

func NewCounter(ns *kv.Namespace, prefix string) *Counter { return &Counter{ns: ns, prefix: prefix} }

// Config implements httprate.LimitCounter.
func (c *Counter) Config(requestLimit int, windowLength time.Duration) { c.window = windowLength }

// Increment implements httprate.LimitCounter.
func (c *Counter) Increment(key string, currentWindow time.Time) error {
	return c.IncrementBy(key, currentWindow, 1)
}

// IncrementBy implements httprate.LimitCounter.
func (c *Counter) IncrementBy(key string, currentWindow time.Time, amount int) error {
	ctx, span := tracer.Start(context.Background(), "ratelimit.increment")
	defer span.End()

	k := c.bucket(key, currentWindow)
	n, err := c.read(ctx, k)
	if err != nil {
		span.RecordError(err)
		return err
	}
	span.SetAttributes(attribute.Int("ratelimit.count", n+amount))
	return c.ns.Put(ctx, k, []byte(strconv.Itoa(n+amount)), // EXPECT kvcounter|kvrace
		max(2*c.window, 10*time.Second)) // EXPECT kvttl
}

// Get implements httprate.LimitCounter.
func (c *Counter) Get(key string, currentWindow, previousWindow time.Time) (int, int, error) {
	ctx, span := tracer.Start(context.Background(), "ratelimit.get")
	defer span.End()

	cur, err := c.read(ctx, c.bucket(key, currentWindow))
	if err != nil {
		return 0, 0, err
	}
	prev, err := c.read(ctx, c.bucket(key, previousWindow))
	return cur, prev, err
}

func (c *Counter) read(ctx context.Context, k string) (int, error) {
	raw, err := c.ns.Get(ctx, k)
	if errors.Is(err, kv.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

func (c *Counter) bucket(key string, window time.Time) string {
	return fmt.Sprintf("%s%d:%s", c.prefix, window.Unix(), key)
}

// ByAPIKey limits each API key (identified by the bearer credential's first
// 12 characters, or the client address without one) to requests per window.
func ByAPIKey(counter *Counter, requests int, window time.Duration) func(http.Handler) http.Handler {
	return httprate.LimitBy(requests, window, func(r *http.Request) (string, error) {
		if tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "); len(tok) >= 12 {
			return "key:" + tok[:12], nil
		}
		ip, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			ip = r.RemoteAddr
		}
		return "ip:" + httprate.CanonicalizeIP(ip), nil
	}, httprate.WithLimitCounter(counter))
}
