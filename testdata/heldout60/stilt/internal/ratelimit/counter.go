// Package ratelimit provides an httprate.LimitCounter shared by all API
// replicas through Workers KV.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-chi/httprate"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/framewell/stilt/internal/kvstore"
)

var tracer = otel.Tracer("stilt/ratelimit")

// Counter implements httprate.LimitCounter. httprate calls Config once when
// the limiter is built, then Increment and Get on every request.
type Counter struct {
	ns     *kvstore.Namespace
	name   string
	limit  int
	window time.Duration
	// Timeout bounds each KV round trip; httprate's interface has no context.
	Timeout time.Duration
}

var _ httprate.LimitCounter = (*Counter)(nil)

// NewCounter returns a counter whose keys are grouped under name.
func NewCounter(ns *kvstore.Namespace, name string) *Counter {
	return &Counter{ns: ns, name: name, Timeout: 2 * time.Second}
}

// Config records the limit and window chosen by httprate.LimitBy.
func (c *Counter) Config(requestLimit int, windowLength time.Duration) {
	c.limit = requestLimit
	c.window = windowLength
}

func (c *Counter) slot(key string, window time.Time) string {
	return fmt.Sprintf("ratelimit:%s:%s:%d", c.name, key, window.Unix())
}

// Increment adds one request to key's current window.
func (c *Counter) Increment(key string, currentWindow time.Time) error {
	return c.IncrementBy(key, currentWindow, 1)
}

// IncrementBy adds amount requests to key's current window.
func (c *Counter) IncrementBy(key string, currentWindow time.Time, amount int) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()
	ctx, span := tracer.Start(ctx, "ratelimit.IncrementBy")
	defer span.End()

	k := c.slot(key, currentWindow)
	n, err := c.read(ctx, k)
	if err != nil {
		span.RecordError(err)
		return err
	}
	span.SetAttributes(attribute.Int("ratelimit.count", n+amount), attribute.Int("ratelimit.limit", c.limit))

	// Two windows are read by Get, so the slot must outlive the next one.
	ttl := max(2*c.window, 3*time.Second)                        // EXPECT kvttl
	return c.ns.Put(ctx, k, []byte(strconv.Itoa(n+amount)), ttl) // EXPECT kvcounter|kvrace
}

// Get returns the counts of the current and the previous window.
func (c *Counter) Get(key string, currentWindow, previousWindow time.Time) (int, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()
	ctx, span := tracer.Start(ctx, "ratelimit.Get")
	defer span.End()

	cur, err := c.read(ctx, c.slot(key, currentWindow))
	if err != nil {
		return 0, 0, err
	}
	prev, err := c.read(ctx, c.slot(key, previousWindow))
	if err != nil {
		return 0, 0, err
	}
	return cur, prev, nil
}

func (c *Counter) read(ctx context.Context, k string) (int, error) {
	raw, err := c.ns.Get(ctx, k)
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}
