// Package cfkv adapts kvstore.Store to Workers KV through the Cloudflare
// REST API.
package cfkv

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/bramble/internal/platform/cfclient"
	"example.com/bramble/internal/platform/kvstore"
)

// defaultPageSize is used when a ListRequest leaves the limit unset.
const defaultPageSize = 1000

// Store implements kvstore.Store on one namespace.
type Store struct {
	ns cfclient.Namespace
}

var _ kvstore.Store = (*Store)(nil)

// New wraps a namespace handle.
func New(ns cfclient.Namespace) *Store { return &Store{ns: ns} }

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.ns.KV.Values.Get(ctx, s.ns.ID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil {
		if cfclient.IsNotFound(err) {
			return nil, kvstore.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %q: %w", key, err)
	}
	return cfclient.ReadBody(res)
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...kvstore.Option) error {
	settings := kvstore.Resolve(opts...)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if settings.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(settings.TTL.Seconds())
	}
	if !settings.ExpiresAt.IsZero() {
		params.Expiration = cloudflare.F(float64(settings.ExpiresAt.Unix()))
	}
	if len(settings.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](settings.Metadata)
	}
	if _, err := s.ns.KV.Values.Update(ctx, s.ns.ID, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("cfkv: put %q: %w", key, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.KV.Values.Delete(ctx, s.ns.ID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	if err != nil && !cfclient.IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %q: %w", key, err)
	}
	return nil
}

func (s *Store) List(ctx context.Context, req kvstore.ListRequest) (kvstore.Page, error) {
	limit := req.LimitValue()
	if limit <= 0 {
		limit = defaultPageSize
	}
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.ns.AccountID),
		Limit:     cloudflare.F(float64(limit)),
	}
	if p := req.PrefixValue(); p != "" {
		params.Prefix = cloudflare.F(p)
	}
	if c := req.CursorValue(); c != "" {
		params.Cursor = cloudflare.F(c)
	}
	res, err := s.ns.KV.Keys.List(ctx, s.ns.ID, params)
	if err != nil {
		return kvstore.Page{}, fmt.Errorf("cfkv: list %q: %w", req.PrefixValue(), err)
	}
	page := kvstore.Page{
		Keys:   make([]kvstore.KeyInfo, 0, len(res.Result)),
		Cursor: res.ResultInfo.Cursor,
	}
	page.Complete = page.Cursor == ""
	for _, k := range res.Result {
		info := kvstore.KeyInfo{Name: k.Name, Metadata: stringMap(k.Metadata)}
		if k.Expiration > 0 {
			info.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}

func stringMap(v any) map[string]string {
	raw, ok := v.(map[string]any)
	if !ok || len(raw) == 0 {
		return nil
	}
	out := make(map[string]string, len(raw))
	for k, val := range raw {
		if s, ok := val.(string); ok {
			out[k] = s
		} else {
			out[k] = fmt.Sprint(val)
		}
	}
	return out
}
