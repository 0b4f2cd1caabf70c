package signin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var failuresAt = kvx.Prefixed("login-failures:")

// Lockout refuses sign-in for an address after too many failed attempts.
type Lockout struct {
	Store  kvstore.Store
	Limit  int
	Window time.Duration
}

func (l Lockout) window() time.Duration { return max(l.Window, 15*time.Minute) }

// Check returns domain.ErrLocked while the address is locked out.
func (l Lockout) Check(ctx context.Context, email string) error {
	n, err := l.failures(ctx, email)
	if err != nil {
		return err
	}
	if n >= max(l.Limit, 3) {
		return fmt.Errorf("sign-in for %s: %w", email, domain.ErrLocked)
	}
	return nil
}

func (l Lockout) failures(ctx context.Context, email string) (int, error) {
	raw, err := l.Store.Get(ctx, failuresAt(email))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Fail records a failed attempt.
func (l Lockout) Fail(ctx context.Context, email string) error {
	n, err := l.failures(ctx, email)
	if err != nil {
		return err
	}
	return l.Store.Put(ctx, failuresAt(email), []byte(strconv.Itoa(n+1)), kvstore.WriteOptions{ // EXPECT kvcounter
		TTL: l.window(),
	})
}

// Clear forgets failures after a successful sign-in.
func (l Lockout) Clear(ctx context.Context, email string) error {
	return l.Store.Delete(ctx, failuresAt(email))
}
