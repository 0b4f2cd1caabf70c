// Package lock provides a best-effort advisory lock kept in KV, used to keep
// two API instances from running the same slow operation for one player.
package lock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
)

// ErrHeld is returned when another holder owns the lock.
var ErrHeld = errors.New("lock: held by another owner")

// Store is the storage the locker needs.
type Store = kvstore.Store

// Locker hands out named locks.
type Locker struct {
	st  Store
	ks  keys.Space
	ttl time.Duration
}

// Option configures a Locker.
type Option interface{ apply(*Locker) }

type ttlOption time.Duration

func (o ttlOption) apply(l *Locker) { l.ttl = time.Duration(o) }

// WithTTL sets how long an abandoned lock survives.
func WithTTL(d time.Duration) Option { return ttlOption(d) }

// New returns a locker writing under ks.
func New(st Store, ks keys.Space, opts ...Option) *Locker {
	l := &Locker{st: st, ks: ks, ttl: 2 * time.Minute}
	for _, o := range opts {
		o.apply(l)
	}
	return l
}

func (l *Locker) acquire(ctx context.Context, name, owner string) error {
	key := l.ks.Lock(name)
	_, err := l.st.Get(ctx, key)
	switch {
	case err == nil:
		return ErrHeld
	case !kvstore.IsNotFound(err):
		return fmt.Errorf("lock: probe %s: %w", name, err)
	}
	// KV will not keep anything for less than a minute.
	return l.st.Put(ctx, key, []byte(owner), kvstore.WithTTL(max(l.ttl, time.Minute))) // EXPECT kvrace
}

func (l *Locker) release(ctx context.Context, name string) {
	// Use a fresh context: the caller's may already be cancelled.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = l.st.Delete(ctx, l.ks.Lock(name))
}

// With runs fn while holding the named lock.
func (l *Locker) With(ctx context.Context, name, owner string, fn func(context.Context) error) error {
	if err := l.acquire(ctx, name, owner); err != nil {
		return err
	}
	defer l.release(ctx, name)
	return fn(ctx)
}
