// Package admin is the back-office side of merlin: it talks to Workers KV
// through the Cloudflare REST API to export results, provision join codes
// and manage host sessions.
package admin

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
)

// maxBulk is the largest bulk write the API accepts.
const maxBulk = 10_000

// KV is one namespace of one account.
type KV struct {
	client    *cloudflare.Client
	account   string
	namespace string
}

// NewKV returns a client for namespace.
func NewKV(token, account, namespace string) *KV {
	c := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	return &KV{client: c, account: account, namespace: namespace}
}

// WithNamespace returns a copy that targets another namespace.
func (k KV) WithNamespace(ns string) *KV {
	k.namespace = ns
	return &k
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value of key. A missing key is an error; see IsNotFound.
func (k *KV) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := k.client.KV.Namespaces.Values.Get(ctx, k.namespace, url.PathEscape(key),
		kv.NamespaceValueGetParams{AccountID: cloudflare.F(k.account)})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value; ttl <= 0 means no expiry.
func (k *KV) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(k.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := k.client.KV.Namespaces.Values.Update(ctx, k.namespace, url.PathEscape(key), params)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (k *KV) Delete(ctx context.Context, key string) error {
	_, err := k.client.KV.Namespaces.Values.Delete(ctx, k.namespace, url.PathEscape(key),
		kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(k.account)})
	return err
}

// Keys lists up to maxKeys keys under prefix and returns the cursor to
// resume from, or "" when the listing is complete.
func (k *KV) Keys(ctx context.Context, prefix, cursor string, maxKeys int) ([]kv.Key, string, error) {
	var out []kv.Key
	for len(out) < maxKeys {
		params := kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(k.account),
			Prefix:    cloudflare.F(prefix),
			Limit:     cloudflare.F(float64(min(1000, max(10, maxKeys-len(out))))),
		}
		if cursor != "" {
			params.Cursor = cloudflare.F(cursor)
		}
		page, err := k.client.KV.Namespaces.Keys.List(ctx, k.namespace, params)
		if err != nil {
			return out, cursor, err
		}
		out = append(out, page.Result...)
		cursor = page.ResultInfo.Cursor
		if cursor == "" {
			break
		}
	}
	return out, cursor, nil
}

// BulkPut writes items in chunks the API accepts. Keys the API reports as
// failed are returned in the joined error.
func (k *KV) BulkPut(ctx context.Context, items []kv.NamespaceBulkUpdateParamsBody) error {
	var errs []error
	for start := 0; start < len(items); start += maxBulk {
		chunk := items[start:min(start+maxBulk, len(items))]
		res, err := k.client.KV.Namespaces.BulkUpdate(ctx, k.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(k.account),
			Body:      chunk,
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("bulk %d..%d: %w", start, start+len(chunk), err))
			continue
		}
		for _, key := range res.UnsuccessfulKeys {
			errs = append(errs, fmt.Errorf("bulk: %s not written", key))
		}
	}
	return errors.Join(errs...)
}
