package kvstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ErrLeaseHeld is returned by Acquire when another holder owns the lease.
var ErrLeaseHeld = errors.New("kvstore: lease held by another worker")

// Leases hands out named, expiring leases stored under one scope.
type Leases struct {
	scope  Scope
	holder string
}

// NewLeases returns leases stored under s.Scope("lease") for holder.
func NewLeases(s Scope, holder string) Leases {
	return Leases{scope: s.Scope("lease"), holder: holder}
}

// Acquire takes the lease called name for ttl. The returned release function
// gives it back; it is safe to call more than once.
func (l Leases) Acquire(ctx context.Context, name string, ttl time.Duration) (release func(), err error) {
	cur, err := l.scope.Get(ctx, name)
	switch {
	case err == nil && string(cur) != l.holder:
		return nil, fmt.Errorf("%w: %s", ErrLeaseHeld, name)
	case err != nil && !errors.Is(err, ErrNotFound):
		return nil, err
	}
	if err := l.scope.Put(ctx, name, []byte(l.holder), ttl); err != nil { // EXPECT kvrace
		return nil, err
	}
	released := false
	return func() {
		if released {
			return
		}
		released = true
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := l.scope.Delete(ctx, name); err != nil {
			slog.Warn("lease release failed", "lease", name, "err", err)
		}
	}, nil
}
