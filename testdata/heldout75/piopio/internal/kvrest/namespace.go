// Package kvrest adapts one Workers KV namespace reached over the Cloudflare
// REST API (cloudflare-go v2) to the shapes the ingestion service needs.
package kvrest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvrest: key not found")

// MaxBulk is the number of pairs the bulk endpoints accept per request.
const MaxBulk = 10_000

// Namespace is one KV namespace of one account.
type Namespace struct {
	api       *kv.KVService
	accountID string
	id        string
	Name      string
}

// Open builds a namespace client authenticated with an API token.
func Open(name, token, accountID, namespaceID string) *Namespace {
	client := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	return &Namespace{api: client.KV, accountID: accountID, id: namespaceID, Name: name}
}

// Get returns the raw value stored under key.
func (n *Namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.api.Namespaces.Values.Get(ctx, n.id, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.accountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv %s get %q: %w", n.Name, key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON decodes the value under key into dst.
func (n *Namespace) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put stores value under key with no expiration. meta may be nil.
func (n *Namespace) Put(ctx context.Context, key string, value []byte, meta map[string]any) error {
	m := "{}"
	if meta != nil {
		b, err := json.Marshal(meta)
		if err != nil {
			return err
		}
		m = string(b)
	}
	_, err := n.api.Namespaces.Values.Update(ctx, n.id, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Metadata:  cloudflare.F(m),
		Value:     cloudflare.F(string(value)),
	})
	if err != nil {
		return fmt.Errorf("kv %s put %q: %w", n.Name, key, err)
	}
	return nil
}

// PutTTL stores value under key for ttl. The single-value endpoint of this
// SDK version takes no expiration, so expiring writes go through the bulk
// endpoint with one pair.
func (n *Namespace) PutTTL(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return n.bulk(ctx, []kv.NamespaceBulkUpdateParamsBody{{
		Key:           cloudflare.F(key),
		Value:         cloudflare.F(string(value)),
		ExpirationTTL: cloudflare.F(float64(int(ttl.Seconds()))),
	}})
}

// PutUntil stores value under key until the absolute time at.
func (n *Namespace) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	return n.bulk(ctx, []kv.NamespaceBulkUpdateParamsBody{{
		Key:        cloudflare.F(key),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	}})
}

// PutCached stores a cache entry. Entries live at least a minute, the
// shortest lifetime KV supports.
func (n *Namespace) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.PutTTL(ctx, key, value, ttl)
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  map[string]any
}

func (e Entry) body() kv.NamespaceBulkUpdateParamsBody {
	b := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(e.Key),
		Value: cloudflare.F(string(e.Value)),
	}
	if e.TTL > 0 {
		b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
	}
	if e.Meta != nil {
		b.Metadata = cloudflare.F(e.Meta)
	}
	return b
}

// PutBatch writes all entries in one bulk request.
func (n *Namespace) PutBatch(ctx context.Context, entries []Entry) error {
	bodies := make([]kv.NamespaceBulkUpdateParamsBody, len(entries))
	for i, e := range entries {
		bodies[i] = e.body()
	}
	return n.bulk(ctx, bodies)
}

// PutMany writes entries in bulk requests of at most MaxBulk pairs.
func (n *Namespace) PutMany(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += MaxBulk {
		end := min(start+MaxBulk, len(entries))
		if err := n.PutBatch(ctx, entries[start:end]); err != nil {
			return fmt.Errorf("bulk [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

func (n *Namespace) bulk(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	_, err := n.api.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.accountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("kv %s bulk write (%d): %w", n.Name, len(body), err)
	}
	return nil
}

// Delete removes key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.api.Namespaces.Values.Delete(ctx, n.id, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(n.accountID)})
	if err != nil {
		return fmt.Errorf("kv %s delete %q: %w", n.Name, key, err)
	}
	return nil
}

// DeleteMany removes keys in bulk requests of at most MaxBulk keys.
func (n *Namespace) DeleteMany(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		chunk := keys[start:min(start+MaxBulk, len(keys))]
		_, err := n.api.Namespaces.Bulk.Delete(ctx, n.id, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(n.accountID)},
			option.WithRequestBody("application/json", chunk))
		if err != nil {
			return fmt.Errorf("kv %s bulk delete: %w", n.Name, err)
		}
	}
	return nil
}

// Key is one listed key.
type Key = kv.Key

// Page is one page of a listing and the cursor of the next one ("" at the end).
type Page struct {
	Keys   []Key
	Cursor string
}

// ListPage returns one page of keys under prefix starting at cursor.
func (n *Namespace) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(n.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := n.api.Namespaces.Keys.List(ctx, n.id, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv %s list %q: %w", n.Name, prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Update applies fn to the current value of key (nil when missing) and
// stores what it returns.
func (n *Namespace) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := n.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return n.PutTTL(ctx, key, next, ttl) // EXPECT kvrace
}
