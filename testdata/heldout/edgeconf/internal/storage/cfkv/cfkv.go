// Package cfkv adapts a Workers KV namespace, reached through the official
// cloudflare-go SDK, to the storage ports.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/cloudflare/cloudflare-go/v4/packages/pagination"

	"example.com/edgeconf/internal/storage"
)

// Config identifies the namespace the adapter operates on.
type Config struct {
	AccountID   string
	NamespaceID string
	// ListPageSize is the page size used by List (10..1000).
	ListPageSize int
}

type (
	getFunc    func(context.Context, string, string, kv.NamespaceValueGetParams, ...option.RequestOption) (*http.Response, error)
	updateFunc func(context.Context, string, string, kv.NamespaceValueUpdateParams, ...option.RequestOption) (*kv.NamespaceValueUpdateResponse, error)
	deleteFunc func(context.Context, string, string, kv.NamespaceValueDeleteParams, ...option.RequestOption) (*kv.NamespaceValueDeleteResponse, error)
	listFunc   func(context.Context, string, kv.NamespaceKeyListParams, ...option.RequestOption) (*pagination.CursorLimitPagination[kv.Key], error)
)

// Store implements storage.ExpiringStore and storage.KeyLister on top of
// client.KV.Namespaces.
type Store struct {
	cfg Config
	log *slog.Logger

	get    getFunc
	update updateFunc
	del    deleteFunc
	list   listFunc
}

var (
	_ storage.ExpiringStore = (*Store)(nil)
	_ storage.KeyLister     = (*Store)(nil)
)

// Option customises a Store.
type Option func(*Store)

// WithLogger sets the adapter's logger.
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// New wires the adapter to the SDK's KV services.
func New(client *cloudflare.Client, cfg Config, opts ...Option) *Store {
	if cfg.ListPageSize == 0 {
		cfg.ListPageSize = 1000
	}
	s := &Store{cfg: cfg, log: slog.Default()}
	s.get = client.KV.Namespaces.Values.Get
	s.update = client.KV.Namespaces.Values.Update
	s.del = client.KV.Namespaces.Values.Delete
	s.list = client.KV.Namespaces.Keys.List
	for _, o := range opts {
		o(s)
	}
	return s
}

// Get implements storage.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.get(ctx, s.cfg.NamespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %q: %w", key, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("cfkv: read %q: %w", key, err)
	}
	return body, nil
}

// Set implements storage.Store. The TTL is sent as whole seconds.
func (s *Store) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
		Value:     cloudflare.F(string(val)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(math.Ceil(ttl.Seconds()))
	}
	return s.write(ctx, key, params)
}

// SetAt implements storage.ExpiringStore.
func (s *Store) SetAt(ctx context.Context, key string, val []byte, at time.Time) error {
	return s.write(ctx, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.cfg.AccountID),
		Value:      cloudflare.F(string(val)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
}

func (s *Store) write(ctx context.Context, key string, params kv.NamespaceValueUpdateParams) error {
	if _, err := s.update(ctx, s.cfg.NamespaceID, url.PathEscape(key), params); err != nil {
		s.log.WarnContext(ctx, "kv write failed", "key", key, "err", err)
		return fmt.Errorf("cfkv: put %q: %w", key, err)
	}
	return nil
}

// Delete implements storage.Store. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.del(ctx, s.cfg.NamespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("cfkv: delete %q: %w", key, err)
	}
	return nil
}

// List implements storage.KeyLister, following cursors until exhausted.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.cfg.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(s.cfg.ListPageSize)),
	}
	var keys []string
	for {
		page, err := s.list(ctx, s.cfg.NamespaceID, params)
		if err != nil {
			return nil, fmt.Errorf("cfkv: list %q: %w", prefix, err)
		}
		for _, k := range page.Result {
			keys = append(keys, k.Name)
		}
		if page.ResultInfo.Cursor == "" {
			return keys, nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
