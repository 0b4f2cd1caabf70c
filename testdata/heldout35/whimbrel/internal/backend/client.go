// Package backend holds the scheduled jobs that maintain the trivia KV data
// from outside the Worker, through the Cloudflare REST API.
package backend

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("backend: key not found")

// KV is one namespace reached through the REST API.
type KV struct {
	api       *cloudflare.Client
	account   string
	namespace string
}

// NewKV returns a client for the namespace.
func NewKV(token, account, namespace string) *KV {
	return &KV{
		api:       cloudflare.NewClient(option.WithAPIToken(token)),
		account:   account,
		namespace: namespace,
	}
}

// Get reads key, mapping 404 to ErrNotFound.
func (k *KV) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := k.api.KV.Namespaces.Values.Get(ctx, k.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(k.account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes value under key. A zero ttl stores the key without expiry.
func (k *KV) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(k.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := k.api.KV.Namespaces.Values.Update(ctx, k.namespace, key, params)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// PutAt writes value under key, expiring at the given time.
func (k *KV) PutAt(ctx context.Context, key, value string, at time.Time) error {
	if until := time.Until(at); until < time.Minute {
		at = time.Now().Add(time.Minute)
	}
	_, err := k.api.KV.Namespaces.Values.Update(ctx, k.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(k.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// Delete removes key.
func (k *KV) Delete(ctx context.Context, key string) error {
	_, err := k.api.KV.Namespaces.Values.Delete(ctx, k.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(k.account),
	})
	return err
}

// Page lists one page of keys under prefix.
func (k *KV) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(k.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := k.api.KV.Namespaces.Keys.List(ctx, k.namespace, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// BulkPut writes up to 10,000 pairs in one request and returns the keys
// that were not written.
func (k *KV) BulkPut(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) ([]string, error) {
	res, err := k.api.KV.Namespaces.BulkUpdate(ctx, k.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(k.account),
		Body:      body,
	})
	if err != nil {
		return nil, err
	}
	return res.UnsuccessfulKeys, nil
}
