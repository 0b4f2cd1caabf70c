package kvstore

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"time"

	cfv6 "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// maxValueSize is the largest value KV stores (25 MiB).
const maxValueSize = 25 << 20

// bulkGetMax is the number of keys one bulk get may name.
const bulkGetMax = 100

// Store is a KV namespace reached through cloudflare-go v6.
type Store struct {
	client    *cfv6.Client
	accountID string
	ns        string
}

// NewStore binds a v6 client to one namespace of one account.
func NewStore(client *cfv6.Client, accountID, namespaceID string) *Store {
	return &Store{client: client, accountID: accountID, ns: namespaceID}
}

// Get returns the raw value of key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueGetParams{AccountID: cfv6.F(s.accountID)})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(io.LimitReader(res.Body, maxValueSize))
}

// Put writes value under key. A positive ttl below the API minimum is raised
// to MinTTL so that short-lived entries never fail with HTTP 400.
func (s *Store) Put(ctx context.Context, key string, value any, ttl time.Duration) error {
	return s.PutWithMetadata(ctx, key, value, ttl, nil)
}

// PutWithMetadata is Put with a metadata object attached to the key.
func (s *Store) PutWithMetadata(ctx context.Context, key string, value any, ttl time.Duration, meta any) error {
	body, err := encode(value)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cfv6.F(s.accountID),
		Value:     cfv6.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
	}
	if ttl > 0 {
		if ttl < MinTTL {
			ttl = MinTTL
		}
		params.ExpirationTTL = cfv6.F(ttl.Seconds())
	}
	if meta != nil {
		params.Metadata = cfv6.F(meta)
	}
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, url.PathEscape(key), params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.ns, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cfv6.F(s.accountID)})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// List returns one page of keys.
func (s *Store) List(ctx context.Context, opts ListOptions) (Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cfv6.F(s.accountID), Prefix: cfv6.F(opts.Prefix)}
	if opts.Cursor != "" {
		params.Cursor = cfv6.F(opts.Cursor)
	}
	if opts.Limit > 0 {
		params.Limit = cfv6.F(float64(opts.Limit))
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", opts.Prefix, err)
	}
	page := Page{Cursor: res.ResultInfo.Cursor, Keys: make([]KeyInfo, 0, len(res.Result))}
	for _, k := range res.Result {
		page.Keys = append(page.Keys, KeyInfo{Name: k.Name, Expiration: int64(k.Expiration), Metadata: k.Metadata})
	}
	return page, nil
}

// BulkGet reads text values for keys, 100 keys per request. Keys that do not
// exist are absent from the result.
func (s *Store) BulkGet(ctx context.Context, keys []string) (map[string]string, error) {
	out := make(map[string]string, len(keys))
	for chunk := range slices.Chunk(keys, bulkGetMax) {
		res, err := s.client.KV.Namespaces.BulkGet(ctx, s.ns, kv.NamespaceBulkGetParams{
			AccountID: cfv6.F(s.accountID),
			Keys:      cfv6.F(chunk),
			Type:      cfv6.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, fmt.Errorf("kv bulk get: %w", err)
		}
		result, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			return nil, fmt.Errorf("kv bulk get: unexpected result shape")
		}
		for k, v := range result.Values {
			if str, ok := v.(shared.UnionString); ok {
				out[k] = string(str)
			}
		}
	}
	return out, nil
}

// Incr adds delta to the decimal integer stored under key and returns the
// new value. A missing key counts as zero.
func (s *Store) Incr(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	var n int64
	raw, err := s.Get(ctx, key)
	switch {
	case err == nil:
		n, err = strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("kv incr %q: %w", key, err)
		}
	case IsNotFound(err):
	default:
		return 0, err
	}
	n += delta
	if err := s.Put(ctx, key, n, ttl); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}

// GetOrLoad returns the cached value of key, calling load and caching its
// result for ttl when the key is missing.
func (s *Store) GetOrLoad(ctx context.Context, key string, ttl time.Duration, load func(context.Context) (any, error)) ([]byte, error) {
	raw, err := s.Get(ctx, key)
	if err == nil {
		return raw, nil
	}
	if !IsNotFound(err) {
		return nil, err
	}
	v, err := load(ctx)
	if err != nil {
		return nil, err
	}
	body, err := encode(v)
	if err != nil {
		return nil, err
	}
	if err := s.Put(ctx, key, body, ttl); err != nil {
		return nil, err
	}
	return body, nil
}
