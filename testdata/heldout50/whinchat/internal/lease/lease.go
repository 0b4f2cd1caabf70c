// Package lease hands out named, time-limited leases so that only one
// replica runs a given background job at a time.
package lease

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/whinchat/fleet/internal/kvstore"
)

// ErrHeld is returned when another owner holds an unexpired lease.
var ErrHeld = errors.New("lease: held by another owner")

type holder struct {
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

// Manager issues leases stored under one Space.
type Manager struct {
	space kvstore.Space
	owner string
}

// NewManager returns a Manager whose leases are recorded as owned by owner
// (typically hostname and pid).
func NewManager(s kvstore.Space, owner string) *Manager {
	return &Manager{space: s.Scope("lease"), owner: owner}
}

// Acquire takes the named lease for ttl. The returned function releases it;
// callers defer it right after a successful Acquire.
func (m *Manager) Acquire(ctx context.Context, name string, ttl time.Duration) (func(), error) {
	raw, err := m.space.Get(ctx, name)
	switch {
	case err == nil:
		var h holder
		if json.Unmarshal(raw, &h) == nil && h.Owner != m.owner && time.Now().Before(h.Until) {
			return nil, ErrHeld
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}

	body, err := json.Marshal(holder{Owner: m.owner, Until: time.Now().Add(ttl)})
	if err != nil {
		return nil, err
	}
	if err := m.space.Put(ctx, name, body, ttl); err != nil { // EXPECT kvrace
		return nil, err
	}

	released := false
	return func() {
		if released {
			return
		}
		released = true
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := m.space.Delete(ctx, name); err != nil {
			slog.Warn("lease release failed", "lease", name, "err", err)
		}
	}, nil
}
