// Package locks implements deploy locks on environments.
package locks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/osprey/internal/codec"
	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/storage"
)

// Manager hands out deploy locks.
type Manager interface {
	Acquire(ctx context.Context, project, env, holder, reason string) (domain.DeployLock, error)
	Extend(ctx context.Context, project, env, holder string, until time.Time) error
	Refresh(ctx context.Context, project, env, holder string) error
	Release(ctx context.Context, project, env, holder string) error
	Current(ctx context.Context, project, env string) (domain.DeployLock, bool, error)
}

type manager struct {
	locks storage.Store[string, domain.DeployLock]
	lease time.Duration
	now   func() time.Time
}

var _ Manager = (*manager)(nil)

// Option configures a Manager.
type Option func(*manager)

// WithLeaseTTL sets how long a lock lives without being extended.
func WithLeaseTTL(d time.Duration) Option { return func(m *manager) { m.lease = d } }

// NewManager returns a Manager storing locks in raw.
func NewManager(raw storage.Raw, opts ...Option) Manager {
	m := &manager{
		locks: storage.NewTyped[string, domain.DeployLock](raw, codec.JSON[domain.DeployLock]{}),
		lease: 15 * time.Minute,
		now:   time.Now,
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

func lockKey(project, env string) string { return fmt.Sprintf("locks/%s/%s", project, env) }

func (m *manager) Current(ctx context.Context, project, env string) (domain.DeployLock, bool, error) {
	l, err := m.locks.Get(ctx, lockKey(project, env))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.DeployLock{}, false, nil
	}
	if err != nil {
		return domain.DeployLock{}, false, err
	}
	if m.now().After(l.ExpiresAt) {
		return domain.DeployLock{}, false, nil
	}
	return l, true, nil
}

// Acquire takes the lock unless someone else holds it. After writing, it
// reads the lock back and gives up if another holder's write landed last.
func (m *manager) Acquire(ctx context.Context, project, env, holder, reason string) (domain.DeployLock, error) {
	cur, held, err := m.Current(ctx, project, env)
	if err != nil {
		return domain.DeployLock{}, err
	}
	if held && cur.Holder != holder {
		return cur, domain.ErrConflict
	}
	now := m.now()
	l := domain.DeployLock{
		Project:     project,
		Environment: env,
		Holder:      holder,
		Reason:      reason,
		AcquiredAt:  now,
		ExpiresAt:   now.Add(m.lease),
	}
	if err := m.locks.Put(ctx, lockKey(project, env), l, storage.WithTTL(m.lease)); err != nil { // DEBATABLE kvrace
		return domain.DeployLock{}, err
	}
	check, _, err := m.Current(ctx, project, env)
	if err != nil {
		return domain.DeployLock{}, err
	}
	if check.Holder != holder {
		return check, domain.ErrConflict
	}
	return l, nil
}

// Extend pushes the lock's expiry to until, as requested by a long deploy.
func (m *manager) Extend(ctx context.Context, project, env, holder string, until time.Time) error {
	cur, held, err := m.Current(ctx, project, env)
	if err != nil {
		return err
	}
	if !held || cur.Holder != holder {
		return domain.ErrForbidden
	}
	l := domain.DeployLock{
		Project:     project,
		Environment: env,
		Holder:      holder,
		Reason:      cur.Reason,
		AcquiredAt:  cur.AcquiredAt,
		ExpiresAt:   until,
	}
	return m.locks.Put(ctx, lockKey(project, env), l, storage.WithTTL(time.Until(until))) // EXPECT kvttl
}

// Refresh renews the lock for another lease, never for less than a minute.
func (m *manager) Refresh(ctx context.Context, project, env, holder string) error {
	cur, held, err := m.Current(ctx, project, env)
	if err != nil {
		return err
	}
	if !held || cur.Holder != holder {
		return domain.ErrForbidden
	}
	until := m.now().Add(m.lease)
	ttl := max(time.Until(until), time.Minute)
	next := domain.DeployLock{Project: project, Environment: env, Holder: holder, Reason: cur.Reason, AcquiredAt: cur.AcquiredAt, ExpiresAt: until}
	return m.locks.Put(ctx, lockKey(project, env), next, storage.WithTTL(ttl))
}

func (m *manager) Release(ctx context.Context, project, env, holder string) error {
	cur, held, err := m.Current(ctx, project, env)
	if err != nil || !held {
		return err
	}
	if cur.Holder != holder {
		return domain.ErrForbidden
	}
	return m.locks.Delete(ctx, lockKey(project, env))
}
