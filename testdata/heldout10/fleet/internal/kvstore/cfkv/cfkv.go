// Package cfkv implements kvstore.Store on the Cloudflare REST API.
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"example.com/fleet/internal/kvstore"
)

// Store talks to one namespace.
type Store struct {
	client    *cloudflare.Client
	accountID string
	namespace string
}

var _ kvstore.Store = (*Store)(nil)

// New builds a Store. Extra request options (timeouts, retries, a test base
// URL) are passed through to the SDK client.
func New(token, accountID, namespaceID string, opts ...option.RequestOption) *Store {
	all := append([]option.RequestOption{option.WithAPIToken(token), option.WithMaxRetries(3)}, opts...)
	return &Store{
		client:    cloudflare.NewClient(all...),
		accountID: accountID,
		namespace: namespaceID,
	}
}

// Client exposes the SDK client for the few callers that need bulk endpoints.
func (s *Store) Client() *cloudflare.Client { return s.client }

// AccountID returns the account the store writes to.
func (s *Store) AccountID() string { return s.accountID }

// Namespace returns the namespace ID.
func (s *Store) Namespace() string { return s.namespace }

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, fmt.Errorf("%w: %s", kvstore.ErrNotFound, key)
		}
		return nil, fmt.Errorf("cfkv: get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	o := kvstore.Collect(opts...)
	if o.TTL > 0 {
		// The single-value endpoint in this SDK version has no expiration
		// fields, so expiring writes go through a one-element bulk request.
		body := kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(o.TTL.Seconds()),
		}
		if o.Metadata != nil {
			body.Metadata = cloudflare.F(o.Metadata)
		}
		_, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      []kv.NamespaceBulkUpdateParamsBody{body},
		})
		if err != nil {
			return fmt.Errorf("cfkv: put %q: %w", key, err)
		}
		return nil
	}
	meta := "{}"
	if o.Metadata != nil {
		b, err := json.Marshal(o.Metadata)
		if err != nil {
			return fmt.Errorf("cfkv: metadata for %q: %w", key, err)
		}
		meta = string(b)
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	})
	if err != nil {
		return fmt.Errorf("cfkv: put %q: %w", key, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %q: %w", key, err)
	}
	return nil
}

func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (kvstore.Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv: list %q: %w", prefix, err)
	}
	out := kvstore.Page{Cursor: page.ResultInfo.Cursor}
	for _, k := range page.Result {
		out.Entries = append(out.Entries, kvstore.Entry{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	return out, nil
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
