// Package kvstore is the backend's adapter over the Cloudflare REST API for
// Workers KV. The edge worker reads the same namespaces through its bindings.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/cloudflare/cloudflare-go/v4/packages/pagination"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/config"
)

// ErrNotFound is returned by Get and GetJSON when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Client carries the SDK client and the account every namespace lives in.
type Client struct {
	cf        *cloudflare.Client
	accountID string
	log       *zap.Logger
}

// NewClient builds the SDK client from the startup configuration.
func NewClient(cfg config.Config, log *zap.Logger) *Client {
	cf := cloudflare.NewClient(
		option.WithAPIToken(cfg.APIToken),
		option.WithMaxRetries(3),
		option.WithRequestTimeout(20*time.Second),
	)
	return &Client{cf: cf, accountID: cfg.AccountID, log: log.Named("kv")}
}

// SDK and AccountID serve the few calls the adapter does not wrap.
func (c *Client) SDK() *cloudflare.Client { return c.cf }
func (c *Client) AccountID() string       { return c.accountID }

// Namespace is one KV namespace addressed through the REST API.
type Namespace struct {
	c   *Client
	id  string
	log *zap.Logger
}

func (c *Client) Namespace(id string) *Namespace {
	return &Namespace{c: c, id: id, log: c.log.With(zap.String("namespace", id))}
}

// The constructors below are provided to fx under names (see cmd/skua-api).

func FeedsNamespace(c *Client, cfg config.Config) *Namespace {
	return c.Namespace(cfg.Namespaces.Feeds)
}
func AuthNamespace(c *Client, cfg config.Config) *Namespace { return c.Namespace(cfg.Namespaces.Auth) }
func StatsNamespace(c *Client, cfg config.Config) *Namespace {
	return c.Namespace(cfg.Namespaces.Stats)
}
func ImportsNamespace(c *Client, cfg config.Config) *Namespace {
	return c.Namespace(cfg.Namespaces.Imports)
}

func (n *Namespace) ID() string { return n.id }

// Get reads a value. A missing key is reported as ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := n.c.cf.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.c.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// GetJSON reads a value and decodes it into dst.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return fmt.Errorf("kv decode %q: %w", key, err)
	}
	return nil
}

// Put writes a value that expires ttl from now; ttl <= 0 stores it without
// an expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.c.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := n.c.cf.KV.Namespaces.Values.Update(ctx, n.id, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it with Put.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kv encode %q: %w", key, err)
	}
	return n.Put(ctx, key, raw, ttl)
}

// PutCache writes a cache entry. Lifetimes under KV's one-minute floor are
// raised to the floor, so callers can pass whatever their freshness target is.
func (n *Namespace) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.Put(ctx, key, value, ttl)
}

// PutUntil writes a value that expires at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(n.c.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	}
	if _, err := n.c.cf.KV.Namespaces.Values.Update(ctx, n.id, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Update applies fn to the current value of key (nil when missing) and
// stores the result.
func (n *Namespace) Update(ctx context.Context, key string, ttl time.Duration, fn func(cur []byte) ([]byte, error)) error {
	cur, err := n.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, next, ttl) // EXPECT kvrace
}

// Delete removes a key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.c.cf.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.c.accountID),
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// ListPage returns one page of keys under prefix and the cursor of the next
// page, which is empty once the listing is complete.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.c.accountID),
		Prefix:    cloudflare.F(prefix),
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.c.cf.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Keys returns the SDK's auto-pager over every key under prefix.
func (n *Namespace) Keys(ctx context.Context, prefix string, pageSize int) *pagination.CursorLimitPaginationAutoPager[kv.Key] {
	return n.c.cf.KV.Namespaces.Keys.ListAutoPaging(ctx, n.id, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.c.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(pageSize)),
	})
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
	Meta  any
}

// BulkPut writes up to 10,000 pairs in one request.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(float64(int(e.TTL.Seconds())))
		}
		if e.Meta != nil {
			b.Metadata = cloudflare.F(e.Meta)
		}
		body = append(body, b)
	}
	res, err := n.c.cf.KV.Namespaces.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.c.accountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("kv bulk put: %w", err)
	}
	if len(res.UnsuccessfulKeys) > 0 {
		n.log.Warn("bulk put left keys behind", zap.Int("count", len(res.UnsuccessfulKeys)))
	}
	return nil
}

// BulkDelete removes up to 10,000 keys in one request.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	_, err := n.c.cf.KV.Namespaces.BulkDelete(ctx, n.id, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(n.c.accountID),
		Body:      keys,
	})
	if err != nil {
		return fmt.Errorf("kv bulk delete: %w", err)
	}
	return nil
}
