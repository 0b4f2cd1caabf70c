// Package kvstore is a small typed wrapper around one Workers KV namespace,
// used by services that don't want to deal with the generated client.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get when the key does not exist (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// Store reads and writes keys of a single namespace.
type Store struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
}

// New returns a Store for namespaceID.
func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{client: client, accountID: accountID, namespaceID: namespaceID}
}

// Get returns the value stored under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Set stores value under key. A ttl of zero keeps the value until it is
// overwritten or deleted.
func (s *Store) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// SetUntil stores value under key until the absolute time at.
func (s *Store) SetUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Update loads key, passes its current value to fn (nil if the key does not
// exist) and stores whatever fn returns.
func (s *Store) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Set(ctx, key, next, ttl) // EXPECT kvrace
}
