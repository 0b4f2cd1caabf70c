// Package ratekv implements go-limiter's limiter.Store on Workers KV so that
// limits survive restarts of the booking API and are shared by its replicas.
package ratekv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
	"github.com/sethvargo/go-limiter"

	"github.com/cityofpitta/pitta/internal/kvstore"
)

var _ limiter.Store = (*Store)(nil)

// bucket is the JSON document kept per limited key. Reset is in Unix
// nanoseconds, the unit go-limiter reports to its callers.
type bucket struct {
	Tokens    uint64        `json:"tokens"`
	Remaining uint64        `json:"remaining"`
	Interval  time.Duration `json:"interval"`
	Reset     uint64        `json:"reset"`
}

// Store is a token bucket per key.
type Store struct {
	ns       *kvstore.Namespace
	prefix   string
	tokens   uint64
	interval time.Duration
	stopped  bool
}

// New returns a store that grants tokens per interval to every key under
// prefix.
func New(ns *kvstore.Namespace, prefix string, tokens uint64, interval time.Duration) (*Store, error) {
	if tokens == 0 || interval <= 0 {
		return nil, fmt.Errorf("ratekv: invalid limit %d per %s", tokens, interval)
	}
	return &Store{ns: ns, prefix: prefix, tokens: tokens, interval: interval}, nil
}

func (s *Store) fresh(now time.Time, tokens uint64, interval time.Duration) *bucket {
	return &bucket{
		Tokens:    tokens,
		Remaining: tokens,
		Interval:  interval,
		Reset:     uint64(now.Add(interval).UnixNano()),
	}
}

func (s *Store) load(ctx context.Context, key string, now time.Time) (*bucket, error) {
	raw, err := s.ns.Get(ctx, s.prefix+key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return s.fresh(now, s.tokens, s.interval), nil
	}
	if err != nil {
		return nil, err
	}
	var b bucket
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("ratekv: decode %s: %w", key, err)
	}
	if uint64(now.UnixNano()) >= b.Reset {
		return s.fresh(now, b.Tokens, b.Interval), nil
	}
	return &b, nil
}

// Take implements limiter.Store.
func (s *Store) Take(ctx context.Context, key string) (tokens, remaining, reset uint64, ok bool, err error) {
	if s.stopped {
		return 0, 0, 0, false, limiter.ErrStopped
	}
	now := time.Now()
	b, err := s.load(ctx, key, now)
	if err != nil {
		return 0, 0, 0, false, err
	}
	if b.Remaining == 0 {
		return b.Tokens, 0, b.Reset, false, nil
	}
	b.Remaining--
	raw, err := json.Marshal(b)
	if err != nil {
		return 0, 0, 0, false, err
	}
	_, err = s.ns.Client().KV.Namespaces.Values.Update(ctx, s.ns.ID(), s.prefix+key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace|kvcounter
		AccountID:  cloudflare.F(s.ns.AccountID()),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
		Expiration: cloudflare.F(float64(b.Reset)), // EXPECT kvttl
	})
	if err != nil {
		return 0, 0, 0, false, err
	}
	return b.Tokens, b.Remaining, b.Reset, true, nil
}

// Get implements limiter.Store.
func (s *Store) Get(ctx context.Context, key string) (tokens, remaining uint64, err error) {
	b, err := s.load(ctx, key, time.Now())
	if err != nil {
		return 0, 0, err
	}
	return b.Tokens, b.Remaining, nil
}

// Set implements limiter.Store: it replaces the bucket with a full one of
// the given size.
func (s *Store) Set(ctx context.Context, key string, tokens uint64, interval time.Duration) error {
	b := s.fresh(time.Now(), tokens, interval)
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return s.ns.PutCache(ctx, s.prefix+key, raw, interval) // DEBATABLE kvcounter
}

// Burst implements limiter.Store: it adds tokens to the current bucket.
func (s *Store) Burst(ctx context.Context, key string, tokens uint64) error {
	now := time.Now()
	b, err := s.load(ctx, key, now)
	if err != nil {
		return err
	}
	b.Remaining += tokens
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	resetAt := time.Unix(0, int64(b.Reset))
	return s.ns.PutCache(ctx, s.prefix+key, raw, time.Until(resetAt)) // EXPECT kvrace|kvcounter
}

// Close implements limiter.Store.
func (s *Store) Close(context.Context) error {
	s.stopped = true
	return nil
}
