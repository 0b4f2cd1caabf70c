package kvstore

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lanternforge/waxwing/internal/keys"
)

var (
	ErrLockHeld = errors.New("kvstore: lock held by another owner")
	ErrLockLost = errors.New("kvstore: lock lost")
)

type lease struct {
	Owner   string `json:"owner"`
	Expires int64  `json:"exp"`
}

// Lock is a lease on a named job kept in KV. The lease expires on its own if
// its owner dies; a live owner calls Renew between steps.
type Lock struct {
	kv    *Logged
	key   string
	owner string
	ttl   time.Duration
}

func NewLock(l *Logged, name string, ttl time.Duration) *Lock {
	return &Lock{kv: l, key: keys.Locks.Child(name).String(), owner: rand.Text(), ttl: ttl}
}

// Acquire takes the lease unless another owner holds an unexpired one.
func (l *Lock) Acquire(ctx context.Context) error {
	raw, err := l.kv.Get(ctx, l.key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return fmt.Errorf("lock %s: %w", l.key, err)
	default:
		var cur lease
		if json.Unmarshal(raw, &cur) == nil && cur.Owner != l.owner && time.Now().Unix() < cur.Expires {
			return ErrLockHeld
		}
	}
	body, _ := json.Marshal(lease{Owner: l.owner, Expires: time.Now().Add(l.ttl).Unix()})
	return l.kv.Put(ctx, l.key, body, l.ttl) // EXPECT kvrace
}

// Renew extends the lease if this owner still holds it.
func (l *Lock) Renew(ctx context.Context) error {
	raw, err := l.kv.Get(ctx, l.key)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrLockLost, err)
	}
	var cur lease
	if err := json.Unmarshal(raw, &cur); err != nil || cur.Owner != l.owner {
		return ErrLockLost
	}
	cur.Expires = time.Now().Add(l.ttl).Unix()
	body, _ := json.Marshal(cur)
	return l.kv.Put(ctx, l.key, body, l.ttl) // EXPECT kvrace
}

// Release gives the lease up if this owner holds it.
func (l *Lock) Release(ctx context.Context) error {
	raw, err := l.kv.Get(ctx, l.key)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var cur lease
	if json.Unmarshal(raw, &cur) == nil && cur.Owner == l.owner {
		return l.kv.Delete(ctx, l.key)
	}
	return nil
}
