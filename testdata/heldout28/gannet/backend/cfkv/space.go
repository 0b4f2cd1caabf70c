package cfkv

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/shared"

	"example.com/gannet/internal/storage"
	"example.com/gannet/internal/ttl"
)

// Space is one logical namespace, optionally scoped to a tenant.
type Space struct {
	c      *Client
	name   string
	tenant string
}

var (
	_ storage.KV   = (*Space)(nil)
	_ storage.Bulk = (*Space)(nil)
)

// ForTenant returns the same logical namespace for another clinic.
func (s *Space) ForTenant(tenant string) *Space {
	return &Space{c: s.c, name: s.name, tenant: tenant}
}

func (s *Space) id() (string, error) { return s.c.NamespaceID(s.tenant, s.name) }

// Fetch returns the raw value of key. Every failure, a missing key
// included, comes back as an error.
func (s *Space) Fetch(ctx context.Context, key string) ([]byte, error) {
	ns, err := s.id()
	if err != nil {
		return nil, err
	}
	res, err := s.c.api.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.c.accountID)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Get implements storage.Reader: a 404 is a miss, not an error.
func (s *Space) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := s.Fetch(ctx, key)
	switch {
	case IsNotFound(err):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("cfkv: get %s/%s: %w", s.name, key, err)
	}
	return b, true, nil
}

// Put implements storage.Writer.
func (s *Space) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	ns, err := s.id()
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.c.accountID),
		Value:     cloudflare.F(string(value)),
	}
	switch {
	case opts.TTL > 0:
		params.ExpirationTTL = cloudflare.F(ttl.Of(opts.TTL).Float())
	case !opts.ExpiresAt.IsZero():
		params.Expiration = cloudflare.F(float64(opts.ExpiresAt.Unix()))
	}
	if len(opts.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	_, err = s.c.api.KV.Namespaces.Values.Update(ctx, ns, key, params)
	return err
}

// Delete implements storage.Writer.
func (s *Space) Delete(ctx context.Context, key string) error {
	ns, err := s.id()
	if err != nil {
		return err
	}
	_, err = s.c.api.KV.Namespaces.Values.Delete(ctx, ns, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.c.accountID)})
	return err
}

// List implements storage.Lister, one page per call.
func (s *Space) List(ctx context.Context, req storage.ListRequest) (storage.ListPage, error) {
	ns, err := s.id()
	if err != nil {
		return storage.ListPage{}, err
	}
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.c.accountID)}
	if req.Prefix != "" {
		params.Prefix = cloudflare.F(req.Prefix)
	}
	if req.Cursor != "" {
		params.Cursor = cloudflare.F(req.Cursor)
	}
	if req.Limit > 0 {
		params.Limit = cloudflare.F(float64(req.Limit))
	}
	page, err := s.c.api.KV.Namespaces.Keys.List(ctx, ns, params)
	if err != nil {
		return storage.ListPage{}, err
	}
	out := storage.ListPage{Cursor: page.ResultInfo.Cursor, Complete: page.ResultInfo.Cursor == ""}
	for _, k := range page.Result {
		lk := storage.ListedKey{Name: k.Name}
		if k.Expiration > 0 {
			lk.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if m, ok := k.Metadata.(map[string]any); ok {
			lk.Metadata = make(map[string]string, len(m))
			for mk, mv := range m {
				lk.Metadata[mk] = fmt.Sprint(mv)
			}
		}
		out.Keys = append(out.Keys, lk)
	}
	return out, nil
}

// AllKeys returns every key under prefix.
func (s *Space) AllKeys(ctx context.Context, prefix string) ([]string, error) {
	ns, err := s.id()
	if err != nil {
		return nil, err
	}
	var names []string
	iter := s.c.api.KV.Namespaces.Keys.ListAutoPaging(ctx, ns, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.c.accountID),
		Prefix:    cloudflare.F(prefix),
	})
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	return names, iter.Err()
}

// BulkPut implements storage.Bulk.
func (s *Space) BulkPut(ctx context.Context, pairs []storage.Pair) error {
	ns, err := s.id()
	if err != nil {
		return err
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(pairs))
	for _, p := range pairs {
		item := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(p.Key),
			Value: cloudflare.F(string(p.Value)),
		}
		if p.TTL > 0 {
			item.ExpirationTTL = cloudflare.F(ttl.Of(p.TTL).Float())
		}
		if len(p.Metadata) > 0 {
			item.Metadata = cloudflare.F[any](p.Metadata)
		}
		body = append(body, item)
	}
	res, err := s.c.api.KV.Namespaces.BulkUpdate(ctx, ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.c.accountID),
		Body:      body,
	})
	if err != nil {
		return err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return fmt.Errorf("cfkv: bulk write: %d keys not written", len(res.UnsuccessfulKeys))
	}
	return nil
}

// BulkGet implements storage.Bulk. Missing keys are absent from the map.
func (s *Space) BulkGet(ctx context.Context, keys []string) (map[string][]byte, error) {
	ns, err := s.id()
	if err != nil {
		return nil, err
	}
	res, err := s.c.api.KV.Namespaces.BulkGet(ctx, ns, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(s.c.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]byte, len(keys))
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if str, ok := v.(shared.UnionString); ok {
				out[k] = []byte(str)
			}
		}
	}
	return out, nil
}

// BulkDelete implements storage.Bulk.
func (s *Space) BulkDelete(ctx context.Context, keys []string) error {
	ns, err := s.id()
	if err != nil {
		return err
	}
	_, err = s.c.api.KV.Namespaces.BulkDelete(ctx, ns, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.c.accountID),
		Body:      keys,
	})
	return err
}
