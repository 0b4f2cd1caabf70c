// Package restkv adapts the Cloudflare REST API for Workers KV
// (cloudflare-go) to storage.Store, for services that run outside Workers.
package restkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"example.com/linnet/internal/storage"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Store is a storage.Store over one KV namespace.
type Store struct {
	ns        *kv.NamespaceService
	account   string
	namespace string
}

// New returns a Store for account/namespace using client.
func New(client *cloudflare.Client, account, namespace string) *Store {
	return &Store{ns: client.KV.Namespaces, account: account, namespace: namespace}
}

var _ storage.Store = (*Store)(nil)

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Fetch returns the raw value of key, passing API errors through unchanged.
func (s *Store) Fetch(ctx context.Context, key string) ([]byte, error) {
	res, err := s.ns.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, 25<<20))
}

// Get reads key; a missing key is storage.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := s.Fetch(ctx, key)
	if IsNotFound(err) {
		return nil, storage.ErrNotFound
	}
	return v, err
}

// Put writes value under key.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	o := storage.ApplyPut(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(o.TTL / time.Second))
	} else if !o.ExpiresAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpiresAt.Unix()))
	}
	if len(o.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	_, err := s.ns.Values.Update(ctx, s.namespace, key, params)
	return err
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.account)})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// List returns one page of keys with their metadata.
func (s *Store) List(ctx context.Context, opts storage.ListOptions) (storage.ListPage, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account)}
	if opts.Prefix != "" {
		params.Prefix = cloudflare.F(opts.Prefix)
	}
	if opts.Cursor != "" {
		params.Cursor = cloudflare.F(opts.Cursor)
	}
	if opts.Limit > 0 {
		params.Limit = cloudflare.F(float64(opts.Limit))
	}
	res, err := s.ns.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return storage.ListPage{}, err
	}
	page := storage.ListPage{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		ki := storage.KeyInfo{Name: k.Name}
		if k.Expiration > 0 {
			ki.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if md, ok := k.Metadata.(map[string]any); ok {
			ki.Metadata = md
		}
		page.Keys = append(page.Keys, ki)
	}
	return page, nil
}

// Entry is one pair for PutMany.
type Entry struct {
	Key, Value string
	TTL        time.Duration
}

// bulkWriteMax is the API's limit on pairs per bulk write.
const bulkWriteMax = 10_000

// PutMany writes entries with as few bulk requests as the API allows and
// returns the keys the API reported as failed.
func (s *Store) PutMany(ctx context.Context, entries []Entry) ([]string, error) {
	var failed []string
	for batch := range slices.Chunk(entries, bulkWriteMax) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(batch))
		for _, e := range batch {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(e.Value)}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			body = append(body, b)
		}
		res, err := s.ns.BulkUpdate(ctx, s.namespace, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.account), Body: body})
		if err != nil {
			return failed, fmt.Errorf("restkv: bulk write: %w", err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}
