// Package portal is the customer portal: sign-in by magic link or code,
// sessions, and the pages a customer sees.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"example.com/otter/internal/kvport"
)

// Sessions stores portal sessions.
type Sessions interface {
	Create(ctx context.Context, data []byte) (string, error)
	Lookup(ctx context.Context, id string) ([]byte, error)
	Save(ctx context.Context, id string, data []byte) error
	Revoke(ctx context.Context, id string) error
}

// Session is the stored session state.
type Session struct {
	Email          string    `json:"email"`
	Tenant         string    `json:"tenant"`
	Customers      []string  `json:"customers"`
	ActiveCustomer string    `json:"active_customer"`
	CreatedAt      time.Time `json:"created_at"`
	LastSeen       time.Time `json:"last_seen"`
}

// StoreSessions implements Sessions over the storage port.
type StoreSessions struct {
	store kvport.Store
	ttl   time.Duration
}

var _ Sessions = (*StoreSessions)(nil)

// NewStoreSessions returns sessions kept in store for ttl.
func NewStoreSessions(store kvport.Store, ttl time.Duration) *StoreSessions {
	return &StoreSessions{store: store, ttl: max(ttl, time.Minute)}
}

func newSessionID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *StoreSessions) Create(ctx context.Context, data []byte) (string, error) {
	id := newSessionID()
	return id, s.store.Put(ctx, id, data, &kvport.PutOpts{TTL: s.ttl})
}

func (s *StoreSessions) Lookup(ctx context.Context, id string) ([]byte, error) {
	return s.store.Get(ctx, id)
}

func (s *StoreSessions) Save(ctx context.Context, id string, data []byte) error {
	return s.store.Put(ctx, id, data, &kvport.PutOpts{TTL: s.ttl})
}

func (s *StoreSessions) Revoke(ctx context.Context, id string) error {
	return s.store.Delete(ctx, id) // EXPECT kvsession
}
