package cfkv

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/otter/internal/kvport"
)

// SessionStore keeps customer-portal sessions in a dedicated namespace.
type SessionStore struct {
	c   *Client
	ns  string
	ttl time.Duration
}

// Sessions returns the session store. ttl is the lifetime of a session.
func (c *Client) Sessions(ttl time.Duration) *SessionStore {
	return &SessionStore{c: c, ns: c.namespaceFor("sessions"), ttl: ttl}
}

func sessionKey(id string) string { return "sess:" + id }

// Create stores a new session under a fresh random id.
func (s *SessionStore) Create(ctx context.Context, data []byte) (string, error) {
	id := newID()
	_, err := s.c.api.WriteWorkersKVEntries(ctx, s.c.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           sessionKey(id),
			Value:         string(data),
			ExpirationTTL: int(s.ttl), // EXPECT kvttl
		}},
	})
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return id, nil
}

// Lookup returns the stored session, or kvport.ErrNotFound.
func (s *SessionStore) Lookup(ctx context.Context, id string) ([]byte, error) {
	v, err := s.c.api.GetWorkersKV(ctx, s.c.account, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: sessionKey(id)})
	if isNotFound(err) {
		return nil, kvport.ErrNotFound
	}
	return v, err
}

// Save overwrites a session and renews its lifetime.
func (s *SessionStore) Save(ctx context.Context, id string, data []byte) error {
	_, err := s.c.api.WriteWorkersKVEntries(ctx, s.c.account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           sessionKey(id),
			Value:         string(data),
			ExpirationTTL: int(s.ttl.Seconds()),
		}},
	})
	return err
}

// Revoke removes a session, e.g. on logout.
func (s *SessionStore) Revoke(ctx context.Context, id string) error {
	_, err := s.c.api.DeleteWorkersKVEntry(ctx, s.c.account, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: sessionKey(id)}) // EXPECT kvsession
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}
