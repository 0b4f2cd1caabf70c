// Package kv6 wraps cloudflare-go/v6's KV service for the cron runner and
// the admin tool. Keys are routed to a hot namespace (read by the API) or a
// cold one (archives, audit) by prefix.
package kv6

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get for a missing key.
var ErrNotFound = errors.New("kv6: key not found")

// Router holds the hot and cold namespaces.
type Router struct {
	c            *cloudflare.Client
	account      string
	hot, cold    string
	coldPrefixes []string
}

// New returns a router; keys starting with any of coldPrefixes go to cold.
func New(c *cloudflare.Client, account, hot, cold string, coldPrefixes ...string) *Router {
	return &Router{c: c, account: account, hot: hot, cold: cold, coldPrefixes: coldPrefixes}
}

// Client exposes the underlying client for calls the router does not wrap.
func (r *Router) Client() *cloudflare.Client { return r.c }

// Account returns the account id.
func (r *Router) Account() string { return r.account }

// Namespace returns the namespace a key lives in.
func (r *Router) Namespace(key string) string {
	for _, p := range r.coldPrefixes {
		if strings.HasPrefix(key, p) {
			return r.cold
		}
	}
	return r.hot
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Put writes value under key. A zero ttl means no expiry.
func (r *Router) Put(ctx context.Context, key, value string, ttl time.Duration, metadata map[string]any) error {
	params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(r.account), Value: cloudflare.F(value)}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if metadata != nil {
		params.Metadata = cloudflare.F[any](metadata)
	}
	_, err := r.c.KV.Namespaces.Values.Update(ctx, r.Namespace(key), url.PathEscape(key), params)
	return err
}

// Get reads key, returning ErrNotFound when it does not exist.
func (r *Router) Get(ctx context.Context, key string) (string, error) {
	res, err := r.c.KV.Namespaces.Values.Get(ctx, r.Namespace(key), url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.account)})
	if IsNotFound(err) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// Lookup is Get for callers that only care whether a value is there.
func (r *Router) Lookup(ctx context.Context, key string) (string, bool) {
	res, err := r.c.KV.Namespaces.Values.Get(ctx, r.Namespace(key), url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.account)}) // EXPECT kvnull
	if err != nil {
		return "", false
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err == nil
}

// Page returns one page of keys under prefix in the hot namespace and the
// cursor of the next page ("" at the end).
func (r *Router) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := r.c.KV.Namespaces.Keys.List(ctx, r.hot, params)
	if err != nil {
		return nil, "", err
	}
	return res.Result, res.ResultInfo.Cursors.After, nil
}

// BulkGet reads text values from the hot namespace, 100 keys per request.
// Missing keys are absent from the result.
func (r *Router) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for chunk := range slices.Chunk(keys, 100) {
		res, err := r.c.KV.Namespaces.BulkGet(ctx, r.hot, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(r.account),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, fmt.Errorf("kv6: bulk get: %w", err)
		}
		Collect(res, out)
	}
	return out, nil
}

// Collect decodes a text bulk-get response into out.
func Collect(res *kv.NamespaceBulkGetResponse, out map[string]string) {
	plain, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
	if !ok {
		return
	}
	for k, v := range plain.Values {
		if s, ok := v.(shared.UnionString); ok {
			out[k] = string(s)
		}
	}
}
