// Package cfkv implements ports.KV with cloudflare-go. Each operator tenant
// has its own namespace, picked per call from the tenant in the context.
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/wren/backend/ports"
)

// MaxBulkGet is the most keys one bulk read may ask for.
const MaxBulkGet = 100

// Client is a ports.KV for one account.
type Client struct {
	api        *kv.NamespaceService
	accountID  string
	namespaces map[string]string // tenant -> namespace ID
	fallback   string
	maxValue   int64
}

// Option configures a Client.
type Option func(*Client)

// WithNamespaces sets the tenant to namespace map; WithFallback the namespace used for requests without a tenant.
func WithNamespaces(m map[string]string) Option { return func(c *Client) { c.namespaces = m } }
func WithFallback(id string) Option             { return func(c *Client) { c.fallback = id } }

// New returns a Client.
func New(api *kv.NamespaceService, accountID string, opts ...Option) *Client {
	c := &Client{api: api, accountID: accountID, maxValue: 25 << 20}
	for _, o := range opts {
		o(c)
	}
	return c
}

var _ ports.KV = (*Client)(nil)

// ErrNoNamespace is returned when the tenant has no namespace configured.
var ErrNoNamespace = errors.New("cfkv: no namespace for tenant")

// Namespace resolves the namespace for ctx's tenant.
func (c *Client) Namespace(ctx context.Context) (string, error) {
	t := ports.TenantFrom(ctx)
	if id, ok := c.namespaces[t]; ok {
		return id, nil
	}
	if t == "" && c.fallback != "" {
		return c.fallback, nil
	}
	return "", fmt.Errorf("%w %q", ErrNoNamespace, t)
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get implements ports.KV.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	ns, err := c.Namespace(ctx)
	if err != nil {
		return nil, err
	}
	resp, err := c.api.Values.Get(ctx, ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.accountID)})
	if IsNotFound(err) {
		return nil, ports.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(io.LimitReader(resp.Body, c.maxValue+1))
}

// Put implements ports.KV.
func (c *Client) Put(ctx context.Context, key string, val []byte, opts ...ports.PutOption) error {
	if int64(len(val)) > c.maxValue {
		return fmt.Errorf("cfkv: %s: value of %d bytes exceeds %d", key, len(val), c.maxValue)
	}
	ns, err := c.Namespace(ctx)
	if err != nil {
		return err
	}
	o := ports.Apply(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(o.TTL / time.Second))
	}
	if !o.ExpiresAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpiresAt.Unix()))
	}
	if o.Metadata != nil {
		params.Metadata = cloudflare.F[any](o.Metadata)
	}
	_, err = c.api.Values.Update(ctx, ns, url.PathEscape(key), params)
	return err
}

// Delete implements ports.KV.
func (c *Client) Delete(ctx context.Context, key string) error {
	ns, err := c.Namespace(ctx)
	if err != nil {
		return err
	}
	_, err = c.api.Values.Delete(ctx, ns, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.accountID)})
	if IsNotFound(err) {
		return nil
	}
	return err
}

// List implements ports.KV: one page, with the cursor for the next.
func (c *Client) List(ctx context.Context, prefix, cursor string, limit int) (ports.Page, error) {
	ns, err := c.Namespace(ctx)
	if err != nil {
		return ports.Page{}, err
	}
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(c.accountID), Prefix: cloudflare.F(prefix)}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := c.api.Keys.List(ctx, ns, params)
	if err != nil {
		return ports.Page{}, err
	}
	page := ports.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		pk := ports.Key{Name: k.Name}
		if k.Expiration > 0 {
			pk.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		if k.Metadata != nil {
			pk.Metadata, _ = json.Marshal(k.Metadata)
		}
		page.Keys = append(page.Keys, pk)
	}
	return page, nil
}

// BulkGet reads text values for keys, MaxBulkGet at a time. Missing keys are absent from the result.
func (c *Client) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	ns, err := c.Namespace(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	for chunk := range slices.Chunk(keys, MaxBulkGet) {
		res, err := c.api.BulkGet(ctx, ns, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(c.accountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		Collect(out, res)
	}
	return out, nil
}

// Collect adds the text values of a bulk read result to out.
func Collect(out map[string]string, res *kv.NamespaceBulkGetResponse) {
	r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return
	}
	for k, v := range r.Values {
		if s, ok := v.(shared.UnionString); ok {
			out[k] = string(s)
		}
	}
}
