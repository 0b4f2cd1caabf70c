// Package kvstore adapts the Cloudflare REST API for Workers KV to the small
// surface the gateway needs: byte values, metadata, pages of keys and bulk calls.
package kvstore

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

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvstore: key not found")

// Store is one KV namespace reached through the account API.
type Store struct {
	api       *cloudflare.Client
	accountID string
	namespace string
}

// New builds a Store for a namespace with an API token.
func New(token, accountID, namespaceID string) *Store {
	return &Store{
		api:       cloudflare.NewClient(option.WithAPIToken(token)),
		accountID: accountID,
		namespace: namespaceID,
	}
}

// Client exposes the underlying SDK client for callers that need a call the
// adapter does not wrap.
func (s *Store) Client() *cloudflare.Client { return s.api }

// AccountID and Namespace identify the namespace for direct SDK calls.
func (s *Store) AccountID() string { return s.accountID }
func (s *Store) Namespace() string { return s.namespace }

// PutOptions control expiry and metadata of a write.
type PutOptions struct {
	TTL      time.Duration
	ExpireAt time.Time
	Meta     any
}

// Entry is a listed key.
type Entry struct {
	Name       string
	Expiration time.Time
	Meta       map[string]any
}

// Page is one page of a listing and the cursor of the next one.
type Page struct {
	Entries []Entry
	Cursor  string
}

// Get reads a value; a missing key yields ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
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

// Put writes a value. TTL is relative; ExpireAt is absolute.
func (s *Store) Put(ctx context.Context, key string, value []byte, o PutOptions) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if o.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(o.TTL.Seconds())))
	}
	if !o.ExpireAt.IsZero() {
		params.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Meta != nil {
		params.Metadata = cloudflare.F(o.Meta)
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, key, params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutCached writes a derived value that can be rebuilt from its source. The
// lifetime is never shorter than KV accepts.
func (s *Store) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, PutOptions{TTL: ttl})
}

// Delete removes a key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	return err
}

// Meta returns the metadata stored with a key.
func (s *Store) Meta(ctx context.Context, key string) (map[string]any, error) {
	res, err := s.api.KV.Namespaces.Metadata.Get(ctx, s.namespace, key, kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return nil, err
	}
	m, _ := (*res).(map[string]any)
	return m, nil
}

// ListPage fetches one page of keys under prefix, starting at cursor.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return Page{}, err
	}
	page := Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		page.Entries = append(page.Entries, toEntry(k))
	}
	return page, nil
}

// Scan walks keys under prefix with the SDK's auto-pager and stops after max keys.
func (s *Store) Scan(ctx context.Context, prefix string, max int, fn func(Entry) error) error {
	iter := s.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	for n := 0; n < max && iter.Next(); n++ {
		if err := fn(toEntry(iter.Current())); err != nil {
			return err
		}
	}
	return iter.Err()
}

// Keys returns every key name under prefix.
func (s *Store) Keys(ctx context.Context, prefix string) ([]Entry, error) {
	var out []Entry
	iter := s.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
	})
	for iter.Next() {
		out = append(out, toEntry(iter.Current()))
	}
	return out, iter.Err()
}

// Mutate applies fn to the current value of key and stores the result.
func (s *Store) Mutate(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next, PutOptions{TTL: ttl}) // EXPECT kvrace
}

// BulkItem is one pair of a bulk write.
type BulkItem struct {
	Key      string
	Value    string
	TTL      time.Duration
	Meta     any
	IsBase64 bool
}

// BulkPut writes items in requests of at most 10,000 pairs.
func (s *Store) BulkPut(ctx context.Context, items []BulkItem) error {
	const maxPairs = 10000
	for start := 0; start < len(items); start += maxPairs {
		end := min(start+maxPairs, len(items))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, it := range items[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:    cloudflare.F(it.Key),
				Value:  cloudflare.F(it.Value),
				Base64: cloudflare.F(it.IsBase64),
			}
			if it.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(it.TTL, time.Minute).Seconds())
			}
			if it.Meta != nil {
				b.Metadata = cloudflare.F(it.Meta)
			}
			body = append(body, b)
		}
		res, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body,
		})
		if err != nil {
			return err
		}
		if len(res.UnsuccessfulKeys) > 0 {
			return fmt.Errorf("kv bulk put: %d keys not written", len(res.UnsuccessfulKeys))
		}
	}
	return nil
}

// BulkGet reads text values, 100 keys per request. Missing keys are absent
// from the result.
func (s *Store) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for start := 0; start < len(keys); start += 100 {
		chunk := keys[start:min(start+100, len(keys))]
		res, err := s.api.KV.Namespaces.BulkGet(ctx, s.namespace, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(s.accountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		values, _ := res.Values.(map[string]kv.NamespaceBulkGetResponseWorkersKVBulkGetResultValuesUnion)
		for k, v := range values {
			if str, ok := v.(shared.UnionString); ok {
				out[k] = string(str)
			}
		}
	}
	return out, nil
}

// BulkDelete removes keys, 10,000 per request.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += 10000 {
		_, err := s.api.KV.Namespaces.BulkDelete(ctx, s.namespace, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      keys[start:min(start+10000, len(keys))],
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func toEntry(k kv.Key) Entry {
	e := Entry{Name: k.Name}
	if k.Expiration > 0 {
		e.Expiration = time.Unix(int64(k.Expiration), 0)
	}
	if m, ok := k.Metadata.(map[string]any); ok {
		e.Meta = m
	}
	return e
}
