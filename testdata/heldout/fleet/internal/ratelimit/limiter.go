// Package ratelimit provides the request limiters used by the HTTP layer.
package ratelimit

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"example.com/fleet/internal/storage"
)

// Limiter decides whether one more request for key is allowed.
type Limiter interface {
	Allow(ctx context.Context, key string) (bool, error)
}

// Config describes a fixed-window limit.
type Config struct {
	Prefix string
	Limit  int
	Window time.Duration
}

// KVLimiter is a fixed-window limiter that keeps its windows in KV so that
// every API replica sees the same counts.
type KVLimiter struct {
	cfg   Config
	store storage.Store
	now   func() time.Time
}

// NewKV returns a KV-backed limiter.
func NewKV(s storage.Store, cfg Config) *KVLimiter {
	if cfg.Prefix == "" {
		cfg.Prefix = "rl:"
	}
	return &KVLimiter{cfg: cfg, store: s, now: time.Now}
}

func (l *KVLimiter) Allow(ctx context.Context, key string) (bool, error) {
	bucket := l.now().UnixNano() / int64(l.cfg.Window)
	k := fmt.Sprintf("%s%s:%d", l.cfg.Prefix, key, bucket)

	n := 0
	raw, err := l.store.Get(ctx, k)
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !storage.IsNotFound(err) {
		return true, err // fail open
	}
	if n >= l.cfg.Limit {
		return false, nil
	}
	// Keep the window around a little longer than the window itself.
	ttl := max(2*l.cfg.Window, 5*time.Second)                                   // EXPECT kvttl
	if err := l.store.Set(ctx, k, []byte(strconv.Itoa(n+1)), ttl); err != nil { // EXPECT kvcounter
		return true, err
	}
	return true, nil
}

// DOLimiter asks a Durable Object (one instance per key) for a decision. The
// object keeps the count in its transactional storage.
type DOLimiter struct {
	base   *url.URL
	client *http.Client
	cfg    Config
}

// NewDO returns a limiter backed by the "ratelimiter" Durable Object.
func NewDO(base *url.URL, client *http.Client, cfg Config) *DOLimiter {
	return &DOLimiter{base: base, client: client, cfg: cfg}
}

func (l *DOLimiter) Allow(ctx context.Context, key string) (bool, error) {
	u := l.base.JoinPath("ratelimiter", url.PathEscape(l.cfg.Prefix+key))
	q := u.Query()
	q.Set("limit", strconv.Itoa(l.cfg.Limit))
	q.Set("window", strconv.Itoa(int(l.cfg.Window.Seconds())))
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return true, err
	}
	resp, err := l.client.Do(req)
	if err != nil {
		return true, err
	}
	defer resp.Body.Close()
	var out struct {
		Allowed bool `json:"allowed"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return true, err
	}
	return out.Allowed, nil
}

// Local is an in-process token bucket, used in front of the shared limiters
// to shed obvious floods cheaply.
type Local struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLocal allows rate requests per second with the given burst.
func NewLocal(rate float64, burst int) *Local {
	return &Local{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

func (l *Local) Allow(_ context.Context, key string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false, nil
	}
	b.tokens--
	return true, nil
}

// Chain allows a request only if every limiter allows it.
type Chain []Limiter

func (c Chain) Allow(ctx context.Context, key string) (bool, error) {
	for _, l := range c {
		ok, err := l.Allow(ctx, key)
		if err != nil || !ok {
			return ok, err
		}
	}
	return true, nil
}
