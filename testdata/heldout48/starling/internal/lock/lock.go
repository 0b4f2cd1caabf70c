// Package lock is a lease kept in KV that keeps two backend replicas from
// running the same long job for one episode at the same time.
package lock

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"starling/internal/keys"
	"starling/internal/kvrest"
)

const root keys.Key = "lock"

var (
	// ErrHeld is returned when another owner holds the lease.
	ErrHeld = errors.New("lock: held by another owner")
	// ErrLost is returned when the lease expired or was taken over.
	ErrLost = errors.New("lock: lease lost")
)

type lease struct {
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

// Lease is a held lock.
type Lease struct {
	kv    *kvrest.Instrumented
	key   string
	owner string
	ttl   time.Duration
}

func current(ctx context.Context, kv *kvrest.Instrumented, key string) (*lease, error) {
	raw, err := kv.Get(ctx, key)
	if errors.Is(err, kvrest.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var l lease
	return &l, json.Unmarshal(raw, &l)
}

// Acquire takes the lock name for ttl.
func Acquire(ctx context.Context, kv *kvrest.Instrumented, name string, ttl time.Duration) (*Lease, error) {
	key := root.With(name).String()
	cur, err := current(ctx, kv, key)
	if err != nil {
		return nil, err
	}
	if cur != nil && time.Now().Before(cur.Until) {
		return nil, ErrHeld
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	l := &Lease{kv: kv, key: key, owner: hex.EncodeToString(b), ttl: ttl}
	v, _ := json.Marshal(lease{Owner: l.owner, Until: time.Now().Add(ttl)})
	if err := kv.PutTTL(ctx, key, v, ttl); err != nil { // EXPECT kvrace
		return nil, err
	}
	return l, nil
}

// Renew extends the lease by its TTL. Long jobs call it between steps.
func (l *Lease) Renew(ctx context.Context) error {
	cur, err := current(ctx, l.kv, l.key)
	if err != nil {
		return err
	}
	if cur == nil || cur.Owner != l.owner {
		return ErrLost
	}
	v, _ := json.Marshal(lease{Owner: l.owner, Until: time.Now().Add(l.ttl)})
	return l.kv.PutTTL(ctx, l.key, v, l.ttl) // DEBATABLE kvrace
}

// Release gives the lock up if this lease still holds it.
func (l *Lease) Release(ctx context.Context) error {
	cur, err := current(ctx, l.kv, l.key)
	if err != nil || cur == nil || cur.Owner != l.owner {
		return err
	}
	return l.kv.Delete(ctx, l.key)
}
