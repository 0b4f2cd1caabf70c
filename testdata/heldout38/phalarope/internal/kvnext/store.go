// Package kvnext is the KV adapter for services built on cloudflare-go v6
// (currently the status page). It mirrors the older kv package's contract:
// a missing key is ErrNotFound, TTLs are time.Durations.
package kvnext

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned for missing or expired keys.
var ErrNotFound = errors.New("kvnext: key not found")

// Store is one namespace in one account.
type Store struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// New builds a Store from an API token.
func New(token, accountID, namespaceID string) *Store {
	return &Store{
		Client:      cloudflare.NewClient(option.WithAPIToken(token)),
		AccountID:   accountID,
		NamespaceID: namespaceID,
	}
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the raw value under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.Client.KV.Namespaces.Values.Get(ctx, s.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key. A ttl of zero stores it without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.NamespaceID, key, params)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.Client.KV.Namespaces.Values.Delete(ctx, s.NamespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	if err != nil && !IsNotFound(err) {
		return err
	}
	return nil
}
