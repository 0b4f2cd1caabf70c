// Package cron runs periodic jobs. Every replica runs the scheduler; a lease
// in KV makes it likely that only one replica runs a given job at a time.
package cron

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/orchard/internal/kvstore"
)

var ErrHeld = errors.New("cron: lease held by another replica")

type leaseRecord struct {
	Holder  string `json:"holder"`
	Expires int64  `json:"expires"`
}

// Leases hands out named leases.
type Leases struct {
	store  kvstore.Store
	prefix string
}

func NewLeases(store kvstore.Store) *Leases {
	return &Leases{store: store, prefix: "lease/"}
}

// Acquire takes the lease name for holder for ttl. The returned release
// function gives the lease up early; it is safe to call more than once.
func (l *Leases) Acquire(ctx context.Context, name, holder string, ttl time.Duration) (release func(), err error) {
	key := l.prefix + name
	raw, err := l.store.Get(ctx, key)
	switch {
	case err == nil:
		var cur leaseRecord
		if json.Unmarshal(raw, &cur) == nil && cur.Holder != holder && cur.Expires > time.Now().Unix() {
			return nil, fmt.Errorf("%w: %s until %s", ErrHeld, cur.Holder, time.Unix(cur.Expires, 0).Format(time.RFC3339))
		}
	case !kvstore.IsNotFound(err):
		return nil, err
	}
	expires := time.Now().Add(ttl).Unix()
	b, _ := json.Marshal(leaseRecord{Holder: holder, Expires: expires})
	if err := l.store.Put(ctx, key, b, kvstore.PutOptions{ExpiresAt: expires}); err != nil { // EXPECT kvrace
		return nil, err
	}
	released := false
	return func() {
		if released {
			return
		}
		released = true
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := l.store.Delete(ctx, key); err != nil {
			slog.Warn("cron: releasing lease", "lease", name, "err", err)
		}
	}, nil
}
