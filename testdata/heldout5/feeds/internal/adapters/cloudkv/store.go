// Package cloudkv adapts one Workers KV namespace, reached through the
// Cloudflare REST API (cloudflare-go v6), to the kv.Namespace port.
package cloudkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math"
	"net/http"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v6"
	cfkv "github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/feeds/internal/kv"
)

// maxBulk is the documented limit of pairs per bulk write.
const maxBulk = 10_000

// Store talks to a single namespace.
type Store struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	pageSize    int
	log         *slog.Logger
}

// Option configures a Store.
type Option func(*Store)

// WithPageSize sets the limit used for list requests (10..1000).
func WithPageSize(n int) Option {
	return func(s *Store) {
		if n >= 10 && n <= 1000 {
			s.pageSize = n
		}
	}
}

// WithLogger sets the logger used for slow or partial operations.
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// New returns an adapter for namespaceID in accountID.
func New(client *cloudflare.Client, accountID, namespaceID string, opts ...Option) *Store {
	s := &Store{
		client:      client,
		accountID:   accountID,
		namespaceID: namespaceID,
		pageSize:    1000,
		log:         slog.Default(),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

var _ kv.Namespace = (*Store)(nil)

func escape(key string) string { return url.PathEscape(key) }

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the raw value stored under key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, escape(key), cfkv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if notFound(err) {
			return nil, kv.ErrNotFound
		}
		return nil, fmt.Errorf("cloudkv: get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key. A TTL is sent as whole seconds, rounded up.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts kv.PutOptions) error {
	params := cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[cfkv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	switch {
	case opts.TTL > 0:
		params.ExpirationTTL = cloudflare.F(math.Ceil(opts.TTL.Seconds()))
	case opts.ExpiresAt > 0:
		params.Expiration = cloudflare.F(float64(opts.ExpiresAt))
	}
	if len(opts.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, escape(key), params); err != nil {
		return fmt.Errorf("cloudkv: put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, escape(key), cfkv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !notFound(err) {
		return fmt.Errorf("cloudkv: delete %q: %w", key, err)
	}
	return nil
}

func (s *Store) listParams(prefix, cursor string, limit int) cfkv.NamespaceKeyListParams {
	p := cfkv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID)}
	if prefix != "" {
		p.Prefix = cloudflare.F(prefix)
	}
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	if limit <= 0 || limit > s.pageSize {
		limit = s.pageSize
	}
	p.Limit = cloudflare.F(float64(limit))
	return p
}

// List returns a single page of keys.
func (s *Store) List(ctx context.Context, p kv.ListParams) (kv.Page, error) {
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespaceID, s.listParams(p.Prefix, p.Cursor, p.Limit))
	if err != nil {
		return kv.Page{}, fmt.Errorf("cloudkv: list %q: %w", p.Prefix, err)
	}
	page := kv.Page{
		Keys:     make([]kv.KeyInfo, 0, len(res.Result)),
		Cursor:   res.ResultInfo.Cursor,
		Complete: res.ResultInfo.Cursor == "",
	}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, toKeyInfo(k))
	}
	return page, nil
}

// Keys walks the namespace with the SDK's auto-pager. Pages are requested
// lazily, so a caller that stops early does not pay for the rest.
func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[kv.KeyInfo, error] {
	return func(yield func(kv.KeyInfo, error) bool) {
		pager := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespaceID, s.listParams(prefix, "", 0))
		for pager.Next() {
			if !yield(toKeyInfo(pager.Current()), nil) {
				return
			}
		}
		if err := pager.Err(); err != nil {
			yield(kv.KeyInfo{}, fmt.Errorf("cloudkv: keys %q: %w", prefix, err))
		}
	}
}

// PutMany writes entries with the bulk endpoint, 10k pairs per request.
func (s *Store) PutMany(ctx context.Context, entries []kv.Entry) error {
	for start := 0; start < len(entries); start += maxBulk {
		end := min(start+maxBulk, len(entries))
		body := make([]cfkv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := cfkv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.ExpirationTTL > 0 {
				b.ExpirationTTL = cloudflare.F(float64(e.ExpirationTTL))
			}
			if e.Expiration > 0 {
				b.Expiration = cloudflare.F(float64(e.Expiration))
			}
			if len(e.Metadata) > 0 {
				b.Metadata = cloudflare.F[any](e.Metadata)
			}
			body = append(body, b)
		}
		res, err := s.client.KV.Namespaces.BulkUpdate(ctx, s.namespaceID, cfkv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("cloudkv: bulk put: %w", err)
		}
		if res != nil && len(res.UnsuccessfulKeys) > 0 {
			s.log.Warn("bulk write partially failed", "namespace", s.namespaceID, "failed", len(res.UnsuccessfulKeys))
			return &PartialWriteError{Keys: res.UnsuccessfulKeys}
		}
	}
	return nil
}

// PartialWriteError lists the keys of a bulk write that should be retried.
type PartialWriteError struct{ Keys []string }

func (e *PartialWriteError) Error() string {
	return fmt.Sprintf("cloudkv: %d keys not written", len(e.Keys))
}

func toKeyInfo(k cfkv.Key) kv.KeyInfo {
	info := kv.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
	if m, ok := k.Metadata.(map[string]any); ok {
		info.Metadata = m
	}
	return info
}
