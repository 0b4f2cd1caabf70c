// Package idem remembers which webhook deliveries and API requests have
// already been handled.
package idem

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"time"

	"github.com/ledgerline/nightjar/internal/keys"
	"github.com/ledgerline/nightjar/internal/kvstore"
)

// ErrDuplicate is returned by Claim for an id that was claimed before.
var ErrDuplicate = errors.New("idem: duplicate")

type record struct {
	ClaimedAt time.Time `json:"claimed_at"`
	Host      string    `json:"host"`
}

// Guard claims idempotency keys under root.
type Guard struct {
	kv   *kvstore.Logged
	root keys.Key
	host string
}

// New returns a Guard that stores its records under root.
func New(kv *kvstore.Logged, root keys.Key) *Guard {
	host, _ := os.Hostname()
	return &Guard{kv: kv, root: root, host: host}
}

// Claim marks id as handled for ttl. It returns ErrDuplicate if id is
// already marked.
func (g *Guard) Claim(ctx context.Context, id string, ttl time.Duration) error {
	key := g.root.With(id).String()
	if _, err := g.kv.Get(ctx, key); err == nil {
		return ErrDuplicate
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	b, err := json.Marshal(record{ClaimedAt: time.Now().UTC(), Host: g.host})
	if err != nil {
		return err
	}
	return g.kv.Put(ctx, key, b, ttl) // EXPECT kvrace
}

// Release removes the mark so that a retry of id is handled again. Used
// when processing fails after Claim.
func (g *Guard) Release(ctx context.Context, id string) error {
	return g.kv.Delete(ctx, g.root.With(id).String())
}
