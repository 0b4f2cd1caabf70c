// Package moderation keeps the content allow and deny lists consulted on
// upload, and tracks strikes against accounts that upload denied content.
package moderation

import (
	"context"
	"sync"
	"time"

	"example.com/mosaic/internal/domain"
	"example.com/mosaic/internal/storage"
	"example.com/mosaic/internal/typed"
)

// UserID identifies an account.
type UserID string

// Decision is the outcome of a content check.
type Decision int

const (
	Unknown Decision = iota
	Allowed
	Denied
)

// Snapshot is an in-memory copy of the allow list, refreshed periodically.
type Snapshot struct {
	mu     sync.RWMutex
	allow  map[string]domain.ModerationEntry
	loaded time.Time
}

// NewSnapshot returns an empty snapshot.
func NewSnapshot() *Snapshot { return &Snapshot{} }

// Replace swaps the snapshot contents.
func (s *Snapshot) Replace(entries map[string]domain.ModerationEntry) {
	s.mu.Lock()
	s.allow, s.loaded = entries, time.Now()
	s.mu.Unlock()
}

// Allowed reports whether hash is on the allow list.
func (s *Snapshot) Allowed(hash string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.allow[hash]
	return ok
}

// Age returns how old the snapshot is.
func (s *Snapshot) Age() time.Duration {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return time.Since(s.loaded)
}

// Strikes counts policy violations per account.
type Strikes struct {
	store *typed.Store[UserID, int]
	limit int
}

// NewStrikes returns a strike tracker; accounts reaching limit are
// suspended by the caller.
func NewStrikes(st storage.Store, limit int) *Strikes {
	return &Strikes{
		store: typed.New[UserID, int](st, "strikes:", storage.PutOptions{TTL: 90 * 24 * time.Hour}),
		limit: limit,
	}
}

// Add records a strike and reports whether the account hit the limit.
func (s *Strikes) Add(ctx context.Context, uid UserID) (bool, error) {
	n, _, err := s.store.Lookup(ctx, uid)
	if err != nil {
		return false, err
	}
	n++
	if err := s.store.Put(ctx, uid, n); err != nil { // EXPECT kvcounter
		return false, err
	}
	return n >= s.limit, nil
}
