// Package limiter sees KV only through store.Store.
package limiter

import (
	"context"
	"strconv"
	"time"

	"kvlint.test/ports/store"
)

type Limiter struct{ S store.Store }

// Allow counts hits per IP in the store: a counter kept in KV.
func (l *Limiter) Allow(ctx context.Context, ip string) (bool, error) {
	raw, err := l.S.Get(ctx, "hits:"+ip)
	if err != nil {
		raw = []byte("0")
	}
	n, _ := strconv.Atoi(string(raw))
	if n >= 100 {
		return false, nil
	}
	return true, l.S.Set(ctx, "hits:"+ip, []byte(strconv.Itoa(n+1)), time.Minute) // kvcounter
}

// Remember keeps a value for 30 seconds, which KV rejects.
func (l *Limiter) Remember(ctx context.Context, key string, v []byte) error {
	return l.S.Set(ctx, key, v, 30*time.Second) // kvttl
}

// RememberLonger is the look-alike: an hour.
func (l *Limiter) RememberLonger(ctx context.Context, key string, v []byte) error {
	return l.S.Set(ctx, key, v, time.Hour)
}
