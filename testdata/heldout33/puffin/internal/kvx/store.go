// Package kvx is the backend's access layer to Workers KV over the Cloudflare
// REST API. The organiser dashboard, the nightly export and the programme
// sync go through it; the door Worker uses the binding (package edge).
package kvx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/cloudflare/cloudflare-go/v2/option"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvx: key not found")

// MaxBulk is the number of pairs the bulk endpoint accepts per request.
const MaxBulk = 10_000

// Store is one KV namespace of one account.
type Store struct {
	api       *cloudflare.Client
	account   string
	namespace string
}

// New returns a Store for the namespace.
func New(api *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{api: api, account: accountID, namespace: namespaceID}
}

// Get reads the raw value under key. A missing key yields ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil {
		if IsNotFound(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	if errors.Is(err, ErrNotFound) {
		return true
	}
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Put writes value under key. A zero ttl stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.put(ctx, key, value, nil, ttl)
}

// PutMeta writes value under key together with list-visible metadata.
func (s *Store) PutMeta(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	return s.put(ctx, key, value, meta, ttl)
}

func (s *Store) put(ctx context.Context, key string, value []byte, meta map[string]any, ttl time.Duration) error {
	metaJSON := "{}"
	if meta != nil {
		raw, err := json.Marshal(meta)
		if err != nil {
			return fmt.Errorf("kv put %q: metadata: %w", key, err)
		}
		metaJSON = string(raw)
	}
	var opts []option.RequestOption
	if ttl > 0 {
		opts = append(opts, option.WithQuery("expiration_ttl", strconv.Itoa(int(ttl.Seconds()))))
	}
	_, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(metaJSON),
	}, opts...)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.account),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string // empty on the last page
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
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
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Pair is one entry of a bulk write.
type Pair = kv.NamespaceBulkUpdateParamsBody

// BulkPut writes pairs in one request.
func (s *Store) BulkPut(ctx context.Context, pairs []Pair) error {
	if len(pairs) == 0 {
		return nil
	}
	_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.account),
		Body:      pairs,
	})
	if err != nil {
		return fmt.Errorf("kv bulk put (%d pairs): %w", len(pairs), err)
	}
	return nil
}

// BulkPutAll writes pairs in chunks of MaxBulk.
func (s *Store) BulkPutAll(ctx context.Context, pairs []Pair) error {
	for start := 0; start < len(pairs); start += MaxBulk {
		end := min(start+MaxBulk, len(pairs))
		if err := s.BulkPut(ctx, pairs[start:end]); err != nil {
			return err
		}
	}
	return nil
}

// BulkDelete removes up to MaxBulk keys in one request.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.api.KV.Namespaces.Bulk.Delete(ctx, s.namespace, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.account),
	}, option.WithRequestBody("application/json", keys))
	if err != nil {
		return fmt.Errorf("kv bulk delete (%d keys): %w", len(keys), err)
	}
	return nil
}

// TextPair builds a bulk pair with a relative TTL.
func TextPair(key, value string, ttl time.Duration) Pair {
	p := Pair{Key: cloudflare.F(key), Value: cloudflare.F(value)}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	return p
}
