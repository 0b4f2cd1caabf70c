package kvstore

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// REST is a Namespace backed by the Cloudflare REST API.
type REST struct {
	client    *cloudflare.Client
	accountID string
	namespace string
}

// NewREST returns the Namespace namespaceID of account accountID.
func NewREST(c *cloudflare.Client, accountID, namespaceID string) *REST {
	return &REST{client: c, accountID: accountID, namespace: namespaceID}
}

func (r *REST) Get(ctx context.Context, k Key) ([]byte, error) {
	res, err := r.client.KV.Namespaces.Values.Get(ctx, r.namespace, url.PathEscape(string(k)),
		kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.accountID)})
	if err != nil {
		return nil, wrap(k, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (r *REST) GetMeta(ctx context.Context, k Key, meta any) ([]byte, error) {
	v, err := r.Get(ctx, k)
	if err != nil {
		return nil, err
	}
	m, err := r.client.KV.Namespaces.Metadata.Get(ctx, r.namespace, url.PathEscape(string(k)),
		kv.NamespaceMetadataGetParams{AccountID: cloudflare.F(r.accountID)})
	if err != nil || m == nil {
		return v, wrap(k, err)
	}
	raw, err := json.Marshal(*m)
	if err != nil {
		return nil, err
	}
	return v, json.Unmarshal(raw, meta)
}

// Put writes v under k. The single-value endpoint of this API version cannot
// carry an expiry, so expiring values go through the bulk endpoint.
func (r *REST) Put(ctx context.Context, k Key, v []byte, o PutOptions) error {
	if o.TTL != 0 || !o.ExpireAt.IsZero() {
		return r.PutMany(ctx, []Item{{Key: k, Value: v, Opts: o}})
	}
	meta := []byte("{}")
	if o.Metadata != nil {
		var err error
		if meta, err = json.Marshal(o.Metadata); err != nil {
			return fmt.Errorf("kvstore: metadata for %s: %w", k, err)
		}
	}
	_, err := r.client.KV.Namespaces.Values.Update(ctx, r.namespace, url.PathEscape(string(k)), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.accountID),
		Metadata:  cloudflare.F(string(meta)),
		Value:     cloudflare.F(string(v)),
	})
	return wrap(k, err)
}

// PutMany writes items with the bulk endpoint, MaxBulk pairs per request.
func (r *REST) PutMany(ctx context.Context, items []Item) error {
	for chunk := range slices.Chunk(items, MaxBulk) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, it := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:    cloudflare.F(string(it.Key)),
				Value:  cloudflare.F(base64.StdEncoding.EncodeToString(it.Value)),
				Base64: cloudflare.F(true),
			}
			if it.Opts.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(math.Floor(it.Opts.TTL.Seconds()))
			} else if !it.Opts.ExpireAt.IsZero() {
				b.Expiration = cloudflare.F(float64(it.Opts.ExpireAt.Unix()))
			}
			if it.Opts.Metadata != nil {
				var m map[string]any
				raw, _ := json.Marshal(it.Opts.Metadata)
				if err := json.Unmarshal(raw, &m); err != nil {
					return fmt.Errorf("kvstore: metadata for %s must be an object: %w", it.Key, err)
				}
				b.Metadata = cloudflare.F(m)
			}
			body = append(body, b)
		}
		_, err := r.client.KV.Namespaces.Bulk.Update(ctx, r.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(r.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("kvstore: bulk write of %d pairs: %w", len(body), err)
		}
	}
	return nil
}

// Delete removes k. Deleting a missing key is not an error.
func (r *REST) Delete(ctx context.Context, k Key) error {
	_, err := r.client.KV.Namespaces.Values.Delete(ctx, r.namespace, url.PathEscape(string(k)),
		kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(r.accountID)})
	if err = wrap(k, err); IsNotFound(err) {
		return nil
	}
	return err
}

// List returns one page of keys. Limit is clamped to what the REST API accepts.
func (r *REST) List(ctx context.Context, o ListOptions) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.accountID),
		Limit:     cloudflare.F(float64(min(max(cmp.Or(o.Limit, 1000), 10), 1000))),
	}
	if o.Prefix != "" {
		params.Prefix = cloudflare.F(string(o.Prefix))
	}
	if o.Cursor != "" {
		params.Cursor = cloudflare.F(o.Cursor)
	}
	res, err := r.client.KV.Namespaces.Keys.List(ctx, r.namespace, params)
	if err != nil {
		return Page{}, fmt.Errorf("kvstore: list %q: %w", o.Prefix, err)
	}
	p := Page{Cursor: res.ResultInfo.Cursor, Entries: make([]Entry, 0, len(res.Result))}
	for _, key := range res.Result {
		e := Entry{Key: Key(key.Name)}
		if key.Expiration > 0 {
			e.Expiration = time.Unix(int64(key.Expiration), 0)
		}
		if key.Metadata != nil {
			e.Metadata, _ = json.Marshal(key.Metadata)
		}
		p.Entries = append(p.Entries, e)
	}
	return p, nil
}

func wrap(k Key, err error) error {
	var apiErr *cloudflare.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: %s", ErrNotFound, k)
	}
	return fmt.Errorf("kvstore: %s: %w", k, err)
}
