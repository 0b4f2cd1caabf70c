// Package kvstore is the booking service's thin adapter over the Workers KV
// REST API (cloudflare-go v3). Everything that talks to KV from the origin
// goes through a Namespace.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// maxBulk is the number of pairs the bulk endpoint accepts in one request.
const maxBulk = 10_000

// Namespace is one KV namespace in one account.
type Namespace struct {
	client    *cloudflare.Client
	accountID string
	id        string
}

// Open returns a Namespace authenticated with an API token.
func Open(token, accountID, namespaceID string) *Namespace {
	return &Namespace{
		client:    cloudflare.NewClient(option.WithAPIToken(token)),
		accountID: accountID,
		id:        namespaceID,
	}
}

// Client exposes the underlying SDK client for the few callers that need
// endpoints this adapter does not wrap.
func (n *Namespace) Client() *cloudflare.Client { return n.client }

// AccountID returns the account the namespace belongs to.
func (n *Namespace) AccountID() string { return n.accountID }

// ID returns the namespace ID.
func (n *Namespace) ID() string { return n.id }

// Get returns the value stored under key, or ErrNotFound.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(n.accountID),
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

// GetJSON decodes the value under key into dst.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put writes a value that never expires.
func (n *Namespace) Put(ctx context.Context, key string, value []byte) error {
	return n.PutMeta(ctx, key, value, nil)
}

// PutMeta writes a value with metadata that list results carry.
func (n *Namespace) PutMeta(ctx context.Context, key string, value []byte, meta map[string]any) error {
	m := "{}"
	if meta != nil {
		b, err := json.Marshal(meta)
		if err != nil {
			return err
		}
		m = string(b)
	}
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Metadata:  cloudflare.F(m),
		Value:     cloudflare.F(string(value)),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutTTL writes a value that expires ttl from now. The single-value endpoint
// of this SDK version has no expiration parameters, so this goes through the
// bulk endpoint with one pair.
func (n *Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := n.client.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(float64(int(ttl.Seconds()))),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutCache writes a cache entry. Entries live at least a minute.
func (n *Namespace) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.PutTTL(ctx, key, value, ttl)
}

// PutUntil writes a value that expires at the given Unix time (seconds).
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, expiresAt int64) error {
	_, err := n.client.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F(key),
			Value:      cloudflare.F(string(value)),
			Expiration: cloudflare.F(float64(expiresAt)),
		}},
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  map[string]any
}

// WriteMany writes entries in as few bulk requests as the API allows.
func (n *Namespace) WriteMany(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += maxBulk {
		end := min(start+maxBulk, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
			}
			if e.Meta != nil {
				item.Metadata = cloudflare.F(e.Meta)
			}
			body = append(body, item)
		}
		if _, err := n.client.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.accountID),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("kv bulk write [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Key is one listed key.
type Key struct {
	Name       string
	Expiration time.Time
	Meta       map[string]any
}

// Page is one page of a listing; Cursor is empty on the last page.
type Page struct {
	Keys   []Key
	Cursor string
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.client.KV.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	page := Page{Cursor: res.ResultInfo.Cursor, Keys: make([]Key, 0, len(res.Result))}
	for _, k := range res.Result {
		key := Key{Name: k.Name, Meta: k.Metadata}
		if k.Expiration > 0 {
			key.Expiration = time.Unix(int64(k.Expiration), 0)
		}
		page.Keys = append(page.Keys, key)
	}
	return page, nil
}

// KeyNames returns the names of every key under prefix.
func (n *Namespace) KeyNames(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	cursor := ""
	for {
		page, err := n.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		if page.Cursor == "" {
			return names, nil
		}
		cursor = page.Cursor
	}
}

// Metadata returns the metadata stored with key.
func (n *Namespace) Metadata(ctx context.Context, key string) (map[string]any, error) {
	res, err := n.client.KV.Namespaces.Metadata.Get(ctx, n.id, key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(n.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return map[string]any(*res), nil
}
