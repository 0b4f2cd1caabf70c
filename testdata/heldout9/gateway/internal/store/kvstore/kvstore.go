// Package kvstore implements store.Store on Workers KV through the v4 SDK.
package kvstore

import (
	"context"
	"fmt"
	"io"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/gateway/internal/cfkv"
	"example.com/gateway/internal/store"
)

// Store is the KV adapter.
type Store struct {
	ns cfkv.Namespace
}

var _ store.Store = (*Store)(nil)

// New returns an adapter for ns.
func New(ns cfkv.Namespace) *Store { return &Store{ns: ns} }

// Get returns the value, or store.ErrNotFound when the key is absent.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.ns.Values().Get(ctx, s.ns.ID, key, s.ns.GetParams())
	if err != nil {
		if cfkv.IsNotFound(err) {
			return nil, fmt.Errorf("%s: %w", key, store.ErrNotFound)
		}
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Put writes value under key.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Apply(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	if _, err := s.ns.Values().Update(ctx, s.ns.ID, key, params); err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.Values().Delete(ctx, s.ns.ID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.ns.AccountID)})
	if err != nil && !cfkv.IsNotFound(err) {
		return fmt.Errorf("kv delete %s: %w", key, err)
	}
	return nil
}

// List returns one page.
func (s *Store) List(ctx context.Context, q store.Query) (store.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.ns.AccountID)}
	if q.Prefix != "" {
		params.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	if q.Limit > 0 {
		params.Limit = cloudflare.F(float64(q.Limit))
	}
	res, err := s.ns.Keys().List(ctx, s.ns.ID, params)
	if err != nil {
		return store.Page{}, fmt.Errorf("kv list %q: %w", q.Prefix, err)
	}
	page := store.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		e := store.Entry{Name: k.Name, Expiration: int64(k.Expiration)}
		if m, ok := k.Metadata.(map[string]any); ok {
			e.Metadata = m
		}
		page.Keys = append(page.Keys, e)
	}
	return page, nil
}
