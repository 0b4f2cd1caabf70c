// Package legacykv is the admin tool's thin layer over cloudflare-go v0,
// kept because the tool predates the v2 SDK and nobody has ported it.
package legacykv

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudflare/cloudflare-go"
)

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("legacykv: key not found")

// Store is one namespace.
type Store struct {
	API         *cloudflare.API
	RC          *cloudflare.ResourceContainer
	NamespaceID string
}

// Open creates a store with an API token.
func Open(token, accountID, namespaceID string) (*Store, error) {
	api, err := cloudflare.NewWithAPIToken(token, cloudflare.UsingRetryPolicy(3, 1, 10))
	if err != nil {
		return nil, err
	}
	return &Store{API: api, RC: cloudflare.AccountIdentifier(accountID), NamespaceID: namespaceID}, nil
}

// Get reads one value.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	raw, err := s.API.GetWorkersKV(ctx, s.RC, cloudflare.GetWorkersKVParams{NamespaceID: s.NamespaceID, Key: key})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return nil, ErrNotFound
	}
	return raw, err
}

// Put writes one value; ttlSeconds of 0 means no expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttlSeconds int) error {
	_, err := s.API.WriteWorkersKVEntries(ctx, s.RC, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: s.NamespaceID,
		KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(value), ExpirationTTL: ttlSeconds}},
	})
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

// Delete removes one key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.API.DeleteWorkersKVEntry(ctx, s.RC, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.NamespaceID, Key: key})
	return err
}

// List returns one page of keys and the cursor of the next.
func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := s.API.ListWorkersKVKeys(ctx, s.RC, cloudflare.ListWorkersKVsParams{
		NamespaceID: s.NamespaceID, Prefix: prefix, Cursor: cursor, Limit: limit,
	})
	if err != nil {
		return nil, "", err
	}
	return resp.Result, resp.Cursor, nil
}
