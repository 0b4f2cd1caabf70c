// Package restkv adapts the Cloudflare REST API (cloudflare-go) to the shape
// the backend stores expect: byte values, typed errors, durations for TTLs.
package restkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"github.com/arcadia-games/shoveler/internal/kvbase"
)

// MaxBulk is the largest number of pairs one bulk request may carry.
const MaxBulk = 10_000

// Client talks to one KV namespace over the REST API.
type Client struct {
	api       *cloudflare.Client
	account   string
	namespace string
	rec       *kvbase.Recorder
}

// New returns a Client authenticated with an API token.
func New(token, account, namespace string, rec *kvbase.Recorder) *Client {
	return &Client{
		api:       cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3)),
		account:   account,
		namespace: namespace,
		rec:       rec,
	}
}

// Namespace returns the namespace ID.
func (c *Client) Namespace() string { return c.namespace }

func (c *Client) observe(op string, start time.Time) { c.rec.Observe("rest", op, start) }

func (c *Client) mapErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		switch apiErr.StatusCode {
		case http.StatusNotFound:
			return &kvbase.NotFoundError{Key: key}
		case http.StatusTooManyRequests:
			return &kvbase.ThrottledError{Op: op, Err: err}
		}
	}
	return fmt.Errorf("restkv %s %q: %w", op, key, err)
}

// Get returns the value of key or a *kvbase.NotFoundError.
func (c *Client) Get(ctx context.Context, key string) ([]byte, error) {
	defer c.observe("get", time.Now())
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(c.account),
	})
	if err != nil {
		return nil, c.mapErr("get", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put stores val under key. A positive ttl sets expiration_ttl.
func (c *Client) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	defer c.observe("put", time.Now())
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.namespace, url.PathEscape(key), params)
	return c.mapErr("put", key, err)
}

// PutAt stores val under key until the absolute time exp.
func (c *Client) PutAt(ctx context.Context, key string, val []byte, exp time.Time) error {
	defer c.observe("put", time.Now())
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(c.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
		Expiration: cloudflare.F(float64(exp.Unix())),
	})
	return c.mapErr("put", key, err)
}

// PutMeta stores val with metadata attached, so listings do not
// need a get per key.
func (c *Client) PutMeta(ctx context.Context, key string, val []byte, meta any, ttl time.Duration) error {
	defer c.observe("put", time.Now())
	if ttl < time.Minute {
		ttl = time.Minute
	}
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
		Metadata:      cloudflare.F(meta),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return c.mapErr("put", key, err)
}

// Delete removes key.
func (c *Client) Delete(ctx context.Context, key string) error {
	defer c.observe("delete", time.Now())
	_, err := c.api.KV.Namespaces.Values.Delete(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(c.account),
	})
	return c.mapErr("delete", key, err)
}

// Page lists one page of keys under prefix. It returns the cursor of the next
// page, or "" when there is none.
func (c *Client) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	defer c.observe("list", time.Now())
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(c.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := c.api.KV.Namespaces.Keys.List(ctx, c.namespace, params)
	if err != nil {
		return nil, "", c.mapErr("list", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Keys exposes the raw key service for callers that page themselves.
func (c *Client) Keys() (*kv.NamespaceKeyService, string, string) {
	return c.api.KV.Namespaces.Keys, c.account, c.namespace
}

// Pair is one entry of a bulk write.
type Pair struct {
	Key   string
	Value string
	TTL   time.Duration
	Meta  any
}

func (p Pair) body() kv.NamespaceKeyBulkUpdateParamsBody {
	b := kv.NamespaceKeyBulkUpdateParamsBody{Key: cloudflare.F(p.Key), Value: cloudflare.F(p.Value)}
	if p.TTL > 0 {
		b.ExpirationTTL = cloudflare.F(max(p.TTL, time.Minute).Seconds())
	}
	if p.Meta != nil {
		b.Metadata = cloudflare.F(p.Meta)
	}
	return b
}

// BulkPut writes pairs in requests of at most MaxBulk pairs and returns the
// keys that need a retry.
func (c *Client) BulkPut(ctx context.Context, pairs []Pair) ([]string, error) {
	defer c.observe("bulk", time.Now())
	var failed []string
	var errs []error
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		body := make([]kv.NamespaceKeyBulkUpdateParamsBody, 0, end-start)
		for _, p := range pairs[start:end] {
			body = append(body, p.body())
		}
		res, err := c.api.KV.Namespaces.Keys.BulkUpdate(ctx, c.namespace, kv.NamespaceKeyBulkUpdateParams{
			AccountID: cloudflare.F(c.account),
			Body:      body,
		})
		if err != nil {
			errs = append(errs, c.mapErr("bulk", fmt.Sprintf("batch@%d", start), err))
			continue
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, errors.Join(errs...)
}

// BulkDelete removes keys in requests of at most MaxBulk keys.
func (c *Client) BulkDelete(ctx context.Context, keys []string) error {
	defer c.observe("bulkdelete", time.Now())
	var errs []error
	for start := 0; start < len(keys); start += MaxBulk {
		end := min(start+MaxBulk, len(keys))
		_, err := c.api.KV.Namespaces.Keys.BulkDelete(ctx, c.namespace, kv.NamespaceKeyBulkDeleteParams{
			AccountID: cloudflare.F(c.account),
			Body:      keys[start:end],
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
