// Package kv3 is reportsd's and wigeonctl's adapter over the
// cloudflare-go/v3 Workers KV API.
package kv3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"wigeon/internal/kvstore"
	"wigeon/internal/metrics"
)

// Store reads and writes one namespace.
type Store struct {
	cf      *cloudflare.Client
	account string
	ns      string
	rec     *metrics.Recorder
}

// New returns a Store for namespace ns.
func New(cf *cloudflare.Client, account, ns string, rec *metrics.Recorder) *Store {
	return &Store{cf: cf, account: account, ns: ns, rec: rec}
}

func (s *Store) observe(op string, start time.Time) { s.rec.Observe(s.ns, op, time.Since(start)) }

func mapErr(key string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusNotFound:
			return &kvstore.NotFoundError{Key: key}
		case http.StatusTooManyRequests:
			return &kvstore.ThrottledError{Key: key, Err: err}
		}
	}
	return fmt.Errorf("kv %q: %w", key, err)
}

// Get returns the value of key or a *kvstore.NotFoundError.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	defer s.observe("get", time.Now())
	res, err := s.cf.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return nil, mapErr(key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put stores val under key with metadata meta (a JSON object, "{}" for none).
func (s *Store) Put(ctx context.Context, key string, val []byte, meta string) error {
	defer s.observe("put", time.Now())
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(val)),
		Metadata:  cloudflare.F(meta),
	})
	return mapErr(key, err)
}

// Entry is one pair of a bulk write. Set at most one of TTL and ExpiresAt.
type Entry struct {
	Key       string
	Value     []byte
	TTL       int   // seconds
	ExpiresAt int64 // unix seconds
	Meta      map[string]any
}

func (e Entry) body() kv.NamespaceBulkUpdateParamsBody {
	b := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(e.Key),
		Value: cloudflare.F(string(e.Value)),
	}
	if e.TTL > 0 {
		b.ExpirationTTL = cloudflare.F(float64(e.TTL))
	}
	if e.ExpiresAt > 0 {
		b.Expiration = cloudflare.F(float64(e.ExpiresAt))
	}
	if e.Meta != nil {
		b.Metadata = cloudflare.F(e.Meta)
	}
	return b
}

// Bulk writes entries in a single request.
func (s *Store) Bulk(ctx context.Context, entries []Entry) error {
	defer s.observe("bulk_put", time.Now())
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		body = append(body, e.body())
	}
	_, err := s.cf.KV.Namespaces.Bulk.Update(ctx, s.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(s.account), Body: body})
	return mapErr(fmt.Sprintf("bulk(%d)", len(entries)), err)
}

// PutTTL stores val under key for ttl seconds.
func (s *Store) PutTTL(ctx context.Context, key string, val []byte, ttl int) error {
	return s.Bulk(ctx, []Entry{{Key: key, Value: val, TTL: ttl}})
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	defer s.observe("delete", time.Now())
	_, err := s.cf.KV.Namespaces.Values.Delete(ctx, s.ns, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.account)})
	return mapErr(key, err)
}

// Keys returns one page of keys under prefix and the cursor of the next
// page ("" at the end).
func (s *Store) Keys(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	defer s.observe("list", time.Now())
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.cf.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil {
		return nil, "", mapErr(prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Iter returns the SDK's auto-pager over every key under prefix.
func (s *Store) Iter(ctx context.Context, prefix string) interface {
	Next() bool
	Current() kv.Key
	Err() error
} {
	return s.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
	})
}
