// Package kvv0 wraps the v0 cloudflare-go Workers KV calls used by the legacy
// installer backend.
package kvv0

import (
	"context"
	"errors"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("kv: not found")

// Store is one namespace reached through the v0 REST client.
type Store struct {
	API         *cloudflare.API
	RC          *cloudflare.ResourceContainer
	NamespaceID string
}

// Open returns a Store for the account and namespace.
func Open(api *cloudflare.API, accountID, namespaceID string) *Store {
	return &Store{API: api, RC: cloudflare.AccountIdentifier(accountID), NamespaceID: namespaceID}
}

// Get reads key, mapping a 404 to ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := s.API.GetWorkersKV(ctx, s.RC, cloudflare.GetWorkersKVParams{NamespaceID: s.NamespaceID, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return raw, nil
}

// Put writes key without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte) error {
	_, err := s.API.WriteWorkersKVEntry(ctx, s.RC, cloudflare.WriteWorkersKVEntryParams{
		NamespaceID: s.NamespaceID,
		Key:         key,
		Value:       value,
	})
	return err
}

// PutTTL writes key so that it expires ttl from now. KV refuses lifetimes
// under a minute, so shorter ones are raised to a minute.
func (s *Store) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	_, err := s.API.WriteWorkersKVEntries(ctx, s.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.NamespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(value),
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	return err
}

// PutAt writes key so that it expires at the unix time expiresAt (seconds).
func (s *Store) PutAt(ctx context.Context, key string, value []byte, expiresAt int64) error {
	_, err := s.API.WriteWorkersKVEntries(ctx, s.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.NamespaceID,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        key,
			Value:      string(value),
			Expiration: int(expiresAt),
		}},
	})
	return err
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.API.DeleteWorkersKVEntry(ctx, s.RC, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.NamespaceID, Key: key})
	return err
}

// Page lists one page of keys.
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	res, err := s.API.ListWorkersKVKeys(ctx, s.RC, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.NamespaceID,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       limit,
	})
	if err != nil {
		return nil, "", err
	}
	return res.Result, res.Cursor, nil
}
