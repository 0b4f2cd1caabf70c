package apikey

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"example.com/authgw/internal/kvport"
)

// Limiter enforces a per-key requests-per-minute budget with fixed windows.
type Limiter struct {
	kv     kvport.Store
	window time.Duration
	now    func() time.Time
}

func NewLimiter(kv kvport.Store) *Limiter {
	return &Limiter{kv: kv, window: time.Minute, now: time.Now}
}

// Allow reports whether keyID may make one more request in this window.
func (l *Limiter) Allow(ctx context.Context, keyID string, perWindow int) (bool, error) {
	if perWindow <= 0 {
		return true, nil
	}
	slot := l.now().Truncate(l.window).Unix()
	key := fmt.Sprintf("rl:%s:%d", keyID, slot)

	var used int
	switch raw, err := l.kv.Get(ctx, key); {
	case err == nil:
		if _, err := fmt.Sscan(string(raw), &used); err != nil {
			used = 0
		}
	case !kvport.IsNotFound(err):
		return false, err
	}
	if used >= perWindow {
		return false, nil
	}
	// Keep the slot around for one extra window so late requests still see it.
	if err := l.kv.Put(ctx, key, []byte(strconv.Itoa(used+1)), kvport.WithTTL(2*l.window)); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}
