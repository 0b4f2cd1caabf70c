// Package kvstore is the backend's adapter over the Cloudflare REST API for
// Workers KV. Every backend package talks to KV through a *Store.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Store addresses one namespace in one account.
type Store struct {
	api       *cloudflare.Client
	account   string
	namespace string
}

// New builds a Store from an API token.
func New(token, account, namespace string) *Store {
	return &Store{
		api:       cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3)),
		account:   account,
		namespace: namespace,
	}
}

// Client exposes the SDK client for the few callers that need the raw API.
func (s *Store) Client() *cloudflare.Client { return s.api }

// Account returns the account ID.
func (s *Store) Account() string { return s.account }

// Namespace returns the namespace ID.
func (s *Store) Namespace() string { return s.namespace }

// Put writes value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(value),
	}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, key, p)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutFloor is Put for computed lifetimes: anything under a minute is stored
// for a minute.
func (s *Store) PutFloor(ctx context.Context, key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes value under key with an absolute expiry.
func (s *Store) PutUntil(ctx context.Context, key, value string, at time.Time) error {
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.account),
		Value:      cloudflare.F(value),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// PutMeta writes value with metadata and a TTL in seconds.
func (s *Store) PutMeta(ctx context.Context, key, value string, meta any, ttlSeconds int) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(value),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttlSeconds > 0 {
		p.ExpirationTTL = cloudflare.F(float64(ttlSeconds))
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, key, p)
	return err
}

// Get reads key. A missing key yields ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) (string, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return "", ErrNotFound
		}
		return "", fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	return err
}

// Update applies fn to the current value of key (or "" when missing) and
// stores the result with ttl.
func (s *Store) Update(ctx context.Context, key string, ttl time.Duration, fn func(old string) (string, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}
