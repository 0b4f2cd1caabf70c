package restkv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"time"
)

// ErrLeaseHeld means another runner holds the lease.
var ErrLeaseHeld = errors.New("restkv: lease held")

// Acquire takes the lease called name for ttl and returns the function that
// gives it back. Callers defer the release.
func Acquire(ctx context.Context, s Scope, name string, ttl time.Duration) (func(), error) {
	locks := s.Scope("lease")
	if _, err := locks.Get(ctx, name); err == nil {
		return nil, fmt.Errorf("%w: %s", ErrLeaseHeld, name)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	owner := hex.EncodeToString(b[:])
	if err := locks.PutTTL(ctx, name, []byte(owner), max(ttl, time.Minute)); err != nil { // EXPECT kvrace
		return nil, err
	}
	release := func() {
		if err := locks.Delete(context.WithoutCancel(ctx), name); err != nil {
			log.Printf("restkv: release lease %s: %v", name, err)
		}
	}
	return release, nil
}
