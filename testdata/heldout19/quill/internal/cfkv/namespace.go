package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/quill/internal/storage"
)

// maxBulkGet is the most keys the bulk read endpoint accepts in one call.
const maxBulkGet = 100

// Namespace is one KV namespace. It implements storage.ReadWriter.
type Namespace struct {
	cf            *cloudflare.Client
	accountID, id string
}

// Open returns the namespace id of account accountID.
func Open(cf *cloudflare.Client, accountID, id string) *Namespace {
	return &Namespace{cf: cf, accountID: accountID, id: id}
}

func escape(key string) string { return url.PathEscape(key) }

func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := n.cf.KV.Namespaces.Values.Get(ctx, n.id, escape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, storage.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (n *Namespace) Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if opts.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	}
	if !opts.ExpiresAt.IsZero() {
		params.Expiration = cloudflare.F(float64(opts.ExpiresAt.Unix()))
	}
	if len(opts.Metadata) > 0 {
		params.Metadata = cloudflare.F[any](opts.Metadata)
	}
	if _, err := n.cf.KV.Namespaces.Values.Update(ctx, n.id, escape(key), params); err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.cf.KV.Namespaces.Values.Delete(ctx, n.id, escape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// List implements storage.Reader. It returns a single page.
func (n *Namespace) List(ctx context.Context, opts storage.ListOptions) (storage.Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(n.accountID), Prefix: cloudflare.F(opts.Prefix)}
	if opts.Cursor != "" {
		params.Cursor = cloudflare.F(opts.Cursor)
	}
	if opts.Limit > 0 {
		params.Limit = cloudflare.F(float64(opts.Limit))
	}
	res, err := n.cf.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return storage.Page{}, fmt.Errorf("cfkv: list %q: %w", opts.Prefix, err)
	}
	page := storage.Page{Cursor: res.ResultInfo.Cursors.After, Complete: res.ResultInfo.Cursors.After == ""}
	for _, k := range res.Result {
		m, _ := k.Metadata.(map[string]any)
		page.Keys = append(page.Keys, storage.KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: m})
	}
	return page, nil
}

// GetMany reads keys through the bulk endpoint; missing keys are absent.
func (n *Namespace) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	var errs []error
	for start := 0; start < len(keys); start += maxBulkGet {
		chunk := keys[start:min(start+maxBulkGet, len(keys))]
		res, err := n.cf.KV.Namespaces.BulkGet(ctx, n.id, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(n.accountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("cfkv: bulk get at %d: %w", start, err))
			continue
		}
		values, _ := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		for k, v := range values.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = []byte(s)
			}
		}
	}
	return out, errors.Join(errs...)
}
