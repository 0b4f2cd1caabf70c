// Package kvstore implements the storage port on Cloudflare Workers KV through
// the Cloudflare REST API, and exposes the namespace binding used by packages
// that talk to KV directly.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/cobalt/internal/storage"
)

func init() {
	storage.Register("cloudflare-kv", open)
}

// Binding is one KV namespace reached through an API client.
type Binding struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// NewClient builds an API client with the service defaults.
func NewClient(token, baseURL string) *cloudflare.Client {
	opts := []option.RequestOption{option.WithAPIToken(token), option.WithMaxRetries(3), option.WithRequestTimeout(10 * time.Second)}
	if baseURL != "" {
		opts = append(opts, option.WithBaseURL(baseURL))
	}
	return cloudflare.NewClient(opts...)
}

// GetParams is the parameter block for a value read.
func (b Binding) GetParams() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(b.AccountID)}
}

// DeleteParams is the parameter block for a value delete.
func (b Binding) DeleteParams() kv.NamespaceValueDeleteParams {
	return kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(b.AccountID)}
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// ReadBody drains and closes a value response.
func ReadBody(res *http.Response) ([]byte, error) {
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Store is the storage.Store implementation.
type Store struct {
	b Binding
}

// New returns a Store over b.
func New(b Binding) *Store { return &Store{b: b} }

func open(_ context.Context, cfg storage.DriverConfig) (storage.Store, error) {
	if cfg.AccountID == "" || cfg.NamespaceID == "" {
		return nil, errors.New("kvstore: account and namespace IDs are required")
	}
	return New(Binding{
		Client:      NewClient(cfg.APIToken, cfg.BaseURL),
		AccountID:   cfg.AccountID,
		NamespaceID: cfg.NamespaceID,
	}), nil
}

// Get implements storage.Getter.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.b.Client.KV.Namespaces.Values.Get(ctx, s.b.NamespaceID, key, s.b.GetParams())
	if err != nil {
		if IsNotFound(err) {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	return ReadBody(res)
}

// Put implements storage.Putter.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.b.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	switch {
	case opts.TTL > 0:
		params.ExpirationTTL = cloudflare.F(float64(int64(opts.TTL / time.Second)))
	case !opts.ExpireAt.IsZero():
		params.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	if len(opts.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := s.b.Client.KV.Namespaces.Values.Update(ctx, s.b.NamespaceID, key, params); err != nil {
		return fmt.Errorf("kvstore: put %q: %w", key, err)
	}
	return nil
}

// Delete implements storage.Deleter.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.b.Client.KV.Namespaces.Values.Delete(ctx, s.b.NamespaceID, key, s.b.DeleteParams())
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kvstore: delete %q: %w", key, err)
	}
	return nil
}

// List implements storage.Lister. It returns exactly one page; callers follow
// the cursor themselves.
func (s *Store) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.b.AccountID)}
	if opts.Prefix != "" {
		params.Prefix = cloudflare.F(opts.Prefix)
	}
	if opts.Cursor != "" {
		params.Cursor = cloudflare.F(opts.Cursor)
	}
	if opts.Limit > 0 {
		params.Limit = cloudflare.F(float64(min(max(opts.Limit, 10), 1000)))
	}
	page, err := s.b.Client.KV.Namespaces.Keys.List(ctx, s.b.NamespaceID, params)
	if err != nil {
		return storage.Page{}, fmt.Errorf("kvstore: list %q: %w", opts.Prefix, err)
	}
	out := storage.Page{Cursor: page.ResultInfo.Cursor}
	out.Complete = out.Cursor == ""
	for _, k := range page.Result {
		e := storage.Entry{Key: k.Name}
		if k.Expiration > 0 {
			e.ExpiresAt = time.Unix(int64(k.Expiration), 0)
		}
		if m, ok := k.Metadata.(map[string]any); ok {
			e.Metadata = m
		}
		out.Entries = append(out.Entries, e)
	}
	return out, nil
}
