// Package kvv6 adapts the v6 Cloudflare SDK's Workers KV service to the small
// surface the newer backend uses: byte values, Go durations for lifetimes and
// cursor-based listing.
package kvv6

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/packages/pagination"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kv: key not found")

// Store is one KV namespace in one account.
type Store struct {
	client    *cloudflare.Client
	accountID string
	namespace string
}

// New returns a Store for namespaceID.
func New(client *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{client: client, accountID: accountID, namespace: namespaceID}
}

// Namespace reports the namespace ID, used in log lines.
func (s *Store) Namespace() string { return s.namespace }

// PutOpts carries the optional parts of a write.
type PutOpts struct {
	TTL       time.Duration
	ExpiresAt int64 // unix seconds
	Meta      any
}

// Get reads one value.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes one value.
func (s *Store) Put(ctx context.Context, key string, value []byte, o PutOpts) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int64(o.TTL.Seconds())))
	}
	if o.ExpiresAt > 0 {
		params.Expiration = cloudflare.F(float64(o.ExpiresAt))
	}
	if o.Meta != nil {
		params.Metadata = cloudflare.F(o.Meta)
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.namespace, url.PathEscape(key), params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes one key.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

// Bound is a Store tied to one request context, so that helpers returning
// (key, value, opts) can be forwarded straight into Put.
type Bound struct {
	s   *Store
	ctx context.Context
}

// Bind ties the store to ctx.
func (s *Store) Bind(ctx context.Context) Bound { return Bound{s: s, ctx: ctx} }

// Put writes key with value and o.
func (b Bound) Put(key string, value []byte, o PutOpts) error { return b.s.Put(b.ctx, key, value, o) }

// Get reads key.
func (b Bound) Get(key string) ([]byte, error) { return b.s.Get(b.ctx, key) }

// Entry is a key together with the lifetime every write to it gets.
type Entry struct {
	s   *Store
	key string
	ttl time.Duration
}

// Entry returns a handle on key whose writes expire after ttl.
func (s *Store) Entry(key string, ttl time.Duration) Entry { return Entry{s: s, key: key, ttl: ttl} }

// Write stores value under the entry's key with the entry's lifetime.
func (e Entry) Write(ctx context.Context, value []byte) error {
	return e.s.Put(ctx, e.key, value, PutOpts{TTL: e.ttl})
}

// Read loads the entry's value.
func (e Entry) Read(ctx context.Context) ([]byte, error) { return e.s.Get(ctx, e.key) }

// Page is one page of a listing.
type Page struct {
	Keys   []kv.Key
	Cursor string // empty when the listing is complete
}

// ListPage fetches one page of keys under prefix.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID)}
	if prefix != "" {
		params.Prefix = cloudflare.F(prefix)
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursors.After}, nil
}

// Pages yields successive pages under prefix until the cursor runs out or
// the consumer stops pulling.
func (s *Store) Pages(ctx context.Context, prefix string, limit int) iter.Seq2[Page, error] {
	return func(yield func(Page, error) bool) {
		cursor := ""
		for {
			p, err := s.ListPage(ctx, prefix, cursor, limit)
			if err != nil {
				yield(Page{}, err)
				return
			}
			if !yield(p, nil) || p.Cursor == "" {
				return
			}
			cursor = p.Cursor
		}
	}
}

// Cursor is a pull-style iterator over every key under a prefix.
type Cursor struct {
	pager *pagination.CursorPaginationAfterAutoPager[kv.Key]
}

// Keys returns a cursor over the keys under prefix.
func (s *Store) Keys(ctx context.Context, prefix string) *Cursor {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.accountID), Prefix: cloudflare.F(prefix)}
	return &Cursor{pager: s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespace, params)}
}

// Next advances to the next key.
func (c *Cursor) Next() bool { return c.pager.Next() }

// Key is the current key name.
func (c *Cursor) Key() string { return c.pager.Current().Name }

// Meta is the current key's metadata.
func (c *Cursor) Meta() any { return c.pager.Current().Metadata }

// Err reports the first error the cursor met.
func (c *Cursor) Err() error { return c.pager.Err() }

// Pair is one entry of a bulk write.
type Pair struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  any
}

// BulkPut writes up to 10,000 pairs in one request.
func (s *Store) BulkPut(ctx context.Context, pairs []Pair) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(pairs))
	for _, p := range pairs {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(p.Key),
			Value: cloudflare.F(string(p.Value)),
		}
		if p.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(p.TTL.Seconds())
		}
		if p.Meta != nil {
			b.Metadata = cloudflare.F(p.Meta)
		}
		body = append(body, b)
	}
	res, err := s.client.KV.Namespaces.BulkUpdate(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	if err != nil {
		return err
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("kv bulk put: %d keys not written, first %q", n, res.UnsuccessfulKeys[0])
	}
	return nil
}

// BulkGet reads up to 100 text values. Missing keys are absent from the map.
func (s *Store) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	res, err := s.client.KV.Namespaces.BulkGet(ctx, s.namespace, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(s.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	var decoded struct {
		Values map[string]*string `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.JSON.RawJSON()), &decoded); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(decoded.Values))
	for k, v := range decoded.Values {
		if v != nil {
			out[k] = *v
		}
	}
	return out, nil
}
