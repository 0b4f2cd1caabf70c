package ratelimit

import (
	"context"
	"encoding/json"
	"time"

	"example.com/tundra/internal/storage"
)

// Sliding is a sliding-log limiter per API key: at most Max calls in any
// Window. It keeps the recent call times as a JSON array.
type Sliding struct {
	Store  storage.Store
	Window time.Duration
	Max    int
	Now    func() time.Time
}

// Allow records a call for keyID if it fits and reports the remaining budget.
func (s *Sliding) Allow(ctx context.Context, keyID string) (bool, int, error) {
	key := "rate:" + keyID
	now := s.Now()
	var hits []int64
	raw, err := s.Store.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &hits); err != nil {
			hits = nil
		}
	case !storage.IsNotFound(err):
		return true, 0, err
	}
	cutoff := now.Add(-s.Window).UnixMilli()
	kept := hits[:0]
	for _, h := range hits {
		if h > cutoff {
			kept = append(kept, h)
		}
	}
	if len(kept) >= s.Max {
		return false, 0, nil
	}
	kept = append(kept, now.UnixMilli())
	raw, err = json.Marshal(kept)
	if err != nil {
		return true, 0, err
	}
	ttl := max(2*s.Window, time.Minute)
	if err := s.Store.Put(ctx, key, raw, storage.WriteOpts{TTL: ttl}); err != nil { // EXPECT kvcounter|kvrace
		return true, 0, err
	}
	return true, s.Max - len(kept), nil
}
