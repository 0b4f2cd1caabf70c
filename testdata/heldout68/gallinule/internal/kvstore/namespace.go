// Package kvstore is the backend's adapter over the Workers KV REST API
// (cloudflare-go v2). It hides URL-escaping, the 404-to-sentinel mapping and
// the way this SDK version carries expiration_ttl on single writes.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// Namespace is one Workers KV namespace in one account.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
	Name      string
}

// Open returns a handle for the namespace id in account.
func Open(client *cloudflare.Client, account, id, name string) *Namespace {
	return &Namespace{Client: client, AccountID: account, ID: id, Name: name}
}

// Entry is one key as returned by a listing.
type Entry struct {
	Key        string
	Expiration time.Time
	Meta       map[string]any
}

// Get returns the value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.Client.KV.Namespaces.Values.Get(ctx, n.ID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv %s: get %q: %w", n.Name, key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON decodes the value under key into dst. It reports false on a miss.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) (bool, error) {
	raw, err := n.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return false, fmt.Errorf("kv %s: decode %q: %w", n.Name, key, err)
	}
	return true, nil
}

// Put writes value under key. A positive ttl becomes expiration_ttl in whole
// seconds; zero means the key does not expire.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.PutMeta(ctx, key, value, nil, ttl)
}

// PutJSON encodes v and writes it under key.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, raw, ttl)
}

// PutMeta writes value and its metadata under key.
func (n *Namespace) PutMeta(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	metaJSON := []byte("{}")
	if meta != nil {
		var err error
		if metaJSON, err = json.Marshal(meta); err != nil {
			return err
		}
	}
	var opts []option.RequestOption
	if ttl > 0 {
		// v2.4.0's NamespaceValueUpdateParams has no TTL field; the API
		// accepts it as a query parameter.
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds()))))
	}
	_, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(string(metaJSON)),
	}, opts...)
	if err != nil {
		return fmt.Errorf("kv %s: put %q: %w", n.Name, key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.Client.KV.Namespaces.Values.Delete(ctx, n.ID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.AccountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv %s: delete %q: %w", n.Name, key, err)
	}
	return nil
}

// ListPage returns one page of keys under prefix starting at cursor, and the
// cursor of the next page ("" when the listing is complete).
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]Entry, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.Client.KV.Namespaces.Keys.List(ctx, n.ID, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv %s: list %q: %w", n.Name, prefix, err)
	}
	out := make([]Entry, 0, len(page.Result))
	for _, k := range page.Result {
		e := Entry{Key: k.Name, Meta: k.Metadata}
		if k.Expiration > 0 {
			e.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		out = append(out, e)
	}
	return out, page.ResultInfo.Cursor, nil
}

// BulkPut writes entries in one request.
func (n *Namespace) BulkPut(ctx context.Context, entries []kv.NamespaceBulkUpdateParamsBody) error {
	if len(entries) == 0 {
		return nil
	}
	_, err := n.Client.KV.Namespaces.Bulk.Update(ctx, n.ID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Body:      entries,
	})
	if err != nil {
		return fmt.Errorf("kv %s: bulk put %d keys: %w", n.Name, len(entries), err)
	}
	return nil
}

// IsNotFound reports whether err is the API's 404.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}
