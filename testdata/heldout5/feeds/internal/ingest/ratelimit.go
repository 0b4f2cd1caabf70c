// Package ingest is the push side of content intake: publishers POST items
// to a webhook instead of being crawled, authenticate with rotating refresh
// tokens and connect their CMS through an OAuth flow.
package ingest

import (
	"context"
	"errors"
	"strconv"
	"time"

	"example.com/feeds/internal/kv"
)

// ErrRateLimited is returned when a publisher exceeds its request budget.
var ErrRateLimited = errors.New("ingest: rate limited")

// Limiter is a fixed-window request limiter per publisher.
type Limiter struct {
	store  kv.Store
	limit  int
	window time.Duration
	now    func() time.Time
}

// LimiterOption configures a Limiter.
type LimiterOption func(*Limiter)

// WithLimit sets the number of requests allowed per window.
func WithLimit(n int) LimiterOption { return func(l *Limiter) { l.limit = n } }

// WithWindow sets the window length.
func WithWindow(d time.Duration) LimiterOption { return func(l *Limiter) { l.window = d } }

// NewLimiter returns a limiter on store.
func NewLimiter(store kv.Store, opts ...LimiterOption) *Limiter {
	l := &Limiter{store: store, limit: 120, window: time.Minute, now: time.Now}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Allow charges one request to publisherID.
func (l *Limiter) Allow(ctx context.Context, publisherID string) error {
	start := l.now().Truncate(l.window).Unix()
	key := "rl:" + publisherID + ":" + strconv.FormatInt(start, 10)
	count := 0
	if raw, err := l.store.Get(ctx, key); err == nil {
		count, _ = strconv.Atoi(string(raw))
	} else if !kv.IsNotFound(err) {
		return err
	}
	if count >= l.limit {
		return ErrRateLimited
	}
	return l.store.Put(ctx, key, []byte(strconv.Itoa(count+1)), kv.PutOptions{ // EXPECT kvcounter
		TTL: l.window,
	})
}
