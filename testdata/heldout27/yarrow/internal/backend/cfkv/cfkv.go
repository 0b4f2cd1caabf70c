// Package cfkv adapts a Workers KV namespace, reached through the Cloudflare
// REST API, to storage.Store. The backend uses it to read and write the same
// namespaces the Worker is bound to.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/yarrow/internal/backend/cfparams"
	"example.com/yarrow/internal/storage"
)

// Store is a REST-backed storage.Store for one namespace.
type Store struct {
	values    *kv.NamespaceValueService
	keys      *kv.NamespaceKeyService
	bulk      *kv.NamespaceService
	account   string
	namespace string
	defaults  storage.WriteOptions
}

var _ storage.Store = (*Store)(nil)

// New returns a store for namespace in account.
func New(client *cloudflare.Client, account, namespace string, defaults storage.WriteOptions) *Store {
	return &Store{
		values:    client.KV.Namespaces.Values,
		keys:      client.KV.Namespaces.Keys,
		bulk:      client.KV.Namespaces,
		account:   account,
		namespace: namespace,
		defaults:  defaults,
	}
}

// IsMissing reports whether err is the API's answer for a missing key.
func IsMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get implements storage.Store.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.values.Get(ctx, s.namespace, url.PathEscape(key), cfparams.Read(s.account))
	if IsMissing(err) {
		return nil, fmt.Errorf("cfkv: %w", &storage.NotFoundError{Key: key})
	}
	if err != nil {
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put implements storage.Store.
func (s *Store) Put(ctx context.Context, key string, value []byte, w storage.WriteOptions) error {
	return s.PutWithMetadata(ctx, key, value, nil, w)
}

// PutWithMetadata writes a value and the metadata returned by key listings.
func (s *Store) PutWithMetadata(ctx context.Context, key string, value []byte, metadata any, w storage.WriteOptions) error {
	o := s.defaults
	if w.TTL > 0 || !w.ExpiresAt.IsZero() {
		o = w
	}
	var params kv.NamespaceValueUpdateParams
	if o.TTL == 0 && !o.ExpiresAt.IsZero() {
		params = cfparams.WriteUntil(s.account, value, o.ExpiresAt)
		if metadata != nil {
			params.Metadata = cloudflare.F[any](metadata)
		}
	} else {
		params = cfparams.Write(s.account, value, o.TTL, metadata)
	}
	if _, err := s.values.Update(ctx, s.namespace, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

// Delete implements storage.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if _, err := s.values.Delete(ctx, s.namespace, url.PathEscape(key), cfparams.Remove(s.account)); err != nil && !IsMissing(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// List implements storage.Store.
func (s *Store) List(ctx context.Context, q storage.ListQuery) (storage.Page, error) {
	res, err := s.keys.List(ctx, s.namespace, cfparams.Keys(s.account, q.Prefix, q.Cursor, q.Limit))
	if err != nil {
		return storage.Page{}, fmt.Errorf("cfkv: list %q: %w", q.Prefix, err)
	}
	page := storage.Page{Cursor: res.ResultInfo.Cursor, Keys: make([]string, len(res.Result))}
	page.Complete = page.Cursor == ""
	for i, k := range res.Result {
		page.Keys[i] = k.Name
	}
	return page, nil
}

// PutMany writes entries in bulk requests of at most cfparams.MaxBulkWrite
// pairs and returns the keys the API reported as not written.
func (s *Store) PutMany(ctx context.Context, entries []cfparams.Entry) ([]string, error) {
	var failed []string
	for start := 0; start < len(entries); start += cfparams.MaxBulkWrite {
		end := min(start+cfparams.MaxBulkWrite, len(entries))
		res, err := s.bulk.BulkUpdate(ctx, s.namespace, cfparams.BulkWrite(s.account, entries[start:end]))
		if err != nil {
			return failed, fmt.Errorf("cfkv: bulk write: %w", err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}
