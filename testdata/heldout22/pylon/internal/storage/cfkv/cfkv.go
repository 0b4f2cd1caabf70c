// Package cfkv implements the storage ports on Cloudflare Workers KV through
// the v5 REST SDK.
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/pylon/internal/retry"
	"example.com/pylon/internal/storage"
)

// Store is a single KV namespace.
type Store struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	policy      retry.Policy
	log         *slog.Logger
}

// Option configures a Store.
type Option func(*Store)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Store) { s.log = l } }

// New returns a Store for one namespace.
func New(client *cloudflare.Client, accountID, namespaceID string, opts ...Option) *Store {
	s := &Store{
		client:      client,
		accountID:   accountID,
		namespaceID: namespaceID,
		policy: retry.Policy{
			Attempts:  4,
			Base:      250 * time.Millisecond,
			Max:       4 * time.Second,
			Retryable: retryable,
		},
		log: slog.Default(),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

var _ storage.Store = (*Store)(nil)

// retryable retries rate limiting and server errors.
func retryable(err error) bool {
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode >= 500
	}
	return true
}

func isMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value or storage.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if isMissing(err) {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes one value. TTL is passed through in whole seconds.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if opts.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(opts.TTL.Seconds())))
	}
	if !opts.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	if len(opts.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	return s.policy.Do(ctx, func() error {
		_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, params)
		return err
	})
}

// Delete removes a key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !isMissing(err) {
		return fmt.Errorf("cfkv delete %q: %w", key, err)
	}
	return nil
}

// List returns one page. The REST API accepts limits between 10 and 1000.
func (s *Store) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	limit := opts.Limit
	if limit <= 0 || limit > storage.MaxPageSize {
		limit = storage.MaxPageSize
	}
	if limit < 10 {
		limit = 10
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Limit:     cloudflare.F(float64(limit)),
	}
	if opts.Prefix != "" {
		params.Prefix = cloudflare.F(opts.Prefix)
	}
	if opts.Cursor != "" {
		params.Cursor = cloudflare.F(opts.Cursor)
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return storage.Page{}, fmt.Errorf("cfkv list %q: %w", opts.Prefix, err)
	}
	page := storage.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		info := storage.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if m, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = m
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

type bulkValues struct {
	Values map[string]*string `json:"values"`
}

// GetMany fetches up to storage.MaxBulkGet keys per request, splitting
// larger inputs.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	for start := 0; start < len(keys); start += storage.MaxBulkGet {
		end := min(start+storage.MaxBulkGet, len(keys))
		res, err := s.client.KV.Namespaces.BulkGet(ctx, s.namespaceID, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(s.accountID),
			Keys:      cloudflare.F(keys[start:end]),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, fmt.Errorf("cfkv bulk get: %w", err)
		}
		var decoded bulkValues
		if err := json.Unmarshal([]byte(res.JSON.RawJSON()), &decoded); err != nil {
			return nil, fmt.Errorf("cfkv bulk get decode: %w", err)
		}
		for k, v := range decoded.Values {
			if v != nil {
				out[k] = []byte(*v)
			}
		}
	}
	return out, nil
}

// PutMany writes entries in batches of storage.MaxBulkPut.
func (s *Store) PutMany(ctx context.Context, entries []storage.Entry) error {
	for start := 0; start < len(entries); start += storage.MaxBulkPut {
		end := min(start+storage.MaxBulkPut, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.Options.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(e.Options.TTL.Seconds())
			}
			if len(e.Options.Metadata) > 0 {
				b.Metadata = cloudflare.F[any](e.Options.Metadata)
			}
			body = append(body, b)
		}
		res, err := s.client.KV.Namespaces.BulkUpdate(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("cfkv bulk put: %w", err)
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			s.log.Warn("bulk write partially failed", "failed", n)
			return fmt.Errorf("cfkv bulk put: %d keys failed, first %q", n, res.UnsuccessfulKeys[0])
		}
	}
	return nil
}
