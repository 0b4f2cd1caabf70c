// Package kvstore is fleetd's adapter for one Workers KV namespace, reached
// through the Cloudflare REST API (cloudflare-go v6).
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// MinTTL is the shortest lifetime KV accepts for a key.
const MinTTL = time.Minute

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// ErrBudget is returned by Scan when its page budget ran out first.
var ErrBudget = errors.New("kvstore: list budget exhausted")

// Store reads and writes one namespace.
type Store struct {
	api         *cloudflare.Client
	accountID   string
	namespaceID string
}

func New(api *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{api: api, accountID: accountID, namespaceID: namespaceID}
}

// API exposes the client for code that needs the raw endpoints.
func (s *Store) API() *cloudflare.Client { return s.api }
func (s *Store) AccountID() string       { return s.accountID }
func (s *Store) NamespaceID() string     { return s.namespaceID }

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.Is(err, ErrNotFound) || errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the value stored under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.api.KV.Namespaces.Values.Get(ctx, s.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if IsNotFound(err) {
		return nil, ErrNotFound
	} else if err != nil {
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// GetJSON decodes the value under key into dst.
func (s *Store) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put writes value under key. A zero ttl stores the key without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return s.PutWithMetadata(ctx, key, value, nil, ttl)
}

// PutJSON encodes v and writes it under key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, raw, ttl)
}

// PutWithMetadata writes value and attaches metadata that List returns.
func (s *Store) PutWithMetadata(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if meta != nil {
		params.Metadata = cloudflare.F(meta)
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := s.api.KV.Namespaces.Values.Update(ctx, s.namespaceID, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutCacheEntry writes a read-through cache entry. Lifetimes shorter than
// KV's minimum are raised to it.
func (s *Store) PutCacheEntry(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return s.Put(ctx, key, value, ttl)
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.api.KV.Namespaces.Values.Delete(ctx, s.namespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page is one page of a key listing; an empty Cursor means no more pages.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

func (p Page) Done() bool { return p.Cursor == "" }

// ListPage returns one page of keys under prefix, starting at cursor.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.api.KV.Namespaces.Keys.List(ctx, s.namespaceID, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Scan calls fn for every key under prefix, reading at most maxPages pages.
func (s *Store) Scan(ctx context.Context, prefix string, maxPages int, fn func(kv.Key) error) error {
	cursor := ""
	for range maxPages {
		p, err := s.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, k := range p.Keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if p.Done() {
			return nil
		}
		cursor = p.Cursor
	}
	return ErrBudget
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata map[string]any
}

// BulkPut writes entries in one request; callers keep batches within the
// API's 10,000 pairs.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, len(entries))
	for i, e := range entries {
		body[i] = kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(e.Value)}
		if e.TTL > 0 {
			body[i].ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		if e.Metadata != nil {
			body[i].Metadata = cloudflare.F[any](e.Metadata)
		}
	}
	res, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("kv bulk put: %w", err)
	}
	if n := len(res.UnsuccessfulKeys); n > 0 {
		return fmt.Errorf("kv bulk put: %d keys failed, first %q", n, res.UnsuccessfulKeys[0])
	}
	return nil
}
