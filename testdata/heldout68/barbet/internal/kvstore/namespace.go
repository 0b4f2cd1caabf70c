// Package kvstore is barbet's thin adapter over the Workers KV REST API as
// exposed by cloudflare-go. The backend never talks to KV through anything else
// except the sweeper, which needs the raw list and bulk endpoints.
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

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// ErrNotFound is returned by Get and GetJSON when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// bulkMaxPairs is the most pairs the bulk endpoint accepts in one request.
const bulkMaxPairs = 10_000

// Namespace is one KV namespace reached through the Cloudflare API.
type Namespace struct {
	api         *cloudflare.Client
	accountID   string
	namespaceID string
}

// Open binds a namespace. It does not contact the API.
func Open(api *cloudflare.Client, accountID, namespaceID string) *Namespace {
	return &Namespace{api: api, accountID: accountID, namespaceID: namespaceID}
}

// ID returns the namespace identifier, for logs.
func (n *Namespace) ID() string { return n.namespaceID }

// Get returns the raw value stored at key.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	rc, err := n.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Open streams the value stored at key. The caller closes the reader.
func (n *Namespace) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	resp, err := n.api.KV.Namespaces.Values.Get(ctx, n.namespaceID, url.PathEscape(key),
		kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.accountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	return resp.Body, nil
}

// GetJSON decodes the JSON value stored at key into dst.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put writes value under key. A zero ttl stores the pair without expiry.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	var opts []option.RequestOption
	if ttl > 0 {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds()))))
	}
	return n.update(ctx, key, value, "{}", opts...)
}

// PutJSON encodes v as JSON and writes it under key.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kv put %q: encode: %w", key, err)
	}
	return n.Put(ctx, key, b, ttl)
}

// PutUntil writes value under key and lets KV drop it at the given instant.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	return n.update(ctx, key, value, "{}",
		option.WithQuery("expiration", strconv.FormatInt(at.Unix(), 10)))
}

// CacheFor writes a cache entry. Entries live at least one minute whatever the
// caller asks for, because KV refuses anything shorter.
func (n *Namespace) CacheFor(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.update(ctx, key, value, "{}",
		option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds()))))
}

// PutWithMeta writes value together with a metadata document that list calls
// return alongside the key.
func (n *Namespace) PutWithMeta(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	mb, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	var opts []option.RequestOption
	if ttl > 0 {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds()))))
	}
	return n.update(ctx, key, value, string(mb), opts...)
}

func (n *Namespace) update(ctx context.Context, key string, value []byte, meta string, opts ...option.RequestOption) error {
	_, err := n.api.KV.Namespaces.Values.Update(ctx, n.namespaceID, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	}, opts...)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.KV.Namespaces.Values.Delete(ctx, n.namespaceID, url.PathEscape(key),
		kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(n.accountID)})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix and the cursor of the next page,
// which is empty once the listing is complete.
func (n *Namespace) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := n.api.KV.Namespaces.Keys.List(ctx, n.namespaceID, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata map[string]any
}

// WriteMany stores entries through the bulk endpoint, split into requests the
// API accepts.
func (n *Namespace) WriteMany(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += bulkMaxPairs {
		end := min(start+bulkMaxPairs, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			if e.Metadata != nil {
				item.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, item)
		}
		_, err := n.api.KV.Namespaces.Bulk.Update(ctx, n.namespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("kv bulk write [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Update reads the JSON document at key, lets fn change it and writes it back.
// A missing key starts from the zero value of T.
func Update[T any](ctx context.Context, n *Namespace, key string, ttl time.Duration, fn func(*T) error) error {
	var doc T
	if err := n.GetJSON(ctx, key, &doc); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if err := fn(&doc); err != nil {
		return err
	}
	return n.PutJSON(ctx, key, doc, ttl) // EXPECT kvrace
}
