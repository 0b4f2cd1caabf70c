// Package cfkv is the backend's access to Workers KV through the Cloudflare
// REST API. The client and namespace IDs are read from the environment on
// first use.
package cfkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// ErrNotFound is returned by Get for a key that does not exist.
var ErrNotFound = errors.New("cfkv: key not found")

var client = sync.OnceValue(func() *cloudflare.Client {
	return cloudflare.NewClient(
		option.WithMaxRetries(4),
		option.WithRequestTimeout(20*time.Second),
	)
})

// Client returns the shared Cloudflare API client.
func Client() *cloudflare.Client { return client() }

// API returns the KV namespace services of the shared client.
func API() *kv.NamespaceService { return client().KV.Namespaces }

// AccountID is the Cloudflare account that owns the namespaces.
var AccountID = sync.OnceValue(func() string { return mustEnv("CLOUDFLARE_ACCOUNT_ID") })

// Namespace is a KV namespace ID.
type Namespace string

func namespace(env string) func() Namespace {
	return sync.OnceValue(func() Namespace { return Namespace(mustEnv(env)) })
}

var (
	Lobbies   = namespace("KV_LOBBIES_ID")
	Sessions  = namespace("KV_SESSIONS_ID")
	Analytics = namespace("KV_ANALYTICS_ID")
	Hosts     = namespace("KV_HOSTS_ID")
)

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		panic(fmt.Sprintf("cfkv: %s is not set", name))
	}
	return v
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get reads key. It returns ErrNotFound when the key does not exist.
func Get(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	res, err := API().Values.Get(ctx, string(ns), url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(AccountID()),
	})
	if IsNotFound(err) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("cfkv: get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes key without an expiry.
func Put(ctx context.Context, ns Namespace, key string, value []byte) error {
	_, err := API().Values.Update(ctx, string(ns), url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(AccountID()),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(value)),
	})
	if err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

// PutTTL writes key with an expiry ttl from now. Values.Update takes no
// expiration in this SDK version, so the pair goes through the bulk endpoint.
func PutTTL(ctx context.Context, ns Namespace, key string, value []byte, ttl time.Duration) error {
	_, err := API().Bulk.Update(ctx, string(ns), kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(AccountID()),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(ttl.Seconds()),
		}},
	})
	if err != nil {
		return fmt.Errorf("cfkv: put %s: %w", key, err)
	}
	return nil
}

// Delete removes key.
func Delete(ctx context.Context, ns Namespace, key string) error {
	_, err := API().Values.Delete(ctx, string(ns), url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(AccountID()),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("cfkv: delete %s: %w", key, err)
	}
	return nil
}

// Update passes the current value of key to fn (nil when the key does not
// exist) and stores what fn returns. If fn returns nil, nothing is written.
func Update(ctx context.Context, ns Namespace, key string, fn func(old []byte) ([]byte, error)) error {
	old, err := Get(ctx, ns, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil || next == nil {
		return err
	}
	return Put(ctx, ns, key, next) // EXPECT kvrace
}

// ListPage returns one page of keys under prefix and the cursor of the next
// page, empty when there is none.
func ListPage(ctx context.Context, ns Namespace, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(AccountID()),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := API().Keys.List(ctx, string(ns), params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}
