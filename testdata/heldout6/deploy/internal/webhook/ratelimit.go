package webhook

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/store"
)

// Limiter decides whether a source may deliver another webhook now.
type Limiter interface {
	Allow(ctx context.Context, source string) (bool, error)
}

// KVLimiter is a fixed-window limiter keyed by source and window start.
type KVLimiter struct {
	kv     store.Store
	limit  int
	window time.Duration
	clock  clock.Clock
}

// LimiterOption configures a KVLimiter.
type LimiterOption func(*KVLimiter)

func WithLimit(n int) LimiterOption            { return func(l *KVLimiter) { l.limit = n } }
func WithWindow(d time.Duration) LimiterOption { return func(l *KVLimiter) { l.window = d } }

// NewKVLimiter returns a limiter storing its windows in kv.
func NewKVLimiter(kv store.Store, opts ...LimiterOption) *KVLimiter {
	l := &KVLimiter{kv: kv, limit: 60, window: time.Minute, clock: clock.Real{}}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Allow implements Limiter.
func (l *KVLimiter) Allow(ctx context.Context, source string) (bool, error) {
	key := fmt.Sprintf("rl/%s/%d", source, l.clock.Now().Truncate(l.window).Unix())
	count := 0
	raw, err := l.kv.Get(ctx, key)
	switch {
	case store.IsNotFound(err):
	case err != nil:
		return false, err
	default:
		count, _ = strconv.Atoi(string(raw))
	}
	if count >= l.limit {
		return false, nil
	}
	if err := l.kv.Put(ctx, key, []byte(strconv.Itoa(count+1)), store.WithTTL(l.window)); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

// DOLimiter asks the rate-limit Durable Object, which owns the counter for
// a source and increments it atomically.
type DOLimiter struct {
	base   string
	client *http.Client
}

// NewDOLimiter returns a limiter calling the object behind base.
func NewDOLimiter(base string) *DOLimiter {
	return &DOLimiter{base: base, client: &http.Client{Timeout: 2 * time.Second}}
}

// Allow implements Limiter.
func (d *DOLimiter) Allow(ctx context.Context, source string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.base+"/limit/"+source, nil)
	if err != nil {
		return false, err
	}
	res, err := d.client.Do(req)
	if err != nil {
		return false, err
	}
	res.Body.Close()
	if res.StatusCode == http.StatusTooManyRequests {
		return false, nil
	}
	return res.StatusCode < 300, nil
}
