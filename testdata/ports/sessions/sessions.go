// Package sessions writes through store.Cache with per-call options.
package sessions

import (
	"context"
	"time"

	"kvlint.test/ports/store"
)

type Sessions struct{ C store.Cache }

// Nonce lives 20 seconds, which KV rejects.
func (s *Sessions) Nonce(ctx context.Context, id string) error {
	return s.C.Put(ctx, "nonce:"+id, []byte("1"), store.WithTTL(20*time.Second)) // kvttl
}

// Save is the look-alike: a day.
func (s *Sessions) Save(ctx context.Context, id string, v []byte) error {
	return s.C.Put(ctx, "sess:"+id, v, store.WithTTL(24*time.Hour))
}

// Keeper keeps the lifetime its constructor was given, and passes it on
// to the port's option.
type Keeper struct {
	c   store.Cache
	ttl time.Duration
}

func NewKeeper(c store.Cache, ttl time.Duration) *Keeper { return &Keeper{c: c, ttl: ttl} }

func (k *Keeper) Keep(ctx context.Context, key string, v []byte) error {
	return k.c.Put(ctx, key, v, store.WithTTL(k.ttl))
}
