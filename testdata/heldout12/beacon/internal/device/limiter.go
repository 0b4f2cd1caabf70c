package device

import (
	"context"
	"errors"
	"strconv"
	"time"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
)

// Limiter throttles registrations per caller with fixed windows.
type Limiter struct {
	Store  kvstore.Store
	Window time.Duration
	Limit  int
}

// Allow reports whether the caller may proceed. Storage errors fail open so
// an API outage does not take registrations down with it.
func (l *Limiter) Allow(ctx context.Context, scope, caller string) (bool, error) {
	bucket := time.Now().Truncate(l.Window).Unix()
	key := consts.PrefixRate.Key(scope, caller, strconv.FormatInt(bucket, 10))

	hits := 0
	raw, err := l.Store.Get(ctx, key)
	switch {
	case err == nil:
		hits, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return true, err
	}
	if hits >= l.Limit {
		return false, nil
	}
	ttl := max(2*l.Window, 5*time.Second)                                                   // EXPECT kvttl
	err = l.Store.Put(ctx, key, []byte(strconv.Itoa(hits+1)), kvstore.PutOptions{TTL: ttl}) // EXPECT kvcounter
	return true, err
}
