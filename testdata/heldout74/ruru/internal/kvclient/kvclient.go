// Package kvclient is the team's thin adapter over the Cloudflare REST API
// for Workers KV. Backend code (Cloud Functions, Vercel functions, jobs)
// goes through it instead of calling cloudflare-go directly.
package kvclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"github.com/ruru-fm/ruru/internal/config"
)

// ErrNotFound is returned by Get when the key does not exist.
var ErrNotFound = errors.New("kvclient: key not found")

// Store addresses one KV namespace of one account.
type Store struct {
	CF          *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// New builds a Store from explicit values.
func New(cf *cloudflare.Client, accountID, namespaceID string) *Store {
	return &Store{CF: cf, AccountID: accountID, NamespaceID: namespaceID}
}

// FromSettings builds a Store from settings read from the environment.
func FromSettings(s config.Settings) (*Store, error) {
	if s.APIToken == "" || s.AccountID == "" || s.NamespaceID == "" {
		return nil, errors.New("kvclient: CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and RURU_KV_NAMESPACE_ID are required")
	}
	cf := cloudflare.NewClient(option.WithAPIToken(s.APIToken))
	return New(cf, s.AccountID, s.NamespaceID), nil
}

// Get returns the raw value of key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.CF.KV.Namespaces.Values.Get(ctx, s.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.AccountID),
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

// GetJSON decodes the value of key into dst.
func (s *Store) GetJSON(ctx context.Context, key string, dst any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// Put writes value under key. A ttl of zero stores the value without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.CF.KV.Namespaces.Values.Update(ctx, s.NamespaceID, key, params)
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and writes it under key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, raw, ttl)
}

// PutCached writes a cache entry. Cache lifetimes below KV's floor are
// raised to one minute so callers can pass whatever their origin suggests.
func (s *Store) PutCached(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes value so that it expires at the given instant.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.CF.KV.Namespaces.Values.Update(ctx, s.NamespaceID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.AccountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.CF.KV.Namespaces.Values.Delete(ctx, s.NamespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	return err
}

// Page is one page of a key listing.
type Page struct {
	Keys   []kv.Key
	Cursor string // empty when the listing is complete
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	limit = min(max(limit, 10), 1000)
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.CF.KV.Namespaces.Keys.List(ctx, s.NamespaceID, params)
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Entry is one pair for BulkPut.
type Entry struct {
	Key      string
	Value    string
	TTL      time.Duration
	Metadata any
}

// BulkPut writes up to 10,000 entries in one request.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) error {
	if len(entries) > 10_000 {
		return fmt.Errorf("kvclient: bulk put of %d entries exceeds 10000", len(entries))
	}
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(e.Value),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(max(e.TTL, time.Minute).Seconds())
		}
		if e.Metadata != nil {
			b.Metadata = cloudflare.F(e.Metadata)
		}
		body = append(body, b)
	}
	_, err := s.CF.KV.Namespaces.BulkUpdate(ctx, s.NamespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Body:      body,
	})
	return err
}

// BulkDelete removes up to 10,000 keys in one request.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.CF.KV.Namespaces.BulkDelete(ctx, s.NamespaceID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.AccountID),
		Body:      keys,
	})
	return err
}

// AppendLog adds one line to a newline-separated log value, creating it if
// needed. Used for per-show publish audit trails.
func (s *Store) AppendLog(ctx context.Context, key, line string, ttl time.Duration) error {
	prev, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next := string(prev) + time.Now().UTC().Format(time.RFC3339) + " " + line + "\n"
	return s.Put(ctx, key, []byte(next), ttl) // EXPECT kvrace
}
