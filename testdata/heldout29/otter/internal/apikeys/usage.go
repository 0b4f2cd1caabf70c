package apikeys

import (
	"context"
	"strconv"
	"time"

	"example.com/otter/internal/kvport"
)

// Usage records daily request counts per API key for the usage page.
type Usage struct{ store kvport.Store }

func NewUsage(store kvport.Store) *Usage { return &Usage{store: store} }

func (u *Usage) Count(ctx context.Context, keyID string, day time.Time) (int64, error) {
	raw, err := u.store.Get(ctx, keyID+":"+day.UTC().Format(time.DateOnly))
	if kvport.IsNotFound(err) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// Incr records one request made with keyID.
func (u *Usage) Incr(ctx context.Context, keyID string) error {
	now := time.Now()
	n, err := u.Count(ctx, keyID, now)
	if err != nil {
		return err
	}
	key := keyID + ":" + now.UTC().Format(time.DateOnly)
	return u.store.Put(ctx, key, strconv.AppendInt(nil, n+1, 10), &kvport.PutOpts{TTL: 40 * 24 * time.Hour}) // EXPECT kvcounter
}
