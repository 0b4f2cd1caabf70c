// Package kvstore is karearea's thin adapter over the Cloudflare REST API for
// Workers KV. Every backend component (the memcached proxy, the PHP session
// handler, the fragment cache) reaches KV through a *Store bound to one
// account and one namespace.
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

// ErrNotFound is returned by Get and GetWithMeta when the key does not exist
// (or has expired).
var ErrNotFound = errors.New("kvstore: key not found")

// Config names the namespace a Store talks to.
type Config struct {
	AccountID   string
	NamespaceID string
	APIToken    string
	// Timeout bounds each REST call; zero means 10 s.
	Timeout time.Duration
}

// Store is a handle on one KV namespace.
type Store struct {
	api       *cloudflare.Client
	account   string
	namespace string
	timeout   time.Duration
}

// Open builds a Store from cfg.
func Open(cfg Config) (*Store, error) {
	if cfg.AccountID == "" || cfg.NamespaceID == "" {
		return nil, errors.New("kvstore: account and namespace are required")
	}
	if cfg.APIToken == "" {
		return nil, errors.New("kvstore: API token is required")
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	client := cloudflare.NewClient(
		option.WithAPIToken(cfg.APIToken),
		option.WithMaxRetries(2),
	)
	return &Store{api: client, account: cfg.AccountID, namespace: cfg.NamespaceID, timeout: timeout}, nil
}

// API exposes the underlying client and identifiers for the few call sites
// that need a request shape the adapter does not wrap.
func (s *Store) API() (client *cloudflare.Client, accountID, namespaceID string) {
	return s.api, s.account, s.namespace
}

// PutOptions controls a single write.
type PutOptions struct {
	// TTL is the relative lifetime. Zero means the value never expires.
	TTL time.Duration
	// Metadata is stored next to the value and returned by listings.
	Metadata map[string]any
}

// Put writes value under key.
func (s *Store) Put(ctx context.Context, key string, value []byte, opts PutOptions) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	meta := "{}"
	if len(opts.Metadata) > 0 {
		b, err := json.Marshal(opts.Metadata)
		if err != nil {
			return fmt.Errorf("kvstore: encode metadata for %q: %w", key, err)
		}
		meta = string(b)
	}
	var reqOpts []option.RequestOption
	if opts.TTL > 0 {
		reqOpts = append(reqOpts, option.WithQuery("expiration_ttl", strconv.Itoa(int(opts.TTL.Seconds()))))
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Metadata:  cloudflare.F(meta),
		Value:     cloudflare.F(string(value)),
	}, reqOpts...)
	if err != nil {
		return fmt.Errorf("kvstore: put %q: %w", key, err)
	}
	return nil
}

// PutUntil writes value under key with an absolute expiration.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Metadata:  cloudflare.F("{}"),
		Value:     cloudflare.F(string(value)),
	}, option.WithQuery("expiration", strconv.FormatInt(at.Unix(), 10)))
	if err != nil {
		return fmt.Errorf("kvstore: put %q: %w", key, err)
	}
	return nil
}

// Get reads the value stored under key. A missing key yields ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		if isNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kvstore: get %q: %w", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("kvstore: read %q: %w", key, err)
	}
	return b, nil
}

// GetWithMeta reads the value and its metadata. The REST API serves them from
// two endpoints, so this costs two reads.
func (s *Store) GetWithMeta(ctx context.Context, key string) ([]byte, map[string]any, error) {
	value, err := s.Get(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	md, err := s.api.KV.Namespaces.Metadata.Get(ctx, s.namespace, url.PathEscape(key), kv.NamespaceMetadataGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		if isNotFound(err) {
			return value, map[string]any{}, nil
		}
		return nil, nil, fmt.Errorf("kvstore: metadata %q: %w", key, err)
	}
	if md == nil {
		return value, map[string]any{}, nil
	}
	return value, map[string]any(*md), nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespace, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("kvstore: delete %q: %w", key, err)
	}
	return nil
}

// Key is one entry of a listing.
type Key struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// ListPage returns one page of keys under prefix, starting at cursor, and the
// cursor of the next page ("" when the listing is complete).
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) ([]Key, string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespace, params)
	if err != nil {
		return nil, "", fmt.Errorf("kvstore: list %q: %w", prefix, err)
	}
	out := make([]Key, 0, len(page.Result))
	for _, k := range page.Result {
		out = append(out, convertKey(k))
	}
	return out, page.ResultInfo.Cursor, nil
}

// AllKeys returns every key under prefix.
func (s *Store) AllKeys(ctx context.Context, prefix string) ([]Key, error) {
	iter := s.api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	var out []Key
	for iter.Next() {
		out = append(out, convertKey(iter.Current()))
	}
	if err := iter.Err(); err != nil {
		return out, fmt.Errorf("kvstore: list %q: %w", prefix, err)
	}
	return out, nil
}

func convertKey(k kv.Key) Key {
	out := Key{Name: k.Name, Metadata: k.Metadata}
	if k.Expiration > 0 {
		out.Expiration = time.Unix(int64(k.Expiration), 0)
	}
	return out
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata map[string]any
}

// PutMany writes entries in one bulk request.
func (s *Store) PutMany(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(string(e.Value)),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		if len(e.Metadata) > 0 {
			b.Metadata = cloudflare.F(e.Metadata)
		}
		body = append(body, b)
	}
	return s.putBodies(ctx, body)
}

func (s *Store) putBodies(ctx context.Context, body []kv.NamespaceBulkUpdateParamsBody) error {
	ctx, cancel := context.WithTimeout(ctx, 4*s.timeout)
	defer cancel()
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.account),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("kvstore: bulk put of %d pairs: %w", len(body), err)
	}
	return nil
}

// DeleteMany removes keys in one bulk request.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	payload, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 4*s.timeout)
	defer cancel()
	_, err = s.api.KV.Namespaces.Bulk.Delete(ctx, s.namespace, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.account),
	}, option.WithRequestBody("application/json", payload))
	if err != nil {
		return fmt.Errorf("kvstore: bulk delete of %d keys: %w", len(keys), err)
	}
	return nil
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// IsNotFound reports whether err is a 404 from the KV API.
func IsNotFound(err error) bool { return isNotFound(err) }
