// Package lease provides named, expiring leases used to keep scheduled jobs
// from running on two isolates at once.
package lease

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
)

var ErrHeld = errors.New("lease: held by another holder")

// Lease is the stored record, gob-encoded.
type Lease struct {
	Holder  string
	Name    string
	Expires time.Time
}

type Manager struct {
	store  storage.Store
	format string // e.g. "lease/%s"
	holder string
	now    func() time.Time
}

// NewManager returns a manager whose leases are held under a fresh holder ID.
func NewManager(store storage.Store, format string) *Manager {
	return &Manager{store: store, format: format, holder: "h_" + ids.Token(9), now: time.Now}
}

func (m *Manager) Holder() string { return m.holder }

func (m *Manager) read(ctx context.Context, key string) (Lease, bool, error) {
	raw, err := m.store.Get(ctx, key)
	if storage.IsNotFound(err) {
		return Lease{}, false, nil
	}
	if err != nil {
		return Lease{}, false, err
	}
	var l Lease
	if err := codec.FromGobString(string(raw), &l); err != nil {
		return Lease{}, false, fmt.Errorf("lease: decode %s: %w", key, err)
	}
	return l, true, nil
}

// Acquire takes the named lease for ttl. The returned release func gives it
// back early; it is safe to call more than once.
func (m *Manager) Acquire(ctx context.Context, name string, ttl time.Duration) (release func(), err error) {
	key := fmt.Sprintf(m.format, name)
	cur, ok, err := m.read(ctx, key)
	if err != nil {
		return nil, err
	}
	now := m.now()
	if ok && cur.Holder != m.holder && now.Before(cur.Expires) {
		return nil, fmt.Errorf("%w: %s until %s", ErrHeld, name, cur.Expires.Format(time.RFC3339))
	}
	l := Lease{Holder: m.holder, Name: name, Expires: now.Add(ttl)}
	val, err := codec.GobString(l)
	if err != nil {
		return nil, err
	}
	if err := m.store.Put(ctx, key, []byte(val), storage.PutOptions{ExpireAt: l.Expires}); err != nil { // EXPECT kvrace
		return nil, fmt.Errorf("lease: acquire %s: %w", name, err)
	}
	released := false
	release = func() {
		if released {
			return
		}
		released = true
		// The caller's context may already be done; give the release its own.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		cur, ok, err := m.read(rctx, key)
		if err != nil || !ok || cur.Holder != m.holder {
			return
		}
		if err := m.store.Delete(rctx, key); err != nil {
			slog.Warn("lease release failed", "lease", name, "err", err)
		}
	}
	return release, nil
}
