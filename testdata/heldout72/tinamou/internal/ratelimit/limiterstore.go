// Package ratelimit provides the KV-backed stores behind the login and API
// rate limits: a ulule/limiter Store (fixed windows per client address) and a
// throttled GCRA store (per-account smoothing on the token endpoint).
package ratelimit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"

	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/middleware/stdlib"
	"github.com/ulule/limiter/v3/drivers/store/common"

	"github.com/tinamou-id/tinamou/internal/kvstore"
)

const windowPrefix = "ratelimit:window:"

// window is the state of one fixed window, as stored in KV.
type window struct {
	Count   int64 `json:"n"`
	ResetAt int64 `json:"reset_at"`
}

// LimiterStore implements limiter.Store over a KV namespace.
type LimiterStore struct {
	ns *kvstore.Namespace
}

var _ limiter.Store = (*LimiterStore)(nil)

// NewLimiterStore returns a limiter.Store backed by ns.
func NewLimiterStore(ns *kvstore.Namespace) *LimiterStore {
	return &LimiterStore{ns: ns}
}

func (s *LimiterStore) load(ctx context.Context, key string) (window, bool, error) {
	raw, err := s.ns.Get(ctx, windowPrefix+key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return window{}, false, nil
	}
	if err != nil {
		return window{}, false, err
	}
	var w window
	if err := json.Unmarshal(raw, &w); err != nil {
		return window{}, false, fmt.Errorf("decode window %s: %w", key, err)
	}
	return w, true, nil
}

// Get counts one request against key and returns the resulting limit state.
func (s *LimiterStore) Get(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return s.Increment(ctx, key, 1, rate)
}

// Increment counts n requests against key.
func (s *LimiterStore) Increment(ctx context.Context, key string, n int64, rate limiter.Rate) (limiter.Context, error) {
	now := time.Now()
	w, ok, err := s.load(ctx, key)
	if err != nil {
		return limiter.Context{}, err
	}
	if !ok || now.Unix() >= w.ResetAt {
		w = window{ResetAt: now.Add(rate.Period).Unix()}
	}
	w.Count += n

	enc, err := json.Marshal(w)
	if err != nil {
		return limiter.Context{}, err
	}
	resetAt := time.Unix(w.ResetAt, 0)
	ttl := max(time.Until(resetAt), time.Minute)
	if err := s.ns.Put(ctx, windowPrefix+key, enc, ttl); err != nil { // EXPECT kvcounter|kvrace
		return limiter.Context{}, err
	}
	return common.GetContextFromState(now, rate, resetAt, w.Count), nil
}

// Peek returns the state of key without counting a request.
func (s *LimiterStore) Peek(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	now := time.Now()
	w, ok, err := s.load(ctx, key)
	if err != nil {
		return limiter.Context{}, err
	}
	if !ok || now.Unix() >= w.ResetAt {
		return common.GetContextFromState(now, rate, now.Add(rate.Period), 0), nil
	}
	return common.GetContextFromState(now, rate, time.Unix(w.ResetAt, 0), w.Count), nil
}

// Reset forgets the window of key.
func (s *LimiterStore) Reset(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	if err := s.ns.Delete(ctx, windowPrefix+key); err != nil {
		return limiter.Context{}, err
	}
	now := time.Now()
	return common.GetContextFromState(now, rate, now.Add(rate.Period), 0), nil
}

// ClientPrefix groups client addresses the way abuse arrives: IPv4 per /24,
// IPv6 per /56.
func ClientPrefix(r *http.Request) string {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return "unknown"
	}
	addr := ap.Addr().Unmap()
	bits := 56
	if addr.Is4() {
		bits = 24
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return addr.String()
	}
	return p.String()
}

// IPMiddleware limits requests per client network.
func IPMiddleware(store limiter.Store, rate limiter.Rate) *stdlib.Middleware {
	return stdlib.NewMiddleware(
		limiter.New(store, rate),
		stdlib.WithKeyGetter(ClientPrefix),
	)
}
