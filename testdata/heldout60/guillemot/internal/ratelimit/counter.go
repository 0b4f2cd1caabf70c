// Package ratelimit backs go-chi/httprate with Workers KV so that limits hold
// across the account service's replicas.
package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/go-chi/httprate"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/forumworks/guillemot/internal/kv"
)

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/ratelimit")

// Counter implements httprate.LimitCounter on a KV namespace.
type Counter struct {
	ns     *kv.Namespace
	name   string
	limit  int
	window time.Duration
}

var _ httprate.LimitCounter = (*Counter)(nil)

// NewCounter returns a counter whose keys start with "rl:<name>:".
func NewCounter(ns *kv.Namespace, name string) *Counter {
	return &Counter{ns: ns, name: name}
}

// Config is called by httprate with the limiter's settings.
func (c *Counter) Config(requestLimit int, windowLength time.Duration) {
	c.limit = requestLimit
	c.window = windowLength
}

// Increment adds one request to the window.
func (c *Counter) Increment(key string, currentWindow time.Time) error {
	return c.IncrementBy(key, currentWindow, 1)
}

// IncrementBy adds amount requests to the window.
func (c *Counter) IncrementBy(key string, currentWindow time.Time, amount int) error {
	ctx, span := tracer.Start(context.Background(), "ratelimit.increment")
	defer span.End()
	k := c.key(key, currentWindow)
	span.SetAttributes(attribute.String("ratelimit.key", k), attribute.Int("ratelimit.amount", amount))

	n, err := c.read(ctx, k)
	if err != nil {
		span.RecordError(err)
		return err
	}
	// Keep the counter for the following window too: httprate weighs the
	// previous window's count into the current rate.
	return c.ns.Put(ctx, k, []byte(strconv.Itoa(n+amount)), 2*c.window) // EXPECT kvcounter|kvrace
}

// Get returns the counts of the current and the previous window.
func (c *Counter) Get(key string, currentWindow, previousWindow time.Time) (int, int, error) {
	ctx, span := tracer.Start(context.Background(), "ratelimit.get")
	defer span.End()
	cur, err := c.read(ctx, c.key(key, currentWindow))
	if err != nil {
		return 0, 0, err
	}
	prev, err := c.read(ctx, c.key(key, previousWindow))
	if err != nil {
		return 0, 0, err
	}
	return cur, prev, nil
}

func (c *Counter) key(key string, window time.Time) string {
	return "rl:" + c.name + ":" + key + ":" + strconv.FormatInt(window.Unix(), 10)
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
