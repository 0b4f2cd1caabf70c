package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/throttled/throttled/v2"

	"github.com/tinamou-id/tinamou/internal/kvstore"
)

const gcraPrefix = "ratelimit:gcra:"

// GCRAStore implements throttled.GCRAStoreCtx over KV. The stored value is the
// limiter's theoretical arrival time in Unix nanoseconds.
type GCRAStore struct {
	ns *kvstore.Namespace
}

var _ throttled.GCRAStoreCtx = (*GCRAStore)(nil)

// NewGCRAStore returns a GCRA store backed by ns.
func NewGCRAStore(ns *kvstore.Namespace) *GCRAStore { return &GCRAStore{ns: ns} }

// GetWithTime returns the stored TAT, or -1 when the key is absent.
func (s *GCRAStore) GetWithTime(ctx context.Context, key string) (int64, time.Time, error) {
	now := time.Now()
	raw, err := s.ns.Get(ctx, gcraPrefix+key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return -1, now, nil
	}
	if err != nil {
		return 0, now, err
	}
	v, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, now, err
	}
	return v, now, nil
}

// SetIfNotExistsWithTTL stores value unless key already has a TAT.
func (s *GCRAStore) SetIfNotExistsWithTTL(ctx context.Context, key string, value int64, ttl time.Duration) (bool, error) {
	_, err := s.ns.Get(ctx, gcraPrefix+key)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return false, err
	}
	if err := s.ns.PutCache(ctx, gcraPrefix+key, []byte(strconv.FormatInt(value, 10)), ttl); err != nil { // EXPECT kvrace|kvcounter
		return false, err
	}
	return true, nil
}

// CompareAndSwapWithTTL replaces old with new when the stored TAT still equals old.
func (s *GCRAStore) CompareAndSwapWithTTL(ctx context.Context, key string, old, new int64, ttl time.Duration) (bool, error) {
	raw, err := s.ns.Get(ctx, gcraPrefix+key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	cur, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || cur != old {
		return false, err
	}
	// The TAT is when the bucket drains; the entry is useless after that.
	expiry := max(time.Until(time.Unix(0, new)), 2*time.Second)                                       // EXPECT kvttl
	if err := s.ns.Put(ctx, gcraPrefix+key, []byte(strconv.FormatInt(new, 10)), expiry); err != nil { // EXPECT kvrace|kvcounter
		return false, err
	}
	return true, nil
}

// accountVary keys the token endpoint limiter by the submitted username, so
// that a credential-stuffing run against one account is slowed wherever it
// comes from.
type accountVary struct{}

func (accountVary) Key(r *http.Request) string {
	if err := r.ParseForm(); err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(r.PostForm.Get("username")))
}

// AccountLimiter wraps h with a per-account GCRA limit.
func AccountLimiter(store throttled.GCRAStoreCtx, perMinute, burst int, h http.Handler) (http.Handler, error) {
	rl, err := throttled.NewGCRARateLimiterCtx(store, throttled.RateQuota{
		MaxRate:  throttled.PerMin(perMinute),
		MaxBurst: burst,
	})
	if err != nil {
		return nil, err
	}
	hl := &throttled.HTTPRateLimiterCtx{
		RateLimiter: rl,
		VaryBy:      accountVary{},
	}
	return hl.RateLimit(h), nil
}
