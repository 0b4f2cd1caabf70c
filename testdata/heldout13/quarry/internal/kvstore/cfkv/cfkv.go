// Package cfkv implements kvstore.Store on Workers KV through the Cloudflare
// REST API (cloudflare-go v4).
package cfkv

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/quarry/internal/cfclient"
	"example.com/quarry/internal/kvstore"
)

// Store is a kvstore.Store backed by one KV namespace.
type Store struct {
	ns  cfclient.Namespace
	log *slog.Logger
}

var _ kvstore.Store = (*Store)(nil)

// New returns a Store for the namespace.
func New(ns cfclient.Namespace, log *slog.Logger) *Store {
	if log == nil {
		log = slog.Default()
	}
	return &Store{ns: ns, log: log.With("kv_namespace", ns.ID)}
}

func (s *Store) values() *kv.NamespaceValueService { return s.ns.Client.KV.Namespaces.Values }

// Get returns the value stored under key, or kvstore.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.values().Get(ctx, s.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil {
		if isStatus(err, http.StatusNotFound) {
			return nil, kvstore.ErrNotFound
		}
		return nil, &kvstore.OpError{Op: "get", Key: key, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, &kvstore.OpError{Op: "get", Key: key, Err: err}
	}
	return b, nil
}

// Put writes value under key.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if opts.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int64(opts.TTL.Seconds())))
	}
	if opts.ExpiresAt > 0 {
		params.Expiration = cloudflare.F(float64(opts.ExpiresAt))
	}
	if opts.Metadata != nil {
		params.Metadata = cloudflare.F[interface{}](opts.Metadata)
	}
	if _, err := s.values().Update(ctx, s.ns.ID, key, params); err != nil {
		s.log.WarnContext(ctx, "kv put failed", "key", key, "err", err)
		return &kvstore.OpError{Op: "put", Key: key, Err: err}
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.values().Delete(ctx, s.ns.ID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil && !isStatus(err, http.StatusNotFound) {
		return &kvstore.OpError{Op: "delete", Key: key, Err: err}
	}
	return nil
}

// List returns one page of keys.
func (s *Store) List(ctx context.Context, req kvstore.ListRequest) (kvstore.ListPage, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.ns.AccountID)}
	if req.Prefix != "" {
		params.Prefix = cloudflare.F(req.Prefix)
	}
	if req.Cursor != "" {
		params.Cursor = cloudflare.F(req.Cursor)
	}
	if req.Limit > 0 {
		params.Limit = cloudflare.F(float64(req.Limit))
	}
	page, err := s.ns.Client.KV.Namespaces.Keys.List(ctx, s.ns.ID, params)
	if err != nil {
		return kvstore.ListPage{}, &kvstore.OpError{Op: "list", Key: req.Prefix, Err: err}
	}
	out := kvstore.ListPage{Cursor: page.ResultInfo.Cursor, Keys: make([]kvstore.Key, 0, len(page.Result))}
	for _, k := range page.Result {
		out.Keys = append(out.Keys, kvstore.Key{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	return out, nil
}

func isStatus(err error, code int) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == code
}
