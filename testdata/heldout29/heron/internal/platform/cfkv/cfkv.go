// Package cfkv implements ports.Backend on Workers KV through the
// Cloudflare REST API (cloudflare-go v4).
package cfkv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/cloudflare/cloudflare-go/v4/shared"

	"example.com/heron/internal/ports"
)

// maxValueBytes guards reads of unexpectedly large values (KV allows 25 MiB).
const maxValueBytes = 25 << 20

// bulkWriteMax is the REST bulk-write limit per request.
const bulkWriteMax = 10_000

// DefaultAPI is the process-wide API client, created on first use from
// CLOUDFLARE_API_TOKEN.
var DefaultAPI = sync.OnceValue(func() *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")),
		option.WithMaxRetries(3),
	)
})

// Client is a ports.Backend bound to one account.
type Client struct {
	api     *cloudflare.Client
	account string
}

// New returns a Client for account using DefaultAPI.
func New(account string) *Client {
	return &Client{api: DefaultAPI(), account: account}
}

// Namespace returns a handle on namespace id with no prefix and no default
// lifetime.
func (c *Client) Namespace(id string) ports.Handle {
	return &handle{c: c, ns: id}
}

var _ ports.Backend = (*Client)(nil)

type handle struct {
	c        *Client
	ns       string
	prefix   string
	lifetime time.Duration
}

var _ ports.Handle = (*handle)(nil)

func (h *handle) Name() string { return h.ns + "/" + h.prefix }

func (h *handle) Prefixed(p string) ports.Handle {
	cp := *h
	cp.prefix += p
	return &cp
}

func (h *handle) WithLifetime(d time.Duration) ports.Handle {
	cp := *h
	cp.lifetime = d
	return &cp
}

func (h *handle) key(k string) string { return h.prefix + k }

// notFound reports whether err is the API's 404 for a missing key.
func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (h *handle) Get(ctx context.Context, k string) ([]byte, error) {
	res, err := h.c.api.KV.Namespaces.Values.Get(ctx, h.ns, url.PathEscape(h.key(k)),
		kv.NamespaceValueGetParams{AccountID: cloudflare.F(h.c.account)})
	if err != nil {
		if notFound(err) {
			return nil, ports.ErrNotFound
		}
		return nil, fmt.Errorf("cfkv: get %q: %w", k, err)
	}
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, maxValueBytes))
}

func (h *handle) GetEntry(ctx context.Context, k string) (ports.Entry, error) {
	v, err := h.Get(ctx, k)
	if err != nil {
		return ports.Entry{}, err
	}
	md, err := h.c.api.KV.Namespaces.Metadata.Get(ctx, h.ns, url.PathEscape(h.key(k)),
		kv.NamespaceMetadataGetParams{AccountID: cloudflare.F(h.c.account)})
	if err != nil && !notFound(err) {
		return ports.Entry{}, fmt.Errorf("cfkv: metadata %q: %w", k, err)
	}
	e := ports.Entry{Value: v}
	if md != nil && *md != nil {
		if e.Metadata, err = json.Marshal(*md); err != nil {
			return ports.Entry{}, err
		}
	}
	return e, nil
}

func (h *handle) Put(ctx context.Context, k string, v []byte, opts *ports.PutOpts) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(h.c.account),
		Value:     cloudflare.F(string(v)),
	}
	if ttl := opts.Lifetime(h.lifetime); ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	} else if at := opts.Deadline(); !at.IsZero() {
		params.Expiration = cloudflare.F(float64(at.Unix()))
	}
	if md := opts.Meta(); md != nil {
		params.Metadata = cloudflare.F[any](md)
	}
	_, err := h.c.api.KV.Namespaces.Values.Update(ctx, h.ns, url.PathEscape(h.key(k)), params)
	if err != nil {
		return fmt.Errorf("cfkv: put %q: %w", k, err)
	}
	return nil
}

func (h *handle) Delete(ctx context.Context, k string) error {
	_, err := h.c.api.KV.Namespaces.Values.Delete(ctx, h.ns, url.PathEscape(h.key(k)),
		kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(h.c.account)})
	if err != nil && !notFound(err) {
		return fmt.Errorf("cfkv: delete %q: %w", k, err)
	}
	return nil
}

func (h *handle) List(ctx context.Context, req ports.ListReq) (ports.Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(h.c.account),
		Prefix:    cloudflare.F(h.key(req.Prefix)),
	}
	if req.Limit > 0 {
		params.Limit = cloudflare.F(float64(req.Limit))
	}
	if req.Cursor != "" {
		params.Cursor = cloudflare.F(req.Cursor)
	}
	res, err := h.c.api.KV.Namespaces.Keys.List(ctx, h.ns, params)
	if err != nil {
		return ports.Page{}, fmt.Errorf("cfkv: list %q: %w", req.Prefix, err)
	}
	page := ports.Page{Cursor: res.ResultInfo.Cursor, Complete: res.ResultInfo.Cursor == ""}
	for _, k := range res.Result {
		pk := ports.Key{Name: k.Name[len(h.prefix):]}
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

// BulkGet reads keys in one request. The REST API accepts at most 100 keys;
// callers batch.
func (h *handle) BulkGet(ctx context.Context, keys []string) (map[string][]byte, error) {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = h.key(k)
	}
	res, err := h.c.api.KV.Namespaces.BulkGet(ctx, h.ns, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(h.c.account),
		Keys:      cloudflare.F(full),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("cfkv: bulk get: %w", err)
	}
	out := make(map[string][]byte, len(keys))
	result, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return out, nil
	}
	for name, v := range result.Values {
		if s, ok := v.(shared.UnionString); ok {
			out[name[len(h.prefix):]] = []byte(s)
		}
	}
	return out, nil
}

// BulkPut writes items in requests of at most bulkWriteMax pairs.
func (h *handle) BulkPut(ctx context.Context, items []ports.Item) error {
	for chunk := range slices.Chunk(items, bulkWriteMax) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, it := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(h.key(it.Key)),
				Value: cloudflare.F(string(it.Value)),
			}
			if ttl := it.Opts.Lifetime(h.lifetime); ttl > 0 {
				b.ExpirationTTL = cloudflare.F(ttl.Seconds())
			} else if at := it.Opts.Deadline(); !at.IsZero() {
				b.Expiration = cloudflare.F(float64(at.Unix()))
			}
			if md := it.Opts.Meta(); md != nil {
				b.Metadata = cloudflare.F[any](md)
			}
			body = append(body, b)
		}
		_, err := h.c.api.KV.Namespaces.BulkUpdate(ctx, h.ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(h.c.account),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("cfkv: bulk put: %w", err)
		}
	}
	return nil
}
