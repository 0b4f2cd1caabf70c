package kvstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Cloudflare stores values in one Workers KV namespace through the REST API.
type Cloudflare struct {
	values    *kv.NamespaceValueService
	keys      *kv.NamespaceKeyService
	account   string
	namespace string
	timeout   time.Duration
	pageSize  int
	logger    *slog.Logger
}

// Option configures the Cloudflare adapter.
type Option func(*Cloudflare)

// WithTimeout bounds every request made by the adapter.
func WithTimeout(d time.Duration) Option {
	return func(c *Cloudflare) { c.timeout = d }
}

// WithLogger sets the logger used for slow or failed requests.
func WithLogger(l *slog.Logger) Option {
	return func(c *Cloudflare) { c.logger = l }
}

// NewCloudflare returns an adapter for namespace in account.
func NewCloudflare(client *cloudflare.Client, account, namespace string, opts ...Option) *Cloudflare {
	c := &Cloudflare{
		values:    client.KV.Namespaces.Values,
		keys:      client.KV.Namespaces.Keys,
		account:   account,
		namespace: namespace,
		timeout:   10 * time.Second,
		pageSize:  1000,
		logger:    slog.Default(),
	}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

func (c *Cloudflare) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.timeout <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, c.timeout)
}

// Get returns the value stored under key, or ErrNotFound.
func (c *Cloudflare) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	res, err := c.values.Get(ctx, c.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key.
func (c *Cloudflare) Put(ctx context.Context, key string, value []byte, opts ...PutOption) error {
	o := collect(opts)
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.ttl > 0 {
		params.ExpirationTTL = cloudflare.F(math.Ceil(o.ttl.Seconds()))
	}
	if o.expiresAt > 0 {
		params.Expiration = cloudflare.F(float64(o.expiresAt))
	}
	if o.metadata != nil {
		params.Metadata = cloudflare.F[any](o.metadata)
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	if _, err := c.values.Update(ctx, c.namespace, key, params); err != nil {
		c.logger.Debug("kv write failed", "key", key, "err", err)
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (c *Cloudflare) Delete(ctx context.Context, key string) error {
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	_, err := c.values.Delete(ctx, c.namespace, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// List returns one page of keys; callers continue with Page.Cursor.
func (c *Cloudflare) List(ctx context.Context, q ListQuery) (Page, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = c.pageSize
	}
	limit = min(max(limit, 10), 1000)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Limit:     cloudflare.F(float64(limit)),
	}
	if q.Prefix != "" {
		params.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	res, err := c.keys.List(ctx, c.namespace, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", q.Prefix, err)
	}
	page := Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		info := KeyInfo{Name: k.Name, Expiration: int64(k.Expiration)}
		if md, ok := k.Metadata.(map[string]any); ok {
			info.Metadata = md
		}
		page.Keys = append(page.Keys, info)
	}
	return page, nil
}
